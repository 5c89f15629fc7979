package kinds

import (
	"context"
	"errors"
	"math"
	"netsim/scenarios"

	"netsim/apps/webcache"
	"netsim/scenarios/units"
)

// webcacheKind is `kind: webcache`: browsers on an institution's LAN behind an access
// link, with or without a proxy cache, requesting objects from origins an Internet
// delay away (Kurose & Ross §2.2.5, §2.2.6).
type webcacheKind struct{}

func init() { scenarios.Register(webcacheKind{}) }

type webcacheParams struct {
	Requests      int            `yaml:"requests" help:"requests in a run, warm-up included"`
	Warmup        int            `yaml:"warmup" help:"first requests left out of the metrics (cold cache, new connections)"`
	Rate          float64        `yaml:"rate" help:"Poisson arrival rate of requests, per second, over all browsers"`
	Workload      string         `yaml:"workload" help:"fixed-hit (the textbook's: a request is for a held object with probability hit_probability) or zipf"`
	HitProb       float64        `yaml:"hit_probability" help:"fixed-hit: probability that a request names one of the hot objects"`
	Hot           int            `yaml:"hot_objects" help:"fixed-hit: number of hot objects"`
	Alpha         float64        `yaml:"alpha" help:"zipf: popularity exponent (web traces: 0.64-0.83)"`
	Catalogue     int            `yaml:"catalogue" help:"zipf: number of objects"`
	ObjectSize    units.Size     `yaml:"object_size" help:"every object's body"`
	ChangeRate    float64        `yaml:"change_rate" help:"each object's modification rate, per second (a Poisson process); 0: never"`
	Freshness     string         `yaml:"freshness" help:"max-age (origins send Cache-Control: max-age) or heuristic (caches take 10% of the time since Last-Modified, RFC 7234 §4.2.2)"`
	MaxAge        units.Duration `yaml:"max_age" help:"the max-age origins send, with freshness: max-age"`
	Cache         bool           `yaml:"cache" help:"browsers go through a proxy cache on the LAN; false: straight to the origins"`
	CacheSize     units.Size     `yaml:"cache_size" help:"the cache's capacity"`
	CacheFraction float64        `yaml:"cache_fraction" help:"if > 0, the capacity as a fraction of the catalogue's bytes (overrides cache_size)"`
	Policy        string         `yaml:"policy" help:"eviction: lru or lfu"`
	Revalidate    bool           `yaml:"revalidate" help:"revalidate stale copies with a conditional GET; false: fetch them again whole"`
	Browsers      int            `yaml:"browsers" help:"browser hosts on the LAN"`
	Origins       int            `yaml:"origins" help:"origin servers; object i is on origin i mod origins"`
	LANRate       units.Rate     `yaml:"lan_rate" help:"each LAN link's rate"`
	AccessRate    units.Rate     `yaml:"access_rate" help:"the access link's rate, each way"`
	LANDelay      units.Duration `yaml:"lan_delay" help:"one-way propagation delay, host to institution router"`
	AccessDelay   units.Duration `yaml:"access_delay" help:"one-way propagation delay across the access link"`
	InternetDelay units.Duration `yaml:"internet_delay" help:"round trip from the Internet router to an origin (the textbook's Internet delay)"`
}

func (webcacheKind) Name() string { return "webcache" }
func (webcacheKind) Summary() string {
	return "a web cache on an institution's access link: hit ratio, response time, access-link load, conditional GET (K&R §2.2.5-6)"
}

// NewParams holds the textbook's example: 15 requests/s of 1 Mbit objects, 100 Mbps
// LAN, 15 Mbps access link, 2 s Internet delay, a cache answering 40% of requests.
func (webcacheKind) NewParams() any {
	d := webcache.DefaultSimConfig()
	return &webcacheParams{
		Requests: d.Requests, Warmup: d.Warmup, Rate: d.RatePerS,
		Workload: string(d.Workload), HitProb: d.HitProb, Hot: d.Hot, Alpha: d.Alpha, Catalogue: d.Catalogue,
		ObjectSize: units.Size(d.ObjectBytes * 8), Freshness: "max-age", MaxAge: units.Duration(d.MaxAge),
		Cache: true, CacheSize: units.Size(d.CacheBytes * 8), Policy: string(d.Policy), Revalidate: true,
		Browsers: d.Browsers, Origins: d.Origins,
		LANRate: units.Rate(d.Net.LANBps), AccessRate: units.Rate(d.Net.AccessBps),
		InternetDelay: units.Duration(d.Net.InternetDelay),
	}
}

