package bittorrent

import (
	"encoding/hex"
	"testing"
)

// Each message's encoding is as BEP 3 lays it out, as long as WireBytes says (the
// piece's block aside, which a capture fills), and the sizes are BEP 3's.
func TestEncodingsAreBEP3s(t *testing.T) {
	bits := newBitset(10)
	bits.set(0)
	bits.set(9)
	var hs Msg
	hs.Type = Handshake
	copy(hs.PeerID[:], "-NS0100-000000000000")
	for _, c := range []struct {
		m    *Msg
		hex  string
		size int64
	}{
		{&Msg{Type: KeepAlive}, "00000000", 4},
		{&Msg{Type: Choke}, "0000000100", 5},
		{&Msg{Type: Unchoke}, "0000000101", 5},
		{&Msg{Type: Interested}, "0000000102", 5},
		{&Msg{Type: NotInterested}, "0000000103", 5},
		{&Msg{Type: Have, Index: 258}, "000000050400000102", 9},
		{&Msg{Type: BitfieldMsg, Bits: bits, NBits: 10}, "00000003058040", 7},
		{&Msg{Type: Request, Index: 1, Begin: 16384, Length: 16384}, "0000000d06000000010000400000004000", 17},
		{&Msg{Type: Cancel, Index: 1, Begin: 16384, Length: 16384}, "0000000d08000000010000400000004000", 17},
		{&Msg{Type: Piece, Index: 1, Begin: 16384, Length: 16384}, "000040090700000001" + "00004000", 13 + 16384},
		{&hs, "13" + hex.EncodeToString([]byte("BitTorrent protocol")) + "0000000000000000" + hex.EncodeToString(make([]byte, 20)) + hex.EncodeToString([]byte("-NS0100-000000000000")), 68},
	} {
		if got := hex.EncodeToString(c.m.Encode()); got != c.hex {
			t.Errorf("%s: encoding %s, want %s", c.m.Type, got, c.hex)
		}
		if got := c.m.WireBytes(); got != c.size {
			t.Errorf("%s: %d bytes, want %d", c.m.Type, got, c.size)
		}
		if c.m.Type != Piece && int64(len(c.m.Encode())) != c.size {
			t.Errorf("%s: encoding of %d bytes, size %d", c.m.Type, len(c.m.Encode()), c.size)
		}
	}
}
