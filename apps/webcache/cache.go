package webcache

import (
	"fmt"

	"netsim/apps/http"
	"netsim/sim"
	"netsim/topology"
)

// Outcome is how the cache answered one request.
type Outcome uint8

const (
	// Hit: a fresh stored copy answered, nothing crossed the access link.
	Hit Outcome = iota
	// Validated: a stale copy was revalidated with a conditional GET and the origin
	// answered 304 Not Modified; the stored copy answered.
	Validated
	// Collapsed: the request joined a fetch of the same object already under way,
	// and was answered from it: nothing more crossed the access link.
	Collapsed
	// Changed: a stale copy was revalidated and the origin answered 200 with a new
	// version, which replaced the old.
	Changed
	// Refetched: a stale copy was fetched again whole (revalidation off).
	Refetched
	// Miss: no copy was stored; the object was fetched from the origin.
	Miss
	// Failed: the origin could not be reached or did not have the object.
	Failed
	numOutcomes
)

var outcomeNames = [...]string{"hit", "validated", "collapsed", "changed", "refetched", "miss", "failed"}

func (o Outcome) String() string { return outcomeNames[o] }

// FromCache reports whether the request was answered without a fetch of its own: a
// hit in the sense of the hit ratio.
func (o Outcome) FromCache() bool { return o <= Collapsed }

// Served is what the cache reports about one request it answered.
type Served struct {
	Outcome   Outcome
	BodyBytes int64 // the body sent to the client
	// OriginBytes is what this request made cross to and from the origin: the request
	// and response wire bytes of the cache's own exchange, 0 for a hit.
	OriginBytes int64
	// DirectBytes is what would have crossed had the client asked the origin itself:
	// its request and the full response it received.
	DirectBytes int64
}

// DefaultClientIdleTimeout is how long the cache keeps a browser's idle persistent
// connection: Squid's client_idle_pconn_timeout, 2 minutes.
const DefaultClientIdleTimeout = 2 * sim.Minute

// Config is a proxy cache.
type Config struct {
	Port          int // 80 by default
	CapacityBytes int64
	Policy        Policy // LRU by default
	// Revalidate makes the cache send a conditional GET (If-Modified-Since, RFC 7232
	// §3.3) for a stale copy that has a Last-Modified date; without it, a stale copy is
	// fetched again whole.
	Revalidate bool
	// Collapse makes a request for an object the cache is already fetching wait for
	// that fetch rather than send its own: Squid's collapsed_forwarding, off by
	// default there too.
	Collapse bool
	// StoreAndForward makes the cache receive a response from the origin whole before
	// it sends it on; by default it relays the response to the browser as it arrives,
	// as real proxies do.
	StoreAndForward bool
	// Origins resolves a request's Host field to the origin's address.
	Origins map[string]topology.Addr
	// HeuristicFraction is the fraction of Date − Last-Modified taken as the freshness
	// lifetime of a response without max-age; 0 means HeuristicFraction (RFC 7234
	// §4.2.2's 10%), negative means no heuristic (such responses are stale at once).
	HeuristicFraction float64
	// OnServe, if set, is told how every request was answered.
	OnServe func(req *http.Request, s Served)
	// OnFetch, if set, is told of every exchange with an origin.
	OnFetch func(x http.Exchange)
	// ResponseTimeout is the cache's wait for an origin (http.ClientConfig's); a
	// request it gives up on is answered 504.
	ResponseTimeout sim.Time
	// IdleTimeout closes a browser's idle connection (0: DefaultClientIdleTimeout).
	IdleTimeout sim.Time
}

// Cache is a web cache (Kurose & Ross §2.2.5): a server to the browsers that are
// configured to use it and a client to the origin servers — apps/http's Server and
// Client. It sees only its own host.
type Cache struct {
	h        topology.Host
	cfg      Config
	store    *Store
	client   *http.Client
	fetching map[Key]*fetch // with Collapse: the fetches under way
	// Counts of outcomes over the cache's life.
	Counts [numOutcomes]int64
}

// fetch is one exchange with an origin and the requests it answers: the one that
// sent it and, collapsing, those that joined it.
type fetch struct {
	key         Key
	entry       Entry // the stale copy, if stored
	stored      bool
	conditional bool
	waiters     []waiter
	resp        *http.Response    // the origin's 200, relayed as it arrives
	from        *topology.Arrival // what it arrives as
}

type waiter struct {
	req *http.Request
	w   *http.Reply
}

