package webcache

import (
	"errors"
	"fmt"
	"math"

	"netsim/apps/http"
	"netsim/apps/webcache/workload"
	"netsim/sim"
	"netsim/topology"
)

// Workload names how requests choose objects.
type Workload string

const (
	// ZipfWorkload: independent requests, Zipf-like popularity over a catalogue.
	ZipfWorkload Workload = "zipf"
	// FixedHitWorkload: the textbook exercise's fixed probability that a request is for
	// an object the cache already holds.
	FixedHitWorkload Workload = "fixed-hit"
)

// ExperimentConfig is one web-cache experiment of Kurose & Ross §2.2.5: the users'
// requests, the objects the origins serve, and the cache. The platform (the institution
// network: browsers and the cache on a LAN, an access link, origins an Internet delay
// away) is the caller's.
type ExperimentConfig struct {
	Requests int     // requests in the run, warm-up included
	Warmup   int     // the first Warmup requests are not measured
	RatePerS float64 // Poisson arrival rate of requests, over all browsers

	Workload  Workload
	Alpha     float64 // Zipf exponent
	Catalogue int     // Zipf: objects in the catalogue
	HitProb   float64 // fixed-hit: probability of a hot object
	Hot       int     // fixed-hit: hot objects

	ObjectBytes int64   // every object's body
	ChangesPerS float64 // each object's modification rate
	MaxAge      sim.Time
	HasMaxAge   bool // origins send max-age; otherwise caches use the 10% heuristic

	UseCache   bool
	CacheBytes int64
	Policy     Policy
	Revalidate bool

	// ResponseTimeout is how long the browsers and the cache wait for a response
	// before giving up on it (0: for ever): a server that crashed with their request
	// sends nothing more, and TCP, with nothing left to send, would never notice.
	ResponseTimeout sim.Time
}

// DefaultExperiment is the textbook's example: 15 requests/s of 1 Mbit objects and a
// cache that answers 40% of requests (on topology.DefaultInstitution's 100 Mbps LAN,
// 15 Mbps access link and 2 s Internet delay); browsers and cache give up on a
// response after Firefox's 300 s (http.DefaultResponseTimeout).
func DefaultExperiment() ExperimentConfig {
	return ExperimentConfig{
		Requests: 20000, Warmup: 2000, RatePerS: 15,
		Workload: FixedHitWorkload, HitProb: 0.4, Hot: 100, Alpha: 0.8, Catalogue: 100000,
		ObjectBytes: 125000, UseCache: true, CacheBytes: 1 << 30, Policy: LRU, Revalidate: true,
		MaxAge: 24 * sim.Hour, HasMaxAge: true, ResponseTimeout: http.DefaultResponseTimeout,
	}
}

// Check reports the first impossible value.
func (c ExperimentConfig) Check() error {
	switch {
	case c.Requests < 1 || c.Warmup < 0 || c.Warmup >= c.Requests:
		return fmt.Errorf("requests %d, warm-up %d: want 0 ≤ warm-up < requests", c.Requests, c.Warmup)
	case !(c.RatePerS > 0) || math.IsInf(c.RatePerS, 1):
		return fmt.Errorf("request rate %v/s: want > 0", c.RatePerS)
	case c.Workload == ZipfWorkload && (c.Catalogue < 1 || !(c.Alpha >= 0)):
		return fmt.Errorf("zipf workload: catalogue %d, alpha %v", c.Catalogue, c.Alpha)
	case c.Workload == FixedHitWorkload && (c.Hot < 1 || !(c.HitProb >= 0 && c.HitProb <= 1)):
		return fmt.Errorf("fixed-hit workload: hot %d, hit probability %v", c.Hot, c.HitProb)
	case c.Workload != ZipfWorkload && c.Workload != FixedHitWorkload:
		return fmt.Errorf("workload %q: want %q or %q", c.Workload, ZipfWorkload, FixedHitWorkload)
	case c.ObjectBytes < 0 || c.CacheBytes < 0 || !(c.ChangesPerS >= 0) || c.MaxAge < 0:
		return errors.New("object size, cache size, change rate and max-age must not be negative")
	}
	return nil
}

func (c ExperimentConfig) catalogue() int64 {
	if c.Workload == ZipfWorkload {
		return int64(c.Catalogue)
	}
	return int64(c.Hot)
}

