package topology

import (
	"fmt"

	"netsim/sim"
)

// ConnHandler is what a model does with a connection's events. A model usually
// shares one handler among many connections; SetHandler takes a pointer to it.
type ConnHandler struct {
	// Receiver, if not nil, is given the messages in OnMessage's place. A model that
	// keeps a record per connection makes the record its Receiver: each message is
	// then a method call on it, where a closure bound to it is one more object to load
	// from memory, which in a swarm, whose landings are most of its events, is a
	// cache miss an event.
	Receiver Receiver
	// OnMessage is called when a whole message has arrived, in the order sent.
	OnMessage func(c Conn, m Message)
	// OnArriving, if set, is called when the first bits of a message arrive: the
	// receiver has its header, and may relay it with Forward as it arrives.
	OnArriving func(c Conn, a *Arrival)
	// OnSent is called when the last bit of a message this end sent has left the
	// host: the moment to queue the next one when keeping a pipe just full. It is
	// read as the message begins to leave: a small message sent while it is nil may
	// go unreported (direct segments, tcpdirect.go).
	OnSent func(c Conn, id SendID)
	// OnClose is called when the peer has closed (its FIN) and all its messages have
	// arrived. This end may still send; it should Close too.
	OnClose func(c Conn)
	// OnReset is called when the connection has died under this end: err is
	// ErrReset when the peer reset it, ErrTimeout when data (or a probe of a peer
	// that has vanished) went unacknowledged through every retransmission
	// (Stack.TCP.DataRetries). The end is closed; nothing more comes.
	OnReset func(c Conn, err error)
}

// Receiver takes the messages that arrive on a connection (ConnHandler.Receiver).
type Receiver interface {
	// Receive is a whole message m arriving on c, in the order sent.
	Receive(c Conn, m Message)
}

// SendID names a message queued on one connection end, in the order sent (from 1).
type SendID uint32

// Conn is one end of a TCP connection: messages arrive whole and in order, and the
// connection ends when both ends have closed (a FIN each way) or one resets it. It
// is small so that a test can fake it; relaying is RelayConn's.
type Conn interface {
	Local() Addr
	Remote() Addr
	// RTT is the round-trip propagation delay between the ends, as the handshake
	// found it.
	RTT() sim.Time
	// SetHandler sets the end's handler (nil for none).
	SetHandler(h *ConnHandler)
	// Send queues m behind the messages already queued. It fails with ErrClosed
	// after Close or Abort, with the error that ended the connection after a reset
	// or timeout, and with ErrBadMessage for a negative size.
	Send(m Message) (SendID, error)
	// Unsend removes a queued message that has not started to leave (BitTorrent's
	// cancel, a choke); false if it has started, been sent, or is unknown.
	Unsend(id SendID) bool
	// Queued returns the messages not yet wholly sent and their bytes still to go.
	Queued() (messages int, bytes int64)
	// Close sends a FIN after the queued messages: the orderly end of this
	// direction. Closing twice does nothing; closing a dead connection returns its
	// error.
	Close() error
	// Abort resets the connection: queued and in-flight messages are dropped (their
	// flows aborted, freeing their bandwidth at once) and the peer hears OnReset
	// (ErrReset) when the RST arrives.
	Abort() error
}

// RelayConn is a connection that can relay a message as it arrives, and pace itself:
// what the simulated stack's connections offer beyond Conn.
type RelayConn interface {
	Conn
	// Forward sends m like Send, but no faster than `from` arrives: a relay cannot
	// send bits it does not have yet. Once `from` has fully left its sender, the
	// relay keeps its last rate (it forwards the same stream, one lag later), and it
	// never finishes before `from` has arrived whole. If `from` is lost (its sender
	// crashed or reset), the relayed message stalls: it never completes, and the
	// model must give up on it (Abort).
	Forward(m Message, from *Arrival) (SendID, error)
	// SetPacingRate caps the rate at which this end sends, in bit/s (0: no cap), from
	// now on, the message being sent included: an application's rate limit, like
	// Linux's SO_MAX_PACING_RATE socket option.
	SetPacingRate(bps float64) error
}

type endState uint8

const (
	endSynSent endState = iota // a dial under way (no Conn for the model yet)
	endSynRcvd                 // a SYN answered, waiting for the ACK (not accepted yet)
	endOpen                    // established: the model has it
	endDead                    // released: closed both ways, aborted, reset, timed out or crashed
)

// Why an end is dead, as the error its calls return.
const (
	deadNot uint8 = iota
	deadClosed
	deadReset
	deadTimeout
	deadHostDown
)

// tcpConn is one connection: its two ends, which share nothing a model can see
// (each delivers to the other only through events that carry segments), and the
// handshake's state while it lasts.
type tcpConn struct {
	ends [2]connEnd // 0: the dialling end, 1: the accepting end
	// fly0 and fly1 hold, for each end, the segments it has sent that are still
	// propagating to the other, in the order they land: one event a segment, with no
	// callback made for it (connEnd.landInbound). Here rather than in the end, which a
	// SYN sent again may reinitialise while its segments are on their way. Each has a
	// cache line of its own, with rtt or hs: the connection is 512 bytes, the ends
	// three lines each (TestMemoryLayout).
	fly0 flight
	rtt  sim.Time
	fly1 flight
	hs   *handshake
}

