package http

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/sim"
	"netsim/topology"
)

// Reference: Kurose & Ross §2.2.3, the example request and response messages, with
// the header fields in the book's order; RFC 7230 §3 (CRLF line ends, a blank line
// after the header) and RFC 7231 §7.1.1.1 (IMF-fixdate). Virtual time 0 is
// Mon, 01 Jan 2024 00:00:00 GMT.
func TestGoldenText(t *testing.T) {
	req := &Request{Method: "GET", Target: "/somedir/page.html", Version: "HTTP/1.1",
		Host: "www.someschool.edu", Connection: "close", UserAgent: "Mozilla/5.0", Cookie: "1678",
		IfModifiedSince: 90*sim.Second + 999*sim.Millisecond, HasIfModifiedSince: true}
	const reqText = "GET /somedir/page.html HTTP/1.1\r\n" +
		"Host: www.someschool.edu\r\n" +
		"Connection: close\r\n" +
		"User-Agent: Mozilla/5.0\r\n" +
		"Cookie: 1678\r\n" +
		"If-Modified-Since: Mon, 01 Jan 2024 00:01:30 GMT\r\n" +
		"\r\n"
	require.Equal(t, reqText, req.Text())
	require.Equal(t, int64(len(reqText)), req.WireBytes())
	require.Equal(t, int64(33+26+19+25+14+50+2), req.WireBytes()) // line by line, CRLFs included

	post := &Request{Method: "POST", Target: "/cgi/form", Version: "HTTP/1.1", Host: "a", BodyBytes: 42}
	const postText = "POST /cgi/form HTTP/1.1\r\nHost: a\r\nContent-Length: 42\r\n\r\n"
	require.Equal(t, postText, post.Text())
	require.Equal(t, int64(len(postText)+42), post.WireBytes())

	resp := &Response{Version: "HTTP/1.1", Status: 200, Connection: "close",
		Date: 3*sim.Hour + 44*sim.Minute + 4*sim.Second, Server: "Apache/2.2.3 (CentOS)",
		LastModified: -sim.Hour - 1, HasLastModified: true, // 1 ns before 23:00 is 22:59:59
		ContentLength: 6821, ContentType: "text/html", SetCookie: "1678",
		CacheControlMaxAge: 3600 * sim.Second, HasMaxAge: true, BodyBytes: 6821}
	const respText = "HTTP/1.1 200 OK\r\n" +
		"Connection: close\r\n" +
		"Date: Mon, 01 Jan 2024 03:44:04 GMT\r\n" +
		"Server: Apache/2.2.3 (CentOS)\r\n" +
		"Last-Modified: Sun, 31 Dec 2023 22:59:59 GMT\r\n" +
		"Content-Length: 6821\r\n" +
		"Content-Type: text/html\r\n" +
		"Cache-Control: max-age=3600\r\n" +
		"Set-Cookie: 1678\r\n" +
		"\r\n"
	require.Equal(t, respText, resp.Text())
	require.Equal(t, int64(len(respText)+6821), resp.WireBytes())

	// §2.2.5's 304: no body and no Content-Length; the reason phrase from the code.
	nm := &Response{Version: "HTTP/1.1", Status: 304, Date: 0, Server: "Apache/1.3.0 (Unix)"}
	require.Equal(t, "HTTP/1.1 304 Not Modified\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\nServer: Apache/1.3.0 (Unix)\r\n\r\n", nm.Text())
	mv := &Response{Version: "HTTP/1.1", Status: 301, Location: "http://b/x"}
	require.Equal(t, "HTTP/1.1 301 Moved Permanently\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\nContent-Length: 0\r\nLocation: http://b/x\r\n\r\n", mv.Text())

	m := MessageOfResponse(resp)
	require.Equal(t, resp.WireBytes(), m.SizeBytes)
	require.Same(t, resp, m.Payload)
}

