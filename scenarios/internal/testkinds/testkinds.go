package testkinds

import (
	"context"
	"errors"
	"math/rand/v2"
	"netsim/scenarios"

	"netsim/scenarios/units"
	"netsim/sim"
)

// toy is a test-only kind with a parameter of every sort a real kind has: an int with
// Check rules, a rate, a size, a duration, a float, a list and a nested struct. Its runs
// draw from a generator seeded by the run's seed, so results depend on the seed.
type Toy struct{}

type ToyServer struct {
	Upload units.Rate `yaml:"upload" help:"server upload rate"`
	Slots  int        `yaml:"slots" help:"upload slots, at most peers"`
}

type ToyParams struct {
	Peers  int            `yaml:"peers" help:"number of peers, at least 1"`
	Upload units.Rate     `yaml:"upload" help:"each peer's upload rate"`
	File   units.Size     `yaml:"file" help:"file size"`
	Delay  units.Duration `yaml:"delay" help:"one-way delay"`
	Ratio  float64        `yaml:"ratio" help:"a ratio in [0, 1]"`
	Tags   []string       `yaml:"tags" help:"free labels"`
	Server ToyServer      `yaml:"server" help:"the server"`
}

func (Toy) Name() string    { return "toy" }
func (Toy) Summary() string { return "a test kind" }
func (Toy) NewParams() any {
	return &ToyParams{Peers: 10, Upload: 1e6, File: 8e6, Delay: units.Duration(40 * sim.Millisecond),
		Ratio: 0.5, Server: ToyServer{Upload: 10e6, Slots: 4}}
}

func (Toy) Check(params any) error {
	p := params.(*ToyParams)
	var errs []error
	if p.Peers < 1 {
		errs = append(errs, scenarios.Errorf("peers", "must be at least 1, got %d", p.Peers))
	}
	if p.Ratio < 0 || p.Ratio > 1 {
		errs = append(errs, scenarios.Errorf("ratio", "must be in [0, 1], got %g", p.Ratio))
	}
	if p.Server.Slots > p.Peers {
		errs = append(errs, scenarios.Errorf("server.slots", "must be at most peers (%d), got %d", p.Peers, p.Server.Slots))
	}
	if p.Upload <= 0 {
		errs = append(errs, scenarios.Errorf("upload", "must be positive"))
	}
	return errors.Join(errs...)
}

func (Toy) Metrics() []scenarios.Metric {
	return []scenarios.Metric{
		{Name: "time_s", Unit: "s", Help: "transfer time plus noise"},
		{Name: "draw", Help: "a uniform draw"},
	}
}

func (Toy) Theory() []scenarios.Theory {
	return []scenarios.Theory{
		{Name: "transfer", Label: "F/u", Metric: "time_s", Value: func(params any) (float64, error) {
			p := params.(*ToyParams)
			return float64(p.File.Bits()) / p.Upload.Bps(), nil
		}},
		{Name: "per_peer", Label: "N·F/u", Metric: "time_s", Value: func(params any) (float64, error) {
			p := params.(*ToyParams)
			if p.Peers > 50 {
				return 0, errors.New("out of range")
			}
			return float64(p.Peers) * float64(p.File.Bits()) / p.Upload.Bps(), nil
		}},
	}
}

func (Toy) Run(ctx context.Context, params any, env scenarios.RunEnv) (scenarios.Values, error) {
	p := params.(*ToyParams)
	r := rand.New(rand.NewPCG(env.Seed, 0))
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if ToyHook != nil {
		if err := ToyHook(env.RunIndex); err != nil {
			return nil, err
		}
	}
	if env.Progress != nil {
		env.Progress(sim.Progress{Events: 1, Now: p.Delay.Time()})
	}
	return scenarios.Values{
		"time_s": float64(p.File.Bits())/p.Upload.Bps() + r.Float64(),
		"draw":   r.Float64(),
	}, nil
}

// ToyHook, if set, is called at the start of every toy run; an error fails the run.
var ToyHook func(run int) error

// ladder is a test-only kind with known results: run i reports 10·level + (i mod 5) + 1,
// so with 5 replications each point's sample is 10·level + {1, 2, 3, 4, 5}.
type Ladder struct{}

type LadderParams struct {
	Level int `yaml:"level" help:"the tens"`
}

func (Ladder) Name() string                { return "ladder" }
func (Ladder) Summary() string             { return "known numbers" }
func (Ladder) NewParams() any              { return &LadderParams{} }
func (Ladder) Check(any) error             { return nil }
func (Ladder) Theory() []scenarios.Theory  { return nil }
func (Ladder) Metrics() []scenarios.Metric { return []scenarios.Metric{{Name: "value", Unit: "s"}} }
func (Ladder) Run(_ context.Context, params any, env scenarios.RunEnv) (scenarios.Values, error) {
	return scenarios.Values{"value": float64(10*params.(*LadderParams).Level + env.RunIndex%5 + 1)}, nil
}

func init() {
	scenarios.Register(Toy{})
	scenarios.Register(Ladder{})
}
