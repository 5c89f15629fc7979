package dns

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"netsim/sim"
)

// The hit ratio of a TTL cache under Poisson requests (Jung, Berger & Balakrishnan,
// "Modeling TTL-based Internet caches", INFOCOM 2003, §III): requests for one name at
// rate λ, records of TTL T; a miss starts a period of T in which every request is a
// hit, and the first request after it is the next miss, so a cycle holds 1 + λT
// requests on average of which λT are hits: λT/(1+λT). The simulated local server's
// hit ratio for one name, over 20 independent replications of 2000 queries, holds it
// within the replications' 95% Student-t interval for three (λ, T). Delays are 10 µs,
// so that a miss's resolution time (which the formula neglects) weighs under 10⁻⁴.
func TestTTLCacheHitRatioMatchesJungBergerBalakrishnan(t *testing.T) {
	delays := map[string]sim.Time{}
	for _, h := range append(TextbookNamespace(false, 1, RR{}, RR{}).Servers(), worldHosts...) {
		delays[h] = 10 * sim.Microsecond
	}
	for _, c := range []struct {
		ratePerS float64
		ttl      uint32
	}{{1, 1}, {0.1, 30}, {3, 2}} {
		const reps, queries = 20, 2000
		ratios := make([]float64, reps)
		for rep := range reps {
			ns := TextbookNamespace(false, c.ttl, RR{Type: TypeA, Addr: AddrOfNode(0)}, RR{Type: TypeA, Addr: AddrOfNode(0)})
			w := newWorld(t, ns, delays, ServerConfig{}, ResolverConfig{})
			r := rand.New(rand.NewPCG(uint64(rep), 7))
			at := sim.Time(0)
			for range queries {
				at += sim.Seconds(r.ExpFloat64() / c.ratePerS)
				w.k.At(at, func() { w.stub.Lookup(Question{Name: TextbookTarget, Type: TypeA}, func(Result) {}) })
			}
			w.k.Run()
			s := w.local.Stats()
			require.InDelta(t, queries, s.Queries, 5) // the stub shares a query between lookups a few µs apart
			ratios[rep] = s.HitRatio()
		}
		m, sd := stat.MeanStdDev(ratios, nil)
		half := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: reps - 1}.Quantile(0.975) * sd / math.Sqrt(reps)
		lt := c.ratePerS * float64(c.ttl)
		want := lt / (1 + lt)
		t.Logf("λ = %v/s, T = %d s: simulated %.4f ± %.4f, λT/(1+λT) = %.4f", c.ratePerS, c.ttl, m, half, want)
		require.InDelta(t, want, m, half, "λ = %v, T = %d", c.ratePerS, c.ttl)
	}
}
