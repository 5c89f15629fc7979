// Package testkinds registers kinds for the tests of the scenario format, the campaign
// and the command line: small, fast, and with results known in closed form.
package testkinds

import (
	"context"
	"errors"
	"math/rand/v2"

	"netsim/scenarios"
	"netsim/scenarios/units"
	"netsim/sim"
)

// Toy is a test-only kind with a parameter of every sort a real kind has: an int with
// a range and a rule of its own, a rate, a size, a duration, a float, a list, a nested
// struct and a distribution. Its runs draw from a generator seeded by the run's seed, so
// results depend on the seed.
type ToyParams struct {
	Peers  int                              `yaml:"peers" default:"10" range:"[1,)" help:"number of peers, at least 1"`
	Upload units.Rate                       `yaml:"upload" default:"1Mbps" range:"(0,)" help:"each peer's upload rate"`
	File   units.Size                       `yaml:"file" default:"1MB" help:"file size"`
	Delay  units.Duration                   `yaml:"delay" default:"40ms" help:"one-way delay"`
	Ratio  float64                          `yaml:"ratio" default:"0.5" range:"[0,1]" help:"a ratio in [0, 1]"`
	Tags   []string                         `yaml:"tags" help:"free labels"`
	Server ToyServer                        `yaml:"server" help:"the server"`
	Think  scenarios.Random[units.Duration] `yaml:"think" default:"1s" range:"[0,)" help:"a peer's think time, or a distribution of them"`
	Mode   string                           `yaml:"mode" default:"a" oneof:"a b" help:"a choice"`
}

type ToyServer struct {
	Upload units.Rate `yaml:"upload" default:"10Mbps" help:"server upload rate"`
	Slots  int        `yaml:"slots" default:"4" help:"upload slots, at most peers"`
}

type toyRun struct{ time, draw float64 }

// ToyHook, if set, is called at the start of every toy run; an error fails the run.
var ToyHook func(run int) error

// Toy is the kind toy.
var Toy = scenarios.Register(scenarios.Decl[ToyParams, toyRun]{
	Name:    "toy",
	Summary: "a test kind",
	// Only so that the format's tests can decode these sections: toy's runs ignore them.
	Topology: true,
	Schedule: true,
	Check: func(p *ToyParams) error {
		if p.Server.Slots > p.Peers {
			return scenarios.Errorf("server.slots", "must be at most peers (%d), got %d", p.Peers, p.Server.Slots)
		}
		return nil
	},
	Run: func(ctx context.Context, p *ToyParams, env scenarios.RunEnv) (toyRun, error) {
		r := rand.New(rand.NewPCG(env.Seed, 0))
		if err := ctx.Err(); err != nil {
			return toyRun{}, err
		}
		if ToyHook != nil {
			if err := ToyHook(env.RunIndex); err != nil {
				return toyRun{}, err
			}
		}
		if env.Progress != nil {
			env.Progress(sim.Progress{Events: 1, Now: p.Delay.Time()})
		}
		return toyRun{time: float64(p.File.Bits())/p.Upload.Bps() + r.Float64(), draw: r.Float64()}, nil
	},
	Size: func(p *ToyParams, _ *scenarios.Topology) scenarios.RunSize {
		n := float64(p.Peers)
		return scenarios.RunSize{
			Hosts: scenarios.Count{N: n + 1, Key: "peers", Of: "peers + 1"},
			Flows: scenarios.Count{N: n * n, Key: "peers", Of: "peers²"},
			Spans: []scenarios.Span{
				{Keys: []string{"upload", "file"}, Of: "file / upload", Seconds: float64(p.File.Bits()) / p.Upload.Bps()},
				{Keys: []string{"delay"}, Of: "4 × delay", Seconds: 4 * p.Delay.Seconds()},
			},
		}
	},
	SizeHelp: "hosts: peers + 1; flows: peers²; the run's length: file / upload + 4 × delay.",
	Metrics: []scenarios.Reading[toyRun]{
		scenarios.Scalar("time_s", "s", "transfer time plus noise", func(r *toyRun) float64 { return r.time }),
		scenarios.Scalar("draw", "", "a uniform draw", func(r *toyRun) float64 { return r.draw }),
	},
	Theory: []scenarios.TheoryOf[ToyParams]{
		{Name: "transfer", Label: "F/u", Metric: "time_s", Value: func(p *ToyParams) (float64, error) {
			return float64(p.File.Bits()) / p.Upload.Bps(), nil
		}},
		{Name: "per_peer", Label: "N·F/u", Metric: "time_s", Value: func(p *ToyParams) (float64, error) {
			if p.Peers > 50 {
				return 0, errors.New("out of range")
			}
			return float64(p.Peers) * float64(p.File.Bits()) / p.Upload.Bps(), nil
		}},
	},
})

