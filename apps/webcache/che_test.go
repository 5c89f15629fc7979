package webcache

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/apps/webcache/workload"
	"netsim/sim"
)

// Che, Tung and Wang (IEEE JSAC 2002, §III): under the independent reference model an
// LRU cache of C equal-sized objects has hit ratio Σ p_i (1 − e^{−p_i T_C}), T_C solving
// Σ (1 − e^{−p_i T_C}) = C. Issue 3, acceptance 4: the simulated LRU hit ratio under
// independent Zipf requests matches it within 0.01 absolute for a catalogue of 10^5
// objects and cache sizes from 0.1% to 20% of it. Web traces give α from 0.64 to 0.83
// (Breslau et al., INFOCOM 1999); both ends are checked.
func TestLRUHitRatioMatchesChe(t *testing.T) {
	const n = 100000
	for _, alpha := range []float64{0.64, 0.83} {
		z := workload.NewZipf(n, alpha)
		for _, frac := range []float64{0.001, 0.01, 0.05, 0.2} {
			capacity := int(frac * n)
			t.Run(fmt.Sprintf("alpha=%v/C=%d", alpha, capacity), func(t *testing.T) {
				r := sim.NewStreams(7).Stream("workload/objects")
				s := NewStore(int64(capacity), LRU)
				keys := make([]Key, n)
				for i := range keys {
					keys[i] = Key{"server0", Target(int64(i))}
				}
				// Warm up until the cache has been full for as long again.
				for s.Len() < capacity {
					k := keys[z.Sample(r)]
					if _, ok := s.Get(k); !ok {
						s.Put(Entry{Key: k, BodyBytes: 1})
					}
				}
				const measured = 400000
				hits := 0
				for range measured {
					k := keys[z.Sample(r)]
					if _, ok := s.Get(k); ok {
						hits++
					} else {
						s.Put(Entry{Key: k, BodyBytes: 1})
					}
				}
				got := float64(hits) / measured
				want := CheHitRatio(n, alpha, float64(capacity))
				t.Logf("α=%v C=%d: simulated %.4f, Che %.4f", alpha, capacity, got, want)
				require.InDelta(t, want, got, 0.01)
			})
		}
	}
}

// The grouped evaluation of Che's approximation agrees with the plain sum over every
// object to 1e-6.
func TestCheGroupingIsExact(t *testing.T) {
	const n = 100000
	for _, alpha := range []float64{0.64, 1.0} {
		p := workload.ZipfProbabilities(n, alpha)
		for _, c := range []float64{100, 5000, 20000} {
			h := CheHitRatio(n, alpha, c)
			// Recover T_C from the plain sum by bisection, and the hit ratio from it.
			occ := func(tc float64) (o, hr float64) {
				for _, pi := range p {
					m := -math.Expm1(-pi * tc)
					o += m
					hr += pi * m
				}
				return
			}
			lo, hi := 0.0, 1e12
			for range 80 {
				mid := (lo + hi) / 2
				if o, _ := occ(mid); o < c {
					lo = mid
				} else {
					hi = mid
				}
			}
			_, want := occ(lo)
			require.InDelta(t, want, h, 1e-6, "α=%v C=%v", alpha, c)
		}
	}
}
