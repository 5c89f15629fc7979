package webcache

import (
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/apps/http"
	"netsim/sim"
	"netsim/topology"
)

// missThrough runs one request for a missing object through the cache, on the
// textbook's institution (100 Mbps LAN with 1 ms links, 15 Mbps access link, 2 s
// Internet delay), and returns when the browser had the response, when the cache had
// the origin's, and the response's wire size.
func missThrough(t *testing.T, storeAndForward bool) (browserDone, cacheDone sim.Time, respBytes int64) {
	t.Helper()
	k := sim.NewKernel()
	cfg := topology.DefaultInstitution()
	cfg.Hosts, cfg.LANDelay = 2, sim.Millisecond
	network, err := topology.BuildInstitution(k, cfg)
	require.NoError(t, err)
	stack := topology.NewStack(network, sim.NewStreams(1))
	srv, _ := stack.HostNamed("server0")
	cacheHost, _ := stack.HostNamed("host0")
	browserHost, _ := stack.HostNamed("host1")
	require.NoError(t, Origin(OriginConfig{ObjectBytes: 125_000, Name: "netsim-origin/1.0"}, nil)(srv))
	_, err = StartCache(cacheHost, Config{CapacityBytes: 1 << 20, StoreAndForward: storeAndForward,
		Origins: map[string]topology.Addr{"server0": {Node: srv.Node(), Port: 80}},
		OnFetch: func(x http.Exchange) { cacheDone = x.Done }})
	require.NoError(t, err)
	req := &http.Request{Method: http.MethodGet, Target: Target(7), Version: http.Version11, Host: "server0"}
	http.NewClient(browserHost, http.ClientConfig{}).Do(topology.Addr{Node: cacheHost.Node(), Port: 80}, req, func(x http.Exchange) {
		require.NoError(t, x.Err)
		require.Equal(t, http.StatusOK, x.Resp.Status)
		browserDone, respBytes = x.Done, x.RespBytes
	})
	k.RunUntil(10 * sim.Second)
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
