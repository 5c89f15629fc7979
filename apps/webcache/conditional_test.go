package webcache

import (
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/apps/http"
	"netsim/sim"
)

// Kurose & Ross §2.2.6 (the conditional GET), RFC 7232 §3.3 and §4.1: a cache holding
// a stale copy sends If-Modified-Since with the Last-Modified date the origin gave; if
// the object has not changed, the origin answers 304 with headers only, so only the
// conditional request and those headers cross the access link; if it has changed, a
// full 200 crosses and replaces the copy. The byte counts are the socket layer's, at
// the origin (every byte it sends or receives crosses the access link), against the
// exact wire text of the messages.
func TestConditionalGetBytesOnAccessLink(t *testing.T) {
	in := newTestInstitution(t, 2, 0)
	k, stack, srv, cacheHost, browserHost := in.k, in.stack, in.origin, in.hosts[0], in.hosts[1]

	const objectBytes = 125000 // 1 Mbit
	var servers []*http.Server
	require.NoError(t, Origin(OriginConfig{ObjectBytes: objectBytes, Catalogue: 1,
		MaxAge: 10 * sim.Second, HasMaxAge: true, Name: "netsim-origin/1.0", Idle: -1}, &servers)(srv))
	origin := servers[0]
	origins := in.origins()
	var outcomes []Outcome
	cache, err := StartCache(cacheHost, Config{CapacityBytes: 1 << 20, Revalidate: true, Origins: origins,
		OnServe: func(_ *http.Request, s Served) { outcomes = append(outcomes, s.Outcome) }})
	require.NoError(t, err)
	browser := http.NewClient(browserHost, http.ClientConfig{UserAgent: "netsim-browser/1.0"})
	proxy := at(cacheHost)

	type step struct {
		in, out int64 // bytes the origin sent and received during the step
		got     *http.Response
	}
	fetchAt := func(at sim.Time) step {
		k.RunUntil(at)
		before := stack.Stats(srv.Node())
		var st step
		req := &http.Request{Method: http.MethodGet, Target: Target(0), Version: http.Version11, Host: "server0"}
		browser.Do(proxy, req, func(x http.Exchange) { st.got = x.Resp })
		k.RunUntil(at + 5*sim.Second) // a miss on a new connection: 2 s of handshake, 2 s and 70 ms of exchange
		after := stack.Stats(srv.Node())
		st.in, st.out = after.BytesSent-before.BytesSent, after.BytesReceived-before.BytesReceived
		require.NotNil(t, st.got)
		return st
	}

	// A miss: the whole object crosses once.
	first := fetchAt(0)
	ok200 := "HTTP/1.1 200 OK\r\nDate: Mon, 01 Jan 2024 00:00:01 GMT\r\nServer: netsim-origin/1.0\r\n" +
		"Last-Modified: Mon, 01 Jan 2024 00:00:00 GMT\r\nContent-Length: 125000\r\n" +
		"Content-Type: application/octet-stream\r\nCache-Control: max-age=10\r\n\r\n"
	get := "GET /objects/0 HTTP/1.1\r\nHost: server0\r\nUser-Agent: netsim-browser/1.0\r\n\r\n"
	require.Equal(t, int64(len(ok200)+objectBytes), first.in)
	require.Equal(t, int64(len(get)), first.out)

	// A minute later the copy is stale (max-age 10 s) and the object unchanged: a
	// conditional GET and a 304, headers only.
	second := fetchAt(60 * sim.Second)
	condGet := "GET /objects/0 HTTP/1.1\r\nHost: server0\r\nUser-Agent: netsim-browser/1.0\r\n" +
		"If-Modified-Since: Mon, 01 Jan 2024 00:00:00 GMT\r\n\r\n"
	notModified := "HTTP/1.1 304 Not Modified\r\nDate: Mon, 01 Jan 2024 00:01:01 GMT\r\nServer: netsim-origin/1.0\r\n" +
		"Cache-Control: max-age=10\r\n\r\n"
	require.Equal(t, int64(len(notModified)), second.in, "a 304 carries headers only")
	require.Equal(t, int64(len(condGet)), second.out)
	require.Equal(t, http.StatusOK, second.got.Status, "the browser still gets the object, from the cache")
	require.Equal(t, int64(objectBytes), second.got.BodyBytes)

	// Within max-age of the 304, the refreshed copy is fresh: nothing crosses.
	third := fetchAt(65 * sim.Second)
	require.Zero(t, third.in)
	require.Zero(t, third.out)

	// The object changes; the next conditional GET brings a full 200 with the new
	// Last-Modified, which replaces the copy.
	k.RunUntil(100 * sim.Second)
	origin.Put(Target(0), http.Object{SizeBytes: objectBytes, ContentType: "application/octet-stream", MaxAge: 10 * sim.Second, HasMaxAge: true})
	fourth := fetchAt(200 * sim.Second)
	changed := "HTTP/1.1 200 OK\r\nDate: Mon, 01 Jan 2024 00:03:21 GMT\r\nServer: netsim-origin/1.0\r\n" +
		"Last-Modified: Mon, 01 Jan 2024 00:01:40 GMT\r\nContent-Length: 125000\r\n" +
		"Content-Type: application/octet-stream\r\nCache-Control: max-age=10\r\n\r\n"
	require.Equal(t, int64(len(changed)+objectBytes), fourth.in)
	require.Equal(t, int64(len(condGet)), fourth.out)
	e, ok := cache.Store().Peek(Key{"server0", Target(0)})
	require.True(t, ok)
	require.Equal(t, 100*sim.Second, e.LastModified, "the new version replaced the old")

	require.Equal(t, []Outcome{Miss, Validated, Hit, Changed}, outcomes)
	st := origin.Stats()
	require.Equal(t, []int64{2, 1, 1}, []int64{st.ByStatus[http.StatusOK], st.ByStatus[http.StatusNotModified], cache.Counts[Hit]})
}
