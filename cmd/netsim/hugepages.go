package main

import "fmt"

// Huge pages for the heap. A long run spends most of its time on loads that miss the
// caches: each event touches one random host's state in a heap of hundreds of MB to
// GB. On 4 KiB pages nearly every such load also misses the TLB and walks the page
// tables; on 2 MiB pages the walk is short or absent. The Go runtime (1.26) does not ask
// Linux for transparent huge pages on its heap, and with the kernel's usual setting
// (/sys/kernel/mm/transparent_hugepage/enabled = madvise) the heap stays on 4 KiB
// pages, so netsim asks itself (hugepages_linux.go). NETSIM_HUGEPAGES sets it:
// unset or "on", the default; "off"; "verbose", on and one line on stderr that says
// what the kernel did. Results do not depend on it: only where the memory lies does.
const hugePagesEnv = "NETSIM_HUGEPAGES"

// hugePagesSetting is what NETSIM_HUGEPAGES asks for.
type hugePagesSetting struct {
	on, verbose bool
}

// parseHugePages reads NETSIM_HUGEPAGES's value. A value it does not know gives the
// default with an error that says so: a typo costs a line on stderr, never a run.
func parseHugePages(value string) (hugePagesSetting, error) {
	switch value {
	case "", "on":
		return hugePagesSetting{on: true}, nil
	case "off":
		return hugePagesSetting{}, nil
	case "verbose":
		return hugePagesSetting{on: true, verbose: true}, nil
	}
	return hugePagesSetting{on: true, verbose: true}, fmt.Errorf("%s=%q: want on, off or verbose; using on", hugePagesEnv, value)
}
