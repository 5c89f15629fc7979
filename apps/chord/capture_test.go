package chord

import (
	"bytes"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/capture"
	"netsim/capture/capturetest"
	"netsim/plots/msc"
	"netsim/sim"
)

var update = flag.Bool("update", false, "rewrite the golden charts in testdata/")

// textsRingHosts are the peers of the texts' lookup of key 11 from peer 3, in the
// order it visits them.
var textsRingHosts = []string{"peer3", "peer4", "peer5", "peer8", "peer10", "peer12"}

// captureTextsLookup captures the texts' ring (Kurose & Ross §2.6.2: peers 1, 3, 4,
// 5, 8, 10, 12, 15 on 16 ids, each knowing its successor) while peer 3 looks up key
// 11, as `netsim run --pcap` would.
func captureTextsLookup(t *testing.T) *capturetest.Capture {
	return capturetest.Run(t, textsRingHosts, func(attach capturetest.Attach) error {
		cfg := &Config{Space: NewSpace(4), Mode: Ring, Port: 4000, Successors: 1,
			RPCTimeout: 500 * sim.Millisecond, LookupTimeout: 2 * sim.Second}
		r := newNetRing(t, cfg, []uint64{1, 3, 4, 5, 8, 10, 12, 15}, nil, nil)
		r.quiet = true
		if err := attach(r.st); err != nil {
			return err
		}
		var res Result
		r.nodes[3].Lookup(cfg.Space.FromUint(11), func(x Result) { res = x })
		r.run(sim.Second)
		if !res.OK || res.Owner.ID.Uint64() != 12 {
			return fmt.Errorf("lookup of key 11: %+v", res)
		}
		return nil
	})
}

// The texts' lookup as Wireshark shows it at peer 3 and at peer 12: UDP datagrams
// to port 4000 whose payloads are the wire format's bytes (wire.go), all 6 of the
// query's hops at one peer or another, and the answer from 12 to 3. The lookup's
// bytes: type 3, request id 1, want 0 (the owner), hops 1, origin peer 3 (id 3,
// 10.0.0.x, port 4000 = 0x0fa0), key 11 = 0x0b: 15 bytes, a UDP length of 23.
func TestCaptureOfTheTextsRingLookup(t *testing.T) {
	c := captureTextsLookup(t) // one capture (tshark is slow) for the pcap and the chart
	t.Run("pcap", func(t *testing.T) { pcapOfTheTextsRingLookup(t, c) })
	t.Run("chart", func(t *testing.T) { chartOfTheTextsRingLookup(t, c) })
}

func pcapOfTheTextsRingLookup(t *testing.T, c *capturetest.Capture) {
	c.Check(t)
	ip := func(h string) string { return c.IP(t, h) }
	octets := func(h string) string {
		var b [4]byte
		_, err := fmt.Sscanf(ip(h), "%d.%d.%d.%d", &b[0], &b[1], &b[2], &b[3])
		require.NoError(t, err)
		return hex.EncodeToString(b[:])
	}
	lookup := func(hops string) string {
		return "0300000001" + "00" + hops + "03" + octets("peer3") + "0fa0" + "0b"
	}
	// The answer: type 4, request id 1, hops 5, the owner (id 12, peer 12's address,
	// port 4000) and its successor (id 15): 20 bytes.
	found := "0400000001" + "05" + "0c" + octets("peer12") + "0fa0" + "0f" + octets("peer15") + "0fa0"
	fields := []string{"ip.src", "ip.dst", "udp.dstport", "udp.length", "udp.payload"}
	require.Equal(t, [][]string{
		{ip("peer3"), ip("peer4"), "4000", "23", lookup("01")},
		{ip("peer12"), ip("peer3"), "4000", "28", found},
	}, c.Fields(t, "peer3", "udp", fields...))
	require.Equal(t, [][]string{
		{ip("peer10"), ip("peer12"), "4000", "23", lookup("05")},
		{ip("peer12"), ip("peer3"), "4000", "28", found},
	}, c.Fields(t, "peer12", "udp", fields...))
}

// The chart of the texts' lookup (K&R §2.6.2, "Circular DHT"): the query goes
// clockwise 3 → 4 → 5 → 8 → 10 → 12, each hop 20 ms (10 ms to the core and 10 ms
// on), and peer 12 answers peer 3 directly: 6 messages, the round trip 120 ms.
func chartOfTheTextsRingLookup(t *testing.T, c *capturetest.Capture) {
	chart, err := c.Recorder.Chart(textsRingHosts, capture.ChartOptions{
		Title: "Peer 3 asks who is responsible for key 11 (K&R §2.6.2, circular DHT)"})
	require.NoError(t, err)
	type arrow struct {
		from, to int
		label    string
	}
	var got []arrow
	for _, m := range chart.Messages {
		got = append(got, arrow{m.From, m.To, m.Label})
	}
	q := func(hops int) string { return fmt.Sprintf("LOOKUP key=11 want=owner origin=3 hops=%d", hops) }
	require.Equal(t, []arrow{
		{0, 1, q(1)}, {1, 2, q(2)}, {2, 3, q(3)}, {3, 4, q(4)}, {4, 5, q(5)},
		{5, 0, "FOUND hops=5 node=12 succ=15"},
	}, got)
	var svg bytes.Buffer
	require.NoError(t, chart.Encode(&svg, "svg"))
	path := filepath.Join("testdata", "texts-ring-lookup.svg")
	if *update {
		require.NoError(t, msc.Save(chart, filepath.Join("testdata", "texts-ring-lookup")))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to write %s", path)
	require.True(t, bytes.Equal(want, svg.Bytes()), "%s differs from the chart drawn: look at it, then go test -update", path)
}
