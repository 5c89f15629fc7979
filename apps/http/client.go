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
	// ReqBytes and RespBytes are the wire sizes of the request and the response.
	ReqBytes, RespBytes int64
	// NewConn reports that the exchange opened a connection (it paid a handshake).
	NewConn bool
	// Retried reports that the request was sent again on a fresh connection after
	// the reused one closed or reset under it (RFC 7230 §6.3.1).
	Retried bool
}

// ClientConfig is a Client's settings.
type ClientConfig struct {
	TCP topology.TCPOptions
	// NonPersistent sends every request with Connection: close on a connection of its
	// own (HTTP/1.0's way); by default connections are kept open and reused (RFC 7230
	// §6.3).
	NonPersistent bool
	// ResponseTimeout gives up on an exchange whose response has not begun, or has
	// stopped arriving, for this long (0: DefaultResponseTimeout; negative: never).
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
// idle persistent connection to it, or open a new one (paying the handshake's RTT);
// one request is outstanding per connection (no pipelining). It is what the proxy
// cache, the BitTorrent tracker's announces and web mail use; the page-loading
// Browser, with its parallel and pipelined modes, is built for whole pages.
type Client struct {
	h    topology.Host
	cfg  ClientConfig
	idle map[topology.Addr][]*clientConn
}

// NewClient returns a client on h.
func NewClient(h topology.Host, cfg ClientConfig) *Client {
	if cfg.ResponseTimeout == 0 {
		cfg.ResponseTimeout = DefaultResponseTimeout
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = DefaultUserAgent
	}
	return &Client{h: h, cfg: cfg, idle: map[topology.Addr][]*clientConn{}}
}

// clientConn is one of the client's connections.
type clientConn struct {
	cl       *Client
	to       topology.Addr
	tc       topology.Conn
	x        *Exchange // the exchange under way, nil while idle
	done     func(Exchange)
	reused   bool // the exchange under way is not the connection's first
	dead     bool
	timer    sim.EventID
	arriving *topology.Arrival
}

// Idle returns how many idle connections the client keeps to `to`.
func (cl *Client) Idle(to topology.Addr) int { return len(cl.idle[to]) }

// Do sends req to the server at `to` and calls done once with the exchange. It
// fills in the User-Agent if req has none and, for a non-persistent client, asks the
// server to close the connection after its answer.
func (cl *Client) Do(to topology.Addr, req *Request, done func(Exchange)) {
	if req.UserAgent == "" {
		req.UserAgent = cl.cfg.UserAgent
	}
	if cl.cfg.NonPersistent {
		req.Connection = "close"
	}
	x := &Exchange{Req: req, Sent: cl.h.Now()}
	cl.start(to, x, done)
}

// start puts the exchange on an idle connection to `to` if there is one, or on a
// new one.
func (cl *Client) start(to topology.Addr, x *Exchange, done func(Exchange)) {
	if list := cl.idle[to]; len(list) > 0 {
		cc := list[len(list)-1]
		list[len(list)-1] = nil
		cl.idle[to] = list[:len(list)-1]
		cc.reused = true
		cc.send(x, done)
		return
	}
	x.NewConn = true
	cl.h.Dial(to, cl.cfg.TCP, func(tc topology.Conn, err error) {
		if err != nil {
			x.Err = err
			x.Done = cl.h.Now()
			done(*x)
			return
		}
		cc := &clientConn{cl: cl, to: to, tc: tc}
		tc.SetHandler(&topology.ConnHandler{
			OnMessage:  cc.onMessage,
			OnArriving: func(_ topology.Conn, a *topology.Arrival) { cc.onArriving(a) },
			OnClose:    func(topology.Conn) { cc.lost(ErrConnClosed) },
			OnReset:    func(_ topology.Conn, err error) { cc.lost(err) },
		})
		cc.send(x, done)
	})
}

func (cc *clientConn) send(x *Exchange, done func(Exchange)) {
	m := MessageOfRequest(x.Req)
	x.ReqBytes = m.SizeBytes
	cc.x, cc.done = x, done
	if _, err := cc.tc.Send(m); err != nil {
		cc.lost(err)
		return
	}
	cc.arm()
}

// arm (re)starts the response timeout.
func (cc *clientConn) arm() {
	if cc.timer != 0 {
		cc.cl.h.Cancel(cc.timer)
		cc.timer = 0
	}
	if t := cc.cl.cfg.ResponseTimeout; t > 0 {
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
	if cc.x == nil {
		return
	}
	if cc.x.FirstByte == 0 {
		cc.x.FirstByte = cc.cl.h.Now()
	}
	cc.arriving = a
	cc.arm()
}

// timedOut: no response has begun, or the one arriving has stopped, for the whole
// timeout; one still arriving (a big body on a slow link) is waited for.
func (cc *clientConn) timedOut() {
	cc.timer = 0
	if cc.x == nil {
		return
	}
	if a := cc.arriving; a != nil && !a.Received() && !a.Stalled() {
		cc.arm()
		return
	}
	cc.tc.Abort()
	cc.fail(fmt.Errorf("%w (%v)", ErrResponseTimeout, cc.cl.cfg.ResponseTimeout))
}

func (cc *clientConn) onMessage(_ topology.Conn, m topology.Message) {
	x := cc.x
	if x == nil {
		// Nothing was asked: a real client gives up on the connection.
		cc.tc.Abort()
		cc.drop()
		return
	}
	cc.disarm()
	cc.x, cc.arriving = nil, nil
	done := cc.done
	cc.done = nil
	x.Done = cc.cl.h.Now()
	if x.FirstByte == 0 {
		x.FirstByte = x.Done
	}
	x.RespBytes = m.SizeBytes
	resp, ok := m.Payload.(*Response)
	if !ok || resp == nil {
		x.Err = ErrNotHTTP
		cc.tc.Abort()
		cc.drop()
		done(*x)
		return
	}
	x.Resp = resp
	if cc.cl.cfg.NonPersistent || strings.EqualFold(resp.Connection, "close") {
		cc.tc.Close()
		cc.drop()
	} else {
		cc.cl.idle[cc.to] = append(cc.cl.idle[cc.to], cc)
	}
	done(*x)
}

// lost: the connection closed or reset under the client. An idle one leaves the
// pool. An exchange on a reused connection is sent again, once, on a fresh one: the
// server may have closed an idle connection just as the request went out (RFC 7230
// §6.3.1, for idempotent methods); otherwise it fails.
func (cc *clientConn) lost(err error) {
	if cc.dead {
		return
	}
	cc.tc.Close()
	x, done := cc.x, cc.done
	cc.drop()
	if x == nil {
		return
	}
	if cc.reused && !x.Retried && idempotent(x.Req.Method) {
		x.Retried = true
		x.NewConn = false
		x.FirstByte = 0
		cc.cl.start(cc.to, x, done)
		return
	}
	x.Err = err
	x.Done = cc.cl.h.Now()
	done(*x)
}

// fail ends the exchange under way with err and drops the connection.
func (cc *clientConn) fail(err error) {
	x, done := cc.x, cc.done
	cc.drop()
	if x != nil {
		x.Err = err
		x.Done = cc.cl.h.Now()
		done(*x)
	}
}

// drop takes the connection out of use and out of the pool.
func (cc *clientConn) drop() {
	cc.disarm()
	cc.dead = true
	cc.x, cc.done, cc.arriving = nil, nil, nil
	list := cc.cl.idle[cc.to]
	for i, o := range list {
		if o == cc {
			list[i] = list[len(list)-1]
			list[len(list)-1] = nil
			cc.cl.idle[cc.to] = list[:len(list)-1]
			break
		}
	}
	if len(cc.cl.idle[cc.to]) == 0 {
		delete(cc.cl.idle, cc.to)
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
