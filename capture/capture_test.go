package capture_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/capture"
	"netsim/capture/capturetest"
	"netsim/sim"
	"netsim/topology"
)

// star builds a network of hosts on an access-link star, each link of rate bps and
// one-way delay, and runs body's programs on its stack after attach.
func star(t testing.TB, names []string, bps float64, delay sim.Time, attach capturetest.Attach, body func(st *topology.Stack)) error {
	k := sim.NewKernel()
	var hosts []topology.StarHost
	for _, n := range names {
		hosts = append(hosts, topology.StarHost{Name: n, UploadBps: bps, DownloadBps: bps, Delay: delay})
	}
	net, err := topology.BuildStar(k, hosts)
	if err != nil {
		return err
	}
	st := topology.NewStack(net, sim.NewStreams(1))
	if err := attach(st); err != nil {
		return err
	}
	body(st)
	k.Run()
	return nil
}

func host(st *topology.Stack, name string) topology.Host {
	h, err := st.HostNamed(name)
	if err != nil {
		panic(err)
	}
	return h
}

// fetch: the client sends a request; the server answers with a text head and a
// body of bodyBytes, then both close.
func fetch(bodyBytes int64) func(st *topology.Stack) {
	return func(st *topology.Stack) {
		srv, cli := host(st, "server"), host(st, "client")
		srv.Listen(80, func(c topology.Conn) {
			c.SetHandler(&topology.ConnHandler{
				OnMessage: func(c topology.Conn, m topology.Message) {
					head := fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", bodyBytes)
					c.Send(topology.Message{SizeBytes: int64(len(head)) + bodyBytes, Payload: head})
				},
				OnClose: func(c topology.Conn) { c.Close() },
			})
		})
		cli.Dial(topology.Addr{Node: srv.Node(), Port: 80}, topology.TCPOptions{}, func(c topology.Conn, err error) {
			if err != nil {
				panic(err)
			}
			c.SetHandler(&topology.ConnHandler{OnMessage: func(c topology.Conn, m topology.Message) { c.Close() }})
			c.Send(topology.Message{SizeBytes: 18, Payload: []byte("GET / HTTP/1.0\r\n\r\n")})
		})
	}
}

// A fetch of a 100,000-byte body over a fresh connection, captured at both ends: the
// frames decode with good checksums, both ways reassemble to the bytes sent, and TCP
// analysis finds nothing wrong. The client's capture holds the SYN, the SYN-ACK, the
// request (carrying the handshake's ACK), ceil(100,043 / 1460) = 69 segments of the
// response, and a FIN each way: 74 frames (RFC 793's exchange as the stack models it).
func TestPcapOfAFetch(t *testing.T) {
	c := capturetest.Run(t, []string{"client", "server"}, func(attach capturetest.Attach) error {
		return star(t, []string{"client", "server"}, 10e6, 5*sim.Millisecond, attach, fetch(100_000))
	})
	c.Check(t)
	require.Equal(t, 74, c.Decodes(t, "client"))
	require.Equal(t, int64(18+43+100_000), c.Streams(t, "server"))
	flags := c.Fields(t, "client", "tcp.flags.syn == 1 || tcp.flags.fin == 1", "tcp.flags.str")
	require.Equal(t, [][]string{{"··········S·"}, {"·······A··S·"}, {"·······A···F"}, {"·······A···F"}}, flags)
	// The first response segment leaves the server 1460 bytes after it started at
	// 10 Mbps: 1.168 ms; the server's capture shows both ends' MSS segments.
	sizes := c.Fields(t, "server", "tcp.srcport == 80 && tcp.len > 0", "tcp.len")
	require.Len(t, sizes, 69)
	require.Equal(t, "1460", sizes[0][0])
	require.Equal(t, "763", sizes[68][0]) // 100,043 − 68 × 1460
}

// A payload that cannot give its bytes is refused loudly, and nothing is written.
func TestPcapRefusesAPayloadWithoutEncoding(t *testing.T) {
	var rec *capture.Recorder
	err := star(t, []string{"client", "server"}, 10e6, sim.Millisecond, func(st *topology.Stack) error {
		var err error
		rec, err = capture.New(st, []string{"client"}, capture.Options{})
		return err
	}, func(st *topology.Stack) {
		srv, cli := host(st, "server"), host(st, "client")
		srv.Listen(80, func(topology.Conn) {})
		cli.Dial(topology.Addr{Node: srv.Node(), Port: 80}, topology.TCPOptions{}, func(c topology.Conn, err error) {
			c.Send(topology.Message{SizeBytes: 10, Payload: 42})
		})
	})
	require.NoError(t, err)
	var buf bytes.Buffer
	err = rec.WritePcap(&buf, "client")
	require.EqualError(t, err, "capture: a payload of type int has no wire encoding: it must implement topology.Encoder (Encode() []byte)")
	require.Zero(t, buf.Len())
}

// A host that is not in the network is named with the hosts that are.
func TestCaptureOfAnUnknownHost(t *testing.T) {
	err := star(t, []string{"client", "server"}, 10e6, sim.Millisecond, func(st *topology.Stack) error {
		_, err := capture.New(st, []string{"clinet"}, capture.Options{})
		return err
	}, func(*topology.Stack) {})
	require.EqualError(t, err, `capture: no host "clinet" in the network (there are: core, client, server)`)
}
