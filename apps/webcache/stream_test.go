package webcache

import (
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/apps/http"
	"netsim/sim"
	"netsim/topology"
)

// get has browser host i of in ask the cache for object id at time at, and records
// when the exchange ended.
func get(t *testing.T, in *testInstitution, i int, id int64, at sim.Time, done *sim.Time) {
	exchange(in, i, id, at, func(x http.Exchange) {
		require.NoError(t, x.Err)
		require.Equal(t, http.StatusOK, x.Resp.Status)
		require.Equal(t, int64(125_000), x.Resp.BodyBytes)
		*done = x.Done
	})
}

// exchange has browser host i of in ask the cache for object id at time at.
func exchange(in *testInstitution, i int, id int64, at sim.Time, done func(http.Exchange)) {
	cl := http.NewClient(in.hosts[i], http.ClientConfig{})
	in.k.At(at, func() {
		req := &http.Request{Method: http.MethodGet, Target: Target(id), Version: http.Version11, Host: "server0"}
		cl.Do(at0(in), req, done)
	})
}

// at0 is the cache's address, host0's.
func at0(in *testInstitution) topology.Addr { return at(in.hosts[0]) }

// missThrough runs one request for a missing object through the cache, on the
// textbook's institution (100 Mbps LAN with 1 ms links, 15 Mbps access link, 2 s
// Internet delay), and returns when the browser had the response, when the cache had
// the origin's, and the response's wire size.
func missThrough(t *testing.T, storeAndForward bool) (browserDone, cacheDone sim.Time, respBytes int64) {
	t.Helper()
	in := newTestInstitution(t, 2, sim.Millisecond)
	require.NoError(t, Origin(OriginConfig{ObjectBytes: 125_000, Name: "netsim-origin/1.0"}, nil)(in.origin))
	_, err := StartCache(in.hosts[0], Config{CapacityBytes: 1 << 20, StoreAndForward: storeAndForward,
		Origins: in.origins(), OnFetch: func(x http.Exchange) { cacheDone, respBytes = x.Done, x.RespBytes }})
	require.NoError(t, err)
	get(t, in, 1, 7, 0, &browserDone)
	in.k.RunUntil(10 * sim.Second)
	require.NotZero(t, browserDone)
	return browserDone, cacheDone, respBytes
}

// Issue 9, acceptance 3, second half. A proxy that stores and forwards makes every
// miss pay one more LAN transmission than one that relays the response as it
// arrives (Kurose & Ross §2.2.5 counts the LAN once). Relaying, the browser has the
// last bit one LAN propagation (cache → router → browser, 2 ms) after the cache has
// it: the relay went at the access link's pace, behind the origin's stream. Storing
// and forwarding, it has it L·8/C_LAN later still — 10.0 ms for the 1 Mbit object and
// its header at 100 Mbps — to the nanosecond the flow model rounds to.
func TestStreamingSavesOneLANTransmissionPerMiss(t *testing.T) {
	stream, streamCache, bytes := missThrough(t, false)
	stored, storedCache, _ := missThrough(t, true)
	require.Equal(t, streamCache, storedCache, "the origin's side is the same")
	require.Equal(t, streamCache+2*sim.Millisecond, stream)
	lan := sim.SecondsCeil(float64(8*bytes) / 100e6)
	require.InDelta(t, float64(lan), float64(stored-stream), 2, "store-and-forward − streaming = one LAN transmission")
	t.Logf("miss: streaming %v, store-and-forward %v: %v more (the response, %d B, at 100 Mbps: %v)", stream, stored, stored-stream, bytes, lan)
}

