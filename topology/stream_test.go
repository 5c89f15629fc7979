package topology

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/sim"
)

// streamEvent is what a stream test records: a message arriving, or its last bit
// leaving its sender (OnSent), and when.
type streamEvent struct {
	what string // "recv" or "sent"
	key  string // connection and message
	at   sim.Time
}

type streamRun struct {
	events []streamEvent
	stats  FlowStats
	taps   int
	bytes  [2]int64 // bytes sent and received over all hosts
}

type countTap struct{ n *int }

func (c countTap) Transmitted(*Transmission) { *c.n++ }

// runStreams is a mesh of connections on a star of hosts of different rates, each
// sending messages of many sizes in bursts, one more queued from OnSent for some,
// some taken back with Unsend, and replies: every decision fixed in advance or by the
// message, so that the two orders of a stream's flows (drain or not) run the same
// workload.
func runStreams(t *testing.T, noDrain bool, packetBytes int64) streamRun {
	t.Helper()
	k := sim.NewKernel()
	rates := []float64{1e6, 2e6, 4e6, 8e6, 3e6}
	var hs []StarHost
	for i, r := range rates {
		hs = append(hs, StarHost{Name: fmt.Sprintf("h%d", i), UploadBps: r, DownloadBps: 2 * r, Delay: sim.Time(i+1) * sim.Millisecond})
	}
	net, err := BuildStar(k, hs)
	require.NoError(t, err)
	st := NewStack(net, sim.NewStreams(1))
	st.noDrain = noDrain
	st.TCP.ControlBytes = 40
	st.TCP.PacketBytes = packetBytes
	var run streamRun
	hosts := make([]Host, len(rates))
	for i := range rates {
		hosts[i] = st.Host(NodeID(i))
	}
	st.SetTap(countTap{&run.taps}, hosts[0].Node(), hosts[3].Node())
	record := func(what, key string) {
		run.events = append(run.events, streamEvent{what, key, k.Now()})
	}
	for i, h := range hosts {
		_, err := h.Listen(80, func(c Conn) {
			c.SetHandler(&ConnHandler{OnMessage: func(c Conn, m Message) {
				record("recv", fmt.Sprintf("%v>%v:%v", c.Remote(), c.Local(), m.Payload))
				if m.SizeBytes%3 == 0 {
					c.Send(Message{SizeBytes: m.SizeBytes / 3, Payload: fmt.Sprintf("re-%v", m.Payload)})
				}
			}})
		})
		require.NoError(t, err)
		_ = i
	}
	rng := rand.New(rand.NewPCG(7, 9))
	for i, h := range hosts {
		for _, j := range []int{(i + 1) % len(hosts), (i + 3) % len(hosts)} {
			type burst struct {
				at    sim.Time
				sizes []int64
			}
			var bursts []burst
			for b := 0; b < 6; b++ {
				bu := burst{at: sim.Time(rng.IntN(400)) * sim.Millisecond}
				for m := 0; m < 1+rng.IntN(4); m++ {
					size := int64(1 + rng.IntN(30000))
					if rng.IntN(3) == 0 {
						size = int64(1 + rng.IntN(40)) // a have, a request
					}
					bu.sizes = append(bu.sizes, size)
				}
				bursts = append(bursts, bu)
			}
			name := fmt.Sprintf("%d-%d", i, j)
			h.Dial(Addr{hosts[j].Node(), 80}, TCPOptions{}, func(c Conn, err error) {
				require.NoError(t, err)
				seq := 0
				var last SendID
				send := func(size int64) {
					seq++
					id, err := c.Send(Message{SizeBytes: size, Payload: fmt.Sprintf("%s#%d", name, seq)})
					require.NoError(t, err)
					last = id
				}
				c.SetHandler(&ConnHandler{
					OnMessage: func(c Conn, m Message) { record("recv", fmt.Sprintf("%v<%v:%v", c.Local(), c.Remote(), m.Payload)) },
					OnSent: func(c Conn, id SendID) {
						record("sent", fmt.Sprintf("%s@%d", name, id))
						switch id % 4 {
						case 1: // keep the pipe just full
							send(int64(id)*997%20000 + 1)
						case 2: // take back what was queued last, if it has not started
							c.Unsend(last)
						}
					},
				})
				for _, bu := range bursts {
					h.After(bu.at, func() {
						for _, s := range bu.sizes {
							send(s)
						}
					})
				}
			})
		}
	}
	k.RunUntil(20 * sim.Second)
	run.stats = net.Stats()
	for i := range hosts {
		s := st.Stats(NodeID(i))
		run.bytes[0] += s.BytesSent
		run.bytes[1] += s.BytesReceived
	}
	sort.SliceStable(run.events, func(a, b int) bool { return run.events[a].key < run.events[b].key })
	return run
}

