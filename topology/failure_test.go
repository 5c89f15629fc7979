package topology

import (
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/sim"
)

// A server and two clients on 8 Mbps access links (one byte a microsecond), one-way
// delays to the core of 1 ms (server), 2 ms (a) and 3 ms (b).
func serverAndTwo(t *testing.T, controlBytes int64) (*sim.Kernel, *Stack, Host, Host, Host) {
	t.Helper()
	k := sim.NewKernel()
	net, err := BuildStar(k, []StarHost{
		{Name: "server", UploadBps: 8e6, DownloadBps: 8e6, Delay: sim.Millisecond},
		{Name: "a", UploadBps: 8e6, DownloadBps: 8e6, Delay: 2 * sim.Millisecond},
		{Name: "b", UploadBps: 8e6, DownloadBps: 8e6, Delay: 3 * sim.Millisecond},
	})
	require.NoError(t, err)
	st := NewStack(net, sim.NewStreams(1))
	st.TCP.ControlBytes = controlBytes
	hs := make([]Host, 3)
	for i, n := range []string{"server", "a", "b"} {
		hs[i], err = st.HostNamed(n)
		require.NoError(t, err)
	}
	return k, st, hs[0], hs[1], hs[2]
}

// record is a handler that notes when each event reached an end.
type record struct {
	k        *sim.Kernel
	messages []sim.Time
	closes   []sim.Time
	resets   []sim.Time
	errs     []error
}

func (r *record) handler() *ConnHandler {
	return &ConnHandler{
		OnMessage: func(Conn, Message) { r.messages = append(r.messages, r.k.Now()) },
		OnClose:   func(Conn) { r.closes = append(r.closes, r.k.Now()) },
		OnReset: func(_ Conn, err error) {
			r.resets = append(r.resets, r.k.Now())
			r.errs = append(r.errs, err)
		},
	}
}

// The server dials a and b (listening on port 7) and sends each 1 MB; at T it aborts
// the connection to a. By hand, with free control segments: connected to a at 6 ms,
// to b at 8 ms; a's flow runs alone for 2 ms (2,000 B), then the two share the
// server's uplink at 0.5 B/µs. At T = 108 ms a's flow is aborted and b's gets the whole
// uplink at once: b has 50,000 B sent, 950,000 B to go in 950 ms, so its last bit
// leaves at 1.058 s and arrives 4 ms later. a hears the reset one one-way delay
// (3 ms) after T. With 40-byte control segments, everything starts 120 µs later (the
// two SYNs share the server's uplink, 80 µs, then a SYN-ACK, 40 µs), and the RST
// shares the uplink with b's flow for 80 µs: a hears it at T + 80 µs + 3 ms, and b's
// message is 40 µs later.
func TestAbortFreesTheBottleneckAtOnceAndThePeerHearsTheResetOneWayLater(t *testing.T) {
	for _, c := range []struct {
		controlBytes       int64
		shift, rst, bDelay sim.Time
	}{
		{0, 0, 0, 0},
		{40, 120 * sim.Microsecond, 80 * sim.Microsecond, 40 * sim.Microsecond},
	} {
		k, st, server, a, b := serverAndTwo(t, c.controlBytes)
		var ra, rb record
		ra.k, rb.k = k, k
		for _, x := range []struct {
			h Host
			r *record
		}{{a, &ra}, {b, &rb}} {
			_, err := x.h.Listen(7, func(cn Conn) { cn.SetHandler(x.r.handler()) })
			require.NoError(t, err)
		}
		var toA Conn
		for _, to := range []Host{a, b} {
			server.Dial(Addr{to.Node(), 7}, TCPOptions{}, func(cn Conn, err error) {
				require.NoError(t, err)
				if to == a {
					toA = cn
				}
				_, err = cn.Send(Message{SizeBytes: 1_000_000})
				require.NoError(t, err)
			})
		}
		T := 108*sim.Millisecond + c.shift
		k.RunUntil(T)
		require.NoError(t, toA.Abort())
		k.Run()
		require.Equal(t, []sim.Time{T + c.rst + 3*sim.Millisecond}, ra.resets, "a hears the reset one one-way delay later")
		require.ErrorIs(t, ra.errs[0], ErrReset)
		require.Empty(t, ra.messages)
		require.Equal(t, []sim.Time{1062*sim.Millisecond + c.shift + c.bDelay}, rb.messages, "b gets the whole uplink at the abort")
		_, err := toA.Send(Message{SizeBytes: 1})
		require.ErrorIs(t, err, ErrClosed)
		require.Equal(t, int64(1), st.Stats(a.Node()).ConnsReset)
	}
}

