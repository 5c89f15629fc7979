package webcache

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"netsim/apps/http"
	"netsim/sim"
	"netsim/topology"
)

// ObjectPrefix is the path under which origins serve objects: object i is
// ObjectPrefix + i.
const ObjectPrefix = "/objects/"

// Target returns the request target of object id.
func Target(id int64) string { return ObjectPrefix + strconv.FormatInt(id, 10) }

// OriginConfig is an origin server's content and its caching headers.
type OriginConfig struct {
	Port int // 80 by default
	// ObjectBytes is the size of every object's body.
	ObjectBytes int64
	// Catalogue is the number of objects that change over time: IDs below it. Objects
	// beyond it exist too (the one-time objects of the fixed-hit workload) but never
	// change.
	Catalogue int64
	// ChangesPerS is the rate of each object's modifications: each object changes at
	// the times of its own Poisson process of this rate. 0: objects never change.
	ChangesPerS float64
	// MaxAge, when HasMaxAge, is sent as Cache-Control: max-age (RFC 7234 §5.2.2.8);
	// otherwise caches judge freshness heuristically from Last-Modified.
	MaxAge    sim.Time
	HasMaxAge bool
	// Name is the Server header field; "" for none.
	Name string
}

// Origin is an origin server whose objects change over time. All objects were last
// modified at time 0 when the run starts.
//
// The modification processes are drawn lazily from the host's random stream: an
// object's state is looked at only when it is requested, and because the Poisson
// process is memoryless, whether it changed since the last look (probability
// 1 − e^{−μ·gap}) and when it last changed (the time back from now to the most recent
// event, exponential, truncated to the gap) can be drawn then, in O(1) and with no
// event per change.
type Origin struct {
	h       topology.Host
	cfg     OriginConfig
	lastMod []sim.Time // per catalogue object
	seen    []sim.Time // when its state was last drawn
	// Stats
	Requests, NotModified, OK int64
}

// NewOrigin returns an origin server of cfg, not yet on a host.
func NewOrigin(cfg OriginConfig) (*Origin, error) {
	if cfg.Port == 0 {
		cfg.Port = 80
	}
	if cfg.ObjectBytes < 0 || cfg.Catalogue < 0 || !(cfg.ChangesPerS >= 0) || cfg.MaxAge < 0 {
		return nil, fmt.Errorf("webcache: origin: bad config %+v", cfg)
	}
	return &Origin{cfg: cfg, lastMod: make([]sim.Time, cfg.Catalogue), seen: make([]sim.Time, cfg.Catalogue)}, nil
}

// Serve is the origin's program: it serves on h. Its objects and their modification
// times are on its disk: a rebooted origin serves them as they were, and they go on
// changing while it is down.
func (o *Origin) Serve(h topology.Host) error {
	o.h = h
	_, err := h.Listen(o.cfg.Port, func(c topology.Conn) {
		c.SetHandler(&topology.ConnHandler{OnMessage: o.onMessage})
	})
	return err
}

// StartOrigin starts an origin server on h.
func StartOrigin(h topology.Host, cfg OriginConfig) (*Origin, error) {
	o, err := NewOrigin(cfg)
	if err != nil {
		return nil, err
	}
	return o, o.Serve(h)
}

// Modify records a modification of object id now, as an author editing the file on
// the server would. It panics if id is not in the catalogue.
func (o *Origin) Modify(id int64) {
	o.advance(id)
	o.lastMod[id] = o.h.Now()
}

// LastModified returns when object id was last modified, as of now.
func (o *Origin) LastModified(id int64) sim.Time {
	if id < 0 || id >= int64(len(o.lastMod)) {
		return 0
	}
	o.advance(id)
	return o.lastMod[id]
}

// advance brings object id's modification state up to now.
func (o *Origin) advance(id int64) {
	now := o.h.Now()
	gap := (now - o.seen[id]).Seconds()
	o.seen[id] = now
	mu := o.cfg.ChangesPerS
	if mu == 0 || gap <= 0 {
		return
	}
	r := o.h.Rand()
	pChanged := -math.Expm1(-mu * gap)
	if r.Float64() >= pChanged {
		return
	}
	// Time back to the latest change, given one in the gap: inverse CDF of the
	// exponential truncated to [0, gap].
	back := -math.Log1p(-r.Float64()*pChanged) / mu
	t := now - sim.Seconds(back)
	if t > o.lastMod[id] {
		o.lastMod[id] = t
	}
}

func (o *Origin) onMessage(c topology.Conn, m topology.Message) {
	req, ok := m.Payload.(*http.Request)
	if !ok {
		return
	}
	o.Requests++
	resp := &http.Response{Version: http.Version11, Date: o.h.Now(), Server: o.cfg.Name,
		CacheControlMaxAge: o.cfg.MaxAge, HasMaxAge: o.cfg.HasMaxAge}
	id, found := objectID(req.Target)
	if !found || req.Method != http.MethodGet {
		resp.Status = http.StatusNotFound
		c.Send(http.MessageOfResponse(resp))
		return
	}
	resp.LastModified, resp.HasLastModified = o.LastModified(id), true
	// RFC 7232 §3.3: a GET with If-Modified-Since gets 304 if the representation has
	// not been modified since the date given. A 304 carries the fields a 200 would have
	// carried for caching (Date, Cache-Control; §4.1), but no body.
	if req.HasIfModifiedSince && http.NotModified(resp.LastModified, req.IfModifiedSince) {
		o.NotModified++
		resp.Status = http.StatusNotModified
		c.Send(http.MessageOfResponse(resp))
		return
	}
	o.OK++
	resp.Status = http.StatusOK
	resp.ContentLength, resp.BodyBytes = o.cfg.ObjectBytes, o.cfg.ObjectBytes
	resp.ContentType = "application/octet-stream"
	c.Send(http.MessageOfResponse(resp))
}

// objectID reads the object number from a request target.
func objectID(target string) (int64, bool) {
	s, ok := strings.CutPrefix(target, ObjectPrefix)
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id >= 0
}
