package kinds

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/scenarios"
	"netsim/scenarios/campaign"
)

// A swarm run through the scenario format reads its metrics from the peers' records:
// every leecher completes, no sooner than D_P2P (Kurose & Ross §2.5), each receives
// at least the file, and the seed uploaded at least one copy.
func TestBittorrentKindAboveTheBound(t *testing.T) {
	s, err := scenarios.Parse("bt.yaml", []byte(`kind: bittorrent
params: {peers: 6, file: 1MiB, seed_upload: 2Mbps, peer_upload: 1Mbps, peer_download: 8Mbps}
`))
	require.NoError(t, err)
	pt := s.Point(0)
	dep, err := s.Kind.Deploy(pt.Params, nil)
	require.NoError(t, err)
	k, _ := scenarios.LookupKind("bittorrent")
	topo := pt.Params.(*bittorrentParams).platform(nil)
	out, err := k.Run(context.Background(), pt.Params, scenarios.RunEnv{Seed: 1, Topology: topo, Deployment: dep})
	require.NoError(t, err)
	v := out.Values
	require.Equal(t, 6.0, v["completed"])
	require.GreaterOrEqual(t, v["distribution_time_s"], v["bound_s"])
	require.InDelta(t, 6*(1<<20)*8/(2e6+6e6), v["bound_s"], 1e-9) // N·F/(u_s+Σu_i)
	require.GreaterOrEqual(t, v["bytes_downloaded_per_leecher"], float64(1<<20))
	require.GreaterOrEqual(t, v["seed_bytes_uploaded"], float64(1<<20))
	require.Len(t, out.Samples["completion_s"], 6)
}

// A leecher that crashes mid-download keeps its pieces on disk (Kurose & Ross §2.6.1:
// peers "leave with part of the file and come back"): back at 20 s it announces
// again, reconnects and finishes; the population series shows it gone and back.
func TestBittorrentCrashedLeecherComesBackWithItsPieces(t *testing.T) {
	s, err := scenarios.Parse("churn.yaml", []byte(`kind: bittorrent
params: {file: 4MiB}
topology:
  star:
    hosts:
      - {name: tracker, upload: 1Gbps, download: 1Gbps, delay: 10ms}
      - {name: seed0, upload: 2Mbps, download: 2Mbps, delay: 10ms}
      - {name: peer, count: 4, upload: 1Mbps, download: 8Mbps, delay: 10ms}
schedule:
  events:
    - {at: 5s, crash: peer0}
    - {at: 20s, recover: peer0}
`))
	require.NoError(t, err)
	res, err := campaign.Run(context.Background(), s, campaign.RunOptions{Workers: 1})
	require.NoError(t, err)
	r := res.Runs[0]
	require.Equal(t, 4.0, r.Values["completed"])
	require.Greater(t, r.Values["distribution_time_s"], 20.0)
	// Leechers running without the file: 4, then 3 from the crash, 4 again from 20 s.
	ls := r.Series["leechers"]
	require.Equal(t, []float64{4, 3, 4}, ls.Value[:3])
	require.Equal(t, []float64{0, 5, 20}, ls.Time[:3])
}

// The incentives' readings of a flash crowd of 10 with 2 free riders on uplinks spread
// over ±50%: the contributors fall in thirds by upload rate (3, 3, 2 of the 8 in rate
// order), the free riders in none and upload nothing, and all finish. The replication
// spread, from the peers' own records of what they announced, starts at the seed's one
// copy of each piece and ends with every piece on all 11 peers, the mean never falling
// (no one leaves).
func TestBittorrentIncentiveAndReplicationReadings(t *testing.T) {
	s, err := scenarios.Parse("inc.yaml", []byte(`kind: bittorrent
params: {peers: 10, file: 1MiB, seed_upload: 2Mbps, peer_upload: 1Mbps, peer_download: 8Mbps, upload_spread: 0.5, free_riders: 0.2}
`))
	require.NoError(t, err)
	pt := s.Point(0)
	p := pt.Params.(*bittorrentParams)
	dep, err := s.Kind.Deploy(pt.Params, nil)
	require.NoError(t, err)
	k, _ := scenarios.LookupKind("bittorrent")
	res, err := k.Run(context.Background(), pt.Params, scenarios.RunEnv{Seed: 1, Topology: p.platform(nil), Deployment: dep})
	require.NoError(t, err)
	require.Equal(t, 10.0, res.Values["completed"])
	for _, m := range []string{"ratio_slow", "ratio_middle", "ratio_fast", "free_rider_completion_s", "contributor_completion_s"} {
		require.Greater(t, res.Values[m], 0.0, m)
	}
	// The run's records, again, for the classes.
	r, err := runBittorrent(context.Background(), p, scenarios.RunEnv{Seed: 1, Topology: p.platform(nil), Deployment: dep})
	require.NoError(t, err)
	counts := map[int]int{}
	for i, c := range r.classOf() {
		counts[c]++
		if c == -1 {
			require.True(t, r.free[i])
			require.Zero(t, r.leechers[i].UpBytes, "a free rider uploaded")
		}
	}
	require.Equal(t, map[int]int{-1: 2, 0: 3, 1: 3, 2: 2}, counts)
	rep := r.replication()
	lo, mean, hi := rep[0], rep[1], rep[2]
	require.Equal(t, []float64{1, 1, 1}, []float64{lo.Value[0], mean.Value[0], hi.Value[0]})
	last := func(ts scenarios.TimeSeries) float64 { return ts.Value[len(ts.Value)-1] }
	require.Equal(t, []float64{11, 11, 11}, []float64{last(lo), last(mean), last(hi)})
	for i := 1; i < len(mean.Value); i++ {
		require.GreaterOrEqual(t, mean.Value[i], mean.Value[i-1])
	}
	for _, ts := range rep {
		require.Equal(t, r.end.Seconds(), ts.Time[len(ts.Time)-1])
	}
}
