package topology

import (
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/sim"
)

// RFC 959 §3.2: in active mode an FTP server opens each data connection from its port
// 20 (L−1, the control port 21 less one) to the port the client named. Two connections
// may leave that port at once, told apart by their remote ends as TCP's four-tuple
// does, and the port is never taken from the host's ephemeral range.
func TestDialFromAFixedLocalPort(t *testing.T) {
	k, st, client, server := clientServer(t, sim.Millisecond, sim.Millisecond)
	var remotes []Addr
	for _, port := range []int{50000, 50001} {
		_, err := client.Listen(port, func(c Conn) {
			remotes = append(remotes, c.Remote())
			c.Close()
		})
		require.NoError(t, err)
	}
	var locals []Addr
	for _, port := range []int{50000, 50001} {
		server.Dial(Addr{client.Node(), port}, TCPOptions{LocalPort: 20}, func(c Conn, err error) {
			require.NoError(t, err)
			locals = append(locals, c.Local())
			c.SetHandler(&ConnHandler{OnClose: func(c Conn) { c.Close() }})
		})
	}
	var bad error
	server.Dial(Addr{client.Node(), 50000}, TCPOptions{LocalPort: 50000}, func(c Conn, err error) { bad = err })
	k.Run()
	require.Equal(t, []Addr{{server.Node(), 20}, {server.Node(), 20}}, locals)
	require.Equal(t, []Addr{{server.Node(), 20}, {server.Node(), 20}}, remotes)
	require.EqualError(t, bad, "server: dial client:50000: local port 50000 is not in 1..49151")
	require.Equal(t, 0, st.Live().ConnEnds, "both connections closed and released")
}

// TCP and UDP have separate port spaces (RFC 793 and RFC 768 each define their own
// ports): the texts' TCPServer and UDPServer both use port 12000, on one host.
func TestTCPAndUDPShareAPortNumber(t *testing.T) {
	k, _, client, server := clientServer(t, sim.Millisecond, sim.Millisecond)
	var got []string
	_, err := server.Listen(12000, func(c Conn) {
		c.SetHandler(&ConnHandler{OnMessage: func(c Conn, m Message) { got = append(got, "tcp "+m.Payload.(string)) }})
	})
	require.NoError(t, err)
	_, err = server.BindUDP(12000, func(_ Addr, m Message) { got = append(got, "udp "+m.Payload.(string)) })
	require.NoError(t, err)
	_, err = server.BindUDP(12000, nil)
	require.ErrorIs(t, err, ErrPortInUse, "but one UDP socket per port")
	_, err = server.Listen(12000, nil)
	require.ErrorIs(t, err, ErrPortInUse, "and one listener")
	u, err := client.BindUDP(0, nil)
	require.NoError(t, err)
	require.NoError(t, u.SendTo(Addr{server.Node(), 12000}, Message{SizeBytes: 5, Payload: "hello"}))
	client.Dial(Addr{server.Node(), 12000}, TCPOptions{}, func(c Conn, err error) {
		require.NoError(t, err)
		c.Send(Message{SizeBytes: 5, Payload: "hello"})
	})
	k.Run()
	require.Equal(t, []string{"udp hello", "tcp hello"}, got)
}
