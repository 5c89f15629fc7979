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
//     freeze, so a heap of one entry a link (and one a capped flow) whose keys are
//     lower bounds, brought up to date only when they reach the top, finds the next
//     one. A flow freezes when a link it crosses saturates or it reaches its cap.
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
// less than this fraction is not a change. One part in a million times a transfer is a
// microsecond a second, below anything a scenario reports, and ten times finer than
// SimGrid's LMM solver, whose precision/work-amount is 1e-5 of a constraint's bound.
// A finer one costs time and changes nothing that shows: in a swarm whose saturated
// downlinks chain its uplinks together, each change ripples through the chain,
// shrinking at every link it shares, and at 1e-9 ripples a thousand times smaller
// than this one went on being solved and rescheduled (BenchmarkSimGridWorkload: 448
// flows filled and 99 rates changed a solve at 1e-9, 363 and 81 at 1e-6).
const DefaultPrecision = 1e-6

const (
	hintNone int16 = -2 // not known: a full check is needed
	hintCap  int16 = -1 // at its cap
)

// flowState is the allocator's state and its reusable scratch. The solver's per-flow
// and per-link scratch lives here, in dense arrays sized by the solve, rather than in
// every Flow and link: a flow records only its index (Flow.idx), membership being that
// index pointing back at it (a sparse set), and a link only a tagged index (lsTag), so
// nothing needs clearing between solves.
type flowState struct {
	precision float64
	set       []member      // the solve set
	checked   []checkedFlow // flows outside the set checked this round
	cand      []*Flow       // outside flows the check is to look at, gathered
	ls        []linkScratch // the links this round works on: the fill's first, then those checked
	// lsTag[l] is tag<<32 | link l's index in ls, for the round whose tag it holds. A
	// dense array rather than a field of link: the fill and the check look a link's
	// entry up for every hop, and 8 bytes a link stay in cache where 80-byte links do
	// not; the tag makes the lookup one load and one compare.
	lsTag   []uint64
	tag     uint32  // the current round's; 0 is never one
	aff     []int32 // indices in ls of links of flows whose rate changed this round
	heap    []lvlItem
	members []int32 // indices in set of the set's flows, grouped by link, for the fill
	seeds   []LinkID
	cached  int // set members whose scratch indices (member.si) fill has found

	relayQueue []*Flow
	notify     []*Flow
	zeros      []*Flow // pending flows of size 0, which no link lists
	relayLists []relayList
	freeLists  []int32 // unused entries of relayLists, as 1 + index
	stats      FlowStats

	// One solve per instant (instant.go): whether it is on, whether the end of the
	// instant's solve is scheduled, the flows started and the links of flows ended
	// since, and the event's function, made once.
	perInstant bool
	due        bool
	pendFlows  []*Flow
	pendLinks  []LinkID
	flushFn    func()
	batched    uint64 // solves for more than one deferred start or saturated link, for the tests
}

// member is a flow of the solve set and its tentative state in the current fill.
type member struct {
	f       *Flow
	newRate float64 // tentative rate
	sat     LinkID  // the link whose saturation froze it, or -1 for its cap
	// si holds the indices in flowState.ls of the scratch of f's first two finite
	// links (the rest are looked up): a solve's rounds keep ls, so they are found
	// once a solve, not once a round and again at every freeze.
	si      [2]int32
	satHop  int16 // sat's index in f.fin()
	newHint int16
	frozen  bool
}

// scratchIdx is the index in ls of the scratch of the k-th finite link (l) of set
// member m, whose indices fill has cached.
func (fs *flowState) scratchIdx(m *member, k int, l LinkID) int32 {
	if k < len(m.si) {
		return m.si[k]
	}
	return int32(uint32(fs.lsTag[l]) &^ affBit)
}

// checkedFlow is a flow outside the set that the check looked at, and the bottleneck
// it found for it, if any.
type checkedFlow struct {
	f     *Flow
	hint  int16
	found bool
}

