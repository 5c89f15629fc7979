// Package scenarios is the scenario file format: YAML decoded strictly, with units;
// sweeps and replications; the interface of the kind table through which each protocol
// model binds its parameters, metrics and theory to the format; errors located in the
// file; and the built-in scenarios, embedded. It imports no app: the kinds live in
// scenarios/kinds, and running a campaign is scenarios/campaign's.
package scenarios

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"netsim/sim"
	"netsim/topology"
)

// A Kind is one protocol model as a scenario type: `kind: filedist` in a file. It is
// what the format and the campaign see of a Decl, which is how kinds are written.
type Kind interface {
	// Name is the value of `kind:` in a scenario file.
	Name() string
	// Summary is one line for `netsim kinds`.
	Summary() string
	// Params is the parameter table: every key a file may set, in declaration order.
	Params() []Param
	// NewParams returns a pointer to a new params struct holding the defaults.
	NewParams() any
	// Check validates params after decoding: the table's ranges and choices, then the
	// kind's own rules. It returns *FieldErrors naming the keys (joined), or nil.
	Check(params any) error
	// Metrics lists the scalars Run reports, in the column order of runs.csv; Samples
	// the per-run sample sets (samples.csv); Series the per-run time series (series.csv).
	Metrics() []Metric
	Samples() []Metric
	Series() []Metric
	// Theory lists the analytic results this kind is held against.
	Theory() []Theory
	// Run runs one simulation. It must be a pure function of params and env.Seed.
	Run(ctx context.Context, params any, env RunEnv) (Outcome, error)
	// Sections says whether the kind runs on a file's topology: and follows its
	// schedule:.
	Sections() (topology, schedule bool)
	// Deploy says which hosts of the platform t run the kind's programs, for params,
	// or why t cannot serve (a *FieldError keyed by the file's path, e.g. "topology").
	// With t nil it deploys on the kind's default platform. The format calls it on
	// every point before anything runs.
	Deploy(params any, t *Topology) (Deployment, error)
	// Tools are the commands the kind adds to netsim's command line.
	Tools() []Tool
	// Size estimates what one run of params creates (hosts, flows, requests) and the
	// virtual times it computes, on the file's topology t or, if nil, the kind's own
	// platform, for validation to hold against the limits; SizeHelp says how, for
	// show-config.
	Size(params any, t *Topology) RunSize
	SizeHelp() string
}

// Metric describes one thing a run reports: a scalar, a sample set or a time series.
type Metric struct {
	Name string // snake_case, e.g. "distribution_time_s"; unique among a kind's readings
	Unit string // "s", "B", "" for a count or ratio
	Help string
	// Optional: a run may have no value (a page load time when the page did not load
	// whole). Its reading returns NaN, an empty cell of runs.csv; summary.csv leaves
	// the run out of the metric's statistics and counts it in <name>_excluded.
	Optional bool
	// Label names the metric on axes and in legends ("Page load time"); "" for one
	// made from Name (see Title).
	Label string
	// Proportion says that every value is a fraction in [0, 1] (a hit ratio, a share
	// of requests): its interval is the Wilson interval, which stays inside [0, 1].
	Proportion bool
}

// Title is the metric's name for a reader: its Label, or else its Name in words
// ("distribution_time_s" is "Distribution time").
func (m Metric) Title() string {
	if m.Label != "" {
		return m.Label
	}
	return Words(m.Name, m.Unit)
}

// Words turns a snake_case key into a phrase for a reader: underscores become spaces, a
// last word that only repeats the unit goes ("page_load_s" in s is "Page load"), and
// the first letter is a capital.
func Words(key, unit string) string {
	words := strings.FieldsFunc(key, func(r rune) bool { return r == '_' || r == '.' })
	if n := len(words); n > 1 && unit != "" && words[n-1] == strings.ToLower(unit) {
		words = words[:n-1]
	}
	s := strings.Join(words, " ")
	if s == "" {
		return s
	}
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[size:]
}

// TimeSeries is one run's curve of a variable against virtual time, in seconds.
type TimeSeries struct {
	Time, Value []float64 // of equal length, Time non-decreasing
}

// Outcome is what one run reported, by reading name: every scalar, sample set and
// series its kind declares.
type Outcome struct {
	Values  map[string]float64
	Samples map[string][]float64
	Series  map[string]TimeSeries
}

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
	// Topology is the run's platform: the file's topology: section or, for a file
	// without one, the kind's default built from the params (Decl.Platform), so that
	// both are run by the same code. Schedule is the file's schedule:, nil if none.
	Topology *Topology
	Schedule *Schedule
	// Deployment is which host runs which of the kind's programs (Decl.Deploy).
	Deployment Deployment
	// Attach, if not nil, is called with the run's stack once its network is built and
	// before anything runs (scenarios.NewPlatform does it): it is where a capture taps
	// hosts.
	Attach func(*topology.Stack) error
}

