package http

import (
	"fmt"
	"maps"
	"strings"

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
	// (apps/dns's stub resolver implements it), which each dial waits for.
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
	BaseAt sim.Time // when the base object (after any redirects) had arrived
	DoneAt sim.Time // when the last object had arrived
	// Requests sent and responses received (a 301 and a retried request count).
	Requests, Responses int
	Objects             int // 200 responses
	Redirects           int // 301 responses followed
	Errors              int // other statuses, refused connections, bad links
	Retries             int // requests sent again after a server closed an idle connection
	// ConnsOpened counts the TCP connections this load opened. Each costs one RTT of
	// handshake (SYN, SYN-ACK; §2.2.2), so HandshakeRTTs equals it and HandshakeTime
	// is the sum of those connections' RTTs (overlapping ones included).
	ConnsOpened   int
	HandshakeRTTs int
	HandshakeTime sim.Time
	RequestBytes  int64 // wire bytes of the requests sent
	ResponseBytes int64 // wire bytes of the responses received
}

// BaseTime is the time from the click to the base object.
func (r PageResult) BaseTime() sim.Time { return r.BaseAt - r.Start }

// LoadTime is the page load time: from the click to the last object.
func (r PageResult) LoadTime() sim.Time { return r.DoneAt - r.Start }

// Browser is an HTTP client on one host: it loads pages (a base HTML object and the
// objects it links) and keeps a cookie file (Kurose & Ross §2.2.4).
type Browser struct {
	h   topology.Host
	cfg BrowserConfig
	// jar is the cookie file: host name → the identification number that host set.
	jar map[string]string
	// pool holds the open persistent connections, by host.
	pool map[string]*conn
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
	if cfg.UserAgent == "" {
		cfg.UserAgent = DefaultUserAgent
	}
	if cfg.Port == 0 {
		cfg.Port = DefaultPort
	}
	if cfg.MaxRedirects == 0 {
		cfg.MaxRedirects = DefaultMaxRedirects
	}
	if cfg.ResponseTimeout == 0 {
		cfg.ResponseTimeout = DefaultResponseTimeout
	}
	b := &Browser{h: h, cfg: cfg, jar: maps.Clone(cfg.CookieFile), pool: map[string]*conn{}}
	if b.jar == nil {
		b.jar = map[string]string{}
	}
	return b, nil
}

// CookieFile returns a copy of the browser's cookie file, to start a later session with.
func (b *Browser) CookieFile() map[string]string { return maps.Clone(b.jar) }

func (b *Browser) persistent() bool { return b.cfg.Mode == Persistent || b.cfg.Mode == Pipelined }

// Load fetches the page at u: the base object, then every object it links, as the
// browser's mode says; done gets the measurements when the last object has arrived.
func (b *Browser) Load(u URL, done func(PageResult)) {
	l := &pageLoad{b: b, done: done, res: PageResult{URL: u, Start: b.h.Now()}}
	l.submit(&fetch{url: u, load: l, base: true})
}

// fetch is one object being fetched.
type fetch struct {
	url       URL
	load      *pageLoad
	base      bool
	redirects int
	retried   bool
}

// pageLoad is the state of one Load.
type pageLoad struct {
	b       *Browser
	res     PageResult
	done    func(PageResult)
	open    int      // fetches not finished
	pending []*fetch // non-persistent modes: fetches waiting for a connection
	active  int      // non-persistent modes: connections open
}

// submit starts a new fetch.
func (l *pageLoad) submit(f *fetch) {
	l.open++
	l.place(f)
}

// place puts f on a connection: the server's persistent one (opened if need be), or
// a new one of its own when a slot among the P is free.
func (l *pageLoad) place(f *fetch) {
	b := l.b
	if b.persistent() {
		c := b.pool[f.url.Host]
		if c == nil {
			c = b.dial(f.url.Host, true, l)
			b.pool[f.url.Host] = c
		}
		c.queue = append(c.queue, f)
		c.pump()
		return
	}
	l.pending = append(l.pending, f)
	l.pumpSlots()
}

