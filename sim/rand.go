package sim

import (
	"hash/fnv"
	"math/rand/v2"
)

// Streams derives independent, named random streams from one run's seed. A stream is a
// pure function of (seed, name): adding a new consumer with a new name never changes
// the numbers any other stream draws, and nothing in netsim uses a global generator.
// The run's seed itself is derived from (master seed, run index) by the scenario runner.
type Streams struct {
	seed uint64
}

// NewStreams returns the streams of a run whose seed is seed.
func NewStreams(seed uint64) Streams { return Streams{seed: seed} }

// Seed returns the run seed the streams derive from.
func (s Streams) Seed() uint64 { return s.seed }

// Stream returns a new generator for name (PCG, seeded from seed and an FNV-1a hash of
// name, both passed through SplitMix64). Two calls with the same name return
// generators that draw the same sequence.
func (s Streams) Stream(name string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(name))
	n := h.Sum64()
	return rand.New(rand.NewPCG(SplitMix64(s.seed^SplitMix64(n)), SplitMix64(n+0x632be59bd9b4e019)))
}

// SplitMix64 is the finaliser of Steele, Lea and Flood's SplitMix64 generator
// ("Fast splittable pseudorandom number generators", OOPSLA 2014): a bijection on
// uint64 that spreads every input bit over the output, used to derive seeds.
func SplitMix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
