package dns

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"
)

// query packs a well-formed query, for mangling.
func query(t testing.TB) []byte {
	b, err := NewQuery(0x1234, Question{Name: TextbookTarget, Type: TypeA}, true).Pack()
	require.NoError(t, err)
	return b
}

// Malformed queries from a peer (RFC 1035 §4.1.1: FORMERR, "the name server was unable
// to interpret the query"): shorter than a header → dropped, since not even the ID is
// known; a compression pointer loop, counts that promise records that are not there,
// two questions → FORMERR with the query's ID. None panics.
func TestMalformedQueriesGetFormErrOrAreDropped(t *testing.T) {
	ns := TextbookNamespace(false, 86400, RR{Type: TypeA, Addr: AddrOfNode(1)}, RR{Type: TypeA, Addr: AddrOfNode(1)})
	zones, err := ns.Build(func(string) (RR, bool) { return RR{Type: TypeA, Addr: AddrOfNode(1)}, true })
	require.NoError(t, err)
	srv := &Server{cfg: ServerConfig{Zones: zones[TextbookAuth]}, rot: map[string]int{}}

	loop := query(t)[:12]
	binary.BigEndian.PutUint16(loop[4:], 1) // one question, whose name points at itself
	loop = append(loop, 0xC0, 12, 0, 1, 0, 1)

	lying := query(t)
	binary.BigEndian.PutUint16(lying[6:], 5) // five answers, none there

	two := query(t)
	binary.BigEndian.PutUint16(two[4:], 2) // two questions, one there

	response := query(t)
	response[2] |= 0x80 // QR: a response sent to a server

	for _, c := range []struct {
		name  string
		b     []byte
		rcode RCode
		drop  bool
	}{
		{"empty", nil, 0, true},
		{"truncated header", query(t)[:7], 0, true},
		{"pointer loop", loop, RCodeFormErr, false},
		{"counts that lie", lying, RCodeFormErr, false},
		{"two questions", two, RCodeFormErr, false},
		{"truncated question", query(t)[:20], RCodeFormErr, false},
		{"a response", response, 0, true},
		{"well formed", query(t), RCodeSuccess, false},
	} {
		var got *Msg
		srv.handle(c.b, false, func(m *Msg) { got = m })
		if c.drop {
			require.Nil(t, got, c.name)
			continue
		}
		require.NotNil(t, got, c.name)
		require.Equal(t, uint16(0x1234), got.ID, c.name)
		require.Equal(t, c.rcode, got.RCode, c.name)
		b, err := got.Pack()
		require.NoError(t, err, c.name)
		_, err = Parse(b)
		require.NoError(t, err, c.name)
	}
	s := srv.Stats()
	require.Equal(t, int64(3), s.Dropped)
	require.Equal(t, int64(4), s.FormErr)
}

// FuzzParse: whatever bytes a peer sends, parsing never panics; a message that parses
// packs again and parses to the same question; a server answers it or drops it, never
// panicking. CI runs it for 30 s (.ci/run).
func FuzzParse(f *testing.F) {
	f.Add(query(f))
	f.Add([]byte{0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1})
	big, _ := (&Msg{ID: 7, Response: true, Question: Question{Name: "a.b.", Type: TypeMX}, hasQuestion: true,
		Answer:    []RR{{Name: "a.b.", Type: TypeMX, TTL: 5, Pref: 10, Target: "mail.a.b."}},
		Authority: []RR{{Name: "b.", Type: TypeSOA, TTL: 5, SOA: &SOA{MName: "ns.b.", RName: "h.b.", MinimumTTLs: 60}}},
	}).Pack()
	f.Add(big)
	ns := TextbookNamespace(true, 86400, RR{Type: TypeA, Addr: AddrOfNode(1)}, RR{Type: TypeA, Addr: AddrOfNode(1)})
	zones, _ := ns.Build(func(string) (RR, bool) { return RR{Type: TypeA, Addr: AddrOfNode(1)}, true })
	srv := &Server{cfg: ServerConfig{Zones: zones[TextbookAuth], Rotate: true}, rot: map[string]int{}}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse(b)
		if err == nil {
			again, perr := m.Pack()
			if perr == nil {
				m2, err := Parse(again)
				if err != nil || m2.Question != m.Question || m2.ID != m.ID {
					t.Fatalf("repacked message differs: %v", err)
				}
			}
		}
		srv.handle(b, false, func(r *Msg) {
			if _, err := Parse(packReply(r)); err != nil {
				t.Fatalf("reply does not parse: %v", err)
			}
		})
	})
}
