package kinds

import (
	"context"
	"errors"
	"fmt"
	"math"

	"netsim/apps/bittorrent"
	"netsim/apps/filedist"
	"netsim/scenarios"
	"netsim/scenarios/units"
	"netsim/sim"
	"netsim/topology"
)

// bittorrent: a swarm sharing one file (Kurose & Ross §2.6.1; BEP 3): a tracker over
// HTTP, initial seeds and leechers on an access-link star, speaking the peer wire
// protocol with rarest first and tit-for-tat. On a file's own topology the tracker is
// the host named tracker, the initial seeds seed0, seed1, ... and the leechers peer0,
// peer1, ...; D_P2P is computed from their links' rates.
type bittorrentParams struct {
	Peers          int            `yaml:"peers" platform:"" default:"100" range:"[1,)" help:"N, the leechers"`
	Seeds          int            `yaml:"seeds" platform:"" default:"1" range:"[1,)" help:"initial seeds, which have the whole file at the start"`
	File           units.Size     `yaml:"file" default:"16MiB" range:"(0,)" help:"F, the size of the file"`
	Piece          units.Size     `yaml:"piece" default:"256KiB" range:"(0,)" help:"piece (chunk) size, the unit peers announce (K&R §2.6.1: 256 KB)"`
	Block          units.Size     `yaml:"block" default:"16KiB" range:"(0,)" help:"block size, the unit of a request (BEP 3: 16 KiB)"`
	SeedUpload     units.Rate     `yaml:"seed_upload" platform:"" default:"10Mbps" range:"(0,)" help:"u_s, each initial seed's upload rate"`
	PeerUpload     units.Rate     `yaml:"peer_upload" platform:"" default:"1Mbps" range:"(0,)" help:"the leechers' mean upload rate"`
	PeerDownload   units.Rate     `yaml:"peer_download" platform:"" default:"10Mbps" range:"(0,)" help:"the leechers' mean download rate"`
	UploadSpread   float64        `yaml:"upload_spread" platform:"" range:"[0,1)" help:"leecher upload rates spread evenly over mean·(1±spread); 0: all equal"`
	DownloadSpread float64        `yaml:"download_spread" platform:"" range:"[0,1)" help:"leecher download rates spread evenly over mean·(1±spread), the fastest uploader the slowest downloader; 0: all equal"`
	Delay          units.Duration `yaml:"delay" platform:"" default:"10ms" help:"one-way propagation delay from every host to the core"`
	Selection      string         `yaml:"selection" default:"rarest-first" oneof:"rarest-first random sequential" help:"piece selection after the random first pieces"`
	RandomFirst    int            `yaml:"random_first" default:"4" range:"[0,)" help:"pieces got by random choice before rarest first takes over"`
	EndGame        bool           `yaml:"end_game" default:"true" help:"end-game mode: the last blocks are asked of every neighbour that has them, the copies cancelled"`
	RedundantHave  bool           `yaml:"redundant_haves" default:"true" help:"a have goes to every neighbour (BEP 3); false: not to those that have the piece (libtorrent's send_redundant_have off), which a steady swarm's seeds all are"`
	Pipeline       int            `yaml:"pipeline" default:"5" range:"[1,)" help:"requests kept outstanding on a connection"`
	NumWant        int            `yaml:"numwant" default:"50" range:"[1,)" help:"peers the tracker gives an announcing peer (K&R: about 50)"`
	Choking        string         `yaml:"choking" default:"tit-for-tat" oneof:"tit-for-tat round-robin block" help:"a leecher's choice of whom to upload to: rate-based tit-for-tat, none (round-robin) or block-level tit-for-tat (Bharambe et al. 2006)"`
	SeedChoking    string         `yaml:"seed_choking" default:"upload-rate" oneof:"upload-rate recency" help:"a seed's choice: the fastest downloaders, or mainline 4's most recently unchoked"`
	UnchokeSlots   int            `yaml:"unchoke_slots" default:"4" range:"[1,)" help:"regular unchokes; one more is optimistic"`
	ChokeInterval  units.Duration `yaml:"choke_interval" default:"10s" range:"(0,)" help:"time between choking rounds"`
	Optimistic     units.Duration `yaml:"optimistic_interval" default:"30s" range:"(0,)" help:"time between optimistic unchoke rotations: a multiple of the choke interval"`
	FreeRiders     float64        `yaml:"free_riders" range:"[0,1]" help:"fraction of the leechers that never upload"`
	Seeding        string         `yaml:"seeding" default:"stay" oneof:"stay leave exponential" help:"what a leecher does once it has the file: stays, leaves at once, or stays an exponential time of mean seed_time"`
	SeedTime       units.Duration `yaml:"seed_time" default:"10min" range:"(0,)" help:"mean seeding time with seeding: exponential (1/γ)"`
	Limit          units.Duration `yaml:"limit" default:"24h" range:"(0,)" help:"the run stops here even if leechers are unfinished (with a schedule: at its horizon if earlier)"`
	// The steady state of Qiu & Srikant's fluid model (bittorrent_fluid.go).
	ArrivalRate units.Frequency `yaml:"arrival_rate" help:"λ: the leechers arrive as a Poisson process of this rate, taking the hosts peer0, peer1, ... in turn until limit (0: all at time 0, a flash crowd)"`
	InitialSeed units.Duration  `yaml:"initial_seed_time" range:"[0,)" help:"how long the initial seeds stay (0: for ever); with arrivals, a swarm whose own seeds sustain it runs on without them, as the fluid model has it"`
	AbortRate   units.Frequency `yaml:"abort_rate" range:"[0,)" help:"θ: each leecher gives up at an exponential time of this rate from its arrival if it lacks pieces by then: it says stopped, closes its connections and never comes back (0: never)"`
	Warmup      units.Duration  `yaml:"warmup" range:"[0,)" help:"the steady-state readings (mean_leechers, mean_seeds, mean_download_s) are of the time from here to the end"`
	Eta         float64         `yaml:"eta" default:"1" range:"(0,1]" help:"η, the fluid model's effectiveness of the leechers' uploads (Qiu & Srikant: ≈ 1 for many pieces); the fluid theory lines only"`
}

