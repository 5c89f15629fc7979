package bittorrent

import (
	"testing"

	"netsim/sim"
)

// pickerPeer is a peer with pieces and neighbours' availability set by hand, enough
// for the picker.
func pickerPeer(t *testing.T, pieces int, have []int, avail []int32, seed uint64) *peer {
	t.Helper()
	g := newGeometry(Torrent{FileBytes: int64(pieces) << 15, PieceBytes: 2 << 14})
	cfg := (&Config{RandomFirst: -1}).withDefaults()
	p := &peer{cfg: &cfg, g: g, have: newBitset(pieces), avail: avail, rng: sim.NewStreams(seed).Stream("picker")}
	for _, i := range have {
		p.have.set(i)
		p.nHave++
	}
	p.pick.init(g)
	return p
}

func neighbourWith(pieces int, has ...int) *nbr {
	n := &nbr{has: newBitset(pieces)}
	for _, i := range has {
		n.has.set(i)
	}
	return n
}

// Rarest first (Kurose & Ross §2.6.1): of the pieces the neighbour has and the peer
// lacks, the one with the fewest copies among the neighbours, as their bitfields and
// haves counted them; a piece the peer has is never chosen, however rare.
func TestRarestFirstPicksTheRarestPieceTheNeighbourHas(t *testing.T) {
	//                 piece: 0  1  2  3  4  5
	avail := []int32{1, 3, 2, 5, 1, 4}
	for seed := range uint64(20) {
		p := pickerPeer(t, 6, []int{0}, avail, seed)
		// The neighbour lacks piece 4, the other rarest; piece 0 is had.
		if got := p.pick.newPiece(p, neighbourWith(6, 0, 1, 2, 3, 5)); got != 2 {
			t.Fatalf("seed %d: picked piece %d, want 2 (2 copies, the rarest the neighbour has)", seed, got)
		}
	}
}

// Ties are broken by the peer's own random stream: the same seed picks the same
// piece, and over seeds every tied piece, and only those, is picked (a uniform choice
// among 3: each of 300 draws misses a given one with probability (2/3)^300).
func TestRarestFirstBreaksTiesFromThePeersStream(t *testing.T) {
	avail := []int32{2, 1, 3, 1, 1, 2}
	seen := map[int]int{}
	for seed := range uint64(300) {
		p := pickerPeer(t, 6, nil, avail, seed)
		got := p.pick.newPiece(p, neighbourWith(6, 0, 1, 2, 3, 4, 5))
		p = pickerPeer(t, 6, nil, avail, seed)
		if again := p.pick.newPiece(p, neighbourWith(6, 0, 1, 2, 3, 4, 5)); again != got {
			t.Fatalf("seed %d: %d then %d", seed, got, again)
		}
		seen[got]++
	}
	if len(seen) != 3 || seen[1] == 0 || seen[3] == 0 || seen[4] == 0 {
		t.Fatalf("picks %v: want pieces 1, 3 and 4, each some of the time", seen)
	}
}

// Strict priority (Cohen 2003, §2.1): a started piece's blocks go before a new piece,
// however rare the new one.
func TestStrictPriorityFinishesAStartedPiece(t *testing.T) {
	p := pickerPeer(t, 4, nil, []int32{1, 9, 1, 1}, 1)
	p.pick.start(1)
	p.pick.asked(blockRef{1, 0})
	b, ok := p.pick.next(p, neighbourWith(4, 0, 1, 2, 3))
	if !ok || b != (blockRef{1, 1}) {
		t.Fatalf("next = %v %v, want piece 1's second block", b, ok)
	}
}

// The picker's counts of free blocks (neither received nor asked for), a piece's
// and the total, which next uses to skip pieces with none, agree with its blocks'
// states through any sequence of requests, their ends and receipts (2000 random
// steps over 4 pieces of 8 blocks).
func TestPickerFreeCountsMatchTheBlocks(t *testing.T) {
	const pieces, blocks = 4, 8
	g := newGeometry(Torrent{FileBytes: pieces * blocks << 14, PieceBytes: blocks << 14})
	cfg := (&Config{}).withDefaults()
	p := &peer{cfg: &cfg, g: g, have: newBitset(pieces), avail: make([]int32, pieces)}
	p.pick.init(g)
	k := &p.pick
	for i := range pieces {
		k.start(i)
	}
	rng := sim.NewStreams(7).Stream("free")
	var out []blockRef // requests outstanding
	for step := range 2000 {
		b := blockRef{int32(rng.IntN(pieces)), int32(rng.IntN(blocks))}
		pp := k.partialOf(int(b.piece))
		switch op := rng.IntN(3); {
		case op == 0:
			k.asked(b)
			out = append(out, b)
		case op == 1 && len(out) > 0:
			j := rng.IntN(len(out))
			k.unask(out[j])
			out = append(out[:j], out[j+1:]...)
		case op == 2 && pp.nGot < blocks-1: // never the last block: a piece stays partial
			k.got(p, b)
		}
		total := 0
		for _, pp := range k.partials {
			free := 0
			for j := range pp.out {
				if pp.out[j] == 0 && !pp.got.has(j) {
					free++
				}
			}
			if pp.free != free {
				t.Fatalf("step %d: piece %d counts %d free blocks, has %d", step, pp.piece, pp.free, free)
			}
			total += free
		}
		if k.free != total {
			t.Fatalf("step %d: picker counts %d free blocks, the pieces have %d", step, k.free, total)
		}
	}
}
