package chord

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
	"testing"

	"netsim/sim"
	"netsim/topology"
)

// testRing is a ring of n nodes with SHA-1 ids of their host names, on an
// access-link star (10 ms to the core), booted with the stabilized state.
type testRing struct {
	k     *sim.Kernel
	st    *topology.Stack
	nodes []*Node
	specs []*Spec
	peers []Peer
}

func buildRing(t testing.TB, cfg *Config, n int, ideal bool) *testRing {
	r := &testRing{k: sim.NewKernel(), nodes: make([]*Node, n), specs: make([]*Spec, n), peers: make([]Peer, n)}
	hs := make([]topology.StarHost, n)
	for i := range hs {
		hs[i] = topology.StarHost{Name: fmt.Sprintf("node%d", i), UploadBps: 1e7, DownloadBps: 1e7, Delay: 10 * sim.Millisecond}
	}
	net, err := topology.BuildStar(r.k, hs)
	if err != nil {
		t.Fatal(err)
	}
	r.st = topology.NewStack(net, sim.NewStreams(7))
	for i := range n {
		r.peers[i] = Peer{ID: cfg.Space.Hash(hs[i].Name), Node: topology.NodeID(i + 1), Port: uint16(cfg.Port)}
	}
	var states []State
	if ideal {
		states = Ideal(cfg.Space, r.peers, cfg.Successors, cfg.Fingers)
	}
	for i := range n {
		spec := &Spec{ID: r.peers[i].ID}
		i := i
		spec.OnStart = func(nd *Node) { r.nodes[i] = nd }
		if ideal {
			spec.Initial = &states[i]
		}
		r.specs[i] = spec
		p := Program(cfg, spec)
		r.st.Boot(r.peers[i].Node, func(h topology.Host) {
			if err := p(h); err != nil {
				t.Fatal(err)
			}
		})
	}
	return r
}

// Reference: SIGCOMM'01 §6.3, Fig. 10(a): with N = 2^k nodes and stabilized fingers,
// the mean path length of a lookup is ½·log2 N. Acceptance: within ±0.3 for N = 2^6
// … 2^14 (the standard error of 2000 lookups' mean is about 0.03). The hops are the
// nodes an iterative lookup asks, the last being the key's predecessor, which names
// the successor.
func TestPathLengthHalfLog2N(t *testing.T) {
	for k := 6; k <= 14; k++ {
		cfg := &Config{Space: NewSpace(160), Mode: Chord, Style: Iterative, Port: 4000, Successors: 1, Fingers: true,
			RPCTimeout: 500 * sim.Millisecond}
		n := 1 << k
		var hops []float64
		cfg.OnLookup = func(_ *Node, res Result) { hops = append(hops, float64(res.Hops)) }
		r := buildRing(t, cfg, n, true)
		rng := rand.New(rand.NewPCG(uint64(k), 1))
		sorted := slices.Clone(r.peers)
		slices.SortFunc(sorted, func(a, b Peer) int { return Cmp(a.ID, b.ID) })
		const lookups = 2000
		for range lookups {
			from := r.nodes[rng.IntN(n)]
			var key ID
			for i := range key.w {
				key.w[i] = rng.Uint64()
			}
			key = cfg.Space.norm(key)
			want := sorted[sort.Search(n, func(i int) bool { return !Less(sorted[i].ID, key) })%n]
			from.Lookup(key, func(res Result) {
				if !res.OK || res.Owner != want {
					t.Errorf("N=%d: lookup of %v found %v, want %v", n, key, res.Owner, want)
				}
			})
		}
		r.k.Run()
		mean := 0.0
		for _, h := range hops {
			mean += h
		}
		mean /= float64(len(hops))
		theory := 0.5 * float64(k)
		t.Logf("N = 2^%d: mean path length %.3f, ½·log2 N = %.1f", k, mean, theory)
		if len(hops) != lookups || math.Abs(mean-theory) > 0.3 {
			t.Errorf("N = 2^%d: %d lookups, mean path length %.3f, want %.1f ± 0.3", k, len(hops), mean, theory)
		}
	}
}

// BenchmarkLoad10k is acceptance 6's first case at reduced length: 10^4 nodes with
// maintenance every 30 s and one lookup per node per second, for b.N simulated
// seconds. It reports CPU per lookup and per simulated second.
func BenchmarkLoad10k(b *testing.B) {
	const n = 10000
	cfg := &Config{Space: NewSpace(160), Mode: Chord, Style: Iterative, Port: 4000, Successors: 27, Fingers: true,
		RPCTimeout: 500 * sim.Millisecond, LookupRate: 1,
		Stabilize: Period{30 * sim.Second, 30 * sim.Second}, FixFingers: Period{30 * sim.Second, 30 * sim.Second}, CheckPred: Period{30 * sim.Second, 30 * sim.Second}}
	lookups := 0
	cfg.OnLookup = func(*Node, Result) { lookups++ }
	r := buildRing(b, cfg, n, true)
	b.ResetTimer()
	r.k.RunUntil(sim.Time(b.N) * sim.Second)
	b.ReportMetric(float64(lookups)/float64(b.N), "lookups/s")
	b.ReportMetric(float64(r.k.Events())/float64(lookups), "events/lookup")
}

// BenchmarkIdealRingMemory builds a stabilized ring of 10^5 nodes with 160-bit ids
// on a star (no maintenance), and reports the live heap per node: host, socket,
// routing state and the node program together.
func BenchmarkIdealRingMemory(b *testing.B) {
	const n = 100000
	for range b.N {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		cfg := &Config{Space: NewSpace(160), Mode: Chord, Style: Iterative, Port: 4000, Successors: 1, Fingers: true, RPCTimeout: 500 * sim.Millisecond}
		r := buildRing(b, cfg, n, true)
		runtime.GC()
		runtime.ReadMemStats(&after)
		runs := 0
		for _, nd := range r.nodes {
			runs += len(nd.fingers)
		}
		b.ReportMetric(float64(after.HeapInuse-before.HeapInuse)/n, "B/node")
		b.ReportMetric(float64(runs)/n, "finger-runs/node")
		runtime.KeepAlive(r)
	}
}
