package topology

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"netsim/sim"
)

// bruteMaxMin is progressive filling from scratch (Bertsekas & Gallager §6.5.2),
// written for obviousness, not speed: all unfrozen flows rise together to the lowest
// level at which a link saturates or a cap is met; the flows on that link, or with that
// cap, freeze; repeat. linkCap[l] may be +Inf; flowCap[f] is +Inf for no cap.
func bruteMaxMin(linkCap []float64, flowLinks [][]LinkID, flowCap []float64) []float64 {
	nf := len(flowLinks)
	rate := make([]float64, nf)
	frozen := make([]bool, nf)
	// linkUse is the rate of l's frozen flows and the count of its unfrozen ones.
	linkUse := func(l int) (used float64, cnt int) {
		for f, ls := range flowLinks {
			for _, x := range ls {
				if int(x) == l {
					if frozen[f] {
						used += rate[f]
					} else {
						cnt++
					}
				}
			}
		}
		return used, cnt
	}
	left := nf
	for left > 0 {
		level := math.Inf(1)
		for l, c := range linkCap {
			if math.IsInf(c, 1) {
				continue
			}
			used, cnt := linkUse(l)
			if cnt > 0 {
				level = math.Min(level, math.Max(0, c-used)/float64(cnt))
			}
		}
		for f := range flowLinks {
			if !frozen[f] {
				level = math.Min(level, flowCap[f])
			}
		}
		if math.IsInf(level, 1) {
			for f := range flowLinks {
				if !frozen[f] {
					rate[f], frozen[f] = level, true
					left--
				}
			}
			break
		}
		// Freeze the flows at their cap, and those on links now saturated.
		sat := make([]bool, len(linkCap))
		for l, c := range linkCap {
			if math.IsInf(c, 1) {
				continue
			}
			used, cnt := linkUse(l)
			sat[l] = cnt > 0 && math.Max(0, c-used)/float64(cnt) <= level*(1+1e-13)
		}
		for f, ls := range flowLinks {
			if frozen[f] {
				continue
			}
			hit := flowCap[f] <= level*(1+1e-13)
			for _, x := range ls {
				hit = hit || sat[x]
			}
			if hit {
				rate[f], frozen[f] = math.Min(level, flowCap[f]), true
				left--
			}
		}
	}
	return rate
}

func TestBruteMaxMinTextbook(t *testing.T) {
	// The reference solver itself, on a case solved by hand with progressive filling
	// (B&G §6.5.2): link 0 (capacity 10) carries flows 0 and 1, link 1 (capacity 4)
	// carries flows 1 and 2. At level 2 link 1 saturates: flows 1 and 2 get 2; flow 0
	// then rises alone to 10 - 2 = 8.
	got := bruteMaxMin([]float64{10, 4}, [][]LinkID{{0}, {0, 1}, {1}}, []float64{inf, inf, inf})
	want := []float64{8, 2, 2}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Fatalf("flow %d: got %v, want %v", i, got[i], want[i])
		}
	}
}

var inf = math.Inf(1)

// relayRef is what the reference knows of relays, independently of the allocator.
type relayRef struct {
	feederOf map[*Flow]*Flow   // relay → its feeder, if it was active and not empty at the start
	lastRate map[*Flow]float64 // flow → its rate at the previous check
}

