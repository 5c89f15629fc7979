package kinds

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"netsim/apps/http"
	"netsim/apps/webcache"
	"netsim/apps/webcache/workload"
	"netsim/scenarios"
	"netsim/scenarios/units"
	"netsim/topology"
)

// webcache: browsers on an institution's LAN behind an access link, with or without a
// proxy cache, requesting objects from origins an Internet delay away (Kurose & Ross
// §2.2.5, §2.2.6). The defaults are the textbook's example on
// topology.DefaultInstitution: 15 requests/s of 1 Mbit objects, 100 Mbps LAN, 15 Mbps
// access link, 2 s Internet delay, a cache answering 40% of requests. On a file's own
// topology the cache is host0, the browsers host1, host2, ..., the origins server0,
// server1, ..., and the link named access is the one whose load is measured.
type webcacheParams struct {
	Requests      int            `yaml:"requests" default:"20000" range:"[1,)" help:"requests in a run over all browsers, warm-up included"`
	Warmup        int            `yaml:"warmup" default:"2000" range:"[0,)" help:"first requests left out of the metrics (cold cache, new connections); fewer than requests"`
	Rate          float64        `yaml:"rate" default:"15" range:"(0,)" unit:"1/s" help:"λ, the Poisson rate of requests over all browsers: each browser's own process has λ/browsers"`
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
	Forwarding    string         `yaml:"forwarding" default:"streaming" oneof:"streaming store-and-forward" help:"streaming: the cache relays a response to the browser as it arrives (real proxies); store-and-forward: once it has it whole"`
	Collapse      bool           `yaml:"collapse" help:"a request for an object the cache is already fetching waits for that fetch (Squid's collapsed_forwarding, off there by default too)"`
	OriginIdle    units.Duration `yaml:"origin_idle_timeout" help:"origins close a persistent connection idle this long (Apache 2.2: 15s); 0: never, as the textbook, which counts no handshakes"`
	Browsers      int            `yaml:"browsers" platform:"" default:"10" range:"[1,)" help:"browser hosts on the LAN"`
	Origins       int            `yaml:"origins" platform:"" default:"4" range:"[1,)" help:"origin servers; object i is on origin i mod origins"`
	LANRate       units.Rate     `yaml:"lan_rate" platform:"" default:"100Mbps" range:"(0,)" help:"each LAN link's rate"`
	AccessRate    units.Rate     `yaml:"access_rate" platform:"" default:"15Mbps" range:"(0,)" label:"Access-link rate" help:"the access link's rate, each way"`
	LANDelay      units.Duration `yaml:"lan_delay" platform:"" help:"one-way propagation delay, host to institution router"`
	AccessDelay   units.Duration `yaml:"access_delay" platform:"" help:"one-way propagation delay across the access link"`
	InternetDelay units.Duration `yaml:"internet_delay" platform:"" default:"2s" range:"[0,)" help:"round trip from the Internet router to an origin (the textbook's Internet delay)"`
}

// webcacheRun is a run's result, the rate of the access link it crossed, and whether
// the link's offered load had a steady state.
type webcacheRun struct {
	webcache.Result
	accessBps float64
	steady    bool
}

// outcomes sums the counts of some outcomes.
func (r *webcacheRun) outcomes(os ...webcache.Outcome) float64 {
	var n int64
	for _, o := range os {
		n += r.Outcomes[o]
	}
	return float64(n)
}

// timeOf reads a statistic of a histogram of times: none (NaN) if it holds none, or,
// for times that queue on the access link, if the link has no steady state.
func timeOf(h func(*webcacheRun) *webcache.Histogram, stat func(*webcache.Histogram) float64, queued bool) func(*webcacheRun) float64 {
	return func(r *webcacheRun) float64 {
		if queued && !r.steady {
			return math.NaN()
		}
		return stat(h(r)) // NaN without samples
	}
}

func p50(h *webcache.Histogram) float64         { return h.Quantile(0.5) }
func p95(h *webcache.Histogram) float64         { return h.Quantile(0.95) }
func all(r *webcacheRun) *webcache.Histogram    { return &r.Response }
func hits(r *webcacheRun) *webcache.Histogram   { return &r.HitResponse }
func misses(r *webcacheRun) *webcache.Histogram { return &r.MissResponse }

const noSteady = "; empty when the access link has no steady state: its offered load, by the closed form Δβ or as measured, is 1 or more"