// landing is a segment on its way: when it lands, and what it carries (the message
// and its Arrival, for data): what the peer's land reads, no more.
type landing struct {
	at   sim.Time
	m    Message
	arr  *Arrival
	kind segKind
	full bool // in flight.first: it holds a segment
}

// flight is the queue of an end's segments in propagation. The oldest is held in the
// connection itself, since a stream mostly has one segment on its way (a have, a
// request, a block); the rest of a burst waits in more, made at the first burst.
// Landing reads a line of the connection rather than an array elsewhere in memory,
// and a lone segment allocates nothing.
type flight struct {
	first landing
	more  *fifo[landing]
}

func (q *flight) len() int {
	n := 0
	if q.first.full {
		n = 1
	}
	if q.more != nil {
		n += q.more.len()
	}
	return n
}

// last returns the newest segment; the queue must not be empty.
func (q *flight) last() *landing {
	if q.more != nil && q.more.len() > 0 {
		return q.more.last()
	}
	return &q.first
}

// push adds the newest segment. first is the oldest when full: it is filled only when
// the queue is empty.
func (q *flight) push(v landing) {
	if !q.first.full && (q.more == nil || q.more.len() == 0) {
		q.first = v
		q.first.full = true
		return
	}
	if q.more == nil {
		q.more = &fifo[landing]{}
	}
	q.more.push(v)
}

// pop removes and returns the oldest segment; the queue must not be empty.
func (q *flight) pop() landing {
	if q.first.full {
		v := q.first
		q.first = landing{}
		return v
	}
	return q.more.pop()
}

// popLast removes and returns the newest segment; the queue must not be empty.
func (q *flight) popLast() landing {
	if q.more != nil && q.more.len() > 0 {
		return q.more.popLast()
	}
	v := q.first
	q.first = landing{}
	return v
}

// handshake is a dial in progress: RFC 793's three-way handshake, with the SYN sent
// again on RFC 6298's backoff while it goes unanswered.
type handshake struct {
	to    Addr
	opts  TCPOptions
	done  func(Conn, error)
	lst   *listener   // the listener that answered, until the server end is accepted
	timer sim.EventID // the SYN's retransmission timer
	tries int         // SYNs sent again
	rto   sim.Time
	// live: the last SYN, or the answer to it, is still on its way. Only a lost SYN
	// is sent again: a fluid model has no spurious retransmissions.
	live bool
}

// connEnd is one end of a connection: 192 bytes, three cache lines of a tcpConn
// (TestMemoryLayout). The first line is what the peer reads of it, and what it reads
// when a segment lands on it (land): its connection, host, handler and state, with the
// flags and counters of the sender's checks; the second, its queue and route; the
// third, what sending and the rarer events use.
type connEnd struct {
	c       *tcpConn
	h       *host
	handler *ConnHandler
	sending *Flow   // the flow carrying the segment on the wire, of kind onWire
	pkt     *packet // the segment on the wire if it is a packet (TCPParams.PacketBytes)
	idx     int32   // in h.t.conns
	lastID  SendID
	port    uint16
	tries   uint16 // retransmissions since the loss, while rtx
	state   endState
	dead    uint8 // why, once state is endDead
	onWire  segKind
	closing bool // Close called: a FIN follows the queued messages
	finSent bool
	finRcvd bool
	ackDue  bool // the dialling end's first segment carries the handshake's ACK
	bareACK bool // nothing went with the ACK: a bare one goes first
	// resending: the control segment on the wire is sent again (a link failed).
	resending bool
	waiting   bool // queue[0] has left but waits for its source to arrive whole
	stalled   bool // queue[0] relays a message that was lost: it never completes
	rtx       bool // what it sent is unacknowledged (a failed link, a vanished peer)

	queue []outgoing // the messages not wholly sent; queue[0] goes first
	// route is the route to the peer as Network.Route gave it when the network's
	// routes were at generation routeGen+1 (0: none taken yet); taken again when
	// they have changed (a link added, failed or restored). Its Delay is the one-way
	// delay of the segment on the wire: the route is not taken again while one is.
	route    Route
	routeGen uint64

	routeBps float64 // the route's bottleneck capacity, a packet's rate (packet.go)
	// spare is the flow that has just carried the last segment while its onDone runs
	// (Network.drain): startNext gives it the next segment rather than start a flow.
	spare   *Flow
	flowEnd func(*Flow) // e.flowDone, made once
	landFn  func()      // the peer's landInbound, made once
	shape   *shaping
	// lastArrival is when the last bits sent so far reach the peer: data still in
	// propagation is lost if the peer crashes before then.
	lastArrival sim.Time
	left        int64 // bytes of queue[0] still to send after a failed link, 0 if none
	// timer is the retransmission timer while rtx, else the FIN timeout once this
	// end's FIN has left.
	timer sim.EventID
}

