//go:build linux

package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
	"unsafe"
)

// TestAnonRW: which lines of /proc/self/maps (proc(5)) are the heap's kind of mapping.
func TestAnonRW(t *testing.T) {
	for _, c := range []struct {
		line   string
		lo, hi uintptr
		ok     bool
	}{
		{"c000000000-c004000000 rw-p 00000000 00:00 0 ", 0xc000000000, 0xc004000000, true},
		{"14a36a400000-14a36c400000 rw-p 00000000 00:00 0                          [anon: Go: heap]", 0x14a36a400000, 0x14a36c400000, true},
		{"7ffd3c5e1000-7ffd3c602000 rw-p 00000000 00:00 0                          [stack]", 0, 0, false},
		{"01b40000-01c00000 rw-p 00000000 00:00 0                                  [heap]", 0, 0, false},
		{"00d27000-015fb000 rw-p 00927000 fe:00 247026                             /tmp/netsim", 0, 0, false},
		{"7fcad8040000-7fcad8200000 r--p 00000000 00:00 0 ", 0, 0, false},
		{"7fcad8040000-7fcad8200000 ---p 00000000 00:00 0 ", 0, 0, false},
	} {
		lo, hi, ok := anonRW([]byte(c.line))
		if lo != c.lo || hi != c.hi || ok != c.ok {
			t.Errorf("anonRW(%q) = %#x, %#x, %v; want %#x, %#x, %v", c.line, lo, hi, ok, c.lo, c.hi, c.ok)
		}
	}
}

// TestScanMarksTheHeap: after a scan, a large allocation's mapping carries VmFlags
// "hg" (VM_HUGEPAGE, set by MADV_HUGEPAGE: proc(5), /proc/pid/smaps) and is
// THPeligible, and a second scan has nothing new to do.
func TestScanMarksTheHeap(t *testing.T) {
	const size = 64 << 20
	b := make([]byte, size)
	for i := 0; i < size/2; i += 4096 {
		b[i] = 1 // half of it faulted in before the scan, as a growing heap is
	}
	h := &heapHugePages{marked: map[uintptr]bool{}, collapsed: map[uintptr]bool{}, start: time.Now()}
	if err := h.scan(); err != nil {
		t.Fatal(err)
	}
	mid := uintptr(unsafe.Pointer(&b[size/2]))
	flags, eligible := smapsOf(t, mid)
	if !strings.Contains(" "+flags+" ", " hg ") || eligible != "1" {
		t.Errorf("the mapping of %#x after the scan: VmFlags %q, THPeligible %q; want hg among the flags and eligible 1", mid, flags, eligible)
	}
	if !h.marked[mid&^(hugePageSize-1)] {
		t.Errorf("the huge page of %#x is not remembered as marked", mid)
	}
	n := len(h.marked)
	if err := h.scan(); err != nil {
		t.Fatal(err)
	}
	if len(h.marked) < n {
		t.Errorf("a second scan forgot pages: %d marked, then %d", n, len(h.marked))
	}
	b[0] = 2 // b is live until here
}

// smapsOf returns the VmFlags and THPeligible lines of the mapping that holds addr.
func smapsOf(t *testing.T, addr uintptr) (flags, eligible string) {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		var lo, hi uintptr
		if _, err := fmt.Sscanf(line, "%x-%x ", &lo, &hi); err == nil && strings.Contains(line[:strings.IndexByte(line, ' ')], "-") {
			if in {
				break
			}
			in = lo <= addr && addr < hi
			continue
		}
		if !in {
			continue
		}
		if v, ok := strings.CutPrefix(line, "VmFlags:"); ok {
			flags = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(line, "THPeligible:"); ok {
			eligible = strings.TrimSpace(v)
		}
	}
	if !in {
		t.Fatalf("no mapping holds %#x in /proc/self/smaps", addr)
	}
	return flags, eligible
}
