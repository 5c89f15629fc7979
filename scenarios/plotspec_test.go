package scenarios_test

import (
	"strings"
	"testing"

	. "netsim/scenarios"
)

const axisBase = `kind: toy
sweep:
  ratio: [0.1, 0.2]
plots:
  - name: p
    x: ratio
    y: time_s
`

// A plot may fix the ends of its y axis (the house style starts a linear one at 0);
// they are kept in the resolved file, so that netsim plot redraws the same figure.
func TestPlotYRange(t *testing.T) {
	s := mustParse(t, axisBase+"    ymin: 0.5\n    ymax: 2\n")
	if p := s.Plots[0]; p.YMin == nil || *p.YMin != 0.5 || p.YMax == nil || *p.YMax != 2 {
		t.Fatalf("ymin, ymax = %v, %v", p.YMin, p.YMax)
	}
	text, err := s.Resolved()
	if err != nil {
		t.Fatal(err)
	}
	again := mustParse(t, string(text))
	if p := again.Plots[0]; p.YMin == nil || *p.YMin != 0.5 || *p.YMax != 2 {
		t.Errorf("resolved file lost the y range:\n%s", text)
	}
	for _, c := range []struct{ extra, want string }{
		{"    ymin: 2\n    ymax: 1\n", "bad.yaml:9: plots[0].ymax: must be above ymin (2), got 1"},
		{"    ylog: true\n    ymin: 0\n", "bad.yaml:9: plots[0].ymin: a log axis starts above 0, got 0"},
		{"    ymin: .inf\n", "bad.yaml:8: plots[0].ymin: want a finite number, got .inf"},
		{"    ymin: low\n", "bad.yaml:8: plots[0].ymin:"},
	} {
		_, err := Parse("bad.yaml", []byte(axisBase+c.extra))
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%q: %v, want %s", c.extra, err, c.want)
		}
	}
}
