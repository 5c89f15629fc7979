package kinds

import (
	"errors"
	"fmt"
	"math"

	"netsim/apps/filedist"
	"netsim/scenarios"
	"netsim/scenarios/units"
	"netsim/sim"
	"netsim/topology"
)

// filedist: one file from a server to N peers over an access-link star, client-server
// or P2P (Kurose & Ross §2.5). The defaults are the textbook figure's setting: F/u =
// 1 hour, u_s = 10u, d ≥ u_s. On a file's own topology the server is the host named
// server and the peers are peer0, peer1, ...; each peer announces its links' rates.
type filedistParams struct {
	Mode           string                       `yaml:"mode" default:"p2p" oneof:"client-server p2p" help:"architecture: client-server or p2p"`
	File           units.Size                   `yaml:"file" default:"3600Mbit" range:"(0,)" help:"F, the size of the file"`
	ServerUpload   units.Rate                   `yaml:"server_upload" platform:"" default:"10Mbps" range:"(0,)" help:"u_s, the server's upload rate"`
	Peers          int                          `yaml:"peers" platform:"" default:"10" range:"[1,)" label:"Number of peers N" symbol:"N" help:"N, the number of peers"`
	PeerUpload     scenarios.Random[units.Rate] `yaml:"peer_upload" platform:"" default:"1Mbps" range:"(0,)" help:"the peers' upload rate: their mean, or a distribution each peer's is drawn from"`
	PeerDownload   scenarios.Random[units.Rate] `yaml:"peer_download" platform:"" default:"10Mbps" range:"(0,)" help:"the peers' download rate: their mean, or a distribution each peer's is drawn from"`
	UploadSpread   float64                      `yaml:"upload_spread" platform:"" range:"[0,1)" help:"peer upload rates spread evenly over mean·(1±spread); 0: all equal"`
	DownloadSpread float64                      `yaml:"download_spread" platform:"" range:"[0,1)" help:"peer download rates spread evenly over mean·(1±spread); 0: all equal"`
	Delay          units.Duration               `yaml:"delay" platform:"" default:"10ms" help:"one-way propagation delay from every host to the core"`
}

// filedistRun is a run's result with the rates it was run with, which the bound needs.
// With a schedule, a peer may never have the whole file: the run's distribution time
// is then NaN, and its completion samples are those of the peers that finished.
type filedistRun struct {
	completion             []sim.Time
	complete               bool // every peer finished
	serverBytes, peerBytes int64
	bound                  float64
	peersUp                scenarios.TimeSeries
}

// last is when the last peer had the whole file; NaN if one never did.
func (r *filedistRun) last() float64 {
	if !r.complete {
		return math.NaN()
	}
	var t sim.Time
	for _, c := range r.completion {
		t = max(t, c)
	}
	return t.Seconds()
}

// meanCompletion is the mean of the completion times, rounded once to the nanosecond.
func (r *filedistRun) meanCompletion() float64 {
	if len(r.completion) == 0 {
		return math.NaN()
	}
	var sum float64
	for _, t := range r.completion {
		sum += float64(t)
	}
	return sim.Time(sum/float64(len(r.completion)) + 0.5).Seconds()
}

