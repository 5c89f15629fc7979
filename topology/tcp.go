package topology

import (
	"errors"
	"fmt"

	"netsim/sim"
)

// TCPOptions shape a connection's rate beyond the max-min share: both are off by
// default, giving the fluid model in which the textbook's bounds are proven.
type TCPOptions struct {
	// WindowBytes caps the rate at WindowBytes*8/RTT: a sender cannot have more than a
	// window in flight per round trip. 0: no cap.
	WindowBytes int64
	// SlowStart starts the congestion window at InitialWindowBytes and doubles it every
	// RTT while data is queued (RFC 5681 §3.1; no losses are modelled, so it grows until
	// WindowBytes). The rate is capped at cwnd*8/RTT.
	SlowStart bool
	// InitialWindowBytes is the first window with SlowStart; 0 means 10 segments of
	// 1460 bytes (RFC 6928).
	InitialWindowBytes int64
}

// DefaultInitialWindowBytes is RFC 6928's initial window of ten 1460-byte segments.
const DefaultInitialWindowBytes = 10 * 1460

// ConnHandler is what a model does with a connection's events.
type ConnHandler struct {
	// OnMessage is called when a whole message has arrived, in the order sent.
	OnMessage func(c Conn, m Message)
	// OnArriving, if set, is called when the first bits of a message arrive: the
	// receiver has its header, and may relay it with Forward as it arrives.
	OnArriving func(c Conn, a *Arrival)
	// OnClose is called when the peer has closed and all its messages have arrived.
	OnClose func(c Conn)
}

// Arrival is a message still arriving on a connection.
type Arrival struct {
	Message
	flow     *Flow
	received bool     // the whole message is here
	waiting  []func() // forwards whose last bits wait for it
}

// whenReceived runs fn once the whole message has arrived.
func (a *Arrival) whenReceived(fn func()) {
	if a.received {
		fn()
		return
	}
	a.waiting = append(a.waiting, fn)
}

func (a *Arrival) receive() {
	a.received = true
	for _, fn := range a.waiting {
		fn()
	}
	a.waiting = nil
}

// Conn is one end of a TCP connection: messages arrive whole and in order, and the
// connection ends when both ends have called Close.
type Conn interface {
	Local() Addr
	Remote() Addr
	// RTT is the connection's round-trip time, measured by the handshake.
	RTT() sim.Time
	SetHandler(h ConnHandler)
	// Send queues m behind the messages already sent on this connection.
	Send(m Message)
	// Forward sends m like Send, but no faster than `from` arrives: a relay cannot
	// send bits it does not have yet. Once `from` has fully left its sender, the
	// relay keeps its last rate (it forwards the same stream, one lag later), and
	// it never finishes before `from` has arrived whole.
	Forward(m Message, from *Arrival)
	// SetPacingRate caps the rate at which this end sends, in bit/s (0: no cap), from
	// now on, the message being sent included: an application's rate limit, like
	// Linux's SO_MAX_PACING_RATE socket option.
	SetPacingRate(bps float64)
	// Close sends a FIN after the queued messages. Sending after Close is a bug.
	Close()
}

// ErrRefused is returned by Dial when nothing listens on the remote port (RST).
var ErrRefused = errors.New("connection refused")

// tcpConn is one end of a simulated connection. The two ends share nothing a model
// can see: each delivers to the other only through events that carry messages.
type tcpConn struct {
	h       *host
	local   Addr
	remote  Addr
	peer    *tcpConn // the other end, for delivery by the socket layer
	route   Route    // local → remote
	rtt     sim.Time
	opts    TCPOptions
	handler ConnHandler
	queue   []outgoing
	sending *Flow // the flow carrying queue[0], nil when idle
	closing bool  // Close called: FIN after the queue
	finSent bool
	cwndB   float64     // congestion window in bytes, with SlowStart
	growth  sim.EventID // the next doubling of cwnd
	pacing  float64     // SetPacingRate's cap in bit/s, 0 for none
}

type outgoing struct {
	m    Message
	from *Arrival
}

func (c *tcpConn) Local() Addr              { return c.local }
func (c *tcpConn) Remote() Addr             { return c.remote }
func (c *tcpConn) RTT() sim.Time            { return c.rtt }
func (c *tcpConn) SetHandler(h ConnHandler) { c.handler = h }

func (h *host) Dial(to Addr, opts TCPOptions, done func(Conn, error)) {
	s := h.s
	fwd, err := s.net.Route(h.id, to.Node)
	if err != nil {
		h.s.k.After(0, func() { done(nil, fmt.Errorf("%s: dial %s: %w", h.Name(), s.addrString(to), err)) })
		return
	}
	rev, err := s.net.Route(to.Node, h.id)
	if err != nil {
		h.s.k.After(0, func() { done(nil, fmt.Errorf("%s: dial %s: %w", h.Name(), s.addrString(to), err)) })
		return
	}
	rtt := fwd.Delay + rev.Delay
	local := Addr{h.id, h.ephemeralPort()}
	// The SYN reaches the server after the forward delay; the server answers with a
	// SYN-ACK (or an RST) that takes the reverse delay. Control segments are tens of
	// bytes and are charged propagation only.
	s.k.After(fwd.Delay, func() {
		srv := s.host(to.Node)
		accept, ok := srv.listeners[to.Port]
		if !ok {
			s.k.After(rev.Delay, func() {
				done(nil, fmt.Errorf("%s: dial %s: %w", h.Name(), s.addrString(to), ErrRefused))
			})
			return
		}
		cli := &tcpConn{h: h, local: local, remote: to, route: fwd, rtt: rtt, opts: opts}
		sc := &tcpConn{h: srv, local: to, remote: local, route: rev, rtt: rtt, opts: opts}
		cli.peer, sc.peer = sc, cli
		cli.initWindow()
		sc.initWindow()
		s.k.After(rev.Delay, func() {
			h.stats.ConnsOpened++
			done(cli, nil)
		})
		// The server's end is usable when the client's ACK arrives, which is also when
		// a request sent on that ACK starts to arrive.
		s.k.After(rev.Delay+fwd.Delay, func() {
			srv.stats.ConnsAccepted++
			accept(sc)
		})
	})
}

