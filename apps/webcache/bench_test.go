package webcache

import (
	"context"
	"runtime"
	"testing"
)

// Issue 3, acceptance 7: a web-cache run of 10^6 requests (Zipf α = 0.8 over 10^5
// objects, a cache of 10% of them, the textbook's institution at 15 requests/s). Run
// with -benchtime=1x; it reports requests per second of wall time and the heap's peak
// as the runtime saw it (Sys: memory obtained from the OS).
//
//	go test ./apps/webcache -run '^$' -bench Simulate1e6 -benchtime 1x
func BenchmarkSimulate1e6(b *testing.B) {
	cfg := DefaultSimConfig()
	cfg.Workload, cfg.Alpha, cfg.Catalogue = ZipfWorkload, 0.8, 100000
	cfg.CacheBytes = cfg.ObjectBytes * 10000
	cfg.Requests, cfg.Warmup = 1000000, 100000
	b.ReportAllocs()
	for b.Loop() {
		r, err := Simulate(context.Background(), cfg, 1, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(r.HitRatio(), "hit-ratio")
	}
	b.ReportMetric(float64(cfg.Requests)*float64(b.N)/b.Elapsed().Seconds(), "req/s")
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.Sys)/(1<<20), "MiB-sys")
}
