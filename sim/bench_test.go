package sim

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkHold is the classic hold model (Jones, "An empirical comparison of
// priority-queue and event-set implementations", CACM 1986): P events are pending;
// each, when run, schedules one more at now + Exp(mean). It measures the kernel alone.
// Targets (issue 2): at P = 1,000 at least 12 M events/s; at P = 100,000 at least 5 M.
func BenchmarkHold(b *testing.B) {
	for _, population := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("P=%d", population), func(b *testing.B) {
			benchmarkHold(b, population)
		})
	}
}

func benchmarkHold(b *testing.B, population int) {
	k := NewKernel()
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
	for range population {
		k.At(Time(rng.ExpFloat64()*mean), hold)
	}
	b.ReportAllocs()
	b.ResetTimer()
	k.Run()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mevents/s")
}
