package topology

import (
	"fmt"
	"math"

	"netsim/sim"
)

// UDPSocket sends and receives datagrams: no connection, no order, and each datagram
// may be lost (SetLinkLoss).
type UDPSocket interface {
	Local() Addr
	// SendTo queues one datagram. It fails with ErrClosed after Close (or the host's
	// crash) and with ErrBadMessage for a negative size.
	SendTo(to Addr, m Message) error
	// Close unbinds the port; datagrams queued and not yet sent are dropped.
	Close() error
}

type udpSocket struct {
	h       *host
	port    uint16
	closed  bool
	recv    func(from Addr, m Message)
	queue   fifo[datagram] // waiting to be sent
	sending *Flow
	spare   *Flow   // the flow of the datagram just sent, while its onDone runs (Network.drain)
	pkt     *packet // the datagram on the wire if it is a packet (UDPParams.PacketBytes)

	// The datagrams of the one-event path (sendDirect): the socket's interface is
	// busy until wireEnd, when the last one's last bit leaves; while it is, that
	// datagram is direct (its event, cancelled if the socket dies before wireEnd) and
	// a wake event sends the queue at wireEnd.
	wireEnd sim.Time
	direct  *arrival
	wake    sim.EventID
	wakeFn  func() // made at the first wake
}

type datagram struct {
	to Addr
	m  Message
}

func (h *host) BindUDP(port int, recv func(from Addr, m Message)) (UDPSocket, error) {
	p, err := h.takePort("bind udp", port, true)
	if err != nil {
		return nil, err
	}
	if cap(h.ports) == 0 {
		// The host's first binding (a DHT node's or a DNS server's only one): its
		// entry in the port table and its socket in one allocation, so that a
		// datagram's delivery, which reads both, misses the cache once for them
		// rather than twice (10^4 hosts' tables do not stay in the caches).
		c := &firstBinding{}
		c.u = udpSocket{h: h, port: p, recv: recv}
		c.b[0] = binding{port: p, u: &c.u}
		h.ports = c.b[:1:1]
		return &c.u, nil
	}
	u := &udpSocket{h: h, port: p, recv: recv}
	h.ports = append(h.ports, binding{port: p, u: u})
	return u, nil
}

// firstBinding is a host's port table of one entry, a UDP socket, with the socket.
type firstBinding struct {
	b [1]binding
	u udpSocket
}

func (u *udpSocket) Local() Addr { return Addr{u.h.id, int(u.port)} }

func (u *udpSocket) Close() error {
	if u.closed {
		return fmt.Errorf("%s: close udp %d: %w", u.h.Name(), u.port, ErrClosed)
	}
	u.h.unbind(u.port, true)
	u.kill()
	return nil
}

// kill closes the socket and aborts the datagram on the wire.
func (u *udpSocket) kill() {
	u.closed = true
	if u.sending != nil || u.pkt.onWire() {
		if s := u.h.s; s.tap != nil {
			s.tapDatagramEnd(u, false)
		}
		if u.sending != nil {
			u.h.s.net.Abort(u.sending)
			u.sending = nil
		}
		u.pkt.cancel(u.h.s.k)
	}
	if a := u.direct; a != nil {
		u.direct = nil
		if u.h.s.k.Now() < u.wireEnd {
			u.h.s.k.Cancel(a.ev)
			u.h.s.freeArrival(a)
		}
	}
	if u.wake != 0 {
		u.h.s.k.Cancel(u.wake)
		u.wake = 0
	}
	u.queue.reset()
}

// SendTo sends one datagram. A socket's datagrams leave one after another, as from a
// network interface's queue (many datagrams sent at once do not share the link as
// parallel flows). Each is transmitted as a flow of its size and arrives a
// propagation delay after its last bit leaves, unless the network drops it — by the
// loss probabilities of the links it crosses, drawn from the network's own random
// stream as it leaves, or because a link it crosses fails before it arrives — or it
// reaches a host that is down, has rebooted since it was sent, or has nothing bound
// to the port.
func (u *udpSocket) SendTo(to Addr, m Message) error {
	switch {
	case u.closed:
		return fmt.Errorf("%s: send udp %d: %w", u.h.Name(), u.port, ErrClosed)
	case m.SizeBytes < 0:
		return fmt.Errorf("%s: send udp %d: %w", u.h.Name(), u.port, ErrBadMessage)
	case to.Node < 0 || int(to.Node) >= u.h.s.net.NumNodes():
		return fmt.Errorf("%s: send udp %d: no node %d", u.h.Name(), u.port, to.Node)
	}
	if u.queue.len() == 0 && u.idle() {
		u.send(datagram{to, m})
		return nil
	}
	u.queue.push(datagram{to, m})
	u.await()
	return nil
}

