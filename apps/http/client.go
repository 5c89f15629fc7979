package http

import (
	"errors"
	"fmt"
	"strings"

	"netsim/sim"
	"netsim/topology"
)

// Exchange is one request and what came of it: what a client learns from it.
type Exchange struct {
	Req  *Request
	Resp *Response // nil when Err is set
	// Err says why no response came: the dial failed (refused, timed out), the
	// connection was reset or closed before the answer, or the response timeout
	// expired.
	Err error
	// Sent is when Do was called; FirstByte when the response's first bits arrived;
	// Done when the whole response had arrived (or the exchange failed). Done −
	// FirstByte is the response's time on the network once under way.
	Sent, FirstByte, Done sim.Time
	// ReqBytes is the request's wire size, counted each time it was sent (twice
	// after a retry); RespBytes the response's.
	ReqBytes, RespBytes int64
	// NewConn reports that the exchange opened the connection it went on: it paid a
	// handshake.
	NewConn bool
	// Retried reports that the request was sent again on a fresh connection after
	// the one it was on closed or reset before any of the answer came (RFC 7230
	// §6.3.1).
	Retried bool
}

// ClientConfig is a Client's settings.
type ClientConfig struct {
	TCP topology.TCPOptions
	// NonPersistent sends every request with Connection: close on a connection of its
	// own (HTTP/1.0's way); by default connections are kept open and reused (RFC 7230
	// §6.3).
	NonPersistent bool
	// Pipelining keeps one connection per server and sends each request on it at
	// once, behind the requests whose responses are still due (RFC 7230 §6.3.2). By
	// default a connection carries one request at a time, and a request that finds
	// no idle connection opens a new one.
	Pipelining bool
	// ResponseTimeout gives up on an exchange whose response has not begun within
	// this long of the request's last bit leaving, or has stopped arriving for this
	// long (0: DefaultResponseTimeout; negative: never).
	ResponseTimeout sim.Time
	// UserAgent is sent with every request that has none; "" for DefaultUserAgent.
	UserAgent string
}

// Errors of an Exchange.
var (
	ErrResponseTimeout = errors.New("no response within the response timeout")
	ErrConnClosed      = errors.New("connection closed before the response")
	ErrNotHTTP         = errors.New("answer is not an HTTP response")
)

// Client is an HTTP/1.1 client at the level of single exchanges: Do sends one request
// to a server and calls back once with its response. Requests to one server take an
// idle persistent connection to it, or open a new one (paying the handshake's RTT),
// or, pipelining, queue on the server's one connection. It is what the Browser loads
// pages with, and what the proxy cache, the BitTorrent tracker's announces and web
// mail use.
type Client struct {
	h     topology.Host
	cfg   ClientConfig
	idle  map[topology.Addr][]*clientConn
	pipes map[topology.Addr]*clientConn // with Pipelining: each server's connection
}

// NewClient returns a client on h.
func NewClient(h topology.Host, cfg ClientConfig) *Client {
	if cfg.ResponseTimeout == 0 {
		cfg.ResponseTimeout = DefaultResponseTimeout
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = DefaultUserAgent
	}
	return &Client{h: h, cfg: cfg, idle: map[topology.Addr][]*clientConn{}, pipes: map[topology.Addr]*clientConn{}}
}

// call is an exchange under way.
type call struct {
	x        Exchange
	arriving func(*topology.Arrival)
	done     func(Exchange)
}

// clientConn is one of the client's connections.
type clientConn struct {
	cl       *Client
	to       topology.Addr
	tc       topology.Conn // nil while dialling
	calls    []*call       // sent (or waiting for the dial), answered in order
	dead     bool
	timer    sim.EventID
	arriving *topology.Arrival // the response now arriving, for calls[0]
}

// Idle returns how many idle connections the client keeps to `to`.
func (cl *Client) Idle(to topology.Addr) int { return len(cl.idle[to]) }

