package http

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/sim"
	"netsim/topology"
)

// The page-load tests run a browser and a server on a two-host access-link star, built
// here as the http kind builds its default platform (the package builds no network).

// Host names of the test star: the server's is the one in the page's URL.
const (
	ServerHost  = "www.someschool.edu"
	BrowserHost = "browser"
)

// pageConfig is one page loaded by one browser from one server.
type pageConfig struct {
	Mode        Mode
	Parallel    int
	BaseBytes   int64
	ObjectBytes []int64
	// RTT is split over the two access links: a quarter each way on the browser's, the
	// rest on the server's (so odd nanoseconds are kept).
	RTT sim.Time
	// Access link rates in bit/s; 0 for unconstrained.
	BrowserDownloadBps, BrowserUploadBps float64
	ServerUploadBps, ServerDownloadBps   float64
	TCP                                  topology.TCPOptions
	IdleTimeout                          sim.Time
	Cookies                              bool
	Sessions                             int
	SessionGap                           sim.Time
}

type pageRun struct {
	Pages                             []PageResult
	RTT                               sim.Time
	Server                            ServerStats
	BrowserBytesSent, ServerBytesSent int64
}

func rate(bps float64) float64 {
	if bps == 0 {
		return math.Inf(1)
	}
	return bps
}

func simulate(t *testing.T, cfg pageConfig) pageRun {
	t.Helper()
	k := sim.NewKernel()
	quarter := cfg.RTT / 4
	net, err := topology.BuildStar(k, []topology.StarHost{
		{Name: BrowserHost, UploadBps: rate(cfg.BrowserUploadBps), DownloadBps: rate(cfg.BrowserDownloadBps), Delay: quarter},
		{Name: ServerHost, UploadBps: rate(cfg.ServerUploadBps), DownloadBps: rate(cfg.ServerDownloadBps), Delay: cfg.RTT/2 - quarter},
	})
	require.NoError(t, err)
	stack := topology.NewStack(net, sim.NewStreams(1))
	sh, _ := stack.HostNamed(ServerHost)
	bh, _ := stack.HostNamed(BrowserHost)
	srv, err := NewServer(sh, ServerConfig{Objects: Page(cfg.BaseBytes, cfg.ObjectBytes), IdleTimeout: cfg.IdleTimeout, Cookies: cfg.Cookies})
	require.NoError(t, err)
	var res pageRun
	require.NoError(t, Visits(VisitConfig{
		Browser:  BrowserConfig{Mode: cfg.Mode, Parallel: cfg.Parallel, TCP: cfg.TCP, Resolve: net.Node},
		URL:      URL{Host: ServerHost, Path: "/index.html"},
		Sessions: cfg.Sessions, SessionGap: cfg.SessionGap,
	}, &res.Pages)(bh))
	require.NoError(t, k.RunContext(context.Background(), nil))
	require.Len(t, res.Pages, max(cfg.Sessions, 1), "page loads finished")
	res.Server = srv.Stats()
	res.BrowserBytesSent = stack.Stats(bh.Node()).BytesSent
	res.ServerBytesSent = stack.Stats(sh.Node()).BytesSent
	res.RTT, err = net.RTT(bh.Node(), sh.Node())
	require.NoError(t, err)
	return res
}
