package scenarios

import (
	"fmt"
	"netsim/scenarios/units"
	"reflect"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Plot is one figure a scenario asks for.
type Plot struct {
	Name   string   // file base name in the output folder
	Title  string   // "" for the scenario's name
	X      string   // a swept key
	Y      []string // metric names
	Series string   // a swept key, one series per value; "" for none
	Theory []string // names of the kind's Theory results to draw as curves
	XLog   bool
	YLog   bool
	XLabel string
	YLabel string
	YUnit  string       // display unit of time metrics: "ms", "s", "min", "h", "d"
	XUnit  string       // display unit of an x with units: "Mbps", "KiB", "ms", ...
	Only   []Assignment // keep only the points with these values of swept keys
}

type plotSpec struct {
	Name   string    `yaml:"name"`
	Title  string    `yaml:"title"`
	X      string    `yaml:"x"`
	Y      stringSet `yaml:"y"`
	Series string    `yaml:"series"`
	Theory []string  `yaml:"theory"`
	XLog   bool      `yaml:"xlog"`
	YLog   bool      `yaml:"ylog"`
	XLabel string    `yaml:"xlabel"`
	YLabel string    `yaml:"ylabel"`
	YUnit  string    `yaml:"yunit"`
	XUnit  string    `yaml:"xunit"`
	Only   yaml.Node `yaml:"only"`
}

// stringSet is one string or a list of them: `y: delay_s` or `y: [a, b]`.
type stringSet []string

func (s *stringSet) UnmarshalYAML(n *yaml.Node) error {
	n = resolveAlias(n)
	if n.Kind == yaml.ScalarNode && n.ShortTag() != "!!null" {
		*s = []string{n.Value}
		return nil
	}
	if n.Kind == yaml.SequenceNode && len(n.Content) > 0 {
		out := make([]string, len(n.Content))
		for i, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				return fmt.Errorf("want a metric name or a list of them, got %s in the list", describe(c))
			}
			out[i] = c.Value
		}
		*s = out
		return nil
	}
	return fmt.Errorf("want a metric name or a list of them, got %s", describe(n))
}

// YUnits are the display units a plot may give time metrics, in seconds.
var YUnits = map[string]float64{"ms": 1e-3, "s": 1, "min": 60, "h": 3600, "d": 86400}

