package topology

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/sim"
)

// deadConn returns a connection end from the client's side of serverAndTwo, put into
// one of the states a connection dies in, and the error its calls should report.
func deadConn(t *testing.T, how string) (Conn, error) {
	t.Helper()
	k, st, server, a, _ := serverAndTwo(t, 40)
	var srv Conn
	_, err := server.Listen(7, func(c Conn) { srv = c })
	require.NoError(t, err)
	var cli Conn
	a.Dial(Addr{server.Node(), 7}, TCPOptions{}, func(c Conn, err error) {
		require.NoError(t, err)
		cli = c
	})
	k.RunUntil(sim.Second)
	require.NotNil(t, cli)
	require.NotNil(t, srv)
	var want error
	switch how {
	case "closed":
		require.NoError(t, cli.Close())
		require.NoError(t, srv.Close())
		want = ErrClosed
	case "half-closed":
		// The server never closes: the client's end is released by its FIN timeout.
		require.NoError(t, cli.Close())
		require.NoError(t, cli.Close(), "closing twice does nothing")
		want = ErrClosed
	case "aborted":
		require.NoError(t, cli.Abort())
		want = ErrClosed
	case "reset by peer":
		require.NoError(t, srv.Abort())
		want = ErrReset
	case "timed out":
		st.Crash(server.Node())
		_, err := cli.Send(Message{SizeBytes: 10})
		require.NoError(t, err)
		want = ErrTimeout
	case "own host crashed":
		st.Crash(a.Node())
		want = ErrHostDown
	default:
		t.Fatalf("no state %q", how)
	}
	k.Run()
	return cli, want
}

// Reference: issue 6, acceptance 2. No call on a closed, reset or crashed socket
// panics; each reports the error that ended it.
func TestNoPanicOnAnyUseOfADeadSocket(t *testing.T) {
	for _, how := range []string{"closed", "half-closed", "aborted", "reset by peer", "timed out", "own host crashed"} {
		t.Run(how, func(t *testing.T) {
			c, want := deadConn(t, how)
			r := c.(RelayConn)
			require.NotPanics(t, func() {
				_ = c.Local()
				_ = c.Remote()
				_ = c.RTT()
				c.SetHandler(&ConnHandler{})
				c.SetHandler(nil)
				n, b := c.Queued()
				require.Zero(t, n)
				require.Zero(t, b)
				require.False(t, c.Unsend(1))
			})
			_, err := c.Send(Message{SizeBytes: 1})
			require.ErrorIs(t, err, want)
			_, err = r.Forward(Message{SizeBytes: 1}, &Arrival{})
			require.ErrorIs(t, err, want)
			require.ErrorIs(t, c.Close(), want)
			require.ErrorIs(t, c.Abort(), want)
			require.ErrorIs(t, r.SetPacingRate(1e6), want)
		})
	}
}

func TestNoPanicOnDeadListenersSocketsAndHosts(t *testing.T) {
	k, st, server, a, _ := serverAndTwo(t, 40)
	l, err := server.Listen(0, func(Conn) {})
	require.NoError(t, err)
	require.GreaterOrEqual(t, l.Addr().Port, ephemeralFirst)
	require.NoError(t, l.Close())
	require.ErrorIs(t, l.Close(), ErrClosed)
	// A dial to the closed listener's port is refused.
	var got error
	a.Dial(l.Addr(), TCPOptions{}, func(_ Conn, err error) { got = err })
	k.Run()
	require.ErrorIs(t, got, ErrRefused)

	u, err := a.BindUDP(0, nil)
	require.NoError(t, err)
	require.NoError(t, u.Close())
	require.ErrorIs(t, u.Close(), ErrClosed)
	require.ErrorIs(t, u.SendTo(Addr{server.Node(), 53}, Message{SizeBytes: 1}), ErrClosed)
	u2, err := a.BindUDP(0, nil)
	require.NoError(t, err)
	require.ErrorIs(t, u2.SendTo(Addr{server.Node(), 53}, Message{SizeBytes: -1}), ErrBadMessage)
	require.Error(t, u2.SendTo(Addr{Node: 99, Port: 53}, Message{SizeBytes: 1}))

	st.Crash(a.Node())
	require.ErrorIs(t, u2.SendTo(Addr{server.Node(), 53}, Message{SizeBytes: 1}), ErrClosed, "sockets die with the host")
	require.NotPanics(t, func() {
		require.Equal(t, "a", a.Name())
		require.Zero(t, a.After(sim.Second, func() {}))
		require.Zero(t, a.Every(sim.Second, func() {}))
		require.False(t, a.Reschedule(1, sim.Second))
		require.False(t, a.Cancel(1))
		_ = a.Rand().Uint64()
		a.OnLeave(func() {})
		a.Dial(Addr{server.Node(), 7}, TCPOptions{}, func(Conn, error) { t.Fatal("a down host runs nothing") })
	})
	_, err = a.Listen(80, func(Conn) {})
	require.ErrorIs(t, err, ErrHostDown)
	_, err = a.BindUDP(53, nil)
	require.ErrorIs(t, err, ErrHostDown)
	k.Run()
	require.Equal(t, Live{}, st.Live())

	// Bad arguments are errors too, on a live host.
	_, err = server.Listen(70000, func(Conn) {})
	require.EqualError(t, err, "server: listen: bad port 70000")
	var dialErr error
	server.Dial(Addr{Node: 42, Port: 80}, TCPOptions{}, func(_ Conn, err error) { dialErr = err })
	k.Run()
	require.EqualError(t, dialErr, "server: dial 42:80: bad address")
	require.Equal(t, fmt.Sprint(ErrPortInUse), "port already in use")
}
