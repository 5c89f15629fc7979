package kinds

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/apps/echo"
	"netsim/apps/ftp"
	"netsim/scenarios"
	"netsim/scenarios/campaign"
)

// unconstrainedRTT100 is a star whose links have no rate: transmission takes no time,
// and the client and the server are 25 ms from the core each, an RTT of 100 ms, the
// kinds' default rtt.
const unconstrainedRTT100 = `topology:
  star:
    hosts:
      - {name: client, delay: 25ms}
      - {name: server, delay: 25ms}
`

// runPoints runs every point of a scenario's text, as a campaign would, and calls
// check with each point's parameters and outcome.
func runPoints[P any](t *testing.T, text string, check func(p *P, out scenarios.Outcome)) {
	t.Helper()
	s, err := scenarios.Parse("test.yaml", []byte(text))
	require.NoError(t, err)
	for _, pt := range s.Points() {
		out, err := s.Kind.Run(context.Background(), pt.Params, scenarios.RunEnv{Seed: 1, Topology: s.Topology})
		require.NoError(t, err, "%v", pt.Assign)
		check(pt.Params.(*P), out)
	}
}

// Issue 14, acceptance 5, for the texts' socket programs (Kurose & Ross §2.7): when
// transmission takes no time, the UDP exchange takes exactly one RTT and the TCP one
// exactly two (the handshake's, then the line's), and the kind's rtt_formula says so.
func TestEchoTimesAreTheRTTFormulasExactly(t *testing.T) {
	runPoints(t, "kind: echo\nparams: {lines: 3}\nsweep: {protocol: [udp, tcp]}\n"+unconstrainedRTT100, func(p *echoParams, out scenarios.Outcome) {
		want := theoryOf(t, kindNamed(t, "echo"), "rtt_formula", p)
		require.Equal(t, map[string]float64{"udp": 0.1, "tcp": 0.2}[p.Protocol], want)
		require.Equal(t, want, out.Values["rtt_s"], p.Protocol)
		require.Equal(t, 0.0, out.Values["lost_fraction"])
	})
}

// The built-in echo: at 1 Gbps the round trips are the RTT formulas plus the line's
// transmission, to the nanosecond (the 21-byte line and its answer, 168 ns each way;
// TCP adds its SYN, its SYN-ACK and the handshake's ACK the line rides on, 40 bytes
// each: 320 ns; each transfer rounds to its nanosecond), and UDP's lost lines follow
// 1 − (1 − p)² within four standard deviations of the binomial over 200 lines.
func TestBuiltinEcho(t *testing.T) {
	s, err := scenarios.Load("echo")
	require.NoError(t, err)
	res, err := campaign.Run(context.Background(), s, campaign.RunOptions{Workers: 2})
	require.NoError(t, err)
	require.Len(t, res.Runs, 2*5*5)
	for _, r := range res.Runs {
		pt := s.Point(r.Point)
		p := pt.Params.(*echoParams)
		line := 2 * float64(len(p.Line)) * 8 / p.Rate.Bps()
		if p.Protocol == "tcp" {
			require.InDelta(t, echo.TCPTime(p.RTT.Time()).Seconds()+line+3*40*8/p.Rate.Bps(), r.Values["rtt_s"], 5e-9, "%v", pt.Assign)
			require.Zero(t, r.Values["lost_fraction"])
			continue
		}
		require.InDelta(t, echo.UDPTime(p.RTT.Time()).Seconds()+line, r.Values["rtt_s"], 1e-9, "%v", pt.Assign)
		want := theoryOf(t, s.Kind, "loss_formula", p)
		sd := (want * (1 - want) / float64(p.Lines))
		require.InDelta(t, want, r.Values["lost_fraction"], 4*math.Sqrt(sd)+1e-12, "%v", pt.Assign)
	}
}

// Issue 14, acceptance 5, for ftp-vs-http: with no transmission time, fetching K
// files takes exactly ftp.SessionRTTs(K) RTTs over FTP, active or passive (4 + 3K:
// connect and greeting, login, then a data connection per file), and 2K, K + 1 and 2
// over HTTP non-persistent, persistent and pipelined (Kurose & Ross §2.2.2); FTP opens
// 1 + K connections, non-persistent HTTP K, persistent HTTP one.
func TestFTPAgainstHTTPIsTheRTTFormulasExactly(t *testing.T) {
	runPoints(t, "kind: ftp\nsweep: {protocol: [ftp-active, ftp-passive, http-nonpersistent, http-persistent, http-pipelined], files: [1, 3, 7]}\n"+unconstrainedRTT100,
		func(p *ftpParams, out scenarios.Outcome) {
			k := p.Files
			rtts := map[string]int{"ftp-active": 4 + 3*k, "ftp-passive": 4 + 3*k, "http-nonpersistent": 2 * k, "http-persistent": k + 1, "http-pipelined": 2}[p.Protocol]
			require.Equal(t, ftp.SessionRTTs(k, false), 4+3*k)
			want := theoryOf(t, kindNamed(t, "ftp"), "rtt_formula", p)
			require.InDelta(t, float64(rtts)*0.1, want, 1e-12)
			require.Equal(t, float64(rtts), out.Values["transfer_rtts"], "%s K=%d: whole RTTs, to the nanosecond", p.Protocol, k)
			require.InDelta(t, want, out.Values["transfer_s"], 1e-12, "%s K=%d", p.Protocol, k)
			conns := map[string]int{"ftp-active": 1 + k, "ftp-passive": 1 + k, "http-nonpersistent": k, "http-persistent": 1, "http-pipelined": 1}[p.Protocol]
			require.Equal(t, float64(conns), out.Values["conns_opened"], "%s K=%d", p.Protocol, k)
			require.Equal(t, float64(k), out.Values["files"])
		})
}

func kindNamed(t *testing.T, name string) scenarios.Kind {
	t.Helper()
	k, ok := scenarios.LookupKind(name)
	require.True(t, ok, name)
	return k
}

// The built-in ftp-vs-http: at 1 Gbps, 10 kB files take 80 µs each to cross, and
// every point lies above its RTT formula by no more than the files' transmission; the connections are FTP's
// 1 + K, non-persistent HTTP's K, persistent HTTP's one.
func TestBuiltinFTPVsHTTP(t *testing.T) {
	s, err := scenarios.Load("ftp-vs-http")
	require.NoError(t, err)
	res, err := campaign.Run(context.Background(), s, campaign.RunOptions{Workers: 2})
	require.NoError(t, err)
	require.Len(t, res.Runs, 5*10)
	for _, r := range res.Runs {
		pt := s.Point(r.Point)
		p := pt.Params.(*ftpParams)
		want := theoryOf(t, s.Kind, "rtt_formula", p)
		require.GreaterOrEqual(t, r.Values["transfer_s"], want, "%v", pt.Assign)
		// Above it by no more than the files' transmission and 1000 bytes of framing each.
		slack := float64(p.Files) * float64(p.FileSize.Bytes()+1000) * 8 / p.Rate.Bps()
		require.InDelta(t, want, r.Values["transfer_s"], slack, "%v", pt.Assign)
		conns := map[string]int{"ftp-active": 1 + p.Files, "ftp-passive": 1 + p.Files, "http-nonpersistent": p.Files}[p.Protocol]
		require.Equal(t, float64(max(conns, 1)), r.Values["conns_opened"], "%v", pt.Assign)
	}
}
