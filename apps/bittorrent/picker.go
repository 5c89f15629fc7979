package bittorrent

import "math"

// picker chooses the blocks to request (Kurose & Ross §2.6.1, "rarest first"; Cohen,
// "Incentives build robustness in BitTorrent", 2003, §2.3): strict priority (the
// blocks of a piece already started go first), then a new piece — random for the
// first RandomFirst pieces, then the rarest among the neighbours, ties broken by the
// peer's own random stream — and, once every missing block has been asked for, end
// game: the last blocks are asked of the other neighbours that have them too, and
// the copies cancelled when one arrives.
type picker struct {
	g        *geometry
	partials []*partial // the pieces started, not complete
	of       []int32    // piece → 1 + its index in partials, 0 if not started
	started  bitset
	free     int // blocks of started pieces neither received nor asked for
	// spare is the last full piece completed, for the next piece started: a piece's
	// three allocations were 2% of a flash crowd's.
	spare *partial
}

// partial is a piece being downloaded.
type partial struct {
	piece int
	got   bitset
	nGot  int
	out   []uint16 // requests outstanding per block, over all neighbours
	free  int      // its blocks neither received nor asked for
}

func (k *picker) init(g *geometry) {
	k.g = g
	k.of = make([]int32, g.pieces)
	k.started = newBitset(g.pieces)
}

func (k *picker) partialOf(i int) *partial {
	if j := k.of[i]; j > 0 {
		return k.partials[j-1]
	}
	return nil
}

// next returns the block to ask n for next, if any.
func (k *picker) next(p *peer, n *nbr) (blockRef, bool) {
	if n.has == nil {
		return blockRef{}, false
	}
	// Strict priority: finish what is started. Only the pieces with a free block
	// have one to offer: the counts skip the scan of the others' blocks, and of all
	// of them once every started block is asked for.
	for _, pp := range k.partials {
		if k.free == 0 {
			break
		}
		if pp.free == 0 || !n.has.has(pp.piece) {
			continue
		}
		for b := range pp.out {
			if pp.out[b] == 0 && !pp.got.has(b) {
				return blockRef{int32(pp.piece), int32(b)}, true
			}
		}
	}
	if i := k.newPiece(p, n); i >= 0 {
		k.start(i)
		return blockRef{int32(i), 0}, true
	}
	if p.cfg.NoEndGame || k.free > 0 || p.nHave+len(k.partials) < k.g.pieces || len(n.reqs) > 0 {
		return blockRef{}, false
	}
	// End game: every missing block is asked for. A neighbour with nothing
	// outstanding is asked for a block already asked of others: of those it has, the
	// one asked of the fewest (libtorrent's end game, which paces Cohen's "requests
	// for all remaining sub-pieces to all peers" one block at a time, so that a
	// small file's last quarter is not fetched five times over).
	best, fewest := blockRef{}, uint16(math.MaxUint16)
	for _, pp := range k.partials {
		if !n.has.has(pp.piece) {
			continue
		}
		for b, o := range pp.out {
			if !pp.got.has(b) && o < fewest {
				best, fewest = blockRef{int32(pp.piece), int32(b)}, o
			}
		}
	}
	return best, fewest != math.MaxUint16
}

// newPiece chooses a piece n has that this peer has neither got nor started, by the
// configured selection; -1 if there is none.
func (k *picker) newPiece(p *peer, n *nbr) int {
	random := p.cfg.Selection == Random || (p.cfg.Selection == RarestFirst && p.nHave < p.cfg.RandomFirst)
	best, bestAvail, ties := -1, int32(math.MaxInt32), 0
	for w, word := range n.has {
		cand := word &^ p.have[w] &^ k.started[w]
		for cand != 0 {
			i := w*64 + trailingZeros(cand)
			cand &= cand - 1
			switch {
			case p.cfg.Selection == Sequential:
				return i
			case random:
				ties++
			case p.avail[i] < bestAvail:
				best, bestAvail, ties = i, p.avail[i], 1
				continue
			case p.avail[i] == bestAvail:
				ties++
			default:
				continue
			}
			// Reservoir sampling: each of the ties so far is kept with probability
			// 1/ties, from the peer's own random stream.
			if p.rng.IntN(ties) == 0 {
				best = i
			}
		}
	}
	return best
}

func (k *picker) start(i int) {
	nb := k.g.blocksIn(i)
	pp := k.spare
	if pp != nil && len(pp.out) == nb {
		k.spare = nil
		clear(pp.got)
		clear(pp.out)
		pp.piece, pp.nGot, pp.free = i, 0, nb
	} else {
		pp = &partial{piece: i, got: newBitset(nb), out: make([]uint16, nb), free: nb}
	}
	k.partials = append(k.partials, pp)
	k.of[i] = int32(len(k.partials))
	k.started.set(i)
	k.free += nb
}

// asked counts a request for b.
func (k *picker) asked(b blockRef) {
	pp := k.partialOf(int(b.piece))
	if pp.out[b.block] == 0 && !pp.got.has(int(b.block)) {
		k.free--
		pp.free--
	}
	pp.out[b.block]++
}

// unask counts a request for b that is over: answered, cancelled or lost.
func (k *picker) unask(b blockRef) {
	pp := k.partialOf(int(b.piece))
	if pp == nil {
		return // the piece is complete
	}
	pp.out[b.block]--
	if pp.out[b.block] == 0 && !pp.got.has(int(b.block)) {
		k.free++
		pp.free++
	}
}

// releaseAll gives back n's outstanding requests (it choked this peer, or went), and
// lets the other neighbours that unchoke this peer ask for them.
func (k *picker) releaseAll(p *peer, n *nbr) {
	if len(n.reqs) == 0 {
		return
	}
	for _, b := range n.reqs {
		k.unask(b)
	}
	n.reqs = n.reqs[:0]
	for _, o := range p.nbrs {
		if o != n && !o.peerChoking && o.amInterested && len(o.reqs) < p.cfg.Pipeline {
			p.refill(o)
		}
	}
}

// got records block b as received; false if it was already there (a duplicate).
// A piece with all its blocks is done; in end game the other requests for b are
// cancelled (Cohen §2.3: "sends cancels for that block to everyone else").
func (k *picker) got(p *peer, b blockRef) bool {
	i := int(b.piece)
	pp := k.partialOf(i)
	if pp == nil {
		return false
	}
	if pp.got.has(int(b.block)) {
		return false
	}
	pp.got.set(int(b.block))
	pp.nGot++
	if pp.out[b.block] == 0 {
		k.free--
		pp.free--
	}
	if pp.out[b.block] > 0 {
		cancel := blockMsg(k.g, Cancel, b) // rare (end game): not shared
		for _, o := range p.nbrs {
			for j, r := range o.reqs {
				if r == b {
					o.reqs = append(o.reqs[:j], o.reqs[j+1:]...)
					pp.out[b.block]--
					p.send(o, &cancel)
					break
				}
			}
		}
	}
	if pp.nGot < len(pp.out) {
		return true
	}
	// Complete: take it off the partials.
	j := k.of[i] - 1
	last := len(k.partials) - 1
	k.partials[j] = k.partials[last]
	k.of[k.partials[j].piece] = j + 1
	k.partials[last] = nil
	k.partials = k.partials[:last]
	k.of[i] = 0
	k.started.clear(i)
	if len(pp.out) == k.g.blocks {
		k.spare = pp
	}
	p.pieceDone(i)
	return true
}
