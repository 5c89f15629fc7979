package topology

import (
	"fmt"
	"math"
)

// The allocator keeps every flow's rate equal to the max-min fair allocation: the
// unique feasible allocation in which no rate can grow without shrinking a rate that is
// no larger (Bertsekas & Gallager, "Data Networks", §6.5.2). It is characterized flow
// by flow: an allocation is max-min fair iff it is feasible and every flow is at its cap
// or crosses a saturated link on which no flow has a larger rate (its bottleneck).
//
// One event (a start, a completion, a cap change) is handled by an incremental solve:
//
//  1. The solve set S starts as the flows on the links of the flow that changed.
//  2. Fill: progressive filling (B&G §6.5.2) of S alone, from zero, against each link's
//     residual capacity (its capacity less the rates of the flows outside S). All
//     unfrozen flows of S rise together; a link saturates at level
//     (residual − frozen rates)/(unfrozen flows), and those levels only rise as flows
//     freeze, so a heap with lazily discarded stale entries finds the next one. A flow
//     freezes when a link it crosses saturates or it reaches its cap.
//  3. Check: a flow of S frozen on a link where an outside flow is faster, or an
//     outside flow sharing a link with a flow of S whose rate changed and which is no
//     longer at its cap nor bottlenecked, violates the characterization; such
//     outside flows join S and the fill is redone.
//  4. When nothing joins, every flow satisfies the characterization (the others are
//     untouched and were fine before), so the allocation is the max-min one, which is
//     unique. Rates within the precision of their old value are kept; only flows whose
//     rate changed are brought up to date and have their completion moved.
//
// Each flow remembers a link where it was last found bottlenecked (or that it is at its
// cap); a flow next to a change whose bottleneck link did not change needs no check.
// An event that provably moves no rate but its own flow's (a start that fits at its
// cap, a completion next to flows all at their caps) skips the solve: fastpath.go.
// A round costs O(m log m) for the m (flow, link) pairs of S, plus one scan of each
// link next to a changed rate; S holds the flows whose rates really move and the
// flows on their links. Nothing depends on the number of unrelated flows. Rounds
// repeat the fill of the whole of S, which keeps S growing and so guarantees that the
// loop ends (at worst S is every flow).

// DefaultPrecision is the allocator's default relative precision: a rate that moves by
// less than this fraction is not a change.
const DefaultPrecision = 1e-9

const (
	hintNone int32 = -2 // not known: a full check is needed
	hintCap  int32 = -1 // at its cap
)

// flowState is the allocator's state and its reusable scratch.
type flowState struct {
	precision  float64
	solveNo    uint64 // Flow.solveStamp: member of the current solve set
	round      uint64 // link stamps and Flow.chkStamp
	op         uint64 // Flow.notifyStamp
	set        []*Flow
	linkSet    []LinkID
	aff        []LinkID // links of flows whose rate changed this round
	hinted     []*Flow  // outside flows checked this round, with newHint
	heap       []lvlItem
	members    []*Flow // the set's flows grouped by link, for the fill
	relayQueue []*Flow
	notify     []*Flow
	stats      FlowStats
}

func (fs *flowState) init() { fs.precision = DefaultPrecision }

// MinPrecision is the smallest precision the allocator uses: a few units in the last
// place of a float64. Below it, rounding alone would make rates flap (a relay's cap
// following its feeder's rate would never settle).
const MinPrecision = 1e-14

// SetPrecision sets the allocator's relative precision (default DefaultPrecision). A
// smaller value propagates smaller rate changes further; values below MinPrecision,
// including 0, mean MinPrecision. It panics unless 0 <= rel < 1e-3.
func (n *Network) SetPrecision(rel float64) {
	if !(rel >= 0 && rel < 1e-3) {
		panic(fmt.Sprintf("topology: SetPrecision(%v): want 0 <= rel < 1e-3", rel))
	}
	n.flows.precision = math.Max(rel, MinPrecision)
	n.recountCaps()
}

