package http_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/apps/http"
	"netsim/capture/capturetest"
	"netsim/sim"
)

// Kurose & Ross §2.2.2's non-persistent HTTP, as Wireshark shows it (§2.2's lab):
// for the base file and each of its 2 objects, a connection of its own — SYN,
// SYN-ACK, the GET carrying the handshake's ACK, the response — and every frame
// decodes as TCP and HTTP with its real text and Content-Length body.
func TestPcapOfNonPersistentHTTP(t *testing.T) {
	c := capturetest.Run(t, []string{http.BrowserHost, http.ServerHost}, func(attach capturetest.Attach) error {
		_, err := http.Simulate(context.Background(), http.Config{
			Mode: http.NonPersistent, BaseBytes: 6821, ObjectBytes: []int64{10_000, 3000},
			RTT: 100 * sim.Millisecond, BrowserDownloadBps: 10e6, BrowserUploadBps: 10e6,
			Sessions: 1, Attach: attach,
		}, 1, nil)
		return err
	})
	c.Check(t)
	require.Equal(t, [][]string{
		{"GET", "/index.html", "www.someschool.edu"},
		{"GET", "/img/1.jpg", "www.someschool.edu"},
		{"GET", "/img/2.jpg", "www.someschool.edu"},
	}, c.Fields(t, http.BrowserHost, "http.request", "http.request.method", "http.request.uri", "http.host"))
	require.Equal(t, [][]string{{"200", "6821"}, {"200", "10000"}, {"200", "3000"}},
		c.Fields(t, http.BrowserHost, "http.response", "http.response.code", "http.content_length"))
	require.Len(t, c.Fields(t, http.ServerHost, "tcp.flags.syn == 1 && tcp.flags.ack == 0", "tcp.stream"), 3)
}

// Persistent, pipelined HTTP: the three requests go back to back on one connection,
// and the responses come back in their order on it.
func TestPcapOfPipelinedHTTP(t *testing.T) {
	c := capturetest.Run(t, []string{http.BrowserHost}, func(attach capturetest.Attach) error {
		_, err := http.Simulate(context.Background(), http.Config{
			Mode: http.Pipelined, BaseBytes: 6821, ObjectBytes: []int64{10_000, 3000},
			RTT: 100 * sim.Millisecond, BrowserDownloadBps: 10e6, BrowserUploadBps: 10e6,
			Sessions: 1, Attach: attach,
		}, 1, nil)
		return err
	})
	c.Check(t)
	require.Equal(t, [][]string{{"0", "/index.html"}, {"0", "/img/1.jpg"}, {"0", "/img/2.jpg"}},
		c.Fields(t, http.BrowserHost, "http.request", "tcp.stream", "http.request.uri"))
	require.Equal(t, [][]string{{"0", "200", "6821"}, {"0", "200", "10000"}, {"0", "200", "3000"}},
		c.Fields(t, http.BrowserHost, "http.response", "tcp.stream", "http.response.code", "http.content_length"))
}
