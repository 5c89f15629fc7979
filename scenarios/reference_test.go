package scenarios_test

import (
	"testing"

	. "netsim/scenarios"
	"netsim/scenarios/internal/testkinds"
)

// The reference of a kind is its declaration, in full.
func TestReference(t *testing.T) {
	want := `kind ladder: known numbers

Parameters (params: in a scenario file; * may also be a distribution):
  key    type     default  allowed  help
  level  integer  0        -        the tens

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
  name   unit  help
  value  s     10·level + run mod 5 + 1
`
	if got := Reference(testkinds.Ladder); got != want {
		t.Errorf("reference:\n%s\nwant:\n%s", got, want)
	}
}