var _ = scenarios.Register(scenarios.Decl[webcacheParams, webcacheRun]{
	Name:    "webcache",
	Summary: "a web cache on an institution's access link: hit ratio, response time, access-link load, conditional GET (K&R §2.2.5-6)",
	Check: func(p *webcacheParams) error {
		if p.Warmup >= p.Requests {
			return scenarios.Errorf("warmup", "must be in [0, requests), got %d", p.Warmup)
		}
		return nil
	},
	Boot:     bootWebcache,
	Topology: true, Schedule: true,
	Platform: (*webcacheParams).platform,
	Deploy:   deployWebcache,
	Metrics: []scenarios.Reading[webcacheRun]{
		scenarios.Scalar("hit_ratio", "", "fraction of measured requests answered without a fetch of their own: fresh copies, 304-validated ones, and those collapsed onto a fetch under way", func(r *webcacheRun) float64 { return r.HitRatio() }).AsProportion(),
		scenarios.Scalar("byte_hit_ratio", "", "fraction of the body bytes delivered that were answered so", func(r *webcacheRun) float64 { return r.ByteHitRatio() }).AsProportion(),
		scenarios.Scalar("collapsed", "", "measured requests that joined the cache's fetch of the same object under way (collapse: true)", func(r *webcacheRun) float64 { return r.outcomes(webcache.Collapsed) }),
		scenarios.Scalar("revalidations", "", "conditional GETs the cache sent for measured requests", func(r *webcacheRun) float64 { return r.outcomes(webcache.Validated, webcache.Changed) }),
		scenarios.Scalar("not_modified", "", "of those, how many the origin answered 304 Not Modified", func(r *webcacheRun) float64 { return r.outcomes(webcache.Validated) }),
		scenarios.Scalar("not_modified_ratio", "", "not_modified / revalidations (0 when none)", func(r *webcacheRun) float64 {
			return r.outcomes(webcache.Validated) / max(r.outcomes(webcache.Validated, webcache.Changed), 1)
		}).Named("Share of conditional GETs answered 304").AsProportion(),
		scenarios.Scalar("refetches", "", "stale copies fetched again whole (revalidation off)", func(r *webcacheRun) float64 { return r.outcomes(webcache.Refetched) }),
		scenarios.Scalar("errors", "", "measured requests that got no object: an error status, a failed or timed-out exchange, a browser gone down", func(r *webcacheRun) float64 { return float64(r.Errors) }),
		scenarios.Scalar("bytes_saved", "B", "bytes kept off the access link: direct-fetch bytes minus the cache's own exchange, summed over requests", func(r *webcacheRun) float64 { return float64(r.BytesSaved) }),
		scenarios.Scalar("access_bytes_in", "B", "bytes into the institution over the access link in the window (the origins' sockets' count of what they sent)", func(r *webcacheRun) float64 { return float64(r.AccessBytesIn()) }),
		scenarios.Scalar("access_bytes_out", "B", "bytes out of the institution over the access link in the window", func(r *webcacheRun) float64 { return float64(r.AccessBytesOut()) }),
		scenarios.Scalar("access_bytes_per_request", "B", "access-link bytes, both ways, per measured request", func(r *webcacheRun) float64 {
			return float64(r.AccessBytesIn()+r.AccessBytesOut()) / float64(r.Requests)
		}).Named("Access-link bytes per request"),
		scenarios.Scalar("access_offered_load", "", "the bytes the origins began to send in the window over what the inbound access link can carry in it: ρ = Δβ, above 1 when overloaded", func(r *webcacheRun) float64 { return r.OfferedLoad(r.accessBps) }),
		scenarios.Scalar("access_utilization", "", "the fraction of the window the inbound access link was carrying data (busy time / time)", func(r *webcacheRun) float64 { return r.Utilization() }),
		scenarios.Scalar("access_delay_s", "s", "mean time an origin's response took to cross once under way: the access delay"+noSteady, timeOf(func(r *webcacheRun) *webcache.Histogram { return &r.AccessDelay }, (*webcache.Histogram).Mean, true)).Optional(),
		scenarios.Scalar("response_mean_s", "s", "mean response time of the measured requests that got their object"+noSteady, timeOf(all, (*webcache.Histogram).Mean, true)).Optional().Named("Mean response time"),
		scenarios.Scalar("response_p50_s", "s", "median of those (within 1%)"+noSteady, timeOf(all, p50, true)).Optional(),
		scenarios.Scalar("response_p95_s", "s", "95th percentile of those (within 1%)"+noSteady, timeOf(all, p95, true)).Optional(),
		scenarios.Scalar("hit_response_mean_s", "s", "mean response time of the requests counted in hit_ratio; empty if none", timeOf(hits, (*webcache.Histogram).Mean, false)).Optional(),
		scenarios.Scalar("hit_response_p95_s", "s", "95th percentile of those (within 1%); empty if none", timeOf(hits, p95, false)).Optional(),
		scenarios.Scalar("miss_response_mean_s", "s", "mean response time of the other requests that got their object"+noSteady, timeOf(misses, (*webcache.Histogram).Mean, true)).Optional(),
		scenarios.Scalar("miss_response_p95_s", "s", "95th percentile of those (within 1%)"+noSteady, timeOf(misses, p95, true)).Optional(),
		scenarios.Events[webcacheRun](),
	},
	Theory: []scenarios.TheoryOf[webcacheParams]{
		{Name: "response_time", Label: "K&R: LAN + Δ/(1−Δβ) + Internet delay", Metric: "response_mean_s", Value: exact(func(p *webcacheParams) float64 { return p.institution().ResponseTime() })},
		{Name: "access_delay", Label: "Δ/(1−Δβ)", Metric: "access_delay_s", Value: exact(func(p *webcacheParams) float64 { return p.institution().AccessTime() })},
		{Name: "not_modified", Label: "closed form: no change since validated", Metric: "not_modified_ratio", Value: func(p *webcacheParams) (float64, error) {
			_, share, err := p.conditionalGET()
			return share, err
		}},
		{Name: "access_bytes", Label: "closed form (Poisson requests and changes)", Metric: "access_bytes_per_request", Value: func(p *webcacheParams) (float64, error) {
			bytes, _, err := p.conditionalGET()
			return bytes, err
		}},
		{Name: "hit_ratio", Label: "Che's approximation (LRU, no delay) / textbook hit rate", Metric: "hit_ratio", Value: exact((*webcacheParams).expectedHitRatio)},
	},
	// What one run creates, for the limits validation holds it to (webcache_size.go).
	Size:     webcacheSize,
	SizeHelp: webcacheSizeHelp,
})

