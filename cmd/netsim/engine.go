package main

import "context"

// engine is everything the commands need from the rest of netsim: the scenario format
// and the campaign runner. backend.go implements it over those
// packages, and is the only file that knows their API; the tests drive the commands
// through it too, or through a fake where they check the command line itself.
type engine interface {
	Version() string
	// Load reads a scenario file, or a built-in scenario by name.
	Load(nameOrPath string) (scenario, error)
	Builtins() []entry
	Kinds() []entry
	// Run runs a campaign. It returns the counts so far along with any error, also when
	// ctx is cancelled part way.
	Run(ctx context.Context, s scenario, opts runOptions) (runCounts, error)
	// Merge joins the output folders of parts of one campaign into opts.OutDir, as one
	// run of the whole campaign would have written it, and returns the campaign's name
	// and number of runs.
	Merge(dirs []string, opts mergeOptions) (name string, runs int, err error)
	// Plot redraws the figures of the output folder dir from its CSV files, those of
	// the manifest's scenario or, if plotsFile is not "", those of plotsFile, and
	// returns their names.
	Plot(dir, plotsFile string) ([]string, error)
	// RunList is the runs of s: a header row, then run, point, replication, seed and
	// the point's variant and parameter values for each.
	RunList(s scenario) [][]string
	// KindReference describes the kind named name: every parameter and metric with
	// units and defaults; false if there is no such kind.
	KindReference(name string) (string, bool)
	// Form is the parameters of s as netsim serve's form shows them, in the kind's
	// order, with their values in s.
	Form(s scenario) []formField
	// Figures is the figures s draws, in the file's order.
	Figures(s scenario) []figureInfo
}

// formField is one parameter of a scenario on netsim serve's form.
type formField struct {
	Key     string // dotted params key, as --set takes it
	Value   string // the value in the scenario, as a file writes it; a list if swept
	Default string // the kind's default
	Type    string // "rate", "size", "duration", "integer", ...
	Unit    string // of a plain number; rates, sizes and durations carry theirs
	Allowed string // the range or choices, "" for any
	Choices []string
	Help    string
	Swept   bool // Value is the sweep's list of values
	// Numeric fields get a slider over [Lo, Hi] in steps of Step; Suffix is the unit
	// written after the slider's number ("Mbps" for a rate of "10Mbps").
	Numeric        bool
	Lo, Hi, Step   float64
	Number, Suffix string
}

// figureInfo is one figure a scenario draws: the base name of its files in the
// output folder, and how it is labelled.
type figureInfo struct {
	Name, Title, XLabel, YLabel string
	XLog, YLog                  bool
}

// scenario is a loaded, valid scenario.
type scenario interface {
	Name() string
	Description() string
	// Runs is the number of runs in the campaign: sweep points × replications.
	Runs() int
	// Set overrides keys, "params.peers=10" or "seed=7", as --set does: all of them,
	// then checks the result once.
	Set(keyValues ...string) error
	SetSeed(seed uint64)
	// SetCapture sets the hosts each run writes as pcap files and draws on its
	// sequence chart (nil leaves the file's capture: list as it is), as --pcap and
	// --msc do.
	SetCapture(pcap, msc []string) error
	// Resolved is the scenario as YAML with every default written out.
	Resolved() ([]byte, error)
}

// entry is one line of `netsim list`.
type entry struct{ Name, Description string }

type runOptions struct {
	OutDir  string
	Workers int
	Force   bool // rerun runs already in OutDir
	// Shard of Shards (1 ≤ Shard ≤ Shards), or the RunIndices, is the part of the
	// campaign to run; none of them set: every run.
	Shard, Shards int
	RunIndices    []int
	Progress      func(runCounts)
}

type mergeOptions struct {
	OutDir string
	Force  bool // write into a folder that holds another campaign or other files
}

// runCounts says how far a campaign has got.
type runCounts struct {
	Total   int // runs in the campaign, or in the part of it run
	Done    int // runs finished, including those skipped
	Skipped int // runs found already done in the output folder
	// Of the runs in flight: kernel events so far and their rate, summed over the runs
	// (0 when none has reported yet).
	Events       uint64
	EventsPerSec float64
}
