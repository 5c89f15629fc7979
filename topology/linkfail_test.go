package topology

import (
	"math"
	"slices"
	"testing"

	"netsim/sim"
)

// fork is x -> y at 10 Mbit/s, shared, then y -> z1 and y -> z2 at forkBps each: the
// routes x>y>z1 and x>y>z2 share their first link.
func fork(t *testing.T, forkBps float64) (*sim.Kernel, *Network, Route, Route) {
	t.Helper()
	k := sim.NewKernel()
	n, err := BuildExplicit(k, []string{"x", "y", "z1", "z2"}, []LinkSpec{
		{From: "x", To: "y", CapacityBps: 10e6, Duplex: true},
		{From: "y", To: "z1", CapacityBps: forkBps, Duplex: true},
		{From: "y", To: "z2", CapacityBps: forkBps, Duplex: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	r1, _ := n.Route(mustNode(t, n, "x"), mustNode(t, n, "z1"))
	r2, _ := n.Route(mustNode(t, n, "x"), mustNode(t, n, "z2"))
	return k, n, r1, r2
}

func TestFailLinkFreesBottleneck(t *testing.T) {
	// A (x>y>z1) and B (x>y>z2), 8 Mbit each, share x -> y at 5 Mbit/s each. At 0.4 s
	// (2 Mbit sent by each) y -> z2 fails: B fails at once and A has the whole
	// 10 Mbit/s for its other 6 Mbit, so it ends at 1.0 s. The failed link may be
	// finite or unconstrained: its flows fail either way.
	for _, forkBps := range []float64{100e6, math.Inf(1)} {
		k, n, r1, r2 := fork(t, forkBps)
		var atA, atB sim.Time
		a := n.StartFlow(r1, 1_000_000, FlowOptions{}, doneAt(k, &atA))
		var rateAInB float64
		b := n.StartFlow(r2, 1_000_000, FlowOptions{}, func(f *Flow) {
			atB = k.Now()
			rateAInB = a.Rate() // onDone sees the allocation without B
		})
		if a.Rate() != 5e6 || b.Rate() != 5e6 {
			t.Fatalf("rates %v %v, want 5e6 each", a.Rate(), b.Rate())
		}
		k.At(400*sim.Millisecond, func() {
			n.FailLink(r2.Links[1])
			if a.Rate() != 10e6 || b.Rate() != 0 || n.LinkFlows(r2.Links[1]) != 0 || n.LinkLoadBps(r1.Links[0]) != 10e6 {
				t.Errorf("after the failure: A %v B %v bit/s, %d flows on the failed link, load %v",
					a.Rate(), b.Rate(), n.LinkFlows(r2.Links[1]), n.LinkLoadBps(r1.Links[0]))
			}
			if got := b.RemainingBits(); got != 6e6 {
				t.Errorf("failed flow has %v bits not sent, want 6e6", got)
			}
		})
		k.Run()
		if atA != sim.Second || atB != 400*sim.Millisecond || rateAInB != 10e6 {
			t.Fatalf("link %v bit/s: A done at %v, B's onDone at %v seeing A at %v; want 1s, 0.4s, 1e7",
				forkBps, atA, atB, rateAInB)
		}
		if !b.Failed() || b.Done() || b.Aborted() || !a.Done() || a.Failed() {
			t.Fatalf("B failed %v done %v aborted %v; A done %v failed %v", b.Failed(), b.Done(), b.Aborted(), a.Done(), a.Failed())
		}
		if s := n.Stats(); s.Failures != 1 || s.Completions != 1 || n.ActiveFlows() != 0 || n.FailEpoch() != 1 {
			t.Fatalf("stats %+v, active %d, epoch %d", s, n.ActiveFlows(), n.FailEpoch())
		}
	}
}

func TestFailLinkOrderAndCallbacks(t *testing.T) {
	// Three flows cross y -> z2; their onDone calls come in the order they sit on the
	// link (here the order they started), all after every one of them has failed. The
	// first one's onDone fails x -> y as well, which fails the flow on x>y>z1 too,
	// and aborting a flow that has already failed does nothing.
	k, n, r1, r2 := fork(t, 100e6)
	var order []int
	var fs []*Flow
	for i := range 3 {
		i := i
		fs = append(fs, n.StartFlow(r2, 1_000_000, FlowOptions{}, func(f *Flow) {
			order = append(order, i)
			if i == 0 {
				for j, g := range fs {
					if !g.Failed() {
						t.Errorf("flow %d not failed when flow 0's onDone runs", j)
					}
				}
				if n.Abort(fs[2]) {
					t.Error("Abort of a failed flow reported true")
				}
				n.FailLink(r1.Links[0])
			}
		}))
	}
	a := n.StartFlow(r1, 1_000_000, FlowOptions{}, func(*Flow) { order = append(order, 3) })
	n.FailLink(r2.Links[1])
	if !slices.Equal(order, []int{0, 3, 1, 2}) || !a.Failed() || n.ActiveFlows() != 0 || n.FailEpoch() != 2 {
		t.Fatalf("onDone order %v (want [0 3 1 2]), A failed %v, %d active, epoch %d", order, a.Failed(), n.ActiveFlows(), n.FailEpoch())
	}
	n.FailLink(r2.Links[1]) // already down: nothing
	if n.FailEpoch() != 2 || n.Stats().Failures != 4 {
		t.Fatalf("epoch %d, failures %d after failing a down link; want 2 and 4", n.FailEpoch(), n.Stats().Failures)
	}
	k.Run()
	if len(order) != 4 {
		t.Fatalf("%d onDone calls after Run, want 4", len(order))
	}
}

func TestFailedFeederReleasesRelay(t *testing.T) {
	// As TestFeederAborted, but the feeder's link x -> y fails at 0.8 s (4 Mbit relayed
	// at 5 Mbit/s): the relay is released from its bound like after an abort and sends
	// its other 12 Mbit at 10 Mbit/s, ending at 2.0 s.
	k, n, rxy, ryz := relayLine(t)
	var atB sim.Time
	a := n.StartFlow(rxy, 1_000_000, FlowOptions{}, nil)
	b := n.StartFlow(ryz, 2_000_000, FlowOptions{Feeder: a}, doneAt(k, &atB))
	k.At(800*sim.Millisecond, func() {
		n.FailLink(rxy.Links[0])
		if !a.Failed() || b.Rate() != 10e6 {
			t.Errorf("feeder failed %v, relay at %v; want true, 1e7", a.Failed(), b.Rate())
		}
	})
	k.Run()
	if atB != 2*sim.Second {
		t.Fatalf("relay done at %v, want 2s", atB)
	}
}

func TestStartFlowOverDownLink(t *testing.T) {
	// A flow started over a down link fails at once and takes no share: its onDone
	// runs in an event at the same instant, never inside StartFlow, and the flow
	// already on the route's other link keeps the whole of it. Size 0 is no exception.
	// After the link is restored, a flow over the same route runs: 8 Mbit at 10 Mbit/s
	// from 1 s to 1.8 s.
	k, n, r1, r2 := fork(t, 100e6)
	a := n.StartFlow(r1, 10_000_000, FlowOptions{}, nil)
	n.FailLink(r2.Links[1])
	k.At(500*sim.Millisecond, func() {
		for _, size := range []int64{1_000_000, 0} {
			called := sim.Time(-1)
			f := n.StartFlow(r2, size, FlowOptions{}, func(f *Flow) { called = k.Now() })
			if called >= 0 || !f.Failed() || f.Rate() != 0 || a.Rate() != 10e6 || n.ActiveFlows() != 1 || n.LinkFlows(r2.Links[0]) != 1 {
				t.Errorf("size %d: onDone at %v inside StartFlow, failed %v, rate %v, A at %v, %d active",
					size, called, f.Failed(), f.Rate(), a.Rate(), n.ActiveFlows())
			}
			k.At(k.Now(), func() {
				if called != 500*sim.Millisecond {
					t.Errorf("size %d: onDone at %v, want 0.5s", size, called)
				}
			})
		}
	})
	var at sim.Time
	k.At(sim.Second, func() {
		n.Abort(a)
		n.RestoreLink(r2.Links[1])
		n.StartFlow(r2, 1_000_000, FlowOptions{}, doneAt(k, &at))
	})
	k.Run()
	if at != 1800*sim.Millisecond {
		t.Fatalf("flow after restore done at %v, want 1.8s", at)
	}
	if s := n.Stats(); s.Failures != 2 || s.Starts != 4 || s.Completions != 1 || s.Aborts != 1 {
		t.Fatalf("stats %+v", s)
	}
}

func TestFailSizeZeroAndUnconstrained(t *testing.T) {
	// On a pair joined by unconstrained links: a flow capped at 4 Mbit/s (8 Mbit: due at
	// 2 s) fails when the link fails at 1 s, and a flow of size 0 started at 1 s fails
	// with it, before its completion event, whose onDone never comes.
	k, n, r := pair(t, math.Inf(1))
	var calls []string
	capped := n.StartFlow(r, 1_000_000, FlowOptions{CapBps: 4e6}, func(f *Flow) {
		calls = append(calls, "capped "+k.Now().String())
	})
	var zero *Flow
	k.At(sim.Second, func() {
		zero = n.StartFlow(r, 0, FlowOptions{}, func(f *Flow) {
			calls = append(calls, "zero "+k.Now().String())
		})
		if n.LinkFlows(r.Links[0]) != 1 || n.ActiveFlows() != 2 {
			t.Errorf("%d flows on the unconstrained link, %d active; want 1 and 2", n.LinkFlows(r.Links[0]), n.ActiveFlows())
		}
		n.FailLink(r.Links[0])
	})
	k.Run()
	if !slices.Equal(calls, []string{"capped 1s", "zero 1s"}) || !capped.Failed() || !zero.Failed() {
		t.Fatalf("onDone calls %q, failed %v %v; want [capped 1s zero 1s], both failed", calls, capped.Failed(), zero.Failed())
	}
	if n.LinkFlows(r.Links[0]) != 0 || n.ActiveFlows() != 0 || n.Stats().Failures != 2 || n.Stats().Completions != 0 {
		t.Fatalf("after: %d listed, %d active, stats %+v", n.LinkFlows(r.Links[0]), n.ActiveFlows(), n.Stats())
	}
}

func TestRouteAroundFailure(t *testing.T) {
	// The graph of TestExplicitRoutes. a>b is a>c>b (20 ms); with a -> c down it is the
	// direct a>b (30 ms); with a -> b down too, a>d>e>b (20+5+5 = 30 ms); with a -> d
	// down as well, a has no way out. Restoring a -> c gives a>c>b back.
	n, err := BuildExplicit(sim.NewKernel(), []string{"a", "b", "c", "d", "e"}, []LinkSpec{
		{From: "a", To: "b", CapacityBps: 1e6, Delay: 30 * sim.Millisecond, Duplex: true},
		{From: "a", To: "c", CapacityBps: 1e6, Delay: 10 * sim.Millisecond, Duplex: true},
		{From: "c", To: "b", CapacityBps: 1e6, Delay: 10 * sim.Millisecond, Duplex: true},
		{From: "a", To: "d", CapacityBps: 1e6, Delay: 20 * sim.Millisecond, Duplex: true},
		{From: "c", To: "d", CapacityBps: 1e6, Delay: 10 * sim.Millisecond, Duplex: true},
		{From: "d", To: "e", CapacityBps: 1e6, Delay: 5 * sim.Millisecond, Duplex: true},
		{From: "b", To: "e", CapacityBps: 1e6, Delay: 5 * sim.Millisecond, Duplex: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	const ab, ac, ad LinkID = 0, 2, 6 // link IDs as listed in TestExplicitRoutes
	a, b := mustNode(t, n, "a"), mustNode(t, n, "b")
	r0, _ := n.Route(a, b)
	e0 := n.FailEpoch()
	for _, step := range []struct {
		fail, restore LinkID
		path          string
		delay         sim.Time
	}{
		{ac, -1, "a>b", 30 * sim.Millisecond},
		{ab, -1, "a>d>e>b", 30 * sim.Millisecond},
		{ad, -1, "", 0},
		{-1, ac, "a>c>b", 20 * sim.Millisecond},
	} {
		if step.fail >= 0 {
			n.FailLink(step.fail)
		} else {
			n.RestoreLink(step.restore)
		}
		if step.path == "" {
			_, err := n.Route(a, b)
			if err == nil || err.Error() != `topology: no route from "a" to "b"` {
				t.Fatalf("with a's links down: error %v", err)
			}
			continue
		}
		if path, d := routeOf(t, n, "a", "b"); path != step.path || d != step.delay {
			t.Fatalf("after failing %d / restoring %d: %s %v, want %s %v", step.fail, step.restore, path, d, step.path, step.delay)
		}
	}
	// r0 = a>c>b crossed a -> c, which failed after e0 (and is up again); b>a does not
	// cross it. Read now, the epoch says no link has failed since: O(1).
	rba, _ := n.Route(b, a)
	if !n.RouteBroken(r0, e0) || n.RouteBroken(rba, e0) || n.RouteBroken(r0, n.FailEpoch()) || n.FailEpoch() != 3 {
		t.Fatalf("RouteBroken: %v %v %v (want true false false), epoch %d", n.RouteBroken(r0, e0),
			n.RouteBroken(rba, e0), n.RouteBroken(r0, n.FailEpoch()), n.FailEpoch())
	}
	if n.LinkUp(ab) || !n.LinkUp(ac) {
		t.Fatalf("LinkUp a>b %v, a>c %v; want false, true", n.LinkUp(ab), n.LinkUp(ac))
	}
}

func TestHostWithOnlyLinkDown(t *testing.T) {
	// On a star a host hangs off one link each way: with its uplink down it can reach
	// no one but is still reachable; with its downlink down, the reverse. Its links
	// are found by NodeLinks.
	n, err := BuildStar(sim.NewKernel(), []StarHost{
		{Name: "s", UploadBps: 10e6, DownloadBps: 10e6, Delay: sim.Millisecond},
		{Name: "p", UploadBps: 1e6, DownloadBps: 2e6, Delay: 2 * sim.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	s, p := mustNode(t, n, "s"), mustNode(t, n, "p")
	out, in := n.NodeLinks(p)
	if !slices.Equal(out, []LinkID{2}) || !slices.Equal(in, []LinkID{3}) {
		t.Fatalf("p's links: out %v in %v, want [2] [3]", out, in)
	}
	if out, in := n.NodeLinks(mustNode(t, n, StarCore)); !slices.Equal(out, []LinkID{1, 3}) || !slices.Equal(in, []LinkID{0, 2}) {
		t.Fatalf("core's links: out %v in %v, want [1 3] [0 2]", out, in)
	}
	n.FailLink(out[0])
	if _, err := n.Route(p, s); err == nil || err.Error() != `topology: no route from "p" to "s"` {
		t.Fatalf("from a host whose uplink is down: %v", err)
	}
	if path, d := routeOf(t, n, "s", "p"); path != "s>core>p" || d != 3*sim.Millisecond {
		t.Fatalf("to it: %s %v", path, d)
	}
	n.RestoreLink(out[0])
	n.FailLink(in[0])
	if _, err := n.Route(s, p); err == nil || err.Error() != `topology: no route from "s" to "p"` {
		t.Fatalf("to a host whose downlink is down: %v", err)
	}
	if _, err := n.RTT(s, p); err == nil {
		t.Fatal("RTT to a host whose downlink is down: want an error")
	}
	if path, _ := routeOf(t, n, "p", "s"); path != "p>core>s" {
		t.Fatalf("from it: %s", path)
	}
}
