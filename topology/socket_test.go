package topology

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/sim"
)

// A star of a client and a server. 8 Mbps moves one byte per microsecond, so
// transmission times are exact in nanoseconds.
func clientServer(t *testing.T, clientDelay, serverDelay sim.Time) (*sim.Kernel, *Stack, Host, Host) {
	t.Helper()
	k := sim.NewKernel()
	net, err := BuildStar(k, []StarHost{
		{Name: "client", UploadBps: 8e6, DownloadBps: 8e6, Delay: clientDelay},
		{Name: "server", UploadBps: 8e6, DownloadBps: 8e6, Delay: serverDelay},
	})
	require.NoError(t, err)
	st := NewStack(net, sim.NewStreams(1))
	c, err := st.HostNamed("client")
	require.NoError(t, err)
	s, err := st.HostNamed("server")
	require.NoError(t, err)
	return k, st, c, s
}

// serveObjects answers every request message with an object of objectBytes.
func serveObjects(t *testing.T, s Host, objectBytes int64) {
	_, err := s.Listen(80, func(c Conn) {
		c.SetHandler(&ConnHandler{OnMessage: func(c Conn, m Message) {
			c.Send(Message{SizeBytes: objectBytes, Payload: "object"})
		}})
	})
	require.NoError(t, err)
}

// ctl is the transmission time of a default control segment (40 bytes) at 8 Mbps.
const ctl = 40 * sim.Microsecond

// Kurose & Ross §2.2.2: fetching an object over a new TCP connection takes one RTT
// to set the connection up and one RTT for the request and the start of the response,
// plus the time to transmit them: 2 RTT + transmission time. Over an existing
// connection (persistent HTTP) the set-up RTT is saved. With free control segments
// (the fluid model of the texts' formulas) that is exact; with the default 40-byte
// ones, the SYN and the SYN-ACK add their transmission times (the request carries the
// handshake's ACK).
func TestTCPFetchTakesTwoRTTFreshAndOneRTTReused(t *testing.T) {
	for _, c := range []struct {
		controlBytes int64
		handshake    sim.Time // beyond the RTT
	}{{0, 0}, {40, 2 * ctl}} {
		t.Run(fmt.Sprintf("control=%dB", c.controlBytes), func(t *testing.T) {
			testFreshAndReused(t, c.controlBytes, c.handshake)
		})
	}
}

func testFreshAndReused(t *testing.T, controlBytes int64, handshake sim.Time) {
	const (
		requestBytes = 100    // 100 µs at 8 Mbps
		objectBytes  = 10_000 // 10 ms at 8 Mbps
	)
	k, st, client, server := clientServer(t, 10*sim.Millisecond, 15*sim.Millisecond)
	st.TCP.ControlBytes = controlBytes
	serveObjects(t, server, objectBytes)
	rtt := 2 * (10 + 15) * sim.Millisecond
	tx := (requestBytes + objectBytes) * sim.Microsecond

	var fresh, reused sim.Time
	var conn Conn
	start := k.Now()
	client.Dial(Addr{server.Node(), 80}, TCPOptions{}, func(c Conn, err error) {
		require.NoError(t, err)
		require.Equal(t, rtt, c.RTT())
		conn = c
		c.SetHandler(&ConnHandler{OnMessage: func(c Conn, m Message) {
			if fresh == 0 {
				fresh = k.Now() - start
				start = k.Now()
				c.Send(Message{SizeBytes: requestBytes})
				return
			}
			reused = k.Now() - start
		}})
		c.Send(Message{SizeBytes: requestBytes})
	})
	k.Run()
	require.NotNil(t, conn)
	require.Equal(t, 2*rtt+tx+handshake, fresh, "fresh connection: 2 RTT + transmission")
	require.Equal(t, rtt+tx, reused, "existing connection: 1 RTT + transmission")
}

// RFC 793 §3.4: a SYN to a port nobody listens on is answered with a reset: the dial
// fails after one RTT, plus the SYN's and the RST's transmission.
func TestDialToClosedPortIsRefusedAfterOneRTT(t *testing.T) {
	k, st, client, server := clientServer(t, sim.Millisecond, 2*sim.Millisecond)
	var got error
	var at sim.Time
	client.Dial(Addr{server.Node(), 81}, TCPOptions{}, func(c Conn, err error) {
		got, at = err, k.Now()
	})
	k.Run()
	require.ErrorIs(t, got, ErrRefused)
	require.EqualError(t, got, "client: dial server:81: connection refused")
	require.Equal(t, 6*sim.Millisecond+2*ctl, at)
	require.Equal(t, int64(1), st.Stats(client.Node()).ConnsRefused)
	require.Equal(t, Live{}, st.Live(), "nothing left behind")
}

