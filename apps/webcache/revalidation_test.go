package webcache

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/sim"
)

// Revalidation against its closed form worked by hand (Kurose & Ross §2.2.6; RFC 7234
// §4.2.1, RFC 7232 §3.3). λ = 1/s, μ = 0.01/s, max-age 60 s, d = 0.1 s, D = 0.2 s:
// stale requests 1 + λD = 1.2; cycle 60 + 1 + 0.2 − (1 − e^{−0.2}) + 0.1 = 61.118731 s;
// 304s e^{−0.601} · 1/1.01 · (1 + (1 − e^{−0.002})/0.01) = 0.548263 · 0.990099 · 1.199800
// = 0.651293. Objects that never change are always answered 304; with no delays a
// cycle is max-age plus the wait for the next request, and the one stale request is a
// 304 with probability e^{−μM}·λ/(λ+μ), the Laplace transform of Exp(λ) at μ.
func TestRevalidationClosedForm(t *testing.T) {
	c := Revalidation(1, 0.01, 60, 0.1, 0.2)
	require.InDelta(t, 1.2, c.Stale, 1e-12)
	require.InDelta(t, 61.118731, c.Length, 1e-6)
	require.InDelta(t, 61.118731, c.Requests, 1e-6)
	require.InDelta(t, 0.651293, c.NotModified, 1e-6)

	never := Revalidation(0.5, 0, 60, 0.1, 0.2)
	require.Equal(t, never.Stale, never.NotModified)

	c = Revalidation(0.02, 0.001, 30, 0, 0)
	require.InDelta(t, 1, c.Stale, 1e-12)
	require.InDelta(t, 30+50, c.Length, 1e-9)
	require.InDelta(t, math.Exp(-0.03)*0.02/0.021, c.NotModified, 1e-12)
}

// The closed form of the conditional-get scenario's traffic against the simulation:
// 500 Zipf(0.8) objects, all held, 15 requests/s, max-age 60 s, a 200 ms Internet
// delay; two runs per point. The share of conditional GETs answered 304 within 0.01,
// the access-link bytes per request within 4% (the closed form leaves out queueing on
// the access link, which makes a stale copy's round trip, and so the requests that
// share it, a little longer).
func TestConditionalGETTrafficMatchesSimulation(t *testing.T) {
	for _, c := range []struct {
		revalidate bool
		mu         float64
	}{{true, 0.001}, {true, 0.01}, {false, 0.01}} {
		cfg := DefaultSimConfig()
		cfg.Workload, cfg.Alpha, cfg.Catalogue = ZipfWorkload, 0.8, 500
		cfg.CacheBytes = int64(cfg.Catalogue) * cfg.ObjectBytes
		cfg.ChangesPerS, cfg.MaxAge, cfg.Revalidate = c.mu, 60*sim.Second, c.revalidate
		cfg.Net.InternetDelay = 200 * sim.Millisecond
		cfg.Requests, cfg.Warmup = 30000, 10000
		wantBytes, wantShare, err := cfg.ConditionalGETTraffic()
		require.NoError(t, err)
		var bytes, share float64
		for seed := uint64(1); seed <= 2; seed++ {
			r, err := Simulate(context.Background(), cfg, seed, nil)
			require.NoError(t, err)
			bytes += float64(r.AccessBytesIn+r.AccessBytesOut) / float64(r.Requests) / 2
			if reval := r.Outcomes[Validated] + r.Outcomes[Changed]; reval > 0 {
				share += float64(r.Outcomes[Validated]) / float64(reval) / 2
			}
		}
		require.InEpsilon(t, wantBytes, bytes, 0.04, "revalidate %v, μ = %v", c.revalidate, c.mu)
		require.InDelta(t, wantShare, share, 0.01, "revalidate %v, μ = %v", c.revalidate, c.mu)
	}
	// The closed form is for a cache holding every object, under max-age.
	cfg := DefaultSimConfig()
	_, _, err := cfg.ConditionalGETTraffic()
	require.Error(t, err)
}
