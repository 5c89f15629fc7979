package kinds

import (
	"context"
	"math"
	"netsim/scenarios"
	"netsim/scenarios/campaign"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/apps/webcache"
	"netsim/scenarios/units"
)

// The built-in web-cache scenarios load, and their theory curves evaluate.
func TestWebcacheBuiltins(t *testing.T) {
	for _, name := range []string{"web-cache", "web-cache-hit-ratio", "conditional-get"} {
		s, err := scenarios.Load(name)
		require.NoError(t, err, name)
		require.Equal(t, "webcache", s.Kind.Name())
		require.NoError(t, s.Check(), name)
	}
}

// Kurose & Ross §2.2.5's example, run end to end through the scenario layer: at 15
// requests/s of 1 Mbit objects on a 15 Mbps access link with a cache answering 40% of
// requests, the mean response time is the textbook's 0.4·LAN + 0.6·(Internet delay +
// Δ/(1−Δβ) + LAN), about 1.3 s; without a cache on a 100 Mbps link, about 2.01 s. Both
// within 3%, and the measured access-link utilization within 0.02 of 0.6 and 0.15.
func TestWebcacheTextbookExample(t *testing.T) {
	s, err := scenarios.Load("web-cache")
	require.NoError(t, err)
	for _, kv := range []string{"requests=8000", "warmup=1000", "replications=2"} {
		require.NoError(t, s.Set(kv))
	}
	s.Sweep[s.AxisIndex("access_rate")].Values = []any{units.Rate(15e6), units.Rate(100e6)}
	res, err := campaign.Run(context.Background(), s, campaign.RunOptions{Workers: 2})
	require.NoError(t, err)
	checked := 0
	for _, ps := range res.Summary {
		p := s.Point(ps.Point).Params.(*webcacheParams)
		var wantUtil float64
		switch {
		case p.Cache && p.AccessRate == 15e6:
			wantUtil = 0.6
		case !p.Cache && p.AccessRate == 100e6:
			wantUtil = 0.15
		default:
			continue // 15 Mbps without a cache is overloaded: no steady state
		}
		checked++
		want := p.textbookResponse()
		got := ps.Stats["response_mean_s"].Mean
		t.Logf("cache=%v access=%v: simulated %.4f s, K&R %.4f s; utilization %.3f", p.Cache, p.AccessRate, got, want,
			ps.Stats["access_utilization"].Mean)
		require.InEpsilon(t, want, got, 0.03)
		require.InDelta(t, wantUtil, ps.Stats["access_utilization"].Mean, 0.02)
	}
	require.Equal(t, 2, checked)
}

// The hit-ratio theory is Che's approximation for the cache's capacity in objects.
func TestWebcacheHitRatioTheory(t *testing.T) {
	k, _ := scenarios.LookupKind("webcache")
	p := k.NewParams().(*webcacheParams)
	p.Workload, p.Catalogue, p.Alpha, p.CacheFraction = "zipf", 100000, 0.8, 0.01
	require.NoError(t, k.Check(p))
	require.InDelta(t, webcache.CheHitRatio(100000, 0.8, 1000), p.expectedHitRatio(), 1e-12)
	p.Cache = false
	require.Zero(t, p.expectedHitRatio())
	p.Cache, p.Workload = true, "fixed-hit"
	require.Equal(t, 0.4, p.expectedHitRatio())
	// Overloaded: no curve.
	p.Cache, p.AccessRate = false, 15e6
	require.True(t, math.IsNaN(p.textbookResponse()))
}

// The cache crashes for 10 s of a 1000-request run and comes back empty: nothing hangs
// (a browser gives up on a response that never comes, and on a connection the rebooted
// cache resets), every measured request is answered, and with the hot objects fetched
// again through an access link that a 100% miss rate overloads, the hit ratio falls
// below the textbook's 40% that the undisturbed run keeps (37% over its 900 requests)
// and responses are slower.
func TestWebcacheCacheCrash(t *testing.T) {
	const file = `kind: webcache
params: {requests: 1000, warmup: 100}
topology:
  institution: {hosts: 3}
`
	run := func(text string) campaign.RunResult {
		s, err := scenarios.Parse("crash.yaml", []byte(text))
		require.NoError(t, err)
		res, err := campaign.Run(context.Background(), s, campaign.RunOptions{Workers: 1})
		require.NoError(t, err)
		return res.Runs[0]
	}
	calm := run(file)
	crashed := run(file + `schedule:
  events:
    - {at: 30s, crash: host0}
    - {at: 40s, recover: host0}
`)
	require.Equal(t, 0.37, calm.Values["hit_ratio"])
	t.Logf("hit ratio %.3f, mean response %.2f s (undisturbed: %.3f, %.2f s)", crashed.Values["hit_ratio"],
		crashed.Values["response_mean_s"], calm.Values["hit_ratio"], calm.Values["response_mean_s"])
	require.Less(t, crashed.Values["hit_ratio"], 0.3)
	require.Greater(t, crashed.Values["response_mean_s"], 2*calm.Values["response_mean_s"])
}
