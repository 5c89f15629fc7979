package dns

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/dns/dnsmessage"

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

// Pack's bytes are dnsmessage's own: a message unpacked by dnsmessage and packed
// again by its Message.Pack (the same compression, RFC 1035 §4.1.4) is byte for byte
// what Pack wrote, for a query, a referral with glue, an answer through a CNAME and
// a negative answer with its SOA.
func TestPackIsDnsmessagesEncoding(t *testing.T) {
	q := Question{Name: "www.cs.umass.edu.", Type: TypeA}
	ref := NewQuery(1, q, false).Reply()
	ref.Authority = []RR{{Name: "edu.", Type: TypeNS, TTL: 172800, Target: "a.edu-servers.net."}, {Name: "edu.", Type: TypeNS, TTL: 172800, Target: "b.edu-servers.net."}}
	ref.Additional = []RR{{Name: "a.edu-servers.net.", Type: TypeA, TTL: 172800, Addr: netip.MustParseAddr("10.0.0.17")},
		{Name: "b.edu-servers.net.", Type: TypeAAAA, TTL: 172800, Addr: netip.MustParseAddr("2001:db8::1")}}
	ans := NewQuery(2, q, true).Reply()
	ans.Authoritative, ans.RecursionAvailable = true, true
	ans.Answer = []RR{{Name: q.Name, Type: TypeCNAME, TTL: 60, Target: "gaia.cs.umass.edu."},
		{Name: "gaia.cs.umass.edu.", Type: TypeA, TTL: 60, Addr: netip.MustParseAddr("10.0.0.9")}}
	mx := NewQuery(3, Question{Name: "umass.edu.", Type: TypeMX}, true).Reply()
	mx.Answer = []RR{{Name: "umass.edu.", Type: TypeMX, TTL: 60, Pref: 10, Target: "mail.umass.edu."}}
	nx := NewQuery(4, q, true).Reply()
	nx.RCode = RCodeNXDomain
	nx.Authority = []RR{{Name: "umass.edu.", Type: TypeSOA, TTL: 3600, SOA: &SOA{MName: "dns.umass.edu.", RName: "hostmaster.umass.edu.", Serial: 1, Refresh: 2, Retry: 3, Expire: 4, MinimumTTLs: 300}}}
	for _, m := range []*Msg{NewQuery(5, q, true), ref, ans, mx, nx} {
		b, err := m.Pack()
		require.NoError(t, err)
		require.LessOrEqual(t, len(b), m.sizeBound())
		var dm dnsmessage.Message
		require.NoError(t, dm.Unpack(b))
		again, err := dm.Pack()
		require.NoError(t, err)
		require.Equal(t, again, b, m.Text())
		back, err := Parse(b)
		require.NoError(t, err)
		require.Equal(t, m.Text(), back.Text())
	}
}
