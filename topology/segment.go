package topology

import "netsim/sim"

// A segment is one TCP control segment on its way (a SYN, SYN-ACK, RST, or a
// retransmission probe): sent as a flow of Stack.TCP.ControlBytes, so it takes its
// transmission time and its share of each link, then arrives a propagation delay
// later; as a packet if ControlBytes is at most TCPParams.PacketBytes (packet.go). Segments that belong in a connection's stream (the handshake's ACK, FIN) go
// through the connection's send queue instead.
//
// A segment that leaves a host that then crashes is aborted with the host's other
// flows. One on its way to a host that crashes is not: the sender's interface sends
// it whole, and it is dropped on arrival (the receiving incarnation is gone).
type segment struct {
	from    *host
	idx     int32 // in from.segs while its flow (or packet) is on the wire
	flow    *Flow
	pkt     *packet // instead of flow, if it is no larger than TCPParams.PacketBytes
	to      *host
	toEpoch uint32
	delay   sim.Time
	arrive  func(dst *host) // it arrived at the host it was sent to, same incarnation
	lost    func()          // it did not; may be nil
}

// sendSegment sends a control segment from one host to another. arrive runs on
// arrival at a live host of the incarnation it was sent to; lost, if not nil, runs
// when the segment cannot arrive (no route, a failed link, the sender crashed, the
// receiver crashed or rebooted meanwhile). Neither runs re-entrantly.
// ctl says what the segment is, for a tap.
func (s *Stack) sendSegment(from *host, to NodeID, ctl control, arrive func(dst *host), lost func()) {
	if !from.up {
		return
	}
	dst := s.host(to)
	sg := &segment{from: from, idx: -1, to: dst, toEpoch: dst.epoch, arrive: arrive, lost: lost}
	size := s.TCP.ControlBytes
	from.stats.SegmentsSent++
	from.stats.WireBytesSent += size
	r, err := s.net.Route(from.id, to)
	if err != nil {
		s.k.At(s.k.Now(), sg.lose)
		return
	}
	sg.delay = r.Delay
	if size == 0 {
		if s.tap != nil {
			s.tapSegment(sg, from, to, ctl, nil, nil)
		}
		s.k.At(s.k.Now()+r.Delay, sg.land)
		return
	}
	t := from.tcp()
	sg.idx = int32(len(t.segs))
	t.segs = append(t.segs, sg)
	if size <= s.TCP.PacketBytes {
		sg.pkt = &packet{}
		sg.pkt.done = func() {
			sg.unlist()
			ok := sg.pkt.sent(s.net)
			if s.tap != nil {
				s.tapSegmentEnd(sg, ok)
			}
			if !ok {
				sg.lose()
				return
			}
			s.k.At(s.k.Now()+sg.delay, sg.land)
		}
		sg.pkt.send(s.net, r, size, 0)
	} else {
		sg.flow = s.net.StartFlow(r, size, FlowOptions{}, sg.sent)
	}
	if s.tap != nil {
		s.tapSegment(sg, from, to, ctl, sg.flow, sg.pkt)
	}
}

// sent is the segment's flow ending: its last bit has left, or a link failed under it.
func (sg *segment) sent(f *Flow) {
	sg.unlist()
	if s := sg.from.s; s.tap != nil {
		s.tapSegmentEnd(sg, !f.Failed())
	}
	if f.Failed() {
		sg.lose()
		return
	}
	sg.from.s.k.At(sg.from.s.k.Now()+sg.delay, sg.land)
}

func (sg *segment) land() {
	if d := sg.to; d.up && d.epoch == sg.toEpoch {
		sg.arrive(d)
		return
	}
	sg.lose()
}

func (sg *segment) lose() {
	if sg.lost != nil {
		sg.lost()
	}
}

// unlist takes the segment off its sender's list of segments on the wire.
func (sg *segment) unlist() {
	t := sg.from.t
	i := sg.idx
	if t == nil || i < 0 || int(i) >= len(t.segs) || t.segs[i] != sg {
		return
	}
	last := len(t.segs) - 1
	moved := t.segs[last]
	t.segs[i] = moved
	moved.idx = i
	t.segs[last] = nil
	t.segs = t.segs[:last]
	sg.idx = -1
}

// abortSegments aborts the flows of the segments leaving h (it crashed): they are
// lost.
func (s *Stack) abortSegments(h *host) {
	if h.t == nil {
		return
	}
	segs := h.t.segs
	h.t.segs = nil
	for _, sg := range segs {
		sg.idx = -1
		if sg.flow != nil {
			s.net.Abort(sg.flow)
		}
		sg.pkt.cancel(s.k)
		if s.tap != nil {
			s.tapSegmentEnd(sg, false)
		}
	}
	for _, sg := range segs {
		s.k.At(s.k.Now(), sg.lose)
	}
	clear(segs)
}
