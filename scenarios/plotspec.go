package scenarios

import (
	"fmt"
	"netsim/scenarios/units"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Plot is one figure a scenario asks for.
type Plot struct {
	Name string // file base name in the output folder
	// Type is "" for a metric against a swept x; "cdf", "pdf" or "histogram" for the
	// distribution of a sample set, and "timeseries" for a time series, each pooled
	// over the replications of a point.
	Type   string
	Title  string   // "" for the scenario's name
	X      string   // a swept key, for Type ""
	Y      []string // metric, sample or series names
	Series string   // a swept key or "variant", one series per value; "" for none
	Theory []string // names of the kind's Theory results to draw as curves
	XLog   bool
	YLog   bool
	XLabel string
	YLabel string
	YUnit  string   // display unit of time values on y: "ms", "s", "min", "h", "d"
	XUnit  string   // display unit of x: of a swept x with units ("Mbps", "KiB", "ms"), or a time unit
	Bins   int      // pdf and histogram: the number of bins (0: 20)
	Only   []Filter // keep only the points with these values
	// YMin and YMax fix the ends of the y axis, in its displayed unit; nil: a linear
	// axis starts at 0 (if no value is negative), a log axis at the data.
	YMin, YMax *float64
}

// Filter is one key of a plot's only: the values of a swept key, or of "variant", that
// the plot keeps.
type Filter struct {
	Key    string
	Values []any
	List   bool // written as a list: only the x or the series key may have several
}

// The plot types, beyond a metric against a swept x.
const (
	PlotCDF        = "cdf"
	PlotPDF        = "pdf"
	PlotHistogram  = "histogram"
	PlotTimeSeries = "timeseries"
)

type plotSpec struct {
	Name   string    `yaml:"name"`
	Type   string    `yaml:"type"`
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
	Bins   int       `yaml:"bins"`
	Only   yaml.Node `yaml:"only"`
	YMin   *float64  `yaml:"ymin"`
	YMax   *float64  `yaml:"ymax"`
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

// decodePlots checks every plot spec against the kind, the sweep and the variants, and
// that no two write the same files.
func (d *decoder) decodePlots(specs []plotSpec, s *Scenario) []Plot {
	var plots []Plot
	byName := map[string]int{} // lower-case name -> first plot, as case-blind file systems see it
	for i := range specs {
		path := fmt.Sprintf("plots[%d]", i)
		name := strings.ToLower(specs[i].Name)
		if first, dup := byName[name]; dup && name != "" {
			d.fail(d.keys[path+".name"][1], path+".name", "%q is also the name of plots[%d]: the two would write the same files", specs[i].Name, first)
			continue
		}
		byName[name] = i
		if p, ok := d.decodePlot(&specs[i], path, s); ok {
			plots = append(plots, p)
		}
	}
	return plots
}

// decodePlot checks a plot spec against the kind, the sweep and the variants.
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
	p := Plot{Name: ps.Name, Type: ps.Type, Title: ps.Title, X: ps.X, Y: ps.Y, Series: ps.Series, Theory: ps.Theory,
		XLog: ps.XLog, YLog: ps.YLog, XLabel: ps.XLabel, YLabel: ps.YLabel, YUnit: ps.YUnit, XUnit: ps.XUnit, Bins: ps.Bins,
		YMin: ps.YMin, YMax: ps.YMax}
	// values lists what each key a plot can show or fix takes: the swept keys, and
	// "variant" when the file has variants.
	values := map[string][]any{}
	var keys []string
	for _, ax := range s.Sweep {
		values[ax.Key] = ax.Values
		keys = append(keys, ax.Key)
	}
	if len(s.Variants) > 0 {
		for _, name := range s.VariantNames() {
			values[VariantKey] = append(values[VariantKey], name)
		}
		keys = append(keys, VariantKey)
	}
	sweptList := func() string {
		var sw []string
		for _, ax := range s.Sweep {
			sw = append(sw, ax.Key)
		}
		if len(sw) == 0 {
			return "none"
		}
		return strings.Join(sw, ", ")
	}
	pt := reflect.TypeOf(s.Params).Elem()

	if n := at("name"); n == nil {
		d.fail(plotNode(), path+".name", "missing: a plot needs a name (the base name of its files)")
	} else if err := CheckFileName(p.Name); err != nil {
		d.fail(n, path+".name", "%s (the plot writes <name>.png, .svg and .csv)", err)
	}
	// A key whose sweep did not decode has had its error; a plot of it is not
	// blamed again.
	if d.badAxes[p.X] || d.badAxes[p.Series] {
		return p, false
	}
	// want is the shape of reading y must name for this type of plot.
	want := "metric"
	switch p.Type {
	case "":
	case PlotCDF, PlotPDF, PlotHistogram:
		want = "sample"
	case PlotTimeSeries:
		want = "series"
	default:
		d.fail(at("type"), path+".type", "unknown plot type %q (want cdf, pdf, histogram or timeseries; without type, a metric against a swept x)", p.Type)
		return p, false
	}
	if want == "metric" {
		switch n := at("x"); {
		case n == nil:
			d.fail(plotNode(), path+".x", "missing: a plot needs x, a swept parameter")
		case values[p.X] == nil || p.X == VariantKey:
			d.fail(n, path+".x", "%q is not a swept parameter (swept: %s)", p.X, sweptList())
		default:
			if _, ft, _ := fieldByPath(pt, p.X); !isNumeric(ft) {
				d.fail(n, path+".x", "parameter %q is not a number", p.X)
			} else {
				for _, v := range values[p.X] {
					if r, ok := v.(random); ok && !r.isConstant() {
						d.fail(n, path+".x", "%q is swept over the distribution %s, which is no point on an axis", p.X, FormatValue(v))
						break
					}
				}
			}
		}
	} else if n := at("x"); n != nil {
		d.fail(n, path+".x", "a %s plot's x axis is %s; remove x", p.Type, map[string]string{"sample": "the sample's values", "series": "time"}[want])
		p.X = ""
	}
	if n := at("y"); n == nil {
		d.fail(plotNode(), path+".y", "missing: a plot needs y, a %s or a list of them", want)
	} else {
		for i, y := range p.Y {
			yn := n
			if n.Kind == yaml.SequenceNode {
				yn = n.Content[i]
			}
			m, shape, ok := MetricByName(s.Kind, y)
			switch {
			case !ok:
				d.fail(yn, path+".y", "%q is not a %s of kind %s (%s)", y, shapeNoun[want], s.Kind.Name(), readingList(s.Kind, want))
			case shape != want:
				d.fail(yn, path+".y", "%q is %s: %s", y, shapePhrase[shape], shapeAdvice[shape])
			case want != "sample" && p.YUnit != "" && m.Unit != "s":
				d.fail(yn, path+".y", "yunit %s is for time metrics (unit s), and %q is %s", p.YUnit, y, unitPhrase(m.Unit))
			case want == "sample" && p.XUnit != "" && m.Unit != "s":
				d.fail(yn, path+".y", "xunit %s is for samples of times (unit s), and %q is %s", p.XUnit, y, unitPhrase(m.Unit))
			}
		}
	}
	if n := at("xunit"); n != nil {
		switch {
		case want == "metric" && values[p.X] != nil:
			if _, ft, _ := fieldByPath(pt, p.X); XUnitScale(ft, p.XUnit) == 0 {
				d.fail(n, path+".xunit", "%q is not a unit of x (%s): %s", p.XUnit, p.X, xUnitHint(ft))
			}
		case want != "metric" && YUnits[p.XUnit] == 0:
			d.fail(n, path+".xunit", "unknown time unit %q (want ms, s, min, h or d)", p.XUnit)
		}
	}
	if n := at("yunit"); n != nil && YUnits[p.YUnit] == 0 {
		d.fail(n, path+".yunit", "unknown time unit %q (want ms, s, min, h or d)", p.YUnit)
	}
	switch {
	case p.YMin != nil && p.YMax != nil && !(*p.YMin < *p.YMax):
		d.fail(at("ymax"), path+".ymax", "must be above ymin (%g), got %g", *p.YMin, *p.YMax)
	case p.YLog && p.YMin != nil && !(*p.YMin > 0):
		d.fail(at("ymin"), path+".ymin", "a log axis starts above 0, got %g", *p.YMin)
	}
	if n := at("bins"); n != nil {
		switch {
		case p.Type != PlotPDF && p.Type != PlotHistogram:
			d.fail(n, path+".bins", "bins are for pdf and histogram plots")
		case p.Bins < 1 || p.Bins > 10000:
			d.fail(n, path+".bins", "must be in [1, 10000], got %d", p.Bins)
		}
	}
	if n := at("series"); n != nil {
		switch {
		case values[p.Series] == nil:
			extra := ""
			if len(s.Variants) > 0 {
				extra = ", or variant"
			}
			d.fail(n, path+".series", "%q is not a swept parameter (swept: %s%s)", p.Series, sweptList(), extra)
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
		tn := at("theory").Content[i]
		switch {
		case want != "metric":
			d.fail(tn, path+".theory", "theory curves are drawn against a swept x, not on a %s plot", p.Type)
		case s.Topology != nil && theories[th]:
			// A closed form reads the params of the kind's default platform, which a
			// topology: section replaces: drawn beside the run, it would be of another network.
			d.fail(tn, path+".theory", "%s is a closed form of kind %s's default platform, which the file's topology: section replaces", th, s.Kind.Name())
		case !theories[th]:
			have := strings.Join(theoryNames, ", ")
			if have == "" {
				have = "none"
			}
			d.fail(tn, path+".theory", "unknown theory %q (kind %s has: %s)", th, s.Kind.Name(), have)
		}
	}
	fixed := map[string]bool{}
	if p.X != "" {
		fixed[p.X] = true
	}
	if p.Series != "" {
		fixed[p.Series] = true
	}
	if on := at("only"); on != nil && !(on.Kind == yaml.ScalarNode && on.ShortTag() == "!!null") {
		if on.Kind != yaml.MappingNode {
			d.fail(on, path+".only", "want a mapping of swept keys to values, got %s", describe(on))
		} else {
			p.Only = d.decodeOnly(on, path, s, p, values, fixed, sweptList)
		}
	}
	if len(d.errs) == n0 {
		// Points that differ only in a key the plot does not show would pile up at one x
		// (or, for a distribution, be pooled as if they were replications).
		what := "x, nor its series"
		if want != "metric" {
			what = "series"
		}
		for _, k := range keys {
			if fixed[k] || k == VariantKey && len(s.Variants) < 2 {
				continue
			}
			if k == VariantKey {
				d.fail(plotNode(), path, "the variants are neither the plot's %s, nor fixed by only (e.g. only: {variant: %s})",
					what, FormatValue(values[k][0]))
				continue
			}
			d.fail(plotNode(), path, "swept parameter %q is neither the plot's %s, nor fixed by only (e.g. only: {%s: %s})",
				k, what, k, FormatValue(values[k][0]))
		}
	}
	return p, len(d.errs) == n0
}

var (
	shapeNoun   = map[string]string{"metric": "metric", "sample": "sample set", "series": "time series"}
	shapePhrase = map[string]string{"metric": "a scalar metric, one value per run", "sample": "a sample set", "series": "a time series"}
	shapeAdvice = map[string]string{
		"metric": "plot it against a swept x (no type), or pick a sample set for cdf, pdf and histogram",
		"sample": "draw it with type: cdf, pdf or histogram",
		"series": "draw it with type: timeseries",
	}
)

// readingList names k's readings of one shape for a message.
func readingList(k Kind, shape string) string {
	ms := map[string][]Metric{"metric": k.Metrics(), "sample": k.Samples(), "series": k.Series()}[shape]
	if len(ms) == 0 {
		return "it has none"
	}
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = m.Name
	}
	return map[string]string{"metric": "metrics", "sample": "sample sets", "series": "time series"}[shape] + ": " + strings.Join(names, ", ")
}

// decodeOnly decodes a plot's only: for each swept key (or variant), one value, or for
// the plot's x or series a list of them.
func (d *decoder) decodeOnly(on *yaml.Node, path string, s *Scenario, p Plot, values map[string][]any, fixed map[string]bool, sweptList func() string) []Filter {
	var out []Filter
	pt := reflect.TypeOf(s.Params).Elem()
	for i := 0; i+1 < len(on.Content); i += 2 {
		k, v := on.Content[i], resolveAlias(on.Content[i+1])
		kp := path + ".only." + k.Value
		have := values[k.Value]
		if d.badAxes[k.Value] {
			continue
		}
		if have == nil {
			d.fail(k, kp, "%q is not a swept parameter (swept: %s)", k.Value, sweptList())
			continue
		}
		isAxis := k.Value == p.X || k.Value == p.Series
		if isAxis && v.Kind != yaml.SequenceNode {
			d.fail(k, kp, "%q is the plot's x or series; it cannot be fixed too (a list of its values keeps those)", k.Value)
			continue
		}
		if !isAxis && v.Kind == yaml.SequenceNode {
			d.fail(v, kp, "only the plot's x or series may keep a list of values; fix %q to one", k.Value)
			continue
		}
		nodes := []*yaml.Node{v}
		if v.Kind == yaml.SequenceNode {
			nodes = v.Content
		}
		f := Filter{Key: k.Value, List: v.Kind == yaml.SequenceNode}
		ok := true
		for _, vn := range nodes {
			var val reflect.Value
			if k.Value == VariantKey {
				val = reflect.New(reflect.TypeFor[string]()).Elem()
			} else {
				_, ft, _ := fieldByPath(pt, k.Value)
				val = reflect.New(ft).Elem()
			}
			if !d.decode(vn, val, kp) {
				ok = false
				continue
			}
			if indexOf(have, val.Interface()) < 0 {
				d.fail(vn, kp, "%s is not one of the %s (%s)", FormatValue(val.Interface()),
					map[bool]string{true: "variants", false: "swept values"}[k.Value == VariantKey], formatValues(have))
				ok = false
				continue
			}
			f.Values = append(f.Values, val.Interface())
		}
		if ok {
			fixed[k.Value] = true
			out = append(out, f)
		}
	}
	return out
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