// OriginConfig is what every origin serves.
func (c ExperimentConfig) OriginConfig() OriginConfig {
	return OriginConfig{ObjectBytes: c.ObjectBytes, Catalogue: c.catalogue(), ChangesPerS: c.ChangesPerS,
		MaxAge: c.MaxAge, HasMaxAge: c.HasMaxAge, Name: "netsim-origin/1.0"}
}

// OKWireBytes is the wire size of an origin's 200 response carrying an object: its
// header text (whose length does not depend on the time: HTTP dates are fixed-width)
// and the body.
func (c ExperimentConfig) OKWireBytes() int64 {
	oc := c.OriginConfig()
	r := &http.Response{Version: http.Version11, Status: http.StatusOK, Server: oc.Name,
		HasLastModified: true, ContentLength: oc.ObjectBytes, BodyBytes: oc.ObjectBytes,
		ContentType: "application/octet-stream", CacheControlMaxAge: oc.MaxAge, HasMaxAge: oc.HasMaxAge}
	return r.WireBytes()
}

// Result is what an experiment measured over the requests after the warm-up.
type Result struct {
	Requests int64              // measured requests
	Outcomes [numOutcomes]int64 // how the cache answered them (all Miss without a cache)
	// BodyBytes is the body bytes delivered to browsers; FromCacheBytes those that came
	// from the cache's copies.
	BodyBytes, FromCacheBytes int64
	// Response times at the browsers: all requests, those answered from the cache's
	// copy (Hit, Validated) and the others.
	Response, HitResponse, MissResponse Histogram
	// AccessDelay is the time responses took to cross from the origin once their first
	// bits arrived (Done − FirstByte of the exchanges with origins): the textbook's
	// access delay, the sojourn of a transfer on the access link.
	AccessDelay Histogram
	// AccessRespBytes is the wire bytes of those responses.
	AccessRespBytes int64
	// AccessBytesIn and AccessBytesOut are the bytes the origins sent and received in
	// the measurement window, counted by the socket layer: what crossed the access link
	// inbound and outbound.
	AccessBytesIn, AccessBytesOut int64
	// Window is the measurement window: from the first measured arrival to the last.
	Window sim.Time
	// BytesSaved is what the cache kept off the access link: for each measured request,
	// what a direct fetch would have moved minus what the cache's exchange moved.
	BytesSaved int64
}

// HitRatio is the fraction of requests answered from the cache's copy.
func (r Result) HitRatio() float64 {
	return float64(r.Outcomes[Hit]+r.Outcomes[Validated]) / float64(r.Requests)
}

// ByteHitRatio is the fraction of body bytes answered from the cache's copies.
func (r Result) ByteHitRatio() float64 {
	if r.BodyBytes == 0 {
		return 0
	}
	return float64(r.FromCacheBytes) / float64(r.BodyBytes)
}

// Utilization is the inbound access link's utilization over the window.
func (r Result) Utilization(accessBps float64) float64 {
	if r.Window <= 0 {
		return 0
	}
	return float64(r.AccessBytesIn) * 8 / (accessBps * r.Window.Seconds())
}

// Experiment is the users of one experiment and what they measure: requests arriving
// as a Poisson process, each for an object the workload chooses, from a browser chosen
// at random, through the cache if there is one; and, for the requests after the
// warm-up, how each was answered and how long it took. It is not a program on a host
// but the people at the browsers, with the experimenter's notebook.
type Experiment struct {
	cfg     ExperimentConfig
	origins []string
	res     Result
	started bool
	// winStart is when the first measured request arrived.
	winStart sim.Time
	// served is what the cache said about each request, until its browser has the
	// response.
	served map[*http.Request]Served
}

// NewExperiment returns the experiment of cfg, whose objects are spread over the
// origins named (object i on origins[i mod len(origins)]).
func NewExperiment(cfg ExperimentConfig, origins []string) (*Experiment, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	if len(origins) == 0 {
		return nil, errors.New("webcache: no origins")
	}
	if cfg.Policy == "" {
		cfg.Policy = LRU
	}
	return &Experiment{cfg: cfg, origins: origins, served: map[*http.Request]Served{}}, nil
}

