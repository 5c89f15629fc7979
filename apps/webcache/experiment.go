package webcache

import (
	"netsim/apps/http"
	"netsim/apps/webcache/workload"
	"netsim/sim"
	"netsim/topology"
)

// UserConfig is the user at one browser of a web-cache experiment (Kurose & Ross
// §2.2.5): requests at the times of a Poisson process, each for an object the
// workload names. B browsers each at rate λ/B make, together, the textbook's Poisson
// stream of λ requests per second.
type UserConfig struct {
	RatePerS float64          // this browser's rate
	Objects  workload.Objects // the objects its requests name
	Origins  []string         // object i is on Origins[i mod len(Origins)]: its Host field
	// To is where a request for an origin's object goes: the proxy cache the browser
	// is configured to use (§2.2.5), or the origin itself.
	To  func(origin string) topology.Addr
	Log *Log // the notebook the requests are taken from and answered in
}

// BrowserAgent is the User-Agent of the users' requests.
const BrowserAgent = "netsim-browser/1.0"

// User returns the program of a browser's host. Its times and objects are drawn from
// the host's random stream. A request its host's crash cuts off is lost; the user
// goes on when the host is back.
func User(cfg UserConfig) func(topology.Host) error {
	return func(h topology.Host) error {
		cl := http.NewClient(h, http.ClientConfig{UserAgent: BrowserAgent})
		var next func()
		next = func() {
			if !cfg.Log.take(h.Now()) {
				return
			}
			id := cfg.Objects.Next(h.Rand())
			origin := cfg.Origins[id%int64(len(cfg.Origins))]
			req := &http.Request{Method: http.MethodGet, Target: Target(id), Version: http.Version11, Host: origin}
			cfg.Log.sent(req)
			cl.Do(cfg.To(origin), req, cfg.Log.answered)
			h.After(workload.Interarrival(h.Rand(), cfg.RatePerS), next)
		}
		h.After(workload.Interarrival(h.Rand(), cfg.RatePerS), next)
		return nil
	}
}

// Result is what an experiment measured over the requests after the warm-up.
type Result struct {
	Requests int64              // measured requests
	Outcomes [numOutcomes]int64 // how they were answered (without a cache: Miss or Failed)
	// Errors counts the measured requests that got no object: an error status, an
	// exchange that failed or timed out, or a browser that went down first.
	Errors int64
	// BodyBytes is the body bytes delivered to browsers; FromCacheBytes those answered
	// without a fetch of their own (Outcome.FromCache).
	BodyBytes, FromCacheBytes int64
	// Response times at the browsers of the requests that got their object: all of
	// them, those answered from the cache (FromCache) and the others.
	Response, HitResponse, MissResponse Histogram
	// AccessDelay is the time responses took to cross from the origin once their first
	// bits arrived (Done − FirstByte of the exchanges with origins): the textbook's
	// access delay, the sojourn of a transfer on the access link.
	AccessDelay Histogram
	// AccessRespBytes is the wire bytes of those responses.
	AccessRespBytes int64
	// BytesSaved is what the cache kept off the access link: for each measured request,
	// what a direct fetch would have moved minus what the cache's exchange moved.
	BytesSaved int64
	// Window is what the experimenter's Meter read when the first measured request was
	// taken and when the last was: the window over which the link's counters count.
	Window [2]Counters
}

// Counters are the access link's counters as the experimenter reads them: the bytes
// the origins' sockets have sent (into the institution) and received (out of it), and
// how long the inbound access link has been busy (topology.Network.BusyTime).
type Counters struct {
	At                         sim.Time
	OriginSent, OriginReceived int64
	Busy                       sim.Time
}

// AccessBytesIn is the bytes the origins sent in the window; AccessBytesOut those
// they received.
func (r Result) AccessBytesIn() int64 { return r.Window[1].OriginSent - r.Window[0].OriginSent }
func (r Result) AccessBytesOut() int64 {
	return r.Window[1].OriginReceived - r.Window[0].OriginReceived
}

// WindowS is the window's length in seconds.
func (r Result) WindowS() float64 { return (r.Window[1].At - r.Window[0].At).Seconds() }

// OfferedLoad is ρ: the bytes the origins began to send in the window (a socket
// counts a message when it starts to send it) over what an inbound access link of bps
// can carry in it. It is above 1 when the link is overloaded.
func (r Result) OfferedLoad(bps float64) float64 {
	return float64(r.AccessBytesIn()) * 8 / bps / r.WindowS()
}