// ClockParams are those of the kind clock: a kernel that runs Ticks events, Gap apart.
type ClockParams struct {
	Ticks int            `yaml:"ticks" default:"10" range:"[0,)" help:"events in a run"`
	Gap   units.Duration `yaml:"gap" default:"1s" help:"virtual time between two events"`
}

type clockRun struct {
	events uint64
	end    sim.Time
}

// Clock is a test-only kind whose runs are a sim kernel of Ticks events, run with
// RunContext, so that the limits a campaign gives its runs (sim_time, events,
// wall_time) stop it as they stop a real model's.
var Clock = scenarios.Register(scenarios.Decl[ClockParams, clockRun]{
	Name:    "clock",
	Summary: "a kernel of ticks",
	Run: func(ctx context.Context, p *ClockParams, env scenarios.RunEnv) (clockRun, error) {
		k := sim.NewKernel()
		left := p.Ticks
		var tick func()
		tick = func() {
			if left--; left > 0 {
				k.After(p.Gap.Time(), tick)
			}
		}
		if left > 0 {
			k.At(0, tick)
		}
		err := k.RunContext(ctx, env.Progress)
		return clockRun{k.Events(), k.Now()}, err
	},
	Metrics: []scenarios.Reading[clockRun]{
		scenarios.Scalar("events", "", "events run", func(r *clockRun) float64 { return float64(r.events) }),
		scenarios.Scalar("end_s", "s", "the time of the last event", func(r *clockRun) float64 { return r.end.Seconds() }),
	},
})

// Ladder is a test-only kind with known results: run i reports 10·level + (i mod 5) + 1,
// so with 5 replications each point's sample is 10·level + {1, 2, 3, 4, 5}.
type LadderParams struct {
	Level int `yaml:"level" help:"the tens"`
}

var Ladder = scenarios.Register(scenarios.Decl[LadderParams, float64]{
	Name:    "ladder",
	Summary: "known numbers",
	Run: func(_ context.Context, p *LadderParams, env scenarios.RunEnv) (float64, error) {
		return float64(10*p.Level + env.RunIndex%5 + 1), nil
	},
	Metrics: []scenarios.Reading[float64]{
		scenarios.Scalar("value", "s", "10·level + run mod 5 + 1", func(v *float64) float64 { return *v }),
	},
})

// SamplerParams are those of the kind sampler: per-run samples and a time series with
// known distributions.
type SamplerParams struct {
	Rate  float64                      `yaml:"rate" default:"1" range:"(0,)" unit:"1/s" symbol:"λ" help:"rate of the exponential samples and of the arrivals"`
	N     int                          `yaml:"n" default:"200" range:"[1,)" help:"samples per run"`
	Until units.Duration               `yaml:"until" default:"10s" range:"(0,)" help:"end of the time series"`
	Size  scenarios.Random[units.Size] `yaml:"size" default:"1kB" range:"(0,)" help:"what size draws, a distribution or not"`
}

// samplerRun is one run of sampler: N exponential delays of rate Rate (mean 1/Rate),
// N draws of Size, and the count of Poisson(Rate) arrivals by each whole second up to
// Until, whose mean at time t is Rate·t.
type samplerRun struct {
	delays, sizes []float64
	arrivals      scenarios.TimeSeries
}

