//go:build unix

package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Hostile command lines (issue 8): each is refused with its exact message and exit
// status, and, like every hostile file, validated within a second of CPU and 100 MB (see
// scenarios/resource_test.go for how that is measured and why). DIR in a want is the
// test's folder.
func TestHostileCommandLines(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, "s.yaml", goodScenario)
	writeFile(t, "binary.yaml", "kind: clitest\nname: a\x00b\n")
	writeFile(t, "big.yaml", "kind: clitest\ndescription: "+strings.Repeat("x", 300<<10)+"\n")
	limits := "runs, hosts, flows, requests, objects, schedule_events, sim_time, events, wall_time"
	for _, tc := range []struct {
		args   []string
		code   int
		stderr string // the first line
	}{
		{[]string{"run", "s.yaml", "-j", "-1"}, exitUsage, "netsim run: -j: want a number of workers, at least 1, or 0 for one per core; got -1"},
		{[]string{"run", "s.yaml", "-j", "two"}, exitUsage, "netsim run: -j two: want an integer"},
		{[]string{"run", "s.yaml", "-o", ""}, exitUsage, "netsim run: -o: want a folder, got an empty name"},
		{[]string{"run", "s.yaml", "--set", "novalue"}, exitUsage, "netsim run: --set novalue: want key=value, e.g. --set peers=100"},
		{[]string{"run", "s.yaml", "--seed", "-1"}, exitUsage, "netsim run: --seed -1: want a non-negative integer"},
		{[]string{"run", "s.yaml", "--shard", "0/3"}, exitUsage, "netsim run: --shard 0/3: want i/n with 1 ≤ i ≤ n"},
		{[]string{"run", "s.yaml", "--set", "peers=abc"}, exitError, `netsim: --set peers=abc: peers: want an integer, got "abc"`},
		{[]string{"run", "s.yaml", "--set", "name=../x"}, exitError, `netsim: --set name=../x: name: "../x" is not a file name: use letters, digits, '.', '_' and '-', starting with a letter or digit (it names the output folder, out/<name>)`},
		{[]string{"run", "s.yaml", "--limit", "bogus=1"}, exitError, "netsim: --limit bogus=1: bogus: unknown limit (limits: " + limits + ")"},
		{[]string{"run", "s.yaml", "--limit", "novalue"}, exitError, "netsim: --limit novalue: want key=value, e.g. --limit hosts=2000000"},
		{[]string{"run", "s.yaml", "--limit", "hosts=abc"}, exitError, `netsim: --limit hosts=abc: hosts: want an integer, got "abc"`},
		{[]string{"run", "s.yaml", "--limit", "sim_time=5"}, exitError, "netsim: --limit sim_time=5: sim_time: invalid duration 5: missing unit: write e.g. 40ms"},
		{[]string{"run", "s.yaml", "--max-runs", "0"}, exitError, "netsim: --max-runs 0: must be at least 1, got 0"},
		{[]string{"run", "s.yaml", "--max-runs", "abc"}, exitError, `netsim: --max-runs abc: want an integer, got "abc"`},
		{[]string{"validate", "s.yaml", "--max-runs", "5"}, exitError, "s.yaml:7: sweep.peers: the campaign has 6 runs (3 sweep values × 2 replications), over limits.runs = 5: raise it (--max-runs N, or limits: {runs: N} in the file) if the machine can hold them"},
		{[]string{"validate", "binary.yaml"}, exitError, "binary.yaml:2: a NUL byte: a scenario file is text, not binary"},
		{[]string{"validate", "big.yaml"}, exitError, "big.yaml: larger than 256 KiB, the most netsim reads as one file"},
		{[]string{"validate", "DIR"}, exitError, "DIR: is a directory"},
		{[]string{"show-config", "clitest", "--limit", "hosts=5"}, exitUsage, "netsim show-config: --set, --limit, --max-runs and --seed change a scenario; clitest is a kind"},
		{[]string{"bounds", "-F", "1Gbit", "--us", "1Mbps", "--d", "1Mbps", "-N", "1000000000000"}, exitError, "netsim: bounds: -N: at most 10000000 peers, got 1000000000000 (the bounds are computed peer by peer, 16 bytes each)"},
	} {
		args := slices.Clone(tc.args)
		for i, a := range args {
			args[i] = strings.ReplaceAll(a, "DIR", dir)
		}
		want := strings.ReplaceAll(tc.stderr, "DIR", dir)
		var code int
		var stdout, stderr string
		cpu, bytes := measure(t, func() { code, stdout, stderr = exec(t, backend{}, args...) })
		first, _, _ := strings.Cut(stderr, "\n")
		if code != tc.code || first != want || stdout != "" {
			t.Errorf("netsim %s: exit %d, stderr %q, stdout %q; want %d, %q", strings.Join(args, " "), code, first, stdout, tc.code, want)
		}
		if cpu > time.Second || bytes > 100<<20 {
			t.Errorf("netsim %s: %v of CPU and %d MB, over a second or 100 MB", strings.Join(args, " "), cpu, bytes>>20)
		}
	}
}

