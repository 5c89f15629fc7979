package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeEngine stands in for the scenarios package where a test checks the command line
// itself: what is printed and the exit status for each outcome of a campaign.
type fakeEngine struct {
	backend   // the real bounds
	scenarios map[string]*fakeScenario
	run       func(ctx context.Context, s scenario, opts runOptions) (runCounts, error)

	mu      sync.Mutex
	lastRun runOptions
}

func (f *fakeEngine) Version() string { return "v-test" }

func (f *fakeEngine) Load(name string) (scenario, error) {
	s, ok := f.scenarios[name]
	if !ok {
		return nil, fmt.Errorf("scenario %s: no such file", name)
	}
	return s, nil
}

func (f *fakeEngine) Builtins() []entry {
	return []entry{{"filedist-cs-p2p", "Client-server against P2P (figure 2.23)"}, {"http-rtt", "Persistent against non-persistent HTTP"}}
}

func (f *fakeEngine) Form(scenario) []formField     { return nil }
func (f *fakeEngine) Figures(scenario) []figureInfo { return nil }

func (f *fakeEngine) Kinds() []entry {
	return []entry{{"filedist", "file distribution, client-server and P2P"}}
}

func (f *fakeEngine) Run(ctx context.Context, s scenario, opts runOptions) (runCounts, error) {
	f.mu.Lock()
	f.lastRun = opts
	f.mu.Unlock()
	return f.run(ctx, s, opts)
}

type fakeScenario struct {
	name string
	runs int
	seed uint64
	sets []string
}

func (s *fakeScenario) Name() string        { return s.name }
func (s *fakeScenario) Description() string { return "" }
func (s *fakeScenario) Runs() int           { return s.runs }
func (s *fakeScenario) Set(kvs ...string) error {
	for _, kv := range kvs {
		if strings.HasPrefix(kv, "bogus=") {
			return errors.New("--set " + kv + ": bogus: unknown key")
		}
	}
	s.sets = append(s.sets, kvs...)
	return nil
}
func (s *fakeScenario) SetSeed(seed uint64) { s.seed = seed }
func (s *fakeScenario) SetCapture(pcap, msc []string) error {
	return nil
}
func (s *fakeScenario) Resolved() ([]byte, error) {
	return fmt.Appendf(nil, "name: %s\nseed: %d\nsets: %q\n", s.name, s.seed, s.sets), nil
}

// exec runs netsim with args against eng and returns the exit status and output.
func exec(t *testing.T, eng engine, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	c := &cli{stdout: &out, stderr: &errOut, eng: eng, now: time.Now}
	code = c.main(context.Background(), args)
	if strings.Contains(errOut.String(), "goroutine ") || strings.Contains(errOut.String(), "panic:") {
		t.Errorf("netsim %s: stack trace on stderr:\n%s", strings.Join(args, " "), errOut.String())
	}
	return code, out.String(), errOut.String()
}

// Usage errors: exit status 2, the problem on the first line of stderr, a pointer to help.
func TestUsageErrors(t *testing.T) {
	eng := &fakeEngine{scenarios: map[string]*fakeScenario{"s": {name: "s", runs: 1}}}
	tests := []struct {
		args  []string
		first string // first line of stderr
	}{
		{nil, "netsim: no command"},
		{[]string{"frobnicate"}, `netsim: unknown command "frobnicate"`},
		{[]string{"run"}, "netsim run: want one scenario, got 0 arguments"},
		{[]string{"run", "a", "b"}, "netsim run: want one scenario, got 2 arguments"},
		{[]string{"run", "s", "--bogus"}, "netsim run: flag provided but not defined: -bogus"},
		{[]string{"run", "s", "-j", "two"}, `netsim run: invalid value "two" for flag -j: parse error`},
		{[]string{"run", "s", "--seed", "-1"}, `netsim run: invalid value "-1" for flag -seed: want a non-negative integer, got "-1"`},
		{[]string{"run", "s", "--set", "novalue"}, `netsim run: invalid value "novalue" for flag -set: want key=value, got "novalue"`},
		{[]string{"run", "s", "--shard", "0/3"}, `netsim run: invalid value "0/3" for flag -shard: want i/n with 1 ≤ i ≤ n`},
		{[]string{"run", "s", "--shard", "4/3"}, `netsim run: invalid value "4/3" for flag -shard: want i/n with 1 ≤ i ≤ n`},
		{[]string{"run", "s", "--shard", "abc"}, `netsim run: invalid value "abc" for flag -shard: want i/n, e.g. 2/8`},
		{[]string{"run", "s", "--shard", "1/0"}, `netsim run: invalid value "1/0" for flag -shard: want i/n with 1 ≤ i ≤ n`},
		{[]string{"run", "s", "--run-index", "abc"}, `netsim run: invalid value "abc" for flag -run-index: want run indices 0, 1, ... (as in runs.csv's run column), separated by commas`},
		{[]string{"run", "s", "--run-index", "-1"}, `netsim run: invalid value "-1" for flag -run-index: want run indices 0, 1, ... (as in runs.csv's run column), separated by commas`},
		{[]string{"run", "s", "--run-index", "0,1"}, "netsim run: --run-index 1: out of range: the campaign has 1 run, 0 to 0"},
		{[]string{"run", "s", "--shard", "1/2", "--run-index", "0"}, "netsim run: --shard and --run-index cannot be used together"},
		{[]string{"merge", "a", "b"}, "netsim merge: -o: want the output folder"},
		{[]string{"merge", "-o", "out"}, "netsim merge: want the folders to merge, got none"},
		{[]string{"validate"}, "netsim validate: no scenario file given"},
		{[]string{"show-config"}, "netsim show-config: want one scenario or kind, got 0 arguments"},
		{[]string{"list", "extra"}, `netsim list: takes no arguments, got "extra"`},
		{[]string{"bounds", "-F"}, "netsim bounds: flag needs an argument: -F"},
		{[]string{"bounds", "-N", "ten"}, `netsim bounds: invalid value "ten" for flag -N: parse error`},
		{[]string{"help", "frobnicate"}, `netsim help: unknown command "frobnicate"`},
		{[]string{"version", "x"}, "netsim version: takes no arguments"},
	}
	for _, tt := range tests {
		code, stdout, stderr := exec(t, eng, tt.args...)
		first, rest, _ := strings.Cut(stderr, "\n")
		if code != exitUsage || first != tt.first || stdout != "" {
			t.Errorf("netsim %s: exit %d, stderr first line %q, stdout %q; want exit 2, %q, nothing",
				strings.Join(tt.args, " "), code, first, stdout, tt.first)
		}
		if !strings.Contains(rest, "netsim help") {
			t.Errorf("netsim %s: stderr does not point to help:\n%s", strings.Join(tt.args, " "), stderr)
		}
	}
}