// idle reports whether the socket has nothing on the wire.
func (u *udpSocket) idle() bool {
	return u.sending == nil && !u.pkt.onWire() && u.h.s.k.Now() >= u.wireEnd
}

// sendNext sends the queue's datagrams while the wire is free.
func (u *udpSocket) sendNext() {
	for u.queue.len() > 0 && !u.closed && u.idle() {
		u.send(u.queue.pop())
	}
	u.await()
}

// await schedules the wake that sends the queue when a direct datagram leaves the
// wire: a flow's or a packet's own end sends it otherwise.
func (u *udpSocket) await() {
	if u.queue.len() == 0 || u.wake != 0 || u.closed || u.sending != nil || u.pkt.onWire() {
		return
	}
	if u.wakeFn == nil {
		u.wakeFn = func() {
			u.wake = 0
			u.sendNext()
		}
	}
	u.wake = u.h.s.k.At(u.wireEnd, u.wakeFn)
}

// send puts d on the wire, which is free.
func (u *udpSocket) send(d datagram) {
	s := u.h.s
	var a *arrival
	var r Route
	var bps float64 // r's bottleneck, if a is not nil
	var err error
	if s.tap == nil && s.net.busy == nil && u.spare == nil && !s.noDirect {
		a = s.newArrival()
		var ok bool
		if r, bps, ok = s.accessRoute(u.h, s.host(d.to.Node), a.links[:0]); !ok {
			r, err = s.net.routeInto(u.h.id, d.to.Node, a.links[:0])
			bps = s.net.bottleneckBps(r)
		}
	} else {
		r, err = s.net.Route(u.h.id, d.to.Node)
	}
	if err != nil {
		// Unroutable: dropped, as IP would.
		if a != nil {
			s.freeArrival(a)
		}
		u.h.stats.DatagramsLost++
		return
	}
	u.h.stats.BytesSent += d.m.SizeBytes
	u.h.stats.WireBytesSent += d.m.SizeBytes
	u.h.stats.MessagesSent++
	s.datagrams++
	from := u.Local()
	lost := s.lossy(r) || (s.DropDatagram != nil && s.DropDatagram(s.datagrams, from, d.to, d.m))
	dst := s.host(d.to.Node)
	if a != nil {
		if wire, ok := s.directTime(bps, d.m.SizeBytes); ok {
			u.sendDirect(a, d, r, wire, lost, from, dst)
			return
		}
		r.Links = append([]LinkID(nil), r.Links...)
		s.freeArrival(a)
	}
	epoch, failEpoch := dst.epoch, s.net.FailEpoch()
	// finish is the datagram's last bit leaving, or its flow failing.
	finish := func(failed bool) {
		if s.tap != nil {
			s.tapDatagramEnd(u, !failed)
		}
		if lost || failed {
			u.h.stats.DatagramsLost++
		} else {
			s.k.At(s.k.Now()+r.Delay, func() {
				if s.net.RouteBroken(r, failEpoch) {
					u.h.stats.DatagramsLost++
					return
				}
				if !dst.up || dst.epoch != epoch {
					return
				}
				if i := dst.bound(uint16(d.to.Port), true); i >= 0 {
					dst.stats.BytesReceived += d.m.SizeBytes
					if rcv := dst.ports[i].u.recv; rcv != nil {
						rcv(from, d.m)
					}
				}
			})
		}
		u.sendNext()
	}
	done := func(f *Flow) {
		u.sending = nil
		if f.draining() {
			u.spare = f
			defer func() { u.spare = nil }()
		}
		finish(f.Failed())
	}
	switch sp := u.spare; {
	case sp != nil && d.m.SizeBytes > 0 && sp.draining() && sp.onRoute(r.Links):
		// The next datagram to the same place leaves back to back on the flow of
		// the last (Network.drain): no rate changes.
		u.spare = nil
		s.net.extend(sp, d.m.SizeBytes, 0, done)
		u.sending = sp
	case d.m.SizeBytes > 0 && d.m.SizeBytes <= s.UDP.PacketBytes:
		// Small enough to go as one packet: no flow, no share (packet.go).
		if u.pkt == nil {
			u.pkt = &packet{}
		}
		pk := u.pkt
		pk.done = func() { finish(!pk.sent(s.net)) }
		pk.send(s.net, r, d.m.SizeBytes, 0)
	default:
		u.sending = s.net.StartFlow(r, d.m.SizeBytes, FlowOptions{}, done)
		if !s.noDrain {
			u.sending.flags |= flagKeep
		}
	}
	if s.tap != nil {
		s.tapDatagram(u, d, r.Delay, lost, u.sending, u.pkt)
	}
}