// A stream's next segment, ready when the last one ends, goes on the same flow
// (Network.drain): the set of active flows an instant later is the same, so the
// max-min allocation (Bertsekas & Gallager §6.5.2: unique) is the same as after
// ending the flow and starting another. Every message arrives, and leaves, when it
// did with one flow per segment, within the nanosecond roundings of the completions
// the other order re-solves, with far fewer flows.
func TestDrainMovesNoMessage(t *testing.T) {
	old := runStreams(t, true, 0)
	now := runStreams(t, false, 0)
	require.Equal(t, len(old.events), len(now.events))
	require.Greater(t, len(now.events), 200)
	var worst sim.Time
	for i := range old.events {
		a, b := old.events[i], now.events[i]
		require.Equal(t, a.what+a.key, b.what+b.key)
		worst = max(worst, a.at-b.at, b.at-a.at)
	}
	require.LessOrEqual(t, worst, 10*sim.Nanosecond, "largest difference in a message's time")
	require.Equal(t, old.bytes, now.bytes)
	require.Equal(t, old.taps, now.taps)
	require.Zero(t, old.stats.Extensions)
	require.Greater(t, now.stats.Extensions, uint64(100))
	require.Equal(t, old.stats.Starts, now.stats.Starts+now.stats.Extensions)
	t.Logf("%d events, worst difference %v; flows %d → %d", len(now.events), worst, old.stats.Starts, now.stats.Starts)
}

// clientServer's 8 Mbps star moves a byte a microsecond. A bulk message of 10,000 bytes
// leaves the client on one connection from t0; 1 ms later ten 9-byte messages (a
// BitTorrent have each) are queued at once on a second, idle connection. As flows
// (the fluid model), they share the uplink with the bulk message, 4 Mbps each: 18 µs
// apiece, back to back on one flow, and the bulk message ends 90 µs late, the time
// of their 90 bytes. As packets (TCPParams.PacketBytes = 64) each takes its 9 µs at
// the line rate and the bulk message ends at t0 + 10 ms exactly: 8·B/C = 90 µs
// earlier, packet.go's bound for the other flows, met with equality.
func TestPacketTakesItsLineRateTime(t *testing.T) {
	for _, c := range []struct {
		packetBytes int64
		each        sim.Time // a small message's time on the wire
		bulkLate    sim.Time
		flows       uint64 // flows the small messages started
	}{{0, 18 * sim.Microsecond, 90 * sim.Microsecond, 1}, {64, 9 * sim.Microsecond, 0, 0}} {
		t.Run(fmt.Sprintf("packet=%dB", c.packetBytes), func(t *testing.T) {
			k, st, client, server := clientServer(t, 10*sim.Millisecond, 15*sim.Millisecond)
			st.TCP.ControlBytes = 0
			st.TCP.PacketBytes = c.packetBytes
			var arrivals []sim.Time
			var bulkAt sim.Time
			_, err := server.Listen(80, func(c Conn) {
				c.SetHandler(&ConnHandler{OnMessage: func(c Conn, m Message) {
					if m.SizeBytes == 10_000 {
						bulkAt = k.Now()
					} else {
						arrivals = append(arrivals, k.Now())
					}
				}})
			})
			require.NoError(t, err)
			var bulk, small Conn
			for _, p := range []*Conn{&bulk, &small} {
				client.Dial(Addr{server.Node(), 80}, TCPOptions{}, func(c Conn, err error) {
					require.NoError(t, err)
					*p = c
				})
			}
			k.RunUntil(sim.Second) // both open, nothing on the wire
			t0 := k.Now()
			_, err = bulk.Send(Message{SizeBytes: 10_000})
			require.NoError(t, err)
			before := st.Network().Stats().Starts
			client.After(sim.Millisecond, func() {
				for range 10 {
					small.Send(Message{SizeBytes: 9})
				}
			})
			k.Run()
			oneWay := 25 * sim.Millisecond
			require.Len(t, arrivals, 10)
			for i, at := range arrivals {
				require.Equal(t, t0+sim.Millisecond+sim.Time(i+1)*c.each+oneWay, at, "message %d", i)
			}
			require.Equal(t, t0+10*sim.Millisecond+c.bulkLate+oneWay, bulkAt)
			require.Equal(t, c.flows, st.Network().Stats().Starts-before)
			cs, ss := st.Stats(client.Node()), st.Stats(server.Node())
			require.Equal(t, int64(10_090), cs.BytesSent)
			require.Equal(t, int64(10_090), cs.WireBytesSent)
			require.Equal(t, int64(10_090), ss.BytesReceived)
		})
	}
}

