package chord

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"netsim/sim"
	"netsim/topology"
)

// Reference: SIGCOMM'01 §4.4 Theorem 3 and ToN'03 §IV-C: "once the joins and
// failures stop, stabilization makes every node's successor correct" (as long as no
// node loses its whole successor list at once). Property: under heavy random churn —
// crashes, graceful leaves and joins through a random live node, about one event per
// stabilization period for 48 hosts — then none, every live node's successor is the
// right one within 10 stabilization rounds, for every schedule drawn.
func TestRingHealsAfterChurn(t *testing.T) {
	const (
		hosts  = 48
		period = sim.Second
		churn  = 60 * sim.Second
		rounds = 10
	)
	for seed := range uint64(40) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 99))
			k := sim.NewKernel()
			hs := make([]topology.StarHost, hosts)
			for i := range hs {
				hs[i] = topology.StarHost{Name: fmt.Sprintf("node%d", i), UploadBps: 1e7, DownloadBps: 1e7, Delay: sim.Time(5+rng.IntN(40)) * sim.Millisecond}
			}
			net, err := topology.BuildStar(k, hs)
			if err != nil {
				t.Fatal(err)
			}
			st := topology.NewStack(net, sim.NewStreams(seed))
			cfg := &Config{Space: NewSpace(32), Mode: Chord, Style: Iterative, Port: 4000, Successors: 4, Fingers: true,
				Stabilize: Period{period / 2, period * 3 / 2}, FixFingers: Period{period / 2, period * 3 / 2}, CheckPred: Period{period / 2, period * 3 / 2},
				RPCTimeout: 200 * sim.Millisecond, LookupRate: 0.2}
			e := &Experiment{Config: cfg, Ideal: seed%2 == 0, Rand: rng, From: 0, To: churn + rounds*period}
			for i, h := range hs {
				e.Names = append(e.Names, h.Name)
				e.Nodes = append(e.Nodes, topology.NodeID(i+1))
				e.Up = append(e.Up, i < hosts*2/3)
			}
			for i, h := range e.Nodes {
				if !e.Up[i] {
					st.Crash(h)
				}
			}
			progs := e.Prepare(st)
			for i, ps := range progs {
				for _, p := range ps {
					st.Boot(e.Nodes[i], func(h topology.Host) {
						if err := p(h); err != nil {
							t.Fatal(err)
						}
					})
				}
			}
			e.Start()
			// Churn: one event a period on average, on a random host: a down host
			// joins; an up one crashes or leaves; never fewer than 8 up.
			for at := sim.Time(0); at < churn; at += sim.Time(rng.ExpFloat64() * float64(period)) {
				h := e.Nodes[rng.IntN(hosts)]
				leave := rng.IntN(2) == 0
				k.At(at, func() {
					up := 0
					for _, x := range e.Nodes {
						if st.Up(x) {
							up++
						}
					}
					switch {
					case !st.Up(h):
						st.Recover(h)
					case up <= 8:
					case leave:
						st.Leave(h, 100*sim.Millisecond)
					default:
						st.Crash(h)
					}
				})
			}
			k.RunUntil(churn + 2*sim.Second) // the last joins find their successor
			rep := e.Report()
			during := rep.Consistent
			k.RunUntil(churn + rounds*period*3/2)
			rep = e.Report()
			if rep.Consistent != 1 {
				for i, nd := range e.nodes {
					if e.live(i) {
						want, _ := e.trueSuccessor(cfg.Space.Add(nd.self.ID, cfg.Space.FromUint(1)))
						if nd.Successor() != want {
							t.Logf("node %v: successor %v, want %v", nd.self.ID, nd.Successor().ID, want.ID)
						}
					}
				}
				t.Errorf("after %d stabilization rounds, %.3f of %d live nodes have the right successor (%.3f when churn stopped)", rounds, rep.Consistent, rep.LiveNodes, during)
			}
			if rep.Lookups == 0 {
				t.Errorf("no lookups completed")
			}
		})
	}
}