// Squid's collapsed_forwarding: two browsers ask for the same missing object 1 s
// apart, while the cache's fetch of it is under way (a miss takes 4.079 s: the new
// connection's handshake to the origin, 2 s, then the exchange). With collapse on, the
// origin sees one request and the second is answered from the first's fetch
// (Collapsed, a hit for the hit ratio): both browsers have the object at the same
// moment, relayed from the one arrival (4.079 s) or sent together once it is whole
// (4.099 s: the two copies share the cache's 100 Mbps LAN link, 2 × 10.0 ms). Without, the
// origin sees two requests and the second browser waits for its own fetch, the same
// 4.079 s from its request.
func TestCollapsedRequestsShareOneFetch(t *testing.T) {
	for _, tc := range []struct {
		collapse, storeAndForward bool
		requests                  int64
		outcomes                  []Outcome
	}{
		{true, false, 1, []Outcome{Collapsed, Miss}}, // relayed: the joiner is told at once
		{true, true, 1, []Outcome{Miss, Collapsed}},
		{false, false, 2, []Outcome{Miss, Miss}},
	} {
		in := newTestInstitution(t, 3, sim.Millisecond)
		var servers []*http.Server
		require.NoError(t, Origin(OriginConfig{ObjectBytes: 125_000, Name: "netsim-origin/1.0"}, &servers)(in.origin))
		var outcomes []Outcome
		c, err := StartCache(in.hosts[0], Config{CapacityBytes: 1 << 20, Collapse: tc.collapse, StoreAndForward: tc.storeAndForward,
			Origins: in.origins(), OnServe: func(_ *http.Request, s Served) { outcomes = append(outcomes, s.Outcome) }})
		require.NoError(t, err)
		var first, second sim.Time
		get(t, in, 1, 7, 0, &first)
		get(t, in, 2, 7, sim.Second, &second)
		in.k.RunUntil(20 * sim.Second)
		require.NotZero(t, first)
		require.NotZero(t, second)
		require.Equal(t, tc.requests, servers[0].Stats().Requests, "%+v", tc)
		require.Equal(t, tc.outcomes, outcomes, "%+v", tc)
		if tc.collapse {
			want := 4078859762 * sim.Nanosecond
			if tc.storeAndForward {
				want += 2 * sim.SecondsCeil(8*125193/100e6) // two copies of the 125,193 B response
			}
			require.InDelta(t, float64(want), float64(first), 2)
			require.Equal(t, first, second, "%+v: one arrival, relayed to both", tc)
			require.Equal(t, 1, c.Store().Len())
		} else {
			require.Equal(t, first+sim.Second, second)
		}
		t.Logf("collapse %v, store-and-forward %v: browsers done at %v and %v", tc.collapse, tc.storeAndForward, first, second)
	}
}

// An origin that crashes while the cache relays its response to two collapsed
// requests: the relays can never be whole, so the cache resets both browsers'
// connections (a proxy cannot take back the 200 it began to send) and counts the
// request that fetched as Failed; nothing is stored. The object is 10 MB, 5.3 s on
// the 15 Mbps access link: its first bits reach the cache at 4.01 s, when the origin
// has been sending for 1 s (the Internet delay's one way), and the origin crashes at
// 5 s, mid-way (the last bits it sent arrive at 6 s). The cache gives up when its
// response timeout, 30 s from the last sign of the response (http.ClientConfig), finds
// the arrival stalled: at 34.01 s.
func TestOriginCrashMidRelayResetsTheBrowsers(t *testing.T) {
	in := newTestInstitution(t, 3, sim.Millisecond)
	require.NoError(t, Origin(OriginConfig{ObjectBytes: 10_000_000, Name: "netsim-origin/1.0"}, nil)(in.origin))
	c, err := StartCache(in.hosts[0], Config{CapacityBytes: 1 << 30, Collapse: true, Origins: in.origins(),
		ResponseTimeout: 30 * sim.Second})
	require.NoError(t, err)
	var xs []http.Exchange
	for i := 1; i <= 2; i++ {
		exchange(in, i, 7, sim.Time(i-1)*sim.Second, func(x http.Exchange) { xs = append(xs, x) })
	}
	in.stack.CrashAt(5*sim.Second, in.origin.Node())
	in.k.RunUntil(60 * sim.Second)
	require.Len(t, xs, 2)
	for _, x := range xs {
		t.Logf("browser: first byte %v, done %v: %v", x.FirstByte, x.Done, x.Err)
		require.Error(t, x.Err)
		require.InDelta(t, 4.01, x.FirstByte.Seconds(), 0.01, "the relay had begun")
		require.InDelta(t, 34.01, x.Done.Seconds(), 0.01)
	}
	require.Equal(t, int64(1), c.Counts[Failed])
	require.Equal(t, int64(1), c.Counts[Collapsed])
	require.Zero(t, c.Store().Len())
}