func (webcacheKind) Check(params any) error {
	p := params.(*webcacheParams)
	var errs []error
	add := func(bad bool, key, format string, args ...any) {
		if bad {
			errs = append(errs, scenarios.Errorf(key, format, args...))
		}
	}
	add(p.Requests < 1, "requests", "must be at least 1, got %d", p.Requests)
	add(p.Warmup < 0 || p.Warmup >= p.Requests, "warmup", "must be in [0, requests), got %d", p.Warmup)
	add(!(p.Rate > 0) || math.IsInf(p.Rate, 1), "rate", "must be a positive number of requests per second, got %g", p.Rate)
	add(p.Workload != string(webcache.FixedHitWorkload) && p.Workload != string(webcache.ZipfWorkload),
		"workload", "must be fixed-hit or zipf, got %q", p.Workload)
	add(!(p.HitProb >= 0 && p.HitProb <= 1), "hit_probability", "must be in [0, 1], got %g", p.HitProb)
	add(p.Hot < 1, "hot_objects", "must be at least 1, got %d", p.Hot)
	add(!(p.Alpha >= 0) || p.Alpha > 10, "alpha", "must be in [0, 10], got %g", p.Alpha)
	add(p.Catalogue < 1 || p.Catalogue > 1e8, "catalogue", "must be in [1, 10^8], got %d", p.Catalogue)
	add(p.ObjectSize < 0, "object_size", "must not be negative")
	add(!(p.ChangeRate >= 0) || math.IsInf(p.ChangeRate, 1), "change_rate", "must be a non-negative rate per second, got %g", p.ChangeRate)
	add(p.Freshness != "max-age" && p.Freshness != "heuristic", "freshness", "must be max-age or heuristic, got %q", p.Freshness)
	add(p.MaxAge < 0, "max_age", "must not be negative")
	add(p.CacheSize < 0, "cache_size", "must not be negative")
	add(!(p.CacheFraction >= 0), "cache_fraction", "must not be negative, got %g", p.CacheFraction)
	add(p.Policy != string(webcache.LRU) && p.Policy != string(webcache.LFU), "policy", "must be lru or lfu, got %q", p.Policy)
	add(p.Browsers < 1, "browsers", "must be at least 1, got %d", p.Browsers)
	add(p.Origins < 1, "origins", "must be at least 1, got %d", p.Origins)
	add(p.LANRate <= 0, "lan_rate", "must be positive")
	add(p.AccessRate <= 0, "access_rate", "must be positive")
	add(p.LANDelay < 0, "lan_delay", "must not be negative")
	add(p.AccessDelay < 0, "access_delay", "must not be negative")
	add(p.InternetDelay < 0, "internet_delay", "must not be negative")
	return errors.Join(errs...)
}

// config turns params into the model's experiment.
func (p *webcacheParams) config() webcache.SimConfig {
	c := webcache.DefaultSimConfig()
	c.Requests, c.Warmup, c.RatePerS = p.Requests, p.Warmup, p.Rate
	c.Workload, c.HitProb, c.Hot, c.Alpha, c.Catalogue = webcache.Workload(p.Workload), p.HitProb, p.Hot, p.Alpha, p.Catalogue
	c.ObjectBytes, c.ChangesPerS = p.ObjectSize.Bytes(), p.ChangeRate
	c.MaxAge, c.HasMaxAge = p.MaxAge.Time(), p.Freshness == "max-age"
	c.UseCache, c.CacheBytes, c.Policy, c.Revalidate = p.Cache, p.CacheSize.Bytes(), webcache.Policy(p.Policy), p.Revalidate
	if p.CacheFraction > 0 {
		c.CacheBytes = int64(math.Round(p.CacheFraction * float64(p.catalogue()) * float64(c.ObjectBytes)))
	}
	c.Browsers, c.Origins = p.Browsers, p.Origins
	c.Net.LANBps, c.Net.AccessBps = p.LANRate.Bps(), p.AccessRate.Bps()
	c.Net.LANDelay, c.Net.AccessDelay, c.Net.InternetDelay = p.LANDelay.Time(), p.AccessDelay.Time(), p.InternetDelay.Time()
	return c
}

func (p *webcacheParams) catalogue() int {
	if p.Workload == string(webcache.ZipfWorkload) {
		return p.Catalogue
	}
	return p.Hot
}

