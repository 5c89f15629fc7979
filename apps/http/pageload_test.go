package http

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/sim"
	"netsim/topology"
)

func sizes(k int, each int64) []int64 {
	s := make([]int64, k)
	for i := range s {
		s[i] = each
	}
	return s
}

// Reference: Kurose & Ross §2.2.2 ("HTTP with non-persistent connections": two RTTs
// per object, one for the TCP handshake and one for the request and the start of the
// response; "with persistent connections" the handshake is paid once; pipelined
// requests are sent back to back) and the chapter's problems on P parallel
// connections (P7–P9 of the 6th edition). With transmission times zero (links of
// unlimited rate, as the closed forms assume) the page load time is exactly, to the
// nanosecond:
//
//	non-persistent serial   2(K+1) RTT
//	P parallel              2 RTT + 2⌈K/P⌉ RTT
//	persistent              2 RTT + K RTT
//	pipelined               2 RTT + 1 RTT
//
// for K = 1..20 and P = 1..10. The RTT is odd in nanoseconds so that a delay split in
// halves or quarters wrongly would show.
func TestPageLoadMatchesRTTFormulas(t *testing.T) {
	const rtt = 100*sim.Millisecond + 2 // one-way delays 25 ms and 25 ms + 1 ns
	for k := 1; k <= 20; k++ {
		for _, mode := range Modes {
			ps := []int{0}
			if mode == Parallel {
				ps = []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
			}
			for _, p := range ps {
				name := fmt.Sprintf("%s/K=%d/P=%d", mode, k, p)
				res := simulate(t, pageConfig{Mode: mode, Parallel: p, BaseBytes: 6821, ObjectBytes: sizes(k, 20_000), RTT: rtt, Cookies: true})
				require.Equal(t, rtt, res.RTT, name)
				pg := res.Pages[0]
				want := sim.Time(PageLoadRTTs(mode, k, p)) * rtt
				require.Equal(t, want, pg.LoadTime(), name)
				require.Equal(t, 2*rtt, pg.BaseTime(), name+": base object after 2 RTT")
				require.Equal(t, k+1, pg.Objects, name)
				conns := ConnectionsPerPage(mode, k)
				require.Equal(t, conns, pg.ConnsOpened, name)
				// The handshakes the load time holds: PageLoadRTTs less one request
				// RTT per fetch on the critical path.
				critical := map[Mode]int{NonPersistent: k + 1, Parallel: 1 + (k+p-1)/max(p, 1), Persistent: 1, Pipelined: 1}[mode]
				require.Equal(t, critical, pg.HandshakeRTTs, name)
				// Bytes are the server's and the browser's true counts (no idle close is
				// before the end of the run counted twice: the browser sends nothing else).
				require.Equal(t, res.BrowserBytesSent, pg.RequestBytes, name)
				require.Equal(t, res.ServerBytesSent, pg.ResponseBytes, name)
			}
		}
	}
}

// Reference: Kurose & Ross §2.2.2, "the total response time is two RTTs plus the
// transmission time at the server of the HTML file", extended to every object. The
// links run at 1 Gbit/s, so transmission is tiny but not zero, and the expected time
// is computed message by message, each taking ⌈8L/C⌉ ns on the wire (the flow model
// rounds a completion up once to the nanosecond) after the bytes L of its real text,
// then the one-way delay d = RTT/2:
//
//	non-persistent: per object  RTT + tq + d + tr + d
//	persistent:     base as above, then per object  tq + d + tr + d
//	pipelined:      requests leave back to back; the server starts response i when
//	                request i has arrived and response i−1 has left
//
// A handshake costs one RTT plus the transmission of the SYN and the SYN-ACK, each a
// 40-byte control segment (the first request carries the ACK). Every message rides its
// own links alone (requests on the uplinks, responses on the downlinks), so no sharing
// interferes and the match is exact — with one exception: in non-persistent mode the
// browser closes a connection (its FIN) at the instant it dials the next, so that SYN
// shares the browser's uplink with the FIN and takes twice its transmission time.
func TestPageLoadExactWithTransmission(t *testing.T) {
	const (
		rtt  = 80 * sim.Millisecond
		d    = rtt / 2
		bps  = 1e9
		base = 6821
	)
	tx := func(bytes int64) sim.Time { return sim.SecondsCeil(float64(8*bytes) / bps) }
	// The texts the browser and server send, built here as the hand computation's
	// inputs: the golden-text test pins them character by character.
	reqBytes := func(path string, persistent bool) int64 {
		r := Request{Method: "GET", Target: path, Version: "HTTP/1.1", Host: ServerHost, UserAgent: DefaultUserAgent}
		if !persistent {
			r.Connection = "close"
		}
		return r.WireBytes()
	}
	respBytes := func(size int64, ctype string, persistent bool, at sim.Time) int64 {
		r := Response{Version: "HTTP/1.1", Status: 200, Date: at, Server: DefaultServerName, LastModified: -24 * sim.Hour,
			HasLastModified: true, ContentLength: size, ContentType: ctype, BodyBytes: size}
		if !persistent {
			r.Connection = "close"
		}
		return r.WireBytes()
	}
	for k := 1; k <= 20; k++ {
		objs := make([]int64, k)
		for i := range objs {
			objs[i] = int64(1000 * (i + 1)) // different sizes: 1 kB, 2 kB, …
		}
		for _, mode := range []Mode{NonPersistent, Persistent, Pipelined} {
			name := fmt.Sprintf("%s/K=%d", mode, k)
			pers := mode != NonPersistent
			res := simulate(t, pageConfig{Mode: mode, BaseBytes: base, ObjectBytes: objs, RTT: rtt,
				BrowserDownloadBps: bps, BrowserUploadBps: bps, ServerUploadBps: bps, ServerDownloadBps: bps})
			ctl := tx(topology.DefaultTCP().ControlBytes)
			// The base: handshake, request, response.
			now := rtt + 2*ctl + tx(reqBytes("/index.html", pers)) + d
			now += tx(respBytes(base, "text/html", pers, now)) + d
			require.Equal(t, now, res.Pages[0].BaseTime(), name)
			switch mode {
			case NonPersistent, Persistent:
				for i, s := range objs {
					if !pers {
						now += rtt + 3*ctl // a new handshake, its SYN beside the last FIN
					}
					now += tx(reqBytes(fmt.Sprintf("/img/%d.jpg", i+1), pers)) + d
					now += tx(respBytes(s, "image/jpeg", pers, now)) + d
				}
			case Pipelined:
				sent, free := now, sim.Time(0) // browser uplink free at, server uplink free at
				for i, s := range objs {
					sent += tx(reqBytes(fmt.Sprintf("/img/%d.jpg", i+1), true))
					start := max(sent+d, free)
					// The response is created (dated) when the request arrives.
					free = start + tx(respBytes(s, "image/jpeg", true, sent+d))
				}
				now = free + d
			}
			require.Equal(t, now, res.Pages[0].LoadTime(), name)
		}
	}
}

