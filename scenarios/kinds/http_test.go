package kinds

import (
	"context"
	"netsim/scenarios"
	"netsim/scenarios/campaign"
	"testing"

	"github.com/stretchr/testify/require"
)

func theoryOf(t *testing.T, k scenarios.Kind, name string, params any) float64 {
	t.Helper()
	for _, th := range k.Theory() {
		if th.Name == name {
			v, err := th.Value(params)
			require.NoError(t, err)
			return v
		}
	}
	t.Fatalf("no theory %q", name)
	return 0
}

// The built-in http-persistence campaign reproduces Kurose & Ross §2.2.2's RTT
// formulas: every point — four modes, P = 2, 5, 10, K = 1..20 — lies on its closed
// form. The links run at 1 Gbps, so the objects' transmission (10 kB: 80 µs each,
// plus headers) is the only difference, under 1% of the page load time; the RTT count
// page_load_rtts rounds to the formula's, and the connections opened are K+1
// (non-persistent) or 1 (persistent).
func TestBuiltinHTTPPersistenceMatchesRTTFormulas(t *testing.T) {
	s, err := scenarios.Load("http-persistence")
	require.NoError(t, err)
	res, err := campaign.Run(context.Background(), s, campaign.RunOptions{Workers: 2})
	require.NoError(t, err)
	require.Len(t, res.Runs, 6*20) // six variants (three of them parallel) by K = 1..20
	for _, r := range res.Runs {
		pt := s.Point(r.Point)
		p := pt.Params.(*httpParams)
		want := theoryOf(t, s.Kind, "rtt_formula", p)
		got := r.Values["page_load_s"]
		require.GreaterOrEqual(t, got, want, "%v", pt.Assign)
		require.InEpsilon(t, want, got, 1e-2, "%v", pt.Assign)
		require.InDelta(t, want/p.RTT.Seconds(), r.Values["page_load_rtts"], 0.1, "%v", pt.Assign)
		conns := 1.0
		if p.Mode == "nonpersistent" || p.Mode == "parallel" {
			conns = float64(p.Objects + 1)
		}
		require.Equal(t, conns, r.Values["conns_opened"], "%v", pt.Assign)
		require.Equal(t, conns, r.Values["handshake_rtts"], "%v", pt.Assign)
		// One cookie issued on the base; every later request of the page returns it.
		require.Equal(t, float64(p.Objects), r.Values["returning_requests"], "%v", pt.Assign)
	}
}

// The built-in http-transmission campaign: with K = 10 objects, a 20 Mbps link and a
// 65535 B window, the simulation follows the fluid closed form (RTTs plus each
// connection's share, min(C/n, W/RTT)) within 3% — headers, which the form neglects,
// weigh most on the 1 kB objects — and the modes trade places: pipelining wins for
// 1 kB objects (3 RTT against 4), ten parallel connections for 1 MB (20 Mbps against
// one window's 5.2 Mbps).
func TestBuiltinHTTPTransmissionTradesPlaces(t *testing.T) {
	s, err := scenarios.Load("http-transmission")
	require.NoError(t, err)
	res, err := campaign.Run(context.Background(), s, campaign.RunOptions{Workers: 2})
	require.NoError(t, err)
	load := map[string]map[string]float64{} // mode → object size → page load
	for _, r := range res.Runs {
		pt := s.Point(r.Point)
		p := pt.Params.(*httpParams)
		want := theoryOf(t, s.Kind, "fluid", p)
		got := r.Values["page_load_s"]
		require.InEpsilon(t, want, got, 3e-2, "%v", pt.Assign)
		if load[p.Mode] == nil {
			load[p.Mode] = map[string]float64{}
		}
		load[p.Mode][p.ObjectSize.String()] = got
	}
	require.Less(t, load["pipelined"]["1kB"], load["parallel"]["1kB"])
	require.Less(t, load["parallel"]["1MB"], load["pipelined"]["1MB"])
	// 1 MB objects: parallel ≈ 4 RTT + 80 Mbit / 20 Mbps = 4.4 s; pipelined ≈ 3 RTT +
	// 80 Mbit / 5.24 Mbps = 15.6 s.
	require.InEpsilon(t, 4.4, load["parallel"]["1MB"], 1e-2)
	require.InEpsilon(t, 0.3+80e6/(65535*8/0.1), load["pipelined"]["1MB"], 1e-2)
}

// A returning user is recognized (K&R §2.2.4): with two sessions an hour apart, the
// server issues one identification number, and every request but the very first comes
// back with it — the K objects of session 1 and the K+1 of session 2.
func TestHTTPKindRecognizesReturningUser(t *testing.T) {
	k, _ := scenarios.LookupKind("http")
	p := k.NewParams().(*httpParams)
	p.Sessions = 2
	p.Objects = 4
	p.Mode = "parallel"
	require.NoError(t, k.Check(p))
	v, err := k.Run(context.Background(), p, scenarios.RunEnv{Seed: 1})
	require.NoError(t, err)
	require.Equal(t, 4.0+5.0, v.Values["returning_requests"])
	require.Equal(t, 5.0, v.Values["conns_opened"]) // K+1 per non-persistent load
}

func TestHTTPKindChecksParams(t *testing.T) {
	k, _ := scenarios.LookupKind("http")
	p := k.NewParams().(*httpParams)
	require.NoError(t, k.Check(p))
	p.Mode, p.Parallel, p.Objects, p.RTT, p.Sessions = "spdy", 0, -1, 0, 0
	err := k.Check(p)
	require.EqualError(t, err, `mode: must be nonpersistent, parallel, persistent or pipelined, got "spdy"
parallel: must be at least 1, got 0
objects: must not be negative, got -1
rtt: must be positive, got 0s
sessions: must be at least 1, got 0`)
}

// A rate of 0 is an impossible value in every kind (issue 2), not a hidden spelling
// of "unconstrained".
func TestHTTPRejectsZeroRate(t *testing.T) {
	_, err := scenarios.Parse("zero.yaml", []byte("kind: http\nparams:\n  download: 0bps\n"))
	require.Error(t, err)
	require.Contains(t, err.Error(), "zero.yaml:3: params.download: must be positive, got 0bps")
}
