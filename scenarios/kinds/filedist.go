package kinds

import (
	"context"
	"errors"
	"netsim/scenarios"

	"netsim/apps/filedist"
	"netsim/scenarios/units"
	"netsim/sim"
)

// filedistKind is `kind: filedist`: one file from a server to N peers over an
// access-link star, client-server or P2P (Kurose & Ross §2.5).
type filedistKind struct{}

func init() { scenarios.Register(filedistKind{}) }

type filedistParams struct {
	Mode           string         `yaml:"mode" help:"architecture: client-server or p2p"`
	File           units.Size     `yaml:"file" help:"F, the size of the file"`
	ServerUpload   units.Rate     `yaml:"server_upload" help:"u_s, the server's upload rate"`
	Peers          int            `yaml:"peers" help:"N, the number of peers (at least 1)"`
	PeerUpload     units.Rate     `yaml:"peer_upload" help:"the peers' mean upload rate"`
	PeerDownload   units.Rate     `yaml:"peer_download" help:"the peers' mean download rate"`
	UploadSpread   float64        `yaml:"upload_spread" help:"peer upload rates spread evenly over mean·(1±spread), in [0, 1); 0: all equal"`
	DownloadSpread float64        `yaml:"download_spread" help:"peer download rates spread evenly over mean·(1±spread), in [0, 1); 0: all equal"`
	Delay          units.Duration `yaml:"delay" help:"one-way propagation delay from every host to the core"`
}

func (filedistKind) Name() string { return "filedist" }
func (filedistKind) Summary() string {
	return "one file from a server to N peers: client-server against P2P distribution time (K&R §2.5)"
}

// NewParams holds the textbook figure's setting: F/u = 1 hour, u_s = 10u, d ≥ u_s.
func (filedistKind) NewParams() any {
	return &filedistParams{
		Mode: string(filedist.P2P), File: units.Size(3_600_000_000), ServerUpload: 10e6,
		Peers: 10, PeerUpload: 1e6, PeerDownload: 10e6, Delay: units.Duration(10 * sim.Millisecond),
	}
}

func (filedistKind) Check(params any) error {
	p := params.(*filedistParams)
	var errs []error
	if p.Mode != string(filedist.ClientServer) && p.Mode != string(filedist.P2P) {
		errs = append(errs, scenarios.Errorf("mode", "must be client-server or p2p, got %q", p.Mode))
	}
	if p.File <= 0 {
		errs = append(errs, scenarios.Errorf("file", "must be positive"))
	}
	if p.Peers < 1 {
		errs = append(errs, scenarios.Errorf("peers", "must be at least 1, got %d", p.Peers))
	}
	for _, r := range []struct {
		key  string
		rate units.Rate
	}{{"server_upload", p.ServerUpload}, {"peer_upload", p.PeerUpload}, {"peer_download", p.PeerDownload}} {
		if r.rate <= 0 {
			errs = append(errs, scenarios.Errorf(r.key, "must be positive, got %v", r.rate))
		}
	}
	for _, s := range []struct {
		key    string
		spread float64
	}{{"upload_spread", p.UploadSpread}, {"download_spread", p.DownloadSpread}} {
		if !(s.spread >= 0 && s.spread < 1) {
			errs = append(errs, scenarios.Errorf(s.key, "must be in [0, 1), got %g", s.spread))
		}
	}
	if p.Delay < 0 {
		errs = append(errs, scenarios.Errorf("delay", "must not be negative"))
	}
	return errors.Join(errs...)
}

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

// rates returns the peers' upload and download rates. Downloads are spread in the
// opposite order, so the fastest uploader is the slowest downloader.
func (p *filedistParams) rates() (up, down []float64) {
	return spread(p.Peers, p.PeerUpload.Bps(), p.UploadSpread, false),
		spread(p.Peers, p.PeerDownload.Bps(), p.DownloadSpread, true)
}

