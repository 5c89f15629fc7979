package capture_test

import (
	"bytes"
	"fmt"
	"strings"
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

// Kurose & Ross §2.5's fluid model, seen in a capture: the server's 8 Mbps uplink
// (10^6 bytes/s) carries the client's 2 MB download alone for a second, then shares
// it max-min fairly with a second download (Bertsekas & Gallager §6.5), at 0.5·10^6
// bytes/s each. Over every one-second window of the transfer, the bytes the client's
// capture shows equal the integral of that rate within one segment.
func TestPcapThroughputFollowsTheFlowRate(t *testing.T) {
	const mss = 1460
	c := capturetest.Run(t, []string{"a"}, func(attach capturetest.Attach) error {
		k := sim.NewKernel()
		net, err := topology.BuildStar(k, []topology.StarHost{
			{Name: "a", UploadBps: 1e9, DownloadBps: 1e9},
			{Name: "b", UploadBps: 1e9, DownloadBps: 1e9},
			{Name: "server", UploadBps: 8e6, DownloadBps: 1e9},
		})
		if err != nil {
			return err
		}
		st := topology.NewStack(net, sim.NewStreams(1))
		st.TCP.ControlBytes = 0 // the fluid model: the handshake costs no time here
		if err := attach(st); err != nil {
			return err
		}
		srv := host(st, "server")
		srv.Listen(80, func(c topology.Conn) {
			c.SetHandler(&topology.ConnHandler{OnMessage: func(c topology.Conn, m topology.Message) {
				c.Send(topology.Message{SizeBytes: int64(m.Payload.([]byte)[0]) * 1_000_000, Payload: []byte{}})
			}})
		})
		get := func(h topology.Host, megabytes byte) {
			h.Dial(topology.Addr{Node: srv.Node(), Port: 80}, topology.TCPOptions{}, func(c topology.Conn, err error) {
				c.Send(topology.Message{SizeBytes: 1, Payload: []byte{megabytes}}) // 8 ns at 1 Gbps
			})
		}
		get(host(st, "a"), 2)
		host(st, "b").After(sim.Second, func() { get(host(st, "b"), 1) })
		k.Run()
		return nil
	})
	c.Check(t)
	rows := c.Fields(t, "a", "tcp.srcport == 80 && tcp.len > 0", "frame.time_relative", "tcp.len")
	times := make([]float64, len(rows))
	lens := make([]float64, len(rows))
	for i, r := range rows {
		fmt.Sscan(r[0], &times[i])
		fmt.Sscan(r[1], &lens[i])
	}
	// The response starts 8 ns after time 0 (the request's transmission) and the
	// second one 8 ns after 1 s: the client's rate is 10^6 B/s on [8 ns, 1 s + 8 ns),
	// then 0.5·10^6 B/s until its last byte, 2 s + 8 ns later.
	t0, t1 := 8e-9, 1+8e-9
	end := t1 + 2*(2e6-(t1-t0)*1e6)/1e6
	require.InDelta(t, end, times[len(times)-1], 1e-9)
	rate := func(from, to float64) float64 { // bytes the model sends in [from, to)
		seg := func(a, b, r float64) float64 { return max(0, min(to, b)-max(from, a)) * r }
		return seg(t0, t1, 1e6) + seg(t1, end, 0.5e6)
	}
	// Windows [t0 + k/20 s, t0 + k/20 s + 1 s) for k = 0..40 cover the transfer.
	require.InDelta(t, t0+3, end, 1e-12)
	for k := range 41 {
		w := t0 + float64(k)/20
		var got float64
		for i, at := range times {
			if at >= w && at < w+1 {
				got += lens[i]
			}
		}
		require.InDelta(t, rate(w, w+1), got, mss, "window [%.2f s, %.2f s)", w, w+1)
	}
}

// A DNS query and its answer over UDP (RFC 1035 §4.1, the wire format written by
// hand here), and a 4000-byte datagram that IP cuts into three fragments of at most
// 1480 bytes (RFC 791 §2.3): tshark decodes the name and type, reassembles the
// fragments, and finds every checksum good.
func TestPcapOfDatagrams(t *testing.T) {
	query := dnsMessage(0x1234, false, "gaia.cs.umass.edu")
	answer := dnsMessage(0x1234, true, "gaia.cs.umass.edu")
	c := capturetest.Run(t, []string{"client"}, func(attach capturetest.Attach) error {
		return star(t, []string{"client", "server"}, 10e6, 5*sim.Millisecond, attach, func(st *topology.Stack) {
			var srv topology.UDPSocket
			srv, _ = host(st, "server").BindUDP(53, func(from topology.Addr, m topology.Message) {
				srv.SendTo(from, topology.Message{SizeBytes: int64(len(answer)), Payload: answer})
			})
			u, _ := host(st, "client").BindUDP(0, nil)
			u.SendTo(topology.Addr{Node: srv.Local().Node, Port: 53}, topology.Message{SizeBytes: int64(len(query)), Payload: query})
			u.SendTo(topology.Addr{Node: srv.Local().Node, Port: 9}, topology.Message{SizeBytes: 4000, Payload: "discard me\r\n"})
		})
	})
	c.Check(t)
	require.Equal(t, 5, c.Decodes(t, "client")) // query, three fragments, answer
	require.Equal(t, [][]string{{"0", "gaia.cs.umass.edu", "1"}, {"1", "gaia.cs.umass.edu", "1"}},
		c.Fields(t, "client", "dns", "dns.flags.response", "dns.qry.name", "dns.qry.type"))
	require.Equal(t, [][]string{{"128.119.245.12"}}, c.Fields(t, "client", "dns.a", "dns.a"))
	require.Equal(t, [][]string{{"4008", "3"}}, c.Fields(t, "client", "udp.dstport == 9", "udp.length", "ip.fragment.count"))
}

// dnsMessage is a query (or its answer, with one A record, 128.119.245.12) for name,
// type A, class IN, as RFC 1035 §4.1 lays it out.
func dnsMessage(id uint16, response bool, name string) []byte {
	b := []byte{byte(id >> 8), byte(id), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0}
	if response {
		b[2], b[3], b[7] = 0x81, 0x80, 1
	}
	for label := range strings.SplitSeq(name, ".") {
		b = append(b, byte(len(label)))
		b = append(b, label...)
	}
	b = append(b, 0, 0, 1, 0, 1)
	if response {
		b = append(b, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 128, 119, 245, 12)
	}
	return b
}
