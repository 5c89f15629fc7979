package campaign

import (
	"context"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"

	"netsim/scenarios"

	_ "netsim/scenarios/internal/testkinds" // the clock kind
)

// A run stopped at one of the limits a scenario gives each run is a row of runs.csv
// with that status and no metrics; summary.csv leaves it out of its point (n counts the
// runs that ended), and the figures draw the points that have any.
func TestRunStatuses(t *testing.T) {
	for _, tc := range []struct {
		name, limits string
		status       string
	}{
		// clock runs its ticks at 0 s, 1 s, ...: 20 ticks pass 10 events and 9 s.
		{"events", "{events: 10}", StatusEvents},
		{"sim_time", "{sim_time: 9s}", StatusSimTime},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := mustParse(t, `kind: clock
name: statuses
seed: 3
replications: 2
limits: `+tc.limits+`
sweep:
  ticks: [5, 20]
plots:
  - name: events
    x: ticks
    y: events
`)
			figs := noPlots(t)
			dir := t.TempDir()
			res, err := Run(context.Background(), s, RunOptions{OutDir: dir, Workers: 2})
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Stopped(); !reflect.DeepEqual(got, map[string]int{tc.status: 2}) {
				t.Errorf("stopped %v, want 2 runs %s", got, tc.status)
			}
			seeds := []string{runSeed(3, 0), runSeed(3, 1), runSeed(3, 2), runSeed(3, 3)}
			// Runs are numbered replication by replication (scenarios.RunIndex).
			want := "run,point,replication,seed,status,ticks,events,end_s\n" +
				"0,0,0," + seeds[0] + ",ok,5,5,4\n" +
				"1,1,0," + seeds[1] + "," + tc.status + ",20,,\n" +
				"2,0,1," + seeds[2] + ",ok,5,5,4\n" +
				"3,1,1," + seeds[3] + "," + tc.status + ",20,,\n"
			if got := string(readFile(t, filepath.Join(dir, "runs.csv"))); got != want {
				t.Errorf("runs.csv:\n%s\nwant:\n%s", got, want)
			}
			want = "point,ticks,n,events_mean,events_sd,events_t_ci95_lo,events_t_ci95_hi,end_s_mean,end_s_sd,end_s_t_ci95_lo,end_s_t_ci95_hi\n" +
				"0,5,2,5,0,5,5,4,0,4,4\n" +
				"1,20,0,,,,,,,,\n" // no run ended: no values, as for an optional metric
			if got := string(readFile(t, filepath.Join(dir, "summary.csv"))); got != want {
				t.Errorf("summary.csv:\n%s\nwant:\n%s", got, want)
			}
			if fig := figs["events"]; len(fig.Points) != 1 || !reflect.DeepEqual(fig.Points[0].X, []float64{5}) {
				t.Errorf("figure points %+v, want the point ticks=5 alone", fig.Points)
			}
			// Resumed, the stopped runs are results like any other: nothing runs again.
			again, err := Run(context.Background(), s, RunOptions{OutDir: dir, Workers: 2})
			if err != nil || again.Skipped != 4 {
				t.Errorf("resume: %d skipped, %v; want all 4", again.Skipped, err)
			}
		})
	}
}

// The wall-time limit depends on the machine: a run it stops is reported with its
// status, and run again when the campaign resumes, unlike the runs that ended.
func TestWallTimeLimit(t *testing.T) {
	s := mustParse(t, `kind: clock
name: wall
limits: {wall_time: 200ms}
sweep:
  ticks: [3, 1000000000000]
params:
  gap: 1ns
`)
	dir := t.TempDir()
	res, err := Run(context.Background(), s, RunOptions{OutDir: dir, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Stopped(); !reflect.DeepEqual(got, map[string]int{StatusWallTime: 1}) || res.Runs[0].Status != StatusOK {
		t.Fatalf("stopped %v, run 0 %s; want run 1 stopped by wall time", got, res.Runs[0].Status)
	}
	again, err := Run(context.Background(), s, RunOptions{OutDir: dir, Workers: 2})
	if err != nil || again.Skipped != 1 || again.Runs[1].Status != StatusWallTime {
		t.Errorf("resume: %d skipped, run 1 %s, %v; want run 0 kept and run 1 run again", again.Skipped, again.Runs[1].Status, err)
	}
}

func runSeed(master uint64, run int) string {
	return strconv.FormatUint(scenarios.RunSeed(master, run), 10)
}

// A run the wall-time limit stopped, run again on resume, is journaled again when it
// ends: the folder then holds its result, and a third run of the campaign has nothing
// left to do. (The wall time is not in the scenario's hash, so the campaign resumed
// without it is the same campaign.) A deadline already past when the run starts stops
// it before its first event.
func TestWallTimeRunJournaledWhenRunAgain(t *testing.T) {
	const file = "kind: clock\nname: wall\nsweep:\n  ticks: [3, 4]\n"
	dir := t.TempDir()
	res, err := Run(context.Background(), mustParse(t, file+"limits: {wall_time: 1ns}\n"), RunOptions{OutDir: dir, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Stopped(); got[StatusWallTime] == 0 {
		t.Fatalf("stopped %v, want runs stopped by their wall time", got)
	}
	again, err := Run(context.Background(), mustParse(t, file), RunOptions{OutDir: dir, Workers: 1})
	if err != nil || len(again.Stopped()) != 0 {
		t.Fatalf("resume: stopped %v, %v; want every run ended", again.Stopped(), err)
	}
	third, err := Run(context.Background(), mustParse(t, file), RunOptions{OutDir: dir, Workers: 1})
	if err != nil || third.Skipped != 2 {
		t.Errorf("third run: %d skipped, %v; want both runs found in the journal", third.Skipped, err)
	}
}