// checkAllocation compares n's rates with bruteMaxMin, using as each relay's cap its
// feeder's current rate (the allocation must be a fixed point), or once the feeder has
// completed its last rate (the rate it had at the previous check: every event that
// can change a rate is checked), or no bound once the feeder was aborted or failed
// (FlowOptions.Feeder). It tests feasibility, the bottleneck characterization and the
// links' counts of flows below their caps directly, then records the rates.
func checkAllocation(t *testing.T, n *Network, flows []*Flow, ref relayRef, tol float64) {
	t.Helper()
	defer func() {
		for _, f := range flows {
			if f.state == flowActive {
				ref.lastRate[f] = f.rate
			}
		}
	}()
	linkCap := make([]float64, len(n.links))
	for i := range n.links {
		linkCap[i] = n.links[i].capacityBps
	}
	var live []*Flow
	for _, f := range flows {
		if f.state == flowActive && !f.isEmpty() {
			live = append(live, f)
		}
	}
	fl := make([][]LinkID, len(live))
	fc := make([]float64, len(live))
	for i, f := range live {
		fl[i] = finLinks(f)
		fc[i] = f.capBps
		if fd := ref.feederOf[f]; fd != nil {
			switch {
			case fd.Done():
				fc[i] = math.Min(fc[i], ref.lastRate[fd])
			case !fd.Aborted() && !fd.Failed():
				fc[i] = math.Min(fc[i], fd.Rate())
			}
		}
		if fc[i] != f.effCap {
			t.Fatalf("flow %p: effective cap %v, want %v", f, f.effCap, fc[i])
		}
	}
	want := bruteMaxMin(linkCap, fl, fc)
	for i, f := range live {
		if !close(f.rate, want[i], tol) {
			t.Fatalf("flow %d of %d: rate %v, brute force %v (rel err %.3g)", i, len(live), f.rate, want[i],
				math.Abs(f.rate-want[i])/want[i])
		}
	}
	load := make([]float64, len(n.links))
	max := make([]float64, len(n.links))
	for _, f := range live {
		for _, l := range finLinks(f) {
			load[l] += f.rate
			max[l] = math.Max(max[l], f.rate)
		}
	}
	for l := range n.links {
		c := n.links[l].capacityBps
		if load[l] > c*(1+tol) {
			t.Fatalf("link %d over capacity: %v > %v", l, load[l], c)
		}
		// Relative to the capacity: a sum of rates of mixed sizes is exact only to
		// the rounding of its largest terms.
		if got := n.LinkLoadBps(LinkID(l)); math.Abs(got-load[l]) > tol*math.Max(c, load[l]) {
			t.Fatalf("link %d: kept load %v, sum of rates %v", l, n.LinkLoadBps(LinkID(l)), load[l])
		}
		below := 0
		for _, f := range live {
			for _, x := range finLinks(f) {
				if int(x) == l && f.rate < f.effCap*(1-n.flows.precision) {
					below++
				}
			}
		}
		if int(n.links[l].belowCap) != below {
			t.Fatalf("link %d: counts %d flows below their caps, want %d", l, n.links[l].belowCap, below)
		}
	}
	for i, f := range live {
		ok := f.rate >= fc[i]*(1-tol)
		for _, l := range finLinks(f) {
			ok = ok || (load[l] >= n.links[l].capacityBps*(1-tol) && f.rate >= max[l]*(1-tol))
		}
		if !ok {
			t.Fatalf("flow %d: rate %v neither at its cap %v nor bottlenecked", i, f.rate, fc[i])
		}
	}
}

func close(a, b, tol float64) bool {
	if a == b {
		return true
	}
	return math.Abs(a-b) <= tol*math.Max(math.Abs(a), math.Abs(b))
}

// randomGraph is a ring of duplex links (so it is connected) with random chords; a
// few links are unconstrained.
func randomGraph(rng *rand.Rand, k *sim.Kernel) (*Network, []NodeID) {
	n := New(k)
	nv := 3 + rng.IntN(6)
	var ids []NodeID
	for i := 0; i < nv; i++ {
		ids = append(ids, n.AddNode(fmt.Sprintf("n%d", i)))
	}
	capBps := func() float64 {
		if rng.IntN(8) == 0 {
			return inf
		}
		return float64(1+rng.IntN(20)) * 1e6 * (0.5 + rng.Float64())
	}
	delay := func() sim.Time { return sim.Time(rng.IntN(5)) * sim.Millisecond }
	for i := 0; i < nv; i++ {
		n.AddDuplex(ids[i], ids[(i+1)%nv], capBps(), delay())
	}
	for c := rng.IntN(2 * nv); c > 0; c-- {
		a, b := rng.IntN(nv), rng.IntN(nv)
		if a != b {
			n.AddLink(ids[a], ids[b], capBps(), delay())
		}
	}
	return n, ids
}

