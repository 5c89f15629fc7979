package sim

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
)

// BenchmarkHold is the classic hold model (Jones, "An empirical comparison of
// priority-queue and event-set implementations", CACM 1986): P events are pending;
// each, when run, schedules one more at now + Exp(mean). It measures the kernel alone.
// Targets: issue 2, at P = 1,000 at least 12 M events/s and at P = 100,000 at least
// 5 M; issue 6, at least twice ns-3.37's best scheduler at every P, measured side by
// side in one run by ../shared/bench/ns3/side-by-side.
func BenchmarkHold(b *testing.B) {
	for _, population := range []int{1_000, 10_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("P=%d", population), func(b *testing.B) {
			benchmarkHold(b, population)
		})
	}
}

func benchmarkHold(b *testing.B, population int) {
	benchmarkHoldIn(b, population, 0)
}

// BenchmarkHoldInGroups is the hold model with every event in one of `groups` groups
// (the timers of that many hosts): what grouping costs beside BenchmarkHold.
func BenchmarkHoldInGroups(b *testing.B) {
	for _, population := range []int{1_000, 1_000_000} {
		b.Run(fmt.Sprintf("P=%d", population), func(b *testing.B) {
			benchmarkHoldIn(b, population, population/10)
		})
	}
}

func benchmarkHoldIn(b *testing.B, population, groups int) {
	k := NewKernel()
	group := func() Group { return 0 }
	if groups > 0 {
		for range groups {
			k.NewGroup()
		}
		next := Group(0)
		group = func() Group { next = next%Group(groups) + 1; return next }
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const mean = float64(Millisecond)
	ran := 0
	var hold func()
	hold = func() {
		k.After(Time(rng.ExpFloat64()*mean), hold)
		if ran++; ran == b.N {
			k.Stop()
		}
	}
	if groups > 0 {
		hold = func() {
			k.AtIn(group(), k.Now()+Time(rng.ExpFloat64()*mean), hold)
			if ran++; ran == b.N {
				k.Stop()
			}
		}
	}
	for range population {
		k.AtIn(group(), Time(rng.ExpFloat64()*mean), hold)
	}
	b.ReportAllocs()
	b.ResetTimer()
	k.Run()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mevents/s")
}

// BenchmarkMemory reports the live heap per pending event of the hold model at
// P = 10^6, after a million events have run so the queue is in its steady state.
func BenchmarkMemory(b *testing.B) {
	for range b.N {
		b.ReportMetric(heapPerPending(1_000_000), "B/pending")
	}
}

// heapPerPending measures HeapInuse after GC, less the same before the kernel was
// made, divided by the population of a hold model that has run population events.
func heapPerPending(population int) float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	k := NewKernel()
	rng := rand.New(rand.NewPCG(1, 2))
	const mean = float64(Millisecond)
	ran := 0
	var hold func()
	hold = func() {
		k.After(Time(rng.ExpFloat64()*mean), hold)
		if ran++; ran == population {
			k.Stop()
		}
	}
	for range population {
		k.At(Time(rng.ExpFloat64()*mean), hold)
	}
	k.Run()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(k)
	return float64(after.HeapInuse-before.HeapInuse) / float64(population)
}
