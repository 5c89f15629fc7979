//go:build unix

package scenarios_test

import (
	"runtime"
	"slices"
	"syscall"
	"testing"
	"time"

	. "netsim/scenarios"
)

// Validation of any hostile input, and of every bad file and --set of bad_test.go,
// takes at most a second and 100 MB (issue 8, acceptance 1). This is a bound on
// resources, not a claim about speed: each case takes milliseconds, and the bound is
// what a case that counted a sweep by listing it, or read a file without a size
// limit, would break by orders of magnitude.
//
// Time is the process's CPU time (user and system, getrusage), not wall time, which
// on a machine shared with other work is several times the CPU time and would make
// the bound a measure of the load. Memory is runtime.MemStats.TotalAlloc across the
// validation: every byte allocated, freed or not, so it bounds the peak of the heap
// from above and does not depend on when the collector runs. A separate process under
// a memory rlimit would measure the Go runtime's own reservations too, and a failure
// there would say less than a number.
const (
	maxValidationCPU   = time.Second
	maxValidationBytes = 100 << 20
)

// cpuTime is the CPU time the process has used.
func cpuTime(t *testing.T) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// bounded runs validate, failing the test if it does not end within ten seconds of
// wall time (a hang), and returns the CPU time and the bytes it took.
func bounded(t *testing.T, validate func()) (time.Duration, uint64) {
	t.Helper()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := cpuTime(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		validate()
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("validation did not end in 10 s")
	}
	cpu := cpuTime(t) - start
	runtime.ReadMemStats(&after)
	return cpu, after.TotalAlloc - before.TotalAlloc
}

func TestValidationIsBounded(t *testing.T) {
	var worstCPU time.Duration
	var worstBytes uint64
	check := func(name string, validate func()) {
		cpu, bytes := bounded(t, validate)
		if cpu > maxValidationCPU || bytes > maxValidationBytes {
			t.Errorf("%s: validation took %v of CPU and %d MB; the bound is %v and %d MB", name, cpu, bytes>>20, maxValidationCPU, maxValidationBytes>>20)
		}
		worstCPU, worstBytes = max(worstCPU, cpu), max(worstBytes, bytes)
	}
	for _, tc := range hostileFiles {
		data := []byte(hostileText(tc.file))
		check(tc.name, func() { Parse("bad.yaml", data) })
	}
	for _, tc := range badFiles {
		data := []byte(tc.file)
		check(tc.name, func() { Parse("bad.yaml", data) })
	}
	sets := slices.Concat(badSets, hostileSets)
	for _, tc := range sets {
		s := mustParse(t, setBase)
		check("--set "+tc.name, func() { s.Set(tc.args...) })
	}
	t.Logf("%d files and %d --set cases: at most %v of CPU and %.1f MB", len(hostileFiles)+len(badFiles), len(sets), worstCPU, float64(worstBytes)/(1<<20))
}