// Utilization is the fraction of the window the inbound access link was busy.
func (r Result) Utilization() float64 {
	return (r.Window[1].Busy - r.Window[0].Busy).Seconds() / r.WindowS()
}

// HitRatio is the fraction of requests answered without a fetch of their own.
func (r Result) HitRatio() float64 {
	return float64(r.Outcomes[Hit]+r.Outcomes[Validated]+r.Outcomes[Collapsed]) / float64(r.Requests)
}

// ByteHitRatio is the fraction of body bytes answered without a fetch of their own.
func (r Result) ByteHitRatio() float64 {
	if r.BodyBytes == 0 {
		return 0
	}
	return float64(r.FromCacheBytes) / float64(r.BodyBytes)
}

// Log is the experimenter's notebook, not a program: it hands the users the run's
// requests one by one (how many, not which or when: each user draws its own), joins
// what the cache reports of each (its OnServe and OnFetch) with what the browser saw,
// and sums up the requests after the warm-up.
type Log struct {
	requests, warmup, issued int
	// Meter, if set, reads the access link's counters when the first measured request
	// is taken and when the last is (Result.Window).
	Meter func() Counters
	// Done, if set, is called when every request has been answered: the experimenter
	// ends the run there, since the origins' authors would edit forever.
	Done      func()
	answers   int // requests answered, measured or not
	measuring bool
	started   sim.Time
	open      map[*http.Request]bool // measured requests not yet answered
	cache     map[*http.Request]Served
	res       Result
}

// NewLog returns the notebook of a run of requests, the first warmup not measured.
func NewLog(requests, warmup int) *Log {
	return &Log{requests: requests, warmup: warmup, open: map[*http.Request]bool{}, cache: map[*http.Request]Served{}}
}

// take hands out the next request; false when none is left.
func (l *Log) take(now sim.Time) bool {
	if l.issued == l.requests {
		return false
	}
	if l.issued == l.warmup {
		l.measuring, l.started = true, now
		l.read(0, now)
	}
	l.issued++
	if l.issued == l.requests {
		l.read(1, now)
	}
	return true
}

func (l *Log) read(i int, now sim.Time) {
	if l.Meter != nil {
		l.res.Window[i] = l.Meter()
	}
	l.res.Window[i].At = now
}

func (l *Log) sent(req *http.Request) {
	if l.issued > l.warmup {
		l.open[req] = true
	}
}

// Served is the cache's OnServe.
func (l *Log) Served(req *http.Request, s Served) { l.cache[req] = s }

// Fetched is the cache's OnFetch.
func (l *Log) Fetched(x http.Exchange) {
	if x.Err == nil && l.measuring && x.Sent >= l.started {
		l.res.AccessDelay.Add(x.Done - x.FirstByte)
		l.res.AccessRespBytes += x.RespBytes
	}
}

// answered is a browser's exchange done.
func (l *Log) answered(x http.Exchange) {
	l.answers++
	if l.answers == l.requests && l.Done != nil {
		defer l.Done()
	}
	s, viaCache := l.cache[x.Req]
	delete(l.cache, x.Req)
	if !viaCache {
		s = Served{Outcome: Miss}
		l.Fetched(x)
	}
	if x.Err != nil || x.Resp.Status != http.StatusOK {
		s.Outcome = Failed
	}
	if !l.open[x.Req] {
		return
	}
	delete(l.open, x.Req)
	r := &l.res
	r.Requests++
	r.Outcomes[s.Outcome]++
	if s.Outcome == Failed {
		r.Errors++
		return
	}
	rt := x.Done - x.Sent
	r.BodyBytes += x.Resp.BodyBytes
	r.Response.Add(rt)
	if s.Outcome.FromCache() {
		r.FromCacheBytes += x.Resp.BodyBytes
		r.HitResponse.Add(rt)
	} else {
		r.MissResponse.Add(rt)
	}
	if viaCache {
		r.BytesSaved += s.DirectBytes - s.OriginBytes
	}
}

// Result returns what was measured, once the run is over, and how many measured
// requests went unanswered: lost with a browser that went down, counted as errors.
func (l *Log) Result() (Result, int) {
	r := l.res
	lost := len(l.open)
	r.Requests += int64(lost)
	r.Errors += int64(lost)
	r.Outcomes[Failed] += int64(lost)
	return r, lost
}