// Do sends req to the server at `to` and calls done once with the exchange. It
// fills in the User-Agent if req has none and, for a non-persistent client, asks the
// server to close the connection after its answer.
func (cl *Client) Do(to topology.Addr, req *Request, done func(Exchange)) {
	cl.Stream(to, req, nil, done)
}

// Stream is Do that also calls arriving when the response's first bits are here: the
// Arrival carries the response's header (Payload) and is what a proxy relays the
// response from as it comes (topology.RelayConn.Forward). A request whose response
// has begun is never sent again.
func (cl *Client) Stream(to topology.Addr, req *Request, arriving func(*topology.Arrival), done func(Exchange)) {
	if req.UserAgent == "" {
		req.UserAgent = cl.cfg.UserAgent
	}
	if cl.cfg.NonPersistent {
		req.Connection = "close"
	}
	cl.start(to, &call{x: Exchange{Req: req, Sent: cl.h.Now()}, arriving: arriving, done: done}, false)
}

// start puts c on a connection to `to`: the server's pipelined one, an idle one
// (unless fresh), or a new one.
func (cl *Client) start(to topology.Addr, c *call, fresh bool) {
	pipe := cl.cfg.Pipelining && !cl.cfg.NonPersistent
	if cc := cl.pipes[to]; pipe && cc != nil {
		cc.add(c)
		return
	}
	if list := cl.idle[to]; len(list) > 0 && !fresh && !pipe {
		cc := list[len(list)-1]
		list[len(list)-1] = nil
		cl.idle[to] = list[:len(list)-1]
		cc.add(c)
		return
	}
	cc := &clientConn{cl: cl, to: to, calls: []*call{c}}
	if pipe {
		cl.pipes[to] = cc
	}
	cl.h.Dial(to, cl.cfg.TCP, func(tc topology.Conn, err error) {
		if err != nil {
			cc.retire()
			cc.fail(err)
			return
		}
		cc.tc = tc
		tc.SetHandler(&topology.ConnHandler{
			OnMessage:  cc.onMessage,
			OnArriving: func(_ topology.Conn, a *topology.Arrival) { cc.onArriving(a) },
			OnSent:     func(topology.Conn, topology.SendID) { cc.arm() },
			OnClose:    func(topology.Conn) { cc.lost(ErrConnClosed) },
			OnReset:    func(_ topology.Conn, err error) { cc.lost(err) },
		})
		c.x.NewConn = true
		for _, c := range cc.calls {
			if !cc.send(c) {
				return
			}
		}
	})
}

// add sends c on the connection (or queues it for the dial under way).
func (cc *clientConn) add(c *call) {
	cc.calls = append(cc.calls, c)
	if cc.tc != nil {
		cc.send(c)
	}
}

// send puts c's request on the wire; false if the connection turned out dead.
func (cc *clientConn) send(c *call) bool {
	m := MessageOfRequest(c.x.Req)
	c.x.ReqBytes += m.SizeBytes
	if _, err := cc.tc.Send(m); err != nil {
		cc.lost(err)
		return false
	}
	return true
}

// arm (re)starts the response timeout, while responses are due. It runs from when a
// request's last bit has left, and again from each sign of the response.
func (cc *clientConn) arm() {
	cc.disarm()
	if t := cc.cl.cfg.ResponseTimeout; t > 0 && len(cc.calls) > 0 && !cc.dead {
		cc.timer = cc.cl.h.After(t, cc.timedOut)
	}
}

func (cc *clientConn) disarm() {
	if cc.timer != 0 {
		cc.cl.h.Cancel(cc.timer)
		cc.timer = 0
	}
}

func (cc *clientConn) onArriving(a *topology.Arrival) {
	if len(cc.calls) == 0 {
		return
	}
	c := cc.calls[0]
	if c.x.FirstByte == 0 {
		c.x.FirstByte = cc.cl.h.Now()
		if c.arriving != nil {
			c.arriving(a)
		}
	}
	cc.arriving = a
	cc.arm()
}

