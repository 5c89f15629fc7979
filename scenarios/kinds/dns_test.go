package kinds

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/scenarios"
	"netsim/scenarios/campaign"
	"netsim/scenarios/units"
	"netsim/sim"
)

// The built-in dns-resolution reproduces Kurose & Ross §2.5.2 exactly: every run's
// message count is the texts' (8 iterative or recursive, 10 with the intermediate
// server, 6 with the TLD cached, 2 with the answer cached) and its latency is the sum
// of the RTTs on its path, to the nanosecond (the same float64 from the same integer
// count of nanoseconds).
func TestBuiltinDNSResolutionIsExact(t *testing.T) {
	s, err := scenarios.Load("dns-resolution")
	require.NoError(t, err)
	res, err := campaign.Run(context.Background(), s, campaign.RunOptions{Workers: 2})
	require.NoError(t, err)
	require.Len(t, res.Runs, 4*3)
	want := map[string][3]float64{ // messages by cached = 0, 1, 2
		"iterative": {8, 6, 2}, "recursive": {8, 8, 2},
		"iterative-intermediate": {10, 8, 2}, "recursive-intermediate": {10, 10, 2},
	}
	for _, r := range res.Runs {
		pt := s.Point(r.Point)
		p := pt.Params.(*dnsParams)
		variant := pt.VariantName(s)
		require.Equal(t, want[variant][p.Cached], r.Values["messages"], "%v", pt.Assign)
		require.Equal(t, theoryOf(t, s.Kind, "textbook_messages", p), r.Values["messages"], "%v", pt.Assign)
		require.Equal(t, theoryOf(t, s.Kind, "rtt_sum", p), r.Values["latency_s"], "%v", pt.Assign)
	}
}

// The built-in dns-cache: the local server's hit ratio is within 0.02 of the TTL-cache
// formula Σ p_i λ_i T/(1+λ_i T) at every point (the formula neglects the ~0.2 s a miss
// takes to resolve, and one run is one sample), and a longer TTL means less root load.
func TestBuiltinDNSCacheFollowsTTLTheory(t *testing.T) {
	s, err := scenarios.Load("dns-cache")
	require.NoError(t, err)
	res, err := campaign.Run(context.Background(), s, campaign.RunOptions{Workers: 2})
	require.NoError(t, err)
	tld := map[string]map[float64]float64{}
	for _, r := range res.Runs {
		pt := s.Point(r.Point)
		p := pt.Params.(*dnsParams)
		require.InDelta(t, theoryOf(t, s.Kind, "ttl_cache", p), r.Values["hit_ratio"], 0.02, "%v", pt.Assign)
		require.Zero(t, r.Values["failed"])
		v := pt.VariantName(s)
		if tld[v] == nil {
			tld[v] = map[float64]float64{}
		}
		tld[v][p.ttlConst()] = r.Values["tld_load_per_s"]
	}
	for v, byTTL := range tld {
		require.Greater(t, byTTL[5], 2*byTTL[300], v)
	}
}

// The built-in dns-load-balance: without rotation every client uses the first
// replica; with rotation and uncached answers each of R replicas gets 1/R of the
// requests, within 0.03.
func TestBuiltinDNSLoadBalance(t *testing.T) {
	s, err := scenarios.Load("dns-load-balance")
	require.NoError(t, err)
	res, err := campaign.Run(context.Background(), s, campaign.RunOptions{Workers: 2})
	require.NoError(t, err)
	for _, r := range res.Runs {
		pt := s.Point(r.Point)
		p := pt.Params.(*dnsParams)
		switch pt.VariantName(s) {
		case "no-rotation":
			require.Equal(t, 1.0, r.Values["replica_max_share"], "%v", pt.Assign)
		case "rotation":
			require.InDelta(t, 1/float64(p.Replicas), r.Values["replica_max_share"], 0.03, "%v", pt.Assign)
		}
	}
}

// Acceptance 6 of the DNS issue through the kind: with 20% loss each way on the local
// server's access link and 2 s timeouts, every lookup either succeeds or fails after
// its budget — none hangs — and there are timeouts.
func TestDNSKindUnderLoss(t *testing.T) {
	k, _ := scenarios.LookupKind("dns")
	p := k.NewParams().(*dnsParams)
	p.Loss, p.Queries, p.Warmup = 0.2, 3000, 0
	require.NoError(t, k.Check(p))
	v, err := k.Run(context.Background(), p, scenarios.RunEnv{Seed: 3})
	require.NoError(t, err)
	answered := float64(len(v.Samples["resolution_s"]))
	require.Equal(t, 3000.0, answered+v.Values["failed"], "every lookup ends")
	require.Greater(t, v.Values["timeouts"], 100.0)
	require.False(t, math.IsNaN(v.Values["latency_s"]))
}

// The built-in dns-web (acceptance 5 of the DNS issue): for K = 0..10 and the four
// HTTP modes, the page load time equals, to the nanosecond, the DNS part (the sum of
// the RTTs of the resolution's exchanges) plus the HTTP part (K&R §2.2.2's RTT
// formula times the browser–server RTT).
func TestBuiltinDNSWebIsExact(t *testing.T) {
	s, err := scenarios.Load("dns-web")
	require.NoError(t, err)
	res, err := campaign.Run(context.Background(), s, campaign.RunOptions{Workers: 2})
	require.NoError(t, err)
	require.Len(t, res.Runs, 4*11)
	for _, r := range res.Runs {
		pt := s.Point(r.Point)
		p := pt.Params.(*dnsParams)
		require.Equal(t, theoryOf(t, s.Kind, "dns_web", p), r.Values["page_load_s"], "%v", pt.Assign)
	}
	// One of them by hand: pipelined, K = 10: DNS 2(1+3) + 2(3+19) + 2(3+29) + 2(3+39)
	// = 200 ms, HTTP 3 RTT of 2(1+40) = 82 ms.
	for _, r := range res.Runs {
		if pt := s.Point(r.Point); pt.VariantName(s) == "pipelined" && pt.Params.(*dnsParams).Objects == 10 {
			require.Equal(t, 0.446, r.Values["page_load_s"])
		}
	}
}

// With caching, a second page load from the same host skips the lookup (the issue's
// "The Web rides on it"): two loads, the second pays the HTTP part alone, and the
// local server is asked once.
func TestDNSWebSecondLoadSkipsLookup(t *testing.T) {
	k, _ := scenarios.LookupKind("dns")
	p := k.NewParams().(*dnsParams)
	p.Workload, p.Select, p.Pages, p.HTTPMode, p.Objects = "web", "in-order", 2, "persistent", 3
	p.StubCache = true
	p.PageGap = units.Duration(10 * sim.Minute) // within the 1 h TTL
	require.NoError(t, k.Check(p))
	v, err := k.Run(context.Background(), p, scenarios.RunEnv{Seed: 1})
	require.NoError(t, err)
	require.Equal(t, theoryOf(t, k, "dns_web", p), v.Values["page_load_s"])
	require.Equal(t, []float64{0.198}, v.Samples["resolution_s"], "one real lookup")
	require.Equal(t, 2*(1+3)-1.0, v.Values["host_cache_answers"], "the other 2×(1+3) requests: the host's cache")
	require.Equal(t, 1.0, v.Values["root_queries"])
}
