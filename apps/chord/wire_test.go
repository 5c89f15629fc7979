package chord

import (
	"reflect"
	"testing"
)

// Every message's wire size (Msg.Size, what the simulated datagram carries) is the
// length of its encoding, the encoding decodes to the same message, and a truncated
// or overlong datagram is an error, never a panic: in the texts' 4-bit space (1-byte
// ids) and in SHA-1's 160 bits (20-byte ids).
func TestWireSizeIsTheEncodingAndRoundTrips(t *testing.T) {
	for _, bits := range []int{4, 160} {
		s := NewSpace(bits)
		id := func(x uint64) ID { return s.FromUint(x) }
		p := func(x uint64) Peer { return Peer{ID: id(x), Node: 7, Port: 4001} }
		q := Peer{ID: s.Hash("q"), Node: 3, Port: 4000}
		msgs := []*Msg{
			{Type: MsgFindNext, RID: 1, Key: id(11)},
			{Type: MsgFindNext, RID: 2, Key: s.Hash("k"), Avoid: []ID{id(5), id(8)}},
			{Type: MsgNext, RID: 3, Flag: 1, A: p(12)},
			{Type: MsgLookup, RID: 4, Flag: wantPred, Hops: 3, A: q, Key: id(13)},
			{Type: MsgFound, RID: 5, Hops: 4, A: p(12), B: q},
			{Type: MsgGetState, RID: 6},
			{Type: MsgState, RID: 7, Flag: 1, A: p(3), Peers: []Peer{p(5), q}},
			{Type: MsgState, RID: 8, A: None, Peers: []Peer{q}},
			{Type: MsgNotify, A: p(4), B: None},
			{Type: MsgNotify, Flag: 1, A: p(4), B: q},
			{Type: MsgSetSucc, A: p(13)},
			{Type: MsgPing, RID: 9},
			{Type: MsgPong, RID: 9, A: q},
			{Type: MsgPut, RID: 10, Key: id(11), Value: []byte("value")},
			{Type: MsgPutOK, RID: 10},
			{Type: MsgGet, RID: 11, Key: id(11)},
			{Type: MsgValue, RID: 11, Flag: 1, Value: []byte("v")},
			{Type: MsgTransfer, Items: []Item{{Key: id(1), Value: []byte("a")}, {Key: id(2), Value: []byte("bc")}}},
			{Type: MsgLeave, Flag: 1, Peers: []Peer{p(8), q}},
			{Type: MsgGetFingers, RID: 12},
			{Type: MsgFingers, RID: 12, Runs: []FingerRun{{Start: 0, Peer: p(5)}, {Start: 2, Peer: q}}},
		}
		seen := map[MsgType]bool{}
		for _, m := range msgs {
			seen[m.Type] = true
			b := m.Append(s, nil)
			m.bits = uint8(bits) // as Node.send sets it
			if e := m.Encode(); !reflect.DeepEqual(e, b) {
				t.Errorf("%d bits: %s: Encode gives % x, want % x", bits, m.Text(), e, b)
			}
			if int64(len(b)) != m.Size(s) {
				t.Errorf("%d bits: %s: encoded in %d bytes, Size says %d", bits, m.Text(), len(b), m.Size(s))
			}
			got, err := Decode(s, b)
			if err != nil {
				t.Errorf("%d bits: %s: %v", bits, m.Text(), err)
				continue
			}
			if !reflect.DeepEqual(got, m) {
				t.Errorf("%d bits: decoded %s, want %s", bits, got.Text(), m.Text())
			}
			for cut := range len(b) {
				if _, err := Decode(s, b[:cut]); err == nil {
					t.Errorf("%d bits: %s: %d of its %d bytes decoded", bits, m.Text(), cut, len(b))
				}
			}
			if _, err := Decode(s, append(b, 0)); err == nil {
				t.Errorf("%d bits: %s: a byte past its end decoded", bits, m.Text())
			}
		}
		for ty := MsgType(1); ty < numMsgTypes; ty++ {
			if !seen[ty] {
				t.Errorf("no message of type %s checked", ty)
			}
		}
	}
}
