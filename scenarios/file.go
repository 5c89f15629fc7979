package scenarios

import (
	"fmt"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Scenario is a parsed, valid scenario file: a kind, its params, a sweep, replications
// and plots. Build one with Parse or Load, adjust it with Set, run it with Run.
type Scenario struct {
	File         string // as given to Parse, for messages
	Kind         Kind
	Name         string
	Description  string
	Seed         uint64 // master seed; each run's seed is RunSeed(Seed, run index)
	Replications int    // runs per sweep point, >= 1
	// Params is the kind's params struct (a pointer, as from NewParams): the defaults
	// overlaid with the file's params and any Set. Swept keys take their values from
	// Sweep, point by point.
	Params any
	Sweep  []Axis // in file order; the last axis varies fastest
	// Variants are crossed with the sweep, outermost: each variant's overrides, then
	// every sweep point.
	Variants []Variant
	// Topology and Schedule are the file's platform and its changes, nil if it gives
	// none (the kind's own network then).
	Topology *Topology
	Schedule *Schedule
	Plots    []Plot
	// DroppedPlots says which plots a --set left with nothing to show, and why
	// (Set takes them out of Plots).
	DroppedPlots []string
	// Limits are the file's limits: (the defaults, then the file's, then those of
	// ParseOptions.Limits), which validation holds the campaign to and each run stops at.
	Limits Limits
	// Capture is the file's capture: section (or --pcap and --msc), nil for none.
	Capture *Capture

	src *source
	// topologyNode and scheduleNode are the sections as the file wrote them (a
	// topology file's content in place of its name), for the resolved scenario.
	topologyNode, scheduleNode *yaml.Node
	keys                       map[string][2]*yaml.Node // dotted file path -> key and value nodes
	setArgs                    map[string]string        // params key -> the --set argument that set it
	hasLines                   bool                     // false for a scenario not read from text
}

// Axis is one swept parameter.
type Axis struct {
	Key    string // dotted params key, e.g. "server.upload"
	Values []any  // each of the field's own type, e.g. units.Rate
	nodes  []*yaml.Node
	// keyNode is the axis's key in the file, nil for an axis --set made.
	keyNode *yaml.Node
	setArg  string // the --set argument that replaced the file's list, if any
}

// fileSpec is the top level of a scenario file; params, sweep and plots' only depend on
// the kind and are decoded in a second step.
type fileSpec struct {
	Kind         string     `yaml:"kind"`
	Name         string     `yaml:"name"`
	Description  string     `yaml:"description"`
	Seed         uint64     `yaml:"seed"`
	Replications int        `yaml:"replications"`
	Params       yaml.Node  `yaml:"params"`
	Sweep        yaml.Node  `yaml:"sweep"`
	Variants     yaml.Node  `yaml:"variants"`
	Topology     yaml.Node  `yaml:"topology"`
	Schedule     yaml.Node  `yaml:"schedule"`
	Limits       yaml.Node  `yaml:"limits"`
	Plots        []plotSpec `yaml:"plots"`
	Capture      yaml.Node  `yaml:"capture"`
}

// ParseOptions are what the command line adds to a file before it is checked.
type ParseOptions struct {
	// Limits are `--limit key=value` arguments (and --max-runs N as runs=N), applied
	// over the file's limits: before anything is checked against them.
	Limits []string
}

var yamlLineError = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// Parse parses and validates a scenario file. filename is used in messages only. Every
// problem in the file is reported, each as an *Error, joined in an Errors; nothing is
// valid until the whole file is, including every sweep point's params under the kind's
// Check.
func Parse(filename string, data []byte) (*Scenario, error) {
	return ParseWith(filename, data, ParseOptions{})
}

// ParseWith is Parse with the command line's options.
func ParseWith(filename string, data []byte, opts ParseOptions) (*Scenario, error) {
	if len(data) > MaxFileBytes { // before its lines are split, which copies it
		return nil, Errors{{File: filename, Reason: errTooLarge.Error()}}
	}
	src := newSource(filename, data)
	root, perr := src.parseYAML(data)
	if perr != nil {
		return nil, Errors{perr}
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 {
		return nil, Errors{src.errorAt(0, 0, "", "empty scenario: a file needs at least kind:, e.g. kind: filedist")}
	}
	d := newDecoder(src)
	d.checkDuplicates(root, "")
	d.checkTags(root, "")
	if len(d.errs) > 0 {
		return nil, sortErrors(d.errs)
	}
	doc := root.Content[0]
	spec := fileSpec{Seed: 1, Replications: 1}
	if doc.Kind != yaml.MappingNode {
		d.fail(doc, "", "want a mapping of keys (kind, params, sweep, ...), got %s", describe(doc))
		return nil, d.errs
	}
	d.decode(doc, reflect.ValueOf(&spec).Elem(), "")

	s := &Scenario{
		File: filename, Name: spec.Name, Description: spec.Description,
		Seed: spec.Seed, Replications: spec.Replications, Limits: DefaultLimits(),
		src: src, keys: d.keys, setArgs: map[string]string{}, hasLines: true,
	}
	if s.Replications < 1 {
		if kv, ok := d.keys["replications"]; ok {
			d.fail(kv[1], "replications", "must be at least 1, got %d", s.Replications)
		}
	}
	switch kv, named := d.keys["name"]; {
	case !named:
		if s.Name = nameFromFile(filename); s.Name == "" {
			d.errs = append(d.errs, src.errorAt(0, 0, "name", "missing, and the file's name %q makes none: give the scenario a name:, which names its output folder", filepath.Base(filename)))
		}
	default:
		if err := CheckFileName(s.Name); err != nil {
			d.fail(kv[1], "name", "%s (it names the output folder, out/<name>)", err)
		}
	}
	d.decodeLimits(&spec.Limits, &s.Limits)
	for _, arg := range opts.Limits {
		if e := setLimit(&s.Limits, arg); e != nil {
			d.errs = append(d.errs, e)
		}
	}
	d.limits = &s.Limits
	kv, ok := d.keys["kind"]
	switch {
	case !ok:
		d.errs = append(d.errs, src.errorAt(0, 0, "kind", "missing: every scenario names its kind, e.g. kind: filedist (kinds: %s)", kindNames()))
	default:
		if s.Kind, ok = LookupKind(spec.Kind); !ok {
			d.fail(kv[1], "kind", "unknown kind %q (kinds: %s)", spec.Kind, kindNames())
		}
	}
	if s.Kind == nil {
		return nil, sortErrors(d.errs)
	}

	s.Params = s.Kind.NewParams()
	d.randomHint = randomHint(s.Kind)
	if spec.Params.Kind != 0 {
		d.decode(&spec.Params, reflect.ValueOf(s.Params).Elem(), "params")
	}
	s.Sweep = d.decodeSweep(&spec.Sweep, s)
	s.Variants = d.decodeVariants(&spec.Variants, s)
	d.decodeSections(&spec.Topology, &spec.Schedule, s)
	d.decodeCapture(&spec.Capture, s)
	s.Plots = d.decodePlots(spec.Plots, s)
	if len(d.errs) > 0 {
		return nil, sortErrors(d.errs)
	}
	if err := s.Check(); err != nil {
		return nil, err
	}
	return s, nil
}

// yamlSyntaxError turns yaml.v3's "yaml: line N: reason" into an *Error at that line.
func yamlSyntaxError(src *source, err error) *Error {
	msg := err.Error()
	line := 0
	if m := yamlLineError.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	e := src.errorAt(line, 0, "", "invalid YAML: %s", msg)
	if strings.Contains(e.Source, "\t") {
		e.Reason += " (a tab: YAML indents with spaces only)"
	}
	return e
}

func sortErrors(es Errors) Errors {
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].Line == 0 || es[j].Line == 0 {
			return es[i].Line == 0 && es[j].Line != 0
		}
		return es[i].Line < es[j].Line
	})
	return es
}

