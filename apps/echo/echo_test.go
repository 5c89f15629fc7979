package echo

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/apps/transcript"
	"netsim/sim"
	"netsim/topology"
)

// pair is a client and a server on a two-host access-link star, each link at rateBps
// (+Inf: unconstrained), the RTT split evenly over the two access links.
type pair struct {
	k              *sim.Kernel
	net            *topology.Network
	stack          *topology.Stack
	client, server topology.Host
}

func newPair(t *testing.T, rtt sim.Time, rateBps float64) pair {
	t.Helper()
	k := sim.NewKernel()
	net, err := topology.BuildStar(k, []topology.StarHost{
		{Name: "client", UploadBps: rateBps, DownloadBps: rateBps, Delay: rtt / 4},
		{Name: "server", UploadBps: rateBps, DownloadBps: rateBps, Delay: rtt/2 - rtt/4},
	})
	require.NoError(t, err)
	st := topology.NewStack(net, sim.NewStreams(1))
	c, _ := st.HostNamed("client")
	s, _ := st.HostNamed("server")
	return pair{k, net, st, c, s}
}

func (p pair) run(t *testing.T, udp bool, cfg ClientConfig) *Result {
	t.Helper()
	cfg.Server = topology.Addr{Node: p.server.Node(), Port: DefaultPort}
	cfg.ServerName = "server"
	res := &Result{}
	if udp {
		require.NoError(t, UDPServer(0, nil)(p.server))
		require.NoError(t, UDPClient(cfg, res)(p.client))
	} else {
		require.NoError(t, TCPServer(0, nil)(p.server))
		require.NoError(t, TCPClient(cfg, res)(p.client))
	}
	p.k.Run()
	require.Len(t, res.Exchanges, len(cfg.Lines))
	return res
}

// Kurose & Ross §2.7: UDP sends the line at once, so an exchange takes one RTT; TCP
// connects first (§2.2.2: one RTT for the handshake, the line riding on its ACK), so
// it takes two. With unconstrained links transmission takes no time and the times
// are the formulas to the nanosecond, at any RTT, the 40-byte control segments
// included.
func TestTimesAreTheRTTFormulas(t *testing.T) {
	for _, rtt := range []sim.Time{sim.Millisecond, 100 * sim.Millisecond, 333333334} {
		p := newPair(t, rtt, math.Inf(1))
		got, err := p.net.RTT(p.client.Node(), p.server.Node())
		require.NoError(t, err)
		require.Equal(t, rtt, got)
		udp := p.run(t, true, ClientConfig{Lines: []string{"hello", "world"}})
		for _, x := range udp.Exchanges {
			require.Equal(t, UDPTime(rtt), x.RTT(), "UDP at RTT %v", rtt)
		}
		require.Equal(t, []string{"HELLO", "WORLD"}, []string{udp.Exchanges[0].Answer, udp.Exchanges[1].Answer})
		p = newPair(t, rtt, math.Inf(1))
		tcp := p.run(t, false, ClientConfig{Lines: []string{"hello", "world"}})
		for _, x := range tcp.Exchanges {
			require.Equal(t, TCPTime(rtt), x.RTT(), "TCP at RTT %v", rtt)
			require.Equal(t, Upper(x.Line), x.Answer)
		}
		require.Equal(t, 0, p.stack.Live().ConnEnds, "every connection closed both ways")
	}
}

// On a slow link the transmission times add up exactly: at 8 Mbps a byte takes 1 µs.
// UDP: the line there and back, RTT + 2L µs. TCP: the SYN and SYN-ACK (40 bytes
// each), then the line and its answer: 2 RTT + 80 µs + 2L µs.
func TestTimesOnASlowLink(t *testing.T) {
	const rtt = 20 * sim.Millisecond
	s := strings.Repeat("x", 500)
	p := newPair(t, rtt, 8e6)
	udp := p.run(t, true, ClientConfig{Lines: []string{s}})
	require.Equal(t, rtt+1000*sim.Microsecond, udp.Exchanges[0].RTT())
	p = newPair(t, rtt, 8e6)
	tcp := p.run(t, false, ClientConfig{Lines: []string{s}})
	require.Equal(t, 2*rtt+80*sim.Microsecond+1000*sim.Microsecond, tcp.Exchanges[0].RTT())
}

