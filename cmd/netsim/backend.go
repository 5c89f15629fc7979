package main

import (
	"context"
	"flag"
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

func (l loaded) Name() string              { return l.s.Name }
func (l loaded) Runs() int                 { return l.s.NumRuns() }
func (l loaded) Set(kv ...string) error    { return l.s.Set(kv...) }
func (l loaded) SetSeed(seed uint64)       { l.s.Seed = seed }
func (l loaded) Resolved() ([]byte, error) { return l.s.Resolved() }

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
