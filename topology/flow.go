package topology

import (
	"fmt"
	"math"

	"netsim/sim"
)

// FlowOptions are the optional limits on a flow's rate.
type FlowOptions struct {
	// CapBps bounds the flow's rate in bit/s (a TCP window over the RTT, an application
	// pacing its sends). 0 means no cap.
	CapBps float64
	// Feeder, if not nil, is the flow that brings this flow its data (a P2P peer
	// relaying a part it is still receiving): this flow's rate is also bounded by
	// Feeder's rate, since a relay cannot send faster than its part arrives. When
	// Feeder completes, the bound stays at Feeder's last rate: a relay that forwards
	// bits as they arrive sends the same stream delayed by its lag, so it goes on at
	// the arrival rate to its end. When Feeder is aborted, the bound is lifted and
	// only CapBps remains (the model cannot stall the relay, and the feeder's last
	// rate may be 0). A Feeder that has already completed or been aborted, or has
	// size 0, bounds nothing: the relay has all the data it will get.
	Feeder *Flow
}

// Flow is a quantity of data moving along a route at the rate the network allocates
// to it. Its state changes only through the Network's methods and its completion.
type Flow struct {
	// OnRateChange, if set, is called after an event that changed the flow's rate, once
	// the whole allocation is consistent again. It may call back into the network
	// (SetCap, StartFlow, Abort).
	OnRateChange func(*Flow)

	n         *Network
	route     Route
	links     []LinkID // the route's finite-capacity links: the only ones that constrain
	pos       []int32  // the flow's index in each of those links' lists
	sizeBytes int64
	remBits   float64  // bits not yet sent as of last
	last      sim.Time // when remBits was last brought up to date
	rate      float64  // bit/s
	capBps    float64  // the caller's cap; +Inf for none
	feedBps   float64  // the bound from the feeder (its rate, or its last); +Inf for none
	effCap    float64  // min(capBps, feedBps)
	capped    bool     // rate >= effCap within the precision; counted in link.belowCap if not
	feeder    *Flow
	relays    []*Flow // active flows whose Feeder this is
	relayPos  int32   // index in feeder.relays while both are active
	state     flowStatus
	onDone    func(*Flow)
	ev        sim.EventID // pending completion, 0 if none
	evAt      sim.Time
	fire      func()

	// Scratch of the incremental solver (maxmin.go).
	solveStamp  uint64  // member of the solve set of solve number solveStamp
	frozen      bool    // rate fixed in the current fill
	newRate     float64 // tentative rate of the current fill
	satLink     int32   // link that froze it in the fill, or -1 for its cap
	hint        int32   // a link where it is bottlenecked, hintCap, or hintNone
	newHint     int32
	chkStamp    uint64 // checked in round chkStamp
	notifyStamp uint64
}

type flowStatus uint8

const (
	flowActive flowStatus = iota
	flowDone
	flowAborted
)

// Rate returns the flow's current rate in bit/s (0 once it has finished).
func (f *Flow) Rate() float64 { return f.rate }

// RemainingBits returns the bits still to send now. O(1): remaining is brought up to
// date lazily, only when the rate changes, and computed here for the moment asked.
func (f *Flow) RemainingBits() float64 {
	if f.state != flowActive {
		return 0
	}
	dt := f.n.k.Now() - f.last
	if dt <= 0 || f.rate == 0 {
		return f.remBits
	}
	return math.Max(0, f.remBits-f.rate*dt.Seconds())
}

// SizeBytes returns the size the flow was started with.
func (f *Flow) SizeBytes() int64 { return f.sizeBytes }

// Route returns the route the flow was started on.
func (f *Flow) Route() Route { return f.route }

// CapBps returns the caller's cap in bit/s, 0 for none.
func (f *Flow) CapBps() float64 {
	if math.IsInf(f.capBps, 1) {
		return 0
	}
	return f.capBps
}

// Feeder returns the flow's feeder, or nil.
func (f *Flow) Feeder() *Flow { return f.feeder }

// Done reports whether the flow has completed (its onDone has been or is being called).
func (f *Flow) Done() bool { return f.state == flowDone }

// Aborted reports whether the flow was aborted.
func (f *Flow) Aborted() bool { return f.state == flowAborted }

