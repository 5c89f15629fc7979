package kinds_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"netsim/scenarios"
	"netsim/scenarios/campaign"
	_ "netsim/scenarios/kinds"
)

// fuzzLimits are the command line's limits for FuzzRunAccepted: small enough that
// every accepted file runs in a fraction of a second, and applied over whatever the
// file's own limits: say, as --limit is.
var fuzzLimits = []string{"runs=8", "hosts=2000", "flows=100000", "requests=1000000", "objects=1000000",
	"schedule_events=2000", "events=5000", "wall_time=1s"}

// FuzzRunAccepted checks the promise validation makes (issue 8, acceptance 2; DESIGN.md,
// Scale): any file that validates runs to completion or stops at a declared limit with
// a clear status. Its corpus is the built-in scenarios, which the fuzzer mutates; each
// file it accepts is run whole, under a small event budget, and every run must end
// with status ok or that of the limit it stopped at, never an error or a panic.
func FuzzRunAccepted(f *testing.F) {
	for _, seed := range runSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := scenarios.ParseWith("fuzz.yaml", data, scenarios.ParseOptions{Limits: fuzzLimits})
		if err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		res, err := campaign.Run(ctx, s, campaign.RunOptions{Workers: 1})
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("an accepted file ran for a minute despite its limits:\n%s", data)
			}
			t.Fatalf("an accepted file failed: %v\n%s", err, data)
		}
		for _, r := range res.Runs {
			switch r.Status {
			case campaign.StatusOK, campaign.StatusEvents, campaign.StatusSimTime, campaign.StatusWallTime:
			default:
				t.Fatalf("run %d: status %q", r.Run, r.Status)
			}
		}
	})
}

// runSeeds are the built-in scenarios cut down to one point of their sweep and one
// replication (their variants kept), so that each is a campaign the fuzz limits accept
// and the fuzzer starts from files that run.
func runSeeds(f *testing.F) [][]byte {
	files, _ := filepath.Glob("../*.yaml")
	var seeds [][]byte
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		s, err := scenarios.Parse(name, data)
		if err != nil {
			f.Fatal(err)
		}
		sets := []string{"replications=1"}
		for _, ax := range s.Sweep {
			v := scenarios.FormatValue(ax.Values[0])
			if _, ok := ax.Values[0].(string); ok {
				v = strconv.Quote(v) // "" is a value, [] no list at all
			}
			sets = append(sets, ax.Key+"=["+v+"]")
		}
		if err := s.Set(sets...); err != nil {
			f.Fatal(err)
		}
		s.Plots = nil // a plot of one point is refused for leaving other keys free
		out, err := s.Resolved()
		if err != nil {
			f.Fatal(err)
		}
		if _, err := scenarios.ParseWith("seed.yaml", out, scenarios.ParseOptions{Limits: fuzzLimits}); err != nil {
			f.Fatalf("%s cut down: %v", name, err)
		}
		seeds = append(seeds, out)
	}
	return seeds
}
