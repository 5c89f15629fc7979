package topology

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"netsim/sim"
)

// churnStar is the benchmark's network: an access-link star with uploads of
// 1 to 100 Mbit/s and downloads 2 to 10 times larger (an ADSL/cable-like mix).
func churnStar(b *testing.B, rng *rand.Rand, k *sim.Kernel, hosts int) (*Network, []NodeID) {
	ups := []float64{1e6, 2e6, 5e6, 10e6, 20e6, 50e6, 100e6}
	factors := []float64{2, 5, 10}
	hs := make([]StarHost, hosts)
	for i := range hs {
		up := ups[rng.IntN(len(ups))]
		hs[i] = StarHost{
			Name:        fmt.Sprintf("h%d", i),
			UploadBps:   up,
			DownloadBps: up * factors[rng.IntN(len(factors))],
			Delay:       sim.Time(1+rng.IntN(50)) * sim.Millisecond,
		}
	}
	n, err := BuildStar(k, hs)
	if err != nil {
		b.Fatal(err)
	}
	ids := make([]NodeID, hosts)
	for i := range ids {
		ids[i] = NodeID(i + 1) // node 0 is the core
	}
	return n, ids
}

// BenchmarkFlowChurn keeps a fixed number of flows active on a 10,000-host star: each
// completion starts a flow between a new random pair, with a size drawn log-uniformly
// from 10 kB to 10 MB. b.N counts flow events (completions plus starts). Reports the
// wall time per event, the mean final solve-set size (touched), the flows whose rate
// changed (changed: the work any exact allocator must do, since each needs its
// completion moved), and the fill's work summed over rounds (filled).
//
// On a fixed star, more flows means more flows per access link, so an event really
// changes more rates; BenchmarkFlowChurnConstantDensity holds the flows per host
// fixed and grows the network instead, which isolates the cost of unrelated flows.
func BenchmarkFlowChurn(b *testing.B) {
	for _, active := range []int{5_000, 10_000, 20_000, 50_000} {
		b.Run(fmt.Sprintf("flows=%d", active), func(b *testing.B) {
			benchChurn(b, active, 10_000)
		})
	}
}

// BenchmarkFlowChurnConstantDensity is BenchmarkFlowChurn with 5 active flows per host
// (as at 50,000 flows on 10,000 hosts): the per-event cost must stay flat as the
// network grows, since the added flows are unrelated to any one event.
func BenchmarkFlowChurnConstantDensity(b *testing.B) {
	for _, active := range []int{5_000, 50_000, 200_000} {
		b.Run(fmt.Sprintf("flows=%d/hosts=%d", active, active/5), func(b *testing.B) {
			benchChurn(b, active, active/5)
		})
	}
}

func benchChurn(b *testing.B, active, nhosts int) {
	rng := rand.New(rand.NewPCG(7, uint64(active)))
	k := sim.NewKernel()
	n, hosts := churnStar(b, rng, k, nhosts)
	var events int
	var onDone func(*Flow)
	start := func() {
		src := hosts[rng.IntN(len(hosts))]
		dst := hosts[rng.IntN(len(hosts)-1)]
		if dst >= src {
			dst++
		}
		r, err := n.Route(src, dst)
		if err != nil {
			b.Fatal(err)
		}
		size := int64(1e4 * math.Pow(10, 3*rng.Float64()))
		n.StartFlow(r, size, FlowOptions{}, onDone)
	}
	onDone = func(*Flow) {
		events += 2 // this completion and the start that replaces it
		start()
		if events >= b.N {
			k.Stop()
		}
	}
	for i := 0; i < active; i++ {
		start()
	}
	s0, s1, ev := measure(b, k, n)
	b.ReportMetric(float64(s1.Touched-s0.Touched)/ev, "touched/event")
	b.ReportMetric(float64(s1.RateChanges-s0.RateChanges)/ev, "changed/event")
	b.ReportMetric(float64(s1.Rounds-s0.Rounds)/float64(s1.Solves-s0.Solves), "rounds/solve")
	b.ReportMetric(float64(s1.Filled-s0.Filled)/ev, "filled/event")
	if n.ActiveFlows() != active {
		b.Fatalf("%d active flows, want %d", n.ActiveFlows(), active)
	}
}