// A crashed host sends no reset: its peers learn of the crash only from their own
// timeouts. Here a receiver crashes: the server is sending 1 MB to a and 1 MB to b
// (as in the abort test: a's flow alone from 6 ms, shared from 8 ms) when a crashes
// at 100 ms. The flow towards a stops at once (TCP's ACK clock stops with the
// receiver), so b's flow gets the whole uplink: b has 46,000 B sent, 954,000 B to go,
// and its message arrives at 100 + 954 + 4 ms. The server hears nothing; its data
// to a is unacknowledged, and after RFC 6298's backoff from the 200 ms floor (RTT
// 6 ms, 3·RTT below the floor), 0.2·(2^10 − 1) + 6·120 = 924.6 s, the connection
// times out.
func TestACrashedReceiverIsNoticedOnlyThroughTheSendersTimeout(t *testing.T) {
	k, st, server, a, b := serverAndTwo(t, 0)
	var rs, rb record
	rs.k, rb.k = k, k
	_, err := a.Listen(7, func(cn Conn) {})
	require.NoError(t, err)
	_, err = b.Listen(7, func(cn Conn) { cn.SetHandler(rb.handler()) })
	require.NoError(t, err)
	for _, to := range []Host{a, b} {
		server.Dial(Addr{to.Node(), 7}, TCPOptions{}, func(cn Conn, err error) {
			require.NoError(t, err)
			if to == a {
				cn.SetHandler(rs.handler())
			}
			cn.Send(Message{SizeBytes: 1_000_000})
		})
	}
	st.CrashAt(100*sim.Millisecond, a.Node())
	k.Run()
	require.Equal(t, []sim.Time{(100 + 954 + 4) * sim.Millisecond}, rb.messages)
	require.Equal(t, []sim.Time{100*sim.Millisecond + 924_600*sim.Millisecond}, rs.resets)
	require.ErrorIs(t, rs.errs[0], ErrTimeout)
	require.Equal(t, int64(15), st.Stats(server.Node()).Retransmissions)
	require.Equal(t, int64(1), st.Stats(server.Node()).ConnsTimedOut)
}

// Here the sender crashes: the server crashes at 100 ms while sending 1 MB to a. a
// hears nothing, ever, until its own (model's) 30 s timer makes it send: the segment
// is never acknowledged, and 924.6 s later the connection times out.
func TestACrashedSenderIsNoticedOnlyThroughTheReceiversOwnTimeout(t *testing.T) {
	k, st, server, a, _ := serverAndTwo(t, 0)
	var ra record
	ra.k = k
	var fromServer Conn
	_, err := a.Listen(7, func(cn Conn) { fromServer = cn; cn.SetHandler(ra.handler()) })
	require.NoError(t, err)
	server.Dial(Addr{a.Node(), 7}, TCPOptions{}, func(cn Conn, err error) {
		require.NoError(t, err)
		cn.Send(Message{SizeBytes: 1_000_000})
	})
	st.CrashAt(100*sim.Millisecond, server.Node())
	var noticedAt sim.Time
	a.After(30*sim.Second, func() {
		noticedAt = k.Now()
		require.Empty(t, ra.messages)
		require.Empty(t, ra.resets)
		_, err := fromServer.Send(Message{SizeBytes: 100})
		require.NoError(t, err, "a cannot know yet")
	})
	k.Run()
	require.Equal(t, 30*sim.Second, noticedAt)
	require.Equal(t, []sim.Time{30*sim.Second + 924_600*sim.Millisecond}, ra.resets)
	require.ErrorIs(t, ra.errs[0], ErrTimeout)
	require.Equal(t, int64(15), st.Stats(a.Node()).Retransmissions)
	require.Equal(t, Live{Listeners: 1}, st.Live(), "a's end is released; the server's listener died with it")
}

