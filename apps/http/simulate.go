package http

import (
	"context"
	"errors"
	"fmt"
	"math"

	"netsim/sim"
	"netsim/topology"
)

// ServerHost is the web server's host name in Simulate's network; BrowserHost the
// browser's.
const (
	ServerHost  = "www.someschool.edu"
	BrowserHost = "browser"
)

// Config is one web page loaded by one browser from one server, possibly in several
// sessions (Kurose & Ross §2.2.2's page of a base HTML file and K referenced objects).
type Config struct {
	Mode     Mode
	Parallel int // P, for Parallel mode
	// BaseBytes is the base HTML file; ObjectBytes the K objects it references.
	BaseBytes   int64
	ObjectBytes []int64
	// RTT is the propagation round-trip time between browser and server. The network
	// is an access-link star: each host's link to the core carries a quarter of it
	// each way (the server's gets the remainder, so odd nanoseconds are kept).
	RTT sim.Time
	// Access link rates in bit/s; +Inf (or 0, meaning the same) for unconstrained.
	BrowserDownloadBps, BrowserUploadBps float64
	ServerUploadBps, ServerDownloadBps   float64
	TCP                                  topology.TCPOptions
	IdleTimeout                          sim.Time // the server's; 0 for DefaultIdleTimeout
	Cookies                              bool
	// Sessions is how many times the page is loaded (0 means 1), each SessionGap after
	// the previous load ended; the browser keeps its cookie file between them.
	Sessions   int
	SessionGap sim.Time
	// Attach, if set, is called with the stack once the network is built and before
	// anything runs: where a capture attaches its taps (package capture). An error
	// stops the simulation before it starts.
	Attach func(*topology.Stack) error
}

// Result is what Simulate measured.
type Result struct {
	Pages  []PageResult // one per session
	RTT    sim.Time     // the browser–server round trip, as the handshake measured it
	Server ServerStats
	// Browser and server traffic, as the socket layer counted it.
	BrowserBytesSent, ServerBytesSent int64
	Events                            uint64
}

// Check reports the first impossible value in cfg.
func (cfg Config) Check() error {
	switch {
	case cfg.Mode != NonPersistent && cfg.Mode != Parallel && cfg.Mode != Persistent && cfg.Mode != Pipelined:
		return fmt.Errorf("mode %q: want one of %v", cfg.Mode, Modes)
	case cfg.Mode == Parallel && cfg.Parallel < 1:
		return fmt.Errorf("parallel mode needs P ≥ 1, got %d", cfg.Parallel)
	case cfg.BaseBytes < 0:
		return errors.New("negative base object size")
	case cfg.RTT < 0:
		return errors.New("negative RTT")
	case cfg.Sessions < 0:
		return errors.New("negative number of sessions")
	case cfg.SessionGap < 0:
		return errors.New("negative session gap")
	}
	for i, s := range cfg.ObjectBytes {
		if s < 0 {
			return fmt.Errorf("object %d: negative size", i+1)
		}
	}
	for _, r := range []float64{cfg.BrowserDownloadBps, cfg.BrowserUploadBps, cfg.ServerUploadBps, cfg.ServerDownloadBps} {
		if r < 0 || math.IsNaN(r) {
			return fmt.Errorf("bad link rate %v", r)
		}
	}
	return nil
}

// Page returns the server's catalogue for cfg: the base HTML file at /index.html
// linking /img/1.jpg … /img/K.jpg. Every object was last modified a day before the
// run starts.
func (cfg Config) Page() map[string]Object {
	links := make([]string, len(cfg.ObjectBytes))
	objs := map[string]Object{}
	for i, s := range cfg.ObjectBytes {
		links[i] = fmt.Sprintf("/img/%d.jpg", i+1)
		objs[links[i]] = Object{SizeBytes: s, ContentType: "image/jpeg", LastModified: -24 * sim.Hour}
	}
	objs["/index.html"] = Object{SizeBytes: cfg.BaseBytes, ContentType: "text/html", LastModified: -24 * sim.Hour, Links: links}
	return objs
}

func rate(bps float64) float64 {
	if bps == 0 {
		return math.Inf(1)
	}
	return bps
}

// Simulate loads the page of cfg and returns what the browser and server measured.
// seed names the run's random streams (the model itself draws nothing); it stops
// early, with an error, if ctx is cancelled; progress, if not nil, is the kernel's
// progress hook.
func Simulate(ctx context.Context, cfg Config, seed uint64, progress func(sim.Progress)) (Result, error) {
	if err := cfg.Check(); err != nil {
		return Result{}, err
	}
	sessions := max(cfg.Sessions, 1)
	k := sim.NewKernel()
	quarter := cfg.RTT / 4
	net, err := topology.BuildStar(k, []topology.StarHost{
		{Name: BrowserHost, UploadBps: rate(cfg.BrowserUploadBps), DownloadBps: rate(cfg.BrowserDownloadBps), Delay: quarter},
		{Name: ServerHost, UploadBps: rate(cfg.ServerUploadBps), DownloadBps: rate(cfg.ServerDownloadBps), Delay: cfg.RTT/2 - quarter},
	})
	if err != nil {
		return Result{}, err
	}
	stack := topology.NewStack(net, sim.NewStreams(seed))
	if cfg.Attach != nil {
		if err := cfg.Attach(stack); err != nil {
			return Result{}, err
		}
	}
	sh, _ := stack.HostNamed(ServerHost)
	bh, _ := stack.HostNamed(BrowserHost)
	srv, err := NewServer(sh, ServerConfig{Objects: cfg.Page(), IdleTimeout: cfg.IdleTimeout, Cookies: cfg.Cookies})
	if err != nil {
		return Result{}, err
	}
	br, err := NewBrowser(bh, BrowserConfig{
		Mode: cfg.Mode, Parallel: cfg.Parallel, TCP: cfg.TCP,
		Resolve: func(name string) (topology.NodeID, bool) { return net.Node(name) },
	})
	if err != nil {
		return Result{}, err
	}
	var res Result
	var load func()
	load = func() {
		br.Load(URL{Host: ServerHost, Path: "/index.html"}, func(r PageResult) {
			res.Pages = append(res.Pages, r)
			if len(res.Pages) < sessions {
				bh.After(cfg.SessionGap, load)
			}
		})
	}
	load()
	if err := k.RunContext(ctx, progress); err != nil {
		return Result{}, err
	}
	if len(res.Pages) != sessions {
		return Result{}, fmt.Errorf("%d of %d page loads finished", len(res.Pages), sessions)
	}
	res.Server = srv.Stats()
	res.BrowserBytesSent = stack.Stats(bh.Node()).BytesSent
	res.ServerBytesSent = stack.Stats(sh.Node()).BytesSent
	res.Events = k.Events()
	res.RTT = 2 * (quarter + cfg.RTT/2 - quarter)
	return res, nil
}
