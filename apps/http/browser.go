package http

import (
	"errors"
	"fmt"
	"maps"

	"netsim/sim"
	"netsim/topology"
)

// Mode is how a browser uses TCP connections to fetch a page (Kurose & Ross §2.2.2).
type Mode string

const (
	// NonPersistent opens one connection per object, one at a time: 2 RTT per object.
	NonPersistent Mode = "nonpersistent"
	// Parallel opens one connection per object, up to P at once.
	Parallel Mode = "parallel"
	// Persistent reuses one connection per server, one request outstanding at a time.
	Persistent Mode = "persistent"
	// Pipelined reuses one connection per server and sends requests back to back,
	// without waiting for responses: HTTP/1.1's default in the texts.
	Pipelined Mode = "pipelined"
)

// Modes lists the modes in the textbook's order.
var Modes = []Mode{NonPersistent, Parallel, Persistent, Pipelined}

// DefaultUserAgent is the User-Agent of the textbook's example request (§2.2.3).
const DefaultUserAgent = "Mozilla/5.0"

// DefaultMaxRedirects bounds the 301s followed for one object (RFC 2068 §10.3
// suggested 5; browsers allow about 20).
const DefaultMaxRedirects = 5

// DefaultResponseTimeout is how long a browser waits for a response that has stopped
// arriving (or has not begun): 300 s, Firefox's network.http.response.timeout. A
// crashed server sends nothing, not even a reset; this is how the browser finds out.
const DefaultResponseTimeout = 300 * sim.Second

// BrowserConfig is a browser's settings.
type BrowserConfig struct {
	Mode Mode
	// Parallel is P, the most connections a page load has open at once in Parallel
	// mode (NonPersistent is P = 1; the persistent modes use one per server).
	Parallel  int
	UserAgent string // "" for DefaultUserAgent
	TCP       topology.TCPOptions
	Port      int // servers' port; 0 for DefaultPort
	// Resolve maps a host name to its node: the browser's hosts file (no DNS here).
	Resolve      func(host string) (topology.NodeID, bool)
	MaxRedirects int // 0 for DefaultMaxRedirects
	// CookieFile is the cookie file the browser starts with (host → identification
	// number), as left by an earlier session; the browser keeps its own copy.
	CookieFile map[string]string
	// ResponseTimeout gives up on a connection when a response it waits for has not
	// begun, or has stopped arriving, for this long (0: DefaultResponseTimeout;
	// negative: never). Its requests count as errors.
	ResponseTimeout sim.Time
	// Resolver, if set, is used instead of Resolve: a name lookup that takes time
	// (apps/dns's stub resolver implements it), which each request waits for.
	Resolver Resolver
}

// Resolver looks up a host name's node asynchronously and calls done once, never
// re-entrantly, with the node or false (K&R §2.5.1: the browser passes the hostname to
// the client side of DNS and waits for the reply before it opens a TCP connection).
type Resolver interface {
	Resolve(host string, done func(topology.NodeID, bool))
}

// PageResult is what one page load measured.
type PageResult struct {
	URL    URL
	Start  sim.Time
	BaseAt sim.Time // when the base object (after any redirects) had arrived, or failed
	DoneAt sim.Time // when the last object had arrived, or failed
	// Requests sent and responses received (a 301 and a retried request count).
	Requests, Responses int
	Objects             int // 200 responses: the objects fetched
	Redirects           int // 301 responses followed
	// Errors counts the objects the load did not get: other statuses, failed dials,
	// requests that went unanswered (reset, closed, the response timeout), bad links.
	Errors  int
	Retries int // requests sent again after their connection closed under them
	// ConnsOpened counts the TCP connections this load opened: each cost one RTT of
	// handshake (SYN, SYN-ACK; §2.2.2). HandshakeRTTs counts those on the load's
	// critical path — the chain of fetches, back from the last, each of which waited
	// for the one before it (the base for the objects it links, a free connection) —
	// which are the handshakes the load time contains: overlapping handshakes of
	// parallel connections count once.
	ConnsOpened   int
	HandshakeRTTs int
	RequestBytes  int64 // wire bytes of the requests sent
	ResponseBytes int64 // wire bytes of the responses received
}

