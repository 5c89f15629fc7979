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
