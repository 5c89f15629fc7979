package kinds

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/scenarios"
	"netsim/scenarios/campaign"
)

// runChordBuiltin runs a chord built-in with the settings given and returns its runs
// in order.
func runChordBuiltin(t *testing.T, name string, set ...string) []campaign.RunResult {
	t.Helper()
	s, err := scenarios.Load(name)
	require.NoError(t, err)
	require.NoError(t, s.Set(set...))
	res, err := campaign.Run(context.Background(), s, campaign.RunOptions{Workers: 2})
	require.NoError(t, err)
	return res.Runs
}

// negBinQuantile is the q-quantile of the keys a host stores when K keys hash
// uniformly onto N hosts of v virtual nodes each (N·v ≫ 1): a host's share of the
// circle is the sum of v arcs each ≈ exponential of mean 1/(N·v), a Gamma(v) of mean
// 1/N, and its keys given the share are Poisson, so the count is negative binomial
// with shape v and mean K/N (the Poisson–Gamma mixture).
func negBinQuantile(v int, mean, q float64) float64 {
	r := float64(v)
	p := r / (r + mean)
	lg := func(x float64) float64 { y, _ := math.Lgamma(x); return y }
	cdf := 0.0
	for k := 0.0; ; k++ {
		cdf += math.Exp(lg(k+r) - lg(k+1) - lg(r) + r*math.Log(p) + k*math.Log1p(-p))
		if cdf >= q {
			return k
		}
	}
}

// nearestRank is the q-quantile of xs by the nearest rank, as the kind's keys_p01 and
// keys_p99 readings are.
func nearestRank(xs []float64, q float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[max(0, int(math.Ceil(q*float64(len(s))))-1)]
}

// Reference: SIGCOMM'01 §6.2 (ToN'03 §V-B), Figs. 8 and 9: keys per node under
// consistent hashing. The paper, 10^4 nodes and 100 keys a node: with one virtual node
// the 1st percentile is 0 and the 99th 4.8× the mean; with 20 virtual nodes a host
// they are 0.5× and 1.6× the mean (as SIGCOMM'01 §6.2's text has them: "the 99th
// percentile decreases from 4.8× to 1.6× the mean value, while the 1st percentile
// increases from 0 to 0.5×", 10^4 real nodes, 10^6 keys). chord-load at 1000 hosts
// and 100 keys a host (the same ratio), the keys put through real lookups. Two checks
// per run:
//   - closed form: the 1st and 99th percentiles of 1000 hosts lie within the
//     negative binomial's quantiles at q ± 2.5·√(q(1−q)/1000), the band an order
//     statistic of 1000 draws keeps to but for about one time in a hundred;
//   - the paper: the percentiles as multiples of the mean within 0.7 (v = 1, whose
//     99th percentile of 1000 hosts has a standard error of about 0.3 means) and
//     0.15 (v = 20) of the paper's.
//
// The mean is exactly K/N: every key is stored once, at a live host.
func TestChordLoadMatchesSIGCOMMFig9(t *testing.T) {
	runs := runChordBuiltin(t, "chord-load", "keys=100000", "virtual_nodes=[1, 20]")
	require.Len(t, runs, 2)
	paper := map[int][2]float64{1: {0, 4.8}, 20: {0.5, 1.6}}
	for i, v := range []int{1, 20} {
		r := runs[i]
		keys := r.Samples["keys"]
		require.Len(t, keys, 1000, "v=%d: hosts", v)
		mean := 100.0
		require.Equal(t, mean, r.Values["keys_mean"], "v=%d: every key stored once", v)
		for j, q := range []float64{0.01, 0.99} {
			got := nearestRank(keys, q)
			name := []string{"keys_p01", "keys_p99"}[j]
			require.Equal(t, got, r.Values[name])
			band := 2.5 * math.Sqrt(q*(1-q)/1000)
			lo, hi := negBinQuantile(v, mean, q-band), negBinQuantile(v, mean, q+band)
			t.Logf("v=%2d: %s = %.0f (%.2f× the mean; paper %.1f×), negative binomial [%.0f, %.0f]", v, name, got, got/mean, paper[v][j], lo, hi)
			require.True(t, lo <= got && got <= hi, "v=%d: %s = %v, want within [%v, %v]", v, name, got, lo, hi)
			tol := 0.7
			if v == 20 {
				tol = 0.15
			}
			require.InDelta(t, paper[v][j], got/mean, tol, "v=%d: %s/mean against SIGCOMM'01 §6.2", v, name)
		}
	}
}