// Streams returns the run's named random streams.
func (e RunEnv) Streams() sim.Streams { return sim.NewStreams(e.Seed) }

// FieldError is a problem with one key of a scenario: the format turns it into
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

// Decl declares a kind: its parameters are the tagged fields of P (see Param for the
// tags), its readings are read from R, what its Run (or Boot's collect) returns.
// Everything the format, the campaign, show-config and the figures know of the kind
// comes from here, so each name, unit, default and range is written once.
type Decl[P, R any] struct {
	Name, Summary string
	// Check adds the rules that no single parameter's tags can say (warmup below
	// requests, slots at most peers); nil if there are none.
	Check func(p *P) error
	Run   func(ctx context.Context, p *P, env RunEnv) (R, error)
	// Boot is Run for a kind that runs on a platform, which is every kind's shape: the
	// format builds the run's platform (NewPlatform), Boot starts the kind's programs
	// on it (Platform.Boot), the format runs it (Platform.Run) and then calls collect,
	// which reads the programs' measurements into R. A kind sets Run or Boot.
	Boot func(p *P, pl *Platform) (collect func() (R, error), err error)
	// Metrics are made with Scalar, Sample, Series and Events: each names a reading and
	// says how it is read from R (or the platform), so a name is typed once and a
	// missing one cannot happen.
	Metrics []Reading[R]
	Theory  []TheoryOf[P]
	// Tools are commands the kind adds to netsim's command line (filedist: bounds).
	Tools []Tool
	// Topology and Schedule say whether the kind runs on a file's topology: section
	// and follows its schedule:. A kind that does not refuses them, so that nothing a
	// file says is silently ignored.
	Topology, Schedule bool
	// Platform builds the kind's default topology from the params, for a file without
	// a topology: section (env gives the run's streams, for rates drawn per run). The
	// params tagged platform:"" are the ones it reads, which a file with its own
	// topology: may not set.
	Platform func(p *P, env *RunEnv) *Topology
	// Deploy places the kind's programs on the hosts of t, by role, or returns a
	// *FieldError keyed by the file's path ("topology") saying why t cannot serve
	// (filedist on a topology without a host named server). It runs on the file's
	// topology: before anything runs, and on every run's platform. The format refuses
	// a deployment that places a program on a host t does not have, naming the host and
	// its role, before the kind's own reasons.
	Deploy func(p *P, t *Topology) (Deployment, error)

	// Size estimates what one run of p creates and the virtual times it computes (see
	// RunSize), so that validation refuses a point the machine cannot run, or whose
	// times overflow, before anything runs; SizeHelp says how it counts, for
	// show-config. nil: the kind creates nothing worth counting. t is the file's
	// topology: section, on which the run's hosts, roles and rates are counted (its
	// deployment already checked, blamed on the key "topology"); nil for the kind's
	// default platform, which p describes.
	Size     func(p *P, t *Topology) RunSize
	SizeHelp string
}

// Reading is one metric of a Decl and how it is read from a run's result.
type Reading[R any] struct {
	Metric
	shape  shape
	scalar func(*R) float64
	sample func(*R) []float64
	series func(*R) TimeSeries
}

type shape int

const (
	scalarShape shape = iota
	sampleShape
	seriesShape
	eventsShape // a scalar the format reads from the platform
)

// Scalar declares a number per run, a column of runs.csv and summary.csv.
func Scalar[R any](name, unit, help string, read func(*R) float64) Reading[R] {
	return Reading[R]{Metric: Metric{Name: name, Unit: unit, Help: help}, shape: scalarShape, scalar: read}
}

// Events declares the scalar "events", the kernel events of the run's platform, which
// the format counts itself: a kind with Boot only places it among its metrics.
func Events[R any]() Reading[R] {
	return Reading[R]{Metric: Metric{Name: "events", Help: "kernel events in the run"}, shape: eventsShape}
}

// Optional marks a scalar that a run may not have (see Metric.Optional).
func (r Reading[R]) Optional() Reading[R] {
	r.Metric.Optional = true
	return r
}

// Named gives the reading a label for axes and legends (see Metric.Title).
func (r Reading[R]) Named(label string) Reading[R] {
	r.Label = label
	return r
}