func (p *bittorrentParams) check() error {
	if p.Optimistic.Time()%p.ChokeInterval.Time() != 0 {
		return scenarios.Errorf("optimistic_interval", "%v is not a multiple of choke_interval (%v)", p.Optimistic, p.ChokeInterval)
	}
	if err := p.torrent().Check(); err != nil {
		return scenarios.Errorf("piece", "%v", err)
	}
	if p.Warmup.Time() >= p.Limit.Time() {
		return scenarios.Errorf("warmup", "%v is not before the end of the run (limit %v)", p.Warmup, p.Limit)
	}
	return nil
}

func (p *bittorrentParams) torrent() bittorrent.Torrent {
	return bittorrent.Torrent{FileBytes: p.File.Bytes(), PieceBytes: p.Piece.Bytes(), BlockBytes: p.Block.Bytes()}
}

// bittorrentRun is a run's result: every peer's record, leechers after the seeds.
type bittorrentRun struct {
	seeds, leechers []bittorrent.Record
	classes         []float64  // each leecher's upload rate, bit/s
	seedTimes       []sim.Time // each leecher's seeding time, as drawn (< 0: for ever)
	free            []bool     // each leecher: a free rider
	pieces          int
	bound           float64 // D_P2P for the run's rates
	tracker         bittorrent.TrackerStats
	population      [2]scenarios.TimeSeries // leechers, seeds
	events          uint64
	warmup, end     sim.Time                // the steady-state readings' span
	fluid           [2]scenarios.TimeSeries // the fluid model's x(t), y(t) from an empty swarm
}

