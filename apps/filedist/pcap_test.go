package filedist

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/topology"
)

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
