package kinds

import (
	"errors"
	"fmt"
	"math"

	"netsim/apps/dns"
	"netsim/apps/http"
	"netsim/scenarios"
	"netsim/scenarios/units"
	"netsim/sim"
	"netsim/topology"
)

// http: one browser loads a web page (a base HTML file and K referenced objects) from
// one server, non-persistent or persistent, serial, parallel or pipelined (Kurose & Ross
// §2.2.2), with cookies (§2.2.4). The defaults are a page of 10 small objects over a
// fast link with a 100 ms RTT, where the RTT formulas of §2.2.2 hold.
type httpParams struct {
	Mode        string                       `yaml:"mode" default:"pipelined" oneof:"nonpersistent parallel persistent pipelined" help:"how the browser uses connections: nonpersistent (serial), parallel (P at once, non-persistent), persistent (no pipelining) or pipelined"`
	Parallel    int                          `yaml:"parallel" default:"5" range:"[1,)" symbol:"P" help:"P, the most connections open at once in parallel mode"`
	Objects     int                          `yaml:"objects" default:"10" range:"[0,)" label:"Objects referenced by the page K" symbol:"K" help:"K, the objects the base HTML file references"`
	BaseSize    units.Size                   `yaml:"base_size" default:"6821B" help:"size of the base HTML file's body"`
	ObjectSize  scenarios.Random[units.Size] `yaml:"object_size" default:"10kB" help:"size of each referenced object's body, or a distribution each is drawn from (in whole bytes)"`
	RTT         units.Duration               `yaml:"rtt" platform:"" default:"100ms" range:"(0,)" help:"round-trip propagation time between browser and server"`
	Download    units.Rate                   `yaml:"download" platform:"" default:"1Gbps" range:"(0,)" help:"the browser's access link, server to browser"`
	Upload      units.Rate                   `yaml:"upload" platform:"" default:"1Gbps" range:"(0,)" help:"the browser's access link, browser to server"`
	Window      units.Size                   `yaml:"window" help:"TCP window: caps each connection at window/RTT; 0 for no cap"`
	SlowStart   bool                         `yaml:"slow_start" help:"TCP slow start from 10 segments on every new connection (RFC 5681, RFC 6928)"`
	Cookies     bool                         `yaml:"cookies" default:"true" help:"the server identifies users with Set-Cookie and a back-end table (K&R §2.2.4)"`
	Sessions    int                          `yaml:"sessions" default:"1" range:"[1,)" help:"how many times the page is loaded; the browser keeps its cookies and open connections between loads"`
	SessionGap  units.Duration               `yaml:"session_gap" default:"1h" help:"time between the end of one load and the start of the next"`
	IdleTimeout units.Duration               `yaml:"idle_timeout" default:"15s" help:"the server closes a persistent connection idle this long, counted from when its last response has left with no request pending (Apache 2.2's KeepAliveTimeout); 0: never"`
	ServerHost  string                       `yaml:"server_host" default:"www.someschool.edu" help:"the web server's host, in the topology and in the page's URL"`
	BrowserHost string                       `yaml:"browser_host" default:"browser" help:"the browser's host in the topology"`
	Bulk        crossTraffic                 `yaml:"bulk" help:"cross traffic: bulk transfers between hosts of the topology while the page loads, each {from, to, size, start}"`
	DNS         dnsFront                     `yaml:"dns" help:"DNS in front of the page load: with on, the browser resolves the server's name through a local server and the hierarchy (issue 11)"`
}

// A rate of 0 is refused (range (0,)), as in every kind: it would mean "no link", and
// the closed forms' negligible transmission time is had with a fast link instead.

// httpRun is a run's result; its metrics are per page load, averaged over sessions. A
// load that missed an object has no load time: the run's times are empty then.
type httpRun struct {
	pages     []http.PageResult // the loads that finished
	rtt       sim.Time          // browser to server and back, along the routes
	returning int64             // requests the server recognized by a cookie
}

