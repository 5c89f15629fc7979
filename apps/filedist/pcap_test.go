package filedist

import (
	"context"
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/capture/capturetest"
	"netsim/sim"
	"netsim/topology"
)

// Client-server and P2P distribution of a 200 kB file to three peers (Kurose & Ross
// §2.5), captured at the server and at a peer: the protocol's binary messages
// reassemble in tshark to exactly their encoding and the file's length of data, and
// TCP analysis finds nothing wrong. In P2P mode peer1 dials its two neighbours and
// is dialled by them, so its capture holds its connection to the server and four to
// other peers (one each way per pair: relays are one-way).
func TestPcapOfFileDistribution(t *testing.T) {
	for _, c := range []struct {
		mode       Mode
		peer1Conns int
	}{{ClientServer, 1}, {P2P, 5}} {
		t.Run(string(c.mode), func(t *testing.T) {
			peers := []PeerSpec{{UploadBps: 5e6, DownloadBps: 20e6, Delay: sim.Millisecond},
				{UploadBps: 4e6, DownloadBps: 20e6, Delay: 2 * sim.Millisecond},
				{UploadBps: 3e6, DownloadBps: 20e6, Delay: 3 * sim.Millisecond}}
			capt := capturetest.Run(t, []string{"server", "peer1"}, func(attach capturetest.Attach) error {
				_, err := Simulate(context.Background(), Config{Mode: c.mode, FileBits: 1_600_000,
					ServerUploadBps: 10e6, Peers: peers, Attach: attach}, 1, nil)
				return err
			})
			capt.Check(t)
			syns := capt.Fields(t, "peer1", "tcp.flags.syn == 1 && tcp.flags.ack == 0", "tcp.stream")
			require.Len(t, syns, c.peer1Conns)
			if c.mode == ClientServer {
				// The server sends each peer the whole file: its data, one piece
				// header and the request it answers, per peer.
				perPeer := int64(200_000) + pieceHeaderBytes + request{}.wireBytes()
				require.Equal(t, 3*perPeer, capt.Streams(t, "server"))
			}
		})
	}
}

// The encodings are the sizes the model counts, with the fields where wire.go says.
func TestEncodings(t *testing.T) {
	p := plan{FileBytes: 200_000, Part: 2, PartBytes: 50_000, Peers: []topology.Addr{{Node: 3, Port: 6881}}}
	b := p.Encode()
	require.Len(t, b, int(p.wireBytes()))
	require.Equal(t, uint32(len(b)-4), binary.BigEndian.Uint32(b))
	require.Equal(t, byte(typePlan), b[4])
	require.Equal(t, uint64(200_000), binary.BigEndian.Uint64(b[5:]))
	require.Equal(t, []byte{10, 0, 0, 4, 0x1a, 0xe1}, b[len(b)-6:]) // node 3, port 6881
	pc := piece{Part: 1, Length: 1 << 40}
	require.Len(t, pc.Encode(), pieceHeaderBytes)
	require.Equal(t, uint64(1<<40), binary.BigEndian.Uint64(pc.Encode()[pieceHeaderBytes-8:]))
	require.Len(t, hello{1, 2}.Encode(), int(hello{}.wireBytes()))
	require.Len(t, request{}.Encode(), int(request{}.wireBytes()))
}
