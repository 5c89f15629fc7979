package topology

import (
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/sim"
)

// Two paths from a to b: a–r1–b (1 ms a link) and a–r2–b (5 ms a link), and c on r1;
// every link 10 Mbps (1.25 B/µs) both ways. a and c each send 1 MB to b from 4 ms
// (both connections route through r1, RTT 4 ms), sharing r1→b at 0.625 B/µs. At
// 104 ms the link a→r1 fails. By hand, with free control segments:
//   - exactly a's flow crosses it and fails; c's gets the whole of r1→b at once: its
//     remaining 937,500 B take 750 ms, leave at 854 ms and arrive 2 ms later;
//   - a's connection hears nothing (a failed link sends no reset): its segments go
//     unacknowledged, and at the first retransmission timeout, 200 ms later (3·RTT is
//     below the floor), the route through r2 carries the rest: 937,500 B from
//     304 ms, 750 ms, and 10 ms to arrive;
//   - a new dial at 105 ms routes around the failure: SYN a→r2→b (10 ms), SYN-ACK
//     b→r1→a (2 ms): connected at 117 ms with an RTT of 12 ms.
func TestAFailedLinkFailsExactlyItsFlowsAndDialsRouteAroundIt(t *testing.T) {
	k := sim.NewKernel()
	const mbps10 = 10e6
	net, err := BuildExplicit(k, []string{"a", "b", "c", "r1", "r2"}, []LinkSpec{
		{From: "a", To: "r1", CapacityBps: mbps10, Delay: sim.Millisecond, Duplex: true},
		{From: "r1", To: "b", CapacityBps: mbps10, Delay: sim.Millisecond, Duplex: true},
		{From: "c", To: "r1", CapacityBps: mbps10, Delay: sim.Millisecond, Duplex: true},
		{From: "a", To: "r2", CapacityBps: mbps10, Delay: 5 * sim.Millisecond, Duplex: true},
		{From: "r2", To: "b", CapacityBps: mbps10, Delay: 5 * sim.Millisecond, Duplex: true},
	})
	require.NoError(t, err)
	st := NewStack(net, sim.NewStreams(1))
	st.TCP.ControlBytes = 0
	host := func(name string) Host { h, err := st.HostNamed(name); require.NoError(t, err); return h }
	a, b, c := host("a"), host("b"), host("c")
	got := map[NodeID]sim.Time{}
	_, err = b.Listen(7, func(cn Conn) {
		cn.SetHandler(&ConnHandler{OnMessage: func(cn Conn, m Message) { got[cn.Remote().Node] = k.Now() }})
	})
	require.NoError(t, err)
	for _, from := range []Host{a, c} {
		from.Dial(Addr{b.Node(), 7}, TCPOptions{}, func(cn Conn, err error) {
			require.NoError(t, err)
			require.Equal(t, 4*sim.Millisecond, cn.RTT())
			cn.Send(Message{SizeBytes: 1_000_000})
		})
	}
	ar1 := findLink(t, net, "a", "r1")
	k.At(104*sim.Millisecond, func() {
		require.Equal(t, 2, net.LinkFlows(findLink(t, net, "r1", "b")))
		net.FailLink(ar1)
		require.Equal(t, 1, net.LinkFlows(findLink(t, net, "r1", "b")), "only a's flow crossed a→r1")
		require.Equal(t, mbps10, net.LinkLoadBps(findLink(t, net, "r1", "b")), "c has the whole link at once")
	})
	var redialAt, redialRTT sim.Time
	a.After(105*sim.Millisecond, func() {
		a.Dial(Addr{b.Node(), 7}, TCPOptions{}, func(cn Conn, err error) {
			require.NoError(t, err)
			redialAt, redialRTT = k.Now(), cn.RTT()
			cn.Close()
		})
	})
	k.Run()
	require.Equal(t, 856*sim.Millisecond, got[c.Node()])
	require.Equal(t, (304+750+10)*sim.Millisecond, got[a.Node()])
	require.Equal(t, 117*sim.Millisecond, redialAt)
	require.Equal(t, 12*sim.Millisecond, redialRTT)
	require.Equal(t, int64(1), st.Stats(a.Node()).Retransmissions)
}

