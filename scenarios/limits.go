package scenarios

import (
	"fmt"
	"math"
	"math/bits"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"netsim/scenarios/units"
	"netsim/sim"
)

// Validation knows what a campaign will ask of the machine before anything runs: it
// counts the runs with checked arithmetic (never by listing them), asks each point's
// kind how many hosts, flows and requests one run creates, and checks every product of
// sizes, rates and durations that becomes a virtual time. A campaign over a limit is
// refused with the limit named, and the user may raise it explicitly: `limits:` in the
// file, `--limit key=value` or `--max-runs N` on the command line. The same section
// gives each run optional bounds it stops at (virtual time, events, wall time), which
// a run reports as its status rather than as a failure.

// Limits is the `limits:` section of a scenario file.
type Limits struct {
	Runs           int64          `yaml:"runs" default:"100000" range:"[1,)" help:"most runs a campaign may have (each costs a journal line and a row, and about a kilobyte while the campaign runs)"`
	Hosts          int64          `yaml:"hosts" default:"1000000" range:"[1,)" help:"most hosts one run may create (about 520 B each)"`
	Flows          int64          `yaml:"flows" default:"5000000" range:"[1,)" help:"most flows (messages and transfers) one run may have at once (about 1 kB each at the peak of a P2P swarm: 5 GB)"`
	Requests       int64          `yaml:"requests" default:"10000000" range:"[1,)" help:"most requests one run may make (a web cache serves about 120,000 a second)"`
	Objects        int64          `yaml:"objects" default:"20000000" range:"[1,)" help:"most objects the servers of one run may hold (each origin of a web cache keeps its catalogue: about 30 B an object)"`
	ScheduleEvents int64          `yaml:"schedule_events" default:"1000000" range:"[1,)" help:"most platform changes (joins, leaves, crashes, link failures) the schedule may make in one run, churn included"`
	SimTime        units.Duration `yaml:"sim_time" help:"stop each run at this virtual time, with status sim_time_limit; 0: no bound"`
	Events         int64          `yaml:"events" range:"[0,)" help:"stop each run after this many kernel events, with status events_limit; 0: no bound"`
	WallTime       units.Duration `yaml:"wall_time" help:"stop each run after this much wall-clock time, with status wall_time_limit (it depends on the machine, so such a run is run again when the campaign resumes); 0: no bound"`
}

// limitsTable is the parameter table of Limits: decoding, ranges, defaults and
// show-config, as for a kind's params.
var limitsTable, defaultLimits = func() ([]Param, Limits) {
	t, err := paramTable(reflect.TypeFor[Limits]())
	if err != nil {
		panic("scenarios: limits: " + err.Error())
	}
	var l Limits
	if err := setDefaults(reflect.ValueOf(&l).Elem(), t); err != nil {
		panic("scenarios: limits: " + err.Error())
	}
	return t, l
}()

// DefaultLimits returns the limits of a file that sets none.
func DefaultLimits() Limits { return defaultLimits }

// LimitParams is the table of the limits: every key of `limits:` with its default and
// help, for show-config.
func LimitParams() []Param { return limitsTable }

// MaxSpan is the latest virtual time a run may reach, and the longest product of
// sizes, rates and durations it may compute: half the int64 nanoseconds of sim.Time
// (about 146 of its 292 years), so that any two such times add without overflow.
const MaxSpan = sim.Time(1 << 62)

// maxSpanYears is MaxSpan in years of 365.25 days, for messages.
var maxSpanYears = float64(MaxSpan) / 1e9 / (365.25 * 86400)

// decodeLimits decodes `limits:` over the defaults and checks its ranges.
func (d *decoder) decodeLimits(n *yaml.Node, l *Limits) {
	n = resolveAlias(n)
	if n.Kind == 0 || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return
	}
	if !d.decode(n, reflect.ValueOf(l).Elem(), "limits") {
		return
	}
	for _, e := range checkTable(reflect.ValueOf(l).Elem(), limitsTable) {
		fe := e.(*FieldError)
		node := n
		if kv, ok := d.keys["limits."+fe.Key]; ok {
			node = kv[1]
		}
		d.fail(node, "limits."+fe.Key, "%s", fe.Reason)
	}
}