// Direct datagrams: one kernel event a datagram, its arrival, and no allocation.
//
// A datagram whose time on the wire does not depend on other traffic needs neither a
// flow nor an event for its last bit leaving: one over links of unconstrained
// capacity takes no time on the wire (its flow would end at once, at an infinite
// rate, beside any others), one of size 0 neither, and a packet (UDPParams.
// PacketBytes) takes T = ⌈8·S/C⌉ whatever else crosses its links (packet.go). Such a
// datagram is scheduled at once for its arrival, at T plus the route's delay, and
// what the two-event path decided at its last bit's leaving is decided then:
//
//   - a link of its route that fails between its leaving and its arrival loses it
//     (RouteBroken since the FailEpoch of its leaving: the one test covers the time on
//     the wire and the propagation), counted lost at the sender then;
//   - its sender's socket dying (Close, a crash, a leave's end) before T has passed
//     cancels it, as it aborts a flow or a packet; once its last bit has left (at once
//     when T = 0) it flies on (the two-event path also lost a datagram of T = 0 whose
//     socket died at its instant before its flow's end event ran);
//   - a datagram sent while one is on the wire waits in the socket's queue, which a
//     wake event at the end of T sends;
//   - a datagram lost by the links' loss or DropDatagram is counted lost at the end of
//     T (at once when T = 0, in an event only when T > 0).
//
// Times are those of the two-event path; among events at the same instant the arrival
// is queued earlier (when the datagram leaves, not when its last bit does). Taps and
// links whose busy time is tracked see every datagram's flow or packet, so with either
// the datagram takes the two-event path.

// arrival is a direct datagram in flight, pooled by the stack (newArrival).
type arrival struct {
	// What a delivery reads, in the first 64 bytes (the stack is dst.s, the
	// sender's address fromNode:fromPort): the record is 128 bytes, two cache
	// lines of their own.
	dst       *host
	failEpoch uint64 // the network's FailEpoch when it left
	epoch     uint32 // dst's epoch when the datagram left
	port      uint16
	lost      bool // its event is its last bit leaving, to count it lost
	fromNode  NodeID
	fromPort  uint16
	m         Message

	u     *udpSocket // the sender, read only if the datagram is lost
	route Route      // read only if a link failed since it left
	links [2]LinkID  // route.Links' array when the route has at most two links
	ev    sim.EventID
	fn    func() // a.run, made once
	next  *arrival
}

func (s *Stack) newArrival() *arrival {
	a := s.arrivals
	if a == nil {
		a = &arrival{}
		a.fn = a.run
		return a
	}
	s.arrivals, a.next = a.next, nil
	return a
}

func (s *Stack) freeArrival(a *arrival) {
	a.u, a.dst, a.m, a.route, a.lost, a.ev = nil, nil, Message{}, Route{}, false, 0
	a.next, s.arrivals = s.arrivals, a
}

// hostEnds is what a host knows of its access links: the only link out of it and the
// only link into it, if it has one each way (every host of the builders), with the
// node at their far ends and their delays and capacities, so that a route between
// two hosts behind one router is read from the two hosts, not from the network's
// node and link tables (cache misses at 10^4 hosts and more). It is valid while the
// network has nlinks links: links are only ever added, and only an addition changes
// which links a host has.
type hostEnds struct {
	nlinks  int        // 0: not yet read
	in, out accessLink // in first: a sender reads the destination's, in its first cache line
}

// accessLink is one of a host's access links; id is -1 when the host has none, or
// more than one, that way.
type accessLink struct {
	id    LinkID
	far   NodeID
	delay sim.Time
	bps   float64
}

