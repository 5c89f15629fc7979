package capture_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/apps/http"
	"netsim/capture"
	"netsim/capture/capturetest"
	"netsim/plots/msc"
	"netsim/sim"
)

var update = flag.Bool("update", false, "rewrite the golden charts in testdata/")

// golden compares the chart's SVG with testdata/name.svg (and writes the PNG beside
// it with -update, for the README).
func golden(t *testing.T, c *msc.Chart, name string) {
	t.Helper()
	var svg bytes.Buffer
	require.NoError(t, c.Encode(&svg, "svg"))
	path := filepath.Join("testdata", name+".svg")
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
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
	c := capturetest.Run(t, []string{http.BrowserHost, http.ServerHost}, func(attach capturetest.Attach) error {
		_, err := http.Simulate(context.Background(), http.Config{
			Mode: http.NonPersistent, BaseBytes: 6821, RTT: 100 * sim.Millisecond,
			BrowserDownloadBps: 1e6, BrowserUploadBps: 1e6, Sessions: 1, Attach: attach,
		}, 1, nil)
		return err
	})
	chart, err := c.Recorder.Chart([]string{http.BrowserHost, http.ServerHost}, capture.ChartOptions{
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
