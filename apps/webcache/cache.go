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

var outcomeNames = [...]string{"hit", "validated", "changed", "refetched", "miss", "failed"}

func (o Outcome) String() string { return outcomeNames[o] }

// FromCache reports whether the body came from the cache's copy: a hit in the sense of
// the hit ratio.
func (o Outcome) FromCache() bool { return o == Hit || o == Validated }

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

// Config is a proxy cache.
type Config struct {
	Port          int // 80 by default
	CapacityBytes int64
	Policy        Policy // LRU by default
	// Revalidate makes the cache send a conditional GET (If-Modified-Since, RFC 7232
	// §3.3) for a stale copy that has a Last-Modified date; without it, a stale copy is
	// fetched again whole.
	Revalidate bool
	// Origins resolves a request's Host field to the origin's address.
	Origins map[string]topology.Addr
	// HeuristicFraction is the fraction of Date − Last-Modified taken as the freshness
	// lifetime of a response without max-age; 0 means HeuristicFraction (RFC 7234
	// §4.2.2's 10%), negative means no heuristic (such responses are stale at once).
	HeuristicFraction float64
	// OnServe, if set, is told how every request was answered.
	OnServe func(req *http.Request, s Served)
	// OnFetch, if set, is told of every exchange with an origin.
	OnFetch func(x Exchange)
	// ResponseTimeout gives up on an origin that has not answered in this long (0:
	// never), answering the client as for an origin that cannot be reached.
	ResponseTimeout sim.Time
}

// Cache is a web cache (Kurose & Ross §2.2.5): a server to the browsers that are
// configured to use it and a client to the origin servers. It sees only its own host.
type Cache struct {
	h     topology.Host
	cfg   Config
	store *Store
	out   *pool
	// Counts of outcomes over the cache's life.
	Counts [numOutcomes]int64
}

// StartCache starts a cache on h.
func StartCache(h topology.Host, cfg Config) (*Cache, error) {
	if cfg.Port == 0 {
		cfg.Port = 80
	}
	if cfg.Policy == "" {
		cfg.Policy = LRU
	}
	if cfg.HeuristicFraction == 0 {
		cfg.HeuristicFraction = HeuristicFraction
	}
	if cfg.CapacityBytes < 0 || (cfg.Policy != LRU && cfg.Policy != LFU) {
		return nil, fmt.Errorf("webcache: cache %s: capacity %d bytes, policy %q", h.Name(), cfg.CapacityBytes, cfg.Policy)
	}
	c := &Cache{h: h, cfg: cfg, store: NewStore(cfg.CapacityBytes, cfg.Policy), out: newPool(h)}
	c.out.timeout = cfg.ResponseTimeout
	_, err := h.Listen(cfg.Port, func(conn topology.Conn) {
		conn.SetHandler(&topology.ConnHandler{OnMessage: c.onMessage})
	})
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

func (c *Cache) onMessage(conn topology.Conn, m topology.Message) {
	req, ok := m.Payload.(*http.Request)
	if !ok {
		return
	}
	reqBytes := m.SizeBytes
	key := Key{Host: req.Host, Target: req.Target}
	origin, known := c.cfg.Origins[req.Host]
	if !known || req.Method != http.MethodGet {
		c.reply(conn, req, &http.Response{Version: http.Version11, Status: http.StatusNotFound, Date: c.h.Now()},
			Served{Outcome: Failed})
		return
	}
	e, stored := c.store.Get(key)
	now := c.h.Now()
	if stored && c.Fresh(e, now) {
		c.answerFromCopy(conn, req, e, Served{Outcome: Hit}, reqBytes)
		return
	}
	fwd := &http.Request{Method: http.MethodGet, Target: req.Target, Version: http.Version11, Host: req.Host,
		UserAgent: req.UserAgent}
	conditional := stored && c.cfg.Revalidate && e.HasLastModified
	if conditional {
		// Kurose & Ross §2.2.6: the If-Modified-Since value is the Last-Modified value
		// the server sent with the stored object.
		fwd.IfModifiedSince, fwd.HasIfModifiedSince = e.LastModified, true
	}
	c.out.do(origin, fwd, func(x Exchange) {
		if c.cfg.OnFetch != nil {
			c.cfg.OnFetch(x)
		}
		resp := x.Resp
		originBytes := x.ReqBytes + x.RespBytes
		switch {
		case conditional && resp.Status == http.StatusNotModified:
			// RFC 7234 §4.3.4: freshen the stored response with the 304's fields.
			e.Date = resp.Date
			e.MaxAge, e.HasMaxAge = resp.CacheControlMaxAge, resp.HasMaxAge
			c.store.Update(e)
			c.answerFromCopy(conn, req, e, Served{Outcome: Validated, OriginBytes: originBytes}, reqBytes)
		case resp.Status == http.StatusOK:
			out := Miss
			if stored {
				out = Refetched
				if conditional {
					out = Changed
				}
			}
			ne := Entry{Key: key, BodyBytes: resp.BodyBytes, Date: resp.Date,
				LastModified: http.TruncateToSecond(resp.LastModified), HasLastModified: resp.HasLastModified,
				MaxAge: resp.CacheControlMaxAge, HasMaxAge: resp.HasMaxAge, ContentType: resp.ContentType, Server: resp.Server}
			c.store.Put(ne)
			c.answerFromCopy(conn, req, ne, Served{Outcome: out, OriginBytes: originBytes}, reqBytes)
		default:
			c.store.Remove(key)
			fail := &http.Response{Version: http.Version11, Status: resp.Status, Date: c.h.Now()}
			if fail.Status == 0 {
				fail.Status = http.StatusNotFound
			}
			c.reply(conn, req, fail, Served{Outcome: Failed, OriginBytes: originBytes})
		}
	})
}

// answerFromCopy sends the client a 200 built from e, as the origin would have sent it.
func (c *Cache) answerFromCopy(conn topology.Conn, req *http.Request, e Entry, s Served, reqBytes int64) {
	resp := &http.Response{Version: http.Version11, Status: http.StatusOK, Date: e.Date, Server: e.Server,
		LastModified: e.LastModified, HasLastModified: e.HasLastModified,
		ContentLength: e.BodyBytes, BodyBytes: e.BodyBytes, ContentType: e.ContentType,
		CacheControlMaxAge: e.MaxAge, HasMaxAge: e.HasMaxAge}
	s.BodyBytes = e.BodyBytes
	msg := http.MessageOfResponse(resp)
	s.DirectBytes = reqBytes + msg.SizeBytes
	c.Counts[s.Outcome]++
	if c.cfg.OnServe != nil {
		c.cfg.OnServe(req, s)
	}
	conn.Send(msg)
}

func (c *Cache) reply(conn topology.Conn, req *http.Request, resp *http.Response, s Served) {
	c.Counts[s.Outcome]++
	if c.cfg.OnServe != nil {
		c.cfg.OnServe(req, s)
	}
	conn.Send(http.MessageOfResponse(resp))
}
