package webcache

import (
	"context"
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

// SimConfig is one web-cache experiment on the institution network of Kurose & Ross
// §2.2.5: browsers and the cache on a LAN, an access link, origins an Internet delay
// away.
type SimConfig struct {
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

	Browsers, Origins int
	Net               topology.InstitutionConfig // Hosts and Servers are set from the above
	// Attach, if set, is called with the stack once the network is built and before
	// anything runs: where a capture attaches its taps (package capture). An error
	// stops the simulation before it starts.
	Attach func(*topology.Stack) error
}

// DefaultSimConfig is the textbook's example: 15 requests/s of 1 Mbit objects, a
// 100 Mbps LAN, a 15 Mbps access link, a 2 s Internet delay, a cache that answers 40%
// of requests.
func DefaultSimConfig() SimConfig {
	return SimConfig{
		Requests: 20000, Warmup: 2000, RatePerS: 15,
		Workload: FixedHitWorkload, HitProb: 0.4, Hot: 100, Alpha: 0.8, Catalogue: 100000,
		ObjectBytes: 125000, UseCache: true, CacheBytes: 1 << 30, Policy: LRU, Revalidate: true,
		MaxAge: 24 * sim.Hour, HasMaxAge: true,
		Browsers: 10, Origins: 4, Net: topology.DefaultInstitution(),
	}
}

// Check reports the first impossible value.
func (c SimConfig) Check() error {
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
	case c.Browsers < 1 || c.Origins < 1:
		return fmt.Errorf("%d browsers, %d origins: want at least 1 each", c.Browsers, c.Origins)
	}
	return nil
}

func (c SimConfig) catalogue() int64 {
	if c.Workload == ZipfWorkload {
		return int64(c.Catalogue)
	}
	return int64(c.Hot)
}

// originConfig is what every origin serves.
func (c SimConfig) originConfig() OriginConfig {
	return OriginConfig{ObjectBytes: c.ObjectBytes, Catalogue: c.catalogue(), ChangesPerS: c.ChangesPerS,
		MaxAge: c.MaxAge, HasMaxAge: c.HasMaxAge, Name: "netsim-origin/1.0"}
}

// OKWireBytes is the wire size of an origin's 200 response carrying an object: its
// header text (whose length does not depend on the time: HTTP dates are fixed-width)
// and the body.
func (c SimConfig) OKWireBytes() int64 {
	oc := c.originConfig()
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
	Events     uint64
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

// Simulate runs one experiment. seed names the run's random streams: the arrivals
// ("workload/arrivals"), the objects ("workload/objects"), the browser each request
// comes from ("workload/browsers"), and each host's own. It stops early with an error if
// ctx is cancelled; progress, if not nil, is the kernel's progress hook.
func Simulate(ctx context.Context, cfg SimConfig, seed uint64, progress func(sim.Progress)) (Result, error) {
	if err := cfg.Check(); err != nil {
		return Result{}, err
	}
	if cfg.Policy == "" {
		cfg.Policy = LRU
	}
	k := sim.NewKernel()
	netCfg := cfg.Net
	netCfg.Hosts, netCfg.Servers = cfg.Browsers+1, cfg.Origins
	network, err := topology.BuildInstitution(k, netCfg)
	if err != nil {
		return Result{}, err
	}
	streams := sim.NewStreams(seed)
	stack := topology.NewStack(network, streams)
	if cfg.Attach != nil {
		if err := cfg.Attach(stack); err != nil {
			return Result{}, err
		}
	}

	origins := map[string]topology.Addr{}
	originNodes := make([]topology.NodeID, cfg.Origins)
	originNames := make([]string, cfg.Origins)
	for j := range cfg.Origins {
		h, _ := stack.HostNamed(fmt.Sprintf("server%d", j))
		if _, err := StartOrigin(h, cfg.originConfig()); err != nil {
			return Result{}, err
		}
		originNames[j] = h.Name()
		originNodes[j] = h.Node()
		origins[h.Name()] = topology.Addr{Node: h.Node(), Port: 80}
	}

	var res Result
	started := false
	var winStart sim.Time
	// What the cache said about each request, until its browser has the response.
	served := map[*http.Request]Served{}
	onFetch := func(x Exchange) {
		if started && x.Sent >= winStart {
			res.AccessDelay.Add(x.Done - x.FirstByte)
			res.AccessRespBytes += x.RespBytes
		}
	}
	cacheHost, _ := stack.HostNamed("host0")
	if cfg.UseCache {
		_, err := StartCache(cacheHost, Config{CapacityBytes: cfg.CacheBytes, Policy: cfg.Policy, Revalidate: cfg.Revalidate,
			Origins: origins, OnFetch: onFetch,
			OnServe: func(req *http.Request, s Served) { served[req] = s }})
		if err != nil {
			return Result{}, err
		}
	}
	proxy := topology.Addr{Node: cacheHost.Node(), Port: 80}
	browsers := make([]*Browser, cfg.Browsers)
	for i := range browsers {
		h, _ := stack.HostNamed(fmt.Sprintf("host%d", i+1))
		browsers[i] = NewBrowser(h, proxy, cfg.UseCache, origins)
	}

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

	accessBytes := func() (in, out int64) {
		for _, n := range originNodes {
			st := stack.Stats(n)
			in += st.BytesSent
			out += st.BytesReceived
		}
		return in, out
	}
	done := func(measured bool) func(req *http.Request, x Exchange) {
		return func(req *http.Request, x Exchange) {
			s, ok := served[req]
			if ok {
				delete(served, req)
			} else {
				s = Served{Outcome: Miss, BodyBytes: x.Resp.BodyBytes}
				if x.Resp.Status != http.StatusOK {
					s.Outcome = Failed
				}
				onFetch(x)
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
			started = true
			winStart = k.Now()
			in0, out0 = accessBytes()
		}
		measured := n >= cfg.Warmup
		n++
		id := objects.Next(objectRng)
		b := browsers[browserRng.IntN(len(browsers))]
		b.Get(originNames[id%int64(cfg.Origins)], target(id), done(measured))
		if n < cfg.Requests {
			k.After(workload.Interarrival(arrivalRng, cfg.RatePerS), arrive)
			return
		}
		in1, out1 := accessBytes()
		res.AccessBytesIn, res.AccessBytesOut = in1-in0, out1-out0
		res.Window = k.Now() - winStart
	}
	k.After(workload.Interarrival(arrivalRng, cfg.RatePerS), arrive)

	if err := k.RunContext(ctx, progress); err != nil {
		return Result{}, err
	}
	res.Events = k.Events()
	if res.Requests != int64(cfg.Requests-cfg.Warmup) {
		return Result{}, fmt.Errorf("webcache: %d of %d measured requests were answered", res.Requests, cfg.Requests-cfg.Warmup)
	}
	return res, nil
}
