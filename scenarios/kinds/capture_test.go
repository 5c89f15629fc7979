package kinds

import (
	"bytes"
	"context"
	"flag"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/capture"
	"netsim/capture/capturetest"
	"netsim/plots/msc"
	"netsim/scenarios"
	"netsim/scenarios/campaign"
)

// captureOf runs the first point of a scenario file's text with a capture on hosts,
// as `netsim run --pcap` does, and returns the capture and what the run measured.
func captureOf(t *testing.T, text string, hosts ...string) (*capturetest.Capture, scenarios.Outcome) {
	t.Helper()
	s, err := scenarios.Parse("capture.yaml", []byte(text))
	require.NoError(t, err)
	var out scenarios.Outcome
	c := capturetest.Run(t, hosts, func(attach capturetest.Attach) error {
		var err error
		out, err = s.Kind.Run(context.Background(), s.Point(0).Params, scenarios.RunEnv{
			Seed: 1, Topology: s.Topology, Schedule: s.Schedule, Attach: attach})
		return err
	})
	return c, out
}

// Kurose & Ross §2.2.2's non-persistent HTTP, as Wireshark shows it (§2.2's lab):
// for the base file and each of its 2 objects, a connection of its own — SYN,
// SYN-ACK, the GET carrying the handshake's ACK, the response — and every frame
// decodes as TCP and HTTP with its real text and Content-Length body.
func TestPcapOfNonPersistentHTTP(t *testing.T) {
	c, _ := captureOf(t, `kind: http
params: {mode: nonpersistent, objects: 2, base_size: 6821B, object_size: 10000B, rtt: 100ms, download: 10Mbps, upload: 10Mbps}
`, "browser", "www.someschool.edu")
	c.Check(t)
	require.Equal(t, [][]string{
		{"GET", "/index.html", "www.someschool.edu"},
		{"GET", "/img/1.jpg", "www.someschool.edu"},
		{"GET", "/img/2.jpg", "www.someschool.edu"},
	}, c.Fields(t, "browser", "http.request", "http.request.method", "http.request.uri", "http.host"))
	require.Equal(t, [][]string{{"200", "6821"}, {"200", "10000"}, {"200", "10000"}},
		c.Fields(t, "browser", "http.response", "http.response.code", "http.content_length"))
	require.Len(t, c.Fields(t, "www.someschool.edu", "tcp.flags.syn == 1 && tcp.flags.ack == 0", "tcp.stream"), 3)
}

// Persistent, pipelined HTTP: the three requests go back to back on one connection,
// and the responses come back in their order on it.
func TestPcapOfPipelinedHTTP(t *testing.T) {
	c, _ := captureOf(t, `kind: http
params: {mode: pipelined, objects: 2, base_size: 6821B, object_size: 10000B, rtt: 100ms, download: 10Mbps, upload: 10Mbps}
`, "browser")
	c.Check(t)
	require.Equal(t, [][]string{{"0", "/index.html"}, {"0", "/img/1.jpg"}, {"0", "/img/2.jpg"}},
		c.Fields(t, "browser", "http.request", "tcp.stream", "http.request.uri"))
	require.Equal(t, [][]string{{"0", "200", "6821"}, {"0", "200", "10000"}, {"0", "200", "10000"}},
		c.Fields(t, "browser", "http.response", "tcp.stream", "http.response.code", "http.content_length"))
}

// Client-server and P2P distribution of a 200 kB file to three peers (Kurose & Ross
// §2.5), captured at the server and at a peer: the protocol's binary messages
// reassemble in tshark to exactly their encoding and the file's length of data, and
// TCP analysis finds nothing wrong. In P2P mode peer1, the lowest of the peers, dials
// the server and its two neighbours (one connection per pair, relaying both ways),
// and the server dials it for its part and for the direct share: five SYNs.
func TestPcapOfFileDistribution(t *testing.T) {
	for _, c := range []struct {
		mode       string
		peer1Conns int
	}{{"client-server", 1}, {"p2p", 5}} {
		t.Run(c.mode, func(t *testing.T) {
			capt, _ := captureOf(t, `kind: filedist
params: {mode: `+c.mode+`, file: 1600000bit, server_upload: 10Mbps, peers: 3, peer_upload: 4Mbps, upload_spread: 0.25, peer_download: 20Mbps, delay: 2ms}
`, "server", "peer1")
			capt.Check(t)
			syns := capt.Fields(t, "peer1", "tcp.flags.syn == 1 && tcp.flags.ack == 0", "tcp.stream")
			require.Len(t, syns, c.peer1Conns)
			if c.mode == "client-server" {
				// The server sends each peer the whole file: its data, one piece
				// header (25 bytes) and the request it answers (5 bytes), per peer.
				require.Equal(t, int64(3*(200_000+25+5)), capt.Streams(t, "server"))
			}
		})
	}
}

// Kurose & Ross §2.2.5's web cache, captured on the cache's host (host0) and on a
// browser (host1): every exchange is HTTP over TCP, browser to cache and cache to
// origin, and decodes as such. Each GET the browsers send reaches the cache; the
// cache's own GETs (misses and revalidations) go to the origin, and each is answered.
func TestPcapOfAWebCache(t *testing.T) {
	c, out := captureOf(t, `kind: webcache
params: {requests: 40, warmup: 0, browsers: 2, origins: 1, object_size: 20000B, internet_delay: 200ms}
`, "host0", "host1")
	c.Check(t)
	cache := c.IP(t, "host0")
	inbound := c.Fields(t, "host0", "http.request && ip.dst == "+cache, "http.request.uri")
	outbound := c.Fields(t, "host0", "http.request && ip.src == "+cache, "http.request.uri")
	responses := c.Fields(t, "host0", "http.response", "http.response.code")
	require.Len(t, inbound, 40)
	require.Equal(t, len(inbound)+len(outbound), len(responses))
	fresh := int(math.Round(out.Values["hit_ratio"]*40)) - int(out.Values["not_modified"])
	require.Equal(t, 40-fresh, len(outbound), "a fresh hit is answered without asking the origin")
}

