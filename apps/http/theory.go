package http

import "math"

// PageLoadRTTs is the page load time in RTTs of a base HTML file referencing k small
// objects, when transmission times are negligible (Kurose & Ross §2.2.2 and the
// chapter's problems on parallel and persistent connections):
//
//	non-persistent, serial:    2(k+1)         (2 RTT per object: handshake, request)
//	non-persistent, P at once: 2 + 2⌈k/P⌉     (the base, then ⌈k/P⌉ rounds of 2 RTT)
//	persistent, no pipelining: 2 + k          (one handshake, then 1 RTT per object)
//	persistent, pipelining:    2 + 1          (all k requests back to back; 2 if k = 0)
//
// p matters only in Parallel mode. It panics on an unknown mode or p < 1 there.
func PageLoadRTTs(mode Mode, k, p int) int {
	switch mode {
	case NonPersistent:
		return 2 * (k + 1)
	case Parallel:
		if p < 1 {
			panic("http: PageLoadRTTs: P < 1")
		}
		return 2 + 2*((k+p-1)/p)
	case Persistent:
		return 2 + k
	case Pipelined:
		if k == 0 {
			return 2
		}
		return 3
	}
	panic("http: PageLoadRTTs: unknown mode " + string(mode))
}

// ConnectionsPerPage is the number of TCP connections a browser opens to load a base
// HTML file referencing k objects (Kurose & Ross §2.2.2): with non-persistent
// connections, serial or P at once, a new one for every object, k + 1 with the base;
// with a persistent connection, pipelined or not, one for the whole page. It panics
// on an unknown mode.
func ConnectionsPerPage(mode Mode, k int) int {
	switch mode {
	case NonPersistent, Parallel:
		return k + 1
	case Persistent, Pipelined:
		return 1
	}
	panic("http: ConnectionsPerPage: unknown mode " + string(mode))
}

// FluidPageLoad is the page load time in seconds of a base of baseBytes and k objects
// of objBytes each, when transmission matters, in the fluid model netsim simulates:
// one bottleneck of linkBps that connections open at the same time share equally, a
// window of windowBytes capping each connection at windowBytes·8/rtt (0: no cap), and
// message headers neglected. Each fetch costs its RTTs as in PageLoadRTTs plus the
// time its bytes take at the rate its connection gets:
//
//	base:           2·rtt + B/r(1)
//	non-persistent: k·(2·rtt + S/r(1))
//	P at once:      Σ over rounds of n = min(P, left) objects: 2·rtt + S/r(n)
//	persistent:     k·(rtt + S/r(1))
//	pipelining:     rtt + k·S/r(1)
//
// where r(n) = min(linkBps/n, windowBytes·8/rtt) is the rate of each of n concurrent
// connections. Sizes are in bytes, rtt in seconds.
func FluidPageLoad(mode Mode, k, p int, rtt float64, baseBytes, objBytes float64, linkBps, windowBytes float64) float64 {
	r := func(n int) float64 {
		rate := linkBps / float64(n)
		if windowBytes > 0 && rtt > 0 {
			rate = math.Min(rate, windowBytes*8/rtt)
		}
		return rate
	}
	t := 2*rtt + baseBytes*8/r(1)
	obj := objBytes * 8
	switch mode {
	case NonPersistent:
		t += float64(k) * (2*rtt + obj/r(1))
	case Parallel:
		if p < 1 {
			return math.NaN()
		}
		for left := k; left > 0; left -= p {
			n := min(p, left)
			t += 2*rtt + obj/r(n)
		}
	case Persistent:
		t += float64(k) * (rtt + obj/r(1))
	case Pipelined:
		if k > 0 {
			t += rtt + float64(k)*obj/r(1)
		}
	default:
		return math.NaN()
	}
	return t
}
