//go:build linux

package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const (
	madvHugePage = 14      // MADV_HUGEPAGE (madvise(2)): the kernel may back the range with huge pages
	madvCollapse = 25      // MADV_COLLAPSE (madvise(2), Linux 6.1): back it with huge pages now
	hugePageSize = 2 << 20 // the x86-64 and arm64 PMD size (hpage_pmd_size)

	// hugePagesScan is how often the heap's mappings are looked for new ones. The
	// runtime maps its heap 4 MiB or more at a time and starts using it at once, so a
	// new mapping's first pages are faulted in as 4 KiB pages before it is seen; the
	// collapse puts those on huge pages too.
	hugePagesScan = 100 * time.Millisecond

	// collapseAfter is how long the process runs before its pages are collapsed. A
	// collapse copies each 2 MiB page (about 1.2 s of system time for 200 MB here),
	// which a run of 10–20 s does not win back (bittorrent-simgrid: 2% slower), while
	// a run of minutes does (the flash crowd: 14% less CPU). Until then the mappings
	// are only marked, which costs nothing, and pages faulted in afterwards are huge.
	collapseAfter = 30 * time.Second
)

// startHugePages starts marking the Go heap's mappings for huge pages, as
// NETSIM_HUGEPAGES's value says (see hugepages.go). A kernel that refuses costs one
// line on stderr with "verbose", never an error.
func startHugePages(value string, stderr io.Writer) {
	set, err := parseHugePages(value)
	if err != nil {
		fmt.Fprintf(stderr, "netsim: %v\n", err)
	}
	if !set.on {
		return
	}
	if mode := thpMode(); mode == "never" {
		if set.verbose {
			fmt.Fprintf(stderr, "netsim: huge pages: off: the kernel's transparent_hugepage is never\n")
		}
		return
	}
	// The first scan runs now, so that its line comes before any other output.
	h := &heapHugePages{marked: map[uintptr]bool{}, collapsed: map[uintptr]bool{}, start: time.Now()}
	err = h.scan()
	if set.verbose {
		if err != nil {
			fmt.Fprintf(stderr, "netsim: huge pages: off: %v\n", err)
		} else {
			fmt.Fprintf(stderr, "netsim: huge pages: on: the heap's mappings are marked MADV_HUGEPAGE and collapsed as they grow (%s=off turns it off)\n", hugePagesEnv)
		}
	}
	if err != nil {
		return
	}
	go func() {
		for {
			time.Sleep(hugePagesScan)
			if h.scan() != nil {
				return
			}
		}
	}()
}

// thpMode is the kernel's transparent huge page mode (always, madvise or never), or ""
// if it cannot be read.
func thpMode() string {
	b, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil {
		return ""
	}
	s := string(b)
	if i, j := strings.IndexByte(s, '['), strings.IndexByte(s, ']'); 0 <= i && i < j {
		return s[i+1 : j]
	}
	return ""
}

// heapHugePages remembers which 2 MiB pages of the process's memory are marked and
// which collapsed.
type heapHugePages struct {
	marked    map[uintptr]bool // the start of every huge page already marked
	collapsed map[uintptr]bool // the start of every huge page already collapsed
	start     time.Time        // when marking began (collapseAfter)
}

// scan marks every whole 2 MiB page of the process's private anonymous read-write
// mappings (the Go heap and the runtime's own structures: netsim has no cgo) that is
// not marked yet, and once the process has run collapseAfter, collapses those not
// collapsed yet. The runtime never unmaps its heap, so a page marked stays marked.
// The collapse's errors are ignored, as the runtime ignores them: it is best effort
// (EAGAIN when the memory is busy).
func (h *heapHugePages) scan() error {
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return err
	}
	defer f.Close()
	collapse := time.Since(h.start) >= collapseAfter
	var mark, fold pageRanges
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lo, hi, ok := anonRW(sc.Bytes())
		if !ok {
			continue
		}
		for a := (lo + hugePageSize - 1) &^ (hugePageSize - 1); a+hugePageSize <= hi; a += hugePageSize {
			if !h.marked[a] {
				mark.add(a)
			}
			if collapse && !h.collapsed[a] {
				fold.add(a)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	// The madvise calls come after the reading: they split and merge mappings.
	for _, r := range mark {
		if _, _, e := syscall.Syscall(syscall.SYS_MADVISE, r[0], r[1]-r[0], madvHugePage); e != 0 {
			return fmt.Errorf("madvise(MADV_HUGEPAGE): %v", e)
		}
		for a := r[0]; a < r[1]; a += hugePageSize {
			h.marked[a] = true
		}
	}
	for _, r := range fold {
		syscall.Syscall(syscall.SYS_MADVISE, r[0], r[1]-r[0], madvCollapse)
		for a := r[0]; a < r[1]; a += hugePageSize {
			h.collapsed[a] = true
		}
	}
	return nil
}

// pageRanges are runs of huge pages, each [start, end).
type pageRanges [][2]uintptr

// add appends the huge page at a, extending the last run if a follows it.
func (rs *pageRanges) add(a uintptr) {
	if n := len(*rs); n > 0 && (*rs)[n-1][1] == a {
		(*rs)[n-1][1] += hugePageSize
		return
	}
	*rs = append(*rs, [2]uintptr{a, a + hugePageSize})
}

// anonRW reads a line of /proc/self/maps ("lo-hi perms offset dev inode [name]") and
// says whether it is a private anonymous read-write mapping, and its bounds. Anonymous
// mappings have no name, or one the runtime gave them ("[anon: Go: heap]", with
// CONFIG_ANON_VMA_NAME); [stack] and [heap] (the C brk heap) are left alone.
func anonRW(line []byte) (lo, hi uintptr, ok bool) {
	f := bytes.Fields(line)
	if len(f) < 5 || string(f[1]) != "rw-p" || len(f) > 5 && !bytes.HasPrefix(f[5], []byte("[anon")) {
		return 0, 0, false
	}
	l, h, found := bytes.Cut(f[0], []byte("-"))
	a, err1 := strconv.ParseUint(string(l), 16, 64)
	b, err2 := strconv.ParseUint(string(h), 16, 64)
	if !found || err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return uintptr(a), uintptr(b), true
}