var _ = scenarios.Register(scenarios.Decl[filedistParams, filedistRun]{
	Name:     "filedist",
	Summary:  "one file from a server to N peers: client-server against P2P distribution time (K&R §2.5)",
	Boot:     bootFiledist,
	Tools:    []scenarios.Tool{boundsTool},
	Topology: true, Schedule: true,
	Platform: (*filedistParams).platform,
	Deploy:   deployFiledist,
	Metrics: []scenarios.Reading[filedistRun]{
		scenarios.Scalar("distribution_time_s", "s", "when the last peer had the whole file", (*filedistRun).last),
		scenarios.Scalar("mean_completion_s", "s", "mean over peers of when each had the whole file", (*filedistRun).meanCompletion),
		scenarios.Scalar("max_completion_s", "s", "latest per-peer completion (equals the distribution time)", (*filedistRun).last),
		scenarios.Scalar("server_bytes_sent", "B", "bytes the server sent, headers included", func(r *filedistRun) float64 { return float64(r.serverBytes) }),
		scenarios.Scalar("peer_bytes_uploaded", "B", "bytes all peers sent, together", func(r *filedistRun) float64 { return float64(r.peerBytes) }),
		scenarios.Scalar("bound_s", "s", "the lower bound for this mode and these rates: D_cs or D_P2P", func(r *filedistRun) float64 { return r.bound }),
		scenarios.Events[filedistRun](),
		scenarios.Sample("completion_s", "s", "when each peer had the whole file", func(r *filedistRun) []float64 {
			out := make([]float64, len(r.completion))
			for i, c := range r.completion {
				out[i] = c.Seconds()
			}
			return out
		}),
		scenarios.Series("peers_up", "", "how many peers are up (the schedule's churn), a step function", func(r *filedistRun) scenarios.TimeSeries { return r.peersUp }),
	},
	Theory: []scenarios.TheoryOf[filedistParams]{
		{Name: "d_cs", Label: "D_cs (client-server bound)", Metric: "distribution_time_s", Value: filedistBound(func(p *filedistParams, up, down []float64) float64 {
			d, _ := filedist.ClientServerBound(float64(p.File.Bits()), p.ServerUpload.Bps(), down)
			return d
		})},
		{Name: "bound", Label: "lower bound: D_cs or D_P2P", Metric: "distribution_time_s", Value: filedistBound(func(p *filedistParams, up, down []float64) float64 {
			return modeBound(p, p.ServerUpload.Bps(), up, down)
		})},
		{Name: "d_p2p", Label: "D_P2P (P2P bound)", Metric: "distribution_time_s", Value: filedistTerm(filedist.P2PBoundTerms.Max)},
		{Name: "p2p_server_term", Label: "F/u_s", Metric: "distribution_time_s", Value: filedistTerm(func(t filedist.P2PBoundTerms) float64 { return t.Server })},
		{Name: "p2p_download_term", Label: "F/d_min", Metric: "distribution_time_s", Value: filedistTerm(func(t filedist.P2PBoundTerms) float64 { return t.Download })},
		{Name: "p2p_aggregate_term", Label: "N·F/(u_s+Σu_i)", Metric: "distribution_time_s", Value: filedistTerm(func(t filedist.P2PBoundTerms) float64 { return t.Aggregate })},
	},
	// What one run creates, for the limits validation holds it to (filedist_size.go).
	Size:     filedistSize,
	SizeHelp: filedistSizeHelp,
})

// spread returns n rates evenly spread over mean·(1±s): the midpoints of n equal
// slices of that range, so their mean is exactly mean, and for n = 1 the one rate is
// mean. Deterministic, so the bounds of a point are known before it runs.
func spread(n int, mean, s float64, reverse bool) []float64 {
	out := make([]float64, n)
	for i := range out {
		q := (float64(i) + 0.5) / float64(n)
		if reverse {
			q = 1 - q
		}
		out[i] = mean * (1 - s + 2*s*q)
	}
	return out
}

// rates returns the peers' upload and download rates: drawn, if the file gives a
// distribution, from the run's streams filedist/peer-upload and filedist/peer-download;
// otherwise spread evenly, downloads in the opposite order, so that the fastest
// uploader is the slowest downloader.
func (p *filedistParams) rates(env *scenarios.RunEnv) (up, down []float64) {
	draw := func(r scenarios.Random[units.Rate], s float64, reverse bool, stream string) []float64 {
		if mean, ok := r.Const(); ok {
			return spread(p.Peers, mean.Bps(), s, reverse)
		}
		next := r.Sampler(env.Streams().Stream(stream))
		out := make([]float64, p.Peers)
		for i := range out {
			out[i] = next()
		}
		return out
	}
	return draw(p.PeerUpload, p.UploadSpread, false, "filedist/peer-upload"),
		draw(p.PeerDownload, p.DownloadSpread, true, "filedist/peer-download")
}

// filedistBound evaluates a bound on the params' rates. With drawn rates a bound
// belongs to each run (bound_s), not to the parameter point.
func filedistBound(f func(p *filedistParams, up, down []float64) float64) func(*filedistParams) (float64, error) {
	return func(p *filedistParams) (float64, error) {
		_, c1 := p.PeerUpload.Const()
		_, c2 := p.PeerDownload.Const()
		if !c1 || !c2 {
			return 0, errors.New("the peers' rates are drawn per run")
		}
		up, down := p.rates(nil)
		return f(p, up, down), nil
	}
}

func filedistTerm(f func(filedist.P2PBoundTerms) float64) func(*filedistParams) (float64, error) {
	return filedistBound(func(p *filedistParams, up, down []float64) float64 {
		return f(filedist.P2PTerms(float64(p.File.Bits()), p.ServerUpload.Bps(), up, down))
	})
}

