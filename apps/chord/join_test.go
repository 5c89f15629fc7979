package chord

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"netsim/sim"
	"netsim/topology"
)

// SIGCOMM'01 §4.4: "as an optimization, n can ask its immediate neighbor for a copy
// of its complete finger table". With Config.CopyFingers a node joining a stabilized
// ring of 256 has, a second after it joined and long before its first fix_fingers
// round, about log2 N distinct fingers rather than its successor alone, and its
// lookups take about the ring's ½·log2 N = 4 hops (3 to 4.5: the ideal ring's mean is
// 3.8) and all reach the key's successor. Without the copy it has only its successor
// (and 3 more in its list), and its lookups take a hop more: their first step is to
// a successor instead of half way to the key.
func TestJoinCopiesTheSuccessorsFingers(t *testing.T) {
	means := map[bool]float64{}
	for _, copyFingers := range []bool{true, false} {
		const n = 257
		k := sim.NewKernel()
		st := starStack(t, k, n, 3)
		slow := Period{1000 * sim.Second, 1000 * sim.Second}
		cfg := &Config{Space: NewSpace(160), Mode: Chord, Style: Iterative, Port: 4000, Successors: 4, Fingers: true,
			Stabilize: slow, FixFingers: slow, CheckPred: slow, RPCTimeout: 500 * sim.Millisecond, CopyFingers: copyFingers}
		var hops []int
		failed := 0
		e := &Experiment{Config: cfg, Ideal: true, Rand: rand.New(rand.NewPCG(1, 2))}
		for i := range n {
			e.Names = append(e.Names, fmt.Sprintf("node%d", i))
			e.Nodes = append(e.Nodes, topology.NodeID(i+1))
			e.Up = append(e.Up, i < n-1)
		}
		joiner := e.Nodes[n-1]
		st.Crash(joiner)
		bootAll(t, st, e)
		k.At(sim.Second, func() { st.Recover(joiner) })
		k.At(3*sim.Second, func() {
			nd := e.nodes[n-1]
			distinct := map[topology.Addr]bool{}
			for _, r := range nd.fingers {
				distinct[r.Peer.Addr()] = true
			}
			t.Logf("copy %v: %d distinct fingers after the join", copyFingers, len(distinct))
			if copyFingers && len(distinct) < 6 || !copyFingers && len(distinct) != 1 {
				t.Errorf("copy %v: %d distinct fingers", copyFingers, len(distinct))
			}
			rng := rand.New(rand.NewPCG(5, 6))
			for range 200 {
				var key ID
				for i := range key.w {
					key.w[i] = rng.Uint64()
				}
				key = cfg.Space.norm(key)
				want, _ := e.trueSuccessor(key)
				nd.Lookup(key, func(r Result) {
					hops = append(hops, r.Hops)
					if !r.OK || r.Owner != want {
						failed++
					}
				})
			}
		})
		k.RunUntil(100 * sim.Second)
		mean := 0.0
		for _, h := range hops {
			mean += float64(h)
		}
		mean /= float64(len(hops))
		t.Logf("copy %v: %d lookups from the new node, mean %.2f hops, %d failed", copyFingers, len(hops), mean, failed)
		if len(hops) != 200 || failed > 0 {
			t.Errorf("copy %v: %d lookups, %d failed", copyFingers, len(hops), failed)
		}
		means[copyFingers] = mean
		if copyFingers && (mean < 3 || mean > 4.5) || !copyFingers && mean < means[true]+0.5 {
			t.Errorf("copy %v: mean %.2f hops", copyFingers, mean)
		}
	}
}