func (r *bittorrentRun) completions() []float64 {
	var out []float64
	for _, l := range r.leechers {
		if l.Done {
			out = append(out, l.DoneAt.Seconds()-l.JoinedAt.Seconds())
		}
	}
	return out
}

// last is when the last leecher had the whole file; NaN if one never did.
func (r *bittorrentRun) last() float64 {
	var t sim.Time
	for _, l := range r.leechers {
		if !l.Done {
			return math.NaN()
		}
		t = max(t, l.DoneAt)
	}
	return t.Seconds()
}

func meanOf(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func (r *bittorrentRun) sum(seeds bool, f func(*bittorrent.Record) int64) float64 {
	var s int64
	recs := r.leechers
	if seeds {
		recs = r.seeds
	}
	for i := range recs {
		s += f(&recs[i])
	}
	return float64(s)
}

var _ = scenarios.Register(scenarios.Decl[bittorrentParams, bittorrentRun]{
	Name:     "bittorrent",
	Summary:  "a BitTorrent swarm: tracker, peer wire protocol, rarest first, tit-for-tat (K&R §2.6.1)",
	Check:    (*bittorrentParams).check,
	Run:      runBittorrent,
	Topology: true, Schedule: true,
	Platform: (*bittorrentParams).platform,
	Deploy:   deployBittorrent,
	Metrics: append([]scenarios.Reading[bittorrentRun]{
		scenarios.Scalar("distribution_time_s", "s", "when the last leecher had the whole file", (*bittorrentRun).last).Optional(),
		scenarios.Scalar("mean_completion_s", "s", "mean over the leechers that finished of their download time, join to completion", func(r *bittorrentRun) float64 { return meanOf(r.completions()) }).Optional(),
		scenarios.Scalar("completed", "", "leechers that had the whole file by the end", func(r *bittorrentRun) float64 { return float64(len(r.completions())) }),
		scenarios.Scalar("bound_s", "s", "D_P2P for the run's rates (K&R §2.5)", func(r *bittorrentRun) float64 { return r.bound }),
		scenarios.Scalar("seed_bytes_uploaded", "B", "block bytes the initial seeds uploaded (the server's load)", func(r *bittorrentRun) float64 {
			return r.sum(true, func(x *bittorrent.Record) int64 { return x.UpBytes })
		}),
		scenarios.Scalar("leecher_bytes_uploaded", "B", "block bytes the leechers uploaded, together", func(r *bittorrentRun) float64 {
			return r.sum(false, func(x *bittorrent.Record) int64 { return x.UpBytes })
		}),
		scenarios.Scalar("bytes_downloaded_per_leecher", "B", "block bytes received per leecher, duplicates included", func(r *bittorrentRun) float64 {
			return r.sum(false, func(x *bittorrent.Record) int64 { return x.DownBytes }) / float64(len(r.leechers))
		}),
		scenarios.Scalar("duplicate_fraction", "", "of the block bytes received, the share that were copies (end game, late chokes)", func(r *bittorrentRun) float64 {
			return r.sum(false, func(x *bittorrent.Record) int64 { return x.DupBytes }) / r.sum(false, func(x *bittorrent.Record) int64 { return x.DownBytes })
		}),
		scenarios.Scalar("overhead_bytes_per_leecher", "B", "message bytes a leecher sent besides blocks: wire headers, requests, haves, tracker announces", func(r *bittorrentRun) float64 {
			return r.sum(false, func(x *bittorrent.Record) int64 { return x.WireSent - x.UpBytes }) / float64(len(r.leechers))
		}),
		scenarios.Scalar("tracker_announces", "", "announces the tracker answered", func(r *bittorrentRun) float64 { return float64(r.tracker.Announces) }),
		scenarios.Scalar("events", "", "kernel events in the run", func(r *bittorrentRun) float64 { return float64(r.events) }),
		scenarios.Sample("completion_s", "s", "each finished leecher's download time, join to completion", (*bittorrentRun).completions),
		scenarios.Sample("share_ratio", "", "each leecher's bytes uploaded over bytes downloaded", func(r *bittorrentRun) []float64 {
			out := make([]float64, len(r.leechers))
			for i, l := range r.leechers {
				out[i] = float64(l.UpBytes) / math.Max(float64(l.DownBytes), 1)
			}
			return out
		}),
		scenarios.Series("leechers", "", "leechers in the swarm (running, without the whole file)", func(r *bittorrentRun) scenarios.TimeSeries { return r.population[0] }),
		scenarios.Series("seeds", "", "seeds in the swarm (running, with the whole file)", func(r *bittorrentRun) scenarios.TimeSeries { return r.population[1] }),
	}, append(steadyReadings, incentiveReadings...)...),
	Theory: append([]scenarios.TheoryOf[bittorrentParams]{
		{Name: "d_p2p", Label: "D_P2P (P2P bound)", Metric: "distribution_time_s", Value: func(p *bittorrentParams) (float64, error) {
			up, down := p.rates()
			return filedist.P2PTerms(float64(p.File.Bits()), float64(p.Seeds)*p.SeedUpload.Bps(), up, down).Max(), nil
		}},
		{Name: "d_cs", Label: "D_cs (client-server bound)", Metric: "distribution_time_s", Value: func(p *bittorrentParams) (float64, error) {
			_, down := p.rates()
			d, _ := filedist.ClientServerBound(float64(p.File.Bits()), float64(p.Seeds)*p.SeedUpload.Bps(), down)
			return d, nil
		}},
		{Name: "chunked", Label: "optimal chunked swarm (F/u)(1+⌊log2 N⌋/M)", Metric: "distribution_time_s", Value: (*bittorrentParams).chunked},
	}, fluidTheories...),
})

// chunked is the optimal time of a swarm moving the file in M chunks when the seed and
// every peer upload u and downloads are unlimited: (F/u)(1 + ⌊log2 N⌋/M) (Mundinger,
// Weber & Weiss, J. Scheduling 2008, Theorem 1, with N leechers and one seed).
func (p *bittorrentParams) chunked() (float64, error) {
	if p.Seeds != 1 || p.PeerUpload != p.SeedUpload || p.UploadSpread != 0 {
		return 0, errors.New("holds for one seed and all uploads equal")
	}
	m := float64(p.torrent().Pieces())
	return float64(p.File.Bits()) / p.PeerUpload.Bps() * (1 + math.Floor(math.Log2(float64(p.Peers)))/m), nil
}

// rates returns the leechers' upload and download rates, spread as filedist spreads
// them.
func (p *bittorrentParams) rates() (up, down []float64) {
	return spread(p.Peers, p.PeerUpload.Bps(), p.UploadSpread, false), spread(p.Peers, p.PeerDownload.Bps(), p.DownloadSpread, true)
}

// platform is the access-link star: an unconstrained tracker, the seeds, the leechers.
func (p *bittorrentParams) platform(*scenarios.RunEnv) *scenarios.Topology {
	up, down := p.rates()
	// The tracker: a server on a fast link, which announces never wait for.
	hosts := []scenarios.StarHost{{Name: "tracker", Upload: units.Rate(1e9), Download: units.Rate(1e9), Delay: p.Delay}}
	for i := range p.Seeds {
		hosts = append(hosts, scenarios.StarHost{Name: fmt.Sprintf("seed%d", i), Upload: p.SeedUpload, Download: p.SeedUpload, Delay: p.Delay})
	}
	for i := range up {
		hosts = append(hosts, scenarios.StarHost{Name: fmt.Sprintf("peer%d", i), Upload: units.Rate(up[i]), Download: units.Rate(down[i]), Delay: p.Delay})
	}
	return &scenarios.Topology{Star: &scenarios.StarTopology{Hosts: hosts}}
}

func deployBittorrent(p *bittorrentParams, t *scenarios.Topology) (scenarios.Deployment, error) {
	seeds, peers := t.Group("seed"), t.Group("peer")
	switch {
	case !t.Has("tracker"):
		return nil, scenarios.Errorf("topology", "kind bittorrent needs a host named tracker")
	case len(seeds) == 0:
		return nil, scenarios.Errorf("topology", "kind bittorrent needs initial seeds: hosts named seed0, seed1, ...")
	case len(peers) == 0:
		return nil, scenarios.Errorf("topology", "kind bittorrent needs leechers: hosts named peer0, peer1, ...")
	}
	dep := scenarios.Deployment{{Host: "tracker", Role: "tracker"}}
	for _, h := range seeds {
		dep = append(dep, scenarios.Placement{Host: h, Role: "seed"})
	}
	for _, h := range peers {
		dep = append(dep, scenarios.Placement{Host: h, Role: "peer"})
	}
	return dep, nil
}

func (p *bittorrentParams) config(tracker topology.NodeID) bittorrent.Config {
	cfg := bittorrent.Config{
		Torrent: p.torrent(), Tracker: topology.Addr{Node: tracker, Port: bittorrent.DefaultTrackerPort},
		NumWant: p.NumWant, Pipeline: p.Pipeline, RandomFirst: p.RandomFirst,
		Selection: bittorrent.Selection(p.Selection), NoEndGame: !p.EndGame, SuppressHaves: !p.RedundantHave,
		UnchokeSlots: p.UnchokeSlots, ChokeInterval: p.ChokeInterval.Time(), OptimisticInterval: p.Optimistic.Time(),
		Choking: bittorrent.Choking(p.Choking), SeedChoking: bittorrent.SeedChoking(p.SeedChoking),
	}
	if p.RandomFirst == 0 {
		cfg.RandomFirst = -1
	}
	return cfg
}

func runBittorrent(ctx context.Context, p *bittorrentParams, env scenarios.RunEnv) (bittorrentRun, error) {
	var err error
	seeds, peers := env.Deployment.Hosts("seed"), env.Deployment.Hosts("peer")
	if p.ArrivalRate > 0 {
		if env.Schedule != nil {
			return bittorrentRun{}, errors.New("bittorrent: arrival_rate and a schedule: give the arrivals in one place")
		}
		if env.Schedule, err = p.arrivals(peers); err != nil {
			return bittorrentRun{}, err
		}
	}
	pl, err := scenarios.NewPlatform(env)
	if err != nil {
		return bittorrentRun{}, err
	}
	// As in filedist: TCP's handshake and FIN cost propagation only. Charged as
	// 40-byte flows, a flash crowd's tens of thousands of simultaneous handshakes
	// would each re-solve the swarm's saturated uplinks, for bytes that are parts in
	// 10^5 of what a swarm moves; every BitTorrent message keeps its true size.
	pl.Stack.TCP.ControlBytes = 0
	// A message that fits in one segment (a have, a request, a choke) is one packet
	// at line rate, not a flow that re-solves the swarm (topology/packet.go's bounds).
	pl.Stack.TCP.PacketBytes = pl.Stack.TCP.MSSBytes
	// Starts and ends at the same instant re-solved once (topology/instant.go): with
	// equal delays, many requests land on an uplink at the same nanosecond.
	pl.Network.SetSolvePerInstant(true)
	cfg := p.config(pl.Node("tracker"))
	if err := cfg.Check(); err != nil {
		return bittorrentRun{}, err
	}
	r := bittorrentRun{seeds: make([]bittorrent.Record, len(seeds)), leechers: make([]bittorrent.Record, len(peers)), pieces: cfg.Torrent.Pieces()}
	pl.Boot("tracker", bittorrent.Tracker(bittorrent.TrackerConfig{}, &r.tracker))
	for i, h := range seeds {
		r.seeds[i] = bittorrent.NewSeedRecord(cfg.Torrent)
		spec := bittorrent.PeerSpec{SeedTime: -1}
		if p.InitialSeed > 0 {
			spec.SeedTime = p.InitialSeed.Time()
		}
		pl.Boot(h, bittorrent.Peer(&cfg, spec, &r.seeds[i]))
	}
	// The users' behaviour: who free-rides (the first of every 1/fraction, spread over
	// the classes) and how long each stays after finishing, from the run's own stream.
	rng := env.Streams().Stream("bittorrent/users")
	// Aborts from a stream of their own: the seeding times are the same with and without.
	aborts := env.Streams().Stream("bittorrent/aborts")
	freeRiders := int(math.Round(p.FreeRiders * float64(len(peers))))
	ups, downs := env.Topology.Capacities(true), env.Topology.Capacities(false)
	var up, down []float64
	for i, h := range peers {
		spec := bittorrent.PeerSpec{SeedTime: -1, FreeRider: freeRiders > 0 && i*freeRiders/len(peers) != (i+1)*freeRiders/len(peers)}
		switch p.Seeding {
		case "leave":
			spec.SeedTime = 0
		case "exponential":
			spec.SeedTime = max(sim.Time(rng.ExpFloat64()*float64(p.SeedTime.Time())), 1)
		}
		if theta := p.AbortRate.PerSecond(); theta > 0 {
			spec.AbortAfter = max(sim.Time(aborts.ExpFloat64()/theta*float64(sim.Second)), 1)
		}
		pl.Boot(h, bittorrent.Peer(&cfg, spec, &r.leechers[i]))
		up, down = append(up, ups[h]), append(down, downs[h])
		r.free = append(r.free, spec.FreeRider)
		r.seedTimes = append(r.seedTimes, spec.SeedTime)
	}
	r.classes = up
	var us float64
	for _, h := range seeds {
		us += ups[h]
	}
	r.bound = filedist.P2PTerms(float64(p.File.Bits()), us, up, down).Max()
	// The experimenter's watch, once a second: the population, and the end — every
	// leecher done once the schedule's given events are past (with churn, at its
	// horizon instead), or the limit.
	end, quiet := p.Limit.Time(), sim.Time(0)
	if sc := env.Schedule; sc != nil {
		if sc.Horizon > 0 {
			end = min(end, sc.Horizon)
		}
		if len(sc.Churn) > 0 {
			quiet = end
		}
		for _, e := range sc.Events {
			quiet = max(quiet, e.At)
		}
	}
	nodes := make([]topology.NodeID, len(peers))
	for i, h := range peers {
		nodes[i] = pl.Node(h)
	}
	var watch func()
	watch = func() {
		now := pl.Kernel.Now()
		var counts [2]float64
		done := true
		for i := range r.leechers {
			l := &r.leechers[i]
			done = done && l.Done
			if l.Active && pl.Stack.Up(nodes[i]) { // a crashed host's program is gone
				counts[int(b2f(l.Done))]++
			}
		}
		for k := range counts {
			s := &r.population[k]
			if n := len(s.Value); n == 0 || s.Value[n-1] != counts[k] {
				s.Time, s.Value = append(s.Time, now.Seconds()), append(s.Value, counts[k])
			}
		}
		if (done && now >= quiet) || now >= end {
			pl.Kernel.Stop()
			return
		}
		pl.Kernel.At(min(now+sim.Second, end), watch)
	}
	pl.Kernel.At(0, watch)
	if err := pl.Run(ctx); err != nil {
		return bittorrentRun{}, err
	}
	r.events = pl.Kernel.Events()
	r.warmup, r.end = min(p.Warmup.Time(), pl.Kernel.Now()), pl.Kernel.Now()
	if p.ArrivalRate > 0 {
		if err := poolLasted(r.leechers, peers); err != nil {
			return bittorrentRun{}, err
		}
		if p.fluidApplies() == nil {
			r.fluid = p.fluidSeries(r.end)
		}
	}
	return r, nil
}