// outgoing is a queued message. The stream's control segments (the handshake's bare
// ACK, the FIN) are not queued: they are its first and last, and flags say when.
type outgoing struct {
	m       Message
	from    *Arrival // Forward's source
	arr     *Arrival // this message arriving at the peer, once it has started
	id      SendID
	started bool
}

// segKind is what a stream segment on the wire carries.
type segKind uint8

const (
	segData segKind = iota
	segACK
	segFIN
)

// dialling reports whether e is the connection's dialling end (ends[0]).
func (e *connEnd) dialling() bool { return e == &e.c.ends[0] }

func (e *connEnd) peer() *connEnd {
	if e.dialling() {
		return &e.c.ends[1]
	}
	return &e.c.ends[0]
}

// flight is the queue of e's segments in propagation to its peer.
func (e *connEnd) flight() *flight {
	if e.dialling() {
		return &e.c.fly0
	}
	return &e.c.fly1
}

// inbound is the queue of the peer's segments in propagation to e: the peer's
// flight, found from e's own fields, not the peer's.
func (e *connEnd) inbound() *flight {
	if e.dialling() {
		return &e.c.fly1
	}
	return &e.c.fly0
}

func (e *connEnd) stack() *Stack { return e.h.s }

func (e *connEnd) Local() Addr { return Addr{e.h.id, int(e.port)} }
func (e *connEnd) Remote() Addr {
	p := e.peer()
	if e.dialling() && e.c.hs != nil && p.h == nil {
		return e.c.hs.to
	}
	return Addr{p.h.id, int(p.port)}
}
func (e *connEnd) RTT() sim.Time             { return e.c.rtt }
func (e *connEnd) SetHandler(h *ConnHandler) { e.handler = h }

// err is the error calls on a dead end return.
func (e *connEnd) err() error {
	switch e.dead {
	case deadReset:
		return ErrReset
	case deadTimeout:
		return ErrTimeout
	case deadHostDown:
		return ErrHostDown
	}
	return ErrClosed
}

func (e *connEnd) wrap(op string, err error) error {
	return fmt.Errorf("%s: %s %s: %w", e.h.Name(), op, e.stack().addrString(e.Remote()), err)
}

func (h *host) Dial(to Addr, opts TCPOptions, done func(Conn, error)) {
	if !h.up {
		return
	}
	s := h.s
	fail := func(err error) {
		s.k.AtIn(h.timers(), s.k.Now(), func() { done(nil, err) })
	}
	if to.Node < 0 || int(to.Node) >= s.net.NumNodes() || to.Port <= 0 || to.Port > 65535 {
		fail(fmt.Errorf("%s: dial %d:%d: bad address", h.Name(), to.Node, to.Port))
		return
	}
	var port uint16
	switch lp := opts.LocalPort; {
	case lp < 0 || lp >= ephemeralFirst:
		fail(fmt.Errorf("%s: dial %s: local port %d is not in 1..%d", h.Name(), s.addrString(to), lp, ephemeralFirst-1))
		return
	case lp > 0:
		// A fixed port is shared by the connections that leave it, as FTP's port 20
		// is: each is told apart by its remote end, as TCP's four-tuple does.
		port = uint16(lp)
	default:
		if port = h.ephemeralPort(); port == 0 {
			fail(fmt.Errorf("%s: dial %s: no free ephemeral port", h.Name(), s.addrString(to)))
			return
		}
	}
	c := &tcpConn{hs: &handshake{to: to, opts: opts, done: done, rto: s.TCP.InitialRTO}}
	cli := &c.ends[0]
	cli.init(c, h, port, opts)
	cli.state = endSynSent
	h.holdPort(port, true)
	cli.sendSYN()
	cli.armSYN()
}

func (e *connEnd) init(c *tcpConn, h *host, port uint16, opts TCPOptions) {
	*e = connEnd{c: c, h: h, port: port, idx: -1}
	e.shape = newShaping(opts)
	h.addConn(e)
}

// sendSYN sends a SYN; the listening host answers with a SYN-ACK, or a reset if
// nothing listens on the port.
func (e *connEnd) sendSYN() {
	hs := e.c.hs
	hs.live = true
	ctl := control{kind: TapSYN, c: e.c, sport: e.port, dport: uint16(hs.to.Port), again: hs.tries > 0}
	e.stack().sendSegment(e.h, hs.to.Node, ctl, func(srv *host) { e.synArrived(srv) }, func() { hs.live = false })
}

func (e *connEnd) armSYN() {
	hs := e.c.hs
	hs.timer = e.h.After(hs.rto, e.synTimeout)
}

