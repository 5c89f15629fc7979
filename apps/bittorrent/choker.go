package bittorrent

import "slices"

// choker decides whom this peer uploads to (Kurose & Ross §2.6.1; Cohen 2003, §3):
// every ChokeInterval a round re-chooses UnchokeSlots regular unchokes — a leecher's
// the interested neighbours that gave it the highest download rate, a seed's by its
// SeedChoking — and every OptimisticInterval one optimistic unchoke rotates to a
// random choked, interested neighbour, new ones three times as likely (mainline's
// insertion of new connections ahead in the rotation). Between rounds a neighbour that
// becomes interested while a slot is free is unchoked at once (libtorrent's and
// mainline's behaviour, which keeps a young swarm from idling to the next round).
type choker struct {
	round      uint32
	optimistic *nbr
	rr         int    // round robin's cursor
	scratch    []*nbr // candidates, reused
	// inSlots counts the handshaken neighbours unchoked and interested: the slots in
	// use, regular and optimistic. Kept as amChoking and peerInterested change (a count
	// per Interested message was a scan of every neighbour, and fillSlots's a scan per
	// neighbour).
	inSlots int
}

// rechoke is one round.
func (p *peer) rechoke() {
	c := &p.chk
	c.round++
	if p.spec.FreeRider {
		return
	}
	now := p.h.Now()
	slots := p.cfg.UnchokeSlots
	cand := c.scratch[:0]
	for _, n := range p.nbrs {
		if n.peerInterested {
			cand = append(cand, n)
		}
	}
	var regular []*nbr
	switch {
	case p.complete() && p.cfg.SeedChoking == ByRecency:
		regular = p.byRecency(cand, slots)
	case p.complete():
		// A seed: by the rate at which each neighbour takes from it.
		rates := make(map[*nbr]float64, len(cand))
		for _, n := range cand {
			rates[n] = n.up.rate(now, p.cfg.RateWindow)
		}
		slices.SortStableFunc(cand, func(a, b *nbr) int { return cmpDesc(rates[a], rates[b]) })
		regular = cand[:min(slots, len(cand))]
	case p.cfg.Choking == RoundRobin:
		regular = p.roundRobin(cand, slots)
	default:
		// Tit-for-tat (rate-based, and the block-level variant, which adds its rule
		// when serving): the fastest givers over the window, snubbers excluded.
		rates := make(map[*nbr]float64, len(cand))
		kept := cand[:0]
		for _, n := range cand {
			if n.amInterested && now-n.lastBlock > p.cfg.SnubTimeout {
				continue // it snubs this peer: only an optimistic unchoke for it
			}
			rates[n] = n.down.rate(now, p.cfg.RateWindow)
			kept = append(kept, n)
		}
		slices.SortStableFunc(kept, func(a, b *nbr) int { return cmpDesc(rates[a], rates[b]) })
		regular = kept[:min(slots, len(kept))]
	}
	for _, n := range regular {
		n.keep = c.round
	}
	per := uint32(p.cfg.OptimisticInterval / p.cfg.ChokeInterval)
	if o := c.optimistic; c.round%per == 0 || o == nil || !o.peerInterested {
		c.pickOptimistic(p)
	}
	if o := c.optimistic; o != nil {
		o.keep = c.round
	}
	c.scratch = cand[:0]
	for k := 0; k < len(p.nbrs); k++ {
		n := p.nbrs[k]
		if n.keep == c.round {
			p.unchoke(n)
		} else {
			p.choke(n)
		}
	}
}

// pickOptimistic rotates the optimistic unchoke to a random choked neighbour that is
// interested and not a regular unchoke this round; one connected for less than an
// optimistic interval weighs three.
func (c *choker) pickOptimistic(p *peer) {
	now := p.h.Now()
	total := 0
	weight := func(n *nbr) int {
		if !n.peerInterested || n.keep == c.round || n == c.optimistic {
			return 0
		}
		if now-n.connectedAt < p.cfg.OptimisticInterval {
			return 3
		}
		return 1
	}
	for _, n := range p.nbrs {
		total += weight(n)
	}
	if total == 0 {
		if o := c.optimistic; o != nil && !o.peerInterested {
			c.optimistic = nil
		}
		return
	}
	r := p.rng.IntN(total)
	for _, n := range p.nbrs {
		if r -= weight(n); r < 0 {
			c.optimistic = n
			return
		}
	}
}

// byRecency is the seed's choice of mainline 4.0 (Legout et al. 2006, §II-C.2): the
// interested neighbours ordered by when they were last unchoked, most recent first;
// in two rounds of three the first slots−1 are kept and one other chosen at random,
// in the third the first slots.
func (p *peer) byRecency(cand []*nbr, slots int) []*nbr {
	slices.SortStableFunc(cand, func(a, b *nbr) int {
		switch {
		case a.wasUnchokedOnce != b.wasUnchokedOnce:
			if a.wasUnchokedOnce {
				return -1
			}
			return 1
		case a.lastUnchoked > b.lastUnchoked:
			return -1
		case a.lastUnchoked < b.lastUnchoked:
			return 1
		}
		return 0
	})
	if p.chk.round%3 == 0 || len(cand) <= slots {
		return cand[:min(slots, len(cand))]
	}
	keep := slots - 1
	j := keep + p.rng.IntN(len(cand)-keep)
	cand[keep], cand[j] = cand[j], cand[keep]
	return cand[:slots]
}

// roundRobin gives the slots to the next interested neighbours in turn: no
// reciprocation at all.
func (p *peer) roundRobin(cand []*nbr, slots int) []*nbr {
	if len(cand) <= slots {
		return cand
	}
	c := &p.chk
	c.rr %= len(cand)
	out := make([]*nbr, 0, slots)
	for k := range slots {
		out = append(out, cand[(c.rr+k)%len(cand)])
	}
	c.rr += slots
	return out
}

// interestedIn: n became interested; unchoke it now if a slot is free.
func (p *peer) interestedIn(n *nbr) {
	if n.amChoking && !p.spec.FreeRider && p.unchokedInterested() <= p.cfg.UnchokeSlots {
		n.keep = p.chk.round
		p.unchoke(n)
	}
}

// fillSlots gives a slot freed between rounds (an unchoked neighbour went, or lost
// interest) to a choked interested neighbour, the first in connection order.
func (p *peer) fillSlots() {
	if p.spec.FreeRider {
		return
	}
	for _, n := range p.nbrs {
		if p.unchokedInterested() > p.cfg.UnchokeSlots {
			return
		}
		if n.amChoking && n.peerInterested {
			n.keep = p.chk.round
			p.unchoke(n)
		}
	}
}

// unchokedInterested is the number of neighbours that are unchoked and interested:
// the slots in use, regular and optimistic.
func (p *peer) unchokedInterested() int { return p.chk.inSlots }

// setPeerInterested records n's interested or not interested message.
func (p *peer) setPeerInterested(n *nbr, v bool) {
	if n.peerInterested == v {
		return
	}
	n.peerInterested = v
	if !n.amChoking {
		if v {
			p.chk.inSlots++
		} else {
			p.chk.inSlots--
		}
	}
}

func cmpDesc(a, b float64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}