// CacheConfig is the proxy cache's configuration in the experiment, reporting to it;
// origins resolves an origin's name to its address.
func (e *Experiment) CacheConfig(origins map[string]topology.Addr) Config {
	return Config{CapacityBytes: e.cfg.CacheBytes, Policy: e.cfg.Policy, Revalidate: e.cfg.Revalidate,
		Origins: origins, OnFetch: e.onFetch, ResponseTimeout: e.cfg.ResponseTimeout,
		OnServe: func(req *http.Request, s Served) { e.served[req] = s }}
}

func (e *Experiment) onFetch(x Exchange) {
	if e.started && x.Sent >= e.winStart {
		e.res.AccessDelay.Add(x.Done - x.FirstByte)
		e.res.AccessRespBytes += x.RespBytes
	}
}

// Start schedules the requests on k. Their random streams are the run's: the arrivals
// ("workload/arrivals"), the objects ("workload/objects"), the browser each request
// comes from ("workload/browsers"). browsers are the users' browsers (a slot a boot
// fills); access says how many bytes have crossed the access link so far, inbound and
// outbound (the origins' socket counts: every byte an origin sends or receives crosses
// it).
func (e *Experiment) Start(k *sim.Kernel, streams sim.Streams, browsers []*Browser, access func() (in, out int64)) {
	cfg := e.cfg
	var objects workload.Objects
	if cfg.Workload == ZipfWorkload {
		objects = workload.ZipfObjects{Z: workload.NewZipf(cfg.Catalogue, cfg.Alpha)}
	} else {
		objects = workload.NewFixedHit(cfg.HitProb, int64(cfg.Hot))
	}
	targets := make([]string, objects.Catalogue())
	target := func(id int64) string {
		if id < int64(len(targets)) {
			if targets[id] == "" {
				targets[id] = Target(id)
			}
			return targets[id]
		}
		return Target(id)
	}
	arrivalRng := streams.Stream("workload/arrivals")
	objectRng := streams.Stream("workload/objects")
	browserRng := streams.Stream("workload/browsers")

	res := &e.res
	done := func(measured bool) func(req *http.Request, x Exchange) {
		return func(req *http.Request, x Exchange) {
			s, ok := e.served[req]
			if ok {
				delete(e.served, req)
			} else {
				s = Served{Outcome: Miss, BodyBytes: x.Resp.BodyBytes}
				if x.Resp.Status != http.StatusOK {
					s.Outcome = Failed
				}
				e.onFetch(x)
			}
			if !measured {
				return
			}
			rt := x.Done - x.Sent
			res.Requests++
			res.Outcomes[s.Outcome]++
			res.BodyBytes += s.BodyBytes
			res.Response.Add(rt)
			if s.Outcome.FromCache() {
				res.FromCacheBytes += s.BodyBytes
				res.HitResponse.Add(rt)
			} else {
				res.MissResponse.Add(rt)
			}
			if ok {
				res.BytesSaved += s.DirectBytes - s.OriginBytes
			}
		}
	}
	var in0, out0 int64
	n := 0
	var arrive func()
	arrive = func() {
		if n == cfg.Warmup {
			e.started = true
			e.winStart = k.Now()
			in0, out0 = access()
		}
		measured := n >= cfg.Warmup
		n++
		id := objects.Next(objectRng)
		b := browsers[browserRng.IntN(len(browsers))]
		b.Get(e.origins[id%int64(len(e.origins))], target(id), done(measured))
		if n < cfg.Requests {
			k.After(workload.Interarrival(arrivalRng, cfg.RatePerS), arrive)
			return
		}
		in1, out1 := access()
		res.AccessBytesIn, res.AccessBytesOut = in1-in0, out1-out0
		res.Window = k.Now() - e.winStart
	}
	k.After(workload.Interarrival(arrivalRng, cfg.RatePerS), arrive)
}

// Result returns what the experiment measured, once the run is over: an error if a
// measured request was never answered.
func (e *Experiment) Result() (Result, error) {
	if want := int64(e.cfg.Requests - e.cfg.Warmup); e.res.Requests != want {
		return Result{}, fmt.Errorf("webcache: %d of %d measured requests were answered", e.res.Requests, want)
	}
	return e.res, nil
}
