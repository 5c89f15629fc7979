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
// certain time (a configurable timeout interval)". A connection is idle from when its
// last response has wholly left and no request is arriving or awaiting its answer:
// Apache's KeepAliveTimeout is the wait for the next request.
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
	// Lookup, if set, is asked for a path Objects does not hold: a site with more
	// files than are worth listing (a web-cache study's millions of objects). Put
	// overrides what it returns; DELETE cannot remove its objects.
	Lookup func(path string) (Object, bool)
	// Handler, if set, answers every request that parses, in place of the catalogue:
	// a proxy's way (apps/webcache). It must answer each request once through its
	// Reply, now or later; the server sends the answers in the order the requests
	// came, sets their Connection field, and sends the handler's other fields as
	// they are (a proxy keeps the origin's Date and Server).
	Handler func(req *Request, w *Reply)
	// IdleTimeout closes a persistent connection that has been idle this long (see
	// DefaultIdleTimeout; 0: DefaultIdleTimeout; negative: never).
	IdleTimeout sim.Time
	Name        string // the Server header; "" for DefaultServerName
	// Cookies makes the server identify users (Kurose & Ross §2.2.4): a request without
	// a Cookie it issued gets a fresh identification number in Set-Cookie, and the
	// back-end table records what each number requested.
	Cookies bool
	// FirstCookie is the first identification number issued (0: 1678, the textbook's
	// example).
	FirstCookie int64
	// Trace, if set, sees every response as it is sent, and the request it answers
	// (nil when it did not parse), as a server's access log would.
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

// Object returns the object at path: in the catalogue, or from Lookup.
func (s *Server) Object(path string) (Object, bool) {
	o, ok := s.objects[path]
	if !ok && s.cfg.Lookup != nil {
		o, ok = s.cfg.Lookup(path)
	}
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
	last   bool // a request asked to close: no more are read
	// reading counts requests whose first bits have arrived but not the rest;
	// replies are the requests read whose answers have not been sent, in order;
	// unsent counts the answers sent that have not wholly left.
	reading, unsent int
	replies         []*Reply
}

// Reply is the answer to one request a Handler was given. Send, Relay or Abort
// answers it; the first answer counts, except that Abort may follow Relay.
type Reply struct {
	s     *Server
	sc    *serverConn
	req   *Request
	resp  *Response
	from  *topology.Arrival
	ready bool
	close bool // the connection closes after this answer
	abort bool
	sent  bool
}

// Send answers with resp.
func (w *Reply) Send(resp *Response) { w.answer(resp, nil) }

// Client is the address of the host that sent the request: what a server learns
// from the connection itself (a BitTorrent tracker records an announcing peer's IP
// address from it, BEP 3).
func (w *Reply) Client() topology.Addr { return w.sc.c.Remote() }

// Relay answers with resp as it arrives: no faster than from, the message it is
// relayed from (topology.RelayConn.Forward), as a proxy streams a response it is
// receiving. On a connection that cannot relay, resp is sent at once.
func (w *Reply) Relay(resp *Response, from *topology.Arrival) { w.answer(resp, from) }

// Abort gives up on the request: the server resets the connection, as it must when
// a response it is relaying will never be whole.
func (w *Reply) Abort() {
	if w.sent {
		w.s.reset(w.sc)
		return
	}
	w.abort = true
	w.answer(nil, nil)
}

func (w *Reply) answer(resp *Response, from *topology.Arrival) {
	if w.ready {
		return
	}
	w.resp, w.from, w.ready = resp, from, true
	w.s.flush(w.sc)
}

