package sim

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkHoldQuaternaryHeap is BenchmarkHold's model on a bare 4-ary min-heap of
// (time, sequence number, callback) entries, 24 bytes, ordered by time and then by
// scheduling order, as the kernel's queue is: no event IDs, no cancellation, no
// groups, so a lower bound on a heap-based kernel, to hold the kernel's radix heap
// (queue.go) against:
//
//	go test ./sim -run '^$' -bench 'Hold$|Quaternary' -benchtime 3000000x
//
// Measured in two interleaved runs: the bare heap takes 2 to 3.5 times the kernel's
// time an event at every P (110–137 ns against 51–54 at 10^3, 213–248 against 65–124
// at 10^5, 430–493 against 122–195 at 10^6), so the kernel keeps its radix heap.
func BenchmarkHoldQuaternaryHeap(b *testing.B) {
	for _, population := range []int{1_000, 10_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("P=%d", population), func(b *testing.B) {
			var h quaternaryHeap
			rng := rand.New(rand.NewPCG(1, 2))
			const mean = float64(Millisecond)
			var hold func()
			hold = func() { h.push(h.now+Time(rng.ExpFloat64()*mean), hold) }
			for range population {
				h.push(Time(rng.ExpFloat64()*mean), hold)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				h.pop()()
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mevents/s")
		})
	}
}

type heapEntry struct {
	at  Time
	seq uint64
	fn  func()
}

type quaternaryHeap struct {
	e   []heapEntry
	seq uint64
	now Time
}

func (a heapEntry) before(b heapEntry) bool {
	return a.at < b.at || a.at == b.at && a.seq < b.seq
}

func (h *quaternaryHeap) push(at Time, fn func()) {
	h.seq++
	x := heapEntry{at, h.seq, fn}
	i := len(h.e)
	h.e = append(h.e, x)
	for i > 0 {
		p := (i - 1) / 4
		if !x.before(h.e[p]) {
			break
		}
		h.e[i] = h.e[p]
		i = p
	}
	h.e[i] = x
}

func (h *quaternaryHeap) pop() func() {
	top := h.e[0]
	last := len(h.e) - 1
	x := h.e[last]
	h.e[last] = heapEntry{}
	h.e = h.e[:last]
	n := last
	i := 0
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		m := c
		for j := c + 1; j < c+4 && j < n; j++ {
			if h.e[j].before(h.e[m]) {
				m = j
			}
		}
		if !h.e[m].before(x) {
			break
		}
		h.e[i] = h.e[m]
		i = m
	}
	if n > 0 {
		h.e[i] = x
	}
	h.now = top.at
	return top.fn
}
