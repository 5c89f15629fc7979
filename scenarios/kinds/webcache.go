package kinds

import (
	"context"
	"math"
	"slices"

	"netsim/apps/webcache"
	"netsim/scenarios"
	"netsim/scenarios/units"
	"netsim/topology"
)

// webcache: browsers on an institution's LAN behind an access link, with or without a
// proxy cache, requesting objects from origins an Internet delay away (Kurose & Ross
// §2.2.5, §2.2.6). The defaults are the textbook's example, webcache.DefaultExperiment
// on topology.DefaultInstitution: 15 requests/s of 1 Mbit objects, 100 Mbps LAN,
// 15 Mbps access link, 2 s Internet delay, a cache answering 40% of requests. On a
// file's own topology the cache is host0, the browsers host1, host2, ..., the origins
// server0, server1, ..., and the link named access is the one whose load is measured.
type webcacheParams struct {
	Requests      int            `yaml:"requests" default:"20000" range:"[1,)" help:"requests in a run, warm-up included"`
	Warmup        int            `yaml:"warmup" default:"2000" range:"[0,)" help:"first requests left out of the metrics (cold cache, new connections); fewer than requests"`
	Rate          float64        `yaml:"rate" default:"15" range:"(0,)" unit:"1/s" help:"Poisson arrival rate of requests, per second, over all browsers"`
	Workload      string         `yaml:"workload" default:"fixed-hit" oneof:"fixed-hit zipf" help:"fixed-hit (the textbook's: a request is for a held object with probability hit_probability) or zipf"`
	HitProb       float64        `yaml:"hit_probability" default:"0.4" range:"[0,1]" help:"fixed-hit: probability that a request names one of the hot objects"`
	Hot           int            `yaml:"hot_objects" default:"100" range:"[1,)" help:"fixed-hit: number of hot objects"`
	Alpha         float64        `yaml:"alpha" default:"0.8" range:"[0,10]" label:"Zipf exponent α" symbol:"α" help:"zipf: popularity exponent (web traces: 0.64-0.83)"`
	Catalogue     int            `yaml:"catalogue" default:"100000" range:"[1,1e8]" help:"zipf: number of objects"`
	ObjectSize    units.Size     `yaml:"object_size" default:"1Mbit" help:"every object's body"`
	ChangeRate    float64        `yaml:"change_rate" range:"[0,)" unit:"1/s" label:"Change rate per object" help:"each object's modification rate, per second (a Poisson process); 0: never"`
	Freshness     string         `yaml:"freshness" default:"max-age" oneof:"max-age heuristic" help:"max-age (origins send Cache-Control: max-age) or heuristic (caches take 10% of the time since Last-Modified, RFC 7234 §4.2.2)"`
	MaxAge        units.Duration `yaml:"max_age" default:"24h" help:"the max-age origins send, with freshness: max-age"`
	Cache         bool           `yaml:"cache" default:"true" help:"browsers go through a proxy cache on the LAN; false: straight to the origins"`
	CacheSize     units.Size     `yaml:"cache_size" default:"1GiB" help:"the cache's capacity"`
	CacheFraction float64        `yaml:"cache_fraction" range:"[0,)" label:"Cache size, fraction of the catalogue" help:"if > 0, the capacity as a fraction of the catalogue's bytes (overrides cache_size)"`
	Policy        string         `yaml:"policy" default:"lru" oneof:"lru lfu" help:"eviction: lru or lfu"`
	Revalidate    bool           `yaml:"revalidate" default:"true" label:"Conditional GET" help:"revalidate stale copies with a conditional GET; false: fetch them again whole"`
	Browsers      int            `yaml:"browsers" platform:"" default:"10" range:"[1,)" help:"browser hosts on the LAN"`
	Origins       int            `yaml:"origins" platform:"" default:"4" range:"[1,)" help:"origin servers; object i is on origin i mod origins"`
	LANRate       units.Rate     `yaml:"lan_rate" platform:"" default:"100Mbps" range:"(0,)" help:"each LAN link's rate"`
	AccessRate    units.Rate     `yaml:"access_rate" platform:"" default:"15Mbps" range:"(0,)" label:"Access-link rate" help:"the access link's rate, each way"`
	LANDelay      units.Duration `yaml:"lan_delay" platform:"" help:"one-way propagation delay, host to institution router"`
	AccessDelay   units.Duration `yaml:"access_delay" platform:"" help:"one-way propagation delay across the access link"`
	InternetDelay units.Duration `yaml:"internet_delay" platform:"" default:"2s" help:"round trip from the Internet router to an origin (the textbook's Internet delay)"`
}

// webcacheRun is a run's result and the access rate its utilization is of.
type webcacheRun struct {
	webcache.Result
	accessBps float64
	events    uint64
}