// synTimeout is the SYN's retransmission timer: RFC 6298 §5.5, the RTO doubled after
// each expiry. A SYN still on its way (or its answer) is waited for, not sent again.
func (e *connEnd) synTimeout() {
	hs := e.c.hs
	if e.state != endSynSent || hs == nil {
		return
	}
	hs.timer = 0
	if !hs.live {
		if hs.tries == e.stack().TCP.SYNRetries {
			e.h.stats.ConnsTimedOut++
			e.dialFailed(ErrTimeout)
			return
		}
		hs.tries++
		e.h.stats.Retransmissions++
		e.sendSYN()
	}
	hs.rto *= 2
	e.armSYN()
}

// dialFailed ends a dial that never connected.
func (e *connEnd) dialFailed(err error) {
	hs := e.c.hs
	done, to := hs.done, hs.to
	if hs.timer != 0 {
		e.h.Cancel(hs.timer)
	}
	if p := e.peer(); p.h != nil && p.state == endSynRcvd {
		p.release(deadClosed)
	}
	e.release(deadClosed)
	e.c.hs = nil
	done(nil, fmt.Errorf("%s: dial %s: %w", e.h.Name(), e.stack().addrString(to), err))
}

// synArrived is the SYN at the server's host.
func (e *connEnd) synArrived(srv *host) {
	hs := e.c.hs
	if e.state != endSynSent || hs == nil {
		return
	}
	s := e.stack()
	l := srv.listenerAt(uint16(hs.to.Port))
	if l == nil || l.closed {
		// RFC 793 §3.4: a SYN to a port with no listener is answered with a reset.
		ctl := control{kind: TapRST, c: e.c, sport: uint16(hs.to.Port), dport: e.port}
		s.sendSegment(srv, e.h.id, ctl, func(*host) {
			if e.state == endSynSent && e.c.hs == hs {
				e.h.stats.ConnsRefused++
				e.dialFailed(ErrRefused)
			}
		}, func() { hs.live = false })
		return
	}
	sc := e.peer()
	if sc.h == nil || sc.state == endDead {
		sc.init(e.c, srv, uint16(hs.to.Port), hs.opts)
		sc.state = endSynRcvd
	}
	hs.lst = l
	ctl := control{kind: TapSYNACK, c: e.c, sport: uint16(hs.to.Port), dport: e.port}
	s.sendSegment(srv, e.h.id, ctl, func(*host) { e.synAckArrived() }, func() { hs.live = false })
}

// synAckArrived establishes the dialling end; the model gets it, and the first
// segment it sends carries the handshake's ACK (a bare one if it sends nothing now).
func (e *connEnd) synAckArrived() {
	hs := e.c.hs
	if e.state != endSynSent || hs == nil {
		return
	}
	if e.peer().state != endSynRcvd {
		// The server crashed after answering: its SYN-ACK speaks for an incarnation
		// that is gone. Taken as lost, so the next SYN reaches the new one.
		hs.live = false
		return
	}
	s := e.stack()
	if hs.timer != 0 {
		e.h.Cancel(hs.timer)
		hs.timer = 0
	}
	fwd, err1 := s.net.Route(e.h.id, hs.to.Node)
	rev, err2 := s.net.Route(hs.to.Node, e.h.id)
	if err1 == nil && err2 == nil {
		e.c.rtt = fwd.Delay + rev.Delay
	}
	e.state = endOpen
	e.ackDue = true
	e.h.stats.ConnsOpened++
	done := hs.done
	hs.done = nil
	done(e, nil)
	if e.state == endOpen && e.ackDue && len(e.queue) == 0 && !e.closing {
		e.bareACK = true
		e.startNext()
	}
}

// accept is the handshake's ACK (or the first segment, which carries it) reaching the
// server's end: the listener's program gets the connection.
func (e *connEnd) accept() {
	hs := e.c.hs
	if e.state != endSynRcvd || hs == nil {
		return
	}
	l := hs.lst
	e.c.hs = nil
	if l == nil || l.closed || !e.h.up {
		e.sendReset()
		e.release(deadClosed)
		return
	}
	e.state = endOpen
	e.h.stats.ConnsAccepted++
	l.accept(e)
}

func (e *connEnd) Send(m Message) (SendID, error) { return e.enqueue(m, nil) }

// Warm reads what a Send on c reads first, its two ends and its segment on the wire,
// and returns a number of no meaning made from it, which the caller keeps (adds to a
// field) so that the compiler keeps the reads. A model about to send on many
// connections at once (a BitTorrent have to every neighbour) warms them all first:
// their loads, independent of each other, miss the caches together, where the sends,
// each a long chain of code, would take the misses one at a time. Nothing changes.
// A Conn not of this package gives 0.
func Warm(c Conn) uint64 {
	e, ok := c.(*connEnd)
	if !ok {
		return 0
	}
	p := e.peer()
	w := uint64(e.state) + uint64(len(e.queue)) + uint64(p.state)
	if p.handler != nil && p.handler.OnArriving != nil {
		w++
	}
	if e.pkt != nil {
		w += uint64(e.pkt.land)
	}
	return w
}

func (e *connEnd) Forward(m Message, from *Arrival) (SendID, error) { return e.enqueue(m, from) }

