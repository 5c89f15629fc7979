package topology

import (
	"math"

	"netsim/sim"
)

// Taps: what a capture on a host's network interface would see. A Tap attached to some
// hosts (Stack.SetTap) is told of every transmission that leaves or reaches one of
// them: TCP's control segments (SYN, SYN-ACK, the handshake's bare ACK, FIN, RST, a
// retransmission probe), each message's bytes on a connection, and UDP datagrams,
// with the times the fluid model gives them. A pcap writer and a message sequence
// chart are taps (package capture).
//
// Tapping is off by default and then costs one nil test where a transmission starts
// and ends: no field of a flow, connection or segment is spent on it.

// Tap receives a stack's transmissions.
type Tap interface {
	// Transmitted is called once per transmission from or to a tapped host, when its
	// last bit has left the sender (or it was cut short: Transmission.Cut), in the
	// order the kernel runs those events. t is the tap's to keep.
	Transmitted(t *Transmission)
}

// TapKind is what a transmission carries.
type TapKind uint8

const (
	TapSYN      TapKind = iota + 1 // a connection request (again: its retransmission)
	TapSYNACK                      // the listener's answer to a SYN
	TapACK                         // the handshake's bare ACK, when no data carries it
	TapData                        // bytes of a message on a connection
	TapFIN                         // the end of one direction of a connection
	TapRST                         // a reset: an abort, a refused dial, a rebooted host's answer
	TapProbe                       // a retransmission probe of a silent peer
	TapDatagram                    // a UDP datagram
)

var tapKindNames = [...]string{"?", "SYN", "SYN-ACK", "ACK", "data", "FIN", "RST", "probe", "datagram"}

func (k TapKind) String() string {
	if int(k) < len(tapKindNames) {
		return tapKindNames[k]
	}
	return "?"
}

// ConnID names a TCP connection of a stack: comparable, the same for both ends and for
// every segment of the connection, including a reset a rebooted host answers.
type ConnID struct{ c *tcpConn }

// Transmission is one segment, message or datagram on the wire, as a tap sees it.
type Transmission struct {
	Kind TapKind
	Conn ConnID // TCP only
	// From and To are the addresses (host and port) of the sender and the receiver.
	From, To Addr
	// Message is the message (TapData) or datagram (TapDatagram) carried; Offset and
	// Bytes say which of its bytes this transmission carried: [Offset, Offset+Bytes).
	// A message goes whole in one transmission unless a link fails under it: the rest
	// is then sent again over the new route, as a second transmission.
	Message       Message
	Offset, Bytes int64
	// Again marks a retransmission: a SYN sent again after its timeout, a control
	// segment or the rest of a message sent again after a link failed.
	Again bool
	// Start is when the first bit left the sender, End when the last one did; every
	// bit reaches To's interface Delay later (the route's propagation delay).
	Start, End, Delay sim.Time
	// Cut: the transmission stopped before its end (a reset, a crash, a failed link):
	// only [Offset, Offset+Bytes) left, and End is when it stopped. Only data is
	// reported cut; a cut control segment or datagram is not reported at all.
	Cut bool
	// Dropped: the network drops the datagram on its way (a link's loss), so it
	// never reaches To.
	Dropped bool

	wireBytes int64       // the flow's size: Bytes, plus any per-segment overhead
	rates     []ratePoint // the flow's rate from Start on, piecewise constant
}

// ratePoint is a flow's rate from a time on.
type ratePoint struct {
	at  sim.Time
	bps float64
}

// Departed returns when the first n bytes of the transmission (n in [0, Bytes]) had
// left the sender: the time by which the flow carrying them, at its rate over time,
// had sent that share of its bits, rounded up to the nanosecond. Departed(Bytes) is
// End. A capture stamps each TCP segment, and each IP fragment of a datagram, with
// the departure of its last byte. O(the flow's rate changes).
func (t *Transmission) Departed(n int64) sim.Time {
	if n >= t.Bytes || t.Bytes <= 0 {
		return t.End
	}
	if n <= 0 {
		return t.Start
	}
	bits := 8 * float64(t.wireBytes) * float64(n) / float64(t.Bytes)
	var sent float64
	for i, p := range t.rates {
		until := t.End
		if i+1 < len(t.rates) {
			until = t.rates[i+1].at
		}
		span := p.bps * (until - p.at).Seconds()
		if p.bps > 0 && (sent+span >= bits || i == len(t.rates)-1) {
			at := p.at + sim.SecondsCeil((bits-sent)/p.bps)
			return min(max(at, t.Start), t.End)
		}
		sent += span
	}
	return t.End
}

// SetTap attaches tap to the hosts at ids: from now on it is told of every
// transmission from or to one of them. A nil tap detaches it. Set it before the run:
// transmissions already on the wire are not reported.
func (s *Stack) SetTap(tap Tap, ids ...NodeID) {
	if tap == nil {
		s.tap = nil
		return
	}
	ts := &tapState{tap: tap, on: make([]bool, s.net.NumNodes()),
		streams: map[*connEnd]*tapLog{}, segs: map[*segment]*tapLog{}, dgrams: map[*udpSocket]*tapLog{}}
	for _, id := range ids {
		s.net.checkNode(id)
		ts.on[id] = true
	}
	s.tap = ts
}

// tapState is a stack's tap and what it needs to report transmissions in flight: the
// start and rate history of each, kept here, and only while tapping, rather than in
// the flows, segments and sockets themselves.
type tapState struct {
	tap     Tap
	on      []bool // by NodeID
	streams map[*connEnd]*tapLog
	segs    map[*segment]*tapLog
	dgrams  map[*udpSocket]*tapLog
}

// tapLog is a transmission in flight.
type tapLog struct {
	t Transmission
}

