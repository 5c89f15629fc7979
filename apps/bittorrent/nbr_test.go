package bittorrent

import (
	"testing"
	"unsafe"
)

// The neighbour record is laid out in whole cache lines (nbr's comment): its
// allocations start on a 64-byte line, the handler and the peer a landing calls are
// in its first line, what every landing reads (the pieces, the connection, the flags)
// in its second, and a bitfield of up to 448 pieces in a line of its own.
func TestNbrFillsWholeCacheLines(t *testing.T) {
	const line = 64
	var n nbr
	if s := unsafe.Sizeof(n); s <= 320 || s > 384 {
		t.Errorf("nbr is %d bytes, want 321–384 (Go's size class 384, whose objects are line-aligned)", s)
	}
	if end := unsafe.Offsetof(n.p) + unsafe.Sizeof(n.p); end > line {
		t.Errorf("the handler and peer end at byte %d, past the first line", end)
	}
	if o, end := unsafe.Offsetof(n.has), unsafe.Offsetof(n.peerInterested); o < line || end >= 2*line {
		t.Errorf("the pieces and flags are at bytes %d–%d, not in the second line", o, end)
	}
	if o := unsafe.Offsetof(n.hasWords); o%line != 0 {
		t.Errorf("hasWords at byte %d, not on a line", o)
	}
	keep := make([]*nbr, 64)
	for i := range keep {
		keep[i] = new(nbr)
		if a := uintptr(unsafe.Pointer(keep[i])); a%line != 0 {
			t.Fatalf("nbr allocated at %#x, not on a %d-byte line", a, line)
		}
	}
	if got := n.newHas(7); &got[0] != &n.hasWords[0] || len(got) != 7 {
		t.Errorf("a bitfield of 7 words is not the inline one")
	}
	if got := n.newHas(8); &got[0] == &n.hasWords[0] || len(got) != 8 {
		t.Errorf("a bitfield of 8 words is not its own")
	}
}
