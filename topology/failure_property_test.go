package topology

import (
	"math/rand/v2"
	"slices"
	"testing"

	"netsim/sim"
)

// crosses reports whether r uses link l.
func crosses(r Route, l LinkID) bool { return slices.Contains(r.Links, l) }

// checkLists checks that nothing leaks: ActiveFlows counts the active flows held, every
// link lists exactly the active flows of nonzero size whose routes cross it (each as
// often as its route does), and each flow's hops point at its own entries.
func checkLists(t *testing.T, n *Network, flows []*Flow) {
	t.Helper()
	active := 0
	want := make([]int, len(n.links))
	for _, f := range flows {
		if f.state != flowActive {
			continue
		}
		active++
		if f.isEmpty() {
			continue
		}
		for _, l := range f.Route().Links {
			want[l]++
		}
		for _, h := range f.hops() {
			if e := n.links[h.link].flows[h.pos]; e.f != f {
				t.Fatalf("flow %p: hop on link %d at %d holds another flow", f, h.link, h.pos)
			}
		}
	}
	if n.ActiveFlows() != active {
		t.Fatalf("ActiveFlows %d, %d active flows held", n.ActiveFlows(), active)
	}
	for l := range n.links {
		if got := len(n.links[l].flows); got != want[l] {
			t.Fatalf("link %d lists %d flows, %d active flows cross it", l, got, want[l])
		}
		for _, e := range n.links[l].flows {
			if e.f.state != flowActive || e.inSet() {
				t.Fatalf("link %d lists a flow in state %d (entry rate %v)", l, e.f.state, e.rateBps)
			}
		}
	}
}

