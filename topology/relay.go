package topology

import (
	"fmt"
	"math"

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
	// LocalPort, for Dial, is the port the dialling end sends from, for a protocol
	// that dials from a well-known port (FTP's active data connection leaves port 20,
	// RFC 959 §3.2); it must be below the ephemeral range (1..49151). 0: an ephemeral
	// port. It does not shape the rate.
	LocalPort int
}

// DefaultInitialWindowBytes is RFC 6928's initial window of ten 1460-byte segments.
const DefaultInitialWindowBytes = 10 * 1460

// Arrival is a message still arriving on a connection.
type Arrival struct {
	Message
	sender   *connEnd   // the end sending it
	relays   []*connEnd // ends forwarding it
	received bool       // the whole message is here
	lost     bool       // it never will be: its sender's end died
}

// Received reports whether the whole message has arrived.
func (a *Arrival) Received() bool { return a.received }

// Stalled reports whether the message has stopped arriving before its end: its
// sender is gone or is retransmitting into silence. It is what a receiver sees when
// segments stop coming, and what an inactivity timeout should ask when it expires (an
// Arrival made outside the stack counts as stalled).
func (a *Arrival) Stalled() bool {
	if a.received {
		return false
	}
	e := a.sender
	return a.lost || e == nil || e.state == endDead || e.rtx || e.stalled
}

// flow is the flow carrying the message now, nil if none (it has left its sender, or
// is waiting to be sent again).
func (a *Arrival) flow() *Flow {
	if e := a.sender; e != nil && len(e.queue) > 0 && e.queue[0].arr == a {
		return e.sending
	}
	return nil
}

// receive: the whole message is here; relays that were held back by it finish.
func (a *Arrival) receive() {
	if a.received || a.lost {
		return
	}
	a.received = true
	relays := a.relays
	a.relays = nil
	for _, e := range relays {
		if e.state != endDead && e.waiting && len(e.queue) > 0 && e.queue[0].from == a {
			e.waiting = false
			e.finishSend()
		}
	}
}

// lose marks the message as never to arrive: the relays forwarding it stall, their
// flows aborted, since they cannot send bits they will never have.
func (a *Arrival) lose() {
	if a.received || a.lost {
		return
	}
	a.lost = true
	for _, e := range a.relays {
		if e.state == endDead || len(e.queue) == 0 || e.queue[0].from != a {
			continue
		}
		e.stalled = true
		e.waiting = false
		if e.sending != nil {
			e.stack().net.Abort(e.sending)
			e.sending = nil
		}
	}
	a.relays = nil
}

// shaping is an end's rate limits beyond its max-min share: a window, slow start, a
// pacing rate. Ends with none have no shaping.
type shaping struct {
	opts   TCPOptions
	cwndB  float64     // congestion window in bytes, with SlowStart
	growth sim.EventID // the next doubling of cwnd
	pacing float64     // SetPacingRate's cap in bit/s, 0 for none
}

func newShaping(opts TCPOptions) *shaping {
	opts.LocalPort = 0
	if opts == (TCPOptions{}) {
		return nil
	}
	sh := &shaping{opts: opts}
	if opts.SlowStart {
		sh.cwndB = float64(opts.InitialWindowBytes)
		if sh.cwndB <= 0 {
			sh.cwndB = DefaultInitialWindowBytes
		}
		if w := float64(opts.WindowBytes); w > 0 && sh.cwndB > w {
			sh.cwndB = w
		}
	}
	return sh
}

// capBps is the rate the window and the pacing rate allow now; 0 for none.
func (e *connEnd) capBps() float64 {
	sh := e.shape
	if sh == nil {
		return 0
	}
	limit := sh.pacing
	w := float64(sh.opts.WindowBytes)
	if sh.opts.SlowStart && (w == 0 || sh.cwndB < w) {
		w = sh.cwndB
	}
	if rtt := e.c.rtt; w > 0 && rtt > 0 {
		if byWindow := w * 8 / rtt.Seconds(); limit == 0 || byWindow < limit {
			limit = byWindow
		}
	}
	return limit
}

func (e *connEnd) SetPacingRate(bps float64) error {
	if !(bps >= 0) || math.IsInf(bps, 1) {
		return fmt.Errorf("%s: pacing rate %v bit/s: want a finite rate >= 0", e.h.Name(), bps)
	}
	if e.state == endDead {
		return e.wrap("pace", e.err())
	}
	if e.shape == nil {
		e.shape = &shaping{}
	}
	e.shape.pacing = bps
	if e.sending != nil {
		e.stack().net.SetCap(e.sending, e.capBps())
	}
	return nil
}

// started is called when a flow of e starts: slow start grows the window every RTT
// while data is queued.
func (sh *shaping) started(e *connEnd) {
	if sh.opts.SlowStart && sh.growth == 0 && e.c.rtt > 0 {
		sh.growth = e.h.After(e.c.rtt, func() { sh.grow(e) })
	}
}

// grow doubles the congestion window, one RTT after the last doubling (slow start).
func (sh *shaping) grow(e *connEnd) {
	sh.growth = 0
	if e.sending == nil && !e.pkt.onWire() {
		return
	}
	sh.cwndB *= 2
	w := float64(sh.opts.WindowBytes)
	if w > 0 && sh.cwndB >= w {
		sh.cwndB = w
	}
	if e.sending != nil {
		e.stack().net.SetCap(e.sending, e.capBps())
	}
	if w == 0 || sh.cwndB < w {
		sh.growth = e.h.After(e.c.rtt, func() { sh.grow(e) })
	}
}

func (sh *shaping) stop(e *connEnd) {
	if sh.growth != 0 {
		e.h.Cancel(sh.growth)
		sh.growth = 0
	}
}