// UDP with loss (Kurose & Ross §2.7: UDP gives no guarantee of delivery): with the
// client's access link dropping each datagram with probability p, an exchange loses
// its line or its answer with probability 1 − (1 − p)², and a lost one ends when the
// client's timeout expires. 4000 exchanges at p = 0.2: 0.36 expected, within four
// standard deviations of the binomial.
func TestUDPLossesFollowTheLinkLoss(t *testing.T) {
	const (
		n    = 4000
		loss = 0.2
		rtt  = 10 * sim.Millisecond
	)
	p := newPair(t, rtt, math.Inf(1))
	id, _ := p.net.Node("client")
	out, in := p.net.NodeLinks(id)
	for _, l := range append(out, in...) {
		p.net.SetLinkLoss(l, loss)
	}
	lines := make([]string, n)
	for i := range lines {
		lines[i] = fmt.Sprintf("line %d", i)
	}
	res := p.run(t, true, ClientConfig{Lines: lines, Timeout: 50 * sim.Millisecond})
	want := LostFraction(loss, 2)
	require.InDelta(t, 0.36, want, 1e-12)
	sd := math.Sqrt(want * (1 - want) / n)
	got := float64(res.Lost()) / n
	require.InDelta(t, want, got, 4*sd)
	for _, x := range res.Exchanges {
		if x.Lost {
			require.Equal(t, 50*sim.Millisecond, x.RTT(), "a lost exchange ends at the timeout")
		} else {
			require.Equal(t, rtt, x.RTT())
			require.Equal(t, Upper(x.Line), x.Answer)
		}
	}
}

// The servers read what the texts' programs read: 2048 bytes of a datagram, 1024 of a
// TCP connection.
func TestServersReadTheirBufferSize(t *testing.T) {
	long := strings.Repeat("ab", 1500) // 3000 bytes
	p := newPair(t, sim.Millisecond, math.Inf(1))
	udp := p.run(t, true, ClientConfig{Lines: []string{long}})
	require.Equal(t, strings.ToUpper(long[:2048]), udp.Exchanges[0].Answer)
	p = newPair(t, sim.Millisecond, math.Inf(1))
	tcp := p.run(t, false, ClientConfig{Lines: []string{long}})
	require.Equal(t, strings.ToUpper(long[:1024]), tcp.Exchanges[0].Answer)
}

// Upper changes the ASCII letters only, as Python 2's str.upper does on bytes.
func TestUpper(t *testing.T) {
	require.Equal(t, "HELLO, WORLD! 123 \xe9T\xc3\xa9", Upper("hello, World! 123 \xe9t\xc3\xa9"))
}

// The dialogue of one exchange each way, as the client saw it.
func ExampleTCPClient() {
	k := sim.NewKernel()
	net, _ := topology.BuildStar(k, []topology.StarHost{
		{Name: "client", UploadBps: math.Inf(1), DownloadBps: math.Inf(1), Delay: 25 * sim.Millisecond},
		{Name: "server", UploadBps: math.Inf(1), DownloadBps: math.Inf(1), Delay: 25 * sim.Millisecond},
	})
	st := topology.NewStack(net, sim.NewStreams(1))
	c, _ := st.HostNamed("client")
	s, _ := st.HostNamed("server")
	var tr transcript.Recorder
	var res Result
	cfg := ClientConfig{Server: topology.Addr{Node: s.Node(), Port: DefaultPort}, ServerName: "server",
		Lines: []string{"input lowercase sentence"}, Trace: &tr}
	TCPServer(0, nil)(s)
	UDPServer(0, nil)(s)
	TCPClient(cfg, &res)(c)
	UDPClient(cfg, &res)(c)
	k.Run()
	fmt.Print(tr.String())
	for _, x := range res.Exchanges {
		fmt.Println(x.RTT())
	}
	// The UDP answer and the TCP handshake's SYN-ACK reach the client at the same
	// instant, 100 ms; the datagram, queued for its arrival when it left, comes first.
	//
	// Output:
	// === connection 1 (udp) opened at 0s: client:49153 → server:12000
	// C: input lowercase sentence [no CRLF]
	// S: INPUT LOWERCASE SENTENCE [no CRLF]
	// === connection 1 closed at 100ms
	// === connection 2 (tcp) opened at 100ms: client:49152 → server:12000
	// C: input lowercase sentence [no CRLF]
	// S: INPUT LOWERCASE SENTENCE [no CRLF]
	// === connection 2 closed at 200ms
	// 100ms
	// 200ms
}