func TestTextRoundTrips(t *testing.T) {
	req := &Request{Method: "PUT", Target: "/a", Version: "HTTP/1.1", Host: "h", Connection: "close",
		UserAgent: "ua", Cookie: "7", IfModifiedSince: 5 * sim.Second, HasIfModifiedSince: true, BodyBytes: 10}
	got, err := ParseRequest(req.Text())
	require.NoError(t, err)
	require.Equal(t, req, got)

	resp := &Response{Version: "HTTP/1.1", Status: 404, Reason: "Not Found", Date: 7 * sim.Second, Server: "s",
		LastModified: -3 * sim.Second, HasLastModified: true, ContentLength: 9, ContentType: "text/plain",
		SetCookie: "1", Location: "/x", Connection: "close", CacheControlMaxAge: 60 * sim.Second, HasMaxAge: true}
	back, err := ParseResponse(resp.Text())
	require.NoError(t, err)
	require.Equal(t, resp, back)
}

// RFC 7231 §7.1.1.1: one-second resolution; times before the epoch print as earlier
// dates, rounded towards the past.
func TestDates(t *testing.T) {
	for _, c := range []struct {
		t    sim.Time
		want string
	}{
		{0, "Mon, 01 Jan 2024 00:00:00 GMT"},
		{sim.Second - 1, "Mon, 01 Jan 2024 00:00:00 GMT"},
		{-1, "Sun, 31 Dec 2023 23:59:59 GMT"},
		{366 * 24 * sim.Hour, "Wed, 01 Jan 2025 00:00:00 GMT"}, // 2024 is a leap year
	} {
		require.Equal(t, c.want, FormatDate(c.t), "%d ns", c.t)
		back, err := ParseDate(c.want)
		require.NoError(t, err)
		require.Equal(t, TruncateToSecond(c.t), back)
	}
	// RFC 7232 §3.3: not modified when Last-Modified ≤ If-Modified-Since, at 1 s.
	require.True(t, NotModified(10*sim.Second, 10*sim.Second))
	require.True(t, NotModified(10*sim.Second+500*sim.Millisecond, 10*sim.Second))
	require.False(t, NotModified(11*sim.Second, 10*sim.Second+999*sim.Millisecond))
}

