package scenarios_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "netsim/scenarios"
)

// The scenario parser meets every file a user can write. No input may make it panic
// or hang, its message must stay a screenful however large the file, and what it
// accepts must come back the same through its resolved form (show-config's output,
// manifest.json's scenario): the same hash, so the same runs.

// scenarioSeeds are the built-in scenarios, the test fixtures and every file of the
// bad-input table: a corpus of what parses and of what must not.
func scenarioSeeds(f *testing.F) [][]byte {
	var seeds [][]byte
	for _, pattern := range []string{"*.yaml", "testdata/*.yaml"} {
		files, _ := filepath.Glob(pattern)
		for _, name := range files {
			data, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			seeds = append(seeds, data)
		}
	}
	for _, tc := range badFiles {
		seeds = append(seeds, []byte(tc.file))
	}
	for _, tc := range hostileFiles {
		seeds = append(seeds, []byte(tc.file))
	}
	return seeds
}

// maxMessageBytes bounds a refusal's message: 20 problems, each a line of reason and
// a quoted line of at most 120 bytes, and the count of the rest.
const maxMessageBytes = 32 << 10

func FuzzParse(f *testing.F) {
	for _, seed := range scenarioSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("fuzz.yaml", data)
		if err != nil {
			if msg := err.Error(); len(msg) > maxMessageBytes || msg == "" {
				t.Fatalf("a message of %d bytes", len(msg))
			}
			return
		}
		if n := s.NumRuns(); n < 1 || int64(n) > s.Limits.Runs {
			t.Fatalf("accepted a campaign of %d runs, limit %d", n, s.Limits.Runs)
		}
		out, err := s.Resolved()
		if err != nil {
			t.Fatalf("resolving: %v", err)
		}
		back, err := Parse("resolved.yaml", out)
		if err != nil {
			t.Fatalf("the resolved scenario does not parse: %v\n%s", err, out)
		}
		h1, _ := s.Hash()
		h2, _ := back.Hash()
		if h1 != h2 || back.NumRuns() != s.NumRuns() {
			t.Fatalf("the resolved scenario is another campaign (%d runs, not %d):\n%s", back.NumRuns(), s.NumRuns(), out)
		}
	})
}

// FuzzSet applies --set arguments (separated by NUL in the input) to a scenario with a
// sweep, variants and plots: a refused set must leave it as it was, an accepted one
// must leave a scenario that resolves and parses back.
func FuzzSet(f *testing.F) {
	for _, tc := range badSets {
		f.Add(strings.Join(tc.args, "\x00"))
	}
	for _, seed := range []string{"peers=3", "ratio=[0.25, 0.75]", "think={exponential: 2s}", "file=[1MB, 1MB]",
		"replications=1000000", "name=../x", "seed=18446744073709551615", "server.slots=1\x00peers=2", "limits.runs=5", "delay=100000d"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, args string) {
		s, err := Parse("set.yaml", []byte(setBase))
		if err != nil {
			t.Fatal(err)
		}
		before, _ := s.Resolved()
		if err := s.Set(strings.Split(args, "\x00")...); err != nil {
			if after, _ := s.Resolved(); !bytes.Equal(after, before) {
				t.Fatalf("a refused --set changed the scenario: %v", err)
			}
			if len(err.Error()) > maxMessageBytes {
				t.Fatalf("a message of %d bytes", len(err.Error()))
			}
			return
		}
		out, err := s.Resolved()
		if err != nil {
			t.Fatal(err)
		}
		back, err := Parse("resolved.yaml", out)
		if err != nil {
			t.Fatalf("after --set %q the resolved scenario does not parse: %v\n%s", args, err, out)
		}
		if int64(back.NumRuns()) > back.Limits.Runs {
			t.Fatalf("accepted a campaign of %d runs", back.NumRuns())
		}
	})
}
