package scenarios_test

import (
	"runtime"
	"testing"
	"time"

	. "netsim/scenarios"
)

// Validation of any hostile input takes at most a second and 100 MB (issue 8,
// acceptance 1). This is a bound on resources, not a claim about speed: each case
// takes milliseconds, and the bound is what a case that counted a sweep by listing it,
// or read a file without a size limit, would break by orders of magnitude.
//
// Memory is measured inside the process as runtime.MemStats.TotalAlloc across the
// validation: every byte allocated, freed or not, so it bounds the peak of the heap
// from above and does not depend on when the collector runs. A separate process under
// a memory rlimit would measure the Go runtime's own reservations too, and a failure
// there would say less than a number.
const (
	maxValidationWall  = time.Second
	maxValidationBytes = 100 << 20
)

// bounded runs validate, failing the test if it does not end within ten times the
// bound (a hang), and returns its wall time and the bytes it allocated.
func bounded(t *testing.T, validate func()) (time.Duration, uint64) {
	t.Helper()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	done := make(chan struct{})
	go func() {
		defer close(done)
		validate()
	}()
	select {
	case <-done:
	case <-time.After(10 * maxValidationWall):
		t.Fatalf("validation did not end in %v", 10*maxValidationWall)
	}
	wall := time.Since(start)
	runtime.ReadMemStats(&after)
	return wall, after.TotalAlloc - before.TotalAlloc
}

func TestValidationIsBounded(t *testing.T) {
	var worstWall time.Duration
	var worstBytes uint64
	check := func(name string, validate func()) {
		wall, bytes := bounded(t, validate)
		if wall > maxValidationWall || bytes > maxValidationBytes {
			t.Errorf("%s: validation took %v and %d MB; the bound is %v and %d MB", name, wall, bytes>>20, maxValidationWall, maxValidationBytes>>20)
		}
		worstWall, worstBytes = max(worstWall, wall), max(worstBytes, bytes)
	}
	for _, tc := range hostileFiles {
		data := []byte(hostileText(tc.file))
		check(tc.name, func() { Parse("bad.yaml", data) })
	}
	for _, tc := range hostileSets {
		s := mustParse(t, setBase)
		check("--set "+tc.name, func() { s.Set(tc.args...) })
	}
	t.Logf("%d files and %d --set cases: at most %v and %.1f MB", len(hostileFiles), len(hostileSets), worstWall, float64(worstBytes)/(1<<20))
}
