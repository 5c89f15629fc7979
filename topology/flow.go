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
	// the arrival rate to its end. When Feeder is aborted or fails, the bound is
	// lifted and only CapBps remains (the model cannot stall the relay, and the
	// feeder's last rate may be 0). A Feeder that has already ended, or has size 0,
	// bounds nothing: the relay has all the data it will get.
	Feeder *Flow
}

// Flow is a quantity of data moving along a route at the rate the network allocates
// to it. Its state changes only through the Network's methods and its completion.
//
// A million flows can be active at once (P2P distribution to a thousand peers), so the
// struct is kept to 128 bytes, a size class of Go's allocator: a route of up to two
// links is held inline, the solver's scratch lives in flowState, and what can be
// derived (the feeder's bound, the route's delay) is not stored.
type Flow struct {
	// The first 64 bytes are what the solver reads of a flow, in one cache line (a
	// 128-byte object is 128-byte aligned); the second, what only its own events do.

	short [2]hop    // the route's links if it has at most two, finite ones first (rev: swapped)
	long  *longPath // else the route
	// rate is the rate in bit/s while the flow is active, and its last rate after:
	// the bound a completed feeder leaves its relays (FlowOptions.Feeder).
	rate    float64
	effCap  float64 // min(capBps, the feeder's bound)
	remBits float64 // bits not yet sent as of last
	// idx is the flow's index in flowState.set while it is in a solve set, or in
	// flowState.checked while the solver checks it from outside; in flowState.zeros
	// while it is a pending flow of size 0. Membership is idx pointing back at the
	// flow, so nothing needs clearing between solves.
	idx    int32
	hint   int16 // index in fin() of a link where it is bottlenecked, hintCap, or hintNone
	nshort uint8 // links in short
	nfin   uint8 // finite ones among them
	flags  flowFlags
	state  flowStatus
	capped bool  // rate >= effCap within the precision; counted in link.belowCap if not
	queued bool  // in flowState.notify
	relays int32 // 1 + the index of its relays' list in flowState.relayLists; 0 for none

	// OnRateChange, if set, is called after an event that changed the flow's rate, once
	// the whole allocation is consistent again. It may call back into the network
	// (SetCap, StartFlow, Abort).
	OnRateChange func(*Flow)

	n         *Network
	onDone    func(*Flow)
	feeder    *Flow // the flow whose rate bounds this one's, nil for none
	sizeBytes int64
	last      sim.Time    // when remBits was last brought up to date
	capBps    float64     // the caller's cap; +Inf for none
	ev        sim.EventID // pending completion, 0 if none
}

// hop is one link of a flow's route and the flow's index in that link's list.
type hop struct {
	link LinkID
	pos  int32
}

// longPath is the route of a flow crossing more than two links.
type longPath struct {
	links []LinkID // as given to StartFlow
	hops  []hop    // the same links, those of finite capacity first
	nfin  int
}

type flowStatus uint8

// flowFlags are a flow's boolean marks, one byte for all of them.
type flowFlags uint8

const (
	flagRev flowFlags = 1 << iota // short holds the route's two links in reverse order
	// flagKeep: the flow carries a stream (a connection's or a socket's queue of
	// segments), and may go on with the next one when it completes (drain).
	flagKeep
	// flagDraining: the flow's bits have all left and its onDone is running; it
	// still holds its share, and either the owner extends it with the next segment
	// of its stream or it leaves when onDone returns.
	flagDraining
)

const (
	flowActive flowStatus = iota
	flowDone
	flowAborted
	flowFailed
)

// maxRouteLinks bounds a flow's route: its hint is an int16 index into the route.
const maxRouteLinks = math.MaxInt16

// fin returns the flow's hops over finite-capacity links: the only ones that
// constrain, and so the only ones the solver reads.
func (f *Flow) fin() []hop {
	if f.long != nil {
		return f.long.hops[:f.long.nfin]
	}
	return f.short[:f.nfin]
}

// hops returns all the flow's hops, unconstrained links included.
func (f *Flow) hops() []hop {
	if f.long != nil {
		return f.long.hops
	}
	return f.short[:f.nshort]
}

