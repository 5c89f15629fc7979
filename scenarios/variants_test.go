package scenarios_test

import (
	"reflect"
	"strings"
	"testing"

	. "netsim/scenarios"
	"netsim/scenarios/internal/testkinds"
)

const withVariants = `kind: toy
replications: 2
variants:
  small: {peers: 5, server.slots: 1}
  big: {peers: 50}
  default:
sweep:
  ratio: [0.1, 0.2]
plots:
  - name: p
    x: ratio
    y: time_s
    series: variant
    only: {variant: [small, big]}
`

// Variants are crossed with the sweep, outermost: 3 variants × 2 ratios = 6 points, 12
// runs, each variant's overrides over the file's params; a resolved file reads back to
// the same points.
func TestVariantPoints(t *testing.T) {
	s := mustParse(t, withVariants)
	if s.NumPoints() != 6 || s.NumRuns() != 12 {
		t.Fatalf("%d points, %d runs; want 6, 12", s.NumPoints(), s.NumRuns())
	}
	var got []string
	for _, p := range s.Points() {
		tp := p.Params.(*testkinds.ToyParams)
		got = append(got, p.VariantName(s)+"/"+FormatValue(tp.Peers)+"/"+FormatValue(tp.Server.Slots)+"/"+FormatValue(tp.Ratio))
	}
	want := "small/5/1/0.1 small/5/1/0.2 big/50/4/0.1 big/50/4/0.2 default/10/4/0.1 default/10/4/0.2"
	if strings.Join(got, " ") != want {
		t.Errorf("points %s\nwant   %s", strings.Join(got, " "), want)
	}
	if k := strings.Join(s.VariantKeys(), ","); k != "peers,server.slots" {
		t.Errorf("variant keys %s", k)
	}
	out, err := s.Resolved()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "variants:\n  small: {peers: 5, server.slots: 1}\n  big: {peers: 50}\n  default: {}\n") ||
		!strings.Contains(string(out), "only: {variant: [small, big]}") {
		t.Errorf("resolved:\n%s", out)
	}
	back := mustParse(t, string(out))
	if !reflect.DeepEqual(back.Points(), s.Points()) || !reflect.DeepEqual(back.Plots, s.Plots) {
		t.Error("the resolved file's points or plots differ")
	}
}

// --set replaces a sweep with a list, applies its arguments in any order, and refuses
// a key that variants set.
func TestSetListsAndOrder(t *testing.T) {
	s := mustParse(t, withVariants)
	if err := s.Set("ratio=[0.3, 0.4, 0.5]"); err != nil {
		t.Fatal(err)
	}
	if s.NumPoints() != 9 || FormatValue(s.Sweep[0].Values[2]) != "0.5" {
		t.Errorf("after --set ratio=[...]: %d points, %v", s.NumPoints(), s.Sweep[0].Values)
	}
	// peers=2 alone breaks server.slots (4) ≤ peers; with slots=1 it is fine, in
	// either order.
	for _, args := range [][]string{{"peers=2", "server.slots=1"}, {"server.slots=1", "peers=2"}} {
		s := mustParse(t, "kind: toy\n")
		if err := s.Set(args...); err != nil {
			t.Errorf("Set(%q): %v", args, err)
		}
	}
	err := mustParse(t, withVariants).Set("peers=7")
	if want := "--set peers=7: peers: set by the variants small, big; --set cannot override it (edit the variants in the file)"; err == nil || err.Error() != want {
		t.Errorf("variant key: %v\nwant %s", err, want)
	}
}