// exact wraps a closed form that always has a value (NaN where none is drawn).
func exact[P any](f func(p *P) float64) func(*P) (float64, error) {
	return func(p *P) (float64, error) { return f(p), nil }
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
// that the browsers are the same hosts either way), a user's browser on each other
// host<i>, an origin on each server<j>, and measures the link named access.
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
	dep = dep.Place(scenarios.Placement{Role: "browser", Steady: steadyBrowser}, browsers...)
	return dep.Place(scenarios.Placement{Role: "origin"}, origins...), nil
}

func bootWebcache(p *webcacheParams, pl *scenarios.Platform) (func() (webcacheRun, error), error) {
	origins, browsers := pl.Env.Deployment.Hosts("origin"), pl.Env.Deployment.Hosts("browser")
	addr := func(host string) topology.Addr { return topology.Addr{Node: pl.Node(host), Port: http.DefaultPort} }
	log := webcache.NewLog(p.Requests, p.Warmup)
	for _, o := range origins {
		pl.Boot(o, webcache.Origin(p.origin(), nil))
	}
	if p.Cache {
		cfg := webcache.Config{CapacityBytes: p.cacheBytes(), Policy: webcache.Policy(p.Policy), Revalidate: p.Revalidate,
			Collapse: p.Collapse, StoreAndForward: p.Forwarding == "store-and-forward", Origins: map[string]topology.Addr{},
			OnServe: log.Served, OnFetch: log.Fetched}
		for _, o := range origins {
			cfg.Origins[o] = addr(o)
		}
		pl.Boot("host0", func(h topology.Host) error { _, err := webcache.StartCache(h, cfg); return err })
	}
	to := func(origin string) topology.Addr {
		if p.Cache {
			return addr("host0")
		}
		return addr(origin)
	}
	zipf := workload.ZipfObjects{Z: workload.NewZipf(p.Catalogue, p.Alpha)}
	for i, b := range browsers {
		var objects workload.Objects = zipf
		if p.Workload == "fixed-hit" {
			objects = workload.NewFixedHitOf(p.HitProb, int64(p.Hot), int64(i), int64(len(browsers)))
		}
		pl.Boot(b, webcache.User(webcache.UserConfig{RatePerS: p.Rate / float64(len(browsers)), Objects: objects,
			Origins: origins, To: to, Log: log}))
	}
	// The inbound access link: the one on the way from an origin to the institution.
	inbound, err := pl.LinkOnRoute("access", origins[0], browsers[0])
	if err != nil {
		return nil, err
	}
	pl.Network.TrackBusy(inbound)
	r := webcacheRun{accessBps: pl.Network.Link(inbound).CapacityBps}
	in := p.institution()
	in.AccessBps = r.accessBps // a file's topology may have its own
	r.steady = in.OfferedLoad() < 1
	log.Meter = func() (c webcache.Counters) {
		for _, o := range origins {
			st := pl.Stack.Stats(pl.Node(o))
			c.OriginSent, c.OriginReceived = c.OriginSent+st.BytesSent, c.OriginReceived+st.BytesReceived
		}
		c.Busy = pl.Network.BusyTime(inbound)
		return c
	}
	log.Done = pl.Kernel.Stop
	return func() (webcacheRun, error) {
		var lost int
		r.Result, lost = log.Result()
		// The closed form knows nothing of stale copies fetched again: the measured
		// load may be above 1 where it says below.
		r.steady = r.steady && r.OfferedLoad(r.accessBps) < 1
		if lost > 0 && pl.Env.Schedule == nil {
			return webcacheRun{}, fmt.Errorf("%d measured requests were never answered", lost)
		}
		return r, nil
	}, nil
}