// timedOut: no response has begun, or the one arriving has stopped, for the whole
// timeout; one still arriving (a big body on a slow link) is waited for.
func (cc *clientConn) timedOut() {
	cc.timer = 0
	if a := cc.arriving; a != nil && !a.Received() && !a.Stalled() {
		cc.arm()
		return
	}
	cc.tc.Abort()
	cc.retire()
	cc.fail(fmt.Errorf("%w (%v)", ErrResponseTimeout, cc.cl.cfg.ResponseTimeout))
}

func (cc *clientConn) onMessage(_ topology.Conn, m topology.Message) {
	if len(cc.calls) == 0 {
		// Nothing was asked: a real client gives up on the connection.
		cc.tc.Abort()
		cc.retire()
		return
	}
	c := cc.calls[0]
	cc.calls[0] = nil
	cc.calls = cc.calls[1:]
	cc.arriving = nil
	cc.arm()
	x := &c.x
	x.Done = cc.cl.h.Now()
	if x.FirstByte == 0 {
		x.FirstByte = x.Done
	}
	x.RespBytes = m.SizeBytes
	resp, ok := m.Payload.(*Response)
	switch {
	case !ok || resp == nil:
		x.Err = ErrNotHTTP
		cc.tc.Abort()
		cc.retire()
		cc.fail(ErrNotHTTP)
	case cc.cl.cfg.NonPersistent || strings.EqualFold(resp.Connection, "close"):
		x.Resp = resp
		cc.tc.Close()
		cc.lost(ErrConnClosed) // what was pipelined behind it goes again
	default:
		x.Resp = resp
		if len(cc.calls) == 0 && cc.cl.pipes[cc.to] != cc {
			cc.cl.idle[cc.to] = append(cc.cl.idle[cc.to], cc)
		}
	}
	c.done(*x)
}

// lost: the connection closed or reset under the client. It leaves the pool, and
// every request on it whose answer had not begun is sent again, once, on a fresh
// connection: the server may have closed an idle connection just as it went out, or
// closed after an earlier answer (RFC 7230 §6.3.1, §6.3.2, for idempotent methods).
// The others fail.
func (cc *clientConn) lost(err error) {
	if cc.dead {
		return
	}
	if cc.tc != nil {
		cc.tc.Close()
	}
	cc.retire()
	calls := cc.calls
	cc.calls = nil
	for _, c := range calls {
		if c.x.FirstByte == 0 && !c.x.Retried && idempotent(c.x.Req.Method) {
			c.x.Retried = true
			c.x.NewConn = false
			cc.cl.start(cc.to, c, true)
			continue
		}
		cc.end(c, err)
	}
}

// fail ends every exchange on the connection with err.
func (cc *clientConn) fail(err error) {
	calls := cc.calls
	cc.calls = nil
	for _, c := range calls {
		cc.end(c, err)
	}
}

func (cc *clientConn) end(c *call, err error) {
	c.x.Err = err
	c.x.Done = cc.cl.h.Now()
	c.done(c.x)
}

// retire takes the connection out of use: out of the pool, and no longer the
// server's pipelined one.
func (cc *clientConn) retire() {
	cc.disarm()
	cc.dead = true
	cc.arriving = nil
	cl := cc.cl
	if cl.pipes[cc.to] == cc {
		delete(cl.pipes, cc.to)
	}
	list := cl.idle[cc.to]
	for i, o := range list {
		if o == cc {
			list[i] = list[len(list)-1]
			list[len(list)-1] = nil
			cl.idle[cc.to] = list[:len(list)-1]
			break
		}
	}
	if len(cl.idle[cc.to]) == 0 {
		delete(cl.idle, cc.to)
	}
}

// idempotent reports the methods a client may send again (RFC 7231 §4.2.2).
func idempotent(method string) bool {
	switch method {
	case MethodGet, MethodHead, MethodPut, MethodDelete:
		return true
	}
	return false
}