// AsProportion declares that the reading is a fraction in [0, 1], summarised with the
// Wilson interval.
func (r Reading[R]) AsProportion() Reading[R] {
	r.Proportion = true
	return r
}

// Sample declares a sample set per run (one value per peer, request, lookup): rows of
// samples.csv, drawn by cdf, pdf and histogram figures.
func Sample[R any](name, unit, help string, read func(*R) []float64) Reading[R] {
	return Reading[R]{Metric: Metric{Name: name, Unit: unit, Help: help}, shape: sampleShape, sample: read}
}

// Series declares a time series per run: rows of series.csv, drawn by timeseries
// figures.
func Series[R any](name, unit, help string, read func(*R) TimeSeries) Reading[R] {
	return Reading[R]{Metric: Metric{Name: name, Unit: unit, Help: help}, shape: seriesShape, series: read}
}

// TheoryOf is an analytic result of a Decl, evaluated on its typed params.
type TheoryOf[P any] struct {
	Name, Label, Metric string
	Value               func(p *P) (float64, error)
}

// declared is a Decl as a Kind.
type declared[P, R any] struct {
	d                        Decl[P, R]
	params                   []Param
	defaults                 *P
	metrics, samples, series []Metric
	theory                   []Theory
}

var (
	kindsMu sync.RWMutex
	kinds   = map[string]Kind{}
)

// Register makes the kind d available to scenario files. It panics on a duplicate name,
// a bad tag, a default outside its range or a reading named twice: bugs in the kind,
// found by any test that imports it.
func Register[P, R any](d Decl[P, R]) Kind {
	k := &declared[P, R]{d: d}
	pt := reflect.TypeFor[P]()
	if pt.Kind() != reflect.Struct {
		panic("scenarios: kind " + d.Name + ": params must be a struct, not " + pt.String())
	}
	var err error
	if k.params, err = paramTable(pt); err != nil {
		panic("scenarios: kind " + d.Name + ": " + err.Error())
	}
	k.defaults = new(P)
	if err := setDefaults(reflect.ValueOf(k.defaults).Elem(), k.params); err != nil {
		panic("scenarios: kind " + d.Name + ": " + err.Error())
	}
	if err := k.Check(k.defaults); err != nil {
		panic("scenarios: kind " + d.Name + ": the defaults fail their own checks: " + err.Error())
	}
	seen := map[string]bool{}
	for _, m := range d.Metrics {
		if seen[m.Name] {
			panic("scenarios: kind " + d.Name + ": reading " + m.Name + " declared twice")
		}
		seen[m.Name] = true
		if m.Proportion && m.Unit != "" {
			panic("scenarios: kind " + d.Name + ": reading " + m.Name + " is a proportion, which has no unit, not " + m.Unit)
		}
		if m.shape == eventsShape && d.Boot == nil {
			panic("scenarios: kind " + d.Name + ": reading events is counted on the platform of a kind with Boot")
		}
		switch m.shape {
		case scalarShape, eventsShape:
			k.metrics = append(k.metrics, m.Metric)
		case sampleShape:
			k.samples = append(k.samples, m.Metric)
		case seriesShape:
			k.series = append(k.series, m.Metric)
		}
	}
	for _, t := range d.Theory {
		if !seen[t.Metric] {
			panic("scenarios: kind " + d.Name + ": theory " + t.Name + " is of " + t.Metric + ", which the kind does not report")
		}
		value := t.Value
		k.theory = append(k.theory, Theory{Name: t.Name, Label: t.Label, Metric: t.Metric,
			Value: func(params any) (float64, error) { return value(params.(*P)) }})
	}
	if (d.Run == nil) == (d.Boot == nil) {
		panic("scenarios: kind " + d.Name + ": set one of Run and Boot")
	}
	kindsMu.Lock()
	defer kindsMu.Unlock()
	if _, dup := kinds[d.Name]; dup {
		panic("scenarios: kind registered twice: " + d.Name)
	}
	kinds[d.Name] = k
	return k
}

func (k *declared[P, R]) Name() string      { return k.d.Name }
func (k *declared[P, R]) Summary() string   { return k.d.Summary }
func (k *declared[P, R]) Params() []Param   { return k.params }
func (k *declared[P, R]) Metrics() []Metric { return k.metrics }
func (k *declared[P, R]) Samples() []Metric { return k.samples }
func (k *declared[P, R]) Series() []Metric  { return k.series }
func (k *declared[P, R]) Theory() []Theory  { return k.theory }
func (k *declared[P, R]) Tools() []Tool     { return k.d.Tools }
func (k *declared[P, R]) Sections() (bool, bool) {
	return k.d.Topology, k.d.Schedule
}

