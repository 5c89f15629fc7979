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
			bootAll(t, st, e)
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

// Reference: SIGCOMM'01 §6.5 and ToN'03 §V-F model churn as joins of new nodes and
// departures: a node that joins is not one that left. With Experiment.NewIdentity, a
// host that recovers boots a new node, with the id SHA-1(name@1) on the next port,
// while the pointers to the node it was stay dead (nothing listens on its port); the
// ring takes the new node in (every successor right within a few stabilization
// rounds) and lookups of its keys find it. Without, the host comes back as the node
// it was.
func TestRecoveredHostIsANewNode(t *testing.T) {
	for _, fresh := range []bool{true, false} {
		t.Run(fmt.Sprint(fresh), func(t *testing.T) {
			k := sim.NewKernel()
			st := starStack(t, k, 8, 1)
			per := Period{sim.Second / 2, sim.Second * 3 / 2}
			cfg := &Config{Space: NewSpace(32), Mode: Chord, Style: Iterative, Port: 4000, Successors: 3, Fingers: true,
				Stabilize: per, FixFingers: per, CheckPred: per, RPCTimeout: 200 * sim.Millisecond}
			e := &Experiment{Config: cfg, Ideal: true, NewIdentity: fresh, Rand: rand.New(rand.NewPCG(1, 2)),
				Lookups: 200, From: 20 * sim.Second, To: 30 * sim.Second}
			for i := range 8 {
				e.Names = append(e.Names, fmt.Sprintf("node%d", i))
				e.Nodes = append(e.Nodes, topology.NodeID(i+1))
				e.Up = append(e.Up, true)
			}
			bootAll(t, st, e)
			old := e.nodes[3].Self()
			k.At(sim.Second, func() { st.Crash(e.Nodes[3]) })
			k.At(5*sim.Second, func() { st.Recover(e.Nodes[3]) })
			k.RunUntil(31 * sim.Second)
			now := e.nodes[3].Self()
			want := old
			if fresh {
				want = Peer{ID: cfg.Space.Hash("node3@1#0"), Node: old.Node, Port: 4001}
			}
			if now != want {
				t.Fatalf("the recovered host's node is %v at port %d, want %v at port %d", now.ID, now.Port, want.ID, want.Port)
			}
			rep := e.Report()
			if rep.Consistent != 1 || rep.LiveNodes != 8 {
				t.Errorf("%d live nodes, %.3f with the right successor", rep.LiveNodes, rep.Consistent)
			}
			if rep.Lookups != 200 || rep.Failed != 0 {
				t.Errorf("%d of %d lookups failed", rep.Failed, rep.Lookups)
			}
		})
	}
}

// bootAll boots the experiment's programs on their hosts (those up: a host the
// stack has crashed boots them when it recovers) and starts the experiment.
func bootAll(t *testing.T, st *topology.Stack, e *Experiment) {
	t.Helper()
	for i, ps := range e.Prepare(st) {
		for _, p := range ps {
			st.Boot(e.Nodes[i], func(h topology.Host) {
				if err := p(h); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
	e.Start()
}

// starStack is a star of n hosts node0, node1, ... (nodes 1 … n), 10 Mb/s each way and
// 10 ms from the core, and its stack.
func starStack(t *testing.T, k *sim.Kernel, n int, seed uint64) *topology.Stack {
	t.Helper()
	hs := make([]topology.StarHost, n)
	for i := range hs {
		hs[i] = topology.StarHost{Name: fmt.Sprintf("node%d", i), UploadBps: 1e7, DownloadBps: 1e7, Delay: 10 * sim.Millisecond}
	}
	net, err := topology.BuildStar(k, hs)
	if err != nil {
		t.Fatal(err)
	}
	return topology.NewStack(net, sim.NewStreams(seed))
}
