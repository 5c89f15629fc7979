package kinds

import (
	"encoding/hex"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/apps/bittorrent"
)

// A small swarm captured at a leecher (BEP 3): tshark's BitTorrent dissector decodes
// the handshakes, with the torrent's info hash, each way on each of peer0's three
// peer connections (to the seed; to and from peer1, which dialled each other at
// once, the one peer1 opened being hung up after the handshakes, as the lower
// address keeps its own), and the piece messages that reach
// peer0 carry every block of the file, 16 KiB each; the announces decode as HTTP.
func TestPcapOfBitTorrent(t *testing.T) {
	c, _ := captureOf(t, `kind: bittorrent
params: {peers: 2, file: 64KiB, piece: 32KiB, seed_upload: 10Mbps, peer_upload: 10Mbps, peer_download: 10Mbps}
`, "peer0")
	c.Check(t)
	hash := bittorrent.Torrent{FileBytes: 64 << 10, PieceBytes: 32 << 10}.InfoHash()
	require.Equal(t, slices.Repeat([][]string{{hex.EncodeToString(hash[:])}}, 6),
		c.Fields(t, "peer0", "bittorrent.info_hash", "bittorrent.info_hash"))
	blocks := map[string]bool{}
	for _, row := range c.Fields(t, "peer0", "bittorrent.msg.type == 7 && ip.dst == "+c.IP(t, "peer0"), "bittorrent.piece.index", "bittorrent.piece.begin", "bittorrent.piece.data") {
		idx, begin, data := strings.Split(row[0], ","), strings.Split(row[1], ","), strings.Split(row[2], ",")
		for k := range idx {
			require.Len(t, data[k], 2*16384) // in hex
			blocks[idx[k]+":"+begin[k]] = true
		}
	}
	require.Equal(t, map[string]bool{"0x00000000:0x00000000": true, "0x00000000:0x00004000": true, "0x00000001:0x00000000": true, "0x00000001:0x00004000": true}, blocks)
	require.NotEmpty(t, c.Fields(t, "peer0", "http.request", "http.request.uri"))
}
