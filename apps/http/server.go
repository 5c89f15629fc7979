package http

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"netsim/sim"
	"netsim/topology"
)

// DefaultPort is HTTP's well-known port (Kurose & Ross §2.2.1).
const DefaultPort = 80

// DefaultIdleTimeout is how long a server keeps an idle persistent connection open:
// 15 s, the KeepAliveTimeout default of Apache httpd 1.1 to 2.2 (the server of the
// textbook's example response, "Apache/2.2.3 (CentOS)"; httpd 2.4 lowered it to 5 s).
// Kurose & Ross §2.2.2: "an HTTP server closes a connection when it isn't used for a
// certain time (a configurable timeout interval)".
const DefaultIdleTimeout = 15 * sim.Second

// DefaultServerName is the Server header of the textbook's example response (§2.2.3).
const DefaultServerName = "Apache/2.2.3 (CentOS)"

// Object is one resource a server holds.
type Object struct {
	SizeBytes    int64
	ContentType  string   // "" for none
	LastModified sim.Time // virtual time of the last change (may be negative: before the run)
	// MaxAge, when HasMaxAge, is sent as Cache-Control: max-age (RFC 7234 §5.2.2.8).
	MaxAge    sim.Time
	HasMaxAge bool
	// Links are the URLs the object's body references (an HTML page's images); they
	// travel in the body, whose bytes SizeBytes already counts.
	Links []string
	// MovedTo, if not "", makes the path answer 301 with this Location (an absolute
	// URL "http://host/path" or a path on the same host) instead of the object.
	MovedTo string
}

// ServerConfig is a web server's settings.
type ServerConfig struct {
	Port int // 0: DefaultPort
	// Objects is the catalogue, path → object; the server keeps its own copy.
	Objects map[string]Object
	// IdleTimeout closes a persistent connection when no request has come for this
	// long after the last response was sent (0: DefaultIdleTimeout; negative: never).
	IdleTimeout sim.Time
	Name        string // the Server header; "" for DefaultServerName
	// Cookies makes the server identify users (Kurose & Ross §2.2.4): a request without
	// a Cookie it issued gets a fresh identification number in Set-Cookie, and the
	// back-end table records what each number requested.
	Cookies bool
	// FirstCookie is the first identification number issued (0: 1678, the textbook's
	// example).
	FirstCookie int64
	// Trace, if set, sees every request served (nil when it did not parse) and its
	// response, as a server's access log would.
	Trace func(req *Request, resp *Response)
}

// Visit is one row of the server's back-end cookie table: a request made by a
// recognized (or newly numbered) user.
type Visit struct {
	At     sim.Time
	Method string
	Target string
}

// ServerStats are a server's counts.
type ServerStats struct {
	Requests          int64
	ByStatus          map[int]int64
	ConnsAccepted     int64
	ConnsClosedIdle   int64 // persistent connections the idle timeout closed
	CookiesIssued     int64
	ReturningRequests int64 // requests carrying a cookie this server issued
}

// Server is an HTTP/1.1 origin server on one host (Kurose & Ross §2.2).
type Server struct {
	h       topology.Host
	cfg     ServerConfig
	objects map[string]Object
	// cookies is the back-end database of §2.2.4: identification number → visits.
	cookies    map[int64][]Visit
	nextCookie int64
	stats      ServerStats
}