// perLoad averages f over the page loads; NaN if none finished (a schedule kept the
// browser or the server down) or, for a time that only a complete load has (whole),
// if any load of the run missed an object, so that a failed load never reads as a
// fast one.
func perLoad(whole bool, f func(pg *http.PageResult, r *httpRun) float64) func(*httpRun) float64 {
	return func(r *httpRun) float64 {
		if len(r.pages) == 0 || whole && !r.complete() {
			return math.NaN()
		}
		var sum float64
		for i := range r.pages {
			sum += f(&r.pages[i], r) / float64(len(r.pages))
		}
		return sum
	}
}

// complete reports whether every page load of the run got every object.
func (r *httpRun) complete() bool {
	for _, pg := range r.pages {
		if !pg.Complete() {
			return false
		}
	}
	return len(r.pages) > 0
}

func count(f func(pg *http.PageResult) int) func(*httpRun) float64 {
	return perLoad(false, func(pg *http.PageResult, _ *httpRun) float64 { return float64(f(pg)) })
}

var _ = scenarios.Register(scenarios.Decl[httpParams, httpRun]{
	Name:     "http",
	Summary:  "a web page of K objects: non-persistent, parallel, persistent and pipelined HTTP (K&R §2.2.2)",
	Boot:     bootHTTP,
	Check:    (*httpParams).check,
	Topology: true, Schedule: true,
	Platform: (*httpParams).platform,
	Deploy:   (*httpParams).deploy,
	Metrics: []scenarios.Reading[httpRun]{
		scenarios.Scalar("page_load_s", "s", "page load time, click to last object, mean over sessions; empty unless every load got every object", perLoad(true, func(pg *http.PageResult, _ *httpRun) float64 { return pg.LoadTime().Seconds() })).Optional().Named("Page load time"),
		scenarios.Scalar("base_time_s", "s", "time from the click to the base HTML file, mean over sessions; empty unless every load was complete", perLoad(true, func(pg *http.PageResult, _ *httpRun) float64 { return pg.BaseTime().Seconds() })).Optional(),
		scenarios.Scalar("page_load_rtts", "RTT", "page_load_s in round-trip times browser-server; empty unless every load was complete", perLoad(true, func(pg *http.PageResult, r *httpRun) float64 { return float64(pg.LoadTime()) / float64(r.rtt) })).Optional(),
		scenarios.Scalar("complete", "", "1 if every page load got the base and every object it links, else 0", func(r *httpRun) float64 { return b2f(r.complete()) }),
		scenarios.Scalar("objects_fetched", "", "objects received whole (200 OK) per page load, the base included", count(func(pg *http.PageResult) int { return pg.Objects })),
		scenarios.Scalar("errors", "", "objects not received per page load: error statuses, failed dials, unanswered or timed-out requests", count(func(pg *http.PageResult) int { return pg.Errors })),
		scenarios.Scalar("retries", "", "requests sent again per page load after their connection closed under them (RFC 7230 §6.3.1)", count(func(pg *http.PageResult) int { return pg.Retries })),
		scenarios.Scalar("conns_opened", "", "TCP connections opened per page load", count(func(pg *http.PageResult) int { return pg.ConnsOpened })).Named("TCP connections per page load"),
		scenarios.Scalar("handshake_rtts", "RTT", "TCP handshakes on the load's critical path per page load: the RTTs of set-up it waits for (parallel ones count once)", count(func(pg *http.PageResult) int { return pg.HandshakeRTTs })),
		scenarios.Scalar("handshake_rtts_total", "RTT", "TCP handshakes per page load, each one RTT, overlapping ones all counted (= conns_opened)", count(func(pg *http.PageResult) int { return pg.ConnsOpened })),
		scenarios.Scalar("requests", "", "HTTP requests sent per page load, retries included", count(func(pg *http.PageResult) int { return pg.Requests })),
		scenarios.Scalar("request_bytes", "B", "wire bytes of the requests per page load", perLoad(false, func(pg *http.PageResult, _ *httpRun) float64 { return float64(pg.RequestBytes) })),
		scenarios.Scalar("response_bytes", "B", "wire bytes of the responses per page load", perLoad(false, func(pg *http.PageResult, _ *httpRun) float64 { return float64(pg.ResponseBytes) })),
		scenarios.Scalar("returning_requests", "", "requests the server recognized by a cookie it issued, over all sessions", func(r *httpRun) float64 { return float64(r.returning) }),
		scenarios.Events[httpRun](),
	},
	Theory: []scenarios.TheoryOf[httpParams]{
		{Name: "rtt_formula", Label: "RTT formula", Metric: "page_load_s", Value: func(p *httpParams) (float64, error) {
			rtts := http.PageLoadRTTs(http.Mode(p.Mode), p.Objects, p.Parallel)
			if p.DNS.On {
				return p.withDNS(sim.Time(rtts) * p.RTT.Time()), nil
			}
			return float64(rtts) * p.RTT.Seconds(), nil
		}},
		{Name: "connections", Label: "K + 1 non-persistent, 1 persistent", Metric: "conns_opened", Value: func(p *httpParams) (float64, error) {
			if p.Sessions > 1 && (p.Mode == string(http.Persistent) || p.Mode == string(http.Pipelined)) {
				return 0, errors.New("a persistent connection may outlive the gap between sessions")
			}
			return float64(http.ConnectionsPerPage(http.Mode(p.Mode), p.Objects)), nil
		}},
		{Name: "fluid", Label: "RTTs + transmission", Metric: "page_load_s", Value: func(p *httpParams) (float64, error) {
			size, ok := p.ObjectSize.Const()
			if !ok {
				return 0, errors.New("the fluid form is for objects of one size")
			}
			return p.withDNS(0) + http.FluidPageLoad(http.Mode(p.Mode), p.Objects, p.Parallel, p.RTT.Seconds(),
				float64(p.BaseSize.Bytes()), float64(size.Bytes()), p.Download.Bps(), float64(p.Window.Bytes())), nil
		}},
	},
	// What one run creates, for the limits validation holds it to (http_size.go).
	Size:     httpSize,
	SizeHelp: httpSizeHelp,
})

