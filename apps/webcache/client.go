package webcache

import (
	"slices"

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
// kept open for reuse. One that dies (the server crashed: a reset from its reboot, or
// the retransmissions' timeout; or it closed) leaves the pool, and the request it
// carried is answered as a failed dial is, with status 0. So is a request whose
// response has not come within the pool's timeout, if it has one: a server that
// crashed after the request arrived sends nothing more, and TCP, with nothing left to
// send, would wait for ever.
type pool struct {
	h       topology.Host
	idle    map[topology.Addr][]*pconn
	timeout sim.Time // 0: none
}

type pconn struct {
	p       *pool
	to      topology.Addr
	conn    topology.Conn
	sent    sim.Time
	first   sim.Time
	reqB    int64
	pending func(Exchange)
	timer   sim.EventID // the response timeout, while a request is pending
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
		c.SetHandler(&topology.ConnHandler{OnMessage: pc.onMessage, OnArriving: pc.onArriving,
			OnClose: func(topology.Conn) { pc.die() }, OnReset: func(topology.Conn, error) { pc.die() }})
		pc.send(req, sent, done)
	})
}

func (pc *pconn) send(req *http.Request, sent sim.Time, done func(Exchange)) {
	msg := http.MessageOfRequest(req)
	pc.sent, pc.pending, pc.reqB = sent, done, msg.SizeBytes
	if _, err := pc.conn.Send(msg); err != nil {
		pc.die()
		return
	}
	if pc.p.timeout > 0 {
		pc.timer = pc.p.h.After(pc.p.timeout, func() {
			pc.timer = 0
			pc.conn.Abort()
			pc.die()
		})
	}
}

// die takes a dead connection out of the pool and fails the request it carried.
func (pc *pconn) die() {
	pc.stopTimer()
	pc.conn.Close()
	list := pc.p.idle[pc.to]
	if i := slices.Index(list, pc); i >= 0 {
		pc.p.idle[pc.to] = slices.Delete(list, i, i+1)
	}
	if done := pc.pending; done != nil {
		pc.pending = nil
		now := pc.p.h.Now()
		done(Exchange{Resp: &http.Response{}, Sent: pc.sent, Done: now, FirstByte: now, ReqBytes: pc.reqB})
	}
}

func (pc *pconn) onArriving(c topology.Conn, a *topology.Arrival) {
	pc.first = pc.p.h.Now()
}

func (pc *pconn) stopTimer() {
	if pc.timer != 0 {
		pc.p.h.Cancel(pc.timer)
		pc.timer = 0
	}
}

func (pc *pconn) onMessage(c topology.Conn, m topology.Message) {
	resp, _ := m.Payload.(*http.Response)
	done := pc.pending
	pc.pending = nil
	if done == nil || resp == nil {
		return
	}
	pc.stopTimer()
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

// SetResponseTimeout makes the browser give up on a request whose response has not
// come in d (0: never, the default), as a failed one.
func (b *Browser) SetResponseTimeout(d sim.Time) { b.pool.timeout = d }

// Get asks for target at origin host and calls done with the exchange.
func (b *Browser) Get(host, target string, done func(req *http.Request, x Exchange)) {
	req := &http.Request{Method: http.MethodGet, Target: target, Version: http.Version11, Host: host, UserAgent: b.agent}
	to := b.proxy
	if !b.use {
		to = b.origins[host]
	}
	b.pool.do(to, req, func(x Exchange) { done(req, x) })
}
