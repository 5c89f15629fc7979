package topology

import (
	"context"
	"errors"
	"math"
	"testing"

	"netsim/sim"
)

// pair returns a network of two nodes joined by a duplex link, and the route a → b.
func pair(t *testing.T, capBps float64) (*sim.Kernel, *Network, Route) {
	t.Helper()
	k := sim.NewKernel()
	n, err := BuildExplicit(k, []string{"a", "b"}, []LinkSpec{{From: "a", To: "b", CapacityBps: capBps, Delay: 10 * sim.Millisecond, Duplex: true}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := n.Route(0, 1)
	if err != nil {
		t.Fatal(err)
	}
	return k, n, r
}

// doneAt returns an onDone that records the completion time in *at.
func doneAt(k *sim.Kernel, at *sim.Time) func(*Flow) {
	*at = -1
	return func(*Flow) { *at = k.Now() }
}

// TestCompletionTimes checks completion instants computed by hand in the fluid model
// (Kurose & Ross §1.4.2: transmission time L/R; max-min sharing, B&G §6.5).
func TestCompletionTimes(t *testing.T) {
	type start struct {
		at        sim.Time
		sizeBytes int64
		capBps    float64
	}
	for _, tc := range []struct {
		name    string
		linkBps float64
		flows   []start
		want    []sim.Time
	}{
		// 1 MB = 8 Mbit over 10 Mbit/s: L/R = 0.8 s.
		{"one flow", 10e6, []start{{0, 1_000_000, 0}}, []sim.Time{800 * sim.Millisecond}},
		// 8 Mbit and 2 Mbit share 10 Mbit/s at 5 each; the small one ends at 2/5 = 0.4 s,
		// when the large one has 6 Mbit left, sent at 10 Mbit/s in 0.6 s: 1.0 s.
		{"two flows, one ends early", 10e6, []start{{0, 1_000_000, 0}, {0, 250_000, 0}},
			[]sim.Time{sim.Second, 400 * sim.Millisecond}},
		// The second flow starts at 0.4 s when the first has 4 Mbit left; both at 5 Mbit/s:
		// the first ends at 0.4 + 4/5 = 1.2 s, the second (8 Mbit) has 4 left then and ends
		// at 1.2 + 4/10 = 1.6 s.
		{"late start", 10e6, []start{{0, 1_000_000, 0}, {400 * sim.Millisecond, 1_000_000, 0}},
			[]sim.Time{1200 * sim.Millisecond, 1600 * sim.Millisecond}},
		// A cap of 2 Mbit/s: 8 Mbit in 4 s; the uncapped flow takes the other 8 Mbit/s and
		// sends its 8 Mbit in 1 s.
		{"capped flow", 10e6, []start{{0, 1_000_000, 2e6}, {0, 1_000_000, 0}},
			[]sim.Time{4 * sim.Second, sim.Second}},
		// A cap above the fair share does not bind: both at 5 Mbit/s, 1.6 s.
		{"loose cap", 10e6, []start{{0, 1_000_000, 7e6}, {0, 1_000_000, 0}},
			[]sim.Time{1600 * sim.Millisecond, 1600 * sim.Millisecond}},
		// 1 byte at 3 bit/s: 8/3 s = 2.666666666…, rounded up once to the nanosecond.
		{"rounded up", 3, []start{{0, 1, 0}}, []sim.Time{2_666_666_667}},
		// A 15 Gbit file at 30 Mbit/s (Kurose & Ross's P2P example sizes): 500 s exactly,
		// with no overflow in bits × 1e9 / rate.
		{"large file", 30e6, []start{{0, 15e9 / 8, 0}}, []sim.Time{500 * sim.Second}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, n, r := pair(t, tc.linkBps)
			got := make([]sim.Time, len(tc.flows))
			for i, s := range tc.flows {
				k.At(s.at, func() {
					n.StartFlow(r, s.sizeBytes, FlowOptions{CapBps: s.capBps}, doneAt(k, &got[i]))
				})
			}
			k.Run()
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("flow %d done at %v (%d ns), want %v", i, got[i], int64(got[i]), tc.want[i])
				}
			}
		})
	}
}

