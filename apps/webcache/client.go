package webcache

import (
	"netsim/apps/http"
	"netsim/sim"
	"netsim/topology"
)

// Exchange is one request answered: what a client learns from it.
type Exchange struct {
	Resp *http.Response
	// Sent is when the request was handed to the client; Done when the whole response
	// had arrived.
	Sent, Done sim.Time
	// FirstByte is when the response's first bits arrived: Done − FirstByte is the time
	// the response took to cross the network once under way (on the access link, the
	// textbook's access delay).
	FirstByte sim.Time
	// ReqBytes and RespBytes are the wire sizes of the request and the response.
	ReqBytes, RespBytes int64
}

// pool is an HTTP/1.1 client's persistent connections (RFC 7230 §6.3), one request
// outstanding per connection (no pipelining): a request takes an idle connection to
// its server, or opens a new one, which costs the handshake's RTT. Connections are
// kept open for reuse.
type pool struct {
	h    topology.Host
	idle map[topology.Addr][]*pconn
}

type pconn struct {
	p       *pool
	to      topology.Addr
	conn    topology.Conn
	sent    sim.Time
	first   sim.Time
	reqB    int64
	pending func(Exchange)
}

func newPool(h topology.Host) *pool {
	return &pool{h: h, idle: map[topology.Addr][]*pconn{}}
}

// do sends req to `to` and calls done with the exchange once the response is in.
// A failed dial is reported as a response with status 0.
func (p *pool) do(to topology.Addr, req *http.Request, done func(Exchange)) {
	sent := p.h.Now()
	if list := p.idle[to]; len(list) > 0 {
		pc := list[len(list)-1]
		list[len(list)-1] = nil
		p.idle[to] = list[:len(list)-1]
		pc.send(req, sent, done)
		return
	}
	p.h.Dial(to, topology.TCPOptions{}, func(c topology.Conn, err error) {
		if err != nil {
			now := p.h.Now()
			done(Exchange{Resp: &http.Response{}, Sent: sent, Done: now, FirstByte: now})
			return
		}
		pc := &pconn{p: p, to: to, conn: c}
		c.SetHandler(&topology.ConnHandler{OnMessage: pc.onMessage, OnArriving: pc.onArriving})
		pc.send(req, sent, done)
	})
}

func (pc *pconn) send(req *http.Request, sent sim.Time, done func(Exchange)) {
	msg := http.MessageOfRequest(req)
	pc.sent, pc.pending, pc.reqB = sent, done, msg.SizeBytes
	pc.conn.Send(msg)
}

func (pc *pconn) onArriving(c topology.Conn, a *topology.Arrival) {
	pc.first = pc.p.h.Now()
}

func (pc *pconn) onMessage(c topology.Conn, m topology.Message) {
	resp, _ := m.Payload.(*http.Response)
	done := pc.pending
	pc.pending = nil
	if done == nil || resp == nil {
		return
	}
	pc.p.idle[pc.to] = append(pc.p.idle[pc.to], pc)
	done(Exchange{Resp: resp, Sent: pc.sent, Done: pc.p.h.Now(), FirstByte: pc.first, ReqBytes: pc.reqB, RespBytes: m.SizeBytes})
}

// Browser is a user's browser: it asks for objects, either through a proxy cache
// (every request goes to the cache, Kurose & Ross §2.2.5) or from the origins
// directly, and reports each answered request.
type Browser struct {
	h     topology.Host
	pool  *pool
	proxy topology.Addr
	use   bool
	// Origins resolves an origin's name to its address, for direct requests.
	origins map[string]topology.Addr
	agent   string
}

// BrowserAgent is the User-Agent of a Browser's requests.
const BrowserAgent = "netsim-browser/1.0"

// NewBrowser returns a browser on h. With a proxy, every request goes to it; without
// (useProxy false), to the origin named by the request's host.
func NewBrowser(h topology.Host, proxy topology.Addr, useProxy bool, origins map[string]topology.Addr) *Browser {
	return &Browser{h: h, pool: newPool(h), proxy: proxy, use: useProxy, origins: origins, agent: BrowserAgent}
}

// Get asks for target at origin host and calls done with the exchange.
func (b *Browser) Get(host, target string, done func(req *http.Request, x Exchange)) {
	req := &http.Request{Method: http.MethodGet, Target: target, Version: http.Version11, Host: host, UserAgent: b.agent}
	to := b.proxy
	if !b.use {
		to = b.origins[host]
	}
	b.pool.do(to, req, func(x Exchange) { done(req, x) })
}
