package bittorrent

import (
	"encoding/binary"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"weak"

	"netsim/topology"
)

// The peer wire protocol (BEP 3, "peer protocol"): after a handshake, a stream of
// length-prefixed messages, <length: 4 bytes><id: 1 byte><payload>. Every message
// below is sent with the size of that encoding.

// MsgType is a peer wire message's id (BEP 3), and two that have none: the
// keep-alive (a zero length) and the handshake.
type MsgType uint8

const (
	Choke MsgType = iota
	Unchoke
	Interested
	NotInterested
	Have
	BitfieldMsg
	Request
	Piece
	Cancel
	KeepAlive
	Handshake
	numMsgTypes
)

var msgNames = [numMsgTypes]string{"choke", "unchoke", "interested", "not interested", "have", "bitfield", "request", "piece", "cancel", "keep-alive", "handshake"}

func (t MsgType) String() string { return msgNames[t] }

// HandshakeBytes is the handshake's size: <pstrlen = 19><"BitTorrent protocol">
// <8 reserved bytes><info_hash: 20><peer_id: 20>.
const HandshakeBytes = 1 + 19 + 8 + 20 + 20

// Msg is one peer wire message. Index, Begin and Length are have's piece and
// request's, piece's and cancel's block; Bits is a bitfield's pieces; InfoHash and
// PeerID are a handshake's.
type Msg struct {
	Type                 MsgType
	Index, Begin, Length uint32
	Bits                 bitset
	NBits                int // the torrent's pieces, the bitfield's length in bits
	InfoHash, PeerID     [20]byte
}

// WireBytes is the message's size on the wire (BEP 3): 4 for a keep-alive, 5 for a
// choke, unchoke, interested or not interested, 9 for a have, 5 + ⌈pieces/8⌉ for a
// bitfield, 17 for a request or cancel, 13 + the block for a piece, 68 for the
// handshake.
func (m *Msg) WireBytes() int64 {
	switch m.Type {
	case KeepAlive:
		return 4
	case Choke, Unchoke, Interested, NotInterested:
		return 5
	case Have:
		return 9
	case BitfieldMsg:
		return 5 + int64(m.NBits+7)/8
	case Request, Cancel:
		return 17
	case Piece:
		return 13 + int64(m.Length)
	case Handshake:
		return HandshakeBytes
	}
	panic(fmt.Sprintf("bittorrent: message type %d", m.Type))
}

// Text renders the message for a script (hosttest).
func (m *Msg) Text() string {
	switch m.Type {
	case Have:
		return fmt.Sprintf("have %d", m.Index)
	case Request, Piece, Cancel:
		return fmt.Sprintf("%s %d:%d+%d", m.Type, m.Index, m.Begin, m.Length)
	case BitfieldMsg:
		var b strings.Builder
		b.WriteString("bitfield ")
		for i := range m.NBits {
			if m.Bits.has(i) {
				b.WriteByte('1')
			} else {
				b.WriteByte('0')
			}
		}
		return b.String()
	case Handshake:
		return fmt.Sprintf("handshake %x %q", m.InfoHash[:4], m.PeerID[:])
	}
	return m.Type.String()
}

// protocolName is the handshake's pstr (BEP 3).
const protocolName = "BitTorrent protocol"

// Encode is the message's real encoding (BEP 3), for a capture: all of it but a
// piece's block, which the simulation does not carry and a capture writes as filler.
// A bitfield's first byte holds pieces 0 to 7, the high bit first.
func (m *Msg) Encode() []byte {
	switch m.Type {
	case Handshake:
		b := make([]byte, 0, HandshakeBytes)
		b = append(b, byte(len(protocolName)))
		b = append(b, protocolName...)
		b = append(b, make([]byte, 8)...) // reserved: no extensions
		b = append(b, m.InfoHash[:]...)
		return append(b, m.PeerID[:]...)
	case KeepAlive:
		return make([]byte, 4)
	}
	n := m.WireBytes()
	if m.Type == Piece {
		n = 13
	}
	b := binary.BigEndian.AppendUint32(make([]byte, 0, n), uint32(m.WireBytes()-4))
	b = append(b, byte(m.Type))
	switch m.Type {
	case Have:
		b = binary.BigEndian.AppendUint32(b, m.Index)
	case Request, Cancel:
		b = binary.BigEndian.AppendUint32(b, m.Index)
		b = binary.BigEndian.AppendUint32(b, m.Begin)
		b = binary.BigEndian.AppendUint32(b, m.Length)
	case Piece:
		b = binary.BigEndian.AppendUint32(b, m.Index)
		b = binary.BigEndian.AppendUint32(b, m.Begin)
	case BitfieldMsg:
		bits := make([]byte, (m.NBits+7)/8)
		for i := range m.NBits {
			if m.Bits.has(i) {
				bits[i/8] |= 0x80 >> (i % 8)
			}
		}
		b = append(b, bits...)
	}
	return b
}