// -h on every command, and help COMMAND, print the command's usage on stdout and exit 0.
func TestHelp(t *testing.T) {
	eng := &fakeEngine{}
	for _, cmd := range commands {
		for _, args := range [][]string{{cmd.name, "-h"}, {cmd.name, "--help"}, {"help", cmd.name}} {
			code, stdout, stderr := exec(t, eng, args...)
			want := "usage: " + cmd.synopsis() + "\n\n"
			if code != 0 || !strings.HasPrefix(stdout, want) || stderr != "" {
				t.Errorf("netsim %s: exit %d, stdout %.40q, stderr %q; want 0 and %q", strings.Join(args, " "), code, stdout, stderr, want)
			}
		}
	}
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}} {
		code, stdout, _ := exec(t, eng, args...)
		if code != 0 || !strings.Contains(stdout, "\n  show-config  print a scenario with every default filled in, or a kind's parameters and metrics\n") {
			t.Errorf("netsim %s: exit %d, output:\n%s", strings.Join(args, " "), code, stdout)
		}
	}
	_, stdout, _ := exec(t, eng, "help", "run")
	for _, flag := range []string{"-o DIR", "-seed N", "-set key=value", "-j N", "-shard i/n", "-run-index K", "-force", "-q"} {
		if !strings.Contains(stdout, "  "+flag) {
			t.Errorf("netsim help run does not list %s:\n%s", flag, stdout)
		}
	}
}

func TestVersion(t *testing.T) {
	code, stdout, _ := exec(t, &fakeEngine{}, "--version")
	if code != 0 || stdout != "netsim v-test\n" {
		t.Errorf("netsim --version: exit %d, %q", code, stdout)
	}
}

func TestList(t *testing.T) {
	code, stdout, _ := exec(t, &fakeEngine{}, "list")
	want := `Built-in scenarios (netsim run NAME):
  filedist-cs-p2p  Client-server against P2P (figure 2.23)
  http-rtt         Persistent against non-persistent HTTP

Kinds (kind: in a scenario file):
  filedist  file distribution, client-server and P2P
`
	if code != 0 || stdout != want {
		t.Errorf("netsim list: exit %d, output:\n%s\nwant:\n%s", code, stdout, want)
	}
}

// show-config applies --set and --seed in order, wherever they sit on the line.
func TestShowConfigOverrides(t *testing.T) {
	eng := &fakeEngine{scenarios: map[string]*fakeScenario{"s": {name: "s"}}}
	code, stdout, stderr := exec(t, eng, "show-config", "--set", "peers=10", "s", "--seed", "7", "--set", "file=1Gbit")
	want := "name: s\nseed: 7\nsets: [\"peers=10\" \"file=1Gbit\"]\n"
	if code != 0 || stdout != want {
		t.Errorf("exit %d, stdout %q, stderr %q; want %q", code, stdout, stderr, want)
	}
	code, _, stderr = exec(t, eng, "show-config", "s", "--set", "bogus=1")
	if code != exitError || stderr != "netsim: --set bogus=1: bogus: unknown key\n" {
		t.Errorf("bad --set: exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = exec(t, eng, "show-config", "nosuch")
	if code != exitError || stderr != "netsim: scenario nosuch: no such file\n" {
		t.Errorf("missing scenario: exit %d, stderr %q", code, stderr)
	}
}

func TestParseInterspersed(t *testing.T) {
	cmd := runCmd
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"a", "-q", "b"}, "[a b]"},
		{[]string{"-q", "a", "--", "-o", "x"}, "[a -o x]"},
		{[]string{"--", "-q"}, "[-q]"},
		{[]string{"-o", "dir", "a"}, "[a]"},
		{nil, "[]"},
	}
	for _, tt := range tests {
		fs, _ := cmd.flagSet()
		pos, err := parseInterspersed(fs, tt.args)
		if got := fmt.Sprint(pos); err != nil || got != tt.want {
			t.Errorf("%q: %v, %v; want %s", tt.args, got, err, tt.want)
		}
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