var update = flag.Bool("update", false, "rewrite the golden charts in testdata/")

// golden compares the chart's SVG with testdata/name.svg (and writes the PNG beside
// it with -update, for the README).
func golden(t *testing.T, c *msc.Chart, name string) {
	t.Helper()
	var svg bytes.Buffer
	require.NoError(t, c.Encode(&svg, "svg"))
	path := filepath.Join("testdata", name+".svg")
	if *update {
		require.NoError(t, msc.Save(c, filepath.Join("testdata", name)))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to write %s", path)
	require.True(t, bytes.Equal(want, svg.Bytes()), "%s differs from the chart drawn: look at it, then go test -update", path)
}

// Kurose & Ross Figure 2.7, "Back-of-the-envelope calculation for the time needed to
// request and receive an HTML file": non-persistent HTTP spends one RTT on the TCP
// handshake, then one RTT from the request to the first bits of the response, then
// the file's transmission time. Here the RTT is 100 ms and the browser's 1 Mbps
// download takes 7020 × 8 µs = 56.16 ms to bring the 6821-byte file and its 199-byte
// header.
func TestChartOfANonPersistentFetch(t *testing.T) {
	c, _ := captureOf(t, `kind: http
params: {mode: nonpersistent, objects: 0, base_size: 6821B, rtt: 100ms, download: 1Mbps, upload: 1Mbps, cookies: false}
`, "browser", "www.someschool.edu")
	chart, err := c.Recorder.Chart([]string{"browser", "www.someschool.edu"}, capture.ChartOptions{
		Title: "Non-persistent HTTP: one object over a fresh TCP connection (K&R Fig. 2.7)"})
	require.NoError(t, err)
	var labels []string
	for _, m := range chart.Messages {
		labels = append(labels, m.Label)
	}
	require.Equal(t, []string{"SYN", "SYN-ACK", "GET /index.html HTTP/1.1", "HTTP/1.1 200 OK", "FIN", "FIN"}, labels)
	require.Len(t, chart.Brackets, 2)
	for _, b := range chart.Brackets {
		require.Equal(t, 0, b.Host, "the browser measures both round trips")
	}
	require.Equal(t, "RTT 100.6 ms", chart.Brackets[0].Label) // SYN and SYN-ACK: 40 bytes each at 1 Mbps
	require.InDelta(t, 100.0, chart.Brackets[1].ToMs-chart.Brackets[1].FromMs, 1)
	resp := chart.Messages[3]
	require.InDelta(t, 56.16, resp.SentMs-resp.SendMs, 1e-9)
	golden(t, chart, "http-nonpersistent")
}

// A run stopped at a limit has no capture, and is not run again for one: resumed, the
// campaign finds its run done, where a run that ended without its capture files is
// run again to write them.
func TestCaptureOfARunStoppedAtALimit(t *testing.T) {
	s, err := scenarios.Parse("capture.yaml", []byte("kind: http\nname: stopped\nlimits: {events: 10}\ncapture: {pcap: [browser]}\n"))
	require.NoError(t, err)
	dir := t.TempDir()
	res, err := campaign.Run(context.Background(), s, campaign.RunOptions{OutDir: dir, Workers: 1})
	require.NoError(t, err)
	require.Equal(t, map[string]int{campaign.StatusEvents: 1}, res.Stopped())
	again, err := campaign.Run(context.Background(), s, campaign.RunOptions{OutDir: dir, Workers: 1})
	require.NoError(t, err)
	require.Equal(t, 1, again.Skipped)
}

// A proxy cache as Wireshark shows it at the cache (Kurose & Ross §2.2.5): a browser
// (10.0.0.4) asks the cache (10.0.0.3) three times in 0.2 s for the object on server0
// (10.0.0.5), each time on a new connection, the others being busy. With collapsed
// forwarding, the cache sends one GET of the same target and Host to the origin (once
// its 2 s handshake is done, after all three), and relays the one 200 that comes back
// to each of the three requests; every frame decodes as TCP and HTTP with its real
// text and Content-Length body.
func TestPcapOfCollapsedWebCache(t *testing.T) {
	c, _ := captureOf(t, `kind: webcache
params: {requests: 3, warmup: 0, hit_probability: 1, hot_objects: 1, collapse: true, browsers: 1, origins: 1}
`, "host0")
	c.Check(t)
	browser, cache, origin := c.IP(t, "host1"), c.IP(t, "host0"), c.IP(t, "server0")
	get := []string{"GET", "/objects/0", "server0"}
	require.Equal(t, [][]string{
		append([]string{browser, cache}, get...), append([]string{browser, cache}, get...),
		append([]string{browser, cache}, get...), append([]string{cache, origin}, get...),
	}, c.Fields(t, "host0", "http.request", "ip.src", "ip.dst", "http.request.method", "http.request.uri", "http.host"))
	ok := []string{"200", "125000"}
	require.Equal(t, [][]string{
		append([]string{origin, cache}, ok...),
		append([]string{cache, browser}, ok...), append([]string{cache, browser}, ok...), append([]string{cache, browser}, ok...),
	}, c.Fields(t, "host0", "http.response", "ip.src", "ip.dst", "http.response.code", "http.content_length"))
}