// Reference: ToN'03 §V-E, Table II: 1000 nodes with r = 20 successors, stabilized; a
// fraction p fail at once and lookups follow before stabilization repairs anything.
// The paper's mean path length and mean timeouts per lookup (from memory of ToN'03:
// no readable copy of its Section V was found; see the closing note of issue 13):
//
//	p      0     0.1   0.2   0.3   0.4   0.5
//	path   3.84  4.03  4.22  4.44  4.69  5.09
//	t/o    0     0.60  1.17  2.02  3.23  5.10
//
// netsim's hops (the nodes asked, the last naming the successor, as the paper counts)
// must be within 0.25 of the paper's (5%: the seed-to-seed spread of a 1000-node ring
// is about 0.1); its timeouts within 0.1 + 25% of the paper's (the spread over seeds
// at p = 0.5 is about ±0.3, and netsim runs 10–20% above the paper at p ≥ 0.3: see
// the closing note of issue 13). No lookup may fail: a key's successor is lost only
// if all 20 successors of its predecessor fail, p^20 ≤ 10^-6.
func TestChordFailuresMatchToNTableII(t *testing.T) {
	runs := runChordBuiltin(t, "chord-failures", "lookups=3000")
	require.Len(t, runs, 6)
	paperPath := []float64{3.84, 4.03, 4.22, 4.44, 4.69, 5.09}
	paperTO := []float64{0, 0.60, 1.17, 2.02, 3.23, 5.10}
	for i, r := range runs {
		p := 0.1 * float64(i)
		hops, to := r.Values["hops_mean"], r.Values["timeouts_mean"]
		t.Logf("p = %.1f: path %.2f (paper %.2f), timeouts %.2f (paper %.2f), failed %.4f", p, hops, paperPath[i], to, paperTO[i], r.Values["failed_fraction"])
		require.Equal(t, float64(100*i), r.Values["crashed"], "p=%.1f", p)
		require.InDelta(t, paperPath[i], hops, 0.25, "p=%.1f: mean path length", p)
		require.InDelta(t, paperTO[i], to, 0.1+0.25*paperTO[i], "p=%.1f: mean timeouts", p)
		require.Zero(t, r.Values["failed_fraction"], "p=%.1f: failed lookups", p)
	}
}

// Reference: ToN'03 §V-F, Table III: about 1000 nodes under Poisson joins of new
// nodes at rate R and departures at the same rate, stabilization at intervals uniform
// in [15, 45] s (SIGCOMM'01 §6.5, whose text is at hand, models "joins and failures"
// as "a Poisson process with the mean arrival rate of R"; each join is a new node,
// here the pool's host an arrival takes, reborn with a new id). The paper's mean
// path length, mean timeouts and failed lookups per 10^4, at R = 0.1/s and 0.4/s:
// 3.83, 0.11, 0; 4.06, 0.46, 15 — from memory of ToN'03: no readable copy of its
// Section V was found (see the closing note of issue 13).
//
// netsim's path length must be within 0.2 of the paper's (seeds 1–3: within 0.05).
// Its failed lookups are held to a closed form instead of the paper's count: a lookup
// fails when its key lies between a node that has just joined and its predecessor,
// which names the old successor until its next stabilize: the residual of a
// U[15 s, 45 s] interval, of mean (a² + ab + b²)/(3(a + b)) = 16.25 s. That is
// R·16.25 s/N of the key space, so of the lookups; the run must be within
// [0.5×, 2.5×] of it (a few tens of failures in 4000 lookups, Poisson-noisy).
// Timeouts come from fingers and successor-list entries that point at departed
// nodes: about R·(a pointer's age)/N a hop. netsim refreshes a distinct finger a
// fix_fingers round, the whole table in about log2 N rounds (≈ 5 min), and has 0.5 to
// 0.7 of the paper's timeouts (seeds 1–3), as if the paper's fingers were refreshed
// about half as often: it must have at least 0.35 and at most 1.0 of the paper's,
// and at least 3 times more at 0.4/s than at 0.1/s (R·age: 4; the paper 4.2).
// Messages per lookup: each timeout costs the lost request and at most one more
// question, so 2·h ≤ messages_per_lookup ≤ 2·h + 2 + 3·timeouts, h the mean hops.
func TestChordChurnAgainstToNTableIII(t *testing.T) {
	runs := runChordBuiltin(t, "chord-churn", "churn_rate=[0.1/s, 0.4/s]", "duration=2500s", "warmup=500s", "lookups=4000")
	require.Len(t, runs, 2)
	paperPath, paperTO := []float64{3.83, 4.06}, []float64{0.11, 0.46}
	var timeouts []float64
	for i, rate := range []float64{0.1, 0.4} {
		r := runs[i]
		pop := r.Values["population"]
		require.InDelta(t, 1000, pop, 50, "R=%v: the mean population is N", rate)
		model := rate * 16.25 / pop
		hops, to, failed, mpl := r.Values["hops_mean"], r.Values["timeouts_mean"], r.Values["failed_fraction"], r.Values["messages_per_lookup"]
		t.Logf("R = %.1f/s: path %.3f (paper %.2f), timeouts %.3f (paper %.2f, ×%.2f), failed %.4f (model %.4f), consistency %.3f, messages %.2f a lookup",
			rate, hops, paperPath[i], to, paperTO[i], to/paperTO[i], failed, model, r.Values["consistency"], mpl)
		require.InDelta(t, paperPath[i], hops, 0.2, "R=%v: mean path length", rate)
		require.True(t, failed >= 0.5*model && failed <= 2.5*model, "R=%v: failed %v, want within [0.5, 2.5]× %v", rate, failed, model)
		require.True(t, to >= 0.35*paperTO[i] && to <= paperTO[i], "R=%v: timeouts %v, want in [0.35, 1]× %v", rate, to, paperTO[i])
		require.True(t, mpl >= 2*hops && mpl <= 2*hops+2+3*to, "R=%v: messages per lookup %v, want in [%v, %v]", rate, mpl, 2*hops, 2*hops+2+3*to)
		timeouts = append(timeouts, to)
	}
	require.Greater(t, timeouts[1], 3*timeouts[0], "timeouts grow with R")
}