// BenchmarkRelayMesh is the capped-relay pattern of P2P file distribution (Kurose &
// Ross §2.5; apps/filedist): on a star, a server sends each of N peers a part at rate
// r_i = u_i/(N−1), and each peer relays its part to the N−1 others, every relay fed by
// the server's flow to it, so held to r_i. Every uplink then carries exactly its
// capacity, and so do the server's uplink and half the downlinks (the others have
// room to spare). Each relay that completes is replaced by a new one between the same
// peers, so N(N−1) relays stay active. b.N counts flow events (completions plus
// starts); solves/event is the share of events that needed the general solve.
func BenchmarkRelayMesh(b *testing.B) {
	for _, peers := range []int{200, 500} {
		b.Run(fmt.Sprintf("peers=%d", peers), func(b *testing.B) {
			benchRelayMesh(b, peers)
		})
	}
}

func benchRelayMesh(b *testing.B, peers int) {
	rng := rand.New(rand.NewPCG(11, uint64(peers)))
	k := sim.NewKernel()
	up := make([]float64, peers)
	part := make([]float64, peers)
	total := 0.0
	for i := range up {
		up[i] = 1e6 * (0.5 + float64(i)/float64(peers))
		part[i] = up[i] / float64(peers-1)
		total += part[i]
	}
	hs := []StarHost{{Name: "server", UploadBps: total, DownloadBps: 1e9, Delay: sim.Millisecond}}
	for i := range up {
		down := total // every peer receives every part: exactly full
		if i%2 == 1 {
			down *= 1.5
		}
		hs = append(hs, StarHost{Name: fmt.Sprintf("p%d", i), UploadBps: up[i], DownloadBps: down, Delay: 10 * sim.Millisecond})
	}
	n, err := BuildStar(k, hs)
	if err != nil {
		b.Fatal(err)
	}
	node := func(i int) NodeID { id, _ := n.Node(hs[i].Name); return id }
	route := func(a, c NodeID) Route {
		r, err := n.Route(a, c)
		if err != nil {
			b.Fatal(err)
		}
		return r
	}
	server := node(0)
	feeders := make([]*Flow, peers)
	for i := range feeders {
		// Large enough to outlast the benchmark.
		feeders[i] = n.StartFlow(route(server, node(i+1)), 1<<50, FlowOptions{CapBps: part[i]}, nil)
	}
	var events int
	var relay func(i, j int)
	relay = func(i, j int) {
		size := int64(1e5 * math.Pow(10, rng.Float64()))
		n.StartFlow(route(node(i+1), node(j+1)), size, FlowOptions{Feeder: feeders[i]}, func(*Flow) {
			events += 2 // this completion and the start that replaces it
			relay(i, j)
			if events >= b.N {
				k.Stop()
			}
		})
	}
	for i := 0; i < peers; i++ {
		for j := 0; j < peers; j++ {
			if i != j {
				relay(i, j)
			}
		}
	}
	s0, s1, ev := measure(b, k, n)
	b.ReportMetric(float64(s1.Solves-s0.Solves)/ev, "solves/event")
	b.ReportMetric(float64(s1.RateChanges-s0.RateChanges)/ev, "changed/event")
	if want := peers + peers*(peers-1); n.ActiveFlows() != want {
		b.Fatalf("%d active flows, want %d", n.ActiveFlows(), want)
	}
}