// Sampler is the kind sampler.
var Sampler = scenarios.Register(scenarios.Decl[SamplerParams, samplerRun]{
	Name:    "sampler",
	Summary: "samples and a time series with known distributions",
	Run: func(_ context.Context, p *SamplerParams, env scenarios.RunEnv) (samplerRun, error) {
		st := env.Streams()
		rng := st.Stream("sampler/delays")
		var r samplerRun
		for range p.N {
			r.delays = append(r.delays, rng.ExpFloat64()/p.Rate)
		}
		size := p.Size.Sampler(st.Stream("sampler/sizes"))
		for range p.N {
			r.sizes = append(r.sizes, size())
		}
		arr := st.Stream("sampler/arrivals")
		t, count := arr.ExpFloat64()/p.Rate, 0
		for s := 0.0; s <= p.Until.Seconds(); s++ {
			for t <= s {
				count++
				t += arr.ExpFloat64() / p.Rate
			}
			r.arrivals.Time = append(r.arrivals.Time, s)
			r.arrivals.Value = append(r.arrivals.Value, float64(count))
		}
		return r, nil
	},
	Metrics: []scenarios.Reading[samplerRun]{
		scenarios.Scalar("mean_delay_s", "s", "mean of the run's delays", func(r *samplerRun) float64 {
			sum := 0.0
			for _, d := range r.delays {
				sum += d
			}
			return sum / float64(len(r.delays))
		}),
		scenarios.Sample("delay_s", "s", "exponential delays", func(r *samplerRun) []float64 { return r.delays }),
		scenarios.Sample("size_bits", "bit", "draws of size", func(r *samplerRun) []float64 { return r.sizes }),
		scenarios.Series("arrivals", "", "arrivals so far", func(r *samplerRun) scenarios.TimeSeries { return r.arrivals }),
	},
	Theory: []scenarios.TheoryOf[SamplerParams]{
		{Name: "mean", Label: "1/rate", Metric: "mean_delay_s", Value: func(p *SamplerParams) (float64, error) { return 1 / p.Rate, nil }},
	},
})

// ShareParams are those of the kind share: runs whose results are a proportion and the
// same numbers as a plain metric, known in advance.
type ShareParams struct {
	Level int `yaml:"level" range:"[0,1]" label:"Pattern" help:"which list of shares the runs report"`
}

// ShareRuns are the shares the runs report, by level: replication r reports
// ShareRuns[level][r mod 4]. Runs are numbered replication by replication, so with the
// two levels swept (as the tests do) run i is replication i/2.
// Level 0 is far from the ends of [0, 1]; level 1 near 0, where Student's t interval of
// its mean goes below 0.
var ShareRuns = [2][4]float64{{0.2, 0.4, 0.3, 0.3}, {0.001, 0, 0.002, 0.0005}}

// Share is the kind share.
var Share = scenarios.Register(scenarios.Decl[ShareParams, float64]{
	Name:    "share",
	Summary: "a proportion with known values",
	Run: func(_ context.Context, p *ShareParams, env scenarios.RunEnv) (float64, error) {
		return ShareRuns[p.Level][(env.RunIndex/2)%4], nil
	},
	Metrics: []scenarios.Reading[float64]{
		scenarios.Scalar("share", "", "a proportion", func(v *float64) float64 { return *v }).Named("Share of trials").AsProportion(),
		scenarios.Scalar("plain", "", "the same numbers, not declared a proportion", func(v *float64) float64 { return *v }),
	},
	Theory: []scenarios.TheoryOf[ShareParams]{
		{Name: "share", Label: "the mean share", Metric: "share", Value: func(p *ShareParams) (float64, error) {
			sum := 0.0
			for _, v := range ShareRuns[p.Level] {
				sum += v
			}
			return sum / 4, nil
		}},
	},
})

// Campaign is a toy campaign both the format's and the runner's tests use: two sweep
// axes, three replications, two plots (one with theory, one of two metrics).
const Campaign = `kind: toy
name: campaign
seed: 42
replications: 3
params:
  peers: 20
sweep:
  upload: [1Mbps, 2Mbps]
  file: [1Mbit, 4Mbit, 8Mbit]
plots:
  - name: time
    x: file
    y: time_s
    series: upload
    theory: [transfer, per_peer]
  - name: draws
    x: file
    y: [time_s, draw]
    only: {upload: 2Mbps}
`
