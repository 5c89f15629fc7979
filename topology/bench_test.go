package topology

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"netsim/sim"
)

// churnStar is the benchmark's network: an access-link star with uploads of
// 1 to 100 Mbit/s and downloads 2 to 10 times larger (an ADSL/cable-like mix).
func churnStar(b *testing.B, rng *rand.Rand, k *sim.Kernel, hosts int) (*Network, []NodeID) {
	ups := []float64{1e6, 2e6, 5e6, 10e6, 20e6, 50e6, 100e6}
	factors := []float64{2, 5, 10}
	hs := make([]StarHost, hosts)
	for i := range hs {
		up := ups[rng.IntN(len(ups))]
		hs[i] = StarHost{
			Name:        fmt.Sprintf("h%d", i),
			UploadBps:   up,
			DownloadBps: up * factors[rng.IntN(len(factors))],
			Delay:       sim.Time(1+rng.IntN(50)) * sim.Millisecond,
		}
	}
	n, err := BuildStar(k, hs)
	if err != nil {
		b.Fatal(err)
	}
	ids := make([]NodeID, hosts)
	for i := range ids {
		ids[i] = NodeID(i + 1) // node 0 is the core
	}
	return n, ids
}

// BenchmarkFlowChurn keeps a fixed number of flows active on a 10,000-host star: each
// completion starts a flow between a new random pair, with a size drawn log-uniformly
// from 10 kB to 10 MB. b.N counts flow events (completions plus starts). Reports the
// wall time per event, the mean final solve-set size (touched), the flows whose rate
// changed (changed: the work any exact allocator must do, since each needs its
// completion moved), and the fill's work summed over rounds (filled).
//
// On a fixed star, more flows means more flows per access link, so an event really
// changes more rates; BenchmarkFlowChurnConstantDensity holds the flows per host
// fixed and grows the network instead, which isolates the cost of unrelated flows.
func BenchmarkFlowChurn(b *testing.B) {
	for _, active := range []int{5_000, 10_000, 20_000, 50_000} {
		b.Run(fmt.Sprintf("flows=%d", active), func(b *testing.B) {
			benchChurn(b, active, 10_000)
		})
	}
}

// BenchmarkFlowChurnConstantDensity is BenchmarkFlowChurn with 5 active flows per host
// (as at 50,000 flows on 10,000 hosts): the per-event cost must stay flat as the
// network grows, since the added flows are unrelated to any one event.
func BenchmarkFlowChurnConstantDensity(b *testing.B) {
	for _, active := range []int{5_000, 50_000, 200_000} {
		b.Run(fmt.Sprintf("flows=%d/hosts=%d", active, active/5), func(b *testing.B) {
			benchChurn(b, active, active/5)
		})
	}
}

func benchChurn(b *testing.B, active, nhosts int) {
	rng := rand.New(rand.NewPCG(7, uint64(active)))
	k := sim.NewKernel()
	n, hosts := churnStar(b, rng, k, nhosts)
	var events int
	var onDone func(*Flow)
	start := func() {
		src := hosts[rng.IntN(len(hosts))]
		dst := hosts[rng.IntN(len(hosts)-1)]
		if dst >= src {
			dst++
		}
		r, err := n.Route(src, dst)
		if err != nil {
			b.Fatal(err)
		}
		size := int64(1e4 * math.Pow(10, 3*rng.Float64()))
		n.StartFlow(r, size, FlowOptions{}, onDone)
	}
	onDone = func(*Flow) {
		events += 2 // this completion and the start that replaces it
		start()
		if events >= b.N {
			k.Stop()
		}
	}
	for i := 0; i < active; i++ {
		start()
	}
	s0 := n.Stats()
	b.ResetTimer()
	t0 := time.Now()
	k.Run()
	el := time.Since(t0)
	b.StopTimer()
	s1 := n.Stats()
	ev := float64(s1.Events - s0.Events)
	b.ReportMetric(float64(el.Microseconds())/ev, "us/event")
	b.ReportMetric(float64(s1.Touched-s0.Touched)/ev, "touched/event")
	b.ReportMetric(float64(s1.RateChanges-s0.RateChanges)/ev, "changed/event")
	b.ReportMetric(float64(s1.Rounds-s0.Rounds)/float64(s1.Solves-s0.Solves), "rounds/solve")
	b.ReportMetric(float64(s1.Filled-s0.Filled)/ev, "filled/event")
	if n.ActiveFlows() != active {
		b.Fatalf("%d active flows, want %d", n.ActiveFlows(), active)
	}
}
