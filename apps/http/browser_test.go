package http

import (
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/sim"
	"netsim/topology"
)

func (p *rawPeer) browser(t *testing.T, mode Mode, cookies map[string]string) *Browser {
	t.Helper()
	b, err := NewBrowser(p.client, BrowserConfig{Mode: mode, Parallel: 2, CookieFile: cookies,
		Resolve: func(name string) (topology.NodeID, bool) { return p.net.Node(name) }})
	require.NoError(t, err)
	return b
}

// load runs one page load to the end of the simulation and returns its result.
func (p *rawPeer) load(t *testing.T, b *Browser, u URL) PageResult {
	t.Helper()
	var got *PageResult
	b.Load(u, func(r PageResult) { got = &r })
	p.k.Run()
	require.NotNil(t, got)
	return *got
}

// Acceptance 5 of issue 3, cookies. Reference: Kurose & Ross §2.2.4: on first contact
// the site creates an identification number and a back-end entry, and answers with
// Set-cookie: 1678; the browser appends the host name and number to its cookie file
// and, for every later request to that site — a week later too — sends Cookie: 1678;
// the site knows "exactly which pages user 1678 visited, in which order, and at what
// times". The page at shop links an image on ads, a different host, which must never
// see shop's cookie, and sets its own.
func TestCookiesSurviveSessionsAndStayWithTheirHost(t *testing.T) {
	p := newRawPeer(t, "shop", "ads")
	seen := map[string][]string{} // host → the Cookie header of each request it got
	trace := func(host string) func(*Request, *Response) {
		return func(r *Request, _ *Response) { seen[host] = append(seen[host], r.Cookie) }
	}
	shop, err := NewServer(p.host(t, "shop"), ServerConfig{Cookies: true, Trace: trace("shop"), Objects: map[string]Object{
		"/index.html": {SizeBytes: 1000, Links: []string{"/cart.png", "http://ads/banner.gif"}},
		"/cart.png":   {SizeBytes: 100},
	}})
	require.NoError(t, err)
	ads, err := NewServer(p.host(t, "ads"), ServerConfig{Cookies: true, FirstCookie: 9000, Trace: trace("ads"),
		Objects: map[string]Object{"/banner.gif": {SizeBytes: 100}}})
	require.NoError(t, err)

	// Session 1.
	b := p.browser(t, Persistent, nil)
	r := p.load(t, b, URL{Host: "shop", Path: "/index.html"})
	require.Equal(t, 3, r.Objects)
	require.Equal(t, map[string]string{"shop": "1678", "ads": "9000"}, b.CookieFile())
	require.Equal(t, []string{"", "1678"}, seen["shop"]) // base without, then the image with
	require.Equal(t, []string{""}, seen["ads"])          // never shop's number

	// Session 2, a week later, in a new browser process started from the cookie file.
	p.k.At(p.k.Now()+7*24*sim.Hour, func() {})
	p.k.Run()
	week := p.k.Now()
	b2 := p.browser(t, Pipelined, b.CookieFile())
	p.load(t, b2, URL{Host: "shop", Path: "/index.html"})
	require.Equal(t, []string{"", "1678", "1678", "1678"}, seen["shop"])
	require.Equal(t, []string{"", "9000"}, seen["ads"])

	// The back-end tables: one user each, every visit in order with its time.
	require.Equal(t, []int64{1678}, shop.Users())
	v := shop.Visits(1678)
	require.Len(t, v, 4)
	require.Equal(t, "/index.html", v[2].Target)
	require.Equal(t, week+40*sim.Millisecond+20*sim.Millisecond, v[2].At) // handshake, then the request's one-way trip
	require.Equal(t, int64(1), shop.Stats().CookiesIssued)
	require.Equal(t, int64(3), shop.Stats().ReturningRequests)
	require.Equal(t, []int64{9000}, ads.Users())
	require.Equal(t, int64(1), ads.Stats().ReturningRequests)
}

