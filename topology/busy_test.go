package topology

import (
	"testing"

	"netsim/sim"
)

// A tracked link's busy time is the time it carries at least one flow. On a 1 Mbit/s
// link, 125 kB (1 Mbit) from 0 s and two of them at once from 3 s (sharing it, 2 s)
// keep it busy [0, 1] and [3, 5]: 3 s of the first 10, and 1.5 s of the first 3.5
// (the busy period under way counts up to now). The reverse direction, not tracked,
// reports 0, and so does it when it carries a flow.
func TestBusyTimeCountsTimeWithAFlow(t *testing.T) {
	k, n, r := pair(t, 1e6)
	fwd := r.Links[0]
	n.TrackBusy(fwd)
	back, err := n.Route(1, 0)
	if err != nil {
		t.Fatal(err)
	}
	n.StartFlow(r, 125_000, FlowOptions{}, nil)
	k.At(3*sim.Second, func() {
		n.StartFlow(r, 125_000, FlowOptions{}, nil)
		n.StartFlow(r, 125_000, FlowOptions{}, nil)
		n.StartFlow(back, 125_000, FlowOptions{}, nil)
	})
	var mid sim.Time
	k.At(3500*sim.Millisecond, func() { mid = n.BusyTime(fwd) })
	k.At(10*sim.Second, func() {})
	k.Run()
	if got := n.BusyTime(fwd); got != 3*sim.Second {
		t.Errorf("busy %v of 10 s, want 3s", got)
	}
	if mid != 1500*sim.Millisecond {
		t.Errorf("busy %v at 3.5 s, want 1.5s", mid)
	}
	if got := n.BusyTime(back.Links[0]); got != 0 {
		t.Errorf("untracked link: %v", got)
	}
}