// Label names the message on a sequence chart: its text, a bitfield by its count.
func (m *Msg) Label() string {
	if m.Type == BitfieldMsg {
		return fmt.Sprintf("bitfield (%d of %d pieces)", m.Bits.count(), m.NBits)
	}
	return m.Text()
}

func (m *Msg) message() topology.Message {
	return topology.Message{SizeBytes: m.WireBytes(), Payload: m}
}

// control messages carry no payload and are never modified: one of each is shared.
var controls = func() (c [KeepAlive + 1]*Msg) {
	for _, t := range []MsgType{Choke, Unchoke, Interested, NotInterested, KeepAlive} {
		c[t] = &Msg{Type: t}
	}
	return c
}()

// sharedMsgs is a torrent's have, request and piece messages, made once for every
// peer of every run on that torrent. Nothing modifies a message once it is sent (the
// receiving peer, a tap and a script only read its fields), so one value serves
// every send of it, where a new one a send was a quarter of a flash crowd's bytes;
// TestSwarmAboveTheP2PBoundAndBytesConserved checks them after its swarms.
type sharedMsgs struct {
	haves    []Msg // by piece
	requests []Msg // by block: block b of piece i at i·geometry.blocks + b
	pieces   []Msg // by block, as requests
}

// maxSharedBlocks bounds the torrents whose messages are made ahead: 2^17 blocks (a
// 2 GiB file of 16 KiB blocks) take 23 MB of messages. A larger torrent's peers make
// each request and piece message as they send it.
const maxSharedBlocks = 1 << 17

// sharedTables holds each torrent's messages while a peer's geometry refers to them:
// the runs of a campaign on one torrent, side by side on its workers, share one copy,
// and a long-lived process (netsim serve) keeps none of a torrent no run uses.
var sharedTables sync.Map // Torrent → weak.Pointer[sharedMsgs]

// sharedMsgsOf returns g's messages, made if no peer holds them; nil if g has more
// than maxSharedBlocks blocks.
func sharedMsgsOf(g *geometry) *sharedMsgs {
	if g.pieces*g.blocks > maxSharedBlocks {
		return nil
	}
	if w, ok := sharedTables.Load(g.Torrent); ok {
		if m := w.(weak.Pointer[sharedMsgs]).Value(); m != nil {
			return m
		}
	}
	m := &sharedMsgs{haves: make([]Msg, g.pieces), requests: make([]Msg, g.pieces*g.blocks), pieces: make([]Msg, g.pieces*g.blocks)}
	for i := range g.pieces {
		m.haves[i] = Msg{Type: Have, Index: uint32(i)}
		for b := range g.blocksIn(i) {
			k := i*g.blocks + b
			m.requests[k] = blockMsg(g, Request, blockRef{int32(i), int32(b)})
			m.pieces[k] = blockMsg(g, Piece, blockRef{int32(i), int32(b)})
		}
	}
	// Two runs starting at once may both make them: each uses its own, and the map
	// keeps the last, whose cleanup alone takes it out.
	w := weak.Make(m)
	sharedTables.Store(g.Torrent, w)
	runtime.AddCleanup(m, func(t Torrent) { sharedTables.CompareAndDelete(t, w) }, g.Torrent)
	return m
}

// blockMsg is the request, piece or cancel message of block b (BEP 3: its piece, its
// offset in the piece and its length).
func blockMsg(g *geometry, t MsgType, b blockRef) Msg {
	return Msg{Type: t, Index: uint32(b.piece), Begin: uint32(int64(b.block) * g.BlockBytes), Length: uint32(g.blockLen(int(b.piece), int(b.block)))}
}

// haveMsg returns the have message of piece i, never to be modified.
func (g *geometry) haveMsg(i int) *Msg {
	if g.msgs != nil {
		return &g.msgs.haves[i]
	}
	return &Msg{Type: Have, Index: uint32(i)}
}

// requestMsg returns the request of block b, never to be modified.
func (g *geometry) requestMsg(b blockRef) *Msg {
	if g.msgs != nil {
		return &g.msgs.requests[int(b.piece)*g.blocks+int(b.block)]
	}
	m := blockMsg(g, Request, b)
	return &m
}

// pieceMsg returns the piece message carrying block b, never to be modified.
func (g *geometry) pieceMsg(b blockRef) *Msg {
	if g.msgs != nil {
		return &g.msgs.pieces[int(b.piece)*g.blocks+int(b.block)]
	}
	m := blockMsg(g, Piece, b)
	return &m
}