// setLimit applies one `--limit key=value` (or --max-runs, as runs=N) to l.
func setLimit(l *Limits, arg string) (e *Error) {
	where := "--limit " + arg
	key, value, ok := strings.Cut(arg, "=")
	key = strings.TrimSpace(key)
	maxRuns := key == "max-runs" // --max-runs N, which the command line passes as max-runs=N
	if maxRuns {
		where, key = "--max-runs "+value, "runs"
	}
	defer func() {
		if e != nil && maxRuns {
			e.Key = ""
		}
	}()
	if !ok || key == "" {
		return &Error{File: where, Reason: "want key=value, e.g. --limit hosts=2000000"}
	}
	var p *Param
	for i := range limitsTable {
		if limitsTable[i].Key == key {
			p = &limitsTable[i]
		}
	}
	if p == nil {
		var keys []string
		for _, q := range limitsTable {
			keys = append(keys, q.Key)
		}
		return &Error{File: where, Key: key, Reason: "unknown limit (limits: " + strings.Join(keys, ", ") + ")"}
	}
	n, err := scalarNode(value)
	if err != nil {
		return &Error{File: where, Key: key, Reason: err.Error()}
	}
	d := newDecoder(&source{file: where})
	v := reflect.New(p.Type).Elem()
	if !d.decode(n, v, key) {
		return d.errs[0]
	}
	if p.Range != nil {
		if err := checkRange(*p, v.Interface()); err != nil {
			return &Error{File: where, Key: key, Reason: err.(*FieldError).Reason}
		}
	}
	reflect.ValueOf(l).Elem().FieldByIndex(p.Index).Set(v)
	return nil
}

// scalarNode parses a command-line value as the one YAML value it holds.
func scalarNode(value string) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(value), &doc); err != nil {
		return nil, fmt.Errorf("invalid value: %s", yamlReason(err))
	}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		return doc.Content[0], nil
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null"}, nil
}

// yamlReason is yaml.v3's message without its "yaml: line N:" prefix, for a value
// given on the command line, which has no lines.
func yamlReason(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if m := yamlLineError.FindStringSubmatch(err.Error()); m != nil {
		msg = m[2]
	}
	return msg
}

// countRuns is variants × sweep points × replications with checked arithmetic, and
// false if that does not fit an int64.
func (s *Scenario) countRuns() (int64, bool) {
	n := uint64(max(len(s.Variants), 1))
	factors := []int{s.Replications}
	for _, ax := range s.Sweep {
		factors = append(factors, len(ax.Values))
	}
	for _, f := range factors {
		hi, lo := bits.Mul64(n, uint64(f))
		if hi != 0 || lo > math.MaxInt64 {
			return 0, false
		}
		n = lo
	}
	return int64(n), true
}

