package topology

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/sim"
)

// tapLog records what a tap is told, one line per transmission.
type tapRecorder struct {
	st    *Stack
	lines []string
	all   []*Transmission
}

func (r *tapRecorder) Transmitted(t *Transmission) {
	r.all = append(r.all, t)
	name := func(a Addr) string { return fmt.Sprintf("%s:%d", r.st.Network().NodeName(a.Node), a.Port) }
	line := fmt.Sprintf("%s %s>%s start=%v end=%v delay=%v", t.Kind, name(t.From), name(t.To), t.Start, t.End, t.Delay)
	if t.Kind == TapData || t.Kind == TapDatagram {
		line += fmt.Sprintf(" bytes=%d+%d", t.Offset, t.Bytes)
	}
	if t.Cut {
		line += " cut"
	}
	r.lines = append(r.lines, line)
}

// A tapped fetch reports each segment once, with the fluid model's times: at 8 Mbps a
// byte takes 1 µs, a 40-byte control segment 40 µs, and every bit arrives one one-way
// delay (10 + 15 ms) after it left. The request carries the handshake's ACK, so no
// bare ACK is sent (RFC 793 §3.4's handshake as the stack models it).
func TestTapSeesEverySegmentAtItsTime(t *testing.T) {
	k, st, client, server := clientServer(t, 10*sim.Millisecond, 15*sim.Millisecond)
	rec := &tapRecorder{st: st}
	st.SetTap(rec, client.Node())
	_, err := server.Listen(80, func(c Conn) {
		c.SetHandler(&ConnHandler{
			OnMessage: func(c Conn, m Message) { c.Send(Message{SizeBytes: 10_000, Payload: "object"}) },
			OnClose:   func(c Conn) { c.Close() },
		})
	})
	require.NoError(t, err)
	client.Dial(Addr{server.Node(), 80}, TCPOptions{}, func(c Conn, err error) {
		require.NoError(t, err)
		c.SetHandler(&ConnHandler{OnMessage: func(c Conn, m Message) { c.Close() }})
		c.Send(Message{SizeBytes: 100, Payload: "GET"})
	})
	k.Run()
	want := []string{
		"SYN client:49152>server:80 start=0s end=40µs delay=25ms",
		"SYN-ACK server:80>client:49152 start=25.04ms end=25.08ms delay=25ms",
		"data client:49152>server:80 start=50.08ms end=50.18ms delay=25ms bytes=0+100",
		"data server:80>client:49152 start=75.18ms end=85.18ms delay=25ms bytes=0+10000",
		"FIN client:49152>server:80 start=110.18ms end=110.22ms delay=25ms",
		"FIN server:80>client:49152 start=135.22ms end=135.26ms delay=25ms",
	}
	require.Equal(t, strings.Join(want, "\n"), strings.Join(rec.lines, "\n"))
	obj := rec.all[3]
	require.Equal(t, obj.Start+1460*sim.Microsecond, obj.Departed(1460), "one MSS at 1 byte/µs")
	require.Equal(t, obj.End, obj.Departed(10_000))
}