// Reference: Kurose & Ross §2.6.2, "Circular DHT": with successors only, a query
// goes round the circle, "N/2 messages are sent on average". Exactly, on dht-ring's
// eight peers with keys uniform over the 16 ids and a uniform querier: the query is
// forwarded (rank(owner) − rank(querier)) mod 8 times, uniform over 0..7, mean 3.5,
// and the owner answers unless it is the querier (7/8), 4.375 messages; the sample
// means of 4000 lookups must be within 3 standard errors (0.11) of those. The
// shortcut 4 → 10 and Chord's fingers must each save messages, beyond that noise.
func TestDHTRingMessagesAgainstNOver2(t *testing.T) {
	runs := runChordBuiltin(t, "dht-ring")
	require.Len(t, runs, 3)
	plain, shortcut, fingers := runs[0].Values, runs[1].Values, runs[2].Values
	t.Logf("messages per query: %.3f without shortcuts (exact 4.375, N/2 = 4), %.3f with 4 → 10, %.3f with fingers", plain["messages_per_lookup"], shortcut["messages_per_lookup"], fingers["messages_per_lookup"])
	require.Zero(t, plain["failed_fraction"]+shortcut["failed_fraction"]+fingers["failed_fraction"])
	require.InDelta(t, 3.5, plain["hops_mean"], 0.11)
	require.InDelta(t, 4.375, plain["messages_per_lookup"], 0.11)
	require.Less(t, shortcut["messages_per_lookup"], plain["messages_per_lookup"]-0.15)
	require.Less(t, fingers["messages_per_lookup"], shortcut["messages_per_lookup"]-0.15)
}

// Reference: SIGCOMM'01 §6.1 and Fig. 4 (an iterative lookup: the querier asks each
// node in turn) and §6.6 ("a final message to the successor node"). Exactly: an
// iterative lookup of h hops sends a find-next to each node asked and gets a next
// back, then sends a get to the successor it was named and gets its value: 2·h + 2
// messages, or 2·h when the querier is the key's successor itself (a fraction 1/N of
// the lookups, drawn at random querier). A recursive lookup is forwarded h times and
// the successor answers the querier: h + 1 messages (h when the querier owns the key).
// With stabilize, fix_fingers and check_predecessor running (and no churn: no
// timeouts), the ring's own lookups must not count as the lookups' messages:
// messages_per_lookup must lie in [2·h + 2 − 8/N, 2·h + 2] (iterative) and
// [h + 1 − 4/N, h + 1] (recursive), h the mean hops: the lower ends allow four times
// the expected share of lookups that the querier answers itself. Before the ring's
// own lookups' gets and values were told apart from the workload's, the iterative
// reading was 2.5 too high on this ring.
func TestChordMessagesPerLookupWithMaintenance(t *testing.T) {
	const nodes, lookups, seconds = 200, 2000, 400
	for _, style := range []string{"iterative", "recursive"} {
		runs := runChordBuiltin(t, "chord-churn", "churn_rate=0/s", "nodes=200", "duration=400s", "warmup=100s", "lookups=2000", "style="+style)
		require.Len(t, runs, 1)
		r := runs[0].Values
		hops, mpl := r["hops_mean"], r["messages_per_lookup"]
		want, slack := 2*hops+2, 8.0/nodes
		// The ring's own lookups are iterative whatever the style: their find-next
		// messages are all of them in recursive mode, the excess over the
		// workload's in iterative mode.
		own := r["msgs_find_next_per_node_s"] * nodes * seconds
		if style == "recursive" {
			want, slack = hops+1, 4.0/nodes
		} else {
			own -= lookups * hops
		}
		t.Logf("%s: hops %.3f, messages per lookup %.4f (want %.4f, at most %.3f less); the ring's own lookups' find-next messages: %.0f", style, hops, mpl, want, slack, own)
		require.Equal(t, float64(lookups), r["lookups"], style)
		require.Zero(t, r["timeouts_mean"], style)
		require.Greater(t, own, 1000.0, "%s: fix_fingers runs", style)
		require.True(t, mpl <= want+1e-9 && mpl >= want-slack, "%s: messages per lookup %v, want in [%v, %v]", style, mpl, want-slack, want)
	}
}