// changed reports whether a rate moving from old to new is a change at the precision.
func (fs *flowState) changed(old, new float64) bool {
	if old == new {
		return false
	}
	if math.IsInf(old, 1) || math.IsInf(new, 1) {
		return true
	}
	return math.Abs(new-old) > fs.precision*math.Max(old, new)
}

// solve re-establishes the max-min allocation after seed's cap changed or it was added,
// or after a flow left seedLinks (seed nil). The flows on seedLinks start the solve set.
func (n *Network) solve(seed *Flow, seedLinks []LinkID) {
	fs := &n.flows
	fs.solveNo++
	fs.stats.Solves++
	set := fs.set[:0]
	fs.set = set
	if seed != nil {
		n.join(seed)
	}
	for _, l := range seedLinks {
		for _, e := range n.links[l].flows {
			if e.inSet != fs.solveNo {
				n.join(e.f)
			}
		}
	}
	for {
		fs.round++
		fs.stats.Rounds++
		fs.stats.Filled += uint64(len(fs.set))
		n.fill()
		if !n.check() {
			break
		}
	}
	n.commit()
}

// fill sets newRate for every flow of the solve set by progressive filling against
// the residual capacities left by the flows outside it. O(m log m) for m the number of
// (flow, link) pairs of the set: it never walks a flow outside the set.
func (n *Network) fill() {
	fs := &n.flows
	round := fs.round
	links := n.links
	// The set's flows are listed per link (in members, by counting sort) so that the
	// fill never walks the flows outside the set; the residual comes from the link's
	// load, which holds the committed rates of all its flows.
	ls := fs.linkSet[:0]
	for _, f := range fs.set {
		f.frozen = false
		f.newRate = 0
		f.satLink = -1
		for _, l := range f.links {
			lk := &links[l]
			if lk.roundStamp != round {
				lk.roundStamp = round
				lk.members, lk.frozenBps = 0, 0
				ls = append(ls, l)
			}
			lk.members++
			lk.frozenBps += f.rate // for now: the set's committed rates here
		}
	}
	fs.linkSet = ls
	h := fs.heap[:0]
	var total int32
	for _, l := range ls {
		lk := &links[l]
		resid := lk.capacityBps - (lk.load() - lk.frozenBps)
		if resid < 0 { // outside rates kept within the precision may overshoot
			resid = 0
		}
		lk.residBps, lk.frozenBps, lk.unfrozen = resid, 0, lk.members
		lk.first, lk.next = total, total
		total += lk.members
		lk.version++
		h = lvlPush(h, lvlItem{resid / float64(lk.members), int32(l), lk.version})
	}
	members := fs.members[:0]
	members = append(members, make([]*Flow, total)...)
	for _, f := range fs.set {
		for _, l := range f.links {
			lk := &links[l]
			members[lk.next] = f
			lk.next++
		}
	}
	fs.members = members
	for i, f := range fs.set {
		if !math.IsInf(f.effCap, 1) {
			h = lvlPush(h, lvlItem{f.effCap, -int32(i) - 1, 0})
		}
	}
	unfrozen := len(fs.set)
	level := 0.0
	for unfrozen > 0 && len(h) > 0 {
		var it lvlItem
		it, h = lvlPop(h)
		if it.id < 0 {
			f := fs.set[-it.id-1]
			if f.frozen {
				continue
			}
			level = math.Max(level, it.level)
			h = n.freeze(f, f.effCap, -1, h)
			unfrozen--
			continue
		}
		lk := &links[it.id]
		if it.version != lk.version || lk.unfrozen == 0 {
			continue
		}
		level = math.Max(level, it.level)
		for _, g := range members[lk.first : lk.first+lk.members] {
			if !g.frozen {
				h = n.freeze(g, level, it.id, h)
				unfrozen--
			}
		}
	}
	if unfrozen > 0 {
		// Flows on no finite link and with no cap: nothing limits them.
		for _, f := range fs.set {
			if !f.frozen {
				f.frozen, f.newRate = true, math.Inf(1)
			}
		}
	}
	fs.heap = h
}

