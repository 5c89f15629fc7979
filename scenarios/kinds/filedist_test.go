package kinds

import (
	"context"
	"math"
	"netsim/scenarios"
	"netsim/scenarios/campaign"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// The built-in filedist campaign reproduces Kurose & Ross §2.5's figure: every
// simulated distribution time, client-server and P2P, for N = 1..35, is at or above its
// lower bound (D_cs or D_P2P, eq. 2.1 and 2.2) and within 0.1% of it.
func TestBuiltinFiledistMeetsItsBounds(t *testing.T) {
	s, err := scenarios.Load("filedist")
	require.NoError(t, err)
	res, err := campaign.Run(context.Background(), s, campaign.RunOptions{Workers: 2})
	require.NoError(t, err)
	require.Len(t, res.Runs, 70)
	for _, r := range res.Runs {
		got, bound := r.Values["distribution_time_s"], r.Values["bound_s"]
		require.GreaterOrEqual(t, got, bound, "run %d below its bound", r.Run)
		require.InEpsilon(t, bound, got, 1e-3, "run %d", r.Run)
	}
}

// Issue 2, acceptance 5: the same scenario and seed give byte-identical runs.csv and
// summary.csv whatever the number of workers.
func TestFiledistOutputIndependentOfWorkers(t *testing.T) {
	var outputs [][]byte
	for _, workers := range []int{1, 2} {
		s, err := scenarios.Load("filedist")
		require.NoError(t, err)
		require.NoError(t, s.Set("replications=2"))
		require.NoError(t, s.Set("download_spread=0.3"))
		dir := filepath.Join(t.TempDir(), "out")
		_, err = campaign.Run(context.Background(), s, campaign.RunOptions{OutDir: dir, Workers: workers})
		require.NoError(t, err)
		for _, name := range []string{"runs.csv", "summary.csv", "distribution-time.csv"} {
			b, err := os.ReadFile(filepath.Join(dir, name))
			require.NoError(t, err)
			outputs = append(outputs, b)
		}
	}
	require.Equal(t, string(outputs[0]), string(outputs[3]), "runs.csv")
	require.Equal(t, string(outputs[1]), string(outputs[4]), "summary.csv")
	require.Equal(t, string(outputs[2]), string(outputs[5]), "distribution-time.csv")
	require.Greater(t, len(outputs[0]), 1000)
}

// Acceptance 5 of issue 7: a churn schedule drives the peers of a real run up and down —
// each joining peer's program starts and asks the server for the file, each departure
// crashes its host — and the measured mean population, the time-average of the peers
// up (the peers_up series), matches Little's law. Arrivals are Poisson at λ = 0.5/s and
// lifetimes exponential with mean m = 20 s: an M/M/∞ system, whose population at time t
// started with n0 hosts has mean n0·e^{−t/m} + λm·(1 − e^{−t/m}) (the initial hosts still
// alive, plus the arrivals since). With n0 = λm = 10 that is λm at every t, so the
// expected time-average over [0, 2000 s] is λ·E[lifetime] = 10 exactly, no warm-up
// needed; the pool of 60 hosts loses an arrival only when 60 are up, which a Poisson(10)
// population never reaches in practice. The test: λm lies in the 95% Student-t interval
// of the 20 replications' time-averages, and the hosts really came and went and served.
func TestFiledistChurnPopulationIsLittlesLaw(t *testing.T) {
	s, err := scenarios.Load("testdata/filedist-churn.yaml")
	require.NoError(t, err)
	res, err := campaign.Run(context.Background(), s, campaign.RunOptions{Workers: 2})
	require.NoError(t, err)
	require.Len(t, res.Runs, 20)
	var means []float64
	for _, r := range res.Runs {
		ts := r.Series["peers_up"]
		require.Equal(t, 2000.0, ts.Time[len(ts.Time)-1], "the series ends at the horizon")
		require.Equal(t, 10.0, ts.Value[0], "the initial peers are up at time 0")
		// About 2·λ·2000 s = 2000 joins and departures.
		require.Greater(t, len(ts.Time), 1500, "run %d: the population changed", r.Run)
		means = append(means, scenarios.TimeAverage(ts))
		// Each join started the peer's program, which asked the server for the file:
		// the server began one download of 1,250,000 bytes and a 25-byte piece header
		// per join, but for a join whose host crashed before its request arrived (within
		// about 1.5 RTT = 60 ms: 1 − e^{−0.06/20}, 0.3% of them).
		joins := ts.Value[0]
		for i := 1; i < len(ts.Value); i++ {
			joins += max(ts.Value[i]-ts.Value[i-1], 0)
		}
		served := r.Values["server_bytes_sent"] / 1_250_025
		t.Logf("run %d: %.0f joins, %.0f downloads served", r.Run, joins, served)
		require.LessOrEqual(t, served, joins, "run %d", r.Run)
		require.Greater(t, served, 0.98*joins, "run %d", r.Run)
	}
	mean, sd := meanSD(means)
	half := 2.093 * sd / math.Sqrt(float64(len(means))) // t(0.975, 19)
	t.Logf("mean peers up %.3f ± %.3f (λ·E[lifetime] = 10)", mean, half)
	require.InDelta(t, 10, mean, half, "Little's law outside the 95%% interval")
	require.Less(t, half, 0.5, "the interval says something")
}

func meanSD(xs []float64) (mean, sd float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	for _, x := range xs {
		sd += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(sd / float64(len(xs)-1))
}

// A peer that crashes mid-download loses what it had and, when it recovers, asks the
// server again. Client-server, F = 10 Mbit (10,000,200 bits with the 25-byte piece
// header), u_s = 10 Mbps, d = 10 Mbps, every access link 10 ms, control segments free:
// both requests (5 bytes at the peers' 1 Mbps uplinks: 40 µs) reach the server at
// RTT + 40 µs = 60.04 ms, and the two downloads share u_s at 5 Mbps. peer0 crashes at
// 0.5 s: its flow ends at once, and peer1 has the 7,800,400 bits left at 10 Mbps, done
// at 0.5 + 0.78004 + 0.02 = 1.30004 s. peer0 recovers at 5 s and asks again: its whole
// file arrives at 5 + 0.06004 + 1.00002 + 0.02 = 6.08006 s, the distribution time. The
// server began three downloads.
func TestFiledistPeerAsksAgainAfterCrash(t *testing.T) {
	s, err := scenarios.Parse("crash.yaml", []byte(`kind: filedist
params: {mode: client-server, file: 10Mbit}
topology:
  star:
    hosts:
      - {name: server, upload: 10Mbps, download: 10Mbps, delay: 10ms}
      - {name: peer, count: 2, upload: 1Mbps, download: 10Mbps, delay: 10ms}
schedule:
  events:
    - {at: 500ms, crash: peer0}
    - {at: 5s, recover: peer0}
`))
	require.NoError(t, err)
	res, err := campaign.Run(context.Background(), s, campaign.RunOptions{Workers: 1})
	require.NoError(t, err)
	r := res.Runs[0]
	require.Equal(t, []float64{6.08006, 1.30004}, r.Samples["completion_s"])
	require.Equal(t, 6.08006, r.Values["distribution_time_s"])
	require.Equal(t, 3.0*1_250_025, r.Values["server_bytes_sent"])
	// Two peers up, one from 0.5 s, two again from 5 s until the run's end (the
	// server's connection to peer0's first life is reset once it is back).
	ts := r.Series["peers_up"]
	require.Equal(t, []float64{0, 0.5, 5}, ts.Time[:3])
	require.Equal(t, []float64{2, 1, 2, 2}, ts.Value)
}

// The constructive P2P scheme has no redundancy: peer1 crashes at 1 s, halfway through
// the D_P2P = N·F/(u_s + Σu_i) = 30/13 s distribution, and takes the part it relays
// with it, so the other two peers never finish and the distribution time is NaN. When
// peer1 is back at 5 s its hello comes after the plan, and the server sends it the whole
// file: after the handshake (40 ms), the 21-byte hello at its 1 Mbps uplink (168 µs) and
// 20 ms, the 10,000,200 bits at 10 Mbps and 20 ms: at 6.080188 s.
func TestFiledistP2PLosesACrashedPeersPart(t *testing.T) {
	s, err := scenarios.Parse("p2p-crash.yaml", []byte(`kind: filedist
params: {mode: p2p, file: 10Mbit}
topology:
  star:
    hosts:
      - {name: server, upload: 10Mbps, download: 10Mbps, delay: 10ms}
      - {name: peer, count: 3, upload: 1Mbps, download: 10Mbps, delay: 10ms}
schedule:
  events:
    - {at: 1s, crash: peer1}
    - {at: 5s, recover: peer1}
`))
	require.NoError(t, err)
	res, err := campaign.Run(context.Background(), s, campaign.RunOptions{Workers: 1})
	require.NoError(t, err)
	r := res.Runs[0]
	require.True(t, math.IsNaN(r.Values["distribution_time_s"]))
	require.Equal(t, []float64{6.080188}, r.Samples["completion_s"])
	require.InDelta(t, 30.0/13, r.Values["bound_s"], 1e-12)
}

// The values apps/filedist's Config once checked itself, the kind's table refuses
// (issue 7: validation written once, not in the scenarios and again in the app).
func TestFiledistTableRefusesWhatTheProgramsCannotRun(t *testing.T) {
	k, _ := scenarios.LookupKind("filedist")
	for _, tc := range []struct {
		edit func(*filedistParams)
		want string
	}{
		{func(p *filedistParams) { p.Mode = "torrent" }, `mode: must be client-server or p2p, got "torrent"`},
		{func(p *filedistParams) { p.File = 0 }, "file: must be positive, got 0B"},
		{func(p *filedistParams) { p.ServerUpload = -1 }, "server_upload: must be positive, got -1bps"},
	} {
		p := k.NewParams().(*filedistParams)
		tc.edit(p)
		require.EqualError(t, k.Check(p), tc.want)
	}
}