// StartCache starts a cache on h.
func StartCache(h topology.Host, cfg Config) (*Cache, error) {
	if cfg.Policy == "" {
		cfg.Policy = LRU
	}
	if cfg.HeuristicFraction == 0 {
		cfg.HeuristicFraction = HeuristicFraction
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = DefaultClientIdleTimeout
	}
	if cfg.CapacityBytes < 0 || (cfg.Policy != LRU && cfg.Policy != LFU) {
		return nil, fmt.Errorf("webcache: cache %s: capacity %d bytes, policy %q", h.Name(), cfg.CapacityBytes, cfg.Policy)
	}
	c := &Cache{h: h, cfg: cfg, store: NewStore(cfg.CapacityBytes, cfg.Policy), fetching: map[Key]*fetch{},
		client: http.NewClient(h, http.ClientConfig{ResponseTimeout: cfg.ResponseTimeout})}
	_, err := http.NewServer(h, http.ServerConfig{Port: cfg.Port, Handler: c.handle, IdleTimeout: cfg.IdleTimeout})
	return c, err
}

// Store returns the cache's storage, for inspection.
func (c *Cache) Store() *Store { return c.store }

// Fresh reports whether a stored response is fresh at now (RFC 7234 §4.2): its age,
// now − Date, is below its freshness lifetime, which is max-age when the origin gave
// one and otherwise the heuristic fraction of Date − Last-Modified (§4.2.2).
func (c *Cache) Fresh(e Entry, now sim.Time) bool {
	return now-e.Date < c.lifetime(e)
}

func (c *Cache) lifetime(e Entry) sim.Time {
	switch {
	case e.HasMaxAge:
		return e.MaxAge
	case e.HasLastModified && c.cfg.HeuristicFraction > 0 && e.Date > e.LastModified:
		return sim.Time(float64(e.Date-e.LastModified) * c.cfg.HeuristicFraction)
	}
	return 0
}

func (c *Cache) handle(req *http.Request, w *http.Reply) {
	key := Key{Host: req.Host, Target: req.Target}
	origin, known := c.cfg.Origins[req.Host]
	if !known || req.Method != http.MethodGet {
		c.fail(waiter{req, w}, http.StatusNotFound, Served{Outcome: Failed})
		return
	}
	if f := c.fetching[key]; f != nil {
		c.store.Get(key) // a use of the entry, as a hit would be
		f.waiters = append(f.waiters, waiter{req, w})
		if f.resp != nil {
			c.relay(f, waiter{req, w}, Collapsed)
		}
		return
	}
	e, stored := c.store.Get(key)
	if stored && c.Fresh(e, c.h.Now()) {
		c.answer(waiter{req, w}, e, Served{Outcome: Hit})
		return
	}
	f := &fetch{key: key, entry: e, stored: stored, conditional: stored && c.cfg.Revalidate && e.HasLastModified,
		waiters: []waiter{{req, w}}}
	if c.cfg.Collapse {
		// The entry is in the store from the miss on, as Squid's in-transit
		// StoreEntry is: requests that join the fetch find it and use it, as hits
		// would, and it holds its place in the replacement order and in the
		// capacity, the stored objects' mean size until its header gives its own.
		c.fetching[key] = f
		if !stored && c.store.Len() > 0 {
			c.store.Put(Entry{Key: key, BodyBytes: c.store.UsedBytes() / int64(c.store.Len())})
		} else if !stored {
			c.store.Put(Entry{Key: key})
		}
	}
	fwd := &http.Request{Method: http.MethodGet, Target: req.Target, Version: http.Version11, Host: req.Host,
		UserAgent: req.UserAgent}
	if f.conditional {
		// Kurose & Ross §2.2.6: the If-Modified-Since value is the Last-Modified value
		// the server sent with the stored object.
		fwd.IfModifiedSince, fwd.HasIfModifiedSince = e.LastModified, true
	}
	var arriving func(*topology.Arrival)
	if !c.cfg.StoreAndForward {
		arriving = func(a *topology.Arrival) { c.arriving(f, a) }
	}
	c.client.Stream(origin, fwd, arriving, func(x http.Exchange) { c.fetched(f, x) })
}

// arriving: the origin's answer has begun. A 200 is relayed to the browsers waiting
// for it as it comes.
func (c *Cache) arriving(f *fetch, a *topology.Arrival) {
	resp, ok := a.Payload.(*http.Response)
	if !ok || resp.Status != http.StatusOK {
		return
	}
	f.resp, f.from = resp, a
	if c.cfg.Collapse {
		c.store.Resize(f.key, resp.BodyBytes)
	}
	for _, wt := range f.waiters {
		c.relay(f, wt, Collapsed)
	}
}