// runsProduct says how a campaign's runs are counted: "6 variants × 20 × 35 sweep
// values × 5 replications".
func (s *Scenario) runsProduct() string {
	var parts []string
	if len(s.Variants) > 0 {
		parts = append(parts, plural(len(s.Variants), "variant"))
	}
	if len(s.Sweep) > 0 {
		var lens []string
		for _, ax := range s.Sweep {
			lens = append(lens, strconv.Itoa(len(ax.Values)))
		}
		parts = append(parts, strings.Join(lens, " × ")+" sweep values")
	}
	parts = append(parts, plural(s.Replications, "replication"))
	return strings.Join(parts, " × ")
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// checkRuns refuses a campaign whose runs cannot be counted or pass limits.runs, at
// the factor that makes it large: replications, the variants or the longest sweep.
func (s *Scenario) checkRuns() *Error {
	n, ok := s.countRuns()
	if ok && n <= s.Limits.Runs {
		return nil
	}
	key, largest := "replications", s.Replications
	if len(s.Variants) > largest {
		key, largest = "variants", len(s.Variants)
	}
	for _, ax := range s.Sweep {
		if len(ax.Values) > largest {
			key, largest = "sweep."+ax.Key, len(ax.Values)
		}
	}
	var reason string
	if !ok {
		reason = fmt.Sprintf("the campaign has more runs than netsim can count (over 2^63): %s", s.runsProduct())
	} else {
		reason = fmt.Sprintf("the campaign has %d runs (%s), over limits.runs = %d: raise it (--max-runs N, or limits: {runs: N} in the file) if the machine can hold them",
			n, s.runsProduct(), s.Limits.Runs)
	}
	return s.topLevelError(key, reason)
}

// topLevelError locates a problem with a top-level key of the file (replications,
// variants, sweep.KEY, limits.KEY): at the --set that set it, at its key in the file,
// or with no line.
func (s *Scenario) topLevelError(key, reason string) *Error {
	if arg, ok := s.setArgs[key]; ok {
		return &Error{File: "--set " + arg, Key: key, Reason: reason}
	}
	if axis, ok := strings.CutPrefix(key, "sweep."); ok {
		ax := s.Sweep[s.AxisIndex(axis)]
		if ax.setArg != "" {
			return &Error{File: "--set " + ax.setArg, Key: axis, Reason: reason}
		}
		return s.at([2]*yaml.Node{ax.keyNode}, 0, key, reason)
	}
	which := 1
	if key == "variants" {
		which = 0
	}
	return s.at(s.keys[key], which, key, reason)
}

// RunSize is what one run of a point creates, as its kind estimates it from the params
// before anything runs, for validation to hold against the limits: the hosts, the
// flows alive at once (what memory holds), the requests made over the run (what time
// it takes) and the objects its servers keep. Counts are float64 so that a product of
// parameters cannot overflow.
type RunSize struct {
	Hosts, Flows, Requests, Objects Count
	// Spans are the products of sizes, rates and durations that become virtual times
	// in the run (file / rate, objects × rtt, ...); their sum estimates the run's end.
	Spans []Span
}

// Count is an estimated number of things one run creates, and the parameter that
// drives it, which an error names.
type Count struct {
	N   float64
	Key string // params key, e.g. "peers", or "topology" for the file's topology: section
	Of  string // how it is counted, e.g. "peers + 1"
}

// Span is a stretch of virtual time a run computes, in seconds, and the parameters it
// is computed from, which an error names: the first that the file sets, or else the
// first.
type Span struct {
	Keys    []string // params keys, e.g. peers, file, server_upload, or "topology"
	Of      string   // what it is, e.g. "peers × file / server_upload"
	Seconds float64  // +Inf if the division overflows
}

// checkSize holds one run's size to the limits and every span to MaxSpan, and returns
// each problem as a *FieldError on the key to blame; set says whether the file (or a
// --set, sweep or variant) sets a key. A run too large has its size blamed only: its
// spans follow from the same parameters.
func (l *Limits) checkSize(sz RunSize, set func(key string) bool) []error {
	// Every count over its limit, one message per key that drives them.
	type over struct {
		what, key string
	}
	byKey := map[string][]over{}
	var keys []string
	for _, c := range []struct {
		count Count
		key   string
		limit int64
	}{{sz.Hosts, "hosts", l.Hosts}, {sz.Flows, "flows", l.Flows}, {sz.Requests, "requests", l.Requests}, {sz.Objects, "objects", l.Objects}} {
		if !(c.count.N > float64(c.limit)) {
			continue
		}
		if byKey[c.count.Key] == nil {
			keys = append(keys, c.count.Key)
		}
		byKey[c.count.Key] = append(byKey[c.count.Key], over{
			fmt.Sprintf("%s %s (%s), over limits.%s = %d", formatCount(c.count.N), c.key, c.count.Of, c.key, c.limit), c.key})
	}
	var errs []error
	for _, k := range keys {
		var whats, flags []string
		for _, o := range byKey[k] {
			whats = append(whats, o.what)
			flags = append(flags, "--limit "+o.key+"=N")
		}
		raise := fmt.Sprintf("raise it (%s, or limits: {%s: N} in the file)", flags[0], byKey[k][0].key)
		if len(flags) > 1 {
			raise = fmt.Sprintf("raise them (%s, or limits: in the file)", strings.Join(flags, " "))
		}
		errs = append(errs, Errorf(k, "a run would create %s: %s if the machine can hold them", strings.Join(whats, ", and "), raise))
	}
	if len(errs) > 0 {
		return errs
	}
	blame := func(sp Span) string {
		for _, k := range sp.Keys {
			if set(k) {
				return k
			}
		}
		return sp.Keys[0]
	}
	total, longest := 0.0, Span{}
	for _, sp := range sz.Spans {
		if !(sp.Seconds <= MaxSpan.Seconds()) {
			errs = append(errs, Errorf(blame(sp), "%s comes to %s, %s", sp.Of, formatYears(sp.Seconds), spanLimit()))
			return errs // the total says nothing more
		}
		total += sp.Seconds
		if sp.Seconds >= longest.Seconds {
			longest = sp
		}
	}
	if total > MaxSpan.Seconds() {
		var terms []string
		for _, sp := range sz.Spans {
			if sp.Seconds > 0 {
				terms = append(terms, sp.Of)
			}
		}
		errs = append(errs, Errorf(blame(longest), "the run's length, %s, comes to %s, %s", strings.Join(terms, " + "), formatYears(total), spanLimit()))
	}
	return errs
}

func spanLimit() string {
	return fmt.Sprintf("beyond the %.0f years a run's virtual times may reach (int64 nanoseconds count 292 years, and half is kept so that two times add without overflow)", maxSpanYears)
}

// formatYears formats a span of seconds, far beyond a year, in years.
func formatYears(s float64) string {
	if math.IsInf(s, 1) || math.IsNaN(s) {
		return "more time than a float64 can count"
	}
	return strconv.FormatFloat(s/(365.25*86400), 'g', 3, 64) + " years"
}

// formatCount formats an estimated count: exactly while it is a whole number a
// reader can take in, else with three digits.
func formatCount(n float64) string {
	if n < 1e15 && n == math.Trunc(n) {
		return strconv.FormatFloat(n, 'f', 0, 64)
	}
	return strconv.FormatFloat(n, 'g', 3, 64)
}