// NewServer starts a server on h: it listens on cfg.Port.
func NewServer(h topology.Host, cfg ServerConfig) (*Server, error) {
	if cfg.Port == 0 {
		cfg.Port = DefaultPort
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.Name == "" {
		cfg.Name = DefaultServerName
	}
	if cfg.FirstCookie == 0 {
		cfg.FirstCookie = 1678
	}
	s := &Server{h: h, cfg: cfg, objects: map[string]Object{}, cookies: map[int64][]Visit{},
		nextCookie: cfg.FirstCookie, stats: ServerStats{ByStatus: map[int]int64{}}}
	for p, o := range cfg.Objects {
		if o.SizeBytes < 0 {
			return nil, fmt.Errorf("http server %s: object %q: negative size", h.Name(), p)
		}
		s.objects[p] = o
	}
	if _, err := h.Listen(cfg.Port, s.accept); err != nil {
		return nil, fmt.Errorf("http server: %w", err)
	}
	return s, nil
}

// Put adds or replaces an object, as its owner editing the site would; its
// LastModified is set to now.
func (s *Server) Put(path string, o Object) {
	o.LastModified = s.h.Now()
	s.objects[path] = o
}

// Object returns the object at path.
func (s *Server) Object(path string) (Object, bool) {
	o, ok := s.objects[path]
	return o, ok
}

// Stats returns the server's counts.
func (s *Server) Stats() ServerStats { return s.stats }

// Visits returns the back-end table's rows for identification number id.
func (s *Server) Visits(id int64) []Visit { return s.cookies[id] }

// Users returns the identification numbers issued, in order.
func (s *Server) Users() []int64 {
	ids := make([]int64, 0, len(s.cookies))
	for id := range s.cookies {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// serverConn is the server's state for one connection.
type serverConn struct {
	c      topology.Conn
	idle   sim.EventID
	closed bool
}

func (s *Server) accept(c topology.Conn) {
	s.stats.ConnsAccepted++
	sc := &serverConn{c: c}
	c.SetHandler(&topology.ConnHandler{
		OnMessage: func(_ topology.Conn, m topology.Message) { s.serve(sc, m) },
		OnClose: func(topology.Conn) {
			// The client closed: close our end too (a FIN each way ends the connection).
			s.close(sc)
		},
		// The connection died under us (the client reset it, or it timed out): there
		// is nothing to close, only the idle timer to stop.
		OnReset: func(topology.Conn, error) { s.forget(sc) },
	})
	s.armIdle(sc)
}

func (s *Server) close(sc *serverConn) {
	if !sc.closed {
		s.forget(sc)
		sc.c.Close()
	}
}

// forget stops serving sc.
func (s *Server) forget(sc *serverConn) {
	sc.closed = true
	if sc.idle != 0 {
		s.h.Cancel(sc.idle)
		sc.idle = 0
	}
}

// armIdle (re)starts the idle timer: Apache's KeepAliveTimeout counts from when a
// request has been served.
func (s *Server) armIdle(sc *serverConn) {
	if sc.idle != 0 {
		s.h.Cancel(sc.idle)
		sc.idle = 0
	}
	if s.cfg.IdleTimeout < 0 {
		return
	}
	sc.idle = s.h.After(s.cfg.IdleTimeout, func() {
		sc.idle = 0
		s.stats.ConnsClosedIdle++
		s.close(sc)
	})
}

// request turns what arrived into a request: a *Request from a model that speaks the
// struct, or raw text (string or []byte) from one that does not; anything else is not
// HTTP. Either way the request is checked as a server checks what it parses.
func request(m topology.Message) (*Request, error) {
	switch p := m.Payload.(type) {
	case *Request:
		if p == nil {
			return nil, badRequest("empty request")
		}
		if err := p.Check(); err != nil {
			return nil, err
		}
		return p, nil
	case string:
		return ParseRequest(p)
	case []byte:
		return ParseRequest(string(p))
	}
	return nil, badRequest("not an HTTP request (%T)", m.Payload)
}

func (s *Server) serve(sc *serverConn, m topology.Message) {
	if sc.closed {
		return // requests still arriving after we closed: a real server has reset
	}
	s.stats.Requests++
	req, err := request(m)
	var resp *Response
	keep := false
	if err != nil {
		// RFC 7230 §3.3.3, §6.6: after a request it cannot parse, the server cannot
		// find the next message, and closes the connection.
		resp = &Response{Version: Version11, Status: StatusOf(err)}
	} else {
		resp = s.respond(req)
		keep = persistent(req)
	}
	resp.Date = s.h.Now()
	resp.Server = s.cfg.Name
	if !keep {
		resp.Connection = "close"
	}
	s.stats.ByStatus[resp.Status]++
	if s.cfg.Trace != nil {
		s.cfg.Trace(req, resp)
	}
	sc.c.Send(MessageOfResponse(resp))
	if keep {
		s.armIdle(sc)
	} else {
		s.close(sc)
	}
}

// persistent reports whether the connection stays open after answering req: the
// HTTP/1.1 default unless the client sent Connection: close (RFC 7230 §6.3), and only
// with an explicit keep-alive for HTTP/1.0.
func persistent(req *Request) bool {
	if req.Version == Version10 {
		return strings.EqualFold(req.Connection, "keep-alive")
	}
	return !strings.EqualFold(req.Connection, "close")
}

// respond builds the response to a valid request, before the Date, Server and
// Connection fields.
func (s *Server) respond(req *Request) *Response {
	resp := &Response{Version: Version11}
	if s.cfg.Cookies {
		id, known := s.cookieOf(req.Cookie)
		if known {
			s.stats.ReturningRequests++
		} else {
			id = s.nextCookie
			s.nextCookie++
			s.stats.CookiesIssued++
			s.cookies[id] = nil
			resp.SetCookie = strconv.FormatInt(id, 10)
		}
		s.cookies[id] = append(s.cookies[id], Visit{At: s.h.Now(), Method: req.Method, Target: req.Target})
	}
	path := req.Target
	obj, ok := s.objects[path]
	switch req.Method {
	case MethodPut:
		// The body becomes the object (RFC 7231 §4.3.4; 200 when it replaces one, and,
		// with no 201 in the model's set of codes, when it creates one too).
		s.Put(path, Object{SizeBytes: req.BodyBytes, ContentType: obj.ContentType})
		resp.Status = StatusOK
		return resp
	case MethodDelete:
		if !ok {
			resp.Status = StatusNotFound
			return resp
		}
		delete(s.objects, path)
		resp.Status = StatusOK
		return resp
	}
	// GET, HEAD, and POST (the form's result page is the object at the target).
	switch {
	case !ok:
		resp.Status = StatusNotFound
		return resp
	case obj.MovedTo != "":
		resp.Status = StatusMovedPermanently
		resp.Location = obj.MovedTo
		return resp
	}
	resp.LastModified, resp.HasLastModified = obj.LastModified, true
	if req.Method == MethodGet && req.HasIfModifiedSince && NotModified(obj.LastModified, req.IfModifiedSince) {
		// Kurose & Ross §2.2.5, the conditional GET: 304 with an empty body. The
		// textbook's 304 carries Date and Server only.
		resp.Status = StatusNotModified
		resp.HasLastModified = false
		return resp
	}
	resp.Status = StatusOK
	resp.ContentLength = obj.SizeBytes
	resp.ContentType = obj.ContentType
	resp.CacheControlMaxAge, resp.HasMaxAge = obj.MaxAge, obj.HasMaxAge
	if req.Method != MethodHead {
		resp.BodyBytes = obj.SizeBytes
		resp.Links = obj.Links
	}
	return resp
}

// cookieOf returns the identification number in a Cookie header, if this server
// issued it.
func (s *Server) cookieOf(v string) (int64, bool) {
	if v == "" {
		return 0, false
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, false
	}
	_, ok := s.cookies[id]
	return id, ok
}
