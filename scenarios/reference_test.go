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

Metrics (one value per run: columns of runs.csv and summary.csv, a plot's y):
  name   unit  help
  value  s     10·level + run mod 5 + 1
`
	if got := Reference(testkinds.Ladder); got != want {
		t.Errorf("reference:\n%s\nwant:\n%s", got, want)
	}
}
