package bittorrent

import (
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"

	"netsim/apps/filedist"
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
	Packets     bool // messages of one segment go as packets, as the bittorrent kind sends them
	Limit       sim.Time
	Drain       sim.Time // how long the run goes on after the last completion
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
	if s.Packets {
		st.TCP.PacketBytes = st.TCP.MSSBytes
		net.SetSolvePerInstant(true) // as the bittorrent kind does
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
		if s.Drain > 0 && k.Now() < res.last+s.Drain {
			k.At(res.last+s.Drain, check)
			return
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

// No swarm finishes below D_P2P = max{F/u_s, F/d_min, N·F/(u_s+Σu_i)} (Kurose & Ross
// §2.5, eq. 2.2), over a grid of N, rates and file sizes, and the block bytes are
// conserved: every byte a peer received was uploaded by another (counted when it had
// left), once the messages in flight have landed; each leecher received the file
// exactly, plus the copies it counted as duplicates. Protocol overhead (wire
// headers, requests, haves, the tracker) is counted apart, in WireSent.
func TestSwarmAboveTheP2PBoundAndBytesConserved(t *testing.T) {
	type rates struct{ us, u, d float64 }
	for _, n := range []int{3, 12} {
		for _, file := range []int64{1 << 20, 3 << 20} {
			for _, r := range []rates{{8e6, 1e6, 4e6}, {1e6, 2e6, 20e6}} {
				name := fmt.Sprintf("N=%d/F=%dKiB/us=%g/u=%g/d=%g", n, file>>10, r.us, r.u, r.d)
				// Rates spread ±50% around u and d, the fastest uploader the slowest
				// downloader.
				up, down := make([]float64, n), make([]float64, n)
				for i := range n {
					q := (float64(i) + 0.5) / float64(n)
					up[i], down[i] = r.u*(0.5+q), r.d*(1.5-q)
				}
				s := testSwarm{Torrent: Torrent{FileBytes: file}, Seeds: 1, SeedUpBps: r.us, UpBps: up, DownBps: down, Delay: 5 * sim.Millisecond, Drain: 30 * sim.Second}
				g := newGeometry(s.Torrent) // holds the peers' shared messages (sharedMsgsOf)
				res := runSwarm(t, s, uint64(n))
				if !res.done {
					t.Fatalf("%s: not done", name)
				}
				bound := filedist.P2PTerms(float64(file*8), r.us, up, down).Max()
				if got := res.last.Seconds(); got < bound {
					t.Errorf("%s: distribution time %.3f s below D_P2P %.3f s", name, got, bound)
				}
				t.Logf("%s: %.2f s, D_P2P %.2f s", name, res.last.Seconds(), bound)
				var upBytes, downBytes int64
				for i, rec := range res.recs {
					upBytes += rec.UpBytes
					downBytes += rec.DownBytes
					if i >= s.Seeds && rec.DownBytes-rec.DupBytes != file {
						t.Errorf("%s: leecher %d received %d new bytes of %d", name, i, rec.DownBytes-rec.DupBytes, file)
					}
				}
				if upBytes != downBytes {
					t.Errorf("%s: %d block bytes uploaded, %d received", name, upBytes, downBytes)
				}
				// The peers' shared messages, every one sent and received, are as made.
				checkMessages(t, g)
			}
		}
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

// BenchmarkSwarmWide is a flash crowd of 300 leechers on a 4 MiB file, where each
// connection of a peer's 50 competes with the others.
func BenchmarkSwarmWide(b *testing.B) {
	for range b.N {
		s := testSwarm{
			Torrent: Torrent{FileBytes: 4 << 20}, Seeds: 1, SeedUpBps: 10e6,
			UpBps: uniform(300, 1e6), DownBps: uniform(300, 10e6), Delay: 10 * sim.Millisecond,
		}
		res := runSwarm(b, s, 1)
		b.ReportMetric(float64(res.k.Events()), "events")
		b.ReportMetric(res.last.Seconds(), "distribution-s")
		st := res.net.Stats()
		b.ReportMetric(float64(st.Starts), "flows")
		b.ReportMetric(float64(st.Solves)/float64(st.Events), "solves/event")
		b.ReportMetric(float64(st.Touched)/float64(st.Solves), "flows-touched/solve")
	}
}

// BenchmarkSwarmMemory reports the heap a peer of a running swarm holds: 500
// leechers and a seed of a 100 MiB file (400 pieces), 20 s into a flash crowd, when
// every peer has its neighbours, their bitfields and its pieces in progress.
func BenchmarkSwarmMemory(b *testing.B) {
	for range b.N {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		s := testSwarm{
			Torrent: Torrent{FileBytes: 100 << 20}, Seeds: 1, SeedUpBps: 10e6,
			UpBps: uniform(500, 1e6), DownBps: uniform(500, 10e6), Delay: 10 * sim.Millisecond,
			Limit: 20 * sim.Second,
		}
		res := runSwarm(b, s, 1)
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapInuse-before.HeapInuse)/float64(len(res.recs)), "heap-B/peer")
		b.ReportMetric(float64(res.net.Stats().Starts), "flows")
		runtime.KeepAlive(res)
	}
}

// BenchmarkSimGridWorkload is SimGrid 3.32's app-bittorrent workload (the built-in
// bittorrent-simgrid): 999 leechers and a seed of an 800 KiB file of 10 pieces of 5
// blocks, 250 kB/s up and 1.25 MB/s down, 10 ms delays, for the first simulated
// minute.
func BenchmarkSimGridWorkload(b *testing.B) {
	for range b.N {
		s := testSwarm{
			Torrent: Torrent{FileBytes: 10 * 5 << 14, PieceBytes: 5 << 14}, Seeds: 1, SeedUpBps: 2e6,
			UpBps: uniform(999, 2e6), DownBps: uniform(999, 10e6), Delay: 10 * sim.Millisecond,
			ControlFree: true, Packets: true, Limit: sim.Minute,
		}
		res := runSwarm(b, s, 1)
		st := res.net.Stats()
		done := 0
		for _, r := range res.recs[1:] {
			if r.Done {
				done++
			}
		}
		b.ReportMetric(float64(done), "done")
		b.ReportMetric(float64(res.k.Events()), "events")
		b.ReportMetric(float64(st.Starts), "flows")
		b.ReportMetric(float64(st.Touched)/float64(st.Solves), "flows-touched/solve")
		b.ReportMetric(float64(st.Solves), "solves")
		b.ReportMetric(float64(st.Rounds)/float64(st.Solves), "rounds/solve")
		b.ReportMetric(float64(st.Filled)/float64(st.Solves), "filled/solve")
		b.ReportMetric(float64(st.RateChanges)/float64(st.Solves), "changes/solve")
	}
}

// BenchmarkFlashCrowd is the built-in bittorrent-flash-crowd's swarm (1000 leechers
// and a seed of a 100 MiB file, uploads over 1 Mbps ± 50%, downloads over 10 Mbps ±
// 50% the other way round, 10 ms delays, messages of one segment as packets) for its
// first two simulated minutes, when every peer exchanges blocks and haves: the
// per-message costs of a long swarm. BenchmarkFlashCrowd10k is the same swarm with
// 10^4 leechers (--set peers=10000) for its first simulated minute.
// BT_BENCH_LIMIT sets another limit (0 runs the swarm to its end, to profile a
// whole run: netsim run has no profiler of its own).
func BenchmarkFlashCrowd(b *testing.B)    { benchmarkFlashCrowd(b, 1000, benchLimit(b, 2*sim.Minute)) }
func BenchmarkFlashCrowd10k(b *testing.B) { benchmarkFlashCrowd(b, 10000, benchLimit(b, sim.Minute)) }

func benchLimit(b *testing.B, def sim.Time) sim.Time {
	v, ok := os.LookupEnv("BT_BENCH_LIMIT")
	if !ok {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		b.Fatalf("BT_BENCH_LIMIT=%q: want a duration such as 10m, or 0", v)
	}
	return sim.Time(d.Nanoseconds())
}

func benchmarkFlashCrowd(b *testing.B, n int, limit sim.Time) {
	up, down := make([]float64, n), make([]float64, n)
	for i := range n {
		q := (float64(i) + 0.5) / float64(n)
		up[i], down[i] = 1e6*(0.5+q), 10e6*(1.5-q)
	}
	for range b.N {
		s := testSwarm{
			Torrent: Torrent{FileBytes: 100 << 20}, Seeds: 1, SeedUpBps: 10e6,
			UpBps: up, DownBps: down, Delay: 10 * sim.Millisecond,
			ControlFree: true, Packets: true, Limit: limit,
		}
		res := runSwarm(b, s, 1)
		var got int64
		for _, r := range res.recs[1:] {
			got += r.DownBytes
		}
		st := res.net.Stats()
		b.ReportMetric(float64(res.k.Events()), "events")
		b.ReportMetric(float64(got)/float64(n), "B-down/peer")
		b.ReportMetric(float64(st.Starts), "flows")
		b.ReportMetric(float64(st.Touched)/float64(max(st.Solves, 1)), "flows-touched/solve")
	}
}