func (p *httpParams) check() error {
	var errs []error
	if p.ServerHost == p.BrowserHost {
		errs = append(errs, scenarios.Errorf("browser_host", "must differ from server_host, %q", p.ServerHost))
	}
	errs = append(errs, p.Bulk.check("bulk")...)
	if _, err := p.dnsHierarchy(); err != nil {
		errs = append(errs, scenarios.Errorf("server_host", "with dns.on: %v", err))
	}
	return errors.Join(errs...)
}

// withDNS is a load's time given its HTTP part: with dns.on, the first load resolves
// the server's name with every cache empty (the browser's host keeps the answer for
// the later loads, K&R §2.5.1), from the browser a quarter of the RTT from the core;
// a mean over the sessions, in seconds.
func (p *httpParams) withDNS(web sim.Time) float64 {
	total := sim.Time(p.Sessions) * web
	if p.DNS.On {
		total += p.DNS.resolution((p.RTT / 4).Time())
	}
	return total.Seconds() / float64(p.Sessions)
}

// dnsHierarchy is the DNS hosts of dns.on, nil when off: those that name the server.
func (p *httpParams) dnsHierarchy() (*dnsHierarchy, error) {
	return p.DNS.hierarchy(frontLocalDNS, func(addr func(string) topology.NodeID) (*dns.Namespace, error) {
		return dns.HostNamespace([]string{p.ServerHost}, addr, dnsFrontTTL)
	})
}

// platform is two hosts on an access-link star: the browser with the params' rates, a
// quarter of the RTT from the core, and the server, unconstrained, the rest of it away
// (odd nanoseconds are kept).
func (p *httpParams) platform(*scenarios.RunEnv) *scenarios.Topology {
	quarter := p.RTT / 4
	h, _ := p.dnsHierarchy() // check has refused an error
	return &scenarios.Topology{Star: &scenarios.StarTopology{Hosts: append([]scenarios.StarHost{
		{Name: p.BrowserHost, Upload: p.Upload, Download: p.Download, Delay: quarter},
		{Name: p.ServerHost, Upload: scenarios.Unconstrained, Download: scenarios.Unconstrained, Delay: p.RTT/2 - quarter},
	}, h.starHosts(&p.DNS)...)}}
}

