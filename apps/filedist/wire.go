package filedist

import "netsim/topology"

// The filedist protocol is a small binary one over TCP. Every message starts with a
// 4-byte length and a 1-byte type; wire sizes below are those of this encoding, so
// the bytes counted are the bytes a real implementation would send.
const (
	headerBytes = 4 + 1
	// addrBytes is one peer address in a plan: an IPv4 address and a port.
	addrBytes = 4 + 2
)

// hello is a peer's first message to the server in P2P mode: its upload and download
// rates, which the server needs to plan the scheme (as a BitTorrent client announces
// itself to a tracker, here with its rates).
type hello struct {
	UploadBps, DownloadBps float64
}

func (hello) wireBytes() int64 { return headerBytes + 8 + 8 }

// request asks the server for the whole file (client-server mode).
type request struct{}

func (request) wireBytes() int64 { return headerBytes }

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

type wireMessage interface{ wireBytes() int64 }

func message(m wireMessage) topology.Message {
	return topology.Message{SizeBytes: m.wireBytes(), Payload: m}
}