// Datagrams as packets: each leaves at its line-rate time behind the last (one
// interface queue), costs no flow, and a link failing while one is on the wire loses
// it (counted).
func TestUDPPacketsLeaveInTurnAtLineRate(t *testing.T) {
	k, st, client, server := clientServer(t, 10*sim.Millisecond, 15*sim.Millisecond)
	st.UDP.PacketBytes = 512
	var got []sim.Time
	_, err := server.BindUDP(53, func(from Addr, m Message) { got = append(got, k.Now()) })
	require.NoError(t, err)
	u, err := client.BindUDP(0, nil)
	require.NoError(t, err)
	for range 5 {
		require.NoError(t, u.SendTo(Addr{server.Node(), 53}, Message{SizeBytes: 100}))
	}
	k.Run()
	require.Len(t, got, 5)
	for i, at := range got {
		require.Equal(t, sim.Time(i+1)*100*sim.Microsecond+25*sim.Millisecond, at)
	}
	require.Zero(t, st.Network().Stats().Starts)
	require.Equal(t, int64(500), st.Stats(server.Node()).BytesReceived)

	// The client's uplink fails 50 µs into the next datagram: it is lost.
	up := st.Network().Route
	r, err := up(client.Node(), server.Node())
	require.NoError(t, err)
	start := k.Now()
	require.NoError(t, u.SendTo(Addr{server.Node(), 53}, Message{SizeBytes: 100}))
	k.At(start+50*sim.Microsecond, func() { st.Network().FailLink(r.Links[0]) })
	k.Run()
	require.Len(t, got, 5)
	require.Equal(t, int64(1), st.Stats(client.Node()).DatagramsLost)
}

// A connection's packet that a link failure catches on the wire is sent again whole
// once the link is back, and arrives once; bytes and messages are counted once.
func TestTCPPacketLostToALinkFailureIsSentAgain(t *testing.T) {
	k, st, client, server := clientServer(t, 10*sim.Millisecond, 15*sim.Millisecond)
	st.TCP.ControlBytes = 0
	st.TCP.PacketBytes = 64
	var got []sim.Time
	_, err := server.Listen(80, func(c Conn) {
		c.SetHandler(&ConnHandler{OnMessage: func(c Conn, m Message) { got = append(got, k.Now()) }})
	})
	require.NoError(t, err)
	var conn Conn
	client.Dial(Addr{server.Node(), 80}, TCPOptions{}, func(c Conn, err error) { conn = c })
	k.RunUntil(sim.Second)
	r, err := st.Network().Route(client.Node(), server.Node())
	require.NoError(t, err)
	flows := st.Network().Stats().Starts // the handshake's bare ACK, of 0 bytes
	_, err = conn.Send(Message{SizeBytes: 50})
	require.NoError(t, err)
	t0 := k.Now()
	k.At(t0+20*sim.Microsecond, func() { st.Network().FailLink(r.Links[0]) })
	k.At(t0+100*sim.Millisecond, func() { st.Network().RestoreLink(r.Links[0]) })
	k.RunUntil(10 * sim.Second)
	require.Len(t, got, 1)
	// The loss is found when the packet's last bit leaves, at t0 + 50 µs; it is sent
	// again at the RTO, 3·RTT = 150 ms raised to MinRTO = 200 ms (RFC 6298 §2.4),
	// taking 50 µs again, and arrives 25 ms later.
	require.Equal(t, t0+50*sim.Microsecond+200*sim.Millisecond+50*sim.Microsecond+25*sim.Millisecond, got[0])
	cs := st.Stats(client.Node())
	require.Equal(t, int64(50), cs.BytesSent)
	require.Equal(t, int64(1), cs.MessagesSent)
	require.Equal(t, int64(1), cs.Retransmissions)
	require.Equal(t, flows, st.Network().Stats().Starts)
}

// With PacketBytes at least ControlBytes, the handshake's SYN and SYN-ACK are packets
// too: each takes its 40 µs at 8 Mbps, as a flow alone on the link would, and a
// fresh fetch costs 2 RTT + their times + the transmission times (K&R §2.2.2), with
// no flow but the data's.
func TestControlSegmentsAsPackets(t *testing.T) {
	k, st, client, server := clientServer(t, 10*sim.Millisecond, 15*sim.Millisecond)
	st.TCP.PacketBytes = 100
	serveObjects(t, server, 10_000)
	var got sim.Time
	client.Dial(Addr{server.Node(), 80}, TCPOptions{}, func(c Conn, err error) {
		require.NoError(t, err)
		c.SetHandler(&ConnHandler{OnMessage: func(Conn, Message) { got = k.Now() }})
		c.Send(Message{SizeBytes: 100})
	})
	k.Run()
	rtt := 50 * sim.Millisecond
	require.Equal(t, 2*rtt+2*ctl+(100+10_000)*sim.Microsecond, got)
	require.Equal(t, uint64(1), st.Network().Stats().Starts, "only the 10,000-byte object is a flow")
}

// Packets change times, not counts: the same workload with its small segments as
// packets delivers the same messages, with the same bytes sent and received and the
// same transmissions seen by a tap, with fewer flows.
func TestPacketsKeepCountsTrue(t *testing.T) {
	fluid := runStreams(t, false, 0)
	pk := runStreams(t, false, 64)
	require.Equal(t, len(fluid.events), len(pk.events))
	for i := range fluid.events {
		require.Equal(t, fluid.events[i].what+fluid.events[i].key, pk.events[i].what+pk.events[i].key)
	}
	require.Equal(t, fluid.bytes, pk.bytes)
	require.Equal(t, fluid.taps, pk.taps)
	require.Less(t, pk.stats.Starts, fluid.stats.Starts)
}