// pumpSlots opens connections for pending fetches while fewer than P are open.
func (l *pageLoad) pumpSlots() {
	for l.active < l.b.cfg.Parallel && len(l.pending) > 0 {
		f := l.pending[0]
		l.pending = l.pending[1:]
		l.active++
		c := l.b.dial(f.url.Host, false, l)
		c.queue = append(c.queue, f)
	}
}

// handle acts on the response to f.
func (l *pageLoad) handle(f *fetch, resp *Response) {
	now := l.b.h.Now()
	switch {
	case resp.Status == StatusMovedPermanently && resp.Location != "":
		// §2.2.3: "the client software will automatically retrieve the new URL".
		l.res.Redirects++
		u, err := ParseURL(resp.Location, f.url)
		if err == nil && f.redirects < l.b.cfg.MaxRedirects {
			l.submit(&fetch{url: u, load: l, base: f.base, redirects: f.redirects + 1})
			l.finish()
			return
		}
		l.res.Errors++
	case resp.Status == StatusOK:
		l.res.Objects++
	default:
		l.res.Errors++
	}
	if f.base {
		l.res.BaseAt = now
		for _, link := range resp.Links {
			u, err := ParseURL(link, f.url)
			if err != nil {
				l.res.Errors++
				continue
			}
			l.submit(&fetch{url: u, load: l})
		}
	}
	l.finish()
}

// finish ends one fetch; the page is loaded when none is left.
func (l *pageLoad) finish() {
	l.open--
	if l.open == 0 {
		l.res.DoneAt = l.b.h.Now()
		if l.done != nil {
			l.done(l.res)
		}
		return
	}
	if !l.b.persistent() {
		l.pumpSlots()
	}
}

// fail ends f with an error.
func (l *pageLoad) fail(f *fetch) {
	l.res.Errors++
	if f.base {
		l.res.BaseAt = l.b.h.Now()
	}
	l.finish()
}

// conn is one of the browser's TCP connections.
type conn struct {
	b          *Browser
	host       string
	load       *pageLoad // the load that opened it (its P slots)
	tc         topology.Conn
	persistent bool
	queue      []*fetch // not yet sent
	inflight   []*fetch // sent, awaiting responses in order
	dead       bool
	timer      sim.EventID       // the response timeout, while responses are awaited
	arriving   *topology.Arrival // the response now arriving, if any
}

func (b *Browser) dial(host string, persistent bool, l *pageLoad) *conn {
	c := &conn{b: b, host: host, load: l, persistent: persistent}
	if b.cfg.Resolver != nil {
		b.cfg.Resolver.Resolve(host, func(node topology.NodeID, ok bool) { b.connect(c, node, ok) })
	} else {
		node, ok := b.cfg.Resolve(host)
		b.connect(c, node, ok)
	}
	return c
}

// connect dials the resolved node for c, or fails c's fetches if the name did not
// resolve.
func (b *Browser) connect(c *conn, node topology.NodeID, ok bool) {
	l := c.load
	if !ok {
		b.h.After(0, func() { c.fail() })
		return
	}
	b.h.Dial(topology.Addr{Node: node, Port: b.cfg.Port}, b.cfg.TCP, func(tc topology.Conn, err error) {
		if err != nil {
			c.fail()
			return
		}
		l.res.ConnsOpened++
		l.res.HandshakeRTTs++
		l.res.HandshakeTime += tc.RTT()
		c.tc = tc
		tc.SetHandler(&topology.ConnHandler{
			OnMessage:  c.onMessage,
			OnArriving: func(_ topology.Conn, a *topology.Arrival) { c.arriving = a; c.armTimeout() },
			OnClose:    func(topology.Conn) { c.end() },
			OnReset:    func(topology.Conn, error) { c.end() },
		})
		c.pump()
	})
}