// linkScratch is a link's state in the current round.
type linkScratch struct {
	id        LinkID
	members   int32 // solve-set flows here
	first     int32 // where they start in flowState.members
	next      int32 // fill cursor while grouping them
	unfrozen  int32 // solve-set flows here not yet frozen
	residBps  float64
	levelBps  float64 // its saturation level now: (residBps − frozenBps)/unfrozen
	heapKey   float64 // the key of its newest entry in flowState.heap, no less than the smallest
	frozenBps float64
	tentLoad  float64 // with tentMax: valid when stat
	tentMax   float64
	stat      bool
}

// affBit, set in a link's lsTag, marks it affected: a solve-set flow on it changed
// rate this round. It lives in the tag rather than in the link's scratch so that the
// check, which asks it of the hint of every outside flow next to a change, reads one
// word and compares it, with no branch on whether the link has a scratch at all.
const affBit = 1 << 31

// newRound empties ls for a new solve (or failAll's seeds). When the tag wraps (after 2^32 rounds) every
// link's tag is cleared, so that an old one cannot pass for the new round's.
func (fs *flowState) newRound() {
	fs.ls = fs.ls[:0]
	if fs.tag++; fs.tag == 0 {
		clear(fs.lsTag)
		fs.tag = 1
	}
}

// scratchOf returns link l's scratch in this solve, or nil.
func (n *Network) scratchOf(l LinkID) *linkScratch {
	fs := &n.flows
	if t := fs.lsTag[l]; uint32(t>>32) == fs.tag {
		return &fs.ls[uint32(t)&^affBit]
	}
	return nil
}

// scratchIndex returns the index in ls of the scratch of link l, which has one.
func (fs *flowState) scratchIndex(l LinkID) uint32 { return uint32(fs.lsTag[l]) &^ affBit }

// addScratch gives link l, which has none this round, a scratch entry. It may move
// the others: pointers to them do not survive it.
func (n *Network) addScratch(l LinkID) *linkScratch {
	fs := &n.flows
	fs.lsTag[l] = uint64(fs.tag)<<32 | uint64(len(fs.ls))
	fs.ls = append(fs.ls, linkScratch{id: l})
	return &fs.ls[len(fs.ls)-1]
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
	return math.Abs(new-old) > fs.precision*max(old, new)
}

// solve re-establishes the max-min allocation after seed's cap changed or it was added
// (seedHops its finite hops), or after a flow of rate freedBps left seedHops' links
// (seed nil). The flows on those of seedHops' links that were saturated start the solve
// set with seed: on a link that was not, no flow was bottlenecked (the
// characterization's bottleneck is a saturated link), so none of them has to move
// for the change unless the fill saturates the link with a slower flow of the set,
// and then the check adds the faster ones. In a swarm, where flows are held by their
// uplinks and most downlinks have room, that keeps the set to one uplink's flows.
func (n *Network) solve(seed *Flow, seedHops []hop, freedBps float64) {
	n.beginSolve()
	if seed != nil {
		n.join(seed)
	}
	fs := &n.flows
	for _, h := range seedHops {
		if fs.saturatedWith(&n.links[h.link], freedBps) {
			n.seedLink(h.link)
		}
	}
	n.runSolve()
}

func (n *Network) beginSolve() {
	fs := &n.flows
	fs.stats.Solves++
	fs.set = fs.set[:0]
}

// seedLink adds the flows on link l to the solve set.
func (n *Network) seedLink(l LinkID) {
	for _, e := range n.links[l].flows {
		if !e.inSet() {
			n.join(e.f)
		}
	}
}