// setPath records the route's links; nfin of them have a finite capacity.
func (f *Flow) setPath(links []LinkID, nfin int, n *Network) {
	if len(links) > len(f.short) {
		p := &longPath{links: links, hops: make([]hop, 0, len(links)), nfin: nfin}
		for _, l := range links {
			if finite(n.links[l].capacityBps) {
				p.hops = append(p.hops, hop{link: l})
			}
		}
		for _, l := range links {
			if !finite(n.links[l].capacityBps) {
				p.hops = append(p.hops, hop{link: l})
			}
		}
		f.long = p
		return
	}
	f.nshort, f.nfin = uint8(len(links)), uint8(nfin)
	for i, l := range links {
		f.short[i].link = l
	}
	if nfin == 1 && len(links) == 2 && !finite(n.links[links[0]].capacityBps) {
		f.short[0].link, f.short[1].link = links[1], links[0]
		f.flags |= flagRev
	}
}

// Rate returns the flow's current rate in bit/s (0 once it has ended).
func (f *Flow) Rate() float64 {
	if f.n.flows.due {
		f.n.flushInstant() // the rates as of now (instant.go)
	}
	if f.state != flowActive {
		return 0
	}
	return f.rate
}

// RemainingBits returns the bits still to send now. O(1): remaining is brought up to
// date lazily, only when the rate changes, and computed here for the moment asked.
func (f *Flow) RemainingBits() float64 {
	if f.state != flowActive {
		// A flow that failed or was aborted keeps the bits it had not sent: what
		// TCP sends again over a new route.
		return f.remBits
	}
	dt := f.n.k.Now() - f.last
	if dt <= 0 || f.rate == 0 {
		return f.remBits
	}
	return math.Max(0, f.remBits-f.rate*dt.Seconds())
}

// SizeBytes returns the size the flow was started with: for a connection's or a
// socket's flow, which carries its segments one after another, the current segment's.
func (f *Flow) SizeBytes() int64 { return f.sizeBytes }

// Route returns the route the flow was started on. O(its links).
func (f *Flow) Route() Route {
	var r Route
	if f.long != nil {
		r.Links = f.long.links
	} else if f.nshort > 0 {
		r.Links = make([]LinkID, f.nshort)
		for i := range r.Links {
			r.Links[i] = f.short[i].link
		}
		if f.flags&flagRev != 0 {
			r.Links[0], r.Links[1] = r.Links[1], r.Links[0]
		}
	}
	for _, l := range r.Links {
		r.Delay += f.n.links[l].delay
	}
	return r
}

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

// Failed reports whether the flow failed: a link of its route went down while it was
// active, or was down when it started (FailLink).
func (f *Flow) Failed() bool { return f.state == flowFailed }

// feedBound is the bound f's feeder puts on its rate: the feeder's rate while it is
// active, its last rate once it has completed, none if it was aborted or failed.
func (f *Flow) feedBound() float64 {
	if fd := f.feeder; fd != nil && (fd.state == flowActive || fd.state == flowDone) {
		return fd.rate
	}
	return math.Inf(1)
}

// StartFlow starts moving sizeBytes along r and returns the flow. onDone (which may be
// nil) is called when the last bit has left the sender in the fluid model; the route's
// propagation delay to the receiver is for the caller to add. A flow of size 0
// completes at once, in an event scheduled now (onDone is never called re-entrantly).
// A flow whose route crosses a link that is down fails at once: it takes no share of
// any link, and its onDone, with Failed() true, runs in an event scheduled now.
//
// The rates of the flows sharing a link with the new one are re-solved incrementally:
// the cost is that of the flows whose rates change, not of all flows (see maxmin.go);
// a flow that fits at its cap changes no other rate and costs O(its path) (fastpath.go).
// A negative size, a negative or NaN cap, a link not in the network, a route of more
// than 32767 links or a feeder from another network is a bug in the caller and panics.
func (n *Network) StartFlow(r Route, sizeBytes int64, opts FlowOptions, onDone func(*Flow)) *Flow {
	if sizeBytes < 0 {
		panic(fmt.Sprintf("topology: StartFlow with negative size %d", sizeBytes))
	}
	capBps := checkCap("StartFlow", opts.CapBps)
	if opts.Feeder != nil && opts.Feeder.n != n {
		panic("topology: StartFlow: feeder belongs to another network")
	}
	if opts.Feeder != nil {
		n.flushInstant() // its feeder's rate bounds it: solved now, after the instant's others (instant.go)
	}
	if len(r.Links) > maxRouteLinks {
		panic(fmt.Sprintf("topology: StartFlow: route of %d links", len(r.Links)))
	}
	now := n.k.Now()
	f := &Flow{
		n: n, sizeBytes: sizeBytes, remBits: 8 * float64(sizeBytes),
		last: now, capBps: capBps, onDone: onDone,
		hint: hintNone, capped: true, // counted below cap once it has a rate
	}
	nfin, down := 0, false
	for _, l := range r.Links {
		if l < 0 || int(l) >= len(n.links) {
			panic(fmt.Sprintf("topology: StartFlow: no link %d", l))
		}
		if finite(n.links[l].capacityBps) {
			nfin++
		}
		down = down || n.isDown(l)
	}
	f.setPath(r.Links, nfin, n)
	fs := &n.flows
	fs.stats.Events++
	fs.stats.Starts++
	if down {
		f.state = flowFailed
		fs.stats.Failures++
		f.effCap = capBps
		n.k.At(now, func() {
			if f.onDone != nil {
				f.onDone(f)
			}
		})
		return f
	}
	if fd := opts.Feeder; fd != nil && fd.state == flowActive && !fd.isEmpty() {
		f.feeder = fd
		n.addRelay(fd, f)
	}
	f.effCap = math.Min(f.capBps, f.feedBound())
	if sizeBytes == 0 {
		// Nothing to send: the flow takes no share of any link, but it is listed so
		// that a link failing before its completion event fails it.
		f.idx = int32(len(fs.zeros))
		fs.zeros = append(fs.zeros, f)
		f.ev = n.k.At(now, f.completion())
		return f
	}
	hs := f.hops()
	for i := range hs {
		lk := &n.links[hs[i].link]
		hs[i].pos = int32(len(lk.flows))
		if len(lk.flows) == 0 && n.busy != nil {
			n.busyChange(hs[i].link, true)
		}
		lk.flows = append(lk.flows, linkEntry{f: f, hint: LinkID(hintNone)})
	}
	if fs.perInstant && opts.Feeder == nil {
		n.deferStart(f) // instant.go
		return f
	}
	if n.canRaise(f, f.effCap) {
		n.moveRate(f, f.effCap)
	} else {
		n.solve(f, f.fin(), 0)
	}
	n.settle()
	return f
}

