package bittorrent

import "math/bits"

// bitset is a set of piece (or block) indices, 64 a word: a peer's pieces, a
// neighbour's, a piece's blocks.
type bitset []uint64

func newBitset(n int) bitset { return make(bitset, (n+63)/64) }

func (b bitset) has(i int) bool { return b[i>>6]&(1<<(uint(i)&63)) != 0 }
func (b bitset) set(i int)      { b[i>>6] |= 1 << (uint(i) & 63) }
func (b bitset) clear(i int)    { b[i>>6] &^= 1 << (uint(i) & 63) }

func (b bitset) count() int {
	n := 0
	for _, w := range b {
		n += bits.OnesCount64(w)
	}
	return n
}

// fill sets the first n bits.
func (b bitset) fill(n int) {
	for i := range b {
		switch {
		case n >= 64*(i+1):
			b[i] = ^uint64(0)
		case n > 64*i:
			b[i] = 1<<(uint(n)&63) - 1
		default:
			b[i] = 0
		}
	}
}