// When the crashed host has rebooted, the peer's next retransmission reaches it, and
// the new incarnation, which does not know the connection, answers with a reset
// (RFC 793 §3.4). The server is down from 100 ms to 100 s; a sends at 30 s; its
// retransmission timer expires at 30 s + 0.2·(2^i − 1), and the first expiry after
// 100 s is the ninth, at 132.2 s; the probe and the reset, 40 bytes each, take 40 µs
// and 3 ms each way.
func TestARebootedHostResetsTheConnectionsItForgot(t *testing.T) {
	k, st, server, a, _ := serverAndTwo(t, 40)
	var ra record
	ra.k = k
	var fromServer Conn
	_, err := a.Listen(7, func(cn Conn) { fromServer = cn; cn.SetHandler(ra.handler()) })
	require.NoError(t, err)
	server.Dial(Addr{a.Node(), 7}, TCPOptions{}, func(cn Conn, err error) {
		require.NoError(t, err)
		cn.Send(Message{SizeBytes: 1_000_000})
	})
	st.CrashAt(100*sim.Millisecond, server.Node())
	st.RecoverAt(100*sim.Second, server.Node())
	a.After(30*sim.Second, func() { fromServer.Send(Message{SizeBytes: 100}) })
	k.Run()
	require.Equal(t, []sim.Time{132_200*sim.Millisecond + 2*(40*sim.Microsecond+3*sim.Millisecond)}, ra.resets)
	require.ErrorIs(t, ra.errs[0], ErrReset)
	require.Equal(t, int64(9), st.Stats(a.Node()).Retransmissions)
	_, err = fromServer.Send(Message{SizeBytes: 1})
	require.ErrorIs(t, err, ErrReset)
}

// RFC 6298 §2.1 and §5.5, Linux's tcp_syn_retries: a SYN to a dead host is sent again
// after 1 s, then 2 s, 4 s, …; with 6 retries the dial fails after 1 + 2 + … + 64 =
// 127 s, and with 2 after 7 s. A host that comes back in time answers the next SYN.
func TestDialToADeadHostFailsAfterTheSYNBackoff(t *testing.T) {
	for _, c := range []struct {
		retries int
		fails   sim.Time
	}{{6, 127 * sim.Second}, {2, 7 * sim.Second}, {0, sim.Second}} {
		k, st, server, a, _ := serverAndTwo(t, 40)
		st.TCP.SYNRetries = c.retries
		st.Crash(server.Node())
		var at sim.Time
		var got error
		a.Dial(Addr{server.Node(), 80}, TCPOptions{}, func(cn Conn, err error) { at, got = k.Now(), err })
		k.Run()
		require.ErrorIs(t, got, ErrTimeout)
		require.EqualError(t, got, "a: dial server:80: connection timed out")
		require.Equal(t, c.fails, at)
		require.Equal(t, int64(c.retries), st.Stats(a.Node()).Retransmissions)
		require.Equal(t, int64(c.retries+1), st.Stats(a.Node()).SegmentsSent)
		require.Equal(t, Live{}, st.Live())
	}

	// The server is down until 5 s, and listens as soon as it is up: the SYNs of 0,
	// 1 and 3 s are lost, that of 7 s is answered. Connected at 7 s + RTT (6 ms) + the
	// SYN and SYN-ACK (40 µs each).
	k, st, server, a, _ := serverAndTwo(t, 40)
	st.Boot(server.Node(), func(h Host) {
		_, err := h.Listen(80, func(Conn) {})
		require.NoError(t, err)
	})
	st.Crash(server.Node())
	st.RecoverAt(5*sim.Second, server.Node())
	var at sim.Time
	a.Dial(Addr{server.Node(), 80}, TCPOptions{}, func(cn Conn, err error) {
		require.NoError(t, err)
		at = k.Now()
	})
	k.Run()
	require.Equal(t, 7*sim.Second+6*sim.Millisecond+80*sim.Microsecond, at)
	require.Equal(t, int64(3), st.Stats(a.Node()).Retransmissions)
}

