package kinds

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/scenarios"
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
