package bittorrent

import (
	"encoding/hex"
	"reflect"
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

// A torrent's shared have, request and piece messages are the ones a peer would make
// for each send, with BEP 3's sizes (9, 17, 13 + the block; a short last block), made
// once for all the peers on the torrent; a torrent too large for them has its
// messages made as they are sent, the same.
func TestSharedMessagesAreTheTorrentsOwn(t *testing.T) {
	// 3 pieces of 2 blocks, the last piece's second block 100 bytes.
	small := Torrent{FileBytes: 5<<14 + 100, PieceBytes: 2 << 14}
	// 2^17 + 2 blocks of 1 byte, over maxSharedBlocks.
	large := Torrent{FileBytes: maxSharedBlocks + 2, PieceBytes: 2, BlockBytes: 1}
	for _, tor := range []Torrent{small, large} {
		g := newGeometry(tor)
		if shared := g.pieces*g.blocks <= maxSharedBlocks; (g.msgs != nil) != shared {
			t.Fatalf("%d blocks: shared tables %v, want %v", g.pieces*g.blocks, g.msgs != nil, shared)
		}
		if other := newGeometry(tor); other.msgs != g.msgs {
			t.Errorf("%d blocks: two peers' geometries have different tables", g.pieces*g.blocks)
		}
		checkMessages(t, g)
	}
	if got := newGeometry(small).pieceMsg(blockRef{2, 1}).WireBytes(); got != 13+100 {
		t.Errorf("the last block's piece message is %d bytes, want 113", got)
	}
}

// checkMessages checks g's have, request and piece messages against BEP 3's fields
// and sizes: as made, or after a swarm has sent and received them (no receiver
// modifies a message).
func checkMessages(t *testing.T, g *geometry) {
	t.Helper()
	for i := range min(g.pieces, 1000) {
		if got, want := *g.haveMsg(i), (Msg{Type: Have, Index: uint32(i)}); !reflect.DeepEqual(got, want) || got.WireBytes() != 9 {
			t.Errorf("have %d: %+v (%d bytes), want %+v", i, got, got.WireBytes(), want)
		}
		for b := range g.blocksIn(i) {
			ref := blockRef{int32(i), int32(b)}
			begin, length := uint32(int64(b)*g.BlockBytes), uint32(g.blockLen(i, b))
			req, piece := g.requestMsg(ref), g.pieceMsg(ref)
			if want := (Msg{Type: Request, Index: uint32(i), Begin: begin, Length: length}); !reflect.DeepEqual(*req, want) || req.WireBytes() != 17 {
				t.Errorf("request %d:%d: %+v (%d bytes), want %+v", i, b, *req, req.WireBytes(), want)
			}
			if want := (Msg{Type: Piece, Index: uint32(i), Begin: begin, Length: length}); !reflect.DeepEqual(*piece, want) || piece.WireBytes() != 13+int64(length) {
				t.Errorf("piece %d:%d: %+v (%d bytes), want %+v", i, b, *piece, piece.WireBytes(), want)
			}
		}
	}
}