func TestSetCapMidway(t *testing.T) {
	// 8 Mbit at 10 Mbit/s; at 0.4 s (4 Mbit sent) the cap drops to 2 Mbit/s: the other
	// 4 Mbit take 2 s, so it ends at 2.4 s.
	k, n, r := pair(t, 10e6)
	var at sim.Time
	f := n.StartFlow(r, 1_000_000, FlowOptions{}, doneAt(k, &at))
	k.At(400*sim.Millisecond, func() {
		if got := f.RemainingBits(); math.Abs(got-4e6) > 1e-6 {
			t.Errorf("remaining at 0.4 s: %v bits, want 4e6", got)
		}
		n.SetCap(f, 2e6)
		if f.Rate() != 2e6 || f.CapBps() != 2e6 {
			t.Errorf("after SetCap: rate %v cap %v, want 2e6", f.Rate(), f.CapBps())
		}
	})
	k.Run()
	if at != 2400*sim.Millisecond {
		t.Fatalf("done at %v, want 2.4s", at)
	}
}

// relayLine is x -> y at 5 Mbit/s and y -> z at 10 Mbit/s, for a feeder on x -> y
// and its relay on y -> z.
func relayLine(t *testing.T) (*sim.Kernel, *Network, Route, Route) {
	t.Helper()
	k := sim.NewKernel()
	n, err := BuildExplicit(k, []string{"x", "y", "z"}, []LinkSpec{
		{From: "x", To: "y", CapacityBps: 5e6, Duplex: true},
		{From: "y", To: "z", CapacityBps: 10e6, Duplex: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	x, _ := n.Node("x")
	y, _ := n.Node("y")
	z, _ := n.Node("z")
	rxy, _ := n.Route(x, y)
	ryz, _ := n.Route(y, z)
	return k, n, rxy, ryz
}

func TestFeeder(t *testing.T) {
	// The textbook's relay: a peer forwards a part while it still receives it (Kurose &
	// Ross §2.5, P2P distribution). A: x -> y at 5 Mbit/s, 8 Mbit, ends at 1.6 s.
	// B: y -> z (10 Mbit/s), 16 Mbit, fed by A: 5 Mbit/s until 1.6 s (8 Mbit sent), and
	// after A completes still at A's last rate, 5 Mbit/s, the rate its stream arrived
	// at, for the other 8 Mbit: ends at 3.2 s.
	k, n, rxy, ryz := relayLine(t)
	var atA, atB sim.Time
	a := n.StartFlow(rxy, 1_000_000, FlowOptions{}, doneAt(k, &atA))
	b := n.StartFlow(ryz, 2_000_000, FlowOptions{Feeder: a}, doneAt(k, &atB))
	if b.Rate() != 5e6 {
		t.Fatalf("relay rate %v while its feeder runs at 5e6, want 5e6", b.Rate())
	}
	// A second flow on x -> y halves A, and so the relay.
	c := n.StartFlow(rxy, 1_000_000, FlowOptions{}, nil)
	if a.Rate() != 2.5e6 || b.Rate() != 2.5e6 {
		t.Fatalf("with a competitor: feeder %v relay %v, want 2.5e6 both", a.Rate(), b.Rate())
	}
	n.Abort(c)
	k.Run()
	if atA != 1600*sim.Millisecond || atB != 3200*sim.Millisecond {
		t.Fatalf("feeder done at %v, relay at %v; want 1.6s and 3.2s", atA, atB)
	}
}

func TestFeederAborted(t *testing.T) {
	// As TestFeeder, but A is aborted at 0.8 s (4 Mbit relayed): B is released from
	// A's rate and sends its other 12 Mbit at the link's 10 Mbit/s, ending at 2.0 s. A
	// relay started on the aborted A is bound by nothing but its link: 1 Mbit in 0.1 s.
	k, n, rxy, ryz := relayLine(t)
	var atB, atLate sim.Time
	a := n.StartFlow(rxy, 1_000_000, FlowOptions{}, nil)
	b := n.StartFlow(ryz, 2_000_000, FlowOptions{Feeder: a}, doneAt(k, &atB))
	k.At(800*sim.Millisecond, func() {
		n.Abort(a)
		if b.Rate() != 10e6 {
			t.Errorf("relay rate %v after its feeder's abort, want 10e6", b.Rate())
		}
	})
	k.At(2500*sim.Millisecond, func() {
		n.StartFlow(ryz, 125_000, FlowOptions{Feeder: a}, doneAt(k, &atLate))
	})
	k.Run()
	if atB != 2000*sim.Millisecond || atLate != 2600*sim.Millisecond {
		t.Fatalf("relay done at %v, late relay at %v; want 2s and 2.6s", atB, atLate)
	}
}

func TestAbortSpeedsUpOthers(t *testing.T) {
	// Two flows of 8 Mbit share 10 Mbit/s; at 0.4 s one is aborted (2 Mbit sent by
	// each); the other's 6 Mbit take 0.6 s more: 1.0 s. The aborted flow's onDone is
	// never called.
	k, n, r := pair(t, 10e6)
	var atA, atB sim.Time
	a := n.StartFlow(r, 1_000_000, FlowOptions{}, doneAt(k, &atA))
	b := n.StartFlow(r, 1_000_000, FlowOptions{}, doneAt(k, &atB))
	k.At(400*sim.Millisecond, func() {
		if !n.Abort(b) || n.Abort(b) {
			t.Error("Abort: want true then false")
		}
	})
	k.Run()
	if atA != sim.Second || atB != -1 || !b.Aborted() || b.Done() || !a.Done() {
		t.Fatalf("a done at %v, aborted b's onDone at %v (want 1s, never)", atA, atB)
	}
}

func TestZeroSizeFlow(t *testing.T) {
	k, n, r := pair(t, 10e6)
	k.At(sim.Second, func() {
		called := false
		f := n.StartFlow(r, 0, FlowOptions{}, func(*Flow) { called = true })
		if called || f.Done() {
			t.Error("a zero-size flow completed inside StartFlow; want a later event")
		}
		k.At(k.Now(), func() {
			if !called || k.Now() != sim.Second {
				t.Errorf("zero-size flow: done %v at %v, want done at 1s", called, k.Now())
			}
		})
	})
	k.Run()
}

func TestUnconstrainedRoute(t *testing.T) {
	// Only unconstrained links: nothing limits the rate, the flow ends at once; with a cap
	// it runs at the cap (8 Mbit at 4 Mbit/s = 2 s).
	k, n, r := pair(t, math.Inf(1))
	var at1, at2 sim.Time
	n.StartFlow(r, 1_000_000, FlowOptions{}, doneAt(k, &at1))
	n.StartFlow(r, 1_000_000, FlowOptions{CapBps: 4e6}, doneAt(k, &at2))
	k.Run()
	if at1 != 0 || at2 != 2*sim.Second {
		t.Fatalf("done at %v and %v, want 0 and 2s", at1, at2)
	}
}

func TestOnRateChange(t *testing.T) {
	// The hook sees a consistent allocation and may call back into the network: here it
	// caps its flow at 1 Mbit/s whenever the flow gets more, so the other flow gets 9.
	k, n, r := pair(t, 10e6)
	a := n.StartFlow(r, 1_000_000, FlowOptions{}, nil)
	calls := 0
	a.OnRateChange = func(f *Flow) {
		calls++
		if f.Rate() > 1e6 {
			n.SetCap(f, 1e6)
		}
	}
	b := n.StartFlow(r, 1_000_000, FlowOptions{}, nil)
	if a.Rate() != 1e6 || b.Rate() != 9e6 || calls != 2 {
		t.Fatalf("rates %v, %v after %d hook calls; want 1e6, 9e6 after 2", a.Rate(), b.Rate(), calls)
	}
	if got := n.LinkLoadBps(r.Links[0]); got != 10e6 {
		t.Fatalf("link load %v, want 10e6", got)
	}
	_ = k
}

// TestClientServerBound: N clients download F from one server in the access-link
// star; the last finishes at D_cs = max(N·F/u_s, F/d_min) (Kurose & Ross §2.5,
// equation for D_cs), which the fluid model attains exactly.
func TestClientServerBound(t *testing.T) {
	for _, tc := range []struct {
		name          string
		serverUp, dlo float64
		want          sim.Time
	}{
		// N·F/u_s = 10·8e6/20e6 = 4 s > F/d_min = 8e6/4e6 = 2 s.
		{"server-bound", 20e6, 4e6, 4 * sim.Second},
		// F/d_min = 8e6/1e6 = 8 s > N·F/u_s = 4 s: the slowest client is the limit.
		{"client-bound", 20e6, 1e6, 8 * sim.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := sim.NewKernel()
			hosts := []StarHost{{Name: "server", UploadBps: tc.serverUp, DownloadBps: 100e6}}
			for i := 0; i < 10; i++ {
				d := 10e6
				if i == 3 {
					d = tc.dlo
				}
				hosts = append(hosts, StarHost{Name: string(rune('a' + i)), UploadBps: 1e6, DownloadBps: d})
			}
			n, err := BuildStar(k, hosts)
			if err != nil {
				t.Fatal(err)
			}
			s, _ := n.Node("server")
			var last sim.Time
			for i := 0; i < 10; i++ {
				c, _ := n.Node(string(rune('a' + i)))
				r, _ := n.Route(s, c)
				n.StartFlow(r, 1_000_000, FlowOptions{}, func(*Flow) { last = k.Now() })
			}
			k.Run()
			if last != tc.want {
				t.Fatalf("last client done at %v, want D_cs = %v", last, tc.want)
			}
			st := n.Stats()
			if st.Starts != 10 || st.Completions != 10 || st.Events != 20 || n.ActiveFlows() != 0 {
				t.Fatalf("stats %+v, active %d", st, n.ActiveFlows())
			}
		})
	}
}

// A flow so slow that it would end past the int64 range of virtual time (1 MB at
// 1e-300 bit/s) keeps a completion event at Never, so that RunContext stops at the
// Horizon with a limit instead of ending as if the flow had not been there.
func TestFlowPastTheEndOfTime(t *testing.T) {
	k, n, r := pair(t, 1e-300)
	var at sim.Time
	n.StartFlow(r, 1_000_000, FlowOptions{}, doneAt(k, &at))
	err := k.RunContext(context.Background(), nil)
	var le *sim.LimitError
	if !errors.As(err, &le) || le.Limit != sim.TimeLimit || le.Bound != sim.Horizon || at != -1 {
		t.Fatalf("RunContext: %v, flow done at %v; want a limit at the Horizon, not done", err, at)
	}
}

// A stream's flow going on segment after segment (drain, extend) makes no completion
// event a segment: the callback of the one that has just run serves for the next, and
// the Flow keeps its 128 bytes (TestMemoryLayout). A flow allocates itself, its first
// event and what the kernel's queue takes and gives back as time goes on; 200 more
// segments, once one allocation each, must not add 20.
func TestStreamSegmentsAllocateNothing(t *testing.T) {
	k, n, r := pair(t, 8e6)
	segments := 0
	var onDone func(*Flow)
	onDone = func(f *Flow) {
		if segments > 0 {
			segments--
			n.extend(f, 1000, 0, onDone)
		}
	}
	stream := func(extensions int) float64 {
		return testing.AllocsPerRun(20, func() {
			f := n.StartFlow(r, 1000, FlowOptions{}, onDone)
			f.flags |= flagKeep
			segments = extensions
			k.Run()
		})
	}
	short, long := stream(100), stream(300)
	if long-short >= 20 {
		t.Errorf("%v allocations for a flow of 301 segments, %v for one of 101", long, short)
	}
	if got, want := n.Stats().Extensions, uint64(21*(100+300)); got != want {
		t.Errorf("%d extensions, want %d", got, want)
	}
}
