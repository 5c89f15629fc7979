package bittorrent

import (
	"crypto/sha1"
	"errors"
	"fmt"
	"sync"
)

// Torrent is the file being shared, as its metainfo describes it (BEP 3): its length
// and its division into pieces, which peers exchange and announce, and blocks, the
// unit of a request. The defaults are the texts' (Kurose & Ross §2.6.1: chunks of
// 256 KB) and every client's 16 KiB block (BEP 3: "all current implementations use
// 2^14 (16 kiB)").
type Torrent struct {
	Name       string
	FileBytes  int64
	PieceBytes int64 // 0: DefaultPieceBytes
	BlockBytes int64 // 0: DefaultBlockBytes
}

const (
	DefaultPieceBytes = 256 << 10
	DefaultBlockBytes = 16 << 10
)

func (t Torrent) withDefaults() Torrent {
	if t.PieceBytes == 0 {
		t.PieceBytes = DefaultPieceBytes
	}
	if t.BlockBytes == 0 {
		t.BlockBytes = DefaultBlockBytes
	}
	if t.Name == "" {
		t.Name = "file"
	}
	return t
}

// Check reports the first impossible value.
func (t Torrent) Check() error {
	t = t.withDefaults()
	switch {
	case t.FileBytes <= 0:
		return errors.New("the file must not be empty")
	case t.BlockBytes <= 0 || t.PieceBytes <= 0:
		return errors.New("pieces and blocks must be positive")
	case t.PieceBytes%t.BlockBytes != 0:
		return fmt.Errorf("a piece (%d B) must be a whole number of blocks (%d B)", t.PieceBytes, t.BlockBytes)
	case (t.FileBytes+t.PieceBytes-1)/t.PieceBytes > 1<<24:
		return fmt.Errorf("%d pieces: at most 2^24", (t.FileBytes+t.PieceBytes-1)/t.PieceBytes)
	}
	return nil
}

// geometry is a torrent's derived sizes, computed once.
type geometry struct {
	Torrent
	pieces    int
	blocks    int // blocks in a full piece
	lastPiece int64
	infoHash  [20]byte
	msgs      *sharedMsgs // nil for a torrent of more than maxSharedBlocks blocks
}

func newGeometry(t Torrent) *geometry {
	t = t.withDefaults()
	g := &geometry{Torrent: t}
	g.pieces = int((t.FileBytes + t.PieceBytes - 1) / t.PieceBytes)
	g.blocks = int(t.PieceBytes / t.BlockBytes)
	g.lastPiece = t.FileBytes - int64(g.pieces-1)*t.PieceBytes
	g.infoHash = t.InfoHash()
	g.msgs = sharedMsgsOf(g)
	return g
}

func (g *geometry) pieceLen(p int) int64 {
	if p == g.pieces-1 {
		return g.lastPiece
	}
	return g.PieceBytes
}

// blocksIn returns the number of blocks of piece p.
func (g *geometry) blocksIn(p int) int {
	return int((g.pieceLen(p) + g.BlockBytes - 1) / g.BlockBytes)
}

func (g *geometry) blockLen(p, b int) int64 {
	return min(g.BlockBytes, g.pieceLen(p)-int64(b)*g.BlockBytes)
}

// Pieces returns how many pieces the file has.
func (t Torrent) Pieces() int {
	t = t.withDefaults()
	return int((t.FileBytes + t.PieceBytes - 1) / t.PieceBytes)
}

// InfoHash is the SHA-1 of the bencoded info dictionary (BEP 3): what the handshake
// and the announce name the torrent by. The piece hashes are those of a file of
// zeros: the simulation moves sizes, not content, and any 20 bytes a piece do.
func (t Torrent) InfoHash() [20]byte {
	t = t.withDefaults()
	if h, ok := infoHashes.Load(t); ok {
		return h.([20]byte)
	}
	h := t.infoHash()
	infoHashes.Store(t, h)
	return h
}

// infoHashes memoises InfoHash, a pure function of the torrent: every peer of a swarm
// derives its geometry, and hashing a 256 KiB piece of zeros a peer was 5% of a flash
// crowd's first minutes.
var infoHashes sync.Map // Torrent → [20]byte

func (t Torrent) infoHash() [20]byte {
	n := t.Pieces()
	zero := make([]byte, t.PieceBytes)
	h := sha1.Sum(zero)
	pieces := make([]byte, 0, 20*n)
	for i := range n {
		if i == n-1 {
			last := t.FileBytes - int64(n-1)*t.PieceBytes
			h = sha1.Sum(zero[:last])
		}
		pieces = append(pieces, h[:]...)
	}
	return sha1.Sum(Bencode(map[string]any{
		"name": t.Name, "length": t.FileBytes, "piece length": t.PieceBytes, "pieces": pieces,
	}))
}