func (e *connEnd) enqueue(m Message, from *Arrival) (SendID, error) {
	switch {
	case e.state == endDead:
		return 0, e.wrap("send to", e.err())
	case e.closing:
		return 0, e.wrap("send to", ErrClosed)
	case m.SizeBytes < 0:
		return 0, e.wrap("send to", ErrBadMessage)
	}
	e.lastID++
	e.queue = append(e.queue, outgoing{m: m, from: from, id: e.lastID})
	if from != nil {
		from.relays = append(from.relays, e)
	}
	e.startNext()
	return e.lastID, nil
}

func (e *connEnd) Unsend(id SendID) bool {
	for i := range e.queue {
		o := &e.queue[i]
		if o.id == id {
			if o.started {
				return false
			}
			e.queue = append(e.queue[:i], e.queue[i+1:]...)
			e.queue[:len(e.queue)+1][len(e.queue)] = outgoing{}
			return true
		}
	}
	return false
}

func (e *connEnd) Queued() (messages int, bytes int64) {
	if now := e.stack().k.Now(); e.pkt.leaving(now) {
		// A direct segment (tcpdirect.go) has left the queue as it began to leave.
		messages++
		bytes += int64((e.pkt.leftBits(now) + 7) / 8)
	}
	for i := range e.queue {
		o := &e.queue[i]
		messages++
		switch {
		case i == 0 && e.sending != nil && e.onWire == segData:
			bytes += int64((e.sending.RemainingBits() + 7) / 8)
		case i == 0 && e.pkt.onWire() && e.onWire == segData:
			bytes += int64((e.pkt.leftBits(e.stack().k.Now()) + 7) / 8)
		case i == 0 && e.left > 0:
			bytes += e.left
		case !o.started || !e.waiting:
			bytes += o.m.SizeBytes
		}
	}
	return messages, bytes
}

func (e *connEnd) Close() error {
	if e.state == endDead {
		return e.wrap("close", e.err())
	}
	if e.closing {
		return nil
	}
	e.closing = true
	e.startNext()
	return nil
}

func (e *connEnd) Abort() error {
	if e.state == endDead {
		return e.wrap("abort", e.err())
	}
	e.sendReset()
	e.release(deadClosed)
	return nil
}

// sendReset sends an RST to the peer's host; the peer's end, if it is still there,
// dies on its arrival and hears OnReset.
func (e *connEnd) sendReset() {
	p := e.peer()
	if p.h == nil || p.state == endDead {
		return
	}
	s := e.stack()
	if s.tap != nil {
		s.tapStreamCut(e, e.wireLeft()) // what left before the reset, reported before it
	}
	ctl := control{kind: TapRST, c: e.c, sport: e.port, dport: p.port}
	s.sendSegment(e.h, p.h.id, ctl, func(*host) { p.resetByPeer(e.c) }, nil)
}

// resetByPeer is an RST of connection c arriving at this end.
func (e *connEnd) resetByPeer(c *tcpConn) {
	if e.c != c || e.state == endDead {
		return
	}
	if e.state != endOpen {
		e.release(deadClosed) // a half-open end the program never saw
		return
	}
	e.h.stats.ConnsReset++
	e.die(deadReset)
}

// die ends an open end for a reason the program hears of (OnReset).
func (e *connEnd) die(why uint8) {
	e.release(why)
	if e.handler != nil && e.handler.OnReset != nil {
		e.handler.OnReset(e, e.err())
	}
}

// release makes e dead: its flow aborted, its queue dropped (any message it was
// relaying, and the one arriving at its peer, lost), its timers cancelled, its port
// freed and its entry in the host's table removed. No callbacks.
func (e *connEnd) release(why uint8) {
	if e.state == endDead {
		return
	}
	s := e.stack()
	if s.tap != nil {
		s.tapStreamCut(e, e.wireLeft())
	}
	if e.sending != nil {
		s.net.Abort(e.sending)
		e.sending = nil
	}
	e.pkt.cancel(s.k)
	e.dropDirect(false)
	if len(e.queue) > 0 && e.queue[0].arr != nil && !e.queue[0].arr.received {
		e.queue[0].arr.lose()
	}
	clear(e.queue)
	e.queue = nil
	if e.timer != 0 {
		e.h.Cancel(e.timer)
		e.timer = 0
	}
	e.rtx = false
	if e.shape != nil {
		e.shape.stop(e)
	}
	if hs := e.c.hs; hs != nil && e.dialling() && hs.timer != 0 {
		e.h.Cancel(hs.timer)
		hs.timer = 0
	}
	e.state = endDead
	e.dead = why
	e.h.dropConn(e)
	if e.dialling() {
		e.h.holdPort(e.port, false)
	}
	if p := e.peer(); p.h != nil && p.state == endSynRcvd {
		p.release(deadClosed)
	}
}