// revalidations counts the conditional GETs: answered 304 (Validated) or 200 (Changed).
func (r *webcacheRun) revalidations() int64 {
	return r.Outcomes[webcache.Validated] + r.Outcomes[webcache.Changed]
}

// orZero reports a statistic of no requests (NaN) as 0, as the metrics' help says.
func orZero(x float64) float64 {
	if math.IsNaN(x) {
		return 0
	}
	return x
}

var _ = scenarios.Register(scenarios.Decl[webcacheParams, webcacheRun]{
	Name:    "webcache",
	Summary: "a web cache on an institution's access link: hit ratio, response time, access-link load, conditional GET (K&R §2.2.5-6)",
	Check: func(p *webcacheParams) error {
		if p.Warmup >= p.Requests {
			return scenarios.Errorf("warmup", "must be in [0, requests), got %d", p.Warmup)
		}
		return nil
	},
	Run:      runWebcache,
	Topology: true, Schedule: true,
	Platform: (*webcacheParams).platform,
	Deploy:   deployWebcache,
	Metrics: []scenarios.Reading[webcacheRun]{
		scenarios.Scalar("hit_ratio", "", "fraction of requests answered from the cache's copy (fresh hits and 304-validated)", func(r *webcacheRun) float64 { return r.HitRatio() }).AsProportion(),
		scenarios.Scalar("byte_hit_ratio", "", "fraction of body bytes answered from the cache's copies", func(r *webcacheRun) float64 { return r.ByteHitRatio() }).AsProportion(),
		scenarios.Scalar("revalidations", "", "conditional GETs the cache sent", func(r *webcacheRun) float64 { return float64(r.revalidations()) }),
		scenarios.Scalar("not_modified", "", "of those, how many the origin answered 304 Not Modified", func(r *webcacheRun) float64 { return float64(r.Outcomes[webcache.Validated]) }),
		scenarios.Scalar("not_modified_ratio", "", "not_modified / revalidations (0 when none)", func(r *webcacheRun) float64 {
			if r.revalidations() == 0 {
				return 0
			}
			return float64(r.Outcomes[webcache.Validated]) / float64(r.revalidations())
		}).Named("Share of conditional GETs answered 304").AsProportion(),
		scenarios.Scalar("refetches", "", "stale copies fetched again whole (revalidation off)", func(r *webcacheRun) float64 { return float64(r.Outcomes[webcache.Refetched]) }),
		scenarios.Scalar("bytes_saved", "B", "bytes kept off the access link: direct-fetch bytes minus the cache's own exchange, summed over requests", func(r *webcacheRun) float64 { return float64(r.BytesSaved) }),
		scenarios.Scalar("access_bytes_in", "B", "bytes into the institution over the access link (socket-layer count at the origins)", func(r *webcacheRun) float64 { return float64(r.AccessBytesIn) }),
		scenarios.Scalar("access_bytes_out", "B", "bytes out of the institution over the access link", func(r *webcacheRun) float64 { return float64(r.AccessBytesOut) }),
		scenarios.Scalar("access_bytes_per_request", "B", "access-link bytes, both ways, per measured request", func(r *webcacheRun) float64 {
			return float64(r.AccessBytesIn+r.AccessBytesOut) / float64(r.Requests)
		}).Named("Access-link bytes per request"),
		scenarios.Scalar("access_utilization", "", "inbound access link's utilization over the measurement window", func(r *webcacheRun) float64 { return r.Utilization(r.accessBps) }),
		scenarios.Scalar("access_delay_s", "s", "mean time an origin's response took to cross once under way: the access delay", func(r *webcacheRun) float64 { return orZero(r.AccessDelay.Mean()) }),
		scenarios.Scalar("response_mean_s", "s", "mean response time at the browsers", func(r *webcacheRun) float64 { return r.Response.Mean() }).Named("Mean response time"),
		scenarios.Scalar("response_p50_s", "s", "median response time (within 1%)", func(r *webcacheRun) float64 { return r.Response.Quantile(0.5) }),
		scenarios.Scalar("response_p95_s", "s", "95th percentile response time (within 1%)", func(r *webcacheRun) float64 { return r.Response.Quantile(0.95) }),
		scenarios.Scalar("hit_response_mean_s", "s", "mean response time of requests answered from the cache's copy (0 if none)", func(r *webcacheRun) float64 { return orZero(r.HitResponse.Mean()) }),
		scenarios.Scalar("hit_response_p95_s", "s", "95th percentile of those (0 if none)", func(r *webcacheRun) float64 { return orZero(r.HitResponse.Quantile(0.95)) }),
		scenarios.Scalar("miss_response_mean_s", "s", "mean response time of the other requests (0 if none)", func(r *webcacheRun) float64 { return orZero(r.MissResponse.Mean()) }),
		scenarios.Scalar("miss_response_p95_s", "s", "95th percentile of those (0 if none)", func(r *webcacheRun) float64 { return orZero(r.MissResponse.Quantile(0.95)) }),
		scenarios.Scalar("events", "", "kernel events in the run", func(r *webcacheRun) float64 { return float64(r.events) }),
	},
	Theory: []scenarios.TheoryOf[webcacheParams]{
		{Name: "response_time", Label: "K&R: LAN + Δ/(1−Δβ) + Internet delay", Metric: "response_mean_s", Value: exact((*webcacheParams).textbookResponse)},
		{Name: "access_delay", Label: "Δ/(1−Δβ)", Metric: "access_delay_s", Value: exact(func(p *webcacheParams) float64 {
			c := p.config()
			d := webcache.AccessDelay(float64(c.OKWireBytes())*8/p.AccessRate.Bps(), (1-p.expectedHitRatio())*c.RatePerS)
			if math.IsInf(d, 1) {
				return math.NaN()
			}
			return d
		})},
		{Name: "not_modified", Label: "closed form: no change since validated", Metric: "not_modified_ratio", Value: func(p *webcacheParams) (float64, error) {
			_, share, err := p.config().ConditionalGETTraffic(p.institution(), p.Origins)
			return share, err
		}},
		{Name: "access_bytes", Label: "closed form (Poisson requests and changes)", Metric: "access_bytes_per_request", Value: func(p *webcacheParams) (float64, error) {
			bytes, _, err := p.config().ConditionalGETTraffic(p.institution(), p.Origins)
			return bytes, err
		}},
		{Name: "hit_ratio", Label: "Che's approximation (LRU)", Metric: "hit_ratio", Value: exact((*webcacheParams).expectedHitRatio)},
	},
	// What one run creates, for the limits validation holds it to (webcache_size.go).
	Size:     webcacheSize,
	SizeHelp: webcacheSizeHelp,
})