// Messages arrive whole and in order, and the peer's Close is seen after its last
// message.
func TestMessagesInOrderThenClose(t *testing.T) {
	k, st, client, server := clientServer(t, sim.Millisecond, sim.Millisecond)
	var got []any
	var closedAt sim.Time
	_, err := server.Listen(21, func(c Conn) {
		c.SetHandler(&ConnHandler{
			OnMessage: func(c Conn, m Message) { got = append(got, m.Payload) },
			OnClose:   func(c Conn) { closedAt = k.Now(); c.Close() },
		})
	})
	require.NoError(t, err)
	client.Dial(Addr{server.Node(), 21}, TCPOptions{}, func(c Conn, err error) {
		require.NoError(t, err)
		c.Send(Message{SizeBytes: 5000, Payload: "big"})
		c.Send(Message{SizeBytes: 1, Payload: "small"})
		c.Send(Message{SizeBytes: 0, Payload: "empty"})
		c.Close()
	})
	k.Run()
	require.Equal(t, []any{"big", "small", "empty"}, got)
	// Connected at 4 ms and two control segments; 5001 bytes take 5.001 ms; the FIN
	// (a control segment) arrives 2 ms after it is sent.
	require.Equal(t, 4*sim.Millisecond+2*ctl+5001*sim.Microsecond+ctl+2*sim.Millisecond, closedAt)
	require.Equal(t, int64(5001), st.Stats(client.Node()).BytesSent)
	require.Equal(t, int64(5001), st.Stats(server.Node()).BytesReceived)
	require.Equal(t, int64(1), st.Stats(client.Node()).ConnsOpened)
	require.Equal(t, int64(1), st.Stats(server.Node()).ConnsAccepted)
	// SYN, FIN from the client; SYN-ACK, FIN from the server; every end released.
	require.Equal(t, int64(2), st.Stats(client.Node()).SegmentsSent)
	require.Equal(t, int64(2), st.Stats(server.Node()).SegmentsSent)
	require.Equal(t, int64(5001+2*40), st.Stats(client.Node()).WireBytesSent)
	require.Equal(t, Live{Listeners: 1}, st.Live(), "both ends released; the listener stays")
}

// recorder is a Receiver: what it was given, and when.
type recorder struct {
	k   *sim.Kernel
	got []any
	at  []sim.Time
}

func (r *recorder) Receive(_ Conn, m Message) {
	r.got, r.at = append(r.got, m.Payload), append(r.at, r.k.Now())
}

// A handler's Receiver takes its messages in OnMessage's place: all of them, in
// order, at the times OnMessage has them.
func TestReceiverTakesMessagesInOnMessagesPlace(t *testing.T) {
	run := func(receiver bool) *recorder {
		k, _, client, server := clientServer(t, sim.Millisecond, sim.Millisecond)
		r := &recorder{k: k}
		_, err := server.Listen(21, func(c Conn) {
			if receiver {
				c.SetHandler(&ConnHandler{Receiver: r, OnMessage: func(Conn, Message) { t.Error("OnMessage called beside a Receiver") }})
				return
			}
			c.SetHandler(&ConnHandler{OnMessage: r.Receive})
		})
		require.NoError(t, err)
		client.Dial(Addr{server.Node(), 21}, TCPOptions{}, func(c Conn, err error) {
			require.NoError(t, err)
			c.Send(Message{SizeBytes: 5000, Payload: "big"})
			c.Send(Message{SizeBytes: 1, Payload: "small"})
		})
		k.Run()
		return r
	}
	r := run(true)
	require.Equal(t, []any{"big", "small"}, r.got)
	// As in TestMessagesInOrderThenClose: connected at 4 ms and two control segments;
	// 5000 bytes take 5 ms at 8 Mbps and land 2 ms after they left; 1 byte 1 µs more.
	require.Equal(t, []sim.Time{4*sim.Millisecond + 2*ctl + 5000*sim.Microsecond + 2*sim.Millisecond,
		4*sim.Millisecond + 2*ctl + 5001*sim.Microsecond + 2*sim.Millisecond}, r.at)
	require.Equal(t, run(false).at, r.at)
}

// fetchTime returns how long a client with opts waits, from the moment it is
// connected, for an object of objectBytes in answer to an empty request, over a 50 ms
// RTT on 8 Mbps links.
func fetchTime(t *testing.T, opts TCPOptions, objectBytes int64) sim.Time {
	t.Helper()
	k, _, client, server := clientServer(t, 10*sim.Millisecond, 15*sim.Millisecond)
	serveObjects(t, server, objectBytes)
	var took sim.Time
	client.Dial(Addr{server.Node(), 80}, opts, func(c Conn, err error) {
		require.NoError(t, err)
		start := k.Now()
		c.SetHandler(&ConnHandler{OnMessage: func(c Conn, m Message) { took = k.Now() - start }})
		c.Send(Message{SizeBytes: 0})
	})
	k.Run()
	return took
}

// A window cap bounds the rate at window/RTT: with a 10,000-byte window over a 50 ms
// RTT, 100,000 bytes take 10 RTTs even though the links could do it in 100 ms.
func TestWindowCapsRateAtWindowOverRTT(t *testing.T) {
	rtt := 50 * sim.Millisecond
	// request: 0 bytes, one-way; response: 10 RTTs of window-limited sending, one-way.
	require.InDelta(t, float64(rtt+10*rtt), float64(fetchTime(t, TCPOptions{WindowBytes: 10_000}, 100_000)), 2)
}

