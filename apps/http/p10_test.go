package http

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/sim"
	"netsim/topology"
)

// Issue 9, acceptance 1. Reference: Kurose & Ross, chapter 2, problem P10: "a short,
// 10-meter link, over which a sender can transmit at a rate of 150 bits/sec in both
// directions", control packets of 200 bits, a base object and 10 referenced objects
// of 100 kbit each. topology/p10_test.go solves it with bare sockets; here the
// browser and the server speak HTTP/1.1 — real request and response texts, so the
// requests are not the problem's 200 bits but their own length — with the server's
// default idle timeout (15 s) and the browser's default response timeout (300 s).
// Each object's response takes 11 minutes to cross the link (ten parallel ones take
// 2 hours), far beyond both timeouts: the idle timeout counts only from when the
// last response has left, and the response timeout waits while a response is
// arriving, so every mode loads every object.
//
// By hand, with C = 150 bit/s, c = 200 bits a control packet, q and r the bits of
// each request and response text (body included), Tp = 33 ns, and the objects in
// order 0 (the base) to 10:
//
//	non-persistent: Σ_i (s_i + c + q_i + r_i)/C + 4 Tp, s_0 = c and s_i = 2c after
//	                the base: the SYN leaves beside the FIN that closes the last
//	                connection, sharing the link with it
//	persistent:     (2c + q_0 + r_0)/C + 4 Tp + Σ_{i≥1} ((q_i + r_i)/C + 2 Tp)
//	pipelined:      (2c + q_0 + r_0)/C + 4 Tp + q_1/C + Tp + Σ_{i≥1} r_i/C + Tp: the
//	                requests leave back to back, the responses follow each other
//	parallel P=10:  the base as non-persistent, then the base's FIN and 10 SYNs share
//	                the uplink (11c/C), the 10 SYN-ACKs the downlink (10c/C), the 10
//	                requests the uplink — the nine for /img/1.jpg … /img/9.jpg end
//	                together after 10 q_1/C, the one for /img/10.jpg, a character
//	                longer, 8/C later — and the 10 responses the downlink: busy from
//	                the first of them to the last, 10 r/C (the first nine's FINs
//	                share the link only with the last response's last 8/9 bit)
//
// The simulation rounds each flow's completion up to the nanosecond: within 100 ns.
func TestP10EveryModeLoadsEveryObjectOnA150BitLink(t *testing.T) {
	const (
		bps = 150.0
		c   = 200.0
		tp  = 33e-9
		obj = 100_000 / 8 // bytes
	)
	reqBits := func(path string, close bool) float64 {
		r := Request{Method: MethodGet, Target: path, Version: Version11, Host: ServerHost, UserAgent: DefaultUserAgent}
		if close {
			r.Connection = "close"
		}
		return float64(8 * r.WireBytes())
	}
	respBits := func(ctype string, close bool) float64 {
		r := Response{Version: Version11, Status: StatusOK, Server: DefaultServerName, LastModified: -24 * sim.Hour,
			HasLastModified: true, ContentLength: obj, ContentType: ctype, BodyBytes: obj}
		if close {
			r.Connection = "close"
		}
		return float64(8 * r.WireBytes())
	}
	path := func(i int) string {
		if i == 0 {
			return "/index.html"
		}
		return fmt.Sprintf("/img/%d.jpg", i)
	}
	ctype := func(i int) string {
		if i == 0 {
			return "text/html"
		}
		return "image/jpeg"
	}
	hand := func(mode Mode) float64 {
		close := mode == NonPersistent || mode == Parallel
		base := (2*c+reqBits(path(0), close)+respBits(ctype(0), close))/bps + 4*tp
		switch mode {
		case NonPersistent:
			t := base
			for i := 1; i <= 10; i++ {
				t += (3*c+reqBits(path(i), true)+respBits(ctype(i), true))/bps + 4*tp
			}
			return t
		case Persistent:
			t := base
			for i := 1; i <= 10; i++ {
				t += (reqBits(path(i), false)+respBits(ctype(i), false))/bps + 2*tp
			}
			return t
		case Pipelined:
			return base + reqBits(path(1), false)/bps + tp + 10*respBits(ctype(1), false)/bps + tp
		}
		connected := base + 11*c/bps + tp + 10*c/bps + tp
		q := reqBits(path(1), true)
		require.Equal(t, q+8, reqBits(path(10), true))
		return connected + (10*q+8)/bps + tp + 10*respBits(ctype(1), true)/bps + tp
	}
	for _, mode := range Modes {
		t.Run(string(mode), func(t *testing.T) {
			k := sim.NewKernel()
			net, err := topology.BuildExplicit(k, []string{BrowserHost, ServerHost}, []topology.LinkSpec{
				{From: BrowserHost, To: ServerHost, CapacityBps: bps, Delay: 33, Duplex: true},
			})
			require.NoError(t, err)
			st := topology.NewStack(net, sim.NewStreams(1))
			st.TCP.ControlBytes = c / 8
			sh, _ := st.HostNamed(ServerHost)
			bh, _ := st.HostNamed(BrowserHost)
			objs := make([]int64, 10)
			for i := range objs {
				objs[i] = obj
			}
			srv, err := NewServer(sh, ServerConfig{Objects: Page(obj, objs)}) // the defaults: a 15 s idle timeout
			require.NoError(t, err)
			b, err := NewBrowser(bh, BrowserConfig{Mode: mode, Parallel: 10, Resolve: net.Node})
			require.NoError(t, err)
			var pg *PageResult
			b.Load(URL{Host: ServerHost, Path: "/index.html"}, func(r PageResult) { pg = &r })
			k.Run()
			require.NotNil(t, pg)
			require.True(t, pg.Complete())
			require.Equal(t, 11, pg.Objects)
			require.Zero(t, pg.Errors)
			require.Zero(t, pg.Retries)
			require.Equal(t, 11, pg.Requests)
			want := hand(mode)
			got := pg.LoadTime().Seconds()
			t.Logf("%s: hand %.9f s, simulated %.9f s", mode, want, got)
			require.InEpsilon(t, want, got, 1e-3, "within 0.1%% of the hand computation")
			require.InDelta(t, want, got, 100e-9)
			// Persistent modes: the one connection outlived 2 hours of transfers, and
			// the idle timeout closed it 15 s after the last response had left.
			if mode == Persistent || mode == Pipelined {
				require.Equal(t, 1, pg.ConnsOpened)
				require.Equal(t, int64(1), srv.Stats().ConnsClosedIdle)
			} else {
				require.Equal(t, 11, pg.ConnsOpened)
				require.Zero(t, srv.Stats().ConnsClosedIdle)
			}
		})
	}
}