// StartFlow starts moving sizeBytes along r and returns the flow. onDone (which may be
// nil) is called when the last bit has left the sender in the fluid model; the route's
// propagation delay to the receiver is for the caller to add. A flow of size 0
// completes at once, in an event scheduled now (onDone is never called re-entrantly).
//
// The rates of the flows sharing a link with the new one are re-solved incrementally:
// the cost is that of the flows whose rates change, not of all flows (see maxmin.go);
// a flow that fits at its cap changes no other rate and costs O(its path) (fastpath.go).
// A negative size, a negative or NaN cap, a link not in the network or a feeder from
// another network is a bug in the caller and panics.
func (n *Network) StartFlow(r Route, sizeBytes int64, opts FlowOptions, onDone func(*Flow)) *Flow {
	if sizeBytes < 0 {
		panic(fmt.Sprintf("topology: StartFlow with negative size %d", sizeBytes))
	}
	capBps := checkCap("StartFlow", opts.CapBps)
	if opts.Feeder != nil && opts.Feeder.n != n {
		panic("topology: StartFlow: feeder belongs to another network")
	}
	f := &Flow{
		n: n, route: r, sizeBytes: sizeBytes, remBits: 8 * float64(sizeBytes),
		last: n.k.Now(), capBps: capBps, feedBps: math.Inf(1), onDone: onDone,
		hint: hintNone, satLink: -1, capped: true, // counted below cap once it has a rate
	}
	f.fire = func() { n.complete(f) }
	nfin := 0
	for _, l := range r.Links {
		if l < 0 || int(l) >= len(n.links) {
			panic(fmt.Sprintf("topology: StartFlow: no link %d", l))
		}
		if finite(n.links[l].capacityBps) {
			nfin++
		}
	}
	if nfin > 0 {
		f.links = make([]LinkID, 0, nfin)
		for _, l := range r.Links {
			if finite(n.links[l].capacityBps) {
				f.links = append(f.links, l)
			}
		}
	}
	if fd := opts.Feeder; fd != nil && fd.state == flowActive && !fd.isEmpty() {
		f.feeder = fd
		f.feedBps = fd.rate
		f.relayPos = int32(len(fd.relays))
		fd.relays = append(fd.relays, f)
	}
	f.effCap = math.Min(f.capBps, f.feedBps)
	n.flows.stats.Events++
	n.flows.stats.Starts++
	if sizeBytes == 0 {
		// Nothing to send: the flow takes no share of any link.
		f.links = nil
		f.evAt = n.k.Now()
		f.ev = n.k.At(f.evAt, f.fire)
		return f
	}
	f.pos = make([]int32, len(f.links))
	for i, l := range f.links {
		lk := &n.links[l]
		f.pos[i] = int32(len(lk.flows))
		lk.flows = append(lk.flows, linkEntry{f: f, k: int32(i)})
	}
	n.flows.op++
	if n.canRaise(f, f.effCap) {
		n.moveRate(f, f.effCap)
	} else {
		n.solve(f, f.links)
	}
	n.settle()
	return f
}

// SetCap changes the caller's cap on f's rate (0 removes it) and re-solves the rates
// around f. It does nothing if f is not active. A negative or NaN cap panics.
func (n *Network) SetCap(f *Flow, capBps float64) {
	c := checkCap("SetCap", capBps)
	if f.state != flowActive {
		return
	}
	f.capBps = c
	n.flows.stats.Events++
	n.flows.stats.CapChanges++
	n.flows.op++
	n.recap(f, math.Min(f.capBps, f.feedBps))
	n.settle()
}

// Abort removes an active flow without calling its onDone, and re-solves the rates of
// the flows it shared links with. Its relays keep only their own caps (see
// FlowOptions.Feeder). It reports whether f was active.
func (n *Network) Abort(f *Flow) bool {
	if f.state != flowActive {
		return false
	}
	n.flows.stats.Events++
	n.flows.stats.Aborts++
	n.remove(f, flowAborted)
	return true
}

// complete is f's completion event.
func (n *Network) complete(f *Flow) {
	f.ev = 0
	n.flows.stats.Events++
	n.flows.stats.Completions++
	n.remove(f, flowDone)
	if f.onDone != nil {
		f.onDone(f)
	}
}