// kill is release for a host that has crashed: the peer is not told, but its data
// towards this host stops (TCP's ACK clock stops with the receiver), and an end
// whose data is unacknowledged starts retransmitting; it will learn of the crash from
// the timeout, or from the reset a rebooted host answers.
func (e *connEnd) kill() {
	if e.state == endDead {
		return
	}
	p := e.peer()
	e.release(deadHostDown)
	if p.h == nil || p.state != endOpen {
		return
	}
	now := p.stack().k.Now()
	if p.sending != nil || p.pkt.onWire() || p.pkt.leaving(now) {
		if s := p.stack(); s.tap != nil {
			s.tapStreamCut(p, p.wireLeft())
		}
		if p.sending != nil {
			p.stack().net.Abort(p.sending)
			p.sending = nil
		}
		p.pkt.cancel(p.stack().k)
		p.dropDirect(true)
		p.lose()
	} else if p.lastArrival > now || p.waiting {
		p.lose()
	}
}

// startNext puts the head of the queue on the wire as one flow: a stream's segments
// leave back to back, so they arrive in order.
func (e *connEnd) startNext() {
	if e.sending != nil || e.pkt.onWire() || e.waiting || e.stalled || e.rtx || e.state != endOpen {
		return
	}
	var out *outgoing
	kind := segData
	switch {
	case len(e.queue) > 0:
		out = &e.queue[0]
	case e.bareACK:
		kind = segACK
	case e.closing && !e.finSent:
		kind = segFIN
	default:
		return
	}
	s := e.stack()
	if e.pkt.leaving(s.k.Now()) {
		e.awaitDirect()
		return
	}
	p := e.peer()
	if p.state == endDead {
		// The peer's end is gone (its host crashed): what we send is never
		// acknowledged.
		e.lose()
		return
	}
	if out != nil && out.from != nil && out.from.lost {
		e.stalled = true
		return
	}
	r, err := e.routeToPeer()
	if err != nil {
		e.lose()
		return
	}
	size := e.wireBytes(out)
	switch {
	case out != nil && !out.started:
		out.started = true
		e.h.stats.BytesSent += out.m.SizeBytes
		e.h.stats.MessagesSent++
	case out == nil && !e.resending:
		e.h.stats.SegmentsSent++
	default:
		e.h.stats.Retransmissions++
	}
	e.h.stats.WireBytesSent += size
	opts := FlowOptions{CapBps: e.capBps()}
	if out != nil && out.from != nil && !out.from.received {
		opts.Feeder = out.from.flow()
	}
	if e.flowEnd == nil {
		e.flowEnd = e.flowDone
	}
	now := s.k.Now()
	if e.ackDue {
		// The first segment carries the handshake's ACK: the server's end is
		// accepted when its first bits arrive, before anything it carries.
		e.ackDue = false
		s.k.At(now+r.Delay, p.accept)
	}
	var f *Flow
	switch sp := e.spare; {
	case sp != nil && size > 0 && opts.Feeder == nil && sp.draining() && sp.onRoute(r.Links):
		// The stream goes on, back to back, on the route its last segment took: the
		// same flow carries it (Network.drain), and no rate changes.
		e.spare = nil
		s.net.extend(sp, size, opts.CapBps, e.flowEnd)
		f = sp
	case size > 0 && size <= s.TCP.PacketBytes && opts.Feeder == nil && (out == nil || out.from == nil || out.from.received):
		// Small enough to go as one packet: no flow, no share (packet.go).
		if e.pkt == nil {
			e.pkt = &packet{done: e.packetSent}
		}
		if e.direct(out) {
			e.sendDirect(r, size, capped(e.routeBps, opts.CapBps))
			return
		}
		e.pkt.sendAt(s.net, r, size, capped(e.routeBps, opts.CapBps))
	default:
		f = s.net.StartFlow(r, size, opts, e.flowEnd)
		if !s.noDrain {
			f.flags |= flagKeep
		}
	}
	e.sending, e.onWire = f, kind
	if s.tap != nil {
		s.tapStream(e, f, e.pkt, kind, out)
	}
	if out != nil {
		if out.arr == nil {
			if p.handler == nil || p.handler.OnArriving != nil || p.state == endSynRcvd {
				// The peer may set its handler only when it accepts, after this flow
				// began, so whether it wants arrivals is asked when the first bits
				// get there.
				a := &Arrival{Message: out.m, sender: e}
				out.arr = a
				s.k.At(now+r.Delay, func() { p.arriving(e.c, a) })
			}
		}
	}
	if e.shape != nil {
		e.shape.started(e)
	}
}

// wireBytes is the size on the wire of the message o (what is left of it after a
// failed link), with any per-segment header overhead, or of a control segment (o nil).
func (e *connEnd) wireBytes(o *outgoing) int64 {
	t := &e.stack().TCP
	if o == nil {
		return t.ControlBytes
	}
	n := o.m.SizeBytes
	if e.left > 0 {
		n = e.left
	}
	if t.SegmentOverheadBytes > 0 && n > 0 {
		n += (n + t.MSSBytes - 1) / t.MSSBytes * t.SegmentOverheadBytes
	}
	return n
}