// Acceptance 6 of issue 3, first half: what a server parses. RFC 7230 §3.1.1 (the
// request line: method SP target SP version), §2.6 (HTTP-version = "HTTP/" DIGIT "."
// DIGIT), §5.4 (Host is required in HTTP/1.1); RFC 7231 §6.5.1 (400), §6.6.6 (505).
func TestParseRequestErrors(t *testing.T) {
	for _, c := range []struct {
		text   string
		status int
	}{
		{"", 400},
		{"GARBAGE", 400},
		{"\x00\xff\xfe", 400},
		{"GET /index.html\r\n\r\n", 400}, // no version
		{"GET  /index.html HTTP/1.1\r\nHost: a\r\n\r\n", 400}, // two spaces
		{"GET index.html HTTP/1.1\r\nHost: a\r\n\r\n", 400},   // not origin-form
		{"GET / HTTP/1.1\r\n\r\n", 400},                       // no Host
		{"GET / HTTP/1.1\r\nHost a\r\n\r\n", 400},             // header without a colon
		{"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400},
		{"GET / HTTP/one\r\nHost: a\r\n\r\n", 400},
		{"G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
		{"GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505},
		{"GET / HTTP/0.9\r\nHost: a\r\n\r\n", 505},
		{"BREW / HTTP/1.1\r\nHost: a\r\n\r\n", 501},
	} {
		_, err := ParseRequest(c.text)
		require.Error(t, err, "%q", c.text)
		require.Equal(t, c.status, StatusOf(err), "%q: %v", c.text, err)
	}
	// Lenient: bare LF line ends (RFC 7230 §3.5), HTTP/1.0 without Host, a bad date
	// ignored (RFC 7232 §3.3).
	r, err := ParseRequest("HEAD /x HTTP/1.0\nIf-Modified-Since: yesterday\n\n")
	require.NoError(t, err)
	require.Equal(t, &Request{Method: "HEAD", Target: "/x", Version: "HTTP/1.0"}, r)
}

// rawPeer is a harness: a star of a client host and servers of unlimited rate, 10 ms
// from the core each (RTT 40 ms).
type rawPeer struct {
	k      *sim.Kernel
	stack  *topology.Stack
	client topology.Host
	net    *topology.Network
}

func newRawPeer(t *testing.T, servers ...string) *rawPeer {
	t.Helper()
	k := sim.NewKernel()
	hosts := []topology.StarHost{{Name: "client", UploadBps: math.Inf(1), DownloadBps: math.Inf(1), Delay: 10 * sim.Millisecond}}
	for _, s := range servers {
		hosts = append(hosts, topology.StarHost{Name: s, UploadBps: math.Inf(1), DownloadBps: math.Inf(1), Delay: 10 * sim.Millisecond})
	}
	net, err := topology.BuildStar(k, hosts)
	require.NoError(t, err)
	st := topology.NewStack(net, sim.NewStreams(1))
	c, err := st.HostNamed("client")
	require.NoError(t, err)
	return &rawPeer{k: k, stack: st, client: c, net: net}
}

func (p *rawPeer) host(t *testing.T, name string) topology.Host {
	h, err := p.stack.HostNamed(name)
	require.NoError(t, err)
	return h
}

// exchange sends msgs back to back on one connection to server and returns the
// responses and whether the server closed the connection.
func (p *rawPeer) exchange(t *testing.T, server string, msgs ...topology.Message) (resps []*Response, closed bool) {
	t.Helper()
	p.client.Dial(topology.Addr{Node: p.host(t, server).Node(), Port: DefaultPort}, topology.TCPOptions{}, func(c topology.Conn, err error) {
		require.NoError(t, err)
		c.SetHandler(&topology.ConnHandler{
			OnMessage: func(_ topology.Conn, m topology.Message) {
				r := m.Payload.(*Response)
				require.Equal(t, r.WireBytes(), m.SizeBytes)
				resps = append(resps, r)
			},
			OnClose: func(c topology.Conn) { closed = true; c.Close() },
		})
		for _, m := range msgs {
			c.Send(m)
		}
	})
	p.k.Run()
	return resps, closed
}

// Acceptance 6 of issue 3: malformed HTTP from a peer gets 400 or 505 (501 for an
// unknown method), never a panic, and the server then closes the connection (RFC
// 7230 §3.3.3: after a request it cannot frame it cannot find the next one). Peers
// here send raw text, bytes, or things that are not HTTP at all.
func TestMalformedRequestsGet400Or505(t *testing.T) {
	for _, c := range []struct {
		name    string
		payload any
		status  int
	}{
		{"bad request line", "HELLO\r\n\r\n", 400},
		{"bytes", []byte("GET / HTTP/1.1 extra\r\nHost: s\r\n\r\n"), 400},
		{"unknown version", "GET /index.html HTTP/3.0\r\nHost: s\r\n\r\n", 505},
		{"struct, unknown version", &Request{Method: "GET", Target: "/", Version: "HTTP/2.0", Host: "s"}, 505},
		{"struct, empty", &Request{}, 400},
		{"nil request", (*Request)(nil), 400},
		{"not HTTP", 42, 400},
		{"nothing", nil, 400},
		{"unknown method", "PATCH / HTTP/1.1\r\nHost: s\r\n\r\n", 501},
	} {
		p := newRawPeer(t, "s")
		var traced []int
		_, err := NewServer(p.host(t, "s"), ServerConfig{Objects: map[string]Object{"/": {SizeBytes: 10}},
			Trace: func(_ *Request, r *Response) { traced = append(traced, r.Status) }})
		require.NoError(t, err)
		good := MessageOfRequest(&Request{Method: "GET", Target: "/", Version: "HTTP/1.1", Host: "s"})
		resps, closed := p.exchange(t, "s", topology.Message{SizeBytes: 20, Payload: c.payload}, good)
		require.Len(t, resps, 1, c.name) // the good request after it is not served
		require.Equal(t, c.status, resps[0].Status, c.name)
		require.Equal(t, "close", resps[0].Connection, c.name)
		require.True(t, closed, c.name)
		require.Equal(t, []int{c.status}, traced, c.name)
	}
}

// Reference: Kurose & Ross §2.2.3 (the methods and status codes) and §2.2.5 (the
// conditional GET: 304 Not Modified with an empty body when the object has not changed
// since If-Modified-Since); RFC 7231 §4.3.2 (HEAD: the GET's header, no body).
func TestServerMethodsAndStatuses(t *testing.T) {
	p := newRawPeer(t, "s")
	lm := -2 * sim.Hour
	srv, err := NewServer(p.host(t, "s"), ServerConfig{Objects: map[string]Object{
		"/a.html": {SizeBytes: 5000, ContentType: "text/html", LastModified: lm},
		"/old":    {MovedTo: "http://s/a.html"},
	}})
	require.NoError(t, err)
	get := func(path string) *Request {
		return &Request{Method: "GET", Target: path, Version: "HTTP/1.1", Host: "s"}
	}
	ims := func(r *Request, at sim.Time) *Request { r.IfModifiedSince, r.HasIfModifiedSince = at, true; return r }
	head := get("/a.html")
	head.Method = "HEAD"
	put := &Request{Method: "PUT", Target: "/new", Version: "HTTP/1.1", Host: "s", BodyBytes: 777}
	del := &Request{Method: "DELETE", Target: "/a.html", Version: "HTTP/1.1", Host: "s"}
	post := &Request{Method: "POST", Target: "/new", Version: "HTTP/1.1", Host: "s", BodyBytes: 5}
	reqs := []*Request{
		get("/a.html"),
		ims(get("/a.html"), lm),            // not modified since: 304
		ims(get("/a.html"), lm-sim.Second), // modified since: 200
		head,
		get("/old"),
		get("/missing"),
		put,
		post,
		del,
		get("/a.html"), // deleted: 404
		{Method: "GET", Target: "/", Version: "HTTP/1.0"}, // ends the connection (no keep-alive)
	}
	var msgs []topology.Message
	for _, r := range reqs {
		msgs = append(msgs, MessageOfRequest(r))
	}
	resps, closed := p.exchange(t, "s", msgs...)
	require.True(t, closed)
	type row struct {
		status        int
		contentLength int64
		body          int64
		location      string
	}
	var got []row
	for _, r := range resps {
		got = append(got, row{r.Status, r.ContentLength, r.BodyBytes, r.Location})
	}
	require.Equal(t, []row{
		{200, 5000, 5000, ""},
		{304, 0, 0, ""},
		{200, 5000, 5000, ""},
		{200, 5000, 0, ""}, // HEAD: the length, not the body
		{301, 0, 0, "http://s/a.html"},
		{404, 0, 0, ""},
		{200, 0, 0, ""},     // PUT stored 777 bytes
		{200, 777, 777, ""}, // POST's result page is the object PUT made
		{200, 0, 0, ""},     // DELETE
		{404, 0, 0, ""},
		{404, 0, 0, ""},
	}, got)
	require.Equal(t, "Mon, 01 Jan 2024 00:00:00 GMT", FormatDate(resps[0].Date))
	obj, ok := srv.Object("/new")
	require.True(t, ok)
	require.Equal(t, int64(777), obj.SizeBytes)
	require.Equal(t, "close", resps[len(resps)-1].Connection)
	require.Equal(t, map[int]int64{200: 6, 304: 1, 301: 1, 404: 3}, srv.Stats().ByStatus)
}
