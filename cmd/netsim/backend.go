package main

import (
	"context"
	"flag"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"netsim/scenarios"
	"netsim/scenarios/campaign"
	_ "netsim/scenarios/kinds" // registers every kind
)

// backend is the engine over packages scenarios and campaign: the only code of the
// command that knows their API. It names no kind: the kinds, and the tools they add to
// the command line, come through the kind table.
type backend struct{}

func (backend) Version() string { return campaign.Version }

func (backend) Load(nameOrPath string, limits []string) (scenario, error) {
	s, err := scenarios.LoadWith(nameOrPath, scenarios.ParseOptions{Limits: limits})
	if err != nil {
		return nil, err
	}
	return loaded{s}, nil
}

func (backend) Builtins() []entry {
	var out []entry
	for _, b := range scenarios.Builtins() {
		out = append(out, entry{b.Name, b.Description})
	}
	return out
}

func (backend) Kinds() []entry {
	var out []entry
	for _, k := range scenarios.Kinds() {
		out = append(out, entry{k.Name(), k.Summary()})
	}
	return out
}

func (backend) Run(ctx context.Context, s scenario, opts runOptions) (runCounts, error) {
	sc := s.(loaded).s
	var subset *campaign.Subset
	switch {
	case opts.Shards > 0:
		subset = &campaign.Subset{Shard: opts.Shard, Of: opts.Shards}
	case len(opts.RunIndices) > 0:
		subset = campaign.RunIndices(opts.RunIndices)
	}
	// Until the campaign ends, the counts are those of the runner's last progress report,
	// so that they are right when it is interrupted.
	var (
		mu     sync.Mutex
		counts = runCounts{Total: len(subset.Indices(sc.NumRuns()))}
	)
	res, err := campaign.Run(ctx, sc, campaign.RunOptions{
		OutDir:  opts.OutDir,
		Workers: opts.Workers,
		Force:   opts.Force,
		Subset:  subset,
		Warn: func(p campaign.JournalProblem) {
			if opts.Warn != nil {
				opts.Warn(p.String())
			}
		},
		Progress: func(p campaign.CampaignProgress) {
			c := runCounts{Total: p.Total, Done: p.Done, Skipped: p.Skipped}
			for _, r := range p.Running {
				c.Events += r.Sim.Events
				c.EventsPerSec += r.Sim.EventsPerSec
			}
			mu.Lock()
			counts = c
			mu.Unlock()
			if opts.Progress != nil {
				opts.Progress(c)
			}
		},
	})
	mu.Lock()
	defer mu.Unlock()
	if err == nil {
		counts = runCounts{Total: len(res.Runs), Done: len(res.Runs), Skipped: res.Skipped, Stopped: res.Stopped()}
	}
	return counts, err
}

func (backend) Merge(dirs []string, opts mergeOptions) (string, int, error) {
	res, err := campaign.Merge(dirs, campaign.MergeOptions{OutDir: opts.OutDir, Force: opts.Force})
	if err != nil {
		return "", 0, err
	}
	return res.Name, len(res.Runs), nil
}

// loaded is a *scenarios.Scenario as the commands see it.
type loaded struct{ s *scenarios.Scenario }

func (l loaded) Name() string           { return l.s.Name }
func (l loaded) Description() string    { return l.s.Description }
func (l loaded) Runs() int              { return l.s.NumRuns() }
func (l loaded) Set(kv ...string) error { return l.s.Set(kv...) }
func (l loaded) SetSeed(seed uint64)    { l.s.Seed = seed }
func (l loaded) SetCapture(pcap, msc []string) error {
	return l.s.SetCapture(pcap, msc)
}
func (l loaded) Resolved() ([]byte, error) { return l.s.Resolved() }

// Notes are what the run command tells the user about the overrides: the plots a --set
// left with nothing to show.
func (l loaded) Notes() []string { return l.s.DroppedPlots }

// OutDir names the folder through scenarios.JoinName, the one function by which a
// name in a file becomes a path.
func (l loaded) OutDir(part string) (string, error) {
	name := l.s.Name
	if part != "" {
		name += "-" + part
	}
	return scenarios.JoinName("out", name)
}

func (backend) Plot(dir, plotsFile string) ([]string, error) { return campaign.Replot(dir, plotsFile) }

func (backend) RunList(s scenario) [][]string { return campaign.RunList(s.(loaded).s) }

func (backend) KindReference(name string) (string, bool) {
	k, ok := scenarios.LookupKind(name)
	if !ok {
		return "", false
	}
	return scenarios.Reference(k), true
}