// freeze fixes g's tentative rate at r (sat is the link whose saturation froze it, or
// -1 for its cap) and raises the saturation levels of its other links.
func (n *Network) freeze(g *Flow, r float64, sat int32, h []lvlItem) []lvlItem {
	g.frozen, g.newRate, g.satLink = true, r, sat
	for _, m := range g.links {
		lk := &n.links[m]
		lk.frozenBps += r
		lk.unfrozen--
		if int32(m) == sat {
			continue // being drained by the caller; no new level needed
		}
		lk.version++
		if lk.unfrozen > 0 {
			h = lvlPush(h, lvlItem{(lk.residBps - lk.frozenBps) / float64(lk.unfrozen), int32(m), lk.version})
		}
	}
	return h
}

// check tests the characterization where the fill may have broken it, adds the
// violators to the solve set, and reports whether it added any.
func (n *Network) check() bool {
	fs := &n.flows
	stamp, round := fs.solveNo, fs.round
	links := n.links
	aff := fs.aff[:0]
	for _, f := range fs.set {
		if fs.changed(f.rate, f.newRate) {
			for _, l := range f.links {
				if lk := &links[l]; lk.affStamp != round {
					lk.affStamp = round
					aff = append(aff, l)
				}
			}
		}
	}
	fs.aff = aff
	fs.hinted = fs.hinted[:0]
	added := false
	lim := 1 + fs.precision
	// A flow of the set frozen by a link must be the largest there, or bottlenecked
	// elsewhere; if not, the faster outside flows on that link must come down.
	for i, nset := 0, len(fs.set); i < nset; i++ {
		f := fs.set[i]
		f.newHint = hintCap
		if f.satLink < 0 {
			continue
		}
		if n.bottleneckAt(f, f.satLink) {
			f.newHint = f.satLink
			continue
		}
		if h := n.findBottleneck(f); h != hintNone {
			f.newHint = h
			continue
		}
		for _, e := range links[f.satLink].flows {
			if e.inSet != stamp && e.rateBps > f.newRate*lim {
				n.join(e.f)
				added = true
			}
		}
	}
	// A flow outside the set next to a changed rate must still be bottlenecked.
	for _, l := range aff {
		for _, e := range links[l].flows {
			if e.inSet == stamp {
				continue
			}
			g := e.f
			if g.chkStamp == round {
				continue
			}
			g.chkStamp = round
			if g.hint == hintCap || (g.hint >= 0 && links[g.hint].affStamp != round) {
				continue // its cap, or its bottleneck, is as it was
			}
			if h := n.findBottleneck(g); h != hintNone {
				g.newHint = h
				fs.hinted = append(fs.hinted, g)
				continue
			}
			n.join(g)
			added = true
		}
	}
	return added
}

// join adds a flow to the solve set, at its current rate until the next fill, and
// marks its entries on its links.
func (n *Network) join(g *Flow) {
	fs := &n.flows
	g.solveStamp = fs.solveNo
	g.newRate = g.rate
	fs.set = append(fs.set, g)
	for i, l := range g.links {
		n.links[l].flows[g.pos[i]].inSet = fs.solveNo
	}
}

// tentRate is f's rate in the allocation being checked.
func (n *Network) tentRate(f *Flow) float64 {
	if f.solveStamp == n.flows.solveNo {
		return f.newRate
	}
	return f.rate
}

// findBottleneck returns hintCap if f is at its cap, else a link where f is
// bottlenecked, else hintNone.
func (n *Network) findBottleneck(f *Flow) int32 {
	if n.tentRate(f) >= f.effCap*(1-n.flows.precision) {
		return hintCap
	}
	for _, l := range f.links {
		if n.bottleneckAt(f, int32(l)) {
			return int32(l)
		}
	}
	return hintNone
}