func (webcacheKind) Metrics() []scenarios.Metric {
	return []scenarios.Metric{
		{Name: "hit_ratio", Help: "fraction of requests answered from the cache's copy (fresh hits and 304-validated)"},
		{Name: "byte_hit_ratio", Help: "fraction of body bytes answered from the cache's copies"},
		{Name: "revalidations", Help: "conditional GETs the cache sent"},
		{Name: "not_modified", Help: "of those, how many the origin answered 304 Not Modified"},
		{Name: "not_modified_ratio", Help: "not_modified / revalidations (0 when none)"},
		{Name: "refetches", Help: "stale copies fetched again whole (revalidation off)"},
		{Name: "bytes_saved", Unit: "B", Help: "bytes kept off the access link: direct-fetch bytes minus the cache's own exchange, summed over requests"},
		{Name: "access_bytes_in", Unit: "B", Help: "bytes into the institution over the access link (socket-layer count at the origins)"},
		{Name: "access_bytes_out", Unit: "B", Help: "bytes out of the institution over the access link"},
		{Name: "access_bytes_per_request", Unit: "B", Help: "access-link bytes, both ways, per measured request"},
		{Name: "access_utilization", Help: "inbound access link's utilization over the measurement window"},
		{Name: "access_delay_s", Unit: "s", Help: "mean time an origin's response took to cross once under way: the access delay"},
		{Name: "response_mean_s", Unit: "s", Help: "mean response time at the browsers"},
		{Name: "response_p50_s", Unit: "s", Help: "median response time (within 1%)"},
		{Name: "response_p95_s", Unit: "s", Help: "95th percentile response time (within 1%)"},
		{Name: "hit_response_mean_s", Unit: "s", Help: "mean response time of requests answered from the cache's copy (0 if none)"},
		{Name: "hit_response_p95_s", Unit: "s", Help: "95th percentile of those (0 if none)"},
		{Name: "miss_response_mean_s", Unit: "s", Help: "mean response time of the other requests (0 if none)"},
		{Name: "miss_response_p95_s", Unit: "s", Help: "95th percentile of those (0 if none)"},
		{Name: "events", Help: "kernel events in the run"},
	}
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
	delta := float64(c.OKWireBytes()) * 8 / c.Net.AccessBps
	access := webcache.AccessDelay(delta, (1-h)*c.RatePerS)
	if math.IsInf(access, 1) {
		return math.NaN()
	}
	lan := 0.0
	if p.Cache {
		lan = float64(c.OKWireBytes()) * 8 / c.Net.LANBps
	}
	return h*lan + (1-h)*(c.Net.InternetDelay.Seconds()+access+lan)
}

func (webcacheKind) Theory() []scenarios.Theory {
	wrap := func(f func(p *webcacheParams) float64) func(any) (float64, error) {
		return func(params any) (float64, error) { return f(params.(*webcacheParams)), nil }
	}
	return []scenarios.Theory{
		{Name: "response_time", Label: "K&R: LAN + Δ/(1−Δβ) + Internet delay", Metric: "response_mean_s",
			Value: wrap((*webcacheParams).textbookResponse)},
		{Name: "access_delay", Label: "Δ/(1−Δβ)", Metric: "access_delay_s", Value: wrap(func(p *webcacheParams) float64 {
			c := p.config()
			d := webcache.AccessDelay(float64(c.OKWireBytes())*8/c.Net.AccessBps, (1-p.expectedHitRatio())*c.RatePerS)
			if math.IsInf(d, 1) {
				return math.NaN()
			}
			return d
		})},
		{Name: "hit_ratio", Label: "Che's approximation (LRU) / textbook hit rate", Metric: "hit_ratio",
			Value: wrap((*webcacheParams).expectedHitRatio)},
	}
}

func (webcacheKind) Run(ctx context.Context, params any, env scenarios.RunEnv) (scenarios.Values, error) {
	p := params.(*webcacheParams)
	cfg := p.config()
	r, err := webcache.Simulate(ctx, cfg, env.Seed, env.Progress)
	if err != nil {
		return nil, err
	}
	orZero := func(x float64) float64 {
		if math.IsNaN(x) {
			return 0
		}
		return x
	}
	reval := r.Outcomes[webcache.Validated] + r.Outcomes[webcache.Changed]
	var nmRatio float64
	if reval > 0 {
		nmRatio = float64(r.Outcomes[webcache.Validated]) / float64(reval)
	}
	return scenarios.Values{
		"hit_ratio":                r.HitRatio(),
		"byte_hit_ratio":           r.ByteHitRatio(),
		"revalidations":            float64(reval),
		"not_modified":             float64(r.Outcomes[webcache.Validated]),
		"not_modified_ratio":       nmRatio,
		"refetches":                float64(r.Outcomes[webcache.Refetched]),
		"bytes_saved":              float64(r.BytesSaved),
		"access_bytes_in":          float64(r.AccessBytesIn),
		"access_bytes_out":         float64(r.AccessBytesOut),
		"access_bytes_per_request": float64(r.AccessBytesIn+r.AccessBytesOut) / float64(r.Requests),
		"access_utilization":       r.Utilization(cfg.Net.AccessBps),
		"access_delay_s":           orZero(r.AccessDelay.Mean()),
		"response_mean_s":          r.Response.Mean(),
		"response_p50_s":           r.Response.Quantile(0.5),
		"response_p95_s":           r.Response.Quantile(0.95),
		"hit_response_mean_s":      orZero(r.HitResponse.Mean()),
		"hit_response_p95_s":       orZero(r.HitResponse.Quantile(0.95)),
		"miss_response_mean_s":     orZero(r.MissResponse.Mean()),
		"miss_response_p95_s":      orZero(r.MissResponse.Quantile(0.95)),
		"events":                   float64(r.Events),
	}, nil
}