// completion returns f's completion event. It is made when an event is scheduled, not
// kept in the flow (which fills its 128-byte size class): a rescheduled event keeps
// its callback, and a stream's next segment reuses the one that has just run (extend).
func (f *Flow) completion() func() { return func() { f.n.complete(f) } }

// SetCap changes the caller's cap on f's rate (0 removes it) and re-solves the rates
// around f. It does nothing if f is not active. A negative or NaN cap panics.
func (n *Network) SetCap(f *Flow, capBps float64) {
	c := checkCap("SetCap", capBps)
	if f.state != flowActive {
		return
	}
	n.flushInstant() // the feeder's bound below is its rate as of now (instant.go)
	f.capBps = c
	n.flows.stats.Events++
	n.flows.stats.CapChanges++
	n.recap(f, math.Min(f.capBps, f.feedBound()))
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

// complete is f's completion event, and runs only as that event: extend, called
// from the drain below, takes the running event's callback for f's next completion.
func (n *Network) complete(f *Flow) {
	f.ev = 0
	n.flows.stats.Events++
	if f.flags&flagKeep != 0 && f.onDone != nil && !f.isEmpty() && f.feeder == nil && f.relays == 0 {
		n.drain(f)
		return
	}
	n.flows.stats.Completions++
	n.remove(f, flowDone)
	if f.onDone != nil {
		f.onDone(f)
	}
}

// drain is the completion of a stream's flow (flagKeep): its onDone runs while the
// flow, its bits all sent, still holds its share, so that the owner can give it the
// stream's next segment (extend) when it has one for the same route at once. The set
// of active flows is then the same an instant later, so the max-min allocation is
// unchanged and no solve is needed; a start after a completion would re-solve twice
// to the same allocation. If onDone does not extend it, the flow leaves when onDone
// returns, as a completion. Anything else onDone does (starting other flows, which see
// this one's share for the instant) happens at the same instant, and the allocation
// is the same max-min one once it is over: rates differ from the remove-then-start
// order only by rounding. A flow that bounds relays, or is bounded by a feeder, is
// not drained: its end changes its relays' bounds.
func (n *Network) drain(f *Flow) {
	f.advance(n.k.Now())
	f.remBits = 0
	f.flags |= flagDraining
	f.onDone(f)
	if f.flags&flagDraining == 0 || f.state != flowActive {
		return
	}
	f.flags &^= flagDraining
	n.flows.stats.Completions++
	n.remove(f, flowDone)
}

// draining reports whether f is in its drain: sent, and open to extend.
func (f *Flow) draining() bool { return f.flags&flagDraining != 0 && f.state == flowActive }

// extend gives the draining flow f the next segment of its stream: sizeBytes (> 0)
// more, at cap capBps (0: none), ending with onDone. The flow keeps its rate and its
// place on its links, so nothing is re-solved unless the cap changed. The segment is
// then the flow's (SizeBytes, RemainingBits). f must be draining and not a relay.
func (n *Network) extend(f *Flow, sizeBytes int64, capBps float64, onDone func(*Flow)) {
	if !f.draining() || sizeBytes <= 0 || f.feeder != nil {
		panic("topology: extend of a flow that is not draining")
	}
	fs := &n.flows
	f.flags &^= flagDraining
	fs.stats.Extensions++
	f.onDone = onDone
	f.sizeBytes = sizeBytes
	f.remBits = 8 * float64(sizeBytes)
	f.last = n.k.Now()
	if c := checkCap("extend", capBps); c != f.capBps {
		f.capBps = c
		n.recap(f, c)
	}
	// A flow drains only inside its completion event (complete), so the event running
	// now is f's: its callback serves again, where a new one a segment was a seventh
	// of a flash crowd's allocations.
	n.scheduleWith(f, n.k.Running())
	n.settle()
}

// onRoute reports whether f was started on the route of links, in order.
func (f *Flow) onRoute(links []LinkID) bool {
	if f.long != nil {
		if len(f.long.links) != len(links) {
			return false
		}
		for i, l := range links {
			if f.long.links[i] != l {
				return false
			}
		}
		return true
	}
	if int(f.nshort) != len(links) {
		return false
	}
	switch {
	case len(links) == 0:
		return true
	case len(links) == 1:
		return f.short[0].link == links[0]
	case f.flags&flagRev != 0:
		return f.short[1].link == links[0] && f.short[0].link == links[1]
	}
	return f.short[0].link == links[0] && f.short[1].link == links[1]
}

// remove takes f off its links and re-solves the flows that shared them, unless no
// rate can change (fastpath.go). Completion leaves f's relays bound by its last rate;
// an abort releases them from it.
func (n *Network) remove(f *Flow, st flowStatus) {
	short := n.canLower(f)
	old := f.rate
	n.detach(f, st)
	fin := f.fin()
	switch {
	case f.isEmpty() || len(fin) == 0:
	case short:
		for _, h := range fin {
			n.links[h.link].addLoad(-old)
		}
		n.flows.stats.Shortcuts++
	default:
		for _, h := range fin {
			n.links[h.link].recomputeLoad()
		}
		if n.flows.perInstant {
			n.deferEnd(fin, old) // instant.go
			break
		}
		n.solve(nil, fin, old)
	}
	n.settle()
}

// detach ends f in state st: its completion is cancelled, it leaves its links' lists
// (their loads are the caller's to update) and its feeder's, and its relays are
// released from its bound if it did not complete.
func (n *Network) detach(f *Flow, st flowStatus) {
	fs := &n.flows
	if f.ev != 0 {
		n.k.Cancel(f.ev)
		f.ev = 0
	}
	f.advance(n.k.Now())
	if st == flowDone {
		f.remBits = 0
	}
	if !f.capped {
		for _, h := range f.fin() {
			n.links[h.link].belowCap--
		}
	}
	f.capped = true
	f.state = st
	f.flags &^= flagDraining
	if f.isEmpty() {
		last := len(fs.zeros) - 1
		moved := fs.zeros[last]
		fs.zeros[f.idx] = moved
		moved.idx = f.idx
		fs.zeros[last] = nil
		fs.zeros = fs.zeros[:last]
	} else {
		for _, h := range f.hops() { // read afresh: unlist may move f's own later entry
			n.unlist(h)
		}
	}
	if fd := f.feeder; fd != nil && fd.state == flowActive {
		n.dropRelay(fd)
	}
	if f.relays != 0 {
		rl := &fs.relayLists[f.relays-1]
		if st != flowDone {
			for _, r := range rl.flows {
				if r.state == flowActive {
					fs.relayQueue = append(fs.relayQueue, r)
				}
			}
		}
		n.freeRelays(f)
	}
}

// unlist takes the entry at h off its link's list by moving the last entry into its
// place, and tells the moved entry's flow its new position. O(the moved flow's route).
func (n *Network) unlist(h hop) {
	lk := &n.links[h.link]
	last := int32(len(lk.flows) - 1)
	if h.pos != last {
		moved := lk.flows[last]
		lk.flows[h.pos] = moved
		hs := moved.f.hops()
		for i := range hs {
			// A route given by hand may cross a link twice: the position tells which.
			if hs[i].link == h.link && hs[i].pos == last {
				hs[i].pos = h.pos
				break
			}
		}
	}
	lk.flows[last] = linkEntry{}
	lk.flows = lk.flows[:last]
	if last == 0 && n.busy != nil {
		n.busyChange(h.link, false)
	}
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
// no completion event. A flow so slow that it would end past the int64 range gets its
// event at Never, beyond the kernel's Horizon: a run stopped there says so, rather
// than ending as if the flow were not there.
func (n *Network) schedule(f *Flow) { n.scheduleWith(f, nil) }

// scheduleWith is schedule with fire, if not nil, as the callback of a new event: f's
// completion event, already made.
func (n *Network) scheduleWith(f *Flow, fire func()) {
	now := n.k.Now()
	at := sim.Never
	if f.rate > 0 {
		at = now + min(sim.SecondsCeil(f.remBits/f.rate), sim.Never-now)
	}
	if !(f.rate > 0) {
		if f.ev != 0 {
			n.k.Cancel(f.ev)
			f.ev = 0
		}
		return
	}
	if f.ev != 0 {
		if was, _ := n.k.When(f.ev); was == at {
			return
		}
		if n.k.Reschedule(f.ev, at) {
			return
		}
	}
	if fire == nil {
		fire = f.completion()
	}
	f.ev = n.k.At(at, fire)
}

// settle runs what an event set off once its own solve is done: the re-solves of
// relays whose feeder's rate changed (the relay graph is a DAG, since a feeder exists
// before its relays, so this ends), then the OnRateChange hooks.
func (n *Network) settle() {
	fs := &n.flows
	if len(fs.relayQueue) > 0 {
		n.flushInstant() // the feeders' bounds below are their rates as of now (instant.go)
	}
	for i := 0; i < len(fs.relayQueue); i++ { // solve may append
		r := fs.relayQueue[i]
		if r.state != flowActive {
			continue
		}
		n.recap(r, math.Min(r.capBps, r.feedBound()))
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
		f.queued = false
	}
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

// relayList is the relays of one feeder. Relays that end stay listed until they
// outnumber the live ones (dead counts them), so a relay needs no index of its own
// and leaving costs O(1) amortised.
type relayList struct {
	flows []*Flow
	dead  int
}

func (n *Network) addRelay(fd, f *Flow) {
	fs := &n.flows
	if fd.relays == 0 {
		if k := len(fs.freeLists); k > 0 {
			fd.relays = fs.freeLists[k-1]
			fs.freeLists = fs.freeLists[:k-1]
		} else {
			fs.relayLists = append(fs.relayLists, relayList{})
			fd.relays = int32(len(fs.relayLists))
		}
	}
	rl := &fs.relayLists[fd.relays-1]
	rl.flows = append(rl.flows, f)
}

// dropRelay notes that one of fd's relays has ended.
func (n *Network) dropRelay(fd *Flow) {
	rl := &n.flows.relayLists[fd.relays-1]
	rl.dead++
	if 2*rl.dead <= len(rl.flows) {
		return
	}
	kept := rl.flows[:0]
	for _, r := range rl.flows {
		if r.state == flowActive {
			kept = append(kept, r)
		}
	}
	clear(rl.flows[len(kept):])
	rl.flows, rl.dead = kept, 0
}

func (n *Network) freeRelays(fd *Flow) {
	fs := &n.flows
	fs.relayLists[fd.relays-1] = relayList{}
	fs.freeLists = append(fs.freeLists, fd.relays)
	fd.relays = 0
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
	Events      uint64 // StartFlow, completions, SetCap and Abort calls, and link failures that failed flows
	Starts      uint64
	Completions uint64
	Extensions  uint64 // completions of a stream's flow that went on with its next segment (drain)
	CapChanges  uint64
	Aborts      uint64
	Failures    uint64 // flows failed by a link going down, or started over one that was
	Solves      uint64 // incremental solves: events and relay re-caps no shortcut settled
	Shortcuts   uint64 // events and relay re-caps settled without a solve (fastpath.go)
	Rounds      uint64 // fill-and-check rounds over all solves
	Touched     uint64 // sum over solves of the final solve-set size
	Filled      uint64 // sum over rounds of the solve-set size: the fill's work
	RateChanges uint64 // flows whose rate changed, summed over solves
}

// Stats returns the allocator's counters.
func (n *Network) Stats() FlowStats { return n.flows.stats }

// ActiveFlows returns the number of flows started and not yet completed, aborted or
// failed.
func (n *Network) ActiveFlows() int {
	s := n.flows.stats
	return int(s.Starts - s.Completions - s.Aborts - s.Failures)
}