func (ts *tapState) sees(a, b NodeID) bool {
	return int(a) < len(ts.on) && ts.on[a] || int(b) < len(ts.on) && ts.on[b]
}

// control says what a control segment is, for a tap.
type control struct {
	kind         TapKind
	c            *tcpConn
	sport, dport uint16
	again        bool
}

// newLog starts the log of a transmission on flow f, or as the packet pk if f is nil
// (nil too: none, it is instantaneous).
func (s *Stack) newLog(t Transmission, f *Flow, pk *packet) *tapLog {
	l := &tapLog{t: t}
	l.t.Start = s.k.Now()
	if f == nil && pk.onWire() {
		l.t.wireBytes = int64(pk.bits / 8)
		l.t.rates = append(l.t.rates, ratePoint{l.t.Start, pk.bps})
	}
	if f != nil {
		l.t.wireBytes = f.SizeBytes()
		l.t.rates = append(l.t.rates, ratePoint{l.t.Start, f.Rate()})
		f.OnRateChange = func(f *Flow) {
			now := s.k.Now()
			if last := &l.t.rates[len(l.t.rates)-1]; last.at == now {
				last.bps = f.Rate()
			} else {
				l.t.rates = append(l.t.rates, ratePoint{now, f.Rate()})
			}
		}
	}
	return l
}

// report hands the finished transmission to the tap.
func (s *Stack) report(l *tapLog) {
	l.t.End = s.k.Now()
	t := l.t
	s.tap.tap.Transmitted(&t)
}

func (s *Stack) controlTransmission(from *host, to NodeID, ctl control, delay sim.Time) Transmission {
	return Transmission{Kind: ctl.kind, Conn: ConnID{ctl.c},
		From: Addr{from.id, int(ctl.sport)}, To: Addr{to, int(ctl.dport)},
		Again: ctl.again, Delay: delay}
}

// tapSegment notes a control segment leaving on flow f or as packet pk (both nil: it
// is free and has left at once).
func (s *Stack) tapSegment(sg *segment, from *host, to NodeID, ctl control, f *Flow, pk *packet) {
	if !s.tap.sees(from.id, to) {
		return
	}
	l := s.newLog(s.controlTransmission(from, to, ctl, sg.delay), f, pk)
	if f == nil && !pk.onWire() {
		s.report(l)
		return
	}
	s.tap.segs[sg] = l
}

// tapSegmentEnd: the segment's flow ended, sent (reported) or not (forgotten).
func (s *Stack) tapSegmentEnd(sg *segment, sent bool) {
	if l, ok := s.tap.segs[sg]; ok {
		delete(s.tap.segs, sg)
		if sent {
			s.report(l)
		}
	}
}

// tapStream notes the stream segment e has just put on the wire on flow f, or as the
// packet pk if f is nil: the message out (nil for a bare ACK or FIN) or what is left
// of it.
func (s *Stack) tapStream(e *connEnd, f *Flow, pk *packet, kind segKind, out *outgoing) {
	p := e.peer()
	if !s.tap.sees(e.h.id, p.h.id) {
		return
	}
	t := Transmission{Conn: ConnID{e.c}, From: e.Local(), To: p.Local(), Delay: e.route.Delay, Again: e.resending}
	switch kind {
	case segACK:
		t.Kind = TapACK
	case segFIN:
		t.Kind = TapFIN
	default:
		t.Kind, t.Message, t.Bytes = TapData, out.m, out.m.SizeBytes
		if e.left > 0 {
			t.Offset, t.Bytes, t.Again = out.m.SizeBytes-e.left, e.left, true
		}
	}
	s.tap.streams[e] = s.newLog(t, f, pk)
}

// tapStreamEnd: the stream segment of e has wholly left.
func (s *Stack) tapStreamEnd(e *connEnd) {
	if l, ok := s.tap.streams[e]; ok {
		delete(s.tap.streams, e)
		s.report(l)
	}
}

// tapStreamCut: the stream segment of e stopped on the wire with leftBits not sent,
// -1 if it had wholly left and was waiting for its relay's source. A cut message
// reports the bytes that left; a cut control segment is forgotten.
func (s *Stack) tapStreamCut(e *connEnd, leftBits float64) {
	l, ok := s.tap.streams[e]
	if !ok {
		return
	}
	delete(s.tap.streams, e)
	if l.t.Kind != TapData {
		return
	}
	if leftBits >= 0 && l.t.wireBytes > 0 {
		leftWire := int64(math.Ceil(leftBits / 8))
		sentWire := max(l.t.wireBytes-leftWire, 0)
		l.t.Bytes = sentWire * l.t.Bytes / l.t.wireBytes
		l.t.wireBytes = sentWire
	}
	l.t.Cut = true
	s.report(l)
}

// tapDatagram notes the datagram d leaving u on flow f, or as the packet pk if f is
// nil.
func (s *Stack) tapDatagram(u *udpSocket, d datagram, delay sim.Time, dropped bool, f *Flow, pk *packet) {
	if !s.tap.sees(u.h.id, d.to.Node) {
		return
	}
	t := Transmission{Kind: TapDatagram, From: u.Local(), To: d.to, Message: d.m, Bytes: d.m.SizeBytes,
		Delay: delay, Dropped: dropped}
	s.tap.dgrams[u] = s.newLog(t, f, pk)
}

// tapDatagramEnd: u's datagram on the wire has left (reported) or was cut (forgotten).
func (s *Stack) tapDatagramEnd(u *udpSocket, sent bool) {
	if l, ok := s.tap.dgrams[u]; ok {
		delete(s.tap.dgrams, u)
		if sent {
			s.report(l)
		}
	}
}