func kindNames() string {
	var names []string
	for _, k := range Kinds() {
		names = append(names, k.Name())
	}
	return strings.Join(names, ", ")
}

// decodeSweep decodes `sweep:`, a mapping of params keys to lists of values.
func (d *decoder) decodeSweep(n *yaml.Node, s *Scenario) []Axis {
	n = resolveAlias(n)
	if n.Kind == 0 || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		d.fail(n, "sweep", "want a mapping of parameter keys to lists of values, got %s", describe(n))
		return nil
	}
	pt := reflect.TypeOf(s.Params).Elem()
	var axes []Axis
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], resolveAlias(n.Content[i+1])
		path := "sweep." + k.Value
		_, ft, ok := fieldByPath(pt, k.Value)
		if !ok {
			d.fail(k, path, "not a parameter of kind %s (parameters: %s)", s.Kind.Name(), strings.Join(paramKeys(pt, ""), ", "))
			continue
		}
		list := reflect.New(reflect.SliceOf(ft)).Elem()
		if !d.decode(val, list, path) {
			d.markBadAxis(k.Value)
			continue
		}
		if list.Len() == 0 {
			d.fail(val, path, "empty list: sweep at least one value")
			d.markBadAxis(k.Value)
			continue
		}
		ax := Axis{Key: k.Value, keyNode: k}
		for j := range list.Len() {
			ax.Values = append(ax.Values, list.Index(j).Interface())
			ax.nodes = append(ax.nodes, resolveAlias(val.Content[j]))
		}
		if j, first := repeatedValue(ax.Values); j >= 0 {
			d.fail(ax.nodes[j], fmt.Sprintf("%s[%d]", path, j), "%s is also %s[%d]: a value swept twice would repeat its runs", FormatValue(ax.Values[j]), path, first)
			d.markBadAxis(k.Value)
			continue
		}
		axes = append(axes, ax)
	}
	return axes
}

