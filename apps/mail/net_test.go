package mail

import (
	"flag"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/sim"
	"netsim/topology"
)

var update = flag.Bool("update", false, "rewrite the golden transcripts under testdata/")

// world is hosts on an access-link star with unconstrained links (no transmission
// time), each a one-way delay from the core: the networks the tests run the models
// on, built as a kind builds its platform.
type world struct {
	k     *sim.Kernel
	net   *topology.Network
	stack *topology.Stack
}

func newWorld(t *testing.T, delays map[string]sim.Time, order ...string) *world {
	t.Helper()
	k := sim.NewKernel()
	inf := math.Inf(1)
	var hosts []topology.StarHost
	for _, name := range order {
		hosts = append(hosts, topology.StarHost{Name: name, UploadBps: inf, DownloadBps: inf, Delay: delays[name]})
	}
	n, err := topology.BuildStar(k, hosts)
	require.NoError(t, err)
	return &world{k: k, net: n, stack: topology.NewStack(n, sim.NewStreams(1))}
}

func (w *world) host(t *testing.T, name string) topology.Host {
	t.Helper()
	h, err := w.stack.HostNamed(name)
	require.NoError(t, err)
	return h
}

func (w *world) addr(t *testing.T, name string, port int) topology.Addr {
	return topology.Addr{Node: w.host(t, name).Node(), Port: port}
}

// mx is the fixed MX table of the world's mail domains, each served by the host of
// its own name.
func (w *world) mx(t *testing.T, domains ...string) StaticMX {
	m := StaticMX{}
	for _, d := range domains {
		m[d] = []MX{{Host: d, Pref: 10, Node: w.host(t, d).Node()}}
	}
	return m
}

func (w *world) rtt(t *testing.T, a, b string) sim.Time {
	r, err := w.net.RTT(w.host(t, a).Node(), w.host(t, b).Node())
	require.NoError(t, err)
	return r
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, string(want), got, "golden %s (go test -update to rewrite)", path)
}