// measure returns the CPU time the process spent in f (not wall time, which a loaded
// machine stretches) and the bytes f allocated.
func measure(t *testing.T, f func()) (time.Duration, uint64) {
	t.Helper()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := cpuTime(t)
	f()
	cpu := cpuTime(t) - start
	runtime.ReadMemStats(&after)
	return cpu, after.TotalAlloc - before.TotalAlloc
}

// cpuTime is the CPU time the process has used (user and system).
func cpuTime(t *testing.T) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// tree lists every file and folder below root, with each file's size and contents'
// length, for comparing before and after.
func tree(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			rel += "/"
		}
		out = append(out, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Hostile scenario and plot names never become paths (issue 8, acceptance 5): netsim
// refuses each before anything runs, and nothing is written anywhere: the test's whole
// folder, the parent of the output folder included, lists the same before and after.
// A valid name writes only below out/<name>, and --force in a folder whose manifest
// names figures outside it deletes nothing outside it.
func TestHostileNames(t *testing.T) {
	root := t.TempDir()
	work := filepath.Join(root, "parent", "work")
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(work)
	writeFile(t, filepath.Join(root, "victim"), "keep me")
	writeFile(t, filepath.Join(root, "parent", "runs.csv"), "keep me too")
	const plot = "plots:\n  - {name: PLOT, x: peers, y: time_s}\n"
	base := "kind: clitest\nsweep:\n  peers: [1, 2]\n"
	cases := []struct{ name, file, want string }{
		{"../x", "name: ../x\n" + base, `s.yaml:1: name: "../x" is not a file name`},
		{"/etc", "name: /etc\n" + base, `s.yaml:1: name: "/etc" is not a file name`},
		{"..", "name: ..\n" + base, `s.yaml:1: name: ".." is not a file name`},
		{".", "name: .\n" + base, `s.yaml:1: name: "." is not a file name`},
		{"empty", "name: ''\n" + base, `s.yaml:1: name: empty`},
		{"newline", "name: \"a\\nb\"\n" + base, `s.yaml:1: name: "a\nb" is not a file name`},
		{"x/../../y", "name: x/../../y\n" + base, `s.yaml:1: name: "x/../../y" is not a file name`},
		{"runs", "name: runs\n" + base, `s.yaml:1: name: "runs" is reserved`},
		{"MANIFEST", "name: MANIFEST\n" + base, `s.yaml:1: name: "MANIFEST" is reserved`},
		{"-rf", "name: -rf\n" + base, `s.yaml:1: name: "-rf" is not a file name`},
		{"300 bytes", "name: " + strings.Repeat("n", 300) + "\n" + base, `s.yaml:1: name: 300 bytes long`},
		{"plot ../../victim", "name: ok\n" + base + strings.ReplaceAll(plot, "PLOT", "../../victim"), `s.yaml:6: plots[0].name: "../../victim" is not a file name`},
		{"plot /tmp/evil", "name: ok\n" + base + strings.ReplaceAll(plot, "PLOT", "/tmp/evil"), `s.yaml:6: plots[0].name: "/tmp/evil" is not a file name`},
		{"plot runs", "name: ok\n" + base + strings.ReplaceAll(plot, "PLOT", "runs"), `s.yaml:6: plots[0].name: "runs" is reserved`},
		{"plot Summary", "name: ok\n" + base + strings.ReplaceAll(plot, "PLOT", "Summary"), `s.yaml:6: plots[0].name: "Summary" is reserved`},
		{"plot samples", "name: ok\n" + base + strings.ReplaceAll(plot, "PLOT", "samples"), `s.yaml:6: plots[0].name: "samples" is reserved`},
		{"plot series", "name: ok\n" + base + strings.ReplaceAll(plot, "PLOT", "series"), `s.yaml:6: plots[0].name: "series" is reserved`},
		{"plot manifest", "name: ok\n" + base + strings.ReplaceAll(plot, "PLOT", "manifest"), `s.yaml:6: plots[0].name: "manifest" is reserved`},
		{"plots of one name", "name: ok\n" + base + strings.ReplaceAll(plot, "PLOT", "t") + "  - {name: T, x: peers, y: time_s}\n", `s.yaml:7: plots[1].name: "T" is also the name of plots[0]`},
	}
	writeFile(t, "s.yaml", "")
	before := tree(t, root)
	for _, tc := range cases {
		writeFile(t, "s.yaml", tc.file)
		for _, args := range [][]string{{"run", "s.yaml", "-q"}, {"run", "s.yaml", "-q", "--force"}, {"run", "s.yaml", "-q", "--shard", "1/2"}} {
			code, stdout, stderr := exec(t, backend{}, args...)
			if code != exitError || !strings.HasPrefix(stderr, "netsim: "+tc.want) || stdout != "" {
				t.Errorf("name %s, netsim %s: exit %d, stderr %q; want 1 and %q...", tc.name, strings.Join(args, " "), code, stderr, tc.want)
			}
		}
		if after := tree(t, root); !slices.Equal(after, before) {
			t.Fatalf("name %s: the folder changed:\n%s\nwas:\n%s", tc.name, strings.Join(after, "\n"), strings.Join(before, "\n"))
		}
	}

	// A valid name writes below out/<name> and nowhere else.
	writeFile(t, "s.yaml", "name: ok\n"+base+strings.ReplaceAll(plot, "PLOT", "time"))
	campaignCLI(t, "run", "s.yaml", "-q")
	var outside []string
	for _, p := range tree(t, root) {
		if !strings.HasPrefix(p, filepath.Join("parent", "work", "out", "ok")) && !slices.Contains(before, p) {
			outside = append(outside, p)
		}
	}
	if !slices.Equal(outside, []string{filepath.Join("parent", "work", "out") + "/"}) {
		t.Errorf("written outside out/ok: %q", outside)
	}

	// --force into a folder of another campaign removes its figures, which its
	// manifest names; a tampered manifest that names files outside the folder makes
	// it remove nothing outside.
	writeFile(t, "s.yaml", "name: ok\nkind: clitest\nsweep:\n  peers: [3, 4]\n")
	campaignCLI(t, "run", "s.yaml", "-q", "--force")
	if _, err := os.Stat(filepath.Join("out", "ok", "time.png")); err == nil {
		t.Errorf("--force left the other campaign's figure time.png")
	}
	writeFile(t, "s.yaml", "name: ok\n"+base+strings.ReplaceAll(plot, "PLOT", "time"))
	campaignCLI(t, "run", "s.yaml", "-q", "--force")
	manifest := filepath.Join("out", "ok", "manifest.json")
	data, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	evil := strings.Replace(string(data), "name: time", "name: ../../../../victim", 1)
	writeFile(t, manifest, evil)
	writeFile(t, "s.yaml", "name: ok\nkind: clitest\nsweep:\n  peers: [5, 6]\n")
	campaignCLI(t, "run", "s.yaml", "-q", "--force")
	for _, keep := range []string{filepath.Join(root, "victim"), filepath.Join(root, "parent", "runs.csv")} {
		if _, err := os.Stat(keep); err != nil {
			t.Errorf("--force removed %s outside the output folder", keep)
		}
	}
}

// The campaign's files are readable by all, as its figures are (issue 8: runs.csv,
// summary.csv and manifest.json were 0600, os.CreateTemp's mode), and a part's
// default folder is beside the campaign's, out/<name>-shard-i-of-n, so that a whole
// run of the same scenario afterwards finds out/<name> empty (it was
// out/<name>/shard-i-of-n, which made out/<name> a folder of other files).
func TestOutputFolders(t *testing.T) {
	t.Chdir(t.TempDir())
	writeFile(t, "s.yaml", goodScenario)
	campaignCLI(t, "run", "s.yaml", "-q", "--shard", "1/2")
	campaignCLI(t, "run", "s.yaml", "-q")
	for _, dir := range []string{filepath.Join("out", "cs-shard-1-of-2"), filepath.Join("out", "cs")} {
		if _, err := os.Stat(filepath.Join(dir, "runs.csv")); err != nil {
			t.Errorf("%s: %v", dir, err)
		}
	}
	for _, name := range []string{"runs.csv", "summary.csv", "manifest.json", "time.png", "time.svg", "time.csv"} {
		fi, err := os.Stat(filepath.Join("out", "cs", name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o644 {
			t.Errorf("%s: mode %v, want -rw-r--r--", name, fi.Mode().Perm())
		}
	}
}
