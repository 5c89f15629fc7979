package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const summaryCSV = `point,peers,n,time_s_mean,time_s_sd,time_s_ci95_lo,time_s_ci95_hi
0,1,3,500.123456,1,499,501
1,10,3,5000,0,5000,5000
`

func TestRun(t *testing.T) {
	dir := t.TempDir()
	eng := &fakeEngine{
		scenarios: map[string]*fakeScenario{"cs": {name: "cs", runs: 6}},
		run: func(ctx context.Context, s scenario, opts runOptions) (runCounts, error) {
			writeFile(t, filepath.Join(opts.OutDir, "summary.csv"), summaryCSV)
			writeFile(t, filepath.Join(opts.OutDir, "runs.csv"), "")
			writeFile(t, filepath.Join(opts.OutDir, ".runs.csv.tmp-1"), "")
			return runCounts{Total: 6, Done: 6, Skipped: 2}, nil
		},
	}
	out := filepath.Join(dir, "res")
	code, stdout, stderr := exec(t, eng, "run", "cs", "-o", out, "-j", "3", "--force", "-q", "--seed", "9")
	want := "cs: 6 runs (2 already done, kept)\n" +
		"Results in " + out + string(filepath.Separator) + ": runs.csv, summary.csv\n" +
		"\n" +
		"Means per point (" + filepath.Join(out, "summary.csv") + " has the spread and 95% intervals):\n" +
		"  point  peers  time_s_mean\n" +
		"      0      1       500.12\n" +
		"      1     10         5000\n"
	if code != 0 || stdout != want || stderr != "" {
		t.Errorf("exit %d, stderr %q, stdout:\n%s\nwant:\n%s", code, stderr, stdout, want)
	}
	opts := eng.lastRun
	if opts.OutDir != out || opts.Workers != 3 || !opts.Force || opts.Progress != nil {
		t.Errorf("run options %+v", opts)
	}
	if s := eng.scenarios["cs"]; s.seed != 9 {
		t.Errorf("seed %d, want 9", s.seed)
	}
}

func TestRunDefaults(t *testing.T) {
	t.Chdir(t.TempDir())
	eng := &fakeEngine{
		scenarios: map[string]*fakeScenario{"cs": {name: "cs", runs: 1}},
		run: func(ctx context.Context, s scenario, opts runOptions) (runCounts, error) {
			writeFile(t, filepath.Join(opts.OutDir, "summary.csv"), summaryCSV)
			return runCounts{Total: 1, Done: 1}, nil
		},
	}
	code, stdout, stderr := exec(t, eng, "run", "cs")
	if code != 0 || !strings.HasPrefix(stdout, "cs: 1 run\nResults in "+filepath.Join("out", "cs")+string(filepath.Separator)+": summary.csv\n") {
		t.Errorf("exit %d, stderr %q, stdout:\n%s", code, stderr, stdout)
	}
	if opts := eng.lastRun; opts.Workers < 1 || opts.Force || opts.Progress == nil {
		t.Errorf("run options %+v: want all cores, no force, progress", opts)
	}
}

func TestRunErrors(t *testing.T) {
	eng := &fakeEngine{
		scenarios: map[string]*fakeScenario{"cs": {name: "cs", runs: 1}},
		run: func(ctx context.Context, s scenario, opts runOptions) (runCounts, error) {
			return runCounts{}, context.DeadlineExceeded
		},
	}
	tests := []struct {
		args   []string
		stderr string
	}{
		{[]string{"run", "nosuch"}, "netsim: scenario nosuch: no such file\n"},
		{[]string{"run", "cs", "--set", "bogus=1"}, "netsim: --set bogus=1: bogus: unknown key\n"},
		{[]string{"run", "cs", "-q", "-o", t.TempDir()}, "netsim: context deadline exceeded\n"},
	}
	for _, tt := range tests {
		code, stdout, stderr := exec(t, eng, tt.args...)
		if code != exitError || stderr != tt.stderr || stdout != "" {
			t.Errorf("netsim %s: exit %d, stderr %q, stdout %q; want 1, %q", strings.Join(tt.args, " "), code, stderr, stdout, tt.stderr)
		}
	}
}

// Ctrl-C cancels the context: the runner stops, and netsim says what it kept.
func TestRunInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	eng := &fakeEngine{
		scenarios: map[string]*fakeScenario{"cs": {name: "cs", runs: 10}},
		run: func(ctx context.Context, s scenario, opts runOptions) (runCounts, error) {
			cancel() // as SIGINT would
			<-ctx.Done()
			return runCounts{Total: 10, Done: 4, Skipped: 1}, ctx.Err()
		},
	}
	var stdout, stderr bytes.Buffer
	c := &cli{stdout: &stdout, stderr: &stderr, eng: eng, now: time.Now}
	code := c.main(ctx, []string{"run", "cs", "-q", "-o", "res"})
	want := "netsim: interrupted: 4 of 10 runs finished and kept in res (1 of them from before); run the same command again to finish the rest\n"
	if code != exitInterrupted || stderr.String() != want || stdout.Len() != 0 {
		t.Errorf("exit %d, stderr %q, stdout %q; want %d, %q", code, stderr.String(), stdout.String(), exitInterrupted, want)
	}
}