// Acceptance 2 of issue 3. Reference: Kurose & Ross §2.2.2 and the problem on
// parallel connections sharing a link (P9 of the 6th edition: the link is shared
// equally among the connections open at once). A 1 Mbit/s download link is the only
// constraint; the page is a base of 10 kB and K = 10 objects of 100 kB, loaded over
// P = 5 parallel non-persistent connections. By hand: the base takes 2 RTT + Lb·8/C;
// then two rounds, each of one handshake RTT, one request RTT, and 5 responses of Lo
// bytes sharing C, which end together after 5·Lo·8/C:
//
//	T = 2 RTT + Lb·8/C + 2·(2 RTT + 5·Lo·8/C)
//
// where Lb and Lo are the responses' wire sizes: the body plus the header text,
// counted here from the text written out.
func TestParallelConnectionsShareSlowLink(t *testing.T) {
	const (
		rtt = 100 * sim.Millisecond
		c   = 1e6
	)
	header := func(length, ctype string) int {
		return len("HTTP/1.1 200 OK\r\n" +
			"Connection: close\r\n" +
			"Date: Mon, 01 Jan 2024 00:00:00 GMT\r\n" + // every HTTP date has 29 characters
			"Server: Apache/2.2.3 (CentOS)\r\n" +
			"Last-Modified: Sun, 31 Dec 2023 00:00:00 GMT\r\n" +
			"Content-Length: " + length + "\r\n" +
			"Content-Type: " + ctype + "\r\n" +
			"\r\n")
	}
	lb := float64(10_000 + header("10000", "text/html"))
	lo := float64(100_000 + header("100000", "image/jpeg"))
	r := rtt.Seconds()
	want := 2*r + lb*8/c + 2*(2*r+5*lo*8/c)

	res := simulate(t, pageConfig{Mode: Parallel, Parallel: 5, BaseBytes: 10_000, ObjectBytes: sizes(10, 100_000), RTT: rtt, BrowserDownloadBps: c})
	got := res.Pages[0].LoadTime().Seconds()
	require.InEpsilon(t, want, got, 1e-3, "want %.6f s, got %.6f s", want, got)
	t.Logf("hand %.9f s, simulated %.9f s (relative difference %.2g)", want, got, math.Abs(got-want)/want)

	// The same page over one pipelined persistent connection: all objects back to back
	// at the full C, one handshake: T = 3 RTT + (Lb' + 10·Lo')·8/C, with the headers
	// now without "Connection: close".
	close := float64(len("Connection: close\r\n"))
	want = 3*r + (lb-close)*8/c + 10*(lo-close)*8/c
	res = simulate(t, pageConfig{Mode: Pipelined, BaseBytes: 10_000, ObjectBytes: sizes(10, 100_000), RTT: rtt, BrowserDownloadBps: c})
	got = res.Pages[0].LoadTime().Seconds()
	require.InEpsilon(t, want, got, 1e-3, "pipelined: want %.6f s, got %.6f s", want, got)
}

// FluidPageLoad is the theory curve of the http-transmission scenario; with headers
// of the size the model sends, it must agree with the simulation, window cap included.
// Reference: the window limit rate ≤ W/RTT (Kurose & Ross §3.5.5's throughput bound).
func TestFluidPageLoadAgreesWithSimulation(t *testing.T) {
	const (
		rtt    = 100 * sim.Millisecond
		link   = 20e6
		window = 65535
		obj    = 300_000
	)
	for _, mode := range Modes {
		res := simulate(t, pageConfig{Mode: mode, Parallel: 5, BaseBytes: 10_000, ObjectBytes: sizes(10, obj), RTT: rtt,
			BrowserDownloadBps: link, TCP: tcpWindow(window)})
		want := FluidPageLoad(mode, 10, 5, rtt.Seconds(), 10_000, obj, link, window)
		// Headers (about 200 bytes a response) are the only difference.
		require.InEpsilon(t, want, res.Pages[0].LoadTime().Seconds(), 2e-3, string(mode))
	}
}

func tcpWindow(bytes int64) topology.TCPOptions { return topology.TCPOptions{WindowBytes: bytes} }
