package topology

import (
	"slices"

	"netsim/sim"
)

// Direct segments: a small message on a connection in one kernel event, its landing.
//
// A message that goes as a packet (TCPParams.PacketBytes, packet.go) takes
// T = ⌈8·S/C⌉ on the wire whatever else crosses its links, so the event at the end of
// T that the two-event path waits for decides nothing that is not known when the
// packet leaves, unless something happens to it on the wire. A direct segment is sent
// by doing at once what that event did (connEnd.finishAt): the message leaves the
// queue, its landing is scheduled at T plus the route's delay, and the end's wire is
// busy until T has passed (packet.leaving). What could happen on the wire is handled
// when it happens:
//
//   - a message sent while the wire is busy waits in the queue, which a wake event at
//     the end of T sends (awaitDirect), as the two-event path's event did;
//   - a link of the route that fails before the end of T (Stack.linkFailed, told by
//     Network.FailLink) makes the segment what the two-event path would have had on
//     the wire: its landing is taken back, the message put back at the head of the
//     queue, and an event at the end of T finds it lost and retransmits it
//     (packetSent); a link that fails at or after the end of T, as the segment
//     propagates, does not lose it, as before;
//   - its end dying (Close's end, Abort, a crash) before the end of T takes the
//     segment off the wire (release), and the peer's host crashing puts it back in the
//     queue unsent (kill), as the two-event path's cancelled packet left it.
//
// A segment goes direct only where the event at the end of T would call no one: no
// OnSent on the sending end when it leaves (a message sent while OnSent is nil is not
// reported to an OnSent set before its last bit leaves), no Arrival for the peer, no
// tap, no slow start or pacing, not a relay's and not a retransmission's. Times are
// those of the two-event path; among events at one instant a direct segment's landing
// is queued earlier (when it leaves, not when its last bit does), and a message sent
// at the very instant the last bit of the one before leaves goes at once rather than
// behind that event. In a swarm, where most messages are lone haves and requests on
// idle connections, this halves their events.

// directSegment is an end that sent a direct segment, and when its last bit leaves.
type directSegment struct {
	e   *connEnd
	end sim.Time
}

// direct reports whether the message out, going as a packet, can go direct.
func (e *connEnd) direct(out *outgoing) bool {
	s := e.stack()
	if out == nil || out.from != nil || out.arr != nil || e.left > 0 || s.tap != nil || e.shape != nil || s.noDirect {
		return false
	}
	if e.handler != nil && e.handler.OnSent != nil {
		return false
	}
	// The peer wants no Arrival (startNext makes one otherwise).
	p := e.peer()
	return p.handler != nil && p.handler.OnArriving == nil && p.state != endSynRcvd
}

// sendDirect puts the head of the queue on the wire as a direct segment of size bytes
// at bps over r.
func (e *connEnd) sendDirect(r Route, size int64, bps float64) {
	e.pkt.put(e.stack().net, r, size, bps)
	e.pkt.id = e.queue[0].id
	e.onWire = segData
	e.finishAt(e.pkt.end)
}

// leaves notes that the segment just sent is direct and on the wire until e.pkt.end,
// its landing the event ev.
func (e *connEnd) leaves(ev sim.EventID) {
	s := e.stack()
	e.pkt.land = ev
	if len(s.leaving) >= s.leavingCap {
		now := s.k.Now()
		kept := s.leaving[:0]
		for _, d := range s.leaving {
			if d.end > now {
				kept = append(kept, d)
			}
		}
		clear(s.leaving[len(kept):])
		s.leaving = kept
		s.leavingCap = max(64, 2*len(kept))
	}
	s.leaving = append(s.leaving, directSegment{e, e.pkt.end})
}

// awaitDirect schedules the wake that sends the queue when the direct segment on the
// wire has left.
func (e *connEnd) awaitDirect() {
	pk := e.pkt
	if pk.wake != 0 {
		return
	}
	if pk.wakeFn == nil {
		pk.wakeFn = func() {
			pk.wake = 0
			e.startNext()
		}
	}
	pk.wake = e.stack().k.At(pk.end, pk.wakeFn)
}

// dropDirect takes the direct segment on the wire, if there is one, off it: its
// landing is cancelled, and its message, if requeue, put back at the head of the
// queue, started, as the two-event path had it while it was on the wire.
func (e *connEnd) dropDirect(requeue bool) {
	s := e.stack()
	pk := e.pkt
	now := s.k.Now()
	if !pk.leaving(now) {
		return
	}
	s.k.Cancel(pk.land)
	pk.land = 0
	if pk.wake != 0 {
		s.k.Cancel(pk.wake)
		pk.wake = 0
	}
	fl := e.flight()
	sg := fl.popLast() // nothing is sent while it is on the wire: it is the newest
	e.lastArrival = now
	if fl.len() > 0 {
		e.lastArrival = fl.last().at
	}
	if requeue {
		e.queue = slices.Insert(e.queue, 0, outgoing{m: sg.m, id: pk.id, started: true})
	}
}

// linkFailed is link id failing: a direct segment on the wire over it is lost, found
// at the end of its time on the wire as the two-event path finds a packet's loss.
func (s *Stack) linkFailed(id LinkID) {
	now := s.k.Now()
	for _, d := range s.leaving {
		pk := d.e.pkt
		if d.end <= now || !pk.leaving(now) || pk.end != d.end || !slices.Contains(pk.route.Links, id) {
			continue
		}
		d.e.dropDirect(true)
		pk.ev = s.k.At(pk.end, pk.done)
	}
}