func randomStar(rng *rand.Rand, k *sim.Kernel) (*Network, []NodeID) {
	rates := []float64{1e6, 2e6, 5e6, 10e6, 20e6, 100e6}
	var hosts []StarHost
	for i := 2 + rng.IntN(10); i > 0; i-- {
		hosts = append(hosts, StarHost{
			Name:        fmt.Sprintf("h%d", i),
			UploadBps:   rates[rng.IntN(len(rates))],
			DownloadBps: rates[rng.IntN(len(rates))],
			Delay:       sim.Time(rng.IntN(20)) * sim.Millisecond,
		})
	}
	n, err := BuildStar(k, hosts)
	if err != nil {
		panic(err)
	}
	var ids []NodeID
	for _, h := range hosts {
		id, _ := n.Node(h.Name)
		ids = append(ids, id)
	}
	return n, ids
}

// headroom is the least spare capacity on the finite links of r, +Inf if none.
func headroom(n *Network, r Route) float64 {
	h := inf
	for _, l := range r.Links {
		if c := n.Link(l).CapacityBps; finite(c) {
			h = math.Min(h, c-n.LinkLoadBps(l))
		}
	}
	return h
}

// TestIncrementalMatchesBruteForce drives random networks through random starts,
// completions, cap changes and aborts, with feeders, and after every event compares
// the incremental allocation with progressive filling from scratch. The "capped"
// cases make most flows capped, often at exactly the spare capacity of their route,
// so that links fill exactly and most events take the shortcuts of fastpath.go.
func TestIncrementalMatchesBruteForce(t *testing.T) {
	for _, tc := range []struct {
		name      string
		precision float64
		tol       float64
		capped    bool
		// perInstant: one solve per instant (instant.go); the allocation is checked
		// only when no start or end is pending, at the end of each instant.
		perInstant bool
	}{
		// Exact propagation: the allocation is the brute-force one to float rounding.
		{"exact", 0, 1e-12, false, false},
		// Default precision: changes under it stop; errors stay at its order.
		{"default", DefaultPrecision, DefaultPrecision, false, false},
		{"capped exact", 0, 1e-12, true, false},
		{"capped default", DefaultPrecision, DefaultPrecision, true, false},
		{"per instant", DefaultPrecision, DefaultPrecision, false, true},
		{"per instant capped", DefaultPrecision, DefaultPrecision, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			var events int
			var shortcuts, batched uint64
			for net := 0; net < 300; net++ {
				k := sim.NewKernel()
				var n *Network
				var hosts []NodeID
				if net%2 == 0 {
					n, hosts = randomGraph(rng, k)
				} else {
					n, hosts = randomStar(rng, k)
				}
				n.SetPrecision(tc.precision)
				n.SetSolvePerInstant(tc.perInstant)
				var flows []*Flow
				ref := relayRef{map[*Flow]*Flow{}, map[*Flow]float64{}}
				check := func() {
					if n.flows.due {
						return // the instant's starts and ends are solved at its end
					}
					events++
					checkAllocation(t, n, flows, ref, tc.tol)
				}
				for op := 0; op < 150; op++ {
					var active []*Flow
					for _, f := range flows {
						if f.state == flowActive {
							active = append(active, f)
						}
					}
					switch x := rng.IntN(10); {
					case x < 4 || len(active) == 0:
						a, b := hosts[rng.IntN(len(hosts))], hosts[rng.IntN(len(hosts))]
						r, err := n.Route(a, b)
						if err != nil {
							t.Fatal(err)
						}
						opts := FlowOptions{}
						switch {
						case tc.capped && rng.IntN(2) == 0:
							if h := headroom(n, r); h > 1e4 && finite(h) { // not rounding crumbs: those would take ages
								opts.CapBps = h
							}
						case rng.IntN(3) == 0 || (tc.capped && rng.IntN(4) != 0):
							opts.CapBps = float64(1+rng.IntN(10)) * 1e6 * rng.Float64()
						}
						if len(active) > 0 && rng.IntN(4) == 0 {
							opts.Feeder = active[rng.IntN(len(active))]
						}
						size := int64(rng.IntN(2_000_000))
						if rng.IntN(20) == 0 {
							size = 0
						}
						f := n.StartFlow(r, size, opts, func(*Flow) { check() })
						if fd := opts.Feeder; fd != nil && !fd.Done() && !fd.Aborted() && fd.SizeBytes() > 0 {
							ref.feederOf[f] = fd
						}
						if tc.perInstant {
							// The checks skip the instants' middles, so the last rate a
							// completed feeder leaves its relays is taken from its hook.
							f.OnRateChange = func(f *Flow) { ref.lastRate[f] = f.rate }
						}
						flows = append(flows, f)
					case x < 6:
						f := active[rng.IntN(len(active))]
						c := float64(rng.IntN(10)) * 1e6 * rng.Float64()
						if h := headroom(n, f.Route()); tc.capped && rng.IntN(2) == 0 && finite(h) && f.Rate()+h > 1e4 {
							c = math.Max(0, f.Rate()+h)
						}
						n.SetCap(f, c)
					case x < 7:
						n.Abort(active[rng.IntN(len(active))])
					default:
						k.RunUntil(k.Now() + sim.Time(rng.IntN(500))*sim.Millisecond)
					}
					check()
				}
				k.Run()
				if n.ActiveFlows() != 0 {
					t.Fatalf("network %d: %d flows still active after Run", net, n.ActiveFlows())
				}
				shortcuts += n.Stats().Shortcuts
				batched += n.flows.batched
			}
			t.Logf("%d allocations checked, %d shortcuts, %d solves of more than one start or end", events, shortcuts, batched)
			if tc.perInstant && batched == 0 {
				t.Fatal("no solve was for more than one start or end: the test does not test one solve per instant")
			}
		})
	}
}