func (d *decoder) markBadAxis(key string) {
	if d.badAxes == nil {
		d.badAxes = map[string]bool{}
	}
	d.badAxes[key] = true
}

// repeatedValue returns the index of the first value equal to an earlier one, and that
// one's index, or -1. Values are compared by their canonical text, in linear time.
func repeatedValue(values []any) (int, int) {
	seen := make(map[string]int, len(values))
	for j, v := range values {
		text := FormatValue(v)
		if first, dup := seen[text]; dup {
			return j, first
		}
		seen[text] = j
	}
	return -1, -1
}

// randomHint names the parameters of k that may be distributions, for the error of a
// distribution given where k allows none.
func randomHint(k Kind) string {
	var keys []string
	for _, p := range k.Params() {
		if p.Type.Implements(randomType) {
			keys = append(keys, p.Key)
		}
	}
	if len(keys) == 0 {
		return fmt.Sprintf(" (kind %s takes no distributions)", k.Name())
	}
	return fmt.Sprintf(" (in kind %s only %s may be one)", k.Name(), orList(keys))
}

// decodeSections decodes topology: and schedule:, which only a kind that runs on the
// file's platform takes.
func (d *decoder) decodeSections(topo, sched *yaml.Node, s *Scenario) {
	takesTopology, takesSchedule := s.Kind.Sections()
	if topo.Kind != 0 {
		if !takesTopology {
			d.fail(d.keys["topology"][0], "topology", "kind %s runs on no network and takes no topology: section", s.Kind.Name())
		} else if s.Topology = d.decodeTopology(topo); s.Topology != nil {
			s.topologyNode = topo
			if d.topologyFileNode != nil {
				s.topologyNode = d.topologyFileNode
			}
		}
	}
	if sched.Kind != 0 {
		if !takesSchedule {
			d.fail(d.keys["schedule"][0], "schedule", "kind %s runs on no network and takes no schedule: section", s.Kind.Name())
		} else if _, hasTopology := d.keys["topology"]; hasTopology && s.Topology == nil {
			return // the topology's own errors say enough
		} else if s.Schedule = d.decodeSchedule(sched, s.Topology); s.Schedule != nil {
			s.scheduleNode = sched
		}
	}
}