// exact wraps a closed form that always has a value (NaN where none is drawn).
func exact[P any](f func(p *P) float64) func(*P) (float64, error) {
	return func(p *P) (float64, error) { return f(p), nil }
}

// config turns params into the model's experiment.
func (p *webcacheParams) config() webcache.ExperimentConfig {
	c := webcache.DefaultExperiment()
	c.Requests, c.Warmup, c.RatePerS = p.Requests, p.Warmup, p.Rate
	c.Workload, c.HitProb, c.Hot, c.Alpha, c.Catalogue = webcache.Workload(p.Workload), p.HitProb, p.Hot, p.Alpha, p.Catalogue
	c.ObjectBytes, c.ChangesPerS = p.ObjectSize.Bytes(), p.ChangeRate
	c.MaxAge, c.HasMaxAge = p.MaxAge.Time(), p.Freshness == "max-age"
	c.UseCache, c.CacheBytes, c.Policy, c.Revalidate = p.Cache, p.CacheSize.Bytes(), webcache.Policy(p.Policy), p.Revalidate
	if p.CacheFraction > 0 {
		c.CacheBytes = int64(math.Round(p.CacheFraction * float64(p.catalogue()) * float64(c.ObjectBytes)))
	}
	return c
}

// institution is the default platform's institution network, for the closed forms.
func (p *webcacheParams) institution() topology.InstitutionConfig {
	return topology.InstitutionConfig{Hosts: p.Browsers + 1, Servers: p.Origins, LANBps: p.LANRate.Bps(), LANDelay: p.LANDelay.Time(),
		AccessBps: p.AccessRate.Bps(), AccessDelay: p.AccessDelay.Time(), InternetDelay: p.InternetDelay.Time()}
}

// platform is the institution network of §2.2.5: the cache and the browsers on the LAN
// (host0 and host1 ..), the origins beyond the access link and the Internet delay.
func (p *webcacheParams) platform(*scenarios.RunEnv) *scenarios.Topology {
	return &scenarios.Topology{Institution: &scenarios.InstitutionTopology{
		Hosts: p.Browsers + 1, Servers: p.Origins, LANRate: p.LANRate, LANDelay: p.LANDelay,
		AccessRate: p.AccessRate, AccessDelay: p.AccessDelay, InternetDelay: p.InternetDelay,
	}}
}

// steadyBrowser is why a browser's host may not go down: the workload is the users,
// who have no model of a machine that is off; crash the cache or an origin instead.
const steadyBrowser = "the request workload drives it"

