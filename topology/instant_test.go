package topology

import (
	"testing"

	"netsim/sim"
)

// TestSolvePerInstantSolvesOnce: two flows of 1 Mbit started at the same instant on
// one 8 Mbit/s link are solved once, at the end of the instant, and share it (B&G
// §6.5.2: 4 Mbit/s each, done at 1/4 s); a solve per event solves twice to the same
// allocation. Rate asked in the instant's middle solves what is pending at once.
func TestSolvePerInstantSolvesOnce(t *testing.T) {
	for _, per := range []bool{false, true} {
		k, n, r := pair(t, 8e6)
		n.SetSolvePerInstant(per)
		var at [2]sim.Time
		a := n.StartFlow(r, 125_000, FlowOptions{}, doneAt(k, &at[0]))
		n.StartFlow(r, 125_000, FlowOptions{}, doneAt(k, &at[1]))
		k.RunUntil(0)
		solves := n.Stats().Solves
		if a.Rate() != 4e6 {
			t.Fatalf("per instant %v: rate %v, want 4e6", per, a.Rate())
		}
		k.Run()
		want := uint64(2)
		if per {
			want = 1
		}
		if solves != want || at != [2]sim.Time{sim.Second / 4, sim.Second / 4} {
			t.Fatalf("per instant %v: %d solves at the start, done at %v; want %d, [250ms 250ms]", per, solves, at, want)
		}
	}
	// Rate in the instant's middle: the allocation as of now, the second start included.
	_, n, r := pair(t, 8e6)
	n.SetSolvePerInstant(true)
	a := n.StartFlow(r, 125_000, FlowOptions{}, nil)
	if a.Rate() != 8e6 {
		t.Fatalf("alone: rate %v, want 8e6", a.Rate())
	}
	n.StartFlow(r, 125_000, FlowOptions{}, nil)
	if a.Rate() != 4e6 {
		t.Fatalf("shared: rate %v, want 4e6", a.Rate())
	}
}
