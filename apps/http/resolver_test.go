package http

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/sim"
	"netsim/topology"
)

// cachingResolver answers its first lookup of a name after lookup, every later one at
// once (in a zero-delay timer, never re-entrantly), as a stub resolver with a host
// cache does; it counts the lookups asked.
type cachingResolver struct {
	h      topology.Host
	net    *topology.Network
	lookup sim.Time
	known  map[string]bool
	asked  int
}

func (r *cachingResolver) Resolve(host string, done func(topology.NodeID, bool)) {
	r.asked++
	wait := r.lookup
	if r.known[host] {
		wait = 0
	}
	r.known[host] = true
	r.h.After(wait, func() {
		id, ok := r.net.Node(host)
		done(id, ok)
	})
}

// K&R §2.5.1: the browser hands the hostname to the client side of DNS and opens its
// TCP connection only when the answer comes back. With an asynchronous Resolver that
// takes D for the first lookup of the name and nothing after it, every page load is
// exactly D plus §2.2.2's RTT formula, in all four modes, and the browser asks once
// per request (the base and its K objects); a name that does not resolve is one error
// and the load still ends.
func TestBrowserWaitsOnAnAsynchronousResolver(t *testing.T) {
	const rtt = 100*sim.Millisecond + 2
	const lookup = 37*sim.Millisecond + 1
	for _, mode := range Modes {
		for _, k := range []int{0, 3} {
			name := fmt.Sprintf("%s/K=%d", mode, k)
			kern := sim.NewKernel()
			net, err := topology.BuildStar(kern, []topology.StarHost{
				{Name: BrowserHost, UploadBps: rate(0), DownloadBps: rate(0), Delay: rtt / 4},
				{Name: ServerHost, UploadBps: rate(0), DownloadBps: rate(0), Delay: rtt/2 - rtt/4},
			})
			require.NoError(t, err)
			stack := topology.NewStack(net, sim.NewStreams(1))
			sh, _ := stack.HostNamed(ServerHost)
			bh, _ := stack.HostNamed(BrowserHost)
			_, err = NewServer(sh, ServerConfig{Objects: Page(6821, sizes(k, 20_000))})
			require.NoError(t, err)
			r := &cachingResolver{h: bh, net: net, lookup: lookup, known: map[string]bool{}}
			b, err := NewBrowser(bh, BrowserConfig{Mode: mode, Parallel: 2, Resolver: r})
			require.NoError(t, err)
			var pages []PageResult
			b.Load(URL{Host: ServerHost, Path: "/index.html"}, func(p PageResult) { pages = append(pages, p) })
			b.Load(URL{Host: "nowhere.example", Path: "/"}, func(p PageResult) { pages = append(pages, p) })
			require.NoError(t, kern.RunContext(context.Background(), nil))
			require.Len(t, pages, 2, name)
			bad, good := pages[0], pages[1]
			require.Equal(t, 1, bad.Errors, name)
			require.Equal(t, lookup, bad.LoadTime(), name)
			require.True(t, good.Complete(), name)
			require.Equal(t, lookup+sim.Time(PageLoadRTTs(mode, k, 2))*rtt, good.LoadTime(), name)
			require.Equal(t, k+2, r.asked, name+": one lookup per request")
		}
	}
}
