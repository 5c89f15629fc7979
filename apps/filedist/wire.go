package filedist

import (
	"encoding/binary"
	"fmt"
	"math"

	"netsim/topology"
)

// The filedist protocol is a small binary one over TCP. Every message starts with a
// 4-byte length and a 1-byte type; wire sizes below are those of this encoding, so
// the bytes counted are the bytes a real implementation would send. Integers are
// big-endian (network byte order), rates IEEE 754 doubles. The length counts the
// bytes after it up to a piece's data, whose own 8-byte length field follows (so a
// piece of more than 4 GiB still has a length). Encode gives each message's bytes, a
// piece's data aside (a capture writes filler for it).
const (
	headerBytes = 4 + 1
	// addrBytes is one peer address in a plan: an IPv4 address and a port.
	addrBytes = 4 + 2
)

// Message types, the byte after the length.
const (
	typeHello   = 1
	typeRequest = 2
	typePlan    = 3
	typePiece   = 4
)

// header appends a message's length and type for a message of size bytes (data of a
// piece excluded).
func header(size int64, typ byte) []byte {
	b := make([]byte, 4, size)
	binary.BigEndian.PutUint32(b, uint32(size-4))
	return append(b, typ)
}

// hello is a peer's first message to the server in P2P mode: its upload and download
// rates, which the server needs to plan the scheme (as a BitTorrent client announces
// itself to a tracker, here with its rates).
type hello struct {
	UploadBps, DownloadBps float64
}

func (hello) wireBytes() int64 { return headerBytes + 8 + 8 }

// Encode is the hello's bytes: the header, then upload and download rates in bit/s.
func (h hello) Encode() []byte {
	b := header(h.wireBytes(), typeHello)
	b = binary.BigEndian.AppendUint64(b, math.Float64bits(h.UploadBps))
	return binary.BigEndian.AppendUint64(b, math.Float64bits(h.DownloadBps))
}

// Label names the hello on a sequence chart.
func (h hello) Label() string { return fmt.Sprintf("hello up %.3g bit/s", h.UploadBps) }

// request asks the server for the whole file (client-server mode).
type request struct{}

func (request) wireBytes() int64 { return headerBytes }

// Encode is the request's bytes: a header alone.
func (r request) Encode() []byte { return header(r.wireBytes(), typeRequest) }

// Label names the request on a sequence chart.
func (request) Label() string { return "request file" }

// plan tells a peer, in P2P mode, the file's size, which part it must relay, and the
// addresses of the peers to relay it to.
type plan struct {
	FileBytes int64
	Part      int   // index of the part this peer relays
	PartBytes int64 // its length; 0 means nothing to relay
	Peers     []topology.Addr
}

func (p plan) wireBytes() int64 {
	return headerBytes + 8 + 4 + 8 + 4 + addrBytes*int64(len(p.Peers))
}

// Encode is the plan's bytes: the header, the file's size, the part's index and size,
// the number of peers, and each peer's IPv4 address and port.
func (p plan) Encode() []byte {
	b := header(p.wireBytes(), typePlan)
	b = binary.BigEndian.AppendUint64(b, uint64(p.FileBytes))
	b = binary.BigEndian.AppendUint32(b, uint32(p.Part))
	b = binary.BigEndian.AppendUint64(b, uint64(p.PartBytes))
	b = binary.BigEndian.AppendUint32(b, uint32(len(p.Peers)))
	for _, a := range p.Peers {
		ip := a.Node.IPv4().As4()
		b = append(b, ip[:]...)
		b = binary.BigEndian.AppendUint16(b, uint16(a.Port))
	}
	return b
}

// Label names the plan on a sequence chart.
func (p plan) Label() string {
	return fmt.Sprintf("plan: relay part %d to %d peers", p.Part, len(p.Peers))
}

// piece carries bytes of the file: part Part, Length bytes, in a file of FileBytes.
// In client-server mode the one piece is the whole file.
type piece struct {
	Part      int
	Length    int64
	FileBytes int64
}

// pieceHeaderBytes is the part index, offset and length before the data.
const pieceHeaderBytes = headerBytes + 4 + 8 + 8

func (p piece) wireBytes() int64 { return pieceHeaderBytes + p.Length }

// Encode is the piece's header: the part's index, the data's offset in the part (0: a
// piece carries its part whole) and its length. The data follows (filler in a capture).
func (p piece) Encode() []byte {
	b := header(pieceHeaderBytes, typePiece)
	b = binary.BigEndian.AppendUint32(b, uint32(p.Part))
	b = binary.BigEndian.AppendUint64(b, 0)
	return binary.BigEndian.AppendUint64(b, uint64(p.Length))
}

// Label names the piece on a sequence chart.
func (p piece) Label() string { return fmt.Sprintf("piece %d (%d bytes)", p.Part, p.Length) }

type wireMessage interface{ wireBytes() int64 }

func message(m wireMessage) topology.Message {
	return topology.Message{SizeBytes: m.wireBytes(), Payload: m}
}
