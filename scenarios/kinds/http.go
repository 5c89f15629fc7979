package kinds

import (
	"context"
	"errors"
	"math"

	"netsim/apps/http"
	"netsim/scenarios"
	"netsim/scenarios/units"
	"netsim/topology"
)

// http: one browser loads a web page (a base HTML file and K referenced objects) from
// one server, non-persistent or persistent, serial, parallel or pipelined (Kurose & Ross
// §2.2.2), with cookies (§2.2.4). The defaults are a page of 10 small objects over a
// fast link with a 100 ms RTT, where the RTT formulas of §2.2.2 hold.
type httpParams struct {
	Mode        string                       `yaml:"mode" default:"pipelined" oneof:"nonpersistent parallel persistent pipelined" help:"how the browser uses connections: nonpersistent (serial), parallel (P at once, non-persistent), persistent (no pipelining) or pipelined"`
	Parallel    int                          `yaml:"parallel" default:"5" range:"[1,)" help:"P, the most connections open at once in parallel mode"`
	Objects     int                          `yaml:"objects" default:"10" range:"[0,)" help:"K, the objects the base HTML file references"`
	BaseSize    units.Size                   `yaml:"base_size" default:"6821B" help:"size of the base HTML file's body"`
	ObjectSize  scenarios.Random[units.Size] `yaml:"object_size" default:"10kB" help:"size of each referenced object's body, or a distribution each is drawn from (in whole bytes)"`
	RTT         units.Duration               `yaml:"rtt" default:"100ms" range:"(0,)" help:"round-trip propagation time between browser and server"`
	Download    units.Rate                   `yaml:"download" default:"1Gbps" range:"(0,)" help:"the browser's access link, server to browser"`
	Upload      units.Rate                   `yaml:"upload" default:"1Gbps" range:"(0,)" help:"the browser's access link, browser to server"`
	Window      units.Size                   `yaml:"window" help:"TCP window: caps each connection at window/RTT; 0 for no cap"`
	SlowStart   bool                         `yaml:"slow_start" help:"TCP slow start from 10 segments on every new connection (RFC 5681, RFC 6928)"`
	Cookies     bool                         `yaml:"cookies" default:"true" help:"the server identifies users with Set-Cookie and a back-end table (K&R §2.2.4)"`
	Sessions    int                          `yaml:"sessions" default:"1" range:"[1,)" help:"how many times the page is loaded; the browser keeps its cookies and open connections between loads"`
	SessionGap  units.Duration               `yaml:"session_gap" default:"1h" help:"time between the end of one load and the start of the next"`
	IdleTimeout units.Duration               `yaml:"idle_timeout" default:"15s" help:"the server closes a persistent connection idle this long (Apache 2.2's KeepAliveTimeout); 0: never"`
}

// A rate of 0 is refused (range (0,)), as in every kind: it would mean "no link", and
// the closed forms' negligible transmission time is had with a fast link instead.

// httpRun is a run's result; its metrics are per page load, averaged over sessions.
type httpRun struct{ http.Result }

// perLoad averages f over the page loads.
func perLoad(f func(pg *http.PageResult, r *http.Result) float64) func(*httpRun) float64 {
	return func(r *httpRun) float64 {
		var sum float64
		for i := range r.Pages {
			sum += f(&r.Pages[i], &r.Result) / float64(len(r.Pages))
		}
		return sum
	}
}