// Slow start (RFC 5681 §3.1) doubles the window every RTT: 7 initial windows of data
// take 3 RTTs (1 + 2 + 4 windows), where the link alone would need far less.
func TestSlowStartDoublesEachRTT(t *testing.T) {
	const iw = 1000
	opts := TCPOptions{SlowStart: true, InitialWindowBytes: iw, WindowBytes: 64 * iw}
	rtt := 50 * sim.Millisecond
	require.InDelta(t, float64(rtt+3*rtt), float64(fetchTime(t, opts, 7*iw)), 3)
}

// A relay forwards a part as it arrives: the relayed copy is never faster than the
// part's arrival, so both finish together, the relay one propagation delay later.
func TestForwardIsPacedByTheArrival(t *testing.T) {
	k := sim.NewKernel()
	net, err := BuildStar(k, []StarHost{
		{Name: "server", UploadBps: 1e6, DownloadBps: 1e9, Delay: sim.Millisecond},
		{Name: "relay", UploadBps: 1e9, DownloadBps: 1e9, Delay: sim.Millisecond},
		{Name: "sink", UploadBps: 1e9, DownloadBps: 1e9, Delay: sim.Millisecond},
	})
	require.NoError(t, err)
	st := NewStack(net, sim.NewStreams(1))
	srv, _ := st.HostNamed("server")
	relay, _ := st.HostNamed("relay")
	sink, _ := st.HostNamed("sink")
	st.TCP.ControlBytes = 0 // the fluid model: the handshake costs propagation only
	var relayDone, sinkDone sim.Time
	_, err = sink.Listen(9, func(c Conn) {
		c.SetHandler(&ConnHandler{OnMessage: func(Conn, Message) { sinkDone = k.Now() }})
	})
	require.NoError(t, err)
	var out RelayConn
	relay.Dial(Addr{sink.Node(), 9}, TCPOptions{}, func(c Conn, err error) {
		require.NoError(t, err)
		out = c.(RelayConn)
	})
	_, err = relay.Listen(9, func(c Conn) {
		c.SetHandler(&ConnHandler{
			OnArriving: func(_ Conn, a *Arrival) { out.Forward(a.Message, a) },
			OnMessage:  func(Conn, Message) { relayDone = k.Now() },
		})
	})
	require.NoError(t, err)
	k.RunUntil(10 * sim.Millisecond)
	srv.Dial(Addr{relay.Node(), 9}, TCPOptions{}, func(c Conn, err error) {
		require.NoError(t, err)
		c.Send(Message{SizeBytes: 125_000}) // 1 s at the server's 1 Mbps
	})
	k.Run()
	// Connected at 14 ms; one second of sending; 2 ms to the relay.
	require.Equal(t, 14*sim.Millisecond+sim.Second+2*sim.Millisecond, relayDone)
	// The relay started 2 ms after the server did and was held to its pace, and could
	// not finish before the part was whole at the relay; its last bits then take the
	// 2 ms to the sink.
	require.Equal(t, relayDone+2*sim.Millisecond, sinkDone)
}

// Loss is per link: a datagram crossing the client's uplink (loss 0.25) and the
// server's downlink (loss 0) survives with probability 0.75.
func TestUDPDeliversAndLosesAtTheConfiguredRate(t *testing.T) {
	k, st, client, server := clientServer(t, sim.Millisecond, sim.Millisecond)
	r, err := st.Network().Route(client.Node(), server.Node())
	require.NoError(t, err)
	st.Network().SetLinkLoss(r.Links[0], 0.25)
	received := 0
	var firstAt sim.Time
	_, err = server.BindUDP(53, func(from Addr, m Message) {
		if received == 0 {
			firstAt = k.Now()
		}
		received++
		require.Equal(t, client.Node(), from.Node)
	})
	require.NoError(t, err)
	sock, err := client.BindUDP(0, func(Addr, Message) {})
	require.NoError(t, err)
	const n = 20_000
	for range n {
		sock.SendTo(Addr{server.Node(), 53}, Message{SizeBytes: 1})
	}
	k.Run()
	// Binomial(n, 0.75): mean 15,000, sd 61; 5 sd either side.
	require.InDelta(t, 0.75*n, float64(received), 5*math.Sqrt(n*0.25*0.75))
	require.Equal(t, int64(n-received), st.Stats(client.Node()).DatagramsLost)
	// Datagrams leave one after another: the first of 1 byte (1 µs at 8 Mbps) arrives
	// 2 ms later unless it was lost, and none arrives before that.
	require.GreaterOrEqual(t, firstAt, sim.Microsecond+2*sim.Millisecond)
	require.Equal(t, sim.Time(n)*sim.Microsecond+2*sim.Millisecond, k.Now(), "the last leaves after n transmissions")
	_, err = server.BindUDP(53, nil)
	require.EqualError(t, err, "server: bind udp: port 53: port already in use")
}