// TestFailuresMatchBruteForce is TestIncrementalMatchesBruteForce with links failing
// and coming back among the starts, completions, cap changes and aborts. After every
// operation the allocation must be the brute-force one over the flows still active
// and no list may hold a flow that has ended; a failure must fail exactly the active
// flows whose routes cross the link, each of whose onDone runs once, with Failed()
// true. A failed flow's onDone sometimes starts another flow, and some flows are
// started over a route taken before links failed: those crossing a link that is down
// must fail at once, never taking a share.
func TestFailuresMatchBruteForce(t *testing.T) {
	for _, tc := range []struct {
		name      string
		precision float64
		tol       float64
	}{
		{"exact", 0, 1e-12},
		{"default", DefaultPrecision, DefaultPrecision},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, 4))
			var fails, failedFlows, deadStarts int
			for net := 0; net < 200; net++ {
				k := sim.NewKernel()
				var n *Network
				var hosts []NodeID
				if net%2 == 0 {
					n, hosts = randomGraph(rng, k)
				} else {
					n, hosts = randomStar(rng, k)
				}
				n.SetPrecision(tc.precision)
				var flows []*Flow
				var routes []Route // every route taken, some now crossing a down link
				ref := relayRef{map[*Flow]*Flow{}, map[*Flow]float64{}}
				calls := map[*Flow]int{}
				check := func() {
					checkAllocation(t, n, flows, ref, tc.tol)
					checkLists(t, n, flows)
				}
				var start func(r Route, feeder *Flow)
				onDone := func(f *Flow) {
					calls[f]++
					if calls[f] > 1 {
						t.Fatalf("onDone of flow %p called %d times", f, calls[f])
					}
					if f.Done() == f.Failed() || f.Aborted() {
						t.Fatalf("onDone: done %v failed %v aborted %v", f.Done(), f.Failed(), f.Aborted())
					}
					if f.Failed() && rng.IntN(3) == 0 {
						start(routes[rng.IntN(len(routes))], nil) // a callback into the network
					}
					check()
				}
				start = func(r Route, feeder *Flow) {
					opts := FlowOptions{Feeder: feeder}
					if rng.IntN(3) == 0 {
						opts.CapBps = float64(1+rng.IntN(10)) * 1e6 * rng.Float64()
					}
					size := int64(rng.IntN(2_000_000))
					if rng.IntN(20) == 0 {
						size = 0
					}
					f := n.StartFlow(r, size, opts, onDone)
					dead := false
					for _, l := range r.Links {
						dead = dead || !n.LinkUp(l)
					}
					if dead != f.Failed() {
						t.Fatalf("flow over a route with a down link: %v, failed: %v", dead, f.Failed())
					}
					if dead {
						deadStarts++
						if calls[f] != 0 || n.LinkFlows(r.Links[0]) != countOn(flows, r.Links[0]) {
							t.Fatal("a flow started over a down link ran onDone at once or took a share")
						}
					}
					if fd := opts.Feeder; fd != nil && !dead && !fd.Done() && !fd.Aborted() && !fd.Failed() && fd.SizeBytes() > 0 {
						ref.feederOf[f] = fd
					}
					flows = append(flows, f)
				}
				for op := 0; op < 150; op++ {
					var active []*Flow
					for _, f := range flows {
						if f.state == flowActive {
							active = append(active, f)
						}
					}
					switch x := rng.IntN(12); {
					case x < 4 || len(active) == 0:
						a, b := hosts[rng.IntN(len(hosts))], hosts[rng.IntN(len(hosts))]
						r, err := n.Route(a, b)
						if err != nil { // a failure left no path
							if len(routes) == 0 {
								continue
							}
							r = routes[rng.IntN(len(routes))]
						} else {
							routes = append(routes, r)
						}
						if rng.IntN(5) == 0 && len(routes) > 0 {
							r = routes[rng.IntN(len(routes))] // maybe stale
						}
						var fd *Flow
						if len(active) > 0 && rng.IntN(4) == 0 {
							fd = active[rng.IntN(len(active))]
						}
						start(r, fd)
					case x < 6:
						n.SetCap(active[rng.IntN(len(active))], float64(rng.IntN(10))*1e6*rng.Float64())
					case x < 7:
						n.Abort(active[rng.IntN(len(active))])
					case x < 9:
						l := LinkID(rng.IntN(n.NumLinks()))
						wasUp := n.LinkUp(l)
						var want []*Flow
						for _, f := range active {
							if crosses(f.Route(), l) {
								want = append(want, f)
							}
						}
						epoch := n.FailEpoch()
						n.FailLink(l)
						fails++
						if n.LinkUp(l) || (wasUp && n.FailEpoch() != epoch+1) || (!wasUp && n.FailEpoch() != epoch) {
							t.Fatalf("link %d: up %v, epoch %d -> %d", l, n.LinkUp(l), epoch, n.FailEpoch())
						}
						for _, f := range active {
							hit := slices.Contains(want, f)
							if f.Failed() != hit || (hit && calls[f] != 1) || (!hit && f.state != flowActive) {
								t.Fatalf("flow crossing %d: %v; failed %v, onDone calls %d, state %d",
									l, hit, f.Failed(), calls[f], f.state)
							}
						}
						failedFlows += len(want)
					case x < 10:
						l := LinkID(rng.IntN(n.NumLinks()))
						n.RestoreLink(l)
						if !n.LinkUp(l) {
							t.Fatalf("link %d down after RestoreLink", l)
						}
					default:
						k.RunUntil(k.Now() + sim.Time(rng.IntN(500))*sim.Millisecond)
					}
					check()
				}
				for l := range n.NumLinks() {
					n.RestoreLink(LinkID(l))
				}
				k.Run()
				check()
				if n.ActiveFlows() != 0 {
					t.Fatalf("network %d: %d flows still active after Run", net, n.ActiveFlows())
				}
				for _, f := range flows {
					if want := 1; f.Aborted() {
						want = 0
						if calls[f] != want {
							t.Fatalf("aborted flow's onDone called %d times", calls[f])
						}
					} else if calls[f] != want {
						t.Fatalf("flow (done %v, failed %v): onDone called %d times, want 1", f.Done(), f.Failed(), calls[f])
					}
				}
			}
			t.Logf("%d link failures failed %d flows; %d flows started over a down link", fails, failedFlows, deadStarts)
		})
	}
}

// countOn is how many active flows of nonzero size held in flows cross link l.
func countOn(flows []*Flow, l LinkID) int {
	c := 0
	for _, f := range flows {
		if f.state == flowActive && !f.isEmpty() {
			for _, x := range f.Route().Links {
				if x == l {
					c++
				}
			}
		}
	}
	return c
}
