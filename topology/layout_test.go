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
	} {
		if c.got != c.want {
			t.Errorf("%s is %d bytes, want %d", c.what, c.got, c.want)
		}
	}
}
