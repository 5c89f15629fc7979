//go:build unix

package kinds

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"netsim/scenarios"
)

// BenchmarkChordLoad10k is issue 13's performance target under load (acceptance 6):
// 10^4 Chord nodes, stabilize, fix_fingers and check_predecessor every 30 s, one
// iterative lookup per node per second (ToN'03 §V's workload, without churn), for
// CHORD_BENCH_DURATION of simulated time (1000s, the target, unless set; 100s for a
// quick profile; CHORD_BENCH_NODES sets another N, to see what the cache misses of
// 10^4 nodes' tables cost against 10^3). Every lookup runs; those of the last tenth
// are measured (as the kind keeps 48 bytes of each measured lookup, 10^7 of them
// would be 480 MB). It reports the CPU seconds per simulated second, the lookups
// measured and kernel events, and the Go runtime's memory; run it alone under
// /usr/bin/time -v for the peak RSS:
//
//	go test ./scenarios/kinds -run '^$' -bench ChordLoad10k -benchtime 1x
//
// The same workload from the command line is the chord-churn built-in with
//
//	netsim run chord-churn --set nodes=10000 --set churn_rate=0/s --set lookup_rate=1
//	  --set lookups=0 --set stabilize_min=30s --set stabilize_max=30s
//	  --set duration=1000s --set warmup=900s -j 1
func BenchmarkChordLoad10k(b *testing.B) {
	dur := os.Getenv("CHORD_BENCH_DURATION")
	if dur == "" {
		dur = "1000s"
	}
	d, err := time.ParseDuration(dur)
	require.NoError(b, err)
	s, err := scenarios.Parse("bench.yaml", []byte(fmt.Sprintf(`kind: chord
params: {nodes: %d, lookup_rate: 1, lookups: 0, stabilize_min: 30s, stabilize_max: 30s,
  duration: %gs, warmup: %gs}
`, benchNodes(), d.Seconds(), d.Seconds()*0.9)))
	require.NoError(b, err)
	k, p := s.Kind, s.Point(0).Params
	simS := p.(*chordParams).Duration.Time().Seconds()
	b.ReportAllocs()
	cpu0 := cpuSeconds(b)
	for b.Loop() {
		v, err := k.Run(context.Background(), p, scenarios.RunEnv{Seed: 1})
		require.NoError(b, err)
		b.ReportMetric(v.Values["lookups"], "lookups")
		b.ReportMetric(v.Values["events"], "events")
		b.ReportMetric(v.Values["failed_fraction"], "failed")
		b.ReportMetric(v.Values["hops_mean"], "hops")
	}
	cpu := (cpuSeconds(b) - cpu0) / float64(b.N)
	b.ReportMetric(cpu, "cpu-s/op")
	b.ReportMetric(cpu/simS, "cpu-s/sim-s")
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.Sys)/(1<<20), "MiB-sys")
}

// benchNodes is CHORD_BENCH_NODES, 10^4 unless set.
func benchNodes() int {
	if n, err := strconv.Atoi(os.Getenv("CHORD_BENCH_NODES")); err == nil {
		return n
	}
	return 10000
}
