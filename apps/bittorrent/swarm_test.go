package bittorrent

import (
	"fmt"
	"testing"

	"netsim/sim"
	"netsim/topology"
)

// The tests run swarms on the texts' platform, an access-link star, built here as a
// scenario's kind builds it (the package builds no network): a tracker on an
// unconstrained link, seeds and leechers with their own rates.

type testSwarm struct {
	Torrent     Torrent
	Cfg         Config
	Seeds       int
	SeedUpBps   float64
	UpBps       []float64 // one per leecher
	DownBps     []float64
	Delay       sim.Time
	ControlFree bool // TCP control segments cost nothing (the fluid model of the bounds)
	Limit       sim.Time
}

type swarmResult struct {
	recs    []Record // seeds first, then leechers
	last    sim.Time // the last leecher's completion
	done    bool
	stack   *topology.Stack
	net     *topology.Network
	k       *sim.Kernel
	tracker TrackerStats
}

func runSwarm(t testing.TB, s testSwarm, seed uint64) swarmResult {
	t.Helper()
	k := sim.NewKernel()
	hosts := []topology.StarHost{{Name: "tracker", UploadBps: 1e9, DownloadBps: 1e9, Delay: s.Delay}}
	for i := range s.Seeds {
		hosts = append(hosts, topology.StarHost{Name: fmt.Sprintf("seed%d", i), UploadBps: s.SeedUpBps, DownloadBps: s.SeedUpBps, Delay: s.Delay})
	}
	for i := range s.UpBps {
		hosts = append(hosts, topology.StarHost{Name: fmt.Sprintf("peer%d", i), UploadBps: s.UpBps[i], DownloadBps: s.DownBps[i], Delay: s.Delay})
	}
	net, err := topology.BuildStar(k, hosts)
	if err != nil {
		t.Fatal(err)
	}
	st := topology.NewStack(net, sim.NewStreams(seed))
	if s.ControlFree {
		st.TCP.ControlBytes = 0
	}
	tr, _ := net.Node("tracker")
	cfg := s.Cfg
	cfg.Torrent = s.Torrent
	cfg.Tracker = topology.Addr{Node: tr, Port: DefaultTrackerPort}
	if err := cfg.Check(); err != nil {
		t.Fatal(err)
	}
	var res swarmResult
	res.stack, res.net, res.k = st, net, k
	boot := func(name string, prog func(topology.Host) error) {
		id, _ := net.Node(name)
		st.Boot(id, func(h topology.Host) {
			if err := prog(h); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		})
	}
	boot("tracker", Tracker(TrackerConfig{}, &res.tracker))
	res.recs = make([]Record, s.Seeds+len(s.UpBps))
	for i := range s.Seeds {
		res.recs[i] = NewSeedRecord(s.Torrent)
		boot(fmt.Sprintf("seed%d", i), Peer(&cfg, PeerSpec{SeedTime: -1}, &res.recs[i]))
	}
	for i := range s.UpBps {
		boot(fmt.Sprintf("peer%d", i), Peer(&cfg, PeerSpec{SeedTime: -1}, &res.recs[s.Seeds+i]))
	}
	// The experimenter's watch: stop once every leecher has the file.
	var check func()
	check = func() {
		for _, r := range res.recs[s.Seeds:] {
			if !r.Done {
				k.At(k.Now()+100*sim.Millisecond, check)
				return
			}
		}
		res.done = true
		for _, r := range res.recs[s.Seeds:] {
			res.last = max(res.last, r.DoneAt)
		}
		k.Stop()
	}
	k.At(0, check)
	limit := s.Limit
	if limit == 0 {
		limit = 100 * sim.Hour
	}
	k.RunUntil(limit)
	return res
}

func uniform(n int, bps float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = bps
	}
	return out
}

func TestSmallSwarmCompletes(t *testing.T) {
	s := testSwarm{
		Torrent: Torrent{FileBytes: 4 << 20}, Seeds: 1, SeedUpBps: 8e6,
		UpBps: uniform(20, 2e6), DownBps: uniform(20, 8e6), Delay: 10 * sim.Millisecond,
	}
	res := runSwarm(t, s, 1)
	if !res.done {
		t.Fatal("not done")
	}
	t.Logf("last completion %v, events %d", res.last, res.k.Events())
	for i, r := range res.recs {
		t.Logf("%d: done %v at %v up %d down %d dup %d", i, r.Done, r.DoneAt, r.UpBytes, r.DownBytes, r.DupBytes)
	}
}

// BenchmarkSwarm is a flash crowd of 50 leechers and one seed on a 16 MiB file: the
// profile of a swarm's costs.
func BenchmarkSwarm(b *testing.B) {
	for range b.N {
		s := testSwarm{
			Torrent: Torrent{FileBytes: 16 << 20}, Seeds: 1, SeedUpBps: 10e6,
			UpBps: uniform(50, 1e6), DownBps: uniform(50, 10e6), Delay: 10 * sim.Millisecond,
		}
		res := runSwarm(b, s, 1)
		b.ReportMetric(float64(res.k.Events()), "events")
	}
}