// origin is what every origin serves.
func (p *webcacheParams) origin() webcache.OriginConfig {
	return webcache.OriginConfig{ObjectBytes: p.ObjectSize.Bytes(), Catalogue: int64(p.catalogue()), ChangesPerS: p.ChangeRate,
		MaxAge: p.MaxAge.Time(), HasMaxAge: p.Freshness == "max-age", Name: "netsim-origin/1.0", Idle: p.OriginIdle.ZeroIsNever()}
}

func (p *webcacheParams) cacheBytes() int64 {
	if p.CacheFraction > 0 {
		return int64(math.Round(p.CacheFraction * float64(p.catalogue()) * float64(p.ObjectSize.Bytes())))
	}
	return p.CacheSize.Bytes()
}

func (p *webcacheParams) catalogue() int {
	if p.Workload == "zipf" {
		return p.Catalogue
	}
	return p.Hot
}

// expectedHitRatio is the hit ratio the closed forms predict: none without a cache,
// the given probability in the textbook's mode, Che's approximation for an LRU cache
// under Zipf requests (objects that change are not accounted for, and fetches take no
// time: a request during another's fetch of its object is a hit).
func (p *webcacheParams) expectedHitRatio() float64 {
	switch {
	case !p.Cache:
		return 0
	case p.Workload == "fixed-hit":
		return p.HitProb
	case p.ObjectSize.Bytes() == 0:
		return 1
	}
	return webcache.CheHitRatio(p.Catalogue, p.Alpha, math.Floor(float64(p.cacheBytes())/float64(p.ObjectSize.Bytes())))
}

// institution is the textbook's network as its closed forms see it, with these
// params' hit ratio.
func (p *webcacheParams) institution() webcache.Institution {
	return webcache.Institution{RatePerS: p.Rate, Cache: p.Cache, HitRatio: p.expectedHitRatio(),
		ResponseBytes: p.origin().OKWireBytes(), LANBps: p.LANRate.Bps(), AccessBps: p.AccessRate.Bps(),
		LANDelay: p.LANDelay.Time(), AccessDelay: p.AccessDelay.Time(), InternetDelay: p.InternetDelay.Time(),
		StoreAndForward: p.Forwarding == "store-and-forward"}
}

// conditionalGET is the closed form of the access link's traffic under revalidation
// (webcache.ConditionalGET), for a cache that holds a whole Zipf catalogue under
// max-age.
func (p *webcacheParams) conditionalGET() (bytesPerRequest, notModifiedShare float64, err error) {
	o := p.origin()
	switch {
	case !p.Cache || p.Workload != "zipf" || !o.HasMaxAge:
		return 0, 0, errors.New("the closed form is for a cache, a zipf workload and max-age freshness")
	case p.cacheBytes() < o.Catalogue*o.ObjectBytes:
		return 0, 0, errors.New("the closed form is for a cache that holds every object")
	}
	return webcache.ConditionalGET{Origin: o, Origins: p.Origins, Alpha: p.Alpha, RatePerS: p.Rate,
		Requests: p.Requests, Warmup: p.Warmup, Revalidate: p.Revalidate,
		Net: topology.InstitutionConfig{Hosts: p.Browsers + 1, Servers: p.Origins, LANBps: p.LANRate.Bps(), LANDelay: p.LANDelay.Time(),
			AccessBps: p.AccessRate.Bps(), AccessDelay: p.AccessDelay.Time(), InternetDelay: p.InternetDelay.Time()},
	}.ConditionalGETTraffic()
}