// pump sends queued requests: all of them when pipelining, else one when none is
// outstanding.
func (c *conn) pump() {
	if c.tc == nil || c.dead {
		return
	}
	for len(c.queue) > 0 && (c.b.cfg.Mode == Pipelined || len(c.inflight) == 0) {
		f := c.queue[0]
		c.queue = c.queue[1:]
		req := &Request{
			Method: MethodGet, Target: f.url.Path, Version: Version11,
			Host: f.url.Host, UserAgent: c.b.cfg.UserAgent,
			// §2.2.4: the browser consults its cookie file for this host only.
			Cookie: c.b.jar[f.url.Host],
		}
		if !c.persistent {
			req.Connection = "close"
		}
		m := MessageOfRequest(req)
		f.load.res.Requests++
		f.load.res.RequestBytes += m.SizeBytes
		c.inflight = append(c.inflight, f)
		c.tc.Send(m)
		if c.timer == 0 {
			c.armTimeout()
		}
	}
}

// armTimeout (re)starts the response timeout.
func (c *conn) armTimeout() {
	if c.timer != 0 {
		c.b.h.Cancel(c.timer)
		c.timer = 0
	}
	if t := c.b.cfg.ResponseTimeout; t > 0 && !c.dead {
		c.timer = c.b.h.After(t, c.timedOut)
	}
}

func (c *conn) stopTimeout() {
	if c.timer != 0 {
		c.b.h.Cancel(c.timer)
		c.timer = 0
	}
}

// timedOut: no response has begun, or the one arriving has stopped, for the whole
// timeout. A response still arriving (a big object on a slow link) is waited for.
func (c *conn) timedOut() {
	c.timer = 0
	if c.dead || len(c.inflight) == 0 {
		return
	}
	if a := c.arriving; a != nil && !a.Received() && !a.Stalled() {
		c.armTimeout()
		return
	}
	c.dead = true
	c.tc.Abort()
	c.release()
	sent, queued := c.inflight, c.queue
	c.inflight, c.queue = nil, nil
	for _, f := range sent {
		f.load.fail(f)
	}
	for _, f := range queued {
		f.load.place(f)
	}
}

func (c *conn) onMessage(_ topology.Conn, m topology.Message) {
	if c.dead {
		return
	}
	resp, ok := m.Payload.(*Response)
	if !ok || len(c.inflight) == 0 {
		// Not a response to anything sent: a real client gives up on the connection.
		c.end()
		return
	}
	f := c.inflight[0]
	c.inflight = c.inflight[1:]
	c.arriving = nil
	if len(c.inflight) > 0 {
		c.armTimeout()
	} else {
		c.stopTimeout()
	}
	l := f.load
	l.res.Responses++
	l.res.ResponseBytes += m.SizeBytes
	if resp.SetCookie != "" {
		// §2.2.4: the browser appends the host name and the number to its cookie file.
		c.b.jar[f.url.Host] = resp.SetCookie
	}
	closing := !c.persistent || strings.EqualFold(resp.Connection, "close")
	if closing {
		c.end() // frees the slot (non-persistent) before the links are placed
	}
	l.handle(f, resp)
	if !closing {
		c.pump()
	}
}

// end stops using the connection: closes it, and puts the requests it did not
// complete on another (RFC 7230 §6.3.1: a client may retry an idempotent request
// when the server closed the connection before answering; once per request).
func (c *conn) end() {
	if c.dead {
		return
	}
	c.dead = true
	if c.tc != nil {
		c.tc.Close()
	}
	c.release()
	sent, queued := c.inflight, c.queue
	c.inflight, c.queue = nil, nil
	for _, f := range sent {
		if f.retried {
			f.load.fail(f)
			continue
		}
		f.retried = true
		f.load.res.Retries++
		f.load.place(f)
	}
	for _, f := range queued {
		f.load.place(f)
	}
}

// release gives up the connection's place: in the pool, or among the P slots.
func (c *conn) release() {
	c.stopTimeout()
	if c.persistent {
		if c.b.pool[c.host] == c {
			delete(c.b.pool, c.host)
		}
	} else {
		c.load.active--
	}
}

// fail ends every fetch waiting for a connection that could not be opened.
func (c *conn) fail() {
	c.dead = true
	c.release()
	left := c.queue
	c.queue = nil
	for _, f := range left {
		f.load.fail(f)
	}
}
