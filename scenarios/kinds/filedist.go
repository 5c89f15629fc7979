package kinds

import (
	"context"
	"errors"

	"netsim/apps/filedist"
	"netsim/scenarios"
	"netsim/scenarios/units"
)

// filedist: one file from a server to N peers over an access-link star, client-server
// or P2P (Kurose & Ross §2.5). The defaults are the textbook figure's setting: F/u =
// 1 hour, u_s = 10u, d ≥ u_s.
type filedistParams struct {
	Mode           string                       `yaml:"mode" default:"p2p" oneof:"client-server p2p" help:"architecture: client-server or p2p"`
	File           units.Size                   `yaml:"file" default:"3600Mbit" range:"(0,)" help:"F, the size of the file"`
	ServerUpload   units.Rate                   `yaml:"server_upload" default:"10Mbps" range:"(0,)" help:"u_s, the server's upload rate"`
	Peers          int                          `yaml:"peers" default:"10" range:"[1,)" help:"N, the number of peers"`
	PeerUpload     scenarios.Random[units.Rate] `yaml:"peer_upload" default:"1Mbps" range:"(0,)" help:"the peers' upload rate: their mean, or a distribution each peer's is drawn from"`
	PeerDownload   scenarios.Random[units.Rate] `yaml:"peer_download" default:"10Mbps" range:"(0,)" help:"the peers' download rate: their mean, or a distribution each peer's is drawn from"`
	UploadSpread   float64                      `yaml:"upload_spread" range:"[0,1)" help:"peer upload rates spread evenly over mean·(1±spread); 0: all equal"`
	DownloadSpread float64                      `yaml:"download_spread" range:"[0,1)" help:"peer download rates spread evenly over mean·(1±spread); 0: all equal"`
	Delay          units.Duration               `yaml:"delay" default:"10ms" help:"one-way propagation delay from every host to the core"`
}

// filedistRun is a run's result with the rates it was run with, which the bound needs.
type filedistRun struct {
	filedist.Result
	bound float64
}

var _ = scenarios.Register(scenarios.Decl[filedistParams, filedistRun]{
	Name:    "filedist",
	Summary: "one file from a server to N peers: client-server against P2P distribution time (K&R §2.5)",
	Run:     runFiledist,
	Tools:   []scenarios.Tool{boundsTool},
	Metrics: []scenarios.Reading[filedistRun]{
		scenarios.Scalar("distribution_time_s", "s", "when the last peer had the whole file", func(r *filedistRun) float64 { return r.DistributionTime.Seconds() }),
		scenarios.Scalar("mean_completion_s", "s", "mean over peers of when each had the whole file", func(r *filedistRun) float64 { return r.MeanCompletion().Seconds() }),
		scenarios.Scalar("max_completion_s", "s", "latest per-peer completion (equals the distribution time)", func(r *filedistRun) float64 { return r.DistributionTime.Seconds() }),
		scenarios.Scalar("server_bytes_sent", "B", "bytes the server sent, headers included", func(r *filedistRun) float64 { return float64(r.ServerBytesSent) }),
		scenarios.Scalar("peer_bytes_uploaded", "B", "bytes all peers sent, together", func(r *filedistRun) float64 { return float64(r.PeerBytesSent) }),
		scenarios.Scalar("bound_s", "s", "the lower bound for this mode and these rates: D_cs or D_P2P", func(r *filedistRun) float64 { return r.bound }),
		scenarios.Scalar("events", "", "kernel events in the run", func(r *filedistRun) float64 { return float64(r.Events) }),
		scenarios.Sample("completion_s", "s", "when each peer had the whole file", func(r *filedistRun) []float64 {
			out := make([]float64, len(r.Completion))
			for i, c := range r.Completion {
				out[i] = c.Seconds()
			}
			return out
		}),
	},
	Theory: []scenarios.TheoryOf[filedistParams]{
		{Name: "d_cs", Label: "D_cs (client-server bound)", Metric: "distribution_time_s", Value: filedistBound(func(p *filedistParams, up, down []float64) float64 {
			d, _ := filedist.ClientServerBound(float64(p.File.Bits()), p.ServerUpload.Bps(), down)
			return d
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

func runFiledist(ctx context.Context, p *filedistParams, env scenarios.RunEnv) (filedistRun, error) {
	up, down := p.rates(&env)
	cfg := filedist.Config{
		Mode: filedist.Mode(p.Mode), FileBits: p.File.Bits(), ServerUploadBps: p.ServerUpload.Bps(),
		ServerDelay: p.Delay.Time(),
	}
	for i := range up {
		cfg.Peers = append(cfg.Peers, filedist.PeerSpec{UploadBps: up[i], DownloadBps: down[i], Delay: p.Delay.Time()})
	}
	res, err := filedist.Simulate(ctx, cfg, env.Seed, env.Progress)
	if err != nil {
		return filedistRun{}, err
	}
	r := filedistRun{Result: res}
	if cfg.Mode == filedist.ClientServer {
		r.bound, _ = filedist.ClientServerBound(float64(p.File.Bits()), p.ServerUpload.Bps(), down)
	} else {
		r.bound = filedist.P2PTerms(float64(p.File.Bits()), p.ServerUpload.Bps(), up, down).Max()
	}
	return r, nil
}