func (k *declared[P, R]) NewParams() any { return CopyParams(k.defaults) }

func (k *declared[P, R]) Deploy(params any, t *Topology) (Deployment, error) {
	p := params.(*P)
	if t == nil && k.d.Platform != nil {
		t = k.d.Platform(p, &RunEnv{})
	}
	if k.d.Deploy == nil || t == nil {
		return nil, nil
	}
	return k.deploy(p, t)
}

// deploy is the kind's Deploy on t, with an error first for each host it places that t
// does not have.
func (k *declared[P, R]) deploy(p *P, t *Topology) (Deployment, error) {
	dep, err := k.d.Deploy(p, t)
	if missing := dep.missing(k.d.Name, t); len(missing) > 0 {
		return dep, errors.Join(append(missing, err)...)
	}
	return dep, err
}

func (k *declared[P, R]) Size(params any, t *Topology) RunSize {
	if k.d.Size == nil {
		return RunSize{}
	}
	return k.d.Size(params.(*P), t)
}

func (k *declared[P, R]) SizeHelp() string { return k.d.SizeHelp }

func (k *declared[P, R]) Check(params any) error {
	p := params.(*P)
	errs := checkTable(reflect.ValueOf(p).Elem(), k.params)
	if k.d.Check != nil {
		errs = append(errs, flatten(k.d.Check(p))...)
	}
	return joinErrors(errs)
}

func (k *declared[P, R]) Run(ctx context.Context, params any, env RunEnv) (Outcome, error) {
	p := params.(*P)
	if env.Topology == nil && k.d.Platform != nil {
		env.Topology = k.d.Platform(p, &env)
	}
	if env.Deployment == nil && k.d.Deploy != nil && env.Topology != nil {
		dep, err := k.deploy(p, env.Topology)
		if err != nil {
			return Outcome{}, err
		}
		env.Deployment = dep
	}
	var r R
	var events uint64
	var err error
	if k.d.Boot != nil {
		r, events, err = k.boot(ctx, p, env)
	} else {
		r, err = k.d.Run(ctx, p, env)
	}
	if err != nil {
		return Outcome{}, err
	}
	out := Outcome{Values: map[string]float64{}}
	for _, m := range k.d.Metrics {
		switch m.shape {
		case scalarShape:
			out.Values[m.Name] = m.scalar(&r)
		case eventsShape:
			out.Values[m.Name] = float64(events)
		case sampleShape:
			if out.Samples == nil {
				out.Samples = map[string][]float64{}
			}
			out.Samples[m.Name] = m.sample(&r)
		case seriesShape:
			if out.Series == nil {
				out.Series = map[string]TimeSeries{}
			}
			ts := m.series(&r)
			if len(ts.Time) != len(ts.Value) {
				return Outcome{}, fmt.Errorf("kind %s: series %s has %d times and %d values", k.d.Name, m.Name, len(ts.Time), len(ts.Value))
			}
			out.Series[m.Name] = ts
		}
	}
	return out, nil
}

// boot runs a kind with Boot: its platform built, its programs booted, run, and its
// result collected, with the kernel events of the run.
func (k *declared[P, R]) boot(ctx context.Context, p *P, env RunEnv) (R, uint64, error) {
	var none R
	pl, err := NewPlatform(env)
	if err != nil {
		return none, 0, err
	}
	collect, err := k.d.Boot(p, pl)
	if err != nil {
		return none, 0, err
	}
	if err := pl.Run(ctx); err != nil {
		return none, 0, err
	}
	r, err := collect()
	return r, pl.Kernel.Events(), err
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

// ParamByKey returns k's parameter key (dotted for a nested one).
func ParamByKey(k Kind, key string) (Param, bool) {
	for _, p := range k.Params() {
		if p.Key == key {
			return p, true
		}
	}
	return Param{}, false
}

// MetricByName finds a reading of k of any shape, and says which list holds it:
// "metric", "sample" or "series".
func MetricByName(k Kind, name string) (Metric, string, bool) {
	for _, l := range []struct {
		what string
		ms   []Metric
	}{{"metric", k.Metrics()}, {"sample", k.Samples()}, {"series", k.Series()}} {
		for _, m := range l.ms {
			if m.Name == name {
				return m, l.what, true
			}
		}
	}
	return Metric{}, "", false
}