// finLinks is f's finite-capacity links, the ones the allocation is over.
func finLinks(f *Flow) []LinkID {
	var ls []LinkID
	for _, h := range f.fin() {
		ls = append(ls, h.link)
	}
	return ls
}

func TestScratchTagWraps(t *testing.T) {
	// The solver's per-link tags wrap after 2^32 rounds; across the wrap the rates stay
	// exact, and a link that no round has used yet is not taken for one of the new
	// round's. Two flows share a -> b (8 Mbit/s) at 4 each: 4 Mbit end at 1 s, and the
	// other 12 Mbit have 8 left, at 8 Mbit/s: 2 s. The second solve, the first after
	// the wrap, is for 8 Mbit on b -> a alone: 1 s.
	k, n, r := pair(t, 8e6)
	back, _ := n.Route(1, 0)
	n.flows.tag = math.MaxUint32 - 1
	var at [3]sim.Time
	n.StartFlow(r, 500_000, FlowOptions{}, doneAt(k, &at[0]))
	n.StartFlow(back, 1_000_000, FlowOptions{}, doneAt(k, &at[1]))
	n.StartFlow(r, 1_500_000, FlowOptions{}, doneAt(k, &at[2]))
	k.Run()
	if at != [3]sim.Time{sim.Second, sim.Second, 2 * sim.Second} || n.flows.tag >= math.MaxUint32-1 {
		t.Fatalf("done at %v (tag %d); want [1s 1s 2s] after the wrap", at, n.flows.tag)
	}
}