// measure runs the kernel as the timed part of b and reports µs per flow event; it
// returns the flow counters before and after and the number of flow events.
func measure(b *testing.B, k *sim.Kernel, n *Network) (s0, s1 FlowStats, events float64) {
	s0 = n.Stats()
	b.ResetTimer()
	t0 := time.Now()
	k.Run()
	el := time.Since(t0)
	b.StopTimer()
	s1 = n.Stats()
	events = float64(s1.Events - s0.Events)
	b.ReportMetric(float64(el.Nanoseconds())/1e3/events, "us/event")
	return s0, s1, events
}

// heapInuse returns the bytes of heap in use after a full collection.
func heapInuse() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// BenchmarkRelayMeshMemory reports the heap that the relay-mesh pattern of
// BenchmarkRelayMesh holds per active relay flow (B/flow): everything allocated from
// just before the relays are started (each with its own Route, as a connection's
// socket computes it) until they are all active, the kernel's pending completion
// events included, over the number of relays. It runs no events; b.N only repeats
// the build.
func BenchmarkRelayMeshMemory(b *testing.B) {
	for _, peers := range []int{200, 1000} {
		b.Run(fmt.Sprintf("peers=%d", peers), func(b *testing.B) {
			for range b.N {
				benchRelayMeshMemory(b, peers)
			}
		})
	}
}

func benchRelayMeshMemory(b *testing.B, peers int) {
	k := sim.NewKernel()
	hs := []StarHost{{Name: "server", UploadBps: 1e9, DownloadBps: 1e9, Delay: sim.Millisecond}}
	for i := range peers {
		hs = append(hs, StarHost{Name: fmt.Sprintf("p%d", i), UploadBps: 1e6, DownloadBps: 1e9, Delay: 10 * sim.Millisecond})
	}
	n, err := BuildStar(k, hs)
	if err != nil {
		b.Fatal(err)
	}
	route := func(a, c NodeID) Route {
		r, err := n.Route(a, c)
		if err != nil {
			b.Fatal(err)
		}
		return r
	}
	// Node i+1 is peer i; the server is node 1 and peer i is node i+2.
	feeders := make([]*Flow, peers)
	for i := range feeders {
		feeders[i] = n.StartFlow(route(1, NodeID(i+2)), 1<<50, FlowOptions{CapBps: 1e6 / float64(peers-1)}, nil)
	}
	onDone := func(*Flow) {}
	h0 := heapInuse()
	relays := 0
	for i := range peers {
		for j := range peers {
			if i != j {
				n.StartFlow(route(NodeID(i+2), NodeID(j+2)), 1<<40, FlowOptions{Feeder: feeders[i]}, onDone)
				relays++
			}
		}
	}
	h1 := heapInuse()
	runtime.KeepAlive(n)
	runtime.KeepAlive(k)
	if n.ActiveFlows() != peers+relays {
		b.Fatalf("%d active flows, want %d", n.ActiveFlows(), peers+relays)
	}
	b.ReportMetric(float64(h1-h0)/float64(relays), "B/flow")
}

// BenchmarkIdleStarMemory reports the heap a star of 10^6 hosts and no flows holds
// per host (B/host): the nodes with their names and link lists, the two access links
// of each host, the name index, and the route cache once one route has been asked
// for. b.N only repeats the build.
func BenchmarkIdleStarMemory(b *testing.B) {
	const hosts = 1_000_000
	for range b.N {
		h0 := heapInuse()
		hs := make([]StarHost, hosts)
		for i := range hs {
			hs[i] = StarHost{Name: fmt.Sprintf("h%d", i), UploadBps: 1e6, DownloadBps: 1e7, Delay: sim.Millisecond}
		}
		n, err := BuildStar(sim.NewKernel(), hs)
		if err != nil {
			b.Fatal(err)
		}
		hs = nil
		if _, err := n.Route(1, 2); err != nil {
			b.Fatal(err)
		}
		h1 := heapInuse()
		runtime.KeepAlive(n)
		b.ReportMetric(float64(h1-h0)/hosts, "B/host")
	}
}
