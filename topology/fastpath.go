package topology

import "math"

// Shortcuts: events that provably change no rate but the event's own flow, handled in
// O(the flow's path) without a solve.
//
// The allocation is max-min fair iff every flow is at its cap or crosses a saturated
// link on which no flow is faster (maxmin.go). A flow f whose rate moves to its
// effective cap, leaving every other rate as it is, keeps that property when:
//
//   - f's rate rises by d (a start: from 0): every link of f still fits, load + d ≤
//     capacity; and on a link that was already saturated, every flow is at its cap, so
//     none of them has that link as its bottleneck and f growing there takes nothing
//     from a bottlenecked flow. A link that was not saturated was no one's bottleneck.
//   - f's rate falls, or f leaves (a completion, an abort): the freed capacity could
//     only go to a flow bottlenecked on one of f's links; there is none if each of
//     them was not saturated or carries only flows at their caps.
//
// Flows elsewhere see no change of load or of the fastest rate on their bottlenecks.
// "At its cap" and "saturated" use the allocator's precision, as the solver's check
// does, and every link counts its flows below their caps (link.belowCap) so that
// each test is O(1) per link. Many workloads put most flows at their caps: a paced
// sender, a P2P relay held to the rate its part arrives at (apps/filedist sets every
// rate by a cap and fills links exactly), and there every start and completion is a
// shortcut.

// load is the sum of the rates of the link's flows, kept by a compensated running sum
// between exact recomputations, so that it does not drift over many shortcuts.
func (lk *link) load() float64 { return lk.loadBps + lk.loadErr }

// addLoad adds d to the link's load; an empty link's load is exactly 0.
func (lk *link) addLoad(d float64) {
	if len(lk.flows) == 0 {
		lk.loadBps, lk.loadErr = 0, 0
		return
	}
	lk.loadBps, lk.loadErr = neumaier(lk.loadBps, lk.loadErr, d)
}

// neumaier adds x to the sum s whose rounding error so far is e (Neumaier's
// compensated summation: the error of the result is about one rounding of s+e,
// whatever the number and order of the terms).
func neumaier(s, e, x float64) (float64, float64) {
	t := s + x
	if math.Abs(s) >= math.Abs(x) {
		e += (s - t) + x
	} else {
		e += (x - t) + s
	}
	return t, e
}

// saturated reports whether the link's committed load is at its capacity, within the
// precision (bottleneckAt's test).
func (fs *flowState) saturated(lk *link) bool { return fs.saturatedWith(lk, 0) }

// saturatedWith is saturated for the link's load with freedBps more: whether it was
// saturated before a flow of that rate left it, so that its flows join a solve (solve's
// seeds, and one solve per instant's, instant.go).
func (fs *flowState) saturatedWith(lk *link, freedBps float64) bool {
	return lk.load()+freedBps >= lk.capacityBps*(1-fs.precision)
}

// atCap reports whether f's committed rate is at its effective cap, within the
// precision (findBottleneck's test).
func (fs *flowState) atCap(f *Flow) bool { return f.rate >= f.effCap*(1-fs.precision) }

// markCap brings f.capped, and the below-cap counts of f's links, up to date after f's
// rate or effective cap changed. O(f's links) when the answer flips, else O(1).
func (n *Network) markCap(f *Flow) {
	c := n.flows.atCap(f)
	if c == f.capped {
		return
	}
	f.capped = c
	d := int32(1)
	if c {
		d = -1
	}
	for _, h := range f.fin() {
		n.links[h.link].belowCap += d
	}
}

// recountCaps recomputes every flow's capped mark and every link's count, after the
// precision changed. O(flows × links).
func (n *Network) recountCaps() {
	for i := range n.links {
		lk := &n.links[i]
		if !finite(lk.capacityBps) {
			continue // its flows are counted on their finite links, if any
		}
		lk.belowCap = 0
		for _, e := range lk.flows {
			e.f.capped = n.flows.atCap(e.f)
			if !e.f.capped {
				lk.belowCap++
			}
		}
	}
}

// othersBelowCap is the number of flows on lk, f excepted, below their caps.
func othersBelowCap(lk *link, f *Flow) int32 {
	if f.capped {
		return lk.belowCap
	}
	return lk.belowCap - 1
}

// shortcutSlack is how far, as a fraction of the precision times the rising rate r, a
// shortcut may fill a link past its capacity. Rates designed to fill a link exactly
// (N−1 relays at u/(N−1)) sum to it only within a few roundings, which would otherwise
// send every start on a full link to the solver; an overshoot s cuts no true max-min
// rate by more than s, and no rate that s cuts is below r(1 − s/r), so the error stays
// a small fraction of the precision.
const shortcutSlack = 0.01

// canRaise reports whether f's rate may rise to r with no other rate changing.
func (n *Network) canRaise(f *Flow, r float64) bool {
	if math.IsInf(r, 1) {
		return false
	}
	d := r - f.rate
	slack := shortcutSlack * n.flows.precision * r
	for _, h := range f.fin() {
		lk := &n.links[h.link]
		if lk.load()+d > lk.capacityBps+slack {
			return false
		}
		if n.flows.saturated(lk) && othersBelowCap(lk, f) > 0 {
			return false
		}
	}
	return true
}

// canLower reports whether f's rate may fall, or f leave, with no other rate changing.
func (n *Network) canLower(f *Flow) bool {
	for _, h := range f.fin() {
		lk := &n.links[h.link]
		if n.flows.saturated(lk) && othersBelowCap(lk, f) > 0 {
			return false
		}
	}
	return true
}

// moveRate sets f's rate to its effective cap r in a shortcut, and does what commit
// does for a changed rate: completion moved, loads updated, relays queued, hook noted.
func (n *Network) moveRate(f *Flow, r float64) {
	fs := &n.flows
	fs.stats.Shortcuts++
	n.setHint(f, hintCap)
	if !fs.changed(f.rate, r) {
		n.markCap(f)
		return
	}
	d := r - f.rate
	for _, h := range f.fin() {
		n.links[h.link].addLoad(d)
	}
	n.applyRate(f, r)
}

// recap sets f's effective cap to eff and re-establishes the allocation: by a
// shortcut where one applies, else by an incremental solve.
func (n *Network) recap(f *Flow, eff float64) {
	n.flushInstant() // the shortcuts below read the allocation as of now (instant.go)
	old := f.effCap
	if eff == old {
		return
	}
	f.effCap = eff
	if f.isEmpty() {
		return
	}
	fs := &n.flows
	switch {
	case eff > old && !f.capped && f.hint >= 0:
		// Bottlenecked on a link below its old cap, it stays so below a higher one.
		fs.stats.Shortcuts++
		return
	case eff < old && (f.rate <= eff || !fs.changed(f.rate, eff)):
		// Its rate still fits under the lower cap: nothing moves.
		fs.stats.Shortcuts++
		n.markCap(f)
		return
	case eff > old && f.capped && n.canRaise(f, eff):
		n.moveRate(f, eff)
		return
	case eff < old && n.canLower(f):
		n.moveRate(f, eff)
		return
	}
	n.solve(f, f.fin(), 0)
}