// flowDone is the end of the flow carrying the segment on the wire: its last bit has
// left, or a link under it failed.
func (e *connEnd) flowDone(f *Flow) {
	if f != e.sending {
		return
	}
	e.sending = nil
	if f.draining() {
		e.spare = f
		e.sent(f)
		e.spare = nil
		return
	}
	e.sent(f)
}

// sent is what follows the end of the flow f that carried the segment on the wire.
func (e *connEnd) sent(f *Flow) {
	if f.Failed() {
		if s := e.stack(); s.tap != nil {
			s.tapStreamCut(e, f.RemainingBits())
		}
		if e.onWire == segData {
			e.left = max(int64((f.RemainingBits()+7)/8), 1)
		} else {
			e.resending = true
		}
		e.lose()
		return
	}
	if e.onWire != segData {
		e.finishSend()
		return
	}
	if from := e.queue[0].from; from != nil && !from.received {
		// The feeder's rate bounded this flow, but its last bits reach this host a
		// propagation delay after they left: a relay cannot finish before them
		// (Arrival.receive finishes it).
		e.waiting = true
		return
	}
	e.finishSend()
}

// packetSent is the last bit of the packet on the wire leaving. If a link of its
// route failed meanwhile, it was lost whole and is sent again (packet.go).
func (e *connEnd) packetSent() {
	if e.pkt.sent(e.stack().net) {
		e.finishSend()
		return
	}
	if s := e.stack(); s.tap != nil {
		s.tapStreamEnd(e) // it left whole; the network lost it
	}
	if e.onWire == segData {
		if e.left == 0 {
			e.left = e.queue[0].m.SizeBytes
		}
	} else {
		e.resending = true
	}
	e.lose()
}

// wireLeft returns the bits of the segment on the wire not yet sent, or -1 if none is
// on the wire.
func (e *connEnd) wireLeft() float64 {
	switch {
	case e.sending != nil:
		return e.sending.RemainingBits()
	case e.pkt.onWire(), e.pkt.leaving(e.stack().k.Now()):
		return e.pkt.leftBits(e.stack().k.Now())
	}
	return -1
}

// finishSend: the segment on the wire has wholly left; it reaches the peer one
// propagation delay later.
func (e *connEnd) finishSend() { e.finishAt(e.stack().k.Now()) }

// finishAt is finishSend for a segment whose last bit leaves at left: now, or later
// for a direct segment (tcpdirect.go), whose landing event it notes in e.pkt.
func (e *connEnd) finishAt(left sim.Time) {
	kind := e.onWire
	if s := e.stack(); s.tap != nil {
		s.tapStreamEnd(e)
	}
	var out outgoing
	if kind == segData {
		// Shifted down rather than resliced, so that the queue's array is reused
		// rather than reallocated by the appends that follow.
		out = e.queue[0]
		copy(e.queue, e.queue[1:])
		e.queue[len(e.queue)-1] = outgoing{}
		e.queue = e.queue[:len(e.queue)-1]
		if len(e.queue) == 0 && cap(e.queue) > keptQueue {
			e.queue = nil // a burst's array is not kept by an idle connection
		}
		e.left = 0
	}
	e.resending = false
	s := e.stack()
	at := left + e.route.Delay
	fl := e.flight()
	if fl.len() > 0 && fl.last().at > at {
		// A new route shorter than the last one's: the segment reaches the peer before
		// those still on the longer route, and the peer's TCP holds it until they are in,
		// since TCP delivers a stream in sequence (RFC 9293 §3.10.7.4: a segment
		// beyond the next expected one waits in the receive queue).
		at = fl.last().at
	}
	e.lastArrival = at
	fl.push(landing{at: at, m: out.m, arr: out.arr, kind: kind})
	if e.landFn == nil {
		e.landFn = e.peer().landInbound
	}
	ev := s.k.At(at, e.landFn)
	if left > s.k.Now() {
		e.leaves(ev) // a direct segment: on the wire until left, with no event then
	}
	switch kind {
	case segACK:
		e.bareACK = false
	case segFIN:
		e.finSent = true
		if e.finRcvd {
			e.release(deadClosed)
			return
		}
		if t := s.TCP.FinTimeout; t > 0 && !e.rtx {
			e.timer = e.h.After(e.route.Delay+t, func() {
				e.timer = 0
				e.release(deadClosed)
			})
		}
	case segData:
		if e.handler != nil && e.handler.OnSent != nil {
			e.handler.OnSent(e, out.id)
		}
	}
	if len(e.queue) == 0 && e.shape != nil {
		e.shape.stop(e) // slow start grows the window only while data is queued
	}
	e.startNext()
}

// landInbound is the oldest of the segments on their way to e landing. Segments join
// their flight in the order of their landing times, and the kernel runs events of
// equal times in the order they were scheduled, so this event's is the oldest. The
// event is the receiving end's rather than the sender's, so that a landing reads the
// end it lands on and the flight, not the sender's end as well.
func (e *connEnd) landInbound() {
	sg := e.inbound().pop()
	e.land(e.c, e.peer(), sg.kind, sg.m, sg.arr)
}

