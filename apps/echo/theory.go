package echo

import (
	"math"

	"netsim/sim"
)

// The closed forms the programs are held against, when transmission time is
// negligible (Kurose & Ross §2.2.2's assumption for its RTT counts).

// UDPTime is one UDP exchange: the datagram there and the answer back, one RTT.
func UDPTime(rtt sim.Time) sim.Time { return rtt }

// TCPTime is one TCP exchange from connect: the handshake's RTT (SYN, SYN-ACK; the
// line rides on the ACK) and the line's RTT.
func TCPTime(rtt sim.Time) sim.Time { return 2 * rtt }

// LostFraction is the probability that a UDP exchange gets no answer when each of the
// links its two datagrams cross, counted once per crossing, drops a datagram
// independently with probability p: 1 − (1 − p)^crossings.
func LostFraction(p float64, crossings int) float64 {
	return 1 - math.Pow(1-p, float64(crossings))
}