// Reference: Kurose & Ross §2.2.3, 301 Moved Permanently: "the client software will
// automatically retrieve the new URL". Over one persistent connection the base costs
// 2 RTT (handshake, request answered by 301) + 1 RTT (the new URL); its image 1 RTT
// more. The redirect to another host costs that host's handshake.
func TestBrowserFollowsRedirects(t *testing.T) {
	const rtt = 40 * sim.Millisecond
	p := newRawPeer(t, "old", "new")
	_, err := NewServer(p.host(t, "old"), ServerConfig{Objects: map[string]Object{
		"/index.html": {MovedTo: "/home.html"},
		"/home.html":  {SizeBytes: 500, Links: []string{"/pic.jpg", "/gone.jpg"}},
		"/pic.jpg":    {MovedTo: "http://new/pic.jpg"},
	}})
	require.NoError(t, err)
	_, err = NewServer(p.host(t, "new"), ServerConfig{Objects: map[string]Object{"/pic.jpg": {SizeBytes: 50}}})
	require.NoError(t, err)
	r := p.load(t, p.browser(t, Persistent, nil), URL{Host: "old", Path: "/index.html"})
	require.Equal(t, 3*rtt, r.BaseTime())
	// /pic.jpg's 301 comes back at 4 RTT; new's handshake and request end at 6 RTT,
	// while /gone.jpg's 404 comes back on old's connection at 5 RTT.
	require.Equal(t, 6*rtt, r.LoadTime())
	require.Equal(t, 2, r.Redirects)
	require.Equal(t, 2, r.Objects)
	require.Equal(t, 1, r.Errors) // the 404
	require.Equal(t, 2, r.ConnsOpened)
	require.Equal(t, 5, r.Requests)
}

// Reference: Kurose & Ross §2.2.2, "the HTTP server closes a connection when it isn't
// used for a certain time (a configurable timeout interval)"; Apache's KeepAliveTimeout
// counts from when the last request was served. A second load 10 s later reuses the
// open connection (no handshake: 1 RTT per object); one 20 s later finds it closed and
// pays a handshake again.
func TestIdleTimeoutClosesPersistentConnections(t *testing.T) {
	const rtt = 100 * sim.Millisecond
	for _, c := range []struct {
		gap       sim.Time
		conns     int
		loadRTTs  sim.Time
		idleClose int64
	}{
		{10 * sim.Second, 0, 2, 1},
		{20 * sim.Second, 1, 3, 2},
	} {
		res := simulate(t, pageConfig{Mode: Persistent, BaseBytes: 100, ObjectBytes: sizes(1, 100), RTT: rtt, Sessions: 2, SessionGap: c.gap})
		second := res.Pages[1]
		require.Equal(t, c.conns, second.ConnsOpened, "gap %v", c.gap)
		require.Equal(t, c.loadRTTs*rtt, second.LoadTime(), "gap %v", c.gap)
		require.Equal(t, c.idleClose, res.Server.ConnsClosedIdle, "gap %v", c.gap)
		require.Equal(t, 0, second.Retries)
	}
	// A load that starts just as the server times the connection out: the request
	// crosses the server's FIN, is not answered, and is sent again on a new connection
	// (RFC 7230 §6.3.1). The server served its last response at 3 RTT − d, so it closes
	// at 3 RTT − d + 15 s; the browser sends at 3 RTT + 15 s − d/2, before the FIN arrives.
	d := rtt / 2
	res := simulate(t, pageConfig{Mode: Persistent, BaseBytes: 100, ObjectBytes: sizes(1, 100), RTT: rtt, Sessions: 2,
		SessionGap: DefaultIdleTimeout - d/2})
	second := res.Pages[1]
	require.Equal(t, 1, second.Retries)
	require.Equal(t, 1, second.ConnsOpened)
	require.Equal(t, 2, second.Objects)
	// The lost request's RTT (until the FIN came back, d/2 + … ) then 3 RTT afresh.
	require.Equal(t, d/2+3*rtt, second.LoadTime())
}