// accessRoute returns the route from → to through their access links, as Route gives
// it, when both hang off the same router by a sole link each way that is up; ok false
// otherwise (Route then decides).
func (s *Stack) accessRoute(from, to *host, buf []LinkID) (r Route, bps float64, ok bool) {
	n := s.net
	if from == to {
		return Route{}, 0, false
	}
	fe, te := from.accessEnds(), to.accessEnds()
	out, in := fe.out, te.in
	if out.id < 0 || in.id < 0 || out.far != in.far || to.id == out.far || n.isDown(out.id) || n.isDown(in.id) {
		return Route{}, 0, false
	}
	r = Route{Links: append(buf[:0], out.id, in.id)}
	r.Delay = out.delay + in.delay
	return r, math.Min(out.bps, in.bps), true
}

// accessEnds returns h's access links, read afresh if links were added since.
func (h *host) accessEnds() *hostEnds {
	n := h.s.net
	e := &h.ends
	if e.nlinks == len(n.links) {
		return e
	}
	e.nlinks = len(n.links)
	read := func(l LinkID, far NodeID) accessLink {
		if l < 0 {
			return accessLink{id: -1}
		}
		lk := &n.links[l]
		return accessLink{id: l, far: far, delay: lk.delay, bps: lk.capacityBps}
	}
	nd := &n.nodes[h.id]
	if l := n.soleLink(nd.firstOut, true); l >= 0 {
		e.out = read(l, n.links[l].to)
	} else {
		e.out = read(-1, 0)
	}
	if l := n.soleLink(nd.firstIn, false); l >= 0 {
		e.in = read(l, n.links[l].from)
	} else {
		e.in = read(-1, 0)
	}
	return e
}

// directTime returns a direct datagram's time on the wire over a route of bottleneck
// bps, if it can go direct.
func (s *Stack) directTime(bps float64, sizeBytes int64) (sim.Time, bool) {
	switch {
	case sizeBytes == 0 || !finite(bps):
		return 0, true
	case sizeBytes <= s.UDP.PacketBytes:
		return wireTime(s.k.Now(), 8*float64(sizeBytes), bps), true
	}
	return 0, false
}

// sendDirect puts d on the wire as a direct datagram taking wire.
func (u *udpSocket) sendDirect(a *arrival, d datagram, r Route, wire sim.Time, lost bool, from Addr, dst *host) {
	s := u.h.s
	now := s.k.Now()
	u.wireEnd = now + wire
	u.direct = nil
	if lost && wire == 0 {
		u.h.stats.DatagramsLost++
		s.freeArrival(a)
		return
	}
	a.u, a.dst, a.epoch, a.failEpoch = u, dst, dst.epoch, s.net.FailEpoch()
	a.fromNode, a.fromPort, a.port, a.lost, a.m, a.route = from.Node, uint16(from.Port), uint16(d.to.Port), lost, d.m, r
	at := u.wireEnd
	if !lost {
		at += min(r.Delay, sim.Never-at)
	}
	a.ev = s.k.At(at, a.fn)
	if wire > 0 {
		u.direct = a
	}
}

// run is a direct datagram's event: its arrival, or its last bit leaving if it is
// lost.
func (a *arrival) run() {
	dst := a.dst
	s := dst.s
	switch {
	case a.lost || s.net.RouteBroken(a.route, a.failEpoch):
		a.u.h.stats.DatagramsLost++
	case !dst.up || dst.epoch != a.epoch:
	default:
		if i := dst.bound(a.port, true); i >= 0 {
			dst.stats.BytesReceived += a.m.SizeBytes
			if rcv := dst.ports[i].u.recv; rcv != nil {
				from, m := Addr{a.fromNode, int(a.fromPort)}, a.m
				s.freeArrival(a) // before rcv, whose replies may take it
				rcv(from, m)
				return
			}
		}
	}
	s.freeArrival(a)
}

// lossy draws whether a datagram on r is lost: it survives each link independently
// with probability 1 − loss. One draw per datagram, from the network's own stream,
// and none on loss-free routes, so loss never moves another stream's numbers.
func (s *Stack) lossy(r Route) bool {
	survive := 1.0
	for _, l := range r.Links {
		if p := s.net.LinkLoss(l); p > 0 {
			survive *= 1 - p
		}
	}
	return survive < 1 && s.lossRng.Float64() >= survive
}