func (filedistKind) Metrics() []scenarios.Metric {
	return []scenarios.Metric{
		{Name: "distribution_time_s", Unit: "s", Help: "when the last peer had the whole file"},
		{Name: "mean_completion_s", Unit: "s", Help: "mean over peers of when each had the whole file"},
		{Name: "max_completion_s", Unit: "s", Help: "latest per-peer completion (equals the distribution time)"},
		{Name: "server_bytes_sent", Unit: "B", Help: "bytes the server sent, headers included"},
		{Name: "peer_bytes_uploaded", Unit: "B", Help: "bytes all peers sent, together"},
		{Name: "bound_s", Unit: "s", Help: "the lower bound for this mode and these rates: D_cs or D_P2P"},
		{Name: "events", Help: "kernel events in the run"},
	}
}

func theory(f func(p *filedistParams) float64) func(any) (float64, error) {
	return func(params any) (float64, error) {
		p := params.(*filedistParams)
		if p.Peers < 1 {
			return 0, errors.New("no peers")
		}
		return f(p), nil
	}
}

func (p *filedistParams) terms() filedist.P2PBoundTerms {
	up, down := p.rates()
	return filedist.P2PTerms(float64(p.File.Bits()), p.ServerUpload.Bps(), up, down)
}

func (filedistKind) Theory() []scenarios.Theory {
	return []scenarios.Theory{
		{Name: "d_cs", Label: "D_cs (client-server bound)", Metric: "distribution_time_s",
			Value: theory(func(p *filedistParams) float64 {
				_, down := p.rates()
				d, _ := filedist.ClientServerBound(float64(p.File.Bits()), p.ServerUpload.Bps(), down)
				return d
			})},
		{Name: "d_p2p", Label: "D_P2P (P2P bound)", Metric: "distribution_time_s",
			Value: theory(func(p *filedistParams) float64 { return p.terms().Max() })},
		{Name: "p2p_server_term", Label: "F/u_s", Metric: "distribution_time_s",
			Value: theory(func(p *filedistParams) float64 { return p.terms().Server })},
		{Name: "p2p_download_term", Label: "F/d_min", Metric: "distribution_time_s",
			Value: theory(func(p *filedistParams) float64 { return p.terms().Download })},
		{Name: "p2p_aggregate_term", Label: "N·F/(u_s+Σu_i)", Metric: "distribution_time_s",
			Value: theory(func(p *filedistParams) float64 { return p.terms().Aggregate })},
	}
}

func (filedistKind) Run(ctx context.Context, params any, env scenarios.RunEnv) (scenarios.Values, error) {
	p := params.(*filedistParams)
	up, down := p.rates()
	cfg := filedist.Config{
		Mode: filedist.Mode(p.Mode), FileBits: p.File.Bits(), ServerUploadBps: p.ServerUpload.Bps(),
		ServerDelay: p.Delay.Time(),
	}
	for i := range up {
		cfg.Peers = append(cfg.Peers, filedist.PeerSpec{UploadBps: up[i], DownloadBps: down[i], Delay: p.Delay.Time()})
	}
	res, err := filedist.Simulate(ctx, cfg, env.Seed, env.Progress)
	if err != nil {
		return nil, err
	}
	var bound float64
	if cfg.Mode == filedist.ClientServer {
		bound, _ = filedist.ClientServerBound(float64(p.File.Bits()), p.ServerUpload.Bps(), down)
	} else {
		bound = p.terms().Max()
	}
	return scenarios.Values{
		"distribution_time_s": res.DistributionTime.Seconds(),
		"mean_completion_s":   res.MeanCompletion().Seconds(),
		"max_completion_s":    res.DistributionTime.Seconds(),
		"server_bytes_sent":   float64(res.ServerBytesSent),
		"peer_bytes_uploaded": float64(res.PeerBytesSent),
		"bound_s":             bound,
		"events":              float64(res.Events),
	}, nil
}