func (c *tcpConn) initWindow() {
	if c.opts.SlowStart {
		c.cwndB = float64(c.opts.InitialWindowBytes)
		if c.cwndB <= 0 {
			c.cwndB = DefaultInitialWindowBytes
		}
		if w := float64(c.opts.WindowBytes); w > 0 && c.cwndB > w {
			c.cwndB = w
		}
	}
}

// capBps is the rate the window and the pacing rate allow now; 0 for none.
func (c *tcpConn) capBps() float64 {
	limit := c.pacing
	w := float64(c.opts.WindowBytes)
	if c.opts.SlowStart && (w == 0 || c.cwndB < w) {
		w = c.cwndB
	}
	if w > 0 && c.rtt > 0 {
		if byWindow := w * 8 / c.rtt.Seconds(); limit == 0 || byWindow < limit {
			limit = byWindow
		}
	}
	return limit
}

func (c *tcpConn) SetPacingRate(bps float64) {
	if bps < 0 || bps != bps {
		panic(fmt.Sprintf("%s: pacing rate %v", c.h.Name(), bps))
	}
	c.pacing = bps
	if c.sending != nil {
		c.h.s.net.SetCap(c.sending, c.capBps())
	}
}

func (c *tcpConn) Send(m Message) { c.Forward(m, nil) }

func (c *tcpConn) Forward(m Message, from *Arrival) {
	if c.closing {
		panic(fmt.Sprintf("%s: send on closed connection to %s", c.h.Name(), c.h.s.addrString(c.remote)))
	}
	if m.SizeBytes < 0 {
		panic(fmt.Sprintf("%s: message of negative size %d", c.h.Name(), m.SizeBytes))
	}
	c.queue = append(c.queue, outgoing{m, from})
	if c.sending == nil {
		c.startNext()
	}
}

// startNext puts the head of the queue on the wire as one flow: messages on a
// connection are sent back to back, so they arrive in order.
func (c *tcpConn) startNext() {
	if len(c.queue) == 0 {
		c.sending = nil
		c.stopGrowth()
		if c.closing && !c.finSent {
			c.sendFIN()
		}
		return
	}
	out := c.queue[0]
	s := c.h.s
	opts := FlowOptions{CapBps: c.capBps()}
	if out.from != nil {
		opts.Feeder = out.from.flow
	}
	c.h.stats.BytesSent += out.m.SizeBytes
	c.h.stats.MessagesSent++
	peer, delay := c.peer, c.route.Delay
	arr := &Arrival{Message: out.m}
	f := s.net.StartFlow(c.route, out.m.SizeBytes, opts, func(*Flow) {
		sent := func() {
			c.queue = c.queue[1:]
			s.k.After(delay, func() {
				arr.receive()
				peer.deliver(out.m)
			})
			c.startNext()
		}
		if out.from != nil {
			// The feeder's rate bounded this flow, but its last bits reach this host a
			// propagation delay after they left: a relay cannot finish before them.
			out.from.whenReceived(sent)
			return
		}
		sent()
	})
	arr.flow = f
	c.sending = f
	// The peer may install its handler only when it accepts, after this flow began,
	// so whether it wants arrivals is asked when the first bits get there.
	s.k.After(delay, func() {
		if peer.handler.OnArriving != nil {
			peer.handler.OnArriving(peer, arr)
		}
	})
	if c.opts.SlowStart && c.growth == 0 && c.rtt > 0 {
		c.growth = s.k.After(c.rtt, c.grow)
	}
}

// grow doubles the congestion window, one RTT after the last doubling (slow start).
func (c *tcpConn) grow() {
	c.growth = 0
	if c.sending == nil {
		return
	}
	c.cwndB *= 2
	if w := float64(c.opts.WindowBytes); w > 0 && c.cwndB >= w {
		c.cwndB = w
	}
	c.h.s.net.SetCap(c.sending, c.capBps())
	if w := float64(c.opts.WindowBytes); w == 0 || c.cwndB < w {
		c.growth = c.h.s.k.After(c.rtt, c.grow)
	}
}

func (c *tcpConn) stopGrowth() {
	if c.growth != 0 {
		c.h.s.k.Cancel(c.growth)
		c.growth = 0
	}
}

func (c *tcpConn) deliver(m Message) {
	c.h.stats.BytesReceived += m.SizeBytes
	if c.handler.OnMessage != nil {
		c.handler.OnMessage(c, m)
	}
}

func (c *tcpConn) Close() {
	if c.closing {
		return
	}
	c.closing = true
	if c.sending == nil {
		c.sendFIN()
	}
}

// sendFIN tells the peer, after the last message's delivery, that no more will come.
func (c *tcpConn) sendFIN() {
	c.finSent = true
	peer := c.peer
	c.h.s.k.After(c.route.Delay, func() {
		if peer.handler.OnClose != nil {
			peer.handler.OnClose(peer)
		}
	})
}
