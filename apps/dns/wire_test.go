package dns

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/topology"
)

// A message's payload is its own wire encoding (topology.Encoder) — over TCP after the
// two-byte length of RFC 1035 §4.2.2, which its size counts — and names itself in one
// line for a sequence chart (topology.Labeler), tcpdump's way: "A? name" for a query.
func TestWirePayloadEncodesAndLabels(t *testing.T) {
	q := NewQuery(0x1a2b, Question{Name: "gaia.cs.umass.edu.", Type: TypeA}, true)
	b, err := q.Pack()
	require.NoError(t, err)
	require.Len(t, b, 35) // 12 header + 19 name + 4 type and class (RFC 1035 §4.1)

	udp := Wire(b, false)
	require.Equal(t, int64(35), udp.SizeBytes)
	require.Equal(t, b, udp.Payload.(topology.Encoder).Encode())
	require.Equal(t, "A? gaia.cs.umass.edu", udp.Payload.(topology.Labeler).Label())

	tcp := Wire(b, true)
	enc := tcp.Payload.(topology.Encoder).Encode()
	require.Equal(t, int64(37), tcp.SizeBytes)
	require.Len(t, enc, 37)
	require.Equal(t, uint16(35), binary.BigEndian.Uint16(enc))
	require.Equal(t, b, enc[2:])
	require.Equal(t, b, payload(tcp), "the receiver parses the message without its prefix")

	r := q.Reply()
	r.Authoritative = true
	for i := range 3 {
		r.Answer = append(r.Answer, RR{Name: q.Question.Name, Type: TypeA, TTL: 60, Addr: netip.AddrFrom4([4]byte{10, 0, 0, byte(10 + i)})})
	}
	require.Equal(t, "gaia.cs.umass.edu A 10.0.0.10 +2", r.Label())
	r.Truncated = true
	require.Equal(t, "gaia.cs.umass.edu A 10.0.0.10 +2 TC", r.Label())

	ref := q.Reply()
	ref.Authority = []RR{{Name: "edu.", Type: TypeNS, TTL: 172800, Target: "a.edu-servers.net."}, {Name: "edu.", Type: TypeNS, TTL: 172800, Target: "b.edu-servers.net."}}
	require.Equal(t, "edu NS a.edu-servers.net +1", ref.Label())

	nx := q.Reply()
	nx.RCode = RCodeNXDomain
	require.Equal(t, "NXDOMAIN gaia.cs.umass.edu", nx.Label())
	require.Equal(t, "malformed DNS", Packet(b[:5]).Label())
}

// AddrOfNode is the address the node's packets carry, and NodeOfAddr its inverse.
func TestAddrOfNodeIsTheNodesIPv4(t *testing.T) {
	for _, id := range []topology.NodeID{0, 1, 255, 70000} {
		require.Equal(t, id.IPv4(), AddrOfNode(id))
		back, ok := NodeOfAddr(AddrOfNode(id))
		require.True(t, ok)
		require.Equal(t, id, back)
	}
	for _, a := range []string{"10.0.0.0", "192.168.0.1", "::1"} {
		_, ok := NodeOfAddr(netip.MustParseAddr(a))
		require.False(t, ok, a)
	}
}