// toolCommands makes a command of every tool the kinds offer (netsim bounds).
func toolCommands() []*command {
	var out []*command
	for _, t := range scenarios.Tools() {
		setup := t.Setup
		out = append(out, &command{
			name: t.Name, args: t.Args, summary: t.Summary, detail: t.Detail,
			setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
				run := setup(fs)
				return func(ctx context.Context, c *cli, args []string) error {
					err := run(args, c.stdout)
					if ue, ok := err.(*scenarios.UsageError); ok {
						return usagef(nil, "%s", ue.Msg)
					}
					return err
				}
			},
		})
	}
	return out
}

func (backend) Form(s scenario) []formField {
	sc := s.(loaded).s
	params := reflect.ValueOf(sc.Params).Elem()
	out := []formField{
		{Key: "replications", Value: strconv.Itoa(sc.Replications), Default: "1", Type: "integer", Unit: "runs per point",
			Allowed: "≥ 1", Help: "runs of each parameter point, each with its own seed: the 95% intervals come from them",
			Numeric: true, Lo: 1, Hi: 100, Step: 1, Number: strconv.Itoa(sc.Replications)},
		{Key: "seed", Value: strconv.FormatUint(sc.Seed, 10), Default: "1", Type: "integer",
			Help: "the campaign's master seed: each run's seed is derived from it and the run's index"},
	}
	for _, p := range sc.Kind.Params() {
		f := formField{
			Key: p.Key, Default: scenarios.FormatValue(p.Default), Unit: p.Unit, Help: p.Help,
			Choices: p.Choices, Type: scenarios.TypeName(p),
		}
		switch {
		case p.Choices != nil:
			f.Allowed = strings.Join(p.Choices, " | ")
		case p.Range != nil:
			f.Allowed = p.Range.String(p.Type)
		}
		current := params.FieldByIndex(p.Index).Interface()
		f.Value = scenarios.FormatValue(current)
		if i := sc.AxisIndex(p.Key); i >= 0 {
			f.Swept = true
			f.Value = scenarios.FormatValue(sc.Sweep[i].Values)
		}
		sliderOf(&f, p, current)
		out = append(out, f)
	}
	return out
}

// sliderOf makes f a slider if its parameter is a number, or a number with a unit
// (10Mbps, 256KiB, 10ms): from 0 (or the range's low end) to ten times the value or
// the default, or the range's high end.
func sliderOf(f *formField, p scenarios.Param, current any) {
	if f.Choices != nil || f.Swept {
		return
	}
	num, suffix := splitNumber(f.Value)
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return
	}
	k := reflect.TypeOf(current).Kind()
	integer := k >= reflect.Int && k <= reflect.Uint64
	if !integer && k != reflect.Float64 && k != reflect.Float32 && suffix == "" {
		return
	}
	lo, hi := 0.0, 10*math.Max(math.Abs(v), 1)
	if d, err := strconv.ParseFloat(strings.TrimSuffix(f.Default, suffix), 64); err == nil && 10*d > hi {
		hi = 10 * d
	}
	if p.Range != nil {
		if !math.IsInf(p.Range.Lo, 0) {
			lo = p.Range.Lo
		}
		if !math.IsInf(p.Range.Hi, 0) && p.Range.Hi < 1e6*math.Max(math.Abs(v), 1) {
			hi = p.Range.Hi
		}
	}
	if v < lo || v > hi {
		return
	}
	if integer {
		f.Step = 1
	}
	f.Numeric, f.Lo, f.Hi, f.Number, f.Suffix = true, lo, hi, num, suffix
}

// splitNumber splits "10Mbps" into "10" and "Mbps", "0.5" into "0.5" and "".
func splitNumber(s string) (num, suffix string) {
	i := 0
	for i < len(s) && strings.ContainsRune("0123456789.+-eE", rune(s[i])) {
		// An e starts a unit unless a digit or sign follows it ("1e3" against "5ms"
		// has no e; "1e" alone is a unit).
		if (s[i] == 'e' || s[i] == 'E') && (i+1 >= len(s) || !strings.ContainsRune("0123456789+-", rune(s[i+1]))) {
			break
		}
		i++
	}
	return s[:i], s[i:]
}

func (backend) Figures(s scenario) []figureInfo {
	sc := s.(loaded).s
	var out []figureInfo
	for _, p := range sc.Plots {
		title, x, y := campaign.Labels(sc, p)
		out = append(out, figureInfo{Name: p.Name, Title: title, XLabel: x, YLabel: y, XLog: p.XLog, YLog: p.YLog})
	}
	return out
}