var plotName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// decodePlot checks a plot spec against the kind and the sweep.
func (d *decoder) decodePlot(ps *plotSpec, path string, s *Scenario) (Plot, bool) {
	n0 := len(d.errs)
	at := func(key string) *yaml.Node {
		if kv, ok := d.keys[path+"."+key]; ok {
			return kv[1]
		}
		return nil
	}
	// plotNode is the plot's own mapping, for problems of the plot as a whole.
	plotNode := func() *yaml.Node {
		var i int
		fmt.Sscanf(path, "plots[%d]", &i)
		if seq := d.keys["plots"][1]; seq != nil && i < len(seq.Content) {
			return seq.Content[i]
		}
		return &yaml.Node{}
	}
	p := Plot{Name: ps.Name, Title: ps.Title, X: ps.X, Y: ps.Y, Series: ps.Series, Theory: ps.Theory,
		XLog: ps.XLog, YLog: ps.YLog, XLabel: ps.XLabel, YLabel: ps.YLabel, YUnit: ps.YUnit, XUnit: ps.XUnit}
	swept := map[string]*Axis{}
	var sweptKeys []string
	for i := range s.Sweep {
		swept[s.Sweep[i].Key] = &s.Sweep[i]
		sweptKeys = append(sweptKeys, s.Sweep[i].Key)
	}
	sweptList := strings.Join(sweptKeys, ", ")
	if sweptList == "" {
		sweptList = "none"
	}
	pt := reflect.TypeOf(s.Params).Elem()

	switch n := at("name"); {
	case n == nil:
		d.fail(plotNode(), path+".name", "missing: a plot needs a name (the base name of its files)")
	case !plotName.MatchString(p.Name):
		d.fail(n, path+".name", "%q is not a file base name: use letters, digits, '.', '_' and '-'", p.Name)
	}
	switch n := at("x"); {
	case n == nil:
		d.fail(plotNode(), path+".x", "missing: a plot needs x, a swept parameter")
	case swept[p.X] == nil:
		d.fail(n, path+".x", "%q is not a swept parameter (swept: %s)", p.X, sweptList)
	default:
		if _, ft, _ := fieldByPath(pt, p.X); !isNumeric(ft) {
			d.fail(n, path+".x", "parameter %q is not a number", p.X)
		}
	}
	metrics := map[string]Metric{}
	var metricNames []string
	for _, m := range s.Kind.Metrics() {
		metrics[m.Name] = m
		metricNames = append(metricNames, m.Name)
	}
	if n := at("y"); n == nil {
		d.fail(plotNode(), path+".y", "missing: a plot needs y, a metric or a list of them")
	} else {
		for i, y := range p.Y {
			yn := n
			if n.Kind == yaml.SequenceNode {
				yn = n.Content[i]
			}
			m, ok := metrics[y]
			switch {
			case !ok:
				d.fail(yn, path+".y", "%q is not a metric of kind %s (metrics: %s)", y, s.Kind.Name(), strings.Join(metricNames, ", "))
			case p.YUnit != "" && m.Unit != "s":
				d.fail(yn, path+".y", "yunit %s is for time metrics (unit s), and %q is %s", p.YUnit, y, unitPhrase(m.Unit))
			}
		}
	}
	if n := at("xunit"); n != nil && swept[p.X] != nil {
		if _, ft, _ := fieldByPath(pt, p.X); XUnitScale(ft, p.XUnit) == 0 {
			d.fail(n, path+".xunit", "%q is not a unit of x (%s): %s", p.XUnit, p.X, xUnitHint(ft))
		}
	}
	if n := at("yunit"); n != nil && YUnits[p.YUnit] == 0 {
		d.fail(n, path+".yunit", "unknown time unit %q (want ms, s, min, h or d)", p.YUnit)
	}
	if n := at("series"); n != nil {
		switch {
		case swept[p.Series] == nil:
			d.fail(n, path+".series", "%q is not a swept parameter (swept: %s)", p.Series, sweptList)
		case p.Series == p.X:
			d.fail(n, path+".series", "%q is already the plot's x", p.Series)
		}
	}
	theories := map[string]bool{}
	var theoryNames []string
	for _, t := range s.Kind.Theory() {
		theories[t.Name] = true
		theoryNames = append(theoryNames, t.Name)
	}
	for i, th := range p.Theory {
		if !theories[th] {
			tn := at("theory").Content[i]
			have := strings.Join(theoryNames, ", ")
			if have == "" {
				have = "none"
			}
			d.fail(tn, path+".theory", "unknown theory %q (kind %s has: %s)", th, s.Kind.Name(), have)
		}
	}
	fixed := map[string]bool{p.X: true, p.Series: true}
	if on := at("only"); on != nil && !(on.Kind == yaml.ScalarNode && on.ShortTag() == "!!null") {
		if on.Kind != yaml.MappingNode {
			d.fail(on, path+".only", "want a mapping of swept keys to values, got %s", describe(on))
		} else {
			for i := 0; i+1 < len(on.Content); i += 2 {
				k, v := on.Content[i], on.Content[i+1]
				kp := path + ".only." + k.Value
				ax := swept[k.Value]
				if ax == nil {
					d.fail(k, kp, "%q is not a swept parameter (swept: %s)", k.Value, sweptList)
					continue
				}
				if fixed[k.Value] {
					d.fail(k, kp, "%q is the plot's x or series; it cannot be fixed too", k.Value)
					continue
				}
				_, ft, _ := fieldByPath(pt, k.Value)
				val := reflect.New(ft).Elem()
				if !d.decode(v, val, kp) {
					continue
				}
				if indexOf(ax.Values, val.Interface()) < 0 {
					d.fail(v, kp, "%s is not one of the swept values (%s)", FormatValue(val.Interface()), formatValues(ax.Values))
					continue
				}
				fixed[k.Value] = true
				p.Only = append(p.Only, Assignment{Key: k.Value, Value: val.Interface()})
			}
		}
	}
	if len(d.errs) == n0 {
		// Points that differ only in a key the plot does not show would pile up at one x.
		for _, k := range sweptKeys {
			if !fixed[k] {
				d.fail(plotNode(), path, "swept parameter %q is neither the plot's x, nor its series, nor fixed by only (e.g. only: {%s: %s})",
					k, k, FormatValue(swept[k].Values[0]))
			}
		}
	}
	return p, len(d.errs) == n0
}

func indexOf(values []any, v any) int {
	for i, w := range values {
		if reflect.DeepEqual(w, v) {
			return i
		}
	}
	return -1
}

func unitPhrase(unit string) string {
	if unit == "" {
		return "a count or ratio"
	}
	return "in " + unit
}

// XUnitScale returns the size of one xunit in x's plotting unit (bit/s, bits or
// seconds), parsed by the same code as the parameter's values, so "Mbps" is 1e6;
// 0 if unit is not a unit of x's type.
func XUnitScale(t reflect.Type, unit string) float64 {
	var v any
	var err error
	switch plainType(t) {
	case rateType:
		v, err = units.ParseRate("1" + unit)
	case sizeType:
		v, err = units.ParseSize("1" + unit)
	case durationType:
		v, err = units.ParseDuration("1" + unit)
	default:
		return 0
	}
	if err != nil || unit == "" {
		return 0
	}
	return Numeric(v)
}

func xUnitHint(t reflect.Type) string {
	switch plainType(t) {
	case rateType:
		return "want a rate unit such as kbps, Mbps or Gbps"
	case sizeType:
		return "want a size unit such as Mbit, kB or MiB"
	case durationType:
		return "want a time unit such as ms, s or min"
	}
	return "only a parameter with units (a rate, size or duration) takes an xunit"
}