// clock is a fake time.Now that tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestProgressPlain(t *testing.T) {
	var buf syncBuffer
	clk := &clock{t: time.Unix(0, 0)}
	p := newProgress(&buf, false, clk.now)
	p.start = clk.now() // as Start does, without its ticker
	p.Update(runCounts{Total: 10, Done: 1})
	clk.add(time.Second)
	p.Update(runCounts{Total: 10, Done: 2}) // still in the quiet first seconds
	clk.add(2 * time.Second)
	p.Update(runCounts{Total: 10, Done: 3, Skipped: 1})
	clk.add(time.Second)
	p.Update(runCounts{Total: 10, Done: 4, Skipped: 1}) // too soon after the last line
	clk.add(5 * time.Second)
	p.Update(runCounts{Total: 10, Done: 10, Skipped: 1})
	p.Finish()
	want := "netsim: 3/10 runs (30%), 3s elapsed, about 11s left\n" +
		"netsim: 10/10 runs (100%), 9s elapsed\n"
	if got := buf.String(); got != want {
		t.Errorf("progress lines:\n%s\nwant:\n%s", got, want)
	}
}

func TestProgressBar(t *testing.T) {
	var buf syncBuffer
	clk := &clock{t: time.Unix(0, 0)}
	p := newProgress(&buf, true, clk.now)
	p.start = clk.now()
	clk.add(3 * time.Second)
	p.Update(runCounts{Total: 4, Done: 1})
	clk.add(time.Second)
	p.Update(runCounts{Total: 4, Done: 4})
	p.Finish()
	first := "[======>                 ] 1/4 runs (25%), 3s elapsed, about 9s left"
	second := "[========================] 4/4 runs (100%), 4s elapsed"
	want := "\r" + first + "\r" + second + strings.Repeat(" ", len(first)-len(second)) +
		"\r" + strings.Repeat(" ", len(second)) + "\r"
	if got := buf.String(); got != want {
		t.Errorf("bar output:\n%q\nwant:\n%q", got, want)
	}
}

// The ticker reports while no run finishes.
func TestProgressTicker(t *testing.T) {
	var buf syncBuffer
	p := newProgress(&buf, true, time.Now)
	p.quiet, p.every = 0, time.Millisecond
	p.Start()
	p.Update(runCounts{Total: 2})
	deadline := time.Now().Add(5 * time.Second)
	for strings.Count(buf.String(), "\r") < 3 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	p.Finish()
	if n := strings.Count(buf.String(), "0/2 runs"); n < 2 {
		t.Errorf("the bar was drawn %d times: %q", n, buf.String())
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Within long runs the line also shows the kernels' events and their rate.
func TestProgressShowsEventsInFlight(t *testing.T) {
	clk := &clock{t: time.Unix(0, 0)}
	p := newProgress(&syncBuffer{}, false, clk.now)
	p.start = clk.now()
	clk.add(7 * time.Second)
	p.counts = runCounts{Total: 1, Events: 3_100_000, EventsPerSec: 1_234_000}
	want := "0/1 runs (0%), 7s elapsed, in progress: 3.1M events, 1.23M events/s"
	if got := p.status(clk.now()); got != want {
		t.Errorf("status %q, want %q", got, want)
	}
	cases := []struct {
		n    float64
		want string
	}{{950, "950"}, {12_300, "12.3k"}, {4_560_000, "4.56M"}, {7.89e9, "7.89G"}}
	for _, c := range cases {
		if got := count(c.n); got != c.want {
			t.Errorf("count(%v) = %q, want %q", c.n, got, c.want)
		}
	}
}

// --cpuprofile writes a pprof file (gzipped protocol buffers) around the runs, and a
// path it cannot create is an error before anything runs.
func TestRunCPUProfile(t *testing.T) {
	dir := t.TempDir()
	ran := 0
	eng := &fakeEngine{
		scenarios: map[string]*fakeScenario{"cs": {name: "cs", runs: 1}},
		run: func(ctx context.Context, s scenario, opts runOptions) (runCounts, error) {
			ran++
			writeFile(t, filepath.Join(opts.OutDir, "summary.csv"), summaryCSV)
			return runCounts{Total: 1, Done: 1}, nil
		},
	}
	prof := filepath.Join(dir, "cpu.prof")
	code, _, stderr := exec(t, eng, "run", "cs", "-q", "-o", filepath.Join(dir, "res"), "--cpuprofile", prof)
	if code != 0 || stderr != "" || ran != 1 {
		t.Fatalf("exit %d, stderr %q, %d runs", code, stderr, ran)
	}
	b, err := os.ReadFile(prof)
	if err != nil || len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		t.Errorf("profile %s: %v, % x...: want a gzip file", prof, err, b[:min(len(b), 2)])
	}

	bad := filepath.Join(dir, "nosuch", "cpu.prof")
	code, stdout, stderr := exec(t, eng, "run", "cs", "-q", "-o", filepath.Join(dir, "res2"), "--cpuprofile", bad)
	want := "netsim: --cpuprofile: open " + bad + ": no such file or directory\n"
	if code != exitError || stderr != want || stdout != "" || ran != 1 {
		t.Errorf("exit %d, stderr %q, stdout %q, %d runs; want 1, %q, nothing run", code, stderr, stdout, ran, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "res2")); err == nil {
		t.Errorf("the refused run made its output folder")
	}
}
