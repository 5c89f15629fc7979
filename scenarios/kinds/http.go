package kinds

import (
	"context"
	"errors"
	"math"
	"netsim/scenarios"
	"slices"

	"netsim/apps/http"
	"netsim/scenarios/units"
	"netsim/sim"
	"netsim/topology"
)

// httpKind is `kind: http`: one browser loads a web page (a base HTML file and K
// referenced objects) from one server, non-persistent or persistent, serial, parallel
// or pipelined (Kurose & Ross §2.2.2), with cookies (§2.2.4).
type httpKind struct{}

func init() { scenarios.Register(httpKind{}) }

type httpParams struct {
	Mode        string         `yaml:"mode" help:"how the browser uses connections: nonpersistent (serial), parallel (P at once, non-persistent), persistent (no pipelining) or pipelined"`
	Parallel    int            `yaml:"parallel" help:"P, the most connections open at once in parallel mode (at least 1)"`
	Objects     int            `yaml:"objects" help:"K, the objects the base HTML file references (0 or more)"`
	BaseSize    units.Size     `yaml:"base_size" help:"size of the base HTML file's body"`
	ObjectSize  units.Size     `yaml:"object_size" help:"size of each referenced object's body (the mean, with object_sizes: exponential)"`
	ObjectSizes string         `yaml:"object_sizes" help:"fixed: every object is object_size; exponential: sizes drawn with that mean (whole bytes)"`
	RTT         units.Duration `yaml:"rtt" help:"round-trip propagation time between browser and server"`
	Download    units.Rate     `yaml:"download" help:"the browser's access link, server to browser"`
	Upload      units.Rate     `yaml:"upload" help:"the browser's access link, browser to server"`
	Window      units.Size     `yaml:"window" help:"TCP window: caps each connection at window/RTT; 0 for no cap"`
	SlowStart   bool           `yaml:"slow_start" help:"TCP slow start from 10 segments on every new connection (RFC 5681, RFC 6928)"`
	Cookies     bool           `yaml:"cookies" help:"the server identifies users with Set-Cookie and a back-end table (K&R §2.2.4)"`
	Sessions    int            `yaml:"sessions" help:"how many times the page is loaded; the browser keeps its cookies and open connections between loads"`
	SessionGap  units.Duration `yaml:"session_gap" help:"time between the end of one load and the start of the next"`
	IdleTimeout units.Duration `yaml:"idle_timeout" help:"the server closes a persistent connection idle this long (Apache 2.2's KeepAliveTimeout); 0: never"`
}

func (httpKind) Name() string { return "http" }
func (httpKind) Summary() string {
	return "a web page of K objects: non-persistent, parallel, persistent and pipelined HTTP (K&R §2.2.2)"
}

// NewParams holds a page of 10 small objects over a fast link with a 100 ms RTT, where
// the RTT formulas of §2.2.2 hold.
func (httpKind) NewParams() any {
	return &httpParams{
		Mode: string(http.Pipelined), Parallel: 5, Objects: 10,
		BaseSize: units.Size(8 * 6821), ObjectSize: units.Size(8 * 10_000), ObjectSizes: "fixed",
		RTT: units.Duration(100 * sim.Millisecond), Download: 1e9, Upload: 1e9,
		Cookies: true, Sessions: 1, SessionGap: units.Duration(sim.Hour),
		IdleTimeout: units.Duration(http.DefaultIdleTimeout),
	}
}

func (httpKind) Check(params any) error {
	p := params.(*httpParams)
	var errs []error
	if !slices.Contains(http.Modes, http.Mode(p.Mode)) {
		errs = append(errs, scenarios.Errorf("mode", "must be nonpersistent, parallel, persistent or pipelined, got %q", p.Mode))
	}
	if p.Parallel < 1 {
		errs = append(errs, scenarios.Errorf("parallel", "must be at least 1, got %d", p.Parallel))
	}
	if p.Objects < 0 {
		errs = append(errs, scenarios.Errorf("objects", "must not be negative, got %d", p.Objects))
	}
	if p.ObjectSizes != "fixed" && p.ObjectSizes != "exponential" {
		errs = append(errs, scenarios.Errorf("object_sizes", "must be fixed or exponential, got %q", p.ObjectSizes))
	}
	if p.RTT <= 0 {
		errs = append(errs, scenarios.Errorf("rtt", "must be positive"))
	}
	// A rate of 0 is refused, as in every kind: it would mean "no link", and the
	// closed forms' negligible transmission time is had with a fast link instead.
	if p.Download <= 0 {
		errs = append(errs, scenarios.Errorf("download", "must be positive, got %v", p.Download))
	}
	if p.Upload <= 0 {
		errs = append(errs, scenarios.Errorf("upload", "must be positive, got %v", p.Upload))
	}
	if p.Sessions < 1 {
		errs = append(errs, scenarios.Errorf("sessions", "must be at least 1, got %d", p.Sessions))
	}
	for _, d := range []struct {
		key string
		v   units.Duration
	}{{"session_gap", p.SessionGap}, {"idle_timeout", p.IdleTimeout}} {
		if d.v < 0 {
			errs = append(errs, scenarios.Errorf(d.key, "must not be negative"))
		}
	}
	return errors.Join(errs...)
}

