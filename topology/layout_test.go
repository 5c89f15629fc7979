package topology

import (
	"testing"
	"unsafe"
)

// TestMemoryLayout pins the sizes that the memory figures of issue 6 rest on
// (BenchmarkRelayMeshMemory, BenchmarkIdleStarMemory): a Flow fills the allocator's
// 128-byte size class, a link entry is a pointer, a rate and a hint's link (8 bytes
// more since issue 12: the check reads no flow whose bottleneck is as it was, a
// fifth of bittorrent-simgrid's CPU), and an idle host is a node and two links.
func TestMemoryLayout(t *testing.T) {
	for _, c := range []struct {
		what      string
		got, want uintptr
	}{
		{"Flow", unsafe.Sizeof(Flow{}), 128},
		{"linkEntry", unsafe.Sizeof(linkEntry{}), 24},
		{"link", unsafe.Sizeof(link{}), 80},
		{"node", unsafe.Sizeof(node{}), 24},
		// A connection fills the allocator's 512-byte size class, so it starts on a
		// cache line: each end is three whole lines, the first what its peer and a
		// landing segment read (tcp.go), and each end's segments in flight one more.
		{"tcpConn", unsafe.Sizeof(tcpConn{}), 512},
		{"connEnd", unsafe.Sizeof(connEnd{}), 192},
		{"connEnd.queue", unsafe.Offsetof(connEnd{}.queue), 64},
		{"connEnd.routeBps", unsafe.Offsetof(connEnd{}.routeBps), 128},
		{"tcpConn.fly0", unsafe.Offsetof(tcpConn{}.fly0), 384},
		{"tcpConn.fly1", unsafe.Offsetof(tcpConn{}.fly1), 448},
	} {
		if c.got != c.want {
			t.Errorf("%s is %d bytes, want %d", c.what, c.got, c.want)
		}
	}
}
