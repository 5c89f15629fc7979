// Package scenarios is the scenario file format: YAML decoded strictly, with units;
// sweeps and replications; the interface of the kind table through which each protocol
// model binds its parameters, metrics and theory to the format; errors located in the
// file; and the built-in scenarios, embedded. It imports no app: the kinds live in
// scenarios/kinds, and running a campaign is scenarios/campaign's.
package scenarios

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"netsim/sim"
)

// A Kind is one protocol model as a scenario type: `kind: filedist` in a file.
//
// Params are a pointer to a struct whose exported fields carry `yaml:"key"` and
// `help:"text"` tags; field types are bool, ints, float64, string, slices of those, the
// unit types of package units, or nested structs of the same. NewParams fills every
// default, so `netsim show-config` can print them all.
type Kind interface {
	// Name is the value of `kind:` in a scenario file.
	Name() string
	// Summary is one line for `netsim list`.
	Summary() string
	// NewParams returns a pointer to a new params struct holding the defaults.
	NewParams() any
	// Check validates params after decoding. It returns a *FieldError (or errors
	// joined from several) naming the offending key, or nil.
	Check(params any) error
	// Metrics lists what Run reports, in the column order of runs.csv.
	Metrics() []Metric
	// Theory lists the analytic results this kind is held against.
	Theory() []Theory
	// Run runs one simulation. It must be a pure function of params and env.Seed.
	Run(ctx context.Context, params any, env RunEnv) (Values, error)
}

// Metric describes one number a run reports.
type Metric struct {
	Name string // column name, snake_case, e.g. "distribution_time_s"
	Unit string // "s", "B", "" for a count or ratio
	Help string
}

// Values maps metric name to value; a run reports every metric its kind lists.
type Values map[string]float64

// Theory is an analytic result as a function of the parameters, e.g. the textbook's
// D_cs lower bound on distribution time.
type Theory struct {
	Name   string // e.g. "d_cs"
	Label  string // legend text, e.g. "D_cs (lower bound)"
	Metric string // the metric it predicts or bounds
	// Value evaluates the result for params (a pointer as from NewParams).
	Value func(params any) (float64, error)
}

// RunEnv is what a kind's Run gets besides its params.
type RunEnv struct {
	Seed     uint64 // the run's own seed, derived from (master seed, run index)
	RunIndex int
	// Progress, if not nil, may be set as the kernel's progress hook.
	Progress func(sim.Progress)
}

// FieldError is a problem with one key of a scenario: the runner turns it into
// "file:line: key: reason" with the offending line shown.
type FieldError struct {
	Key    string // dotted path below params, e.g. "peers" or "server.upload"
	Reason string
}

func (e *FieldError) Error() string { return fmt.Sprintf("%s: %s", e.Key, e.Reason) }

// Errorf returns a *FieldError for key.
func Errorf(key, format string, args ...any) *FieldError {
	return &FieldError{Key: key, Reason: fmt.Sprintf(format, args...)}
}

var (
	kindsMu sync.RWMutex
	kinds   = map[string]Kind{}
)

// Register makes a kind available to scenario files. It panics on a duplicate name,
// which is a programming error.
func Register(k Kind) {
	kindsMu.Lock()
	defer kindsMu.Unlock()
	if _, dup := kinds[k.Name()]; dup {
		panic("scenarios: kind registered twice: " + k.Name())
	}
	kinds[k.Name()] = k
}

// LookupKind returns the kind named name.
func LookupKind(name string) (Kind, bool) {
	kindsMu.RLock()
	defer kindsMu.RUnlock()
	k, ok := kinds[name]
	return k, ok
}

// Kinds returns every registered kind, sorted by name.
func Kinds() []Kind {
	kindsMu.RLock()
	defer kindsMu.RUnlock()
	out := make([]Kind, 0, len(kinds))
	for _, k := range kinds {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out
}

// TheoryByName returns k's theory named name; Parse has checked that it exists.
func TheoryByName(k Kind, name string) Theory {
	for _, t := range k.Theory() {
		if t.Name == name {
			return t
		}
	}
	panic("scenarios: theory " + name + " was checked when parsed")
}
