package topology

import (
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/sim"
)

// p10 is the network of problem P10 of Kurose & Ross's chapter 2: "a short, 10-meter
// link, over which a sender can transmit at a rate of 150 bits/sec in both
// directions", control packets of 200 bits, objects of 100 kbit. The propagation
// delay is 10 m / (3·10^8 m/s) ≈ 33 ns.
func p10(t *testing.T) (*sim.Kernel, *Stack, Host, Host) {
	t.Helper()
	k := sim.NewKernel()
	net, err := BuildExplicit(k, []string{"client", "server"}, []LinkSpec{
		{From: "client", To: "server", CapacityBps: 150, Delay: 33, Duplex: true},
	})
	require.NoError(t, err)
	st := NewStack(net, sim.NewStreams(1))
	st.TCP.ControlBytes = 200 / 8
	c, _ := st.HostNamed("client")
	s, _ := st.HostNamed("server")
	return k, st, c, s
}

const (
	p10Request = 200 / 8     // "packets containing only control ... are 200 bits long": the request too
	p10Object  = 100_000 / 8 // "each downloaded object is 100 Kbits long"
)

// p10Server answers each request with an object; with close, it closes after the
// answer (non-persistent HTTP), otherwise when the client closes.
func p10Server(t *testing.T, s Host, close bool) {
	_, err := s.Listen(80, func(c Conn) {
		c.SetHandler(&ConnHandler{
			OnMessage: func(c Conn, m Message) {
				c.Send(Message{SizeBytes: p10Object})
				if close {
					c.Close()
				}
			},
			OnClose: func(c Conn) { c.Close() },
		})
	})
	require.NoError(t, err)
}

// Reference: Kurose & Ross, chapter 2, problem P10, and its published solution. With
// N parallel connections each getting 1/N of the link, parallel non-persistent HTTP
// fetches the base object (SYN, SYN-ACK, the request, the object) and then the 10
// referenced objects over 10 connections at once:
//
//	(3·200/150 + 100,000/150 + 4 Tp) + (3·200/15 + 100,000/15 + 4 Tp) ≈ 7377 s
//
// and persistent HTTP (no pipelining) over one connection:
//
//	(3·200/150 + 100,000/150 + 4 Tp) + 10·(200/150 + 100,000/150 + 2 Tp) ≈ 7351 s.
//
// The simulation counts one packet the solution leaves out: when the base object has
// arrived, the client closes that connection, and its 200-bit FIN shares the link with
// the 10 SYNs (11 packets at 150/11 bit/s: 200/150 s later). The solution's numbers
// hold within 0.1%; with the FIN added by hand, to 30 ns (the simulation rounds each
// transmission up to the nanosecond, and Tp down to 33 ns).
func TestP10ParallelAgainstPersistentOnA150BitLink(t *testing.T) {
	const tp = 33e-9
	t.Run("parallel non-persistent", func(t *testing.T) {
		k, _, client, server := p10(t)
		p10Server(t, server, true)
		var done sim.Time
		left := 10
		fetch := func(then func()) {
			client.Dial(Addr{server.Node(), 80}, TCPOptions{}, func(c Conn, err error) {
				require.NoError(t, err)
				c.SetHandler(&ConnHandler{OnMessage: func(c Conn, m Message) {
					c.Close()
					then()
				}})
				c.Send(Message{SizeBytes: p10Request})
			})
		}
		fetch(func() {
			for range 10 {
				fetch(func() {
					if left--; left == 0 {
						done = k.Now()
					}
				})
			}
		})
		k.Run()
		solution := 3*200.0/150 + 100_000.0/150 + 4*tp + 3*200.0/15 + 100_000.0/15 + 4*tp
		require.InEpsilon(t, 7377, solution, 2e-4, "the published figure")
		require.InEpsilon(t, solution, done.Seconds(), 1e-3, "within 0.1%% of the solution")
		withFIN := solution + 200.0/150
		require.InDelta(t, withFIN, done.Seconds(), 30e-9)
	})
	t.Run("persistent", func(t *testing.T) {
		k, _, client, server := p10(t)
		p10Server(t, server, false)
		var done sim.Time
		client.Dial(Addr{server.Node(), 80}, TCPOptions{}, func(c Conn, err error) {
			require.NoError(t, err)
			got := 0
			c.SetHandler(&ConnHandler{OnMessage: func(c Conn, m Message) {
				if got++; got == 11 {
					done = k.Now()
					c.Close()
					return
				}
				c.Send(Message{SizeBytes: p10Request})
			}})
			c.Send(Message{SizeBytes: p10Request})
		})
		k.Run()
		solution := 3*200.0/150 + 100_000.0/150 + 4*tp + 10*(200.0/150+100_000.0/150+2*tp)
		require.InEpsilon(t, 7351, solution, 1e-4, "the published figure")
		require.InDelta(t, solution, done.Seconds(), 30e-9)
	})
}
