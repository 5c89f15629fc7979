//go:build unix

package kinds

import (
	"context"
	"runtime"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/scenarios"
)

// BenchmarkDNS1e6 is the DNS issue's performance target: 10^6 client queries over 10^5
// host names (10 TLDs × 100 domains × 100 hosts, a www alias and an MX per domain,
// 1000 authoritative servers, 13 root letters) from 100 clients through one local
// server with a realistic cache (10^5 RRsets, LRU; TTLs exponential with mean 1 h;
// Zipf α = 0.8, 10% MX queries), at 1000 queries/s. It reports queries per second of
// wall time, the CPU seconds the process spent (user and system: on a shared
// machine the honest figure) and the Go runtime's memory from the OS; run it alone
// under /usr/bin/time -v for the peak RSS:
//
//	go test ./scenarios/kinds -run '^$' -bench DNS1e6 -benchtime 1x
//
// On the 2-core machine of 2026-12-01, shared (load average 10–26): 14.1 and 13.2
// CPU seconds in two runs, 195 MB peak RSS, 41M allocations (2.8 GB), a hit ratio of
// 0.906 and 2.19 messages per query; the wall time, 31 and 19 s, measured the load.
func BenchmarkDNS1e6(b *testing.B) {
	s, err := scenarios.Parse("bench.yaml", []byte(`kind: dns
params: {tlds: 10, domains: 100, hosts: 100, clients: 100, queries: 1000000, warmup: 100000,
  rate: 1000, cache_size: 100000, ttl: {exponential: 1h}}
`))
	require.NoError(b, err)
	k, p := s.Kind, s.Point(0).Params
	b.ReportAllocs()
	cpu0 := cpuSeconds(b)
	for b.Loop() {
		v, err := k.Run(context.Background(), p, scenarios.RunEnv{Seed: 1})
		require.NoError(b, err)
		b.ReportMetric(v.Values["hit_ratio"], "hit-ratio")
		b.ReportMetric(v.Values["messages"], "msgs/query")
	}
	b.ReportMetric(float64(p.(*dnsParams).Queries)*float64(b.N)/b.Elapsed().Seconds(), "queries/s")
	b.ReportMetric((cpuSeconds(b)-cpu0)/float64(b.N), "cpu-s/op")
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.Sys)/(1<<20), "MiB-sys")
}

// cpuSeconds is the user and system CPU time the process has used.
func cpuSeconds(b *testing.B) float64 {
	var ru syscall.Rusage
	require.NoError(b, syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
	sec := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return sec(ru.Utime) + sec(ru.Stime)
}