func (n *Network) runSolve() {
	fs := &n.flows
	// One scratch for all the solve's rounds: the set only grows, so a round's links
	// are the last one's and those of the flows that joined.
	fs.newRound()
	fs.cached = 0
	for {
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
	links := n.links
	set := fs.set
	// The set's flows are listed per link (in members, by counting sort) so that the
	// fill never walks the flows outside the set; the residual comes from the link's
	// load, which holds the committed rates of all its flows. The scratch of the
	// last round's links (and of those the check looked at) is kept, and cleared here.
	for i := range fs.ls {
		sc := &fs.ls[i]
		sc.members, sc.frozenBps, sc.stat = 0, 0, false
	}
	for i := range set {
		m := &set[i]
		m.frozen, m.newRate, m.sat = false, 0, -1
		f := m.f
		for k, h := range f.fin() {
			var si int32
			if i < fs.cached {
				si = fs.scratchIdx(m, k, h.link)
			} else {
				if n.scratchOf(h.link) == nil {
					n.addScratch(h.link)
				}
				si = int32(fs.scratchIndex(h.link))
				if k < len(m.si) {
					m.si[k] = si
				}
			}
			sc := &fs.ls[si]
			sc.members++
			sc.frozenBps += f.rate // for now: the set's committed rates here
		}
	}
	fs.cached = len(set)
	ls := fs.ls
	h := fs.heap[:0]
	var total int32
	for i := range ls {
		sc := &ls[i]
		if sc.members == 0 {
			continue // a link the check looked at, no set flow's
		}
		lk := &links[sc.id]
		resid := lk.capacityBps - (lk.load() - sc.frozenBps)
		if resid < 0 { // outside rates kept within the precision may overshoot
			resid = 0
		}
		sc.residBps, sc.frozenBps, sc.unfrozen = resid, 0, sc.members
		sc.first, sc.next = total, total
		total += sc.members
		sc.levelBps = resid / float64(sc.members)
		sc.heapKey = sc.levelBps
		h = append(h, lvlItem{sc.levelBps, int32(sc.id), int32(i)})
	}
	members := fs.members[:0]
	members = append(members, make([]int32, total)...)
	for i := range set {
		m := &set[i]
		f := m.f
		for k, hp := range f.fin() {
			sc := &ls[fs.scratchIdx(m, k, hp.link)]
			members[sc.next] = int32(i)
			sc.next++
		}
		if c := f.effCap; !math.IsInf(c, 1) {
			h = append(h, lvlItem{c, -int32(i) - 1, -1})
		}
	}
	fs.members = members
	fs.heap = h
	fs.heapify()
	unfrozen := len(set)
	level := 0.0
	for unfrozen > 0 && len(fs.heap) > 0 {
		it := fs.heap[0]
		if it.id < 0 {
			fs.popTop()
			i := -it.id - 1
			if set[i].frozen {
				continue
			}
			level = max(level, it.level)
			n.freeze(i, set[i].f.effCap, -1)
			unfrozen--
			continue
		}
		sc := &ls[it.si]
		if sc.unfrozen == 0 {
			fs.popTop()
			continue
		}
		if sc.levelBps != it.level {
			// Its key was a lower bound: flows froze here since it was set.
			fs.heap[0].level = sc.levelBps
			sc.heapKey = sc.levelBps
			fs.siftDown(0)
			continue
		}
		fs.popTop()
		level = max(level, it.level)
		for _, g := range members[sc.first : sc.first+sc.members] {
			if !set[g].frozen {
				n.freeze(g, level, LinkID(it.id))
				unfrozen--
			}
		}
	}
	if unfrozen > 0 {
		// Flows on no finite link and with no cap: nothing limits them.
		for i := range set {
			if m := &set[i]; !m.frozen {
				m.frozen, m.newRate = true, math.Inf(1)
			}
		}
	}
}

// freeze fixes the tentative rate of set member i at r (sat is the link whose
// saturation froze it, or -1 for its cap) and raises the saturation levels of its
// other links. A level is the one a fresh entry would have had; the heap's key is
// left as a lower bound unless rounding made the level fall below it.
func (n *Network) freeze(i int32, r float64, sat LinkID) {
	fs := &n.flows
	m := &fs.set[i]
	m.frozen, m.newRate, m.sat = true, r, sat
	for k, hp := range m.f.fin() {
		// The entry's copy of the rate becomes the tentative one, its sign bit still
		// set: the check's scans of a link then read every rate from the list itself.
		n.links[hp.link].flows[hp.pos].rateBps = -r
		si := fs.scratchIdx(m, k, hp.link)
		sc := &fs.ls[si]
		sc.frozenBps += r
		sc.unfrozen--
		if hp.link == sat {
			m.satHop = int16(k)
			continue // being drained by the caller, its entry popped
		}
		if sc.unfrozen > 0 {
			sc.levelBps = (sc.residBps - sc.frozenBps) / float64(sc.unfrozen)
			if sc.levelBps < sc.heapKey {
				// Rounding made it fall below its key: a second entry, the first left
				// to be discarded (its link drained by then) or raised at the top.
				sc.heapKey = sc.levelBps
				fs.heap = append(fs.heap, lvlItem{sc.levelBps, int32(hp.link), si})
				fs.siftUp(int32(len(fs.heap) - 1))
			}
		}
	}
}

// check tests the characterization where the fill may have broken it, adds the
// violators to the solve set, and reports whether it added any.
func (n *Network) check() bool {
	fs := &n.flows
	links := n.links
	aff := fs.aff[:0]
	for i := range fs.set {
		if m := &fs.set[i]; fs.changed(m.f.rate, m.newRate) {
			for k, h := range m.f.fin() {
				if t := &fs.lsTag[h.link]; *t&affBit == 0 {
					*t |= affBit
					aff = append(aff, fs.scratchIdx(m, k, h.link))
				}
			}
		}
	}
	fs.aff = aff
	fs.checked = fs.checked[:0]
	// The outside flows next to a changed rate that must be checked (the last pass
	// below) are gathered first, in one pass over those links that also takes their
	// tentative loads and fastest rates, which the first pass below needs and which
	// the set's growth in the check does not move (a flow that joins keeps its rate,
	// negated). Most entries are passed over, in the set or with a cap or a
	// bottleneck that is as it was, and which of them is which is random: the test is
	// made of bits, with one branch on the result (hint's link is read even when hint
	// is not one, at 0).
	want := uint64(fs.tag)<<1 | 1
	cand := fs.cand[:0]
	for _, si := range aff {
		sc := &fs.ls[si]
		flows := links[sc.id].flows
		if int(sc.members) == len(flows) {
			continue // every flow here was in the set when it was filled
		}
		var load float64
		var mx uint64
		for _, e := range flows {
			b := math.Float64bits(e.rateBps) &^ (1 << 63) // as scan
			load += math.Float64frombits(b)
			mx = max(mx, b)
			hb := e.hint
			t := fs.lsTag[max(hb, 0)]
			if b2i(!e.inSet())&(b2i(hb == LinkID(hintNone))|b2i(hb >= 0)&b2i(t>>31 == want)) == 0 {
				continue // in the set, or its cap or its bottleneck is as it was
			}
			cand = append(cand, e.f)
		}
		sc.tentLoad, sc.tentMax, sc.stat = load, math.Float64frombits(mx), true
	}
	added := false
	lim := 1 + fs.precision
	// A flow of the set frozen by a link must be the largest there, or bottlenecked
	// elsewhere; if not, the faster outside flows on that link must come down. (join
	// may move the set: members are read by index.)
	tol := 1 - fs.precision
	for i, nset := 0, len(fs.set); i < nset; i++ {
		m := &fs.set[i]
		m.newHint = hintCap
		f, sat := m.f, m.sat
		if sat < 0 {
			continue
		}
		// bottleneckAt(f, sat), with the member and its scratch index at hand.
		lk := &links[sat]
		sc := &fs.ls[fs.scratchIdx(m, int(m.satHop), sat)]
		n.scan(sc, lk)
		if sc.tentLoad >= lk.capacityBps*tol && m.newRate >= sc.tentMax*tol {
			m.newHint = m.satHop
			continue
		}
		if h := n.findBottleneck(f); h != hintNone {
			fs.set[i].newHint = h
			continue
		}
		bar := fs.set[i].newRate * lim
		for _, e := range links[sat].flows {
			if e.rateBps > bar { // never a set flow's, negative
				n.join(e.f)
				added = true
			}
		}
	}
	// A flow outside the set next to a changed rate must still be bottlenecked.
	for _, g := range cand {
		if i := g.idx; int(i) < len(fs.set) && fs.set[i].f == g {
			continue // it joined since it was gathered
		}
		if i := g.idx; int(i) < len(fs.checked) && fs.checked[i].f == g {
			continue
		}
		g.idx = int32(len(fs.checked))
		fs.checked = append(fs.checked, checkedFlow{f: g})
		if h := n.findBottleneck(g); h != hintNone {
			c := &fs.checked[g.idx]
			c.hint, c.found = h, true
			continue
		}
		n.join(g)
		added = true
	}
	clear(cand) // no flow kept alive by the scratch
	fs.cand = cand[:0]
	if added { // another round: its own links affected
		for _, si := range aff {
			fs.lsTag[fs.ls[si].id] &^= affBit
		}
	}
	return added
}

// join adds a flow to the solve set, at its current rate until the next fill, and
// marks its entries on its links.
func (n *Network) join(g *Flow) {
	fs := &n.flows
	g.idx = int32(len(fs.set))
	fs.set = append(fs.set, member{f: g, newRate: g.rate})
	for _, h := range g.fin() {
		e := &n.links[h.link].flows[h.pos]
		e.rateBps = math.Copysign(e.rateBps, -1)
	}
}

// setHint records h as f's hint, in f and in its entries on its finite links.
func (n *Network) setHint(f *Flow, h int16) {
	f.hint = h
	l := LinkID(h) // hintCap and hintNone as they are
	fin := f.fin()
	if h >= 0 {
		l = fin[h].link
	}
	for _, hp := range fin {
		n.links[hp.link].flows[hp.pos].hint = l
	}
}

// tentRate is f's rate in the allocation being checked.
func (n *Network) tentRate(f *Flow) float64 {
	if set := n.flows.set; int(f.idx) < len(set) && set[f.idx].f == f {
		return set[f.idx].newRate
	}
	return f.rate
}

// findBottleneck returns hintCap if f is at its cap, else the index in f.fin() of a
// link where f is bottlenecked, else hintNone.
func (n *Network) findBottleneck(f *Flow) int16 {
	if n.tentRate(f) >= f.effCap*(1-n.flows.precision) {
		return hintCap
	}
	for k, h := range f.fin() {
		if n.bottleneckAt(f, h.link) {
			return int16(k)
		}
	}
	return hintNone
}

// bottleneckAt reports whether link l is saturated and f is (within the precision)
// the fastest flow on it. O(flows on l) once per round, then O(1).
func (n *Network) bottleneckAt(f *Flow, l LinkID) bool {
	fs := &n.flows
	lk := &n.links[l]
	sc := n.scratchOf(l)
	if sc == nil {
		sc = n.addScratch(l)
	}
	n.scan(sc, lk)
	tol := 1 - fs.precision
	return sc.tentLoad >= lk.capacityBps*tol && n.tentRate(f) >= sc.tentMax*tol
}

// scan sets the tentative load and fastest rate of link lk, whose scratch is sc,
// once a round.
func (n *Network) scan(sc *linkScratch, lk *link) {
	if sc.stat {
		return
	}
	var load float64
	var mx uint64
	for _, e := range lk.flows {
		// A flow of the set has its tentative rate here, negated (freeze, join).
		// Rates are never NaN, and the bits of floats >= 0 order as they do, so
		// an integer max (no branch) finds the largest.
		b := math.Float64bits(e.rateBps) &^ (1 << 63)
		load += math.Float64frombits(b)
		mx = max(mx, b)
	}
	sc.tentLoad, sc.tentMax, sc.stat = load, math.Float64frombits(mx), true
}

// commit makes the solved rates current: flows whose rate changed are brought up to
// date at the old rate, take the new one and have their completion moved; their
// links' loads are recomputed exactly (no drift from incremental sums); their relays
// are queued for a new cap, and their hooks for settle.
func (n *Network) commit() {
	fs := &n.flows
	fs.stats.Touched += uint64(len(fs.set))
	for _, c := range fs.checked {
		if c.found {
			n.setHint(c.f, c.hint)
		}
	}
	for i := range fs.set {
		m := &fs.set[i]
		f := m.f
		n.setHint(f, m.newHint)
		if !fs.changed(f.rate, m.newRate) {
			for _, h := range f.fin() { // out of the set: the entries' sign bits clear
				n.links[h.link].flows[h.pos].rateBps = f.rate
			}
			n.markCap(f) // its effective cap may be what changed
			continue
		}
		n.applyRate(f, m.newRate) // which rewrites the entries, sign bits clear
	}
	for _, si := range fs.aff {
		n.links[fs.ls[si].id].recomputeLoad()
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
	for _, h := range f.fin() {
		n.links[h.link].flows[h.pos].rateBps = r
	}
	n.schedule(f)
	n.markCap(f)
	if f.relays != 0 {
		fs.relayQueue = append(fs.relayQueue, fs.relayLists[f.relays-1].flows...)
	}
	if f.OnRateChange != nil && !f.queued {
		f.queued = true
		fs.notify = append(fs.notify, f)
	}
}

// recomputeLoad sums the rates of the link's flows afresh, compensated like addLoad.
func (lk *link) recomputeLoad() {
	lk.loadBps, lk.loadErr = 0, 0
	for _, e := range lk.flows {
		lk.loadBps, lk.loadErr = neumaier(lk.loadBps, lk.loadErr, e.rateBps)
	}
}

// lvlItem is a heap entry of the fill: a link's saturation level (id its LinkID >= 0,
// si its index in flowState.ls) or a flow's cap (id = -1 - index in the solve set).
// Entries are ordered by (level, id), a total order, so the minimum does not depend
// on the heap's layout.
type lvlItem struct {
	level float64
	id    int32
	si    int32
}

func lvlLess(a, b lvlItem) bool {
	if a.level != b.level {
		return a.level < b.level
	}
	return a.id < b.id
}

// The fill's heap is a binary heap over flowState.heap. Entries do not track their
// place: a link whose level falls below its key gets a second entry (freeze).

func (fs *flowState) heapify() {
	for i := int32(len(fs.heap)/2 - 1); i >= 0; i-- {
		fs.siftDown(i)
	}
}

func (fs *flowState) siftUp(i int32) {
	h := fs.heap
	it := h[i]
	for i > 0 {
		p := (i - 1) / 2
		if !lvlLess(it, h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = it
}

func (fs *flowState) siftDown(i int32) {
	h := fs.heap
	n := int32(len(h))
	it := h[i]
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n {
			c += smaller(h[c+1], h[c])
		}
		if !lvlLess(h[c], it) {
			break
		}
		h[i] = h[c]
		i = c
	}
	h[i] = it
}

// smaller is 1 if a is less than b, else 0: which of two siblings to follow, chosen
// without a branch, since that choice is a coin toss that a predicted branch loses
// half the time.
func smaller(a, b lvlItem) int32 {
	lt := a.level < b.level
	if a.level == b.level { // a tie, rare: broken by id
		lt = a.id < b.id
	}
	return b2i(lt)
}

func b2i(b bool) int32 {
	if b {
		return 1
	}
	return 0
}

// popTop removes the heap's minimum. The last entry, which replaces it, nearly always
// belongs near the leaves, so the hole left at the root is first moved down to a leaf
// along the smaller children (one comparison a level, not two) and the entry then
// sifted up from there (Floyd's bottom-up heapsort; Knuth, TAOCP vol. 3, §5.2.3, ex.
// 18). The heap's order is the total order of lvlLess, so which entry is the minimum
// does not depend on where entries sit.
func (fs *flowState) popTop() {
	h := fs.heap
	last := int32(len(h) - 1)
	it := h[last]
	h = h[:last]
	fs.heap = h
	if last == 0 {
		return
	}
	i := int32(0)
	for {
		c := 2*i + 1
		if c >= last {
			break
		}
		if c+1 < last {
			c += smaller(h[c+1], h[c])
		}
		h[i] = h[c]
		i = c
	}
	h[i] = it
	fs.siftUp(i)
}