func findLink(t *testing.T, n *Network, from, to string) LinkID {
	t.Helper()
	f, t2 := mustNode(t, n, from), mustNode(t, n, to)
	for l := range n.NumLinks() {
		if li := n.Link(LinkID(l)); li.From == f && li.To == t2 {
			return LinkID(l)
		}
	}
	t.Fatalf("no link %s→%s", from, to)
	return -1
}

// A connection's segments land a propagation delay after their last bit leaves, by
// the route they took, and in sequence: when a route change puts a later one ahead of
// an earlier one still on its way, the peer's TCP holds the later one until the earlier
// is in (RFC 9293 §3.10.7.4; tcp.go's queue of segments in propagation). Paths a–r1–b
// (1 ms a link) and a–r2–b (5 ms a link), 10 Mbps; a→r1 down from the start, so a's
// data goes by r2 (10 ms) and b's by r1. Free control segments: connected at 12 ms.
// 1250-byte messages take 1 ms to leave: m1 sent at 20 ms leaves at 21 and lands at
// 31; a→r1 is restored at 21.5 ms, so m2 sent at 22 ms goes by r1 (2 ms): it leaves at
// 23 and reaches b at 25, and is delivered with m1 at 31, after it; m3 sent at 40 ms
// leaves at 41 and lands at 43.
func TestASegmentOnAShorterRouteIsDeliveredInSequence(t *testing.T) {
	k := sim.NewKernel()
	const mbps10 = 10e6
	net, err := BuildExplicit(k, []string{"a", "b", "r1", "r2"}, []LinkSpec{
		{From: "a", To: "r1", CapacityBps: mbps10, Delay: sim.Millisecond, Duplex: true},
		{From: "r1", To: "b", CapacityBps: mbps10, Delay: sim.Millisecond, Duplex: true},
		{From: "a", To: "r2", CapacityBps: mbps10, Delay: 5 * sim.Millisecond, Duplex: true},
		{From: "r2", To: "b", CapacityBps: mbps10, Delay: 5 * sim.Millisecond, Duplex: true},
	})
	require.NoError(t, err)
	ar1 := findLink(t, net, "a", "r1")
	net.FailLink(ar1)
	st := NewStack(net, sim.NewStreams(1))
	st.TCP.ControlBytes = 0
	host := func(name string) Host { h, err := st.HostNamed(name); require.NoError(t, err); return h }
	a, b := host("a"), host("b")
	type landed struct {
		what string
		at   sim.Time
	}
	var got []landed
	_, err = b.Listen(7, func(cn Conn) {
		cn.SetHandler(&ConnHandler{OnMessage: func(_ Conn, m Message) { got = append(got, landed{m.Payload.(string), k.Now()}) }})
	})
	require.NoError(t, err)
	var conn Conn
	a.Dial(Addr{b.Node(), 7}, TCPOptions{}, func(cn Conn, err error) {
		require.NoError(t, err)
		require.Equal(t, 12*sim.Millisecond, k.Now())
		conn = cn
	})
	send := func(at sim.Time, what string) {
		a.After(at, func() {
			_, err := conn.Send(Message{SizeBytes: 1250, Payload: what})
			require.NoError(t, err)
		})
	}
	send(20*sim.Millisecond, "m1")
	k.At(21*sim.Millisecond+500*sim.Microsecond, func() { net.RestoreLink(ar1) })
	send(22*sim.Millisecond, "m2")
	send(40*sim.Millisecond, "m3")
	k.Run()
	require.Equal(t, []landed{{"m1", 31 * sim.Millisecond}, {"m2", 31 * sim.Millisecond}, {"m3", 43 * sim.Millisecond}}, got)
}