// deployWebcache puts the cache on host0 (with cache: false, host0 runs nothing, so
// that the browsers are the same hosts either way), a browser on each other host<i>,
// an origin on each server<j>, and measures the link named access.
func deployWebcache(p *webcacheParams, t *scenarios.Topology) (scenarios.Deployment, error) {
	browsers := slices.DeleteFunc(t.Group("host"), func(h string) bool { return h == "host0" })
	origins := t.Group("server")
	switch {
	case !t.Has("host0"):
		return nil, scenarios.Errorf("topology", "kind webcache needs a host named host0, the cache's")
	case len(browsers) == 0:
		return nil, scenarios.Errorf("topology", "kind webcache needs browsers: hosts named host1, host2, ...")
	case len(origins) == 0:
		return nil, scenarios.Errorf("topology", "kind webcache needs origins: hosts named server0, server1, ...")
	case !slices.Contains(t.Links(), "access"):
		return nil, scenarios.Errorf("topology", "kind webcache needs a link named access, whose load it measures")
	}
	var dep scenarios.Deployment
	if p.Cache {
		dep = append(dep, scenarios.Placement{Host: "host0", Role: "cache"})
	}
	for _, h := range browsers {
		dep = append(dep, scenarios.Placement{Host: h, Role: "browser", Steady: steadyBrowser})
	}
	for _, h := range origins {
		dep = append(dep, scenarios.Placement{Host: h, Role: "origin"})
	}
	return dep, nil
}

func runWebcache(ctx context.Context, p *webcacheParams, env scenarios.RunEnv) (webcacheRun, error) {
	pl, err := scenarios.NewPlatform(env)
	if err != nil {
		return webcacheRun{}, err
	}
	cfg := p.config()
	names := env.Deployment.Hosts("origin")
	exp, err := webcache.NewExperiment(cfg, names)
	if err != nil {
		return webcacheRun{}, err
	}
	origins := map[string]topology.Addr{}
	nodes := make([]topology.NodeID, len(names))
	for j, name := range names {
		o, err := webcache.NewOrigin(cfg.OriginConfig())
		if err != nil {
			return webcacheRun{}, err
		}
		pl.Boot(name, o.Serve)
		nodes[j] = pl.Node(name)
		origins[name] = topology.Addr{Node: nodes[j], Port: 80}
	}
	if p.Cache {
		pl.Boot("host0", func(h topology.Host) error { _, err := webcache.StartCache(h, exp.CacheConfig(origins)); return err })
	}
	proxy := topology.Addr{Node: pl.Node("host0"), Port: 80}
	hosts := env.Deployment.Hosts("browser")
	browsers := make([]*webcache.Browser, len(hosts))
	for i, name := range hosts {
		pl.Boot(name, func(h topology.Host) error {
			browsers[i] = webcache.NewBrowser(h, proxy, p.Cache, origins)
			browsers[i].SetResponseTimeout(cfg.ResponseTimeout)
			return nil
		})
	}
	exp.Start(pl.Kernel, env.Streams(), browsers, func() (in, out int64) {
		for _, n := range nodes {
			st := pl.Stack.Stats(n)
			in += st.BytesSent
			out += st.BytesReceived
		}
		return in, out
	})
	if err := pl.Run(ctx); err != nil {
		return webcacheRun{}, err
	}
	res, err := exp.Result()
	// The access link's rate, of its first direction (the builder's are equal).
	access := pl.Network.Link(pl.Links("access")[0]).CapacityBps
	return webcacheRun{res, access, pl.Kernel.Events()}, err
}

func (p *webcacheParams) catalogue() int {
	if p.Workload == string(webcache.ZipfWorkload) {
		return p.Catalogue
	}
	return p.Hot
}

// expectedHitRatio is the hit ratio the closed forms predict: none without a cache,
// the given probability in the textbook's mode, Che's approximation for an LRU cache
// under Zipf requests (objects that change are not accounted for).
func (p *webcacheParams) expectedHitRatio() float64 {
	c := p.config()
	switch {
	case !p.Cache:
		return 0
	case p.Workload == string(webcache.FixedHitWorkload):
		return p.HitProb
	case c.ObjectBytes == 0:
		return 1
	}
	return webcache.CheHitRatio(p.Catalogue, p.Alpha, math.Floor(float64(c.CacheBytes)/float64(c.ObjectBytes)))
}

// textbookResponse is Kurose & Ross §2.2.5's total response time: for a miss, the
// Internet delay plus the access delay Δ/(1−Δβ) (β the rate of misses) plus, through
// the cache, the LAN delay of sending the object to the browser; for a hit, that LAN
// delay alone. NaN when the access link is overloaded.
func (p *webcacheParams) textbookResponse() float64 {
	c := p.config()
	h := p.expectedHitRatio()
	delta := float64(c.OKWireBytes()) * 8 / p.AccessRate.Bps()
	access := webcache.AccessDelay(delta, (1-h)*c.RatePerS)
	if math.IsInf(access, 1) {
		return math.NaN()
	}
	lan := 0.0
	if p.Cache {
		lan = float64(c.OKWireBytes()) * 8 / p.LANRate.Bps()
	}
	return h*lan + (1-h)*(p.InternetDelay.Seconds()+access+lan)
}
