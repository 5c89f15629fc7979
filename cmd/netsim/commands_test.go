package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"netsim/scenarios"
)

func TestKindsCommand(t *testing.T) {
	code, stdout, stderr := exec(t, backend{}, "kinds")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	for _, k := range scenarios.Kinds() {
		if !strings.Contains(stdout, k.Name()+"  ") || !strings.Contains(stdout, k.Summary()+"\n") {
			t.Errorf("kinds lacks %s:\n%s", k.Name(), stdout)
		}
	}
}

// show-config KIND prints the kind's table without a file; a built-in named like a
// kind is pointed to.
func TestShowConfigKind(t *testing.T) {
	code, stdout, stderr := exec(t, backend{}, "show-config", "clitest")
	want := `kind clitest: a kind for cmd/netsim's tests

Parameters (params: in a scenario file; * may also be a distribution):
  key     type        default  allowed  help
  peers   integer     1        >= 1     number of peers, at least 1
  file_s  number (s)  500      -        time to upload the file once, in seconds

Limits (limits: in a scenario file, or --limit key=value and --max-runs N: a campaign over
one is refused before it runs; a run stops at sim_time, events or wall_time, with that status):
  key              type      default   help
  runs             integer   100000    most runs a campaign may have (each costs a journal line and a row, and about a kilobyte while the campaign runs)
  hosts            integer   1000000   most hosts one run may create (about 520 B each)
  flows            integer   5000000   most flows (messages and transfers) one run may have at once (about 1 kB each at the peak of a P2P swarm: 5 GB)
  requests         integer   10000000  most requests one run may make (a web cache serves about 120,000 a second)
  objects          integer   20000000  most objects the servers of one run may hold (each origin of a web cache keeps its catalogue: about 30 B an object)
  schedule_events  integer   1000000   most platform changes (joins, leaves, crashes, link failures) the schedule may make in one run, churn included
  sim_time         duration  none      stop each run at this virtual time, with status sim_time_limit; 0: no bound
  events           integer   none      stop each run after this many kernel events, with status events_limit; 0: no bound
  wall_time        duration  none      stop each run after this much wall-clock time, with status wall_time_limit (it depends on the machine, so such a run is run again when the campaign resumes); 0: no bound

Metrics (one value per run: columns of runs.csv and summary.csv, a plot's y):
  name    unit  help
  time_s  s     distribution time

Theory (a plot's theory:, drawn beside its metric):
  name  of      label
  d_cs  time_s  D_cs
`
	if code != 0 || stderr != "" || stdout != want {
		t.Errorf("exit %d, stderr %q, stdout:\n%s\nwant:\n%s", code, stderr, stdout, want)
	}
	code, stdout, _ = exec(t, backend{}, "show-config", "filedist")
	if code != 0 || !strings.HasPrefix(stdout, "kind filedist: ") ||
		!strings.HasSuffix(stdout, "\n(filedist is also a built-in scenario: 'netsim show-config filedist.yaml' shows it.)\n") {
		t.Errorf("show-config filedist: exit %d:\n%s", code, stdout)
	}
	code, stdout, _ = exec(t, backend{}, "show-config", "filedist.yaml")
	if code != 0 || !strings.Contains(stdout, "\nname: filedist\n") {
		t.Errorf("show-config filedist.yaml: exit %d:\n%s", code, stdout)
	}
	code, _, stderr = exec(t, backend{}, "show-config", "clitest", "--set", "peers=2")
	if code != exitUsage || !strings.HasPrefix(stderr, "netsim show-config: --set, --limit, --max-runs and --seed change a scenario; clitest is a kind\n") {
		t.Errorf("show-config KIND --set: exit %d, stderr %q", code, stderr)
	}
}

func TestRunsCommand(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "cs.yaml")
	writeFile(t, file, goodScenario)
	code, stdout, stderr := exec(t, backend{}, "runs", file, "--set", "peers=[2,3]", "--seed", "5")
	want := "run  point  replication  seed                  peers\n" +
		"0    0      0            " + seedOf(5, 0) + "  2\n" +
		"1    1      0            " + seedOf(5, 1) + "  3\n" +
		"2    0      1            " + seedOf(5, 2) + "  2\n" +
		"3    1      1            " + seedOf(5, 3) + "  3\n"
	if code != 0 || stderr != "" || !sameLinesTrimmed(stdout, want) {
		t.Errorf("exit %d, stderr %q, stdout:\n%s\nwant:\n%s", code, stderr, stdout, want)
	}
}

func seedOf(master uint64, run int) string {
	return strconv.FormatUint(scenarios.RunSeed(master, run), 10)
}

// sameLinesTrimmed compares tab-aligned output line by line, ignoring trailing spaces
// and the width of the columns.
func sameLinesTrimmed(got, want string) bool {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	if len(g) != len(w) {
		return false
	}
	for i := range g {
		if strings.Join(strings.Fields(g[i]), " ") != strings.Join(strings.Fields(w[i]), " ") {
			return false
		}
	}
	return true
}

// netsim plot redraws a folder's figures byte for byte.
func TestPlotCommand(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "cs.yaml")
	writeFile(t, file, goodScenario)
	out := filepath.Join(dir, "out")
	campaignCLI(t, "run", file, "-o", out, "-q")
	before := map[string][]byte{}
	for _, ext := range []string{".png", ".svg", ".csv"} {
		before[ext], _ = os.ReadFile(filepath.Join(out, "time"+ext))
		os.Remove(filepath.Join(out, "time"+ext))
	}
	got := campaignCLI(t, "plot", out)
	if want := "Figures in " + out + string(filepath.Separator) + ": time.png, time.svg, time.csv\n"; got != want {
		t.Errorf("plot output %q, want %q", got, want)
	}
	for ext, data := range before {
		if after, err := os.ReadFile(filepath.Join(out, "time"+ext)); err != nil || string(after) != string(data) || len(data) == 0 {
			t.Errorf("time%s differs after netsim plot (%v)", ext, err)
		}
	}
	code, _, stderr := exec(t, backend{}, "plot", filepath.Join(dir, "nosuch"))
	if code != exitError || !strings.HasPrefix(stderr, "netsim: plot: "+filepath.Join(dir, "nosuch")+": not a netsim output folder: ") {
		t.Errorf("plot of no folder: exit %d, stderr %q", code, stderr)
	}
}