// remove takes f off its links and re-solves the flows that shared them, unless no
// rate can change (fastpath.go). Completion leaves f's relays bound by its last rate;
// an abort releases them from it.
func (n *Network) remove(f *Flow, st flowStatus) {
	if f.ev != 0 {
		n.k.Cancel(f.ev)
		f.ev = 0
	}
	f.advance(n.k.Now())
	if st == flowDone {
		f.remBits = 0
	}
	fs := &n.flows
	short := n.canLower(f)
	if !f.capped {
		for _, l := range f.links {
			n.links[l].belowCap--
		}
	}
	f.capped = true
	f.state = st
	old := f.rate
	f.rate = 0 // its entries go with it
	for i, l := range f.links {
		lk := &n.links[l]
		p := f.pos[i]
		last := len(lk.flows) - 1
		if int(p) != last {
			moved := lk.flows[last]
			lk.flows[p] = moved
			moved.f.pos[moved.k] = p
		}
		lk.flows[last] = linkEntry{}
		lk.flows = lk.flows[:last]
		if short {
			lk.addLoad(-old)
		}
	}
	if fd := f.feeder; fd != nil && fd.state == flowActive {
		last := len(fd.relays) - 1
		moved := fd.relays[last]
		fd.relays[f.relayPos] = moved
		moved.relayPos = f.relayPos
		fd.relays[last] = nil
		fd.relays = fd.relays[:last]
	}
	fs.op++
	if st == flowAborted {
		for _, r := range f.relays {
			r.feedBps = math.Inf(1)
			fs.relayQueue = append(fs.relayQueue, r)
		}
	}
	f.relays = nil
	switch {
	case len(f.links) == 0:
	case short:
		fs.stats.Shortcuts++
	default:
		for _, l := range f.links {
			n.links[l].recomputeLoad()
		}
		n.solve(nil, f.links)
	}
	n.settle()
}

// isEmpty reports a flow of size 0, which holds no share of any link.
func (f *Flow) isEmpty() bool { return f.sizeBytes == 0 }

// advance brings remBits up to date at now with the current rate.
func (f *Flow) advance(now sim.Time) {
	if dt := now - f.last; dt > 0 && f.rate > 0 {
		f.remBits -= f.rate * dt.Seconds()
		if !(f.remBits > 0) {
			f.remBits = 0
		}
	}
	f.last = now
}

// schedule puts f's completion event at now + remBits/rate, rounded up once to the
// nanosecond so that it never fires before the last bit is out; a flow at rate 0 has
// no completion event.
func (n *Network) schedule(f *Flow) {
	now := n.k.Now()
	at := sim.Never
	if f.rate > 0 {
		if d := sim.SecondsCeil(f.remBits / f.rate); d < sim.Never-now {
			at = now + d
		}
	}
	if at == sim.Never {
		if f.ev != 0 {
			n.k.Cancel(f.ev)
			f.ev = 0
		}
		return
	}
	if f.ev != 0 {
		if at == f.evAt {
			return
		}
		if n.k.Reschedule(f.ev, at) {
			f.evAt = at
			return
		}
	}
	f.evAt = at
	f.ev = n.k.At(at, f.fire)
}

// settle runs what an event set off once its own solve is done: the re-solves of
// relays whose feeder's rate changed (the relay graph is a DAG, since a feeder exists
// before its relays, so this ends), then the OnRateChange hooks.
func (n *Network) settle() {
	fs := &n.flows
	for i := 0; i < len(fs.relayQueue); i++ { // solve may append
		r := fs.relayQueue[i]
		if r.state != flowActive {
			continue
		}
		if fd := r.feeder; fd != nil && fd.state == flowActive {
			r.feedBps = fd.rate
		}
		n.recap(r, math.Min(r.capBps, r.feedBps))
	}
	clear(fs.relayQueue)
	fs.relayQueue = fs.relayQueue[:0]
	if len(fs.notify) == 0 {
		return
	}
	// A hook may start another event, which collects its own list.
	list := fs.notify
	fs.notify = nil
	for _, f := range list {
		if f.state == flowActive && f.OnRateChange != nil {
			f.OnRateChange(f)
		}
	}
	if fs.notify == nil {
		clear(list)
		fs.notify = list[:0]
	}
}

func checkCap(op string, capBps float64) float64 {
	if !(capBps >= 0) {
		panic(fmt.Sprintf("topology: %s: cap %v bit/s is not >= 0", op, capBps))
	}
	if capBps == 0 {
		return math.Inf(1)
	}
	return capBps
}

// FlowStats counts the work of the flow allocator since the network was made.
type FlowStats struct {
	Events      uint64 // StartFlow, completions, SetCap and Abort calls
	Starts      uint64
	Completions uint64
	CapChanges  uint64
	Aborts      uint64
	Solves      uint64 // incremental solves: events and relay re-caps no shortcut settled
	Shortcuts   uint64 // events and relay re-caps settled without a solve (fastpath.go)
	Rounds      uint64 // fill-and-check rounds over all solves
	Touched     uint64 // sum over solves of the final solve-set size
	Filled      uint64 // sum over rounds of the solve-set size: the fill's work
	RateChanges uint64 // flows whose rate changed, summed over solves
}

// Stats returns the allocator's counters.
func (n *Network) Stats() FlowStats { return n.flows.stats }

// ActiveFlows returns the number of flows started and not yet completed or aborted.
func (n *Network) ActiveFlows() int {
	s := n.flows.stats
	return int(s.Starts - s.Completions - s.Aborts)
}
