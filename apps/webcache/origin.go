package webcache

import (
	"strconv"
	"strings"

	"netsim/apps/http"
	"netsim/apps/webcache/workload"
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
	// ObjectBytes is the size of every object's body.
	ObjectBytes int64
	// Catalogue is the number of objects that change over time: IDs below it. Objects
	// beyond it exist too (the one-time objects of the fixed-hit workload) but never
	// change.
	Catalogue int64
	// ChangesPerS is the rate of each object's modifications: each changes at the
	// times of its own Poisson process of this rate. 0: objects never change.
	ChangesPerS float64
	// MaxAge, when HasMaxAge, is sent as Cache-Control: max-age (RFC 7234 §5.2.2.8);
	// otherwise caches judge freshness heuristically from Last-Modified.
	MaxAge    sim.Time
	HasMaxAge bool
	Name      string   // the Server header field
	Idle      sim.Time // the server's idle timeout (http.ServerConfig.IdleTimeout)
}

// object is what the origin serves at every path ObjectPrefix + i.
func (c OriginConfig) object() http.Object {
	return http.Object{SizeBytes: c.ObjectBytes, ContentType: "application/octet-stream", MaxAge: c.MaxAge, HasMaxAge: c.HasMaxAge}
}

// OKWireBytes is the wire size of the origin's 200 response carrying an object: its
// header text (whose length does not depend on the time: HTTP dates are fixed-width)
// and the body.
func (c OriginConfig) OKWireBytes() int64 {
	o := c.object()
	r := &http.Response{Version: http.Version11, Status: http.StatusOK, Server: c.Name, HasLastModified: true,
		ContentLength: o.SizeBytes, BodyBytes: o.SizeBytes, ContentType: o.ContentType,
		CacheControlMaxAge: o.MaxAge, HasMaxAge: o.HasMaxAge}
	return r.WireBytes()
}

// Origin returns the program of an origin server's host: an HTTP server (apps/http)
// holding every object Target(i), i ≥ 0, all last modified at time 0, and the site's
// author, who edits each of the first Catalogue objects at the times of its own
// Poisson process of rate ChangesPerS — together one process of rate
// Catalogue·ChangesPerS whose every event picks an object uniformly — with
// Server.Put. The objects are on the host's disk: a rebooted origin serves them as
// they were, and nobody edits a server that is down. Each Server started is appended
// to servers, if not nil.
func Origin(cfg OriginConfig, servers *[]*http.Server) func(topology.Host) error {
	edited := map[string]http.Object{}
	obj := cfg.object()
	return func(h topology.Host) error {
		s, err := http.NewServer(h, http.ServerConfig{Objects: edited, Name: cfg.Name, IdleTimeout: cfg.Idle,
			Lookup: func(path string) (http.Object, bool) {
				n, ok := strings.CutPrefix(path, ObjectPrefix)
				id, err := strconv.ParseInt(n, 10, 64)
				return obj, ok && err == nil && id >= 0
			}})
		if err != nil {
			return err
		}
		if servers != nil {
			*servers = append(*servers, s)
		}
		if rate := float64(cfg.Catalogue) * cfg.ChangesPerS; rate > 0 {
			var edit func()
			edit = func() {
				path := Target(h.Rand().Int64N(cfg.Catalogue))
				s.Put(path, obj)
				edited[path], _ = s.Object(path)
				h.After(workload.Interarrival(h.Rand(), rate), edit)
			}
			h.After(workload.Interarrival(h.Rand(), rate), edit)
		}
		return nil
	}
}