var _ = scenarios.Register(scenarios.Decl[httpParams, httpRun]{
	Name:    "http",
	Summary: "a web page of K objects: non-persistent, parallel, persistent and pipelined HTTP (K&R §2.2.2)",
	Run:     runHTTP,
	Metrics: []scenarios.Reading[httpRun]{
		scenarios.Scalar("page_load_s", "s", "page load time: from the click to the last object (mean over sessions)", perLoad(func(pg *http.PageResult, _ *http.Result) float64 { return pg.LoadTime().Seconds() })),
		scenarios.Scalar("base_time_s", "s", "time to the base HTML file (mean over sessions)", perLoad(func(pg *http.PageResult, _ *http.Result) float64 { return pg.BaseTime().Seconds() })),
		scenarios.Scalar("page_load_rtts", "", "page load time in RTTs", perLoad(func(pg *http.PageResult, r *http.Result) float64 { return float64(pg.LoadTime()) / float64(r.RTT) })),
		scenarios.Scalar("conns_opened", "", "TCP connections opened per page load", perLoad(func(pg *http.PageResult, _ *http.Result) float64 { return float64(pg.ConnsOpened) })),
		scenarios.Scalar("handshake_rtts", "", "RTTs spent in TCP handshakes per page load (one per connection, overlapping ones included)", perLoad(func(pg *http.PageResult, _ *http.Result) float64 { return float64(pg.HandshakeRTTs) })),
		scenarios.Scalar("requests", "", "HTTP requests sent per page load", perLoad(func(pg *http.PageResult, _ *http.Result) float64 { return float64(pg.Requests) })),
		scenarios.Scalar("request_bytes", "B", "wire bytes of the requests per page load", perLoad(func(pg *http.PageResult, _ *http.Result) float64 { return float64(pg.RequestBytes) })),
		scenarios.Scalar("response_bytes", "B", "wire bytes of the responses per page load", perLoad(func(pg *http.PageResult, _ *http.Result) float64 { return float64(pg.ResponseBytes) })),
		scenarios.Scalar("returning_requests", "", "requests the server recognized by a cookie it issued, over all sessions", func(r *httpRun) float64 { return float64(r.Server.ReturningRequests) }),
		scenarios.Scalar("events", "", "kernel events in the run", func(r *httpRun) float64 { return float64(r.Events) }),
	},
	Theory: []scenarios.TheoryOf[httpParams]{
		{Name: "rtt_formula", Label: "RTT formula", Metric: "page_load_s", Value: func(p *httpParams) (float64, error) {
			return float64(http.PageLoadRTTs(http.Mode(p.Mode), p.Objects, p.Parallel)) * p.RTT.Seconds(), nil
		}},
		{Name: "fluid", Label: "RTTs + transmission", Metric: "page_load_s", Value: func(p *httpParams) (float64, error) {
			size, ok := p.ObjectSize.Const()
			if !ok {
				return 0, errors.New("the fluid form is for objects of one size")
			}
			return http.FluidPageLoad(http.Mode(p.Mode), p.Objects, p.Parallel, p.RTT.Seconds(),
				float64(p.BaseSize.Bytes()), float64(size.Bytes()), p.Download.Bps(), float64(p.Window.Bytes())), nil
		}},
	},
	// What one run creates, for the limits validation holds it to (http_size.go).
	Size:     httpSize,
	SizeHelp: httpSizeHelp,
})

func runHTTP(ctx context.Context, p *httpParams, env scenarios.RunEnv) (httpRun, error) {
	objs := make([]int64, p.Objects)
	size, fixed := p.ObjectSize.Const()
	draw := p.ObjectSize.Sampler(env.Streams().Stream("http/object-sizes"))
	for i := range objs {
		if fixed {
			objs[i] = size.Bytes()
		} else {
			objs[i] = int64(math.Round(draw() / 8)) // bits drawn, whole bytes sent
		}
	}
	cfg := http.Config{
		Mode: http.Mode(p.Mode), Parallel: p.Parallel, BaseBytes: p.BaseSize.Bytes(), ObjectBytes: objs,
		RTT: p.RTT.Time(), BrowserDownloadBps: p.Download.Bps(), BrowserUploadBps: p.Upload.Bps(),
		TCP:         topology.TCPOptions{WindowBytes: p.Window.Bytes(), SlowStart: p.SlowStart},
		IdleTimeout: p.IdleTimeout.Time(), Cookies: p.Cookies, Sessions: p.Sessions, SessionGap: p.SessionGap.Time(),
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = -1 // 0 in a file means "never", not "the default"
	}
	res, err := http.Simulate(ctx, cfg, env.Seed, env.Progress)
	return httpRun{res}, err
}