// Nothing sent to a host before it crashes is delivered to it, even when it has
// recovered (and bound the same port again) before the message would have arrived.
// A datagram is dropped; a TCP message reaches a host that no longer knows its
// connection, which answers with a reset.
func TestNothingSentToACrashedHostIsDeliveredAfterItRecovers(t *testing.T) {
	k, st, server, a, _ := serverAndTwo(t, 0)
	got := 0
	listen := func(h Host) {
		_, err := h.BindUDP(53, func(Addr, Message) { got++ })
		require.NoError(t, err)
		_, err = h.Listen(7, func(cn Conn) {
			cn.SetHandler(&ConnHandler{OnMessage: func(Conn, Message) { got++ }})
		})
		require.NoError(t, err)
	}
	st.Boot(server.Node(), listen)
	sock, err := a.BindUDP(0, nil)
	require.NoError(t, err)
	var ra record
	ra.k = k
	a.Dial(Addr{server.Node(), 7}, TCPOptions{}, func(cn Conn, err error) {
		require.NoError(t, err)
		cn.SetHandler(ra.handler())
		// Connected at 6 ms: 1,000 B leave by 7 ms and arrive at 10 ms.
		cn.Send(Message{SizeBytes: 1000})
	})
	// The datagram (1 B) leaves at 7.501 ms and would arrive at 10.501 ms.
	a.After(7500*sim.Microsecond, func() {
		require.NoError(t, sock.SendTo(Addr{server.Node(), 53}, Message{SizeBytes: 1}))
	})
	st.CrashAt(8*sim.Millisecond, server.Node())
	st.RecoverAt(8*sim.Millisecond+1, server.Node())
	k.Run()
	require.Zero(t, got, "nothing delivered to the new incarnation")
	// The message reaches the rebooted host at 10 ms; its reset is back 3 ms later.
	require.Equal(t, []sim.Time{13 * sim.Millisecond}, ra.resets)
	require.ErrorIs(t, ra.errs[0], ErrReset)
}

// Host-owned timers die with the host; After, Every and Reschedule run at exact times.
func TestHostTimersDieWithTheHost(t *testing.T) {
	k, st, server, _, _ := serverAndTwo(t, 0)
	var ticks, once []sim.Time
	every := server.Every(10*sim.Second, func() { ticks = append(ticks, k.Now()) })
	require.NotZero(t, every)
	id := server.After(sim.Second, func() { once = append(once, k.Now()) })
	require.True(t, server.Reschedule(id, 5*sim.Second))
	server.After(25*sim.Second, func() { st.Crash(server.Node()) })
	k.RunUntil(24 * sim.Second)
	require.Equal(t, 2, st.Live().Timers, "the periodic timer and the crash")
	k.Run()
	require.Equal(t, []sim.Time{10 * sim.Second, 20 * sim.Second}, ticks)
	require.Equal(t, []sim.Time{5 * sim.Second}, once)
	require.Zero(t, st.Live().Timers)
	require.False(t, server.Cancel(every), "gone with the host")
	require.Zero(t, server.After(sim.Second, func() { t.Fatal("a down host runs nothing") }))
	k.Run()
}

// A graceful leave runs the program's leave hook at once (here: it closes one
// connection politely), and grace later the host goes down; the connection still
// open then is reset, as an operating system resets the sockets of the programs it
// stops, so that peer hears ErrReset one one-way delay later, while the politely
// closed one ends with a FIN.
func TestLeaveRunsTheHookThenResetsWhatIsLeft(t *testing.T) {
	k, st, server, a, b := serverAndTwo(t, 0)
	var ra, rb record
	ra.k, rb.k = k, k
	var toA, toB Conn
	_, err := server.Listen(7, func(c Conn) {
		if c.Remote().Node == a.Node() {
			toA = c
		} else {
			toB = c
		}
	})
	require.NoError(t, err)
	for _, x := range []struct {
		h Host
		r *record
	}{{a, &ra}, {b, &rb}} {
		x.h.Dial(Addr{server.Node(), 7}, TCPOptions{}, func(c Conn, err error) {
			require.NoError(t, err)
			c.SetHandler(x.r.handler())
		})
	}
	left := sim.Time(0)
	server.OnLeave(func() {
		left = k.Now()
		require.NoError(t, toA.Close())
	})
	st.LeaveAt(sim.Second, server.Node(), 2*sim.Second)
	k.Run()
	require.Equal(t, sim.Second, left)
	require.Equal(t, []sim.Time{sim.Second + 3*sim.Millisecond}, ra.closes, "a's connection was closed politely")
	require.Empty(t, ra.resets)
	require.Equal(t, []sim.Time{3*sim.Second + 4*sim.Millisecond}, rb.resets, "b's was reset at power-off")
	require.ErrorIs(t, rb.errs[0], ErrReset)
	require.False(t, st.Up(server.Node()))
	_, err = toB.Send(Message{SizeBytes: 1})
	require.ErrorIs(t, err, ErrHostDown)
}