// Complete reports whether the load got every object: the base and all it links.
func (r PageResult) Complete() bool { return r.Errors == 0 && r.Objects > 0 }

// BaseTime is the time from the click to the base object.
func (r PageResult) BaseTime() sim.Time { return r.BaseAt - r.Start }

// LoadTime is the page load time: from the click to the last object.
func (r PageResult) LoadTime() sim.Time { return r.DoneAt - r.Start }

// Browser is an HTTP client on one host: it loads pages (a base HTML object and the
// objects it links) over a Client, and keeps a cookie file (Kurose & Ross §2.2.4).
type Browser struct {
	h   topology.Host
	cfg BrowserConfig
	// jar is the cookie file: host name → the identification number that host set.
	jar map[string]string
	cl  *Client // its connections stay open from one load to the next
}

// NewBrowser returns a browser on h.
func NewBrowser(h topology.Host, cfg BrowserConfig) (*Browser, error) {
	switch cfg.Mode {
	case NonPersistent:
		cfg.Parallel = 1
	case Parallel:
		if cfg.Parallel < 1 {
			return nil, fmt.Errorf("http browser %s: parallel mode needs P ≥ 1, got %d", h.Name(), cfg.Parallel)
		}
	case Persistent, Pipelined:
	default:
		return nil, fmt.Errorf("http browser %s: unknown mode %q", h.Name(), cfg.Mode)
	}
	if cfg.Resolve == nil && cfg.Resolver == nil {
		return nil, fmt.Errorf("http browser %s: no Resolve", h.Name())
	}
	if cfg.Port == 0 {
		cfg.Port = DefaultPort
	}
	if cfg.MaxRedirects == 0 {
		cfg.MaxRedirects = DefaultMaxRedirects
	}
	b := &Browser{h: h, cfg: cfg, jar: maps.Clone(cfg.CookieFile)}
	if b.jar == nil {
		b.jar = map[string]string{}
	}
	b.cl = NewClient(h, ClientConfig{TCP: cfg.TCP, NonPersistent: !b.persistent(), Pipelining: cfg.Mode == Pipelined,
		ResponseTimeout: cfg.ResponseTimeout, UserAgent: cfg.UserAgent})
	return b, nil
}

// CookieFile returns a copy of the browser's cookie file, to start a later session with.
func (b *Browser) CookieFile() map[string]string { return maps.Clone(b.jar) }

func (b *Browser) persistent() bool { return b.cfg.Mode == Persistent || b.cfg.Mode == Pipelined }

// errUnknownHost is a link to a host the browser cannot resolve.
var errUnknownHost = errors.New("unknown host")

// Load fetches the page at u: the base object, then every object it links, as the
// browser's mode says; done gets the measurements when the last object has arrived
// or failed.
func (b *Browser) Load(u URL, done func(PageResult)) {
	l := &pageLoad{b: b, done: done, res: PageResult{URL: u, Start: b.h.Now()}, busy: map[string]bool{}}
	l.submit(&fetch{url: u, base: true}, nil)
}

// fetch is one object being fetched.
type fetch struct {
	url       URL
	base      bool
	redirects int
	// after is the fetch whose end let this one be sent: the page's critical path
	// runs back along it.
	after   *fetch
	newConn bool // it opened the connection it went on
}

// pageLoad is the state of one Load.
type pageLoad struct {
	b    *Browser
	res  PageResult
	done func(PageResult)
	open int // fetches not finished
	// waiting holds the fetches not yet sent: in the non-persistent modes for one of
	// the P connections (active counts those in use), in persistent mode for their
	// server's connection to be free (busy).
	waiting []*fetch
	active  int
	busy    map[string]bool
}

// submit starts a new fetch, which cause's end brought about, or queues it.
func (l *pageLoad) submit(f *fetch, cause *fetch) {
	l.open++
	switch {
	case l.b.cfg.Mode == Pipelined:
	case l.b.cfg.Mode == Persistent && !l.busy[f.url.Host]:
		l.busy[f.url.Host] = true
	case !l.b.persistent() && l.active < l.b.cfg.Parallel:
		l.active++
	default:
		l.waiting = append(l.waiting, f)
		return
	}
	l.send(f, cause)
}

