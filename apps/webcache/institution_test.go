package webcache

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/sim"
	"netsim/topology"
)

// testInstitution is topology.DefaultInstitution with hosts hosts (host0 the cache's,
// the others browsers') and LAN links of lanDelay: its kernel, stack, origin host
// server0 and LAN hosts.
type testInstitution struct {
	k      *sim.Kernel
	stack  *topology.Stack
	origin topology.Host
	hosts  []topology.Host
}

func newTestInstitution(t *testing.T, hosts int, lanDelay sim.Time) *testInstitution {
	t.Helper()
	in := &testInstitution{k: sim.NewKernel()}
	cfg := topology.DefaultInstitution()
	cfg.Hosts, cfg.LANDelay = hosts, lanDelay
	network, err := topology.BuildInstitution(in.k, cfg)
	require.NoError(t, err)
	in.stack = topology.NewStack(network, sim.NewStreams(1))
	in.origin, _ = in.stack.HostNamed("server0")
	for i := range hosts {
		h, err := in.stack.HostNamed(fmt.Sprintf("host%d", i))
		require.NoError(t, err)
		in.hosts = append(in.hosts, h)
	}
	return in
}

// origins is where the cache finds server0.
func (in *testInstitution) origins() map[string]topology.Addr {
	return map[string]topology.Addr{"server0": {Node: in.origin.Node(), Port: 80}}
}

// at is a host's HTTP address.
func at(h topology.Host) topology.Addr { return topology.Addr{Node: h.Node(), Port: 80} }
