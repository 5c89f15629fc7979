package main

import (
	"flag"
	"fmt"
	"strings"
)

// overrides are the flags that change a scenario before it is used: --set and --limit
// (repeatable), --max-runs and --seed. run, runs, validate and show-config share them,
// so show-config shows exactly what run would run.
type overrides struct {
	sets    []string
	limits  []string
	seed    uint64
	seedSet bool
}

func (o *overrides) define(fs *flag.FlagSet) {
	fs.Func("set", "set `key=value` in the scenario, over the file, e.g. --set peers=10 (repeatable)", func(kv string) error {
		if !strings.Contains(kv, "=") {
			return fmt.Errorf("want key=value, e.g. --set peers=100")
		}
		o.sets = append(o.sets, kv)
		return nil
	})
	o.defineLimits(fs)
	fs.Func("seed", "the campaign's master seed `N` (default: the scenario's seed:)", func(s string) error {
		var n uint64
		if _, err := fmt.Sscan(s, &n); err != nil || fmt.Sprint(n) != s {
			return fmt.Errorf("want a non-negative integer")
		}
		o.seed, o.seedSet = n, true
		return nil
	})
}

// defineLimits defines --limit and --max-runs alone, for validate.
func (o *overrides) defineLimits(fs *flag.FlagSet) {
	fs.Func("limit", "raise or set the limit `key=value` over the file's limits: (e.g. hosts=2000000, sim_time=1h, events=1000000, wall_time=10min; repeatable; see show-config)", func(kv string) error {
		o.limits = append(o.limits, kv)
		return nil
	})
	fs.Func("max-runs", "allow a campaign of up to `N` runs (the same as --limit runs=N)", func(n string) error {
		o.limits = append(o.limits, "max-runs="+n)
		return nil
	})
}

// load loads the scenario nameOrPath and applies the overrides.
func (o *overrides) load(eng engine, nameOrPath string) (scenario, error) {
	s, err := eng.Load(nameOrPath, o.limits)
	if err != nil {
		return nil, err
	}
	// All at once, so that their order does not matter: each may be invalid alone
	// (--set requests=100 before --set warmup=10).
	if len(o.sets) > 0 {
		if err := s.Set(o.sets...); err != nil {
			return nil, err
		}
	}
	if o.seedSet {
		s.SetSeed(o.seed)
	}
	return s, nil
}

// args are the overrides as command-line arguments, for a command that runs netsim
// again with them (netsim slurm).
func (o *overrides) args() []string {
	var out []string
	for _, kv := range o.sets {
		out = append(out, "--set", kv)
	}
	if o.seedSet {
		out = append(out, "--seed", fmt.Sprint(o.seed))
	}
	return out
}