// routeToPeer returns the route to the peer's host, taken again only when the
// network's routes have changed since it was last taken.
func (e *connEnd) routeToPeer() (Route, error) {
	n := e.stack().net
	if g := n.routes.gen + 1; e.routeGen != g {
		r, err := n.Route(e.h.id, e.peer().h.id)
		if err != nil {
			return r, err
		}
		e.route, e.routeGen, e.routeBps = r, g, n.bottleneckBps(r)
	}
	return e.route, nil
}

// land is a segment of the stream arriving at this end from its peer `from`: the
// message m (arr its Arrival, if one was made), or a control segment.
func (e *connEnd) land(c *tcpConn, from *connEnd, kind segKind, m Message, arr *Arrival) {
	if e.c != c {
		return
	}
	if e.state == endDead {
		// This end is gone; if its host is up (it rebooted, or the end was reset),
		// the segment of a connection it does not know is answered with a reset
		// (RFC 793 §3.4).
		if e.h.up && from.state == endOpen && e.dead == deadHostDown {
			ctl := control{kind: TapRST, c: c, sport: e.port, dport: from.port}
			e.stack().sendSegment(e.h, from.h.id, ctl, func(*host) { from.resetByPeer(c) }, nil)
		}
		if arr != nil {
			arr.lose()
		}
		return
	}
	switch kind {
	case segData:
		e.h.stats.BytesReceived += m.SizeBytes
		if arr != nil {
			arr.receive()
		}
		if h := e.handler; h != nil && h.Receiver != nil {
			h.Receiver.Receive(e, m)
		} else if h != nil && h.OnMessage != nil {
			h.OnMessage(e, m)
		}
	case segFIN:
		e.finRcvd = true
		if e.handler != nil && e.handler.OnClose != nil {
			e.handler.OnClose(e)
		}
		if e.finSent && e.state != endDead {
			e.release(deadClosed)
		}
	}
}

// arriving is a message's first bits reaching this end.
func (e *connEnd) arriving(c *tcpConn, a *Arrival) {
	if e.c != c || e.state != endOpen || a.lost {
		return
	}
	if e.handler != nil && e.handler.OnArriving != nil {
		e.handler.OnArriving(e, a)
	}
}

// lose puts the end into retransmission: what it sent is unacknowledged.
func (e *connEnd) lose() {
	if e.rtx || e.state != endOpen {
		return
	}
	if e.timer != 0 {
		e.h.Cancel(e.timer)
	}
	e.rtx, e.tries = true, 0
	e.timer = e.h.After(e.rto(), e.retransmitTimeout)
}

// rto is the retransmission timeout after e.tries retransmissions: RFC 6298 §2.2's
// first RTO for one RTT sample R, SRTT + 4·RTTVAR = 3R, kept within [MinRTO, MaxRTO],
// doubled after each expiry (§5.5).
func (e *connEnd) rto() sim.Time {
	t := &e.stack().TCP
	r := min(max(3*e.c.rtt, t.MinRTO), t.MaxRTO)
	for i := uint16(0); i < e.tries && r < t.MaxRTO; i++ {
		r *= 2
	}
	return min(r, t.MaxRTO)
}

// retransmitTimeout is the data retransmission timer (RFC 6298 §5.4–5.5). If the
// peer's end is alive and reachable again (a failed link has been restored or routed
// around), the stream resumes where it stopped. Otherwise a probe is sent: a host
// that has rebooted answers it with a reset; after DataRetries the connection times
// out.
func (e *connEnd) retransmitTimeout() {
	e.timer = 0
	if !e.rtx || e.state != endOpen {
		return
	}
	s := e.stack()
	p := e.peer()
	if p.state != endDead && s.reachable(e.h.id, p.h.id) {
		e.rtx = false
		e.startNext()
		return
	}
	if int(e.tries) == s.TCP.DataRetries {
		e.rtx = false
		e.h.stats.ConnsTimedOut++
		e.die(deadTimeout)
		return
	}
	e.tries++
	e.h.stats.Retransmissions++
	c := e.c
	probe := control{kind: TapProbe, c: c, sport: e.port, dport: p.port, again: true}
	s.sendSegment(e.h, p.h.id, probe, func(dst *host) {
		if p.state == endDead {
			rst := control{kind: TapRST, c: c, sport: p.port, dport: e.port}
			s.sendSegment(dst, e.h.id, rst, func(*host) { e.resetByPeer(c) }, nil)
		}
	}, nil)
	e.timer = e.h.After(e.rto(), e.retransmitTimeout)
}

// reachable reports whether segments can go both ways between a and b now.
func (s *Stack) reachable(a, b NodeID) bool {
	if _, err := s.net.Route(a, b); err != nil {
		return false
	}
	_, err := s.net.Route(b, a)
	return err == nil
}