func (httpKind) Metrics() []scenarios.Metric {
	return []scenarios.Metric{
		{Name: "page_load_s", Unit: "s", Help: "page load time: from the click to the last object (mean over sessions)"},
		{Name: "base_time_s", Unit: "s", Help: "time to the base HTML file (mean over sessions)"},
		{Name: "page_load_rtts", Help: "page load time in RTTs"},
		{Name: "conns_opened", Help: "TCP connections opened per page load"},
		{Name: "handshake_rtts", Help: "RTTs spent in TCP handshakes per page load (one per connection, overlapping ones included)"},
		{Name: "requests", Help: "HTTP requests sent per page load"},
		{Name: "request_bytes", Unit: "B", Help: "wire bytes of the requests per page load"},
		{Name: "response_bytes", Unit: "B", Help: "wire bytes of the responses per page load"},
		{Name: "returning_requests", Help: "requests the server recognized by a cookie it issued, over all sessions"},
		{Name: "events", Help: "kernel events in the run"},
	}
}

func httpTheory(f func(p *httpParams) float64) func(any) (float64, error) {
	return func(params any) (float64, error) {
		p := params.(*httpParams)
		if !slices.Contains(http.Modes, http.Mode(p.Mode)) || p.Parallel < 1 || p.Objects < 0 {
			return 0, errors.New("no closed form for these params")
		}
		return f(p), nil
	}
}

func (p *httpParams) linkBps() float64 { return p.Download.Bps() }

func (httpKind) Theory() []scenarios.Theory {
	return []scenarios.Theory{
		{Name: "rtt_formula", Label: "RTT formula", Metric: "page_load_s",
			Value: httpTheory(func(p *httpParams) float64 {
				return float64(http.PageLoadRTTs(http.Mode(p.Mode), p.Objects, p.Parallel)) * p.RTT.Seconds()
			})},
		{Name: "fluid", Label: "RTTs + transmission", Metric: "page_load_s",
			Value: httpTheory(func(p *httpParams) float64 {
				return http.FluidPageLoad(http.Mode(p.Mode), p.Objects, p.Parallel, p.RTT.Seconds(),
					float64(p.BaseSize.Bytes()), float64(p.ObjectSize.Bytes()), p.linkBps(), float64(p.Window.Bytes()))
			})},
	}
}

func (httpKind) Run(ctx context.Context, params any, env scenarios.RunEnv) (scenarios.Values, error) {
	p := params.(*httpParams)
	objs := make([]int64, p.Objects)
	rng := sim.NewStreams(env.Seed).Stream("http/object-sizes")
	for i := range objs {
		objs[i] = p.ObjectSize.Bytes()
		if p.ObjectSizes == "exponential" {
			objs[i] = int64(math.Round(rng.ExpFloat64() * float64(p.ObjectSize.Bytes())))
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
	if err != nil {
		return nil, err
	}
	v := scenarios.Values{"returning_requests": float64(res.Server.ReturningRequests), "events": float64(res.Events)}
	n := float64(len(res.Pages))
	for _, pg := range res.Pages {
		v["page_load_s"] += pg.LoadTime().Seconds() / n
		v["base_time_s"] += pg.BaseTime().Seconds() / n
		v["page_load_rtts"] += float64(pg.LoadTime()) / float64(res.RTT) / n
		v["conns_opened"] += float64(pg.ConnsOpened) / n
		v["handshake_rtts"] += float64(pg.HandshakeRTTs) / n
		v["requests"] += float64(pg.Requests) / n
		v["request_bytes"] += float64(pg.RequestBytes) / n
		v["response_bytes"] += float64(pg.ResponseBytes) / n
	}
	return v, nil
}