func (c *Cache) relay(f *fetch, wt waiter, joined Outcome) {
	if wt != f.waiters[0] {
		c.served(wt, Served{Outcome: joined, BodyBytes: f.resp.BodyBytes}, f.resp)
	}
	wt.w.Relay(f.resp, f.from)
}

// fetched: the origin's answer is in (or the exchange failed).
func (c *Cache) fetched(f *fetch, x http.Exchange) {
	delete(c.fetching, f.key)
	if c.cfg.OnFetch != nil {
		c.cfg.OnFetch(x)
	}
	first := Served{OriginBytes: x.ReqBytes + x.RespBytes}
	resp := x.Resp
	switch {
	case x.Err != nil:
		c.store.Remove(f.key)
		if f.resp != nil {
			// The relays will never be whole: the browsers' connections are reset.
			first.Outcome = Failed
			c.served(f.waiters[0], first, nil)
			for _, wt := range f.waiters {
				wt.w.Abort()
			}
			return
		}
		c.failAll(f, http.StatusGatewayTimeout, first)
	case f.conditional && resp.Status == http.StatusNotModified:
		// RFC 7234 §4.3.4: freshen the stored response with the 304's fields.
		e := f.entry
		e.Date = resp.Date
		e.MaxAge, e.HasMaxAge = resp.CacheControlMaxAge, resp.HasMaxAge
		c.store.Update(e)
		first.Outcome = Validated
		c.answerAll(f, e, first)
	case resp.Status == http.StatusOK:
		switch {
		case !f.stored:
			first.Outcome = Miss
		case f.conditional:
			first.Outcome = Changed
		default:
			first.Outcome = Refetched
		}
		e := Entry{Key: f.key, BodyBytes: resp.BodyBytes, Date: resp.Date,
			LastModified: http.TruncateToSecond(resp.LastModified), HasLastModified: resp.HasLastModified,
			MaxAge: resp.CacheControlMaxAge, HasMaxAge: resp.HasMaxAge, ContentType: resp.ContentType, Server: resp.Server}
		if !c.cfg.Collapse {
			c.store.Put(e)
		} else if c.store.Resize(f.key, e.BodyBytes) {
			c.store.Update(e) // in place: its last use was its last request
		}
		if f.resp == nil {
			c.answerAll(f, e, first)
			return
		}
		first.BodyBytes = resp.BodyBytes
		c.served(f.waiters[0], first, resp) // the relays are under way
	default:
		c.store.Remove(f.key)
		c.failAll(f, resp.Status, first)
	}
}

// failAll answers a fetch's waiters with an error status: the first with its own
// exchange's bytes.
func (c *Cache) failAll(f *fetch, status int, first Served) {
	first.Outcome = Failed
	for i, wt := range f.waiters {
		if i > 0 {
			first = Served{Outcome: Failed}
		}
		c.fail(wt, status, first)
	}
}

// answerAll answers a fetch's waiters from the copy e: the first with its own
// outcome, the others as collapsed onto it.
func (c *Cache) answerAll(f *fetch, e Entry, first Served) {
	for i, wt := range f.waiters {
		if i > 0 {
			first = Served{Outcome: Collapsed}
		}
		c.answer(wt, e, first)
	}
}

// answer sends a 200 built from e, as the origin would have sent it.
func (c *Cache) answer(wt waiter, e Entry, s Served) {
	resp := &http.Response{Version: http.Version11, Status: http.StatusOK, Date: e.Date, Server: e.Server,
		LastModified: e.LastModified, HasLastModified: e.HasLastModified,
		ContentLength: e.BodyBytes, BodyBytes: e.BodyBytes, ContentType: e.ContentType,
		CacheControlMaxAge: e.MaxAge, HasMaxAge: e.HasMaxAge}
	s.BodyBytes = e.BodyBytes
	c.served(wt, s, resp)
	wt.w.Send(resp)
}

func (c *Cache) fail(wt waiter, status int, s Served) {
	c.served(wt, s, nil)
	wt.w.Send(&http.Response{Version: http.Version11, Status: status, Date: c.h.Now()})
}

// served counts and reports how wt's request was answered; DirectBytes is what its
// answer, resp, would have cost fetched straight from the origin.
func (c *Cache) served(wt waiter, s Served, resp *http.Response) {
	if resp != nil {
		s.DirectBytes = wt.req.WireBytes() + resp.WireBytes()
	}
	c.Counts[s.Outcome]++
	if c.cfg.OnServe != nil {
		c.cfg.OnServe(wt.req, s)
	}
}