func (s *Server) accept(c topology.Conn) {
	s.stats.ConnsAccepted++
	sc := &serverConn{c: c}
	c.SetHandler(&topology.ConnHandler{
		OnMessage: func(_ topology.Conn, m topology.Message) { s.serve(sc, m) },
		OnArriving: func(topology.Conn, *topology.Arrival) {
			sc.reading++
			s.idleCheck(sc)
		},
		OnSent: func(topology.Conn, topology.SendID) {
			sc.unsent--
			s.idleCheck(sc)
		},
		OnClose: func(topology.Conn) {
			// The client closed: close our end too (a FIN each way ends the connection).
			s.close(sc)
		},
		// The connection died under us (the client reset it, or it timed out): there
		// is nothing to close, only the idle timer to stop.
		OnReset: func(topology.Conn, error) { s.forget(sc) },
	})
	s.idleCheck(sc)
}

func (s *Server) close(sc *serverConn) {
	if !sc.closed {
		s.forget(sc)
		sc.c.Close()
	}
}

func (s *Server) reset(sc *serverConn) {
	if !sc.closed {
		s.forget(sc)
		sc.c.Abort()
	}
}

// forget stops serving sc.
func (s *Server) forget(sc *serverConn) {
	sc.closed = true
	sc.replies = nil
	s.stopIdle(sc)
}

func (s *Server) stopIdle(sc *serverConn) {
	if sc.idle != 0 {
		s.h.Cancel(sc.idle)
		sc.idle = 0
	}
}

// idleCheck runs the idle timer while the connection is idle — its last answer has
// left, and no request is arriving or waiting — and stops it otherwise.
func (s *Server) idleCheck(sc *serverConn) {
	if sc.closed || sc.reading > 0 || sc.unsent > 0 || len(sc.replies) > 0 || s.cfg.IdleTimeout < 0 {
		s.stopIdle(sc)
		return
	}
	if sc.idle == 0 {
		sc.idle = s.h.After(s.cfg.IdleTimeout, func() {
			sc.idle = 0
			s.stats.ConnsClosedIdle++
			s.close(sc)
		})
	}
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
	if sc.closed || sc.last {
		return // requests still arriving after we closed: a real server has reset
	}
	sc.reading = max(sc.reading-1, 0)
	s.stats.Requests++
	req, err := request(m)
	w := &Reply{s: s, sc: sc, req: req}
	sc.replies = append(sc.replies, w)
	if err != nil {
		// RFC 7230 §3.3.3, §6.6: after a request it cannot parse, the server cannot
		// find the next message, and closes the connection.
		w.close, sc.last = true, true
		w.Send(&Response{Version: Version11, Status: StatusOf(err), Date: s.h.Now(), Server: s.cfg.Name})
		return
	}
	w.close = !persistent(req)
	sc.last = w.close
	if s.cfg.Handler != nil {
		s.cfg.Handler(req, w)
		return
	}
	resp := s.respond(req)
	resp.Date = s.h.Now()
	resp.Server = s.cfg.Name
	w.Send(resp)
}

// flush sends the answers that are ready, in the order of the requests.
func (s *Server) flush(sc *serverConn) {
	for len(sc.replies) > 0 && sc.replies[0].ready && !sc.closed {
		w := sc.replies[0]
		sc.replies[0] = nil
		sc.replies = sc.replies[1:]
		if w.abort {
			s.reset(sc)
			return
		}
		resp := *w.resp
		resp.Connection = ""
		if w.close {
			resp.Connection = "close"
		}
		s.stats.ByStatus[resp.Status]++
		if s.cfg.Trace != nil {
			s.cfg.Trace(w.req, &resp)
		}
		m := MessageOfResponse(&resp)
		sc.unsent++
		w.sent = true
		if rc, ok := sc.c.(topology.RelayConn); ok && w.from != nil {
			rc.Forward(m, w.from)
		} else {
			sc.c.Send(m)
		}
		if w.close {
			s.close(sc)
			return
		}
	}
	s.idleCheck(sc)
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
	obj, ok := s.Object(path)
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
		// textbook's 304 carries Date and Server only; RFC 7232 §4.1 adds the
		// Cache-Control a 200 would have had, which a cache freshens its copy with.
		resp.Status = StatusNotModified
		resp.HasLastModified = false
		resp.CacheControlMaxAge, resp.HasMaxAge = obj.MaxAge, obj.HasMaxAge
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
