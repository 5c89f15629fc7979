package topology

import (
	"math"

	"netsim/sim"
)

// Packets: small segments and datagrams sent without a flow (TCPParams.PacketBytes,
// UDPParams.PacketBytes; off by default).
//
// In the fluid model every message is a flow: a 9-byte BitTorrent have or a 17-byte
// request takes a max-min share of every link it crosses for the microseconds it
// lasts, and its start and its end each re-solve the rates of the flows around it;
// in a swarm or a DHT, where such messages are most of the messages, that is most of
// the run's cost. A packet is what a small message is on a real network: one IP
// packet, which a router forwards whole at line rate between the packets of the
// long transfers. A packet
//
//   - leaves in its turn: behind what its connection (or socket) has on the wire and
//     queued before it, and holding back what is queued after it, as a flow would;
//   - takes T = ⌈8·S/C⌉ (to the nanosecond), S its size on the wire and C the
//     smallest capacity on its route, or the connection's window or pacing cap if
//     that is lower; then arrives a propagation delay later, as a flow's last bit;
//   - takes no share of any link: the flows it crosses keep their rates, and nothing
//     is re-solved.
//
// A segment goes as a packet only where it would start a flow: one that follows a
// flow of its stream back to back on the same route goes on that flow (drain), which
// is exact and as cheap.
//
// Error bounds, against the same message sent as a flow (the fluid model):
//
//   - the packet: a flow of S bytes at its max-min rate r ≤ C lasts 8·S/r, so the
//     packet leaves no later, and earlier by less than 8·S/r (on a link shared by k
//     flows, r = C/k: the fluid model makes a small message wait for its share, a
//     real router serves it within a packet time);
//   - every other flow: the packets' bits are charged to no one, so on a link l a
//     flow gets at most 8·B_l/C_l seconds of the link's capacity more than in the
//     fluid model, B_l the bytes of packets that crossed l while it was active (the
//     packets' share of the traffic: for BitTorrent's haves and requests beside its
//     16 KiB blocks, about 10⁻³).
//
// Counts stay true: a packet is counted in bytes and messages sent and received as a
// flow would be, and a tap sees it as a transmission of its S bytes at rate C. A link
// of its route that fails while it is on the wire loses it whole, found when its last
// bit has left (at most T after a flow would have found it): the connection
// retransmits the whole segment, a datagram is counted lost.

// packet is the segment or datagram a connection end or a UDP socket has on the wire
// as a packet; one per end or socket, made at its first packet and reused.
type packet struct {
	ev         sim.EventID // its last bit leaving; 0 when none is on the wire
	start, end sim.Time
	bits       float64
	bps        float64 // its rate: C, +Inf if no link or cap limits it
	route      Route
	epoch      uint64 // the network's FailEpoch when it left
	done       func() // the end's or socket's handler of ev, made once

	// A connection end's direct segment (tcp.go), sent with no event at end: land is
	// its landing event, id its message's, while the kernel's time is before end;
	// wake, the event that sends what was queued behind it; wakeFn, made once.
	land   sim.EventID
	wake   sim.EventID
	wakeFn func()
	id     SendID
}

// onWire reports whether pk is on the wire with an event at its end (a nil packet is
// not).
func (pk *packet) onWire() bool { return pk != nil && pk.ev != 0 }

// leaving reports whether pk is a direct segment whose last bit has not left at now.
func (pk *packet) leaving(now sim.Time) bool { return pk != nil && pk.land != 0 && now < pk.end }

// send puts a packet of sizeBytes (> 0) on route r now, at the route's bottleneck
// capacity or capBps if that is lower and not 0.
func (pk *packet) send(n *Network, r Route, sizeBytes int64, capBps float64) {
	pk.sendAt(n, r, sizeBytes, capped(n.bottleneckBps(r), capBps))
}

// capped is the rate bps held to capBps, if that is lower and not 0.
func capped(bps, capBps float64) float64 {
	if capBps > 0 {
		return math.Min(bps, capBps)
	}
	return bps
}

// sendAt is send at rate bps: the caller knows r's bottleneck (a connection keeps its
// route's, which changes only with the route, since a link's capacity is fixed).
func (pk *packet) sendAt(n *Network, r Route, sizeBytes int64, bps float64) {
	pk.put(n, r, sizeBytes, bps)
	pk.ev = n.k.At(pk.end, pk.done)
}

// put puts the packet on the wire now, with no event at its end (a direct segment's,
// tcpdirect.go, or sendAt's, which schedules it).
func (pk *packet) put(n *Network, r Route, sizeBytes int64, bps float64) {
	now := n.k.Now()
	pk.start, pk.bits, pk.bps = now, 8*float64(sizeBytes), bps
	pk.end = now + wireTime(now, pk.bits, bps)
	pk.route, pk.epoch = r, n.FailEpoch()
}

// wireTime is how long bits take to leave at bps from now, rounded up to the kernel's
// tick and never past sim.Never; 0 if bps is unlimited.
func wireTime(now sim.Time, bits, bps float64) sim.Time {
	if !finite(bps) {
		return 0
	}
	return min(sim.SecondsCeil(bits/bps), sim.Never-now)
}

// leftBits returns the bits of the packet on the wire not yet sent at now.
func (pk *packet) leftBits(now sim.Time) float64 {
	if now >= pk.end {
		return 0
	}
	return pk.bits * float64(pk.end-now) / float64(pk.end-pk.start)
}

// cancel takes the packet off the wire (its sender crashed, reset or closed).
func (pk *packet) cancel(k *sim.Kernel) {
	if pk.onWire() {
		k.Cancel(pk.ev)
		pk.ev = 0
	}
}

// sent is the packet's last bit leaving: it reports whether the packet made it onto
// every link of its route, that is, none failed since it left.
func (pk *packet) sent(n *Network) bool {
	pk.ev = 0
	return !n.RouteBroken(pk.route, pk.epoch)
}