// release gives up f's connection: the next waiting fetch it frees is sent.
func (l *pageLoad) release(f *fetch) {
	switch l.b.cfg.Mode {
	case Pipelined:
		return
	case Persistent:
		l.busy[f.url.Host] = false
		for i, w := range l.waiting {
			if w.url.Host == f.url.Host {
				l.waiting = append(l.waiting[:i], l.waiting[i+1:]...)
				l.busy[w.url.Host] = true
				l.send(w, f)
				return
			}
		}
	default:
		l.active--
		if len(l.waiting) > 0 && l.active < l.b.cfg.Parallel {
			w := l.waiting[0]
			l.waiting = l.waiting[1:]
			l.active++
			l.send(w, f)
		}
	}
}

// send asks for f's object.
func (l *pageLoad) send(f *fetch, cause *fetch) {
	f.after = cause
	b := l.b
	if b.cfg.Resolver != nil {
		b.cfg.Resolver.Resolve(f.url.Host, func(node topology.NodeID, ok bool) { l.request(f, node, ok) })
		return
	}
	node, ok := b.cfg.Resolve(f.url.Host)
	l.request(f, node, ok)
}

// request sends f's request to the node its host resolved to, or fails f if the name
// did not resolve.
func (l *pageLoad) request(f *fetch, node topology.NodeID, ok bool) {
	b := l.b
	if !ok {
		b.h.After(0, func() { l.finished(f, Exchange{Err: errUnknownHost}) })
		return
	}
	req := &Request{
		Method: MethodGet, Target: f.url.Path, Version: Version11, Host: f.url.Host,
		// §2.2.4: the browser consults its cookie file for this host only.
		Cookie: b.jar[f.url.Host],
	}
	b.cl.Do(topology.Addr{Node: node, Port: b.cfg.Port}, req, func(x Exchange) { l.finished(f, x) })
}

// finished counts what f's exchange did and acts on its response.
func (l *pageLoad) finished(f *fetch, x Exchange) {
	r := &l.res
	r.Requests++
	r.RequestBytes += x.ReqBytes
	if x.Retried {
		r.Requests++
		r.Retries++
	}
	if x.NewConn {
		r.ConnsOpened++
		f.newConn = true
	}
	if x.Err != nil || x.Resp == nil {
		r.Errors++
		if f.base {
			r.BaseAt = l.b.h.Now()
		}
	} else {
		r.Responses++
		r.ResponseBytes += x.RespBytes
		if x.Resp.SetCookie != "" {
			// §2.2.4: the browser appends the host name and the number to its cookie file.
			l.b.jar[f.url.Host] = x.Resp.SetCookie
		}
		l.handle(f, x.Resp)
	}
	l.release(f)
	if l.open--; l.open == 0 {
		r.DoneAt = l.b.h.Now()
		for g := f; g != nil; g = g.after {
			if g.newConn {
				r.HandshakeRTTs++
			}
		}
		if l.done != nil {
			l.done(*r)
		}
	}
}

// handle acts on the response to f.
func (l *pageLoad) handle(f *fetch, resp *Response) {
	switch {
	case resp.Status == StatusMovedPermanently && resp.Location != "":
		// §2.2.3: "the client software will automatically retrieve the new URL".
		l.res.Redirects++
		u, err := ParseURL(resp.Location, f.url)
		if err == nil && f.redirects < l.b.cfg.MaxRedirects {
			l.submit(&fetch{url: u, base: f.base, redirects: f.redirects + 1}, f)
			return
		}
		l.res.Errors++
	case resp.Status == StatusOK:
		l.res.Objects++
	default:
		l.res.Errors++
	}
	if f.base {
		l.res.BaseAt = l.b.h.Now()
		for _, link := range resp.Links {
			u, err := ParseURL(link, f.url)
			if err != nil {
				l.res.Errors++
				continue
			}
			l.submit(&fetch{url: u}, f)
		}
	}
}
