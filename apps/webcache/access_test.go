package webcache

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// tQuantile975 is Student's t 0.975-quantile for n−1 degrees of freedom, n = 10.
const tQuantile975 = 2.262

// meanCI returns the mean of xs and the half-width of its 95% Student-t interval
// (len(xs) must be 10).
func meanCI(xs []float64) (mean, half float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	sd := math.Sqrt(ss / float64(len(xs)-1))
	return mean, tQuantile975 * sd / math.Sqrt(float64(len(xs)))
}

// Kurose & Ross §2.2.5: the average access delay on the access link is Δ/(1−Δβ), Δ the
// mean time to send an object over the link and β the rate of objects crossing it. A
// link shared max-min fairly by transfers that arrive as a Poisson process is an M/G/1
// processor-sharing queue, whose mean sojourn is (L/R)/(1−ρ) (Kleinrock, Queueing
// Systems vol. 2, §4.4). Without a cache every request's response crosses the link;
// the rate is chosen for utilizations 0.3, 0.6 and 0.9, and the theory must fall in the
// 95% interval of 10 independent replications of the simulated mean access delay.
func TestAccessDelayIsProcessorSharing(t *testing.T) {
	for _, rho := range []float64{0.3, 0.6, 0.9} {
		t.Run(fmt.Sprintf("rho=%.1f", rho), func(t *testing.T) {
			cfg := DefaultSimConfig()
			cfg.UseCache = false
			cfg.Requests, cfg.Warmup = 12000, 1000
			if rho == 0.9 {
				cfg.Requests, cfg.Warmup = 30000, 2000 // ten times the relaxation time
			}
			cfg.Net.InternetDelay = 0
			deltaS := float64(cfg.OKWireBytes()) * 8 / cfg.Net.AccessBps
			cfg.RatePerS = rho / deltaS
			want := AccessDelay(deltaS, cfg.RatePerS)
			var means []float64
			for seed := range uint64(10) {
				r, err := Simulate(context.Background(), cfg, 1000+seed, nil)
				require.NoError(t, err)
				require.Equal(t, int64(cfg.Requests-cfg.Warmup), r.AccessDelay.N(), "every measured response crossed the access link")
				// The measured Δ is that of the simulated messages.
				require.InDelta(t, deltaS, float64(r.AccessRespBytes)*8/cfg.Net.AccessBps/float64(r.AccessDelay.N()), 1e-12)
				means = append(means, r.AccessDelay.Mean())
			}
			mean, half := meanCI(means)
			t.Logf("ρ=%.1f: Δ/(1−Δβ) = %.5f s, simulated %.5f ± %.5f s", rho, want, mean, half)
			require.InDelta(t, want, mean, half, "Δ/(1−Δβ) outside the 95%% interval")
		})
	}
}