// bottleneckAt reports whether link l is saturated and f is (within the precision)
// the fastest flow on it. O(flows on l) once per round, then O(1).
func (n *Network) bottleneckAt(f *Flow, l int32) bool {
	fs := &n.flows
	lk := &n.links[l]
	if lk.statStamp != fs.round {
		var load, mx float64
		for _, e := range lk.flows {
			r := e.rateBps
			if e.inSet == fs.solveNo {
				r = e.f.newRate
			}
			load += r
			mx = math.Max(mx, r)
		}
		lk.tentLoad, lk.tentMax, lk.statStamp = load, mx, fs.round
	}
	tol := 1 - fs.precision
	return lk.tentLoad >= lk.capacityBps*tol && n.tentRate(f) >= lk.tentMax*tol
}

// commit makes the solved rates current: flows whose rate changed are brought up to
// date at the old rate, take the new one and have their completion moved; their
// links' loads are recomputed exactly (no drift from incremental sums); their relays
// are queued for a new cap, and their hooks for settle.
func (n *Network) commit() {
	fs := &n.flows
	fs.stats.Touched += uint64(len(fs.set))
	for _, g := range fs.hinted {
		g.hint = g.newHint
	}
	for _, f := range fs.set {
		f.hint = f.newHint
		if !fs.changed(f.rate, f.newRate) {
			n.markCap(f) // its effective cap may be what changed
			continue
		}
		n.applyRate(f, f.newRate)
	}
	for _, l := range fs.aff {
		n.links[l].recomputeLoad()
	}
}

// applyRate gives f the new rate r from now on, and does what follows from a changed
// rate: f is brought up to date at its old rate, its copies on its links and its
// completion follow, its below-cap counts are redone, its relays are queued for a new
// cap and its hook for settle. Link loads are the caller's to update.
func (n *Network) applyRate(f *Flow, r float64) {
	fs := &n.flows
	fs.stats.RateChanges++
	f.advance(n.k.Now())
	f.rate = r
	for i, l := range f.links {
		n.links[l].flows[f.pos[i]].rateBps = r
	}
	n.schedule(f)
	n.markCap(f)
	if len(f.relays) > 0 {
		fs.relayQueue = append(fs.relayQueue, f.relays...)
	}
	if f.OnRateChange != nil && f.notifyStamp != fs.op {
		f.notifyStamp = fs.op
		fs.notify = append(fs.notify, f)
	}
}

// recomputeLoad sums the rates of the link's flows afresh, compensated like addLoad.
func (lk *link) recomputeLoad() {
	lk.loadBps, lk.loadErr = 0, 0
	for _, e := range lk.flows {
		lk.loadBps, lk.loadErr = neumaier(lk.loadBps, lk.loadErr, e.f.rate)
	}
}

// lvlItem is a heap entry of the fill: a link's saturation level (id >= 0, valid
// while version matches) or a flow's cap (id = -1 - index in the solve set).
type lvlItem struct {
	level   float64
	id      int32
	version int32
}

func lvlLess(a, b lvlItem) bool {
	if a.level != b.level {
		return a.level < b.level
	}
	return a.id < b.id
}

func lvlPush(h []lvlItem, it lvlItem) []lvlItem {
	h = append(h, it)
	for i := len(h) - 1; i > 0; {
		p := (i - 1) / 2
		if !lvlLess(h[i], h[p]) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
	return h
}

func lvlPop(h []lvlItem) (lvlItem, []lvlItem) {
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h = h[:last]
	for i := 0; ; {
		c := 2*i + 1
		if c >= len(h) {
			break
		}
		if c+1 < len(h) && lvlLess(h[c+1], h[c]) {
			c++
		}
		if !lvlLess(h[c], h[i]) {
			break
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
	return top, h
}