// platform is the textbook's access-link star: the server, and peer1 .. peerN with the
// params' rates, all at the same delay from the core.
func (p *filedistParams) platform(env *scenarios.RunEnv) *scenarios.Topology {
	up, down := p.rates(env)
	hosts := []scenarios.StarHost{{Name: "server", Upload: p.ServerUpload, Download: p.ServerUpload, Delay: p.Delay}}
	for i := range up {
		hosts = append(hosts, scenarios.StarHost{Name: fmt.Sprintf("peer%d", i+1), Upload: units.Rate(up[i]), Download: units.Rate(down[i]), Delay: p.Delay})
	}
	return &scenarios.Topology{Star: &scenarios.StarTopology{Hosts: hosts}}
}

// deployFiledist puts the server on the host named server and a peer on each host
// named peer<i>. The server must know its upload rate (u_s, to plan), and in P2P mode
// each peer its own, the rate it relays at: a link of theirs may not be unconstrained.
func deployFiledist(p *filedistParams, t *scenarios.Topology) (scenarios.Deployment, error) {
	peers, up := t.Group("peer"), t.Capacities(true)
	switch {
	case !t.Has("server"):
		return nil, scenarios.Errorf("topology", "kind filedist needs a host named server, the file's source")
	case len(peers) == 0:
		return nil, scenarios.Errorf("topology", "kind filedist needs peers: hosts named peer0, peer1, ...")
	case math.IsInf(up["server"], 1):
		return nil, scenarios.Errorf("topology", "kind filedist needs the server's upload rate, u_s: its links out are unconstrained")
	}
	for _, h := range peers {
		if p.Mode == string(filedist.P2P) && math.IsInf(up[h], 1) {
			return nil, scenarios.Errorf("topology", "kind filedist in p2p mode needs each peer's upload rate, at which it relays: %s's links out are unconstrained", h)
		}
	}
	return scenarios.Deployment{{Host: "server", Role: "server"}}.Place(scenarios.Placement{Role: "peer"}, peers...), nil
}

func bootFiledist(p *filedistParams, pl *scenarios.Platform) (func() (filedistRun, error), error) {
	// The fluid model the bounds are proven in (Kurose & Ross §2.5) has no control
	// packets: TCP's handshake and FIN cost propagation only. Charged as 40-byte
	// flows they would change the times by parts in 10^7 and make every one of a
	// large swarm's 10^6 handshakes re-solve a saturated uplink.
	pl.Stack.TCP.ControlBytes = 0
	peers, ups, downs := pl.Env.Deployment.Hosts("peer"), pl.Env.Topology.Capacities(true), pl.Env.Topology.Capacities(false)
	up, down := make([]float64, len(peers)), make([]float64, len(peers))
	cfg := filedist.Config{Mode: filedist.Mode(p.Mode), FileBits: p.File.Bits(), ServerUploadBps: ups["server"], ExpectedPeers: len(peers)}
	for i, h := range peers {
		up[i], down[i] = ups[h], downs[h]
		if pl.StartsDown(h) {
			cfg.ExpectedPeers-- // the server plans with the peers there from the start
		}
	}
	server := pl.Node("server")
	pl.Boot("server", filedist.Server(cfg))
	recs := make([]filedist.Record, len(peers))
	for i, h := range peers {
		pl.Boot(h, filedist.Peer(cfg, filedist.PeerSpec{UploadBps: up[i], DownloadBps: down[i]}, topology.Addr{Node: server, Port: filedist.DefaultPort}, &recs[i]))
	}
	return func() (filedistRun, error) {
		r := filedistRun{complete: true, serverBytes: pl.Stack.Stats(server).BytesSent, peersUp: pl.UpSeries(peers, pl.End())}
		for i, rec := range recs {
			r.peerBytes += pl.Stack.Stats(pl.Node(peers[i])).BytesSent
			switch {
			case rec.Done:
				r.completion = append(r.completion, rec.DoneAt)
			case pl.Env.Schedule == nil: // nothing stops a peer: a bug
				return filedistRun{}, fmt.Errorf("%s never received the whole file (%d of %d bytes)", peers[i], rec.GotBytes, rec.FileBytes)
			default:
				r.complete = false
			}
		}
		r.bound = modeBound(p, cfg.ServerUploadBps, up, down)
		return r, nil
	}, nil
}

// modeBound is the lower bound on distribution time of p's mode, D_cs or D_P2P, for a
// server that uploads at us.
func modeBound(p *filedistParams, us float64, up, down []float64) float64 {
	if p.Mode == string(filedist.ClientServer) {
		d, _ := filedist.ClientServerBound(float64(p.File.Bits()), us, down)
		return d
	}
	return filedist.P2PTerms(float64(p.File.Bits()), us, up, down).Max()
}