// deploy puts the browser and the server on their hosts, the DNS servers on theirs
// with dns.on, and each bulk transfer's sender and receiver on theirs.
func (p *httpParams) deploy(t *scenarios.Topology) (scenarios.Deployment, error) {
	h, _ := p.dnsHierarchy() // check has refused an error
	dep := scenarios.Deployment{{Host: p.BrowserHost, Role: "browser", Param: "browser_host"}, {Host: p.ServerHost, Role: "server", Param: "server_host"}}
	dep, errs := p.Bulk.deploy("bulk", t, append(dep, h.placements()...))
	return dep, errors.Join(errs...)
}

func bootHTTP(p *httpParams, pl *scenarios.Platform) (func() (httpRun, error), error) {
	objs := make([]int64, p.Objects)
	size, fixed := p.ObjectSize.Const()
	draw := p.ObjectSize.Sampler(pl.Env.Streams().Stream("http/object-sizes"))
	for i := range objs {
		if fixed {
			objs[i] = size.Bytes()
		} else {
			objs[i] = int64(math.Round(draw() / 8)) // bits drawn, whole bytes sent
		}
	}
	// The server's catalogue and counts are on its disk: a rebooted server serves the
	// same page, and its counts add up over its lives.
	var servers []*http.Server
	pl.Boot(p.ServerHost, func(h topology.Host) error {
		s, err := http.NewServer(h, http.ServerConfig{Objects: http.Page(p.BaseSize.Bytes(), objs), IdleTimeout: p.IdleTimeout.ZeroIsNever(), Cookies: p.Cookies})
		servers = append(servers, s)
		return err
	})
	var r httpRun
	visits := http.VisitConfig{
		Browser: http.BrowserConfig{Mode: http.Mode(p.Mode), Parallel: p.Parallel,
			TCP: topology.TCPOptions{WindowBytes: p.Window.Bytes(), SlowStart: p.SlowStart}, Resolve: pl.Network.Node},
		URL:      http.URL{Host: p.ServerHost, Path: "/index.html"},
		Sessions: p.Sessions, SessionGap: p.SessionGap.Time(),
	}
	browser := http.Visits(visits, &r.pages)
	if p.DNS.On {
		var err error
		if browser, err = p.bootDNS(pl, visits, &r.pages); err != nil {
			return nil, err
		}
	}
	pl.Boot(p.BrowserHost, browser)
	p.Bulk.boot(pl)
	return func() (httpRun, error) {
		if len(r.pages) != p.Sessions && pl.Env.Schedule == nil {
			return httpRun{}, fmt.Errorf("%d of %d page loads finished", len(r.pages), p.Sessions)
		}
		for _, s := range servers { // every life's: one that failed to start ended the run
			r.returning += s.Stats().ReturningRequests
		}
		var err error
		r.rtt, err = pl.Network.RTT(pl.Node(p.BrowserHost), pl.Node(p.ServerHost))
		return r, err
	}, nil
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// bootDNS starts dns.on's servers and returns the browser's program, which looks the
// server's name up through its host's stub resolver, with a cache of its own (a
// browser's), before it dials.
func (p *httpParams) bootDNS(pl *scenarios.Platform, visits http.VisitConfig, pages *[]http.PageResult) (func(topology.Host) error, error) {
	h, _ := p.dnsHierarchy() // check has refused an error
	local, err := h.boot(pl, &p.DNS)
	if err != nil {
		return nil, err
	}
	cache := dns.DefaultCache()
	return func(host topology.Host) error {
		stub, err := dns.NewStub(host, dns.StubConfig{Servers: []topology.NodeID{local}, Cache: &cache})
		if err != nil {
			return err
		}
		v := visits
		v.Browser.Resolver = stub
		return http.Visits(v, pages)(host)
	}, nil
}