// A segment's departure follows the flow's rate over time: a second download sharing
// the server's 8 Mbps uplink from 5 ms on halves the first one's rate, so its bytes
// after the first 5000 leave at 2 µs each (max-min fairness, Bertsekas & Gallager
// §6.5).
func TestTapDepartureFollowsTheRate(t *testing.T) {
	k := sim.NewKernel()
	net, err := BuildStar(k, []StarHost{
		{Name: "a", UploadBps: 1e9, DownloadBps: 1e9},
		{Name: "b", UploadBps: 1e9, DownloadBps: 1e9},
		{Name: "server", UploadBps: 8e6, DownloadBps: 1e9},
	})
	require.NoError(t, err)
	st := NewStack(net, sim.NewStreams(1))
	st.TCP.ControlBytes = 0
	rec := &tapRecorder{st: st}
	srv, _ := st.HostNamed("server")
	a, _ := st.HostNamed("a")
	b, _ := st.HostNamed("b")
	st.SetTap(rec, a.Node())
	_, err = srv.Listen(80, func(c Conn) {
		c.SetHandler(&ConnHandler{OnMessage: func(c Conn, m Message) {
			c.Send(Message{SizeBytes: m.SizeBytes * 1000, Payload: "object"})
		}})
	})
	require.NoError(t, err)
	get := func(h Host) {
		h.Dial(Addr{srv.Node(), 80}, TCPOptions{}, func(c Conn, err error) {
			require.NoError(t, err)
			c.Send(Message{SizeBytes: 10, Payload: "GET"}) // 80 ns at 1 Gbps
		})
	}
	get(a)                                        // a 10,000-byte object from 80 ns on
	b.After(5*sim.Millisecond, func() { get(b) }) // another from 5 ms + 80 ns on
	k.Run()
	var obj *Transmission
	for _, tr := range rec.all {
		if tr.Kind == TapData && tr.To.Node == a.Node() {
			obj = tr
		}
	}
	require.NotNil(t, obj)
	t0 := 80 * sim.Nanosecond
	require.Equal(t, t0, obj.Start)
	require.Equal(t, t0+5000*sim.Microsecond, obj.Departed(5000))
	require.Equal(t, t0+5*sim.Millisecond+2*2000*sim.Microsecond, obj.Departed(7000))
	require.Equal(t, t0+15*sim.Millisecond, obj.End)
}

// A reset on the wire is reported; a message cut by it reports the bytes that left.
func TestTapReportsACutMessage(t *testing.T) {
	k, st, client, server := clientServer(t, 10*sim.Millisecond, 15*sim.Millisecond)
	st.TCP.ControlBytes = 0
	rec := &tapRecorder{st: st}
	st.SetTap(rec, server.Node())
	_, err := server.Listen(80, func(c Conn) {
		c.SetHandler(&ConnHandler{OnMessage: func(c Conn, m Message) {
			c.Send(Message{SizeBytes: 10_000, Payload: "object"})
			server.After(4*sim.Millisecond, func() { c.Abort() })
		}})
	})
	require.NoError(t, err)
	client.Dial(Addr{server.Node(), 80}, TCPOptions{}, func(c Conn, err error) {
		c.Send(Message{SizeBytes: 100, Payload: "GET"})
	})
	k.Run()
	require.Equal(t, []string{
		"SYN client:49152>server:80 start=0s end=0s delay=25ms",
		"SYN-ACK server:80>client:49152 start=25ms end=25ms delay=25ms",
		"data client:49152>server:80 start=50ms end=50.1ms delay=25ms bytes=0+100",
		"data server:80>client:49152 start=75.1ms end=79.1ms delay=25ms bytes=0+4000 cut",
		"RST server:80>client:49152 start=79.1ms end=79.1ms delay=25ms",
	}, rec.lines)
}

// The tap sees a datagram with its sender's and receiver's ports.
func TestTapSeesDatagrams(t *testing.T) {
	k, st, client, server := clientServer(t, 10*sim.Millisecond, 15*sim.Millisecond)
	rec := &tapRecorder{st: st}
	st.SetTap(rec, server.Node())
	_, err := server.BindUDP(53, func(Addr, Message) {})
	require.NoError(t, err)
	u, err := client.BindUDP(0, nil)
	require.NoError(t, err)
	require.NoError(t, u.SendTo(Addr{server.Node(), 53}, Message{SizeBytes: 35, Payload: "query"}))
	k.Run()
	require.Equal(t, []string{"datagram client:49152>server:53 start=0s end=35µs delay=25ms bytes=0+35"}, rec.lines)
}

// Node i's address is 10.0.0.0 + i + 1.
func TestNodeIPv4(t *testing.T) {
	require.Equal(t, "10.0.0.1", NodeID(0).IPv4().String())
	require.Equal(t, "10.0.1.0", NodeID(255).IPv4().String())
	require.Equal(t, "10.1.0.0", NodeID(65535).IPv4().String())
	require.Panics(t, func() { NodeID(1<<24 - 2).IPv4() })
}
