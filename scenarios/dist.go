package scenarios

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
	"gonum.org/v1/gonum/stat/distuv"

	"netsim/scenarios/units"
	"netsim/sim"
)

// Quantity is a type a distribution may draw: a rate, a size, a duration or a plain
// number.
type Quantity interface {
	units.Rate | units.Size | units.Duration | float64
}

// Random is a parameter that may be a distribution where the kind allows one (its field
// is a Random rather than a plain value): a value as anywhere else (`object_size:
// 10kB`), or one of
//
//	{exponential: 100ms}                  the mean
//	{uniform: [1Mbps, 10Mbps]}            low and high
//	{pareto: {mean: 1MB, alpha: 1.2}}     alpha > 1, so that the mean is finite
//	{lognormal: {mean: 1MB, sigma: 1}}    sigma the standard deviation of the logarithm
//	{weibull: {mean: 1h, shape: 0.5}}     the shape k; the scale follows from the mean
//	{empirical: sizes.csv}                values drawn uniformly from a file's lines
//	{empirical: [1kB, 2kB, 4kB]}          ... or from a list
//
// with every value in the parameter's own units. A kind draws from it with Sampler,
// from one of the run's named streams; a constant draws nothing, so making a
// parameter Random changes no run that gives it a plain value.
type Random[T Quantity] struct {
	value T
	dist  *dist // nil for a constant
}

// Constant returns the Random that is always v.
func Constant[T Quantity](v T) Random[T] { return Random[T]{value: v} }

// Const returns the value of a constant, and false for a distribution.
func (r Random[T]) Const() (T, bool) { return r.value, r.dist == nil }

// Mean is the distribution's mean (the value of a constant), in the unit the value is
// plotted in: bit/s, bits, seconds or the number itself.
func (r Random[T]) Mean() float64 {
	if r.dist == nil {
		return Numeric(r.value)
	}
	return r.dist.mean()
}

// Least is the least value a draw can take, in plotting units: the constant itself,
// a uniform's or an empirical list's low end, a Pareto's scale, and 0 for the
// distributions that draw down to 0 (exponential, lognormal, Weibull).
func (r Random[T]) Least() float64 {
	if r.dist == nil {
		return Numeric(r.value)
	}
	lo, _, _ := r.dist.support()
	return lo
}

// Sampler returns a function that draws from r with rng, each value in the plotting
// unit (bit/s, bits, seconds). A constant never touches rng. A draw is kept within
// what T can hold (see drawRange), so that an extreme draw (Weibull's at U = 0 is
// +Inf) reaches the model as a value it can use.
func (r Random[T]) Sampler(rng *rand.Rand) func() float64 {
	if r.dist == nil {
		v := Numeric(r.value)
		return func() float64 { return v }
	}
	draw := r.dist.sampler(rng)
	lo, hi := drawRange[T]()
	return func() float64 {
		switch x := draw(); {
		case x < lo:
			return lo
		case x <= hi:
			return x
		}
		return hi // above it, or NaN
	}
}

// The bounds on distributions' parameters that keep every draw finite and positive
// (OverSim's churn studies use Weibull shapes of 0.5 and up, and lognormal sigmas of
// 1 to 3): with sigma 10, e^(mu + sigma·Z) with mu = ln(mean) − sigma²/2 stays
// within 10^-58 and 10^15 of the mean for |Z| < 8.3; with shape 0.1, a Weibull draw is
// at least 10^-167 of the mean (−ln U ≥ 10^-16 raised to 1/shape, over Γ(1+1/shape)).
const (
	maxLognormalSigma = 10.0
	minWeibullShape   = 0.1
)

// drawRange is what a draw of T may be, in plotting units: a size at most 2^62 bits
// and a duration at most the Horizon, so that converting one to bytes or adding it to
// a time cannot overflow; a rate or number at most the largest float64.
func drawRange[T Quantity]() (lo, hi float64) {
	switch any(*new(T)).(type) {
	case units.Size:
		return 0, 1 << 62
	case units.Duration:
		return 0, sim.Horizon.Seconds()
	case units.Rate:
		return 0, math.MaxFloat64
	}
	return -math.MaxFloat64, math.MaxFloat64
}

// String is the value as a file writes it: "10kB" or "{exponential: 10kB}".
func (r Random[T]) String() string {
	if r.dist == nil {
		return FormatValue(r.value)
	}
	return r.dist.format(func(x float64) string { return FormatValue(FromNumeric(reflect.TypeFor[T](), x)) })
}

// MarshalYAML writes a constant as its value and a distribution as a flow mapping.
func (r Random[T]) MarshalYAML() (any, error) {
	if r.dist == nil {
		return r.value, nil
	}
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(r.String()), &n); err != nil {
		return nil, err
	}
	return n.Content[0], nil
}

// UnmarshalYAML decodes a Random outside a scenario file, reporting the first problem.
func (r *Random[T]) UnmarshalYAML(n *yaml.Node) error {
	d := newDecoder(&source{file: "value"})
	if !r.decodeFrom(d, n, "") {
		return fmt.Errorf("%s", d.errs[0].Reason)
	}
	return nil
}

// random is what the format needs of a Random of any type.
type random interface {
	plain() reflect.Type
	checkSupport(p Param) error
	isConstant() bool
	constant() float64 // a constant's value, in plotting units
	withNumeric(f float64) any
}

// randomDecoder decodes a Random with the decoder of the file, so that a problem in a
// distribution's parameters is located at its own line.
type randomDecoder interface {
	decodeFrom(d *decoder, n *yaml.Node, path string) bool
}

func (Random[T]) plain() reflect.Type { return reflect.TypeFor[T]() }
func (r Random[T]) isConstant() bool  { return r.dist == nil }
func (r Random[T]) constant() float64 { return Numeric(r.value) }
func (Random[T]) withNumeric(f float64) any {
	return Constant(FromNumeric(reflect.TypeFor[T](), f).(T))
}

var randomType = reflect.TypeFor[random]()

// plainType is T for a Random[T], t itself otherwise.
func plainType(t reflect.Type) reflect.Type {
	if t != nil && t.Implements(randomType) {
		return reflect.Zero(t).Interface().(random).plain()
	}
	return t
}

// distNames are the distributions a Random accepts, in the order messages list them.
var distNames = []string{"exponential", "uniform", "pareto", "lognormal", "weibull", "empirical"}

// dist is a distribution with its parameters in plotting units.
type dist struct {
	name            string
	mean_, lo, hi   float64 // exponential, pareto, lognormal, weibull: mean_; uniform: lo, hi
	alpha, sigma, k float64
	values          []float64 // empirical
	min, max        float64   // empirical's range
}

// support returns the least and greatest values a draw can take.
func (d *dist) support() (lo float64, loOpen bool, hi float64) {
	switch d.name {
	case "uniform":
		return d.lo, false, d.hi
	case "pareto":
		return d.mean_ * (d.alpha - 1) / d.alpha, false, math.Inf(1)
	case "empirical":
		return d.min, false, d.max
	}
	return 0, true, math.Inf(1) // exponential, lognormal, weibull: (0, ∞)
}

func (d *dist) mean() float64 {
	switch d.name {
	case "uniform":
		return (d.lo + d.hi) / 2
	case "empirical":
		sum := 0.0
		for _, v := range d.values {
			sum += v
		}
		return sum / float64(len(d.values))
	}
	return d.mean_
}

// sampler draws through gonum's distuv, which has every distribution here but the
// empirical one, parametrised from the mean as OverSim's churn generators are.
func (d *dist) sampler(rng *rand.Rand) func() float64 {
	switch d.name {
	case "exponential":
		e := distuv.Exponential{Rate: 1 / d.mean_, Src: rng}
		return e.Rand
	case "uniform":
		u := distuv.Uniform{Min: d.lo, Max: d.hi, Src: rng}
		return u.Rand
	case "pareto":
		p := distuv.Pareto{Xm: d.mean_ * (d.alpha - 1) / d.alpha, Alpha: d.alpha, Src: rng}
		return p.Rand
	case "lognormal":
		l := distuv.LogNormal{Mu: math.Log(d.mean_) - d.sigma*d.sigma/2, Sigma: d.sigma, Src: rng}
		return l.Rand
	case "weibull":
		w := distuv.Weibull{K: d.k, Lambda: d.mean_ / math.Gamma(1+1/d.k), Src: rng}
		return w.Rand
	}
	vs := d.values
	return func() float64 { return vs[rng.IntN(len(vs))] }
}

func (d *dist) format(f func(float64) string) string {
	num := func(x float64) string { return FormatValue(x) }
	switch d.name {
	case "exponential":
		return "{exponential: " + f(d.mean_) + "}"
	case "uniform":
		return "{uniform: [" + f(d.lo) + ", " + f(d.hi) + "]}"
	case "pareto":
		return "{pareto: {mean: " + f(d.mean_) + ", alpha: " + num(d.alpha) + "}}"
	case "lognormal":
		return "{lognormal: {mean: " + f(d.mean_) + ", sigma: " + num(d.sigma) + "}}"
	case "weibull":
		return "{weibull: {mean: " + f(d.mean_) + ", shape: " + num(d.k) + "}}"
	}
	// The values themselves, not the file's name: a resolved scenario (manifest.json)
	// must parse again wherever it is read, and its hash follow the values.
	parts := make([]string, len(d.values))
	for i, v := range d.values {
		parts[i] = f(v)
	}
	return "{empirical: [" + strings.Join(parts, ", ") + "]}"
}

type meanAlpha[T any] struct {
	Mean  T       `yaml:"mean"`
	Alpha float64 `yaml:"alpha"`
}

type meanSigma[T any] struct {
	Mean  T       `yaml:"mean"`
	Sigma float64 `yaml:"sigma"`
}

type meanShape[T any] struct {
	Mean  T       `yaml:"mean"`
	Shape float64 `yaml:"shape"`
}

func (r *Random[T]) decodeFrom(d *decoder, n *yaml.Node, path string) bool {
	n = resolveAlias(n)
	if n.Kind != yaml.MappingNode {
		var v T
		if !d.decode(n, reflect.ValueOf(&v).Elem(), path) {
			return false
		}
		*r = Constant(v)
		return true
	}
	if len(n.Content) != 2 {
		d.fail(n, path, "want a value or one distribution (%s), got a mapping of %d keys", orList(distNames), len(n.Content)/2)
		return false
	}
	k, val := n.Content[0], resolveAlias(n.Content[1])
	sub := joinKey(path, k.Value)
	x := func(n *yaml.Node, path string) (float64, bool) {
		var v T
		if !d.decode(n, reflect.ValueOf(&v).Elem(), path) {
			return 0, false
		}
		return Numeric(v), true
	}
	// need reports a missing key of a parametrised distribution.
	need := func(keys ...string) bool {
		ok := true
		for _, key := range keys {
			if _, have := d.keys[sub+"."+key]; !have {
				d.fail(val, sub, "missing %s", key)
				ok = false
			}
		}
		return ok
	}
	positive := func(v float64, at *yaml.Node, key, what string) bool {
		if !(v > 0) || math.IsInf(v, 0) {
			d.fail(at, key, "%smust be positive", what)
			return false
		}
		return true
	}
	nodeOf := func(key string) *yaml.Node { return d.keys[sub+"."+key][1] }
	dd := &dist{name: k.Value}
	switch k.Value {
	case "exponential":
		m, ok := x(val, sub)
		if !ok || !positive(m, val, sub, "the mean ") {
			return false
		}
		dd.mean_ = m
	case "uniform":
		if val.Kind != yaml.SequenceNode || len(val.Content) != 2 {
			d.fail(val, sub, "want [low, high], got %s", describe(val))
			return false
		}
		lo, ok1 := x(val.Content[0], sub+"[0]")
		hi, ok2 := x(val.Content[1], sub+"[1]")
		if !ok1 || !ok2 {
			return false
		}
		if !(lo < hi) {
			d.fail(val, sub, "want [low, high] with low < high, got %s", describeRange(val))
			return false
		}
		dd.lo, dd.hi = lo, hi
	case "pareto":
		var s meanAlpha[T]
		if !d.decode(val, reflect.ValueOf(&s).Elem(), sub) || !need("mean", "alpha") {
			return false
		}
		if !positive(Numeric(s.Mean), nodeOf("mean"), sub+".mean", "") {
			return false
		}
		if !(s.Alpha > 1) {
			d.fail(nodeOf("alpha"), sub+".alpha", "must be greater than 1 (with alpha <= 1 the mean is infinite), got %s", FormatValue(s.Alpha))
			return false
		}
		dd.mean_, dd.alpha = Numeric(s.Mean), s.Alpha
	case "lognormal":
		var s meanSigma[T]
		if !d.decode(val, reflect.ValueOf(&s).Elem(), sub) || !need("mean", "sigma") {
			return false
		}
		if !positive(Numeric(s.Mean), nodeOf("mean"), sub+".mean", "") || !positive(s.Sigma, nodeOf("sigma"), sub+".sigma", "") {
			return false
		}
		if s.Sigma > maxLognormalSigma {
			d.fail(nodeOf("sigma"), sub+".sigma", "must be at most %g (beyond it, draws of e^(mu + sigma·Z) with the mean kept fall to 0 or overflow), got %s", maxLognormalSigma, FormatValue(s.Sigma))
			return false
		}
		dd.mean_, dd.sigma = Numeric(s.Mean), s.Sigma
	case "weibull":
		var s meanShape[T]
		if !d.decode(val, reflect.ValueOf(&s).Elem(), sub) || !need("mean", "shape") {
			return false
		}
		if !positive(Numeric(s.Mean), nodeOf("mean"), sub+".mean", "") || !positive(s.Shape, nodeOf("shape"), sub+".shape", "") {
			return false
		}
		if s.Shape < minWeibullShape {
			d.fail(nodeOf("shape"), sub+".shape", "must be at least %g (below it, Γ(1 + 1/shape) overflows and draws fall to 0), got %s", minWeibullShape, FormatValue(s.Shape))
			return false
		}
		dd.mean_, dd.k = Numeric(s.Mean), s.Shape
	case "empirical":
		values, ok := decodeEmpirical[T](d, val, sub)
		if !ok {
			return false
		}
		dd.values = values
		dd.min, dd.max = math.Inf(1), math.Inf(-1)
		for _, v := range values {
			dd.min, dd.max = math.Min(dd.min, v), math.Max(dd.max, v)
		}
	default:
		d.fail(k, sub, "unknown distribution %q (want %s)", k.Value, orList(distNames))
		return false
	}
	*r = Random[T]{dist: dd}
	return true
}

func describeRange(n *yaml.Node) string {
	return "[" + n.Content[0].Value + ", " + n.Content[1].Value + "]"
}

// decodeEmpirical reads an empirical distribution's values: a list, or a file of one
// value per line (blank lines and # comments skipped), found beside the scenario file.
func decodeEmpirical[T Quantity](d *decoder, n *yaml.Node, path string) ([]float64, bool) {
	var values []float64
	one := func(n *yaml.Node, path string) bool {
		var v T
		if !d.decode(n, reflect.ValueOf(&v).Elem(), path) {
			return false
		}
		values = append(values, Numeric(v))
		return true
	}
	switch {
	case n.Kind == yaml.SequenceNode:
		ok := true
		for i, c := range n.Content {
			ok = one(c, fmt.Sprintf("%s[%d]", path, i)) && ok
		}
		if !ok {
			return nil, false
		}
	case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str":
		name := n.Value
		if !filepath.IsAbs(name) {
			name = filepath.Join(filepath.Dir(d.src.file), name)
		}
		data, err := ReadFile(name)
		if err != nil {
			d.fail(n, path, "cannot read the values: %v", err)
			return nil, false
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		for line := 1; sc.Scan(); line++ {
			text := strings.TrimSpace(sc.Text())
			if text == "" || strings.HasPrefix(text, "#") {
				continue
			}
			var cell yaml.Node
			if yaml.Unmarshal([]byte(text), &cell) != nil || len(cell.Content) != 1 {
				d.fail(n, path, "%s:%d: %q is not a value", n.Value, line, text)
				return nil, false
			}
			sub := newDecoder(d.src)
			var v T
			if !sub.decode(cell.Content[0], reflect.ValueOf(&v).Elem(), path) {
				d.fail(n, path, "%s:%d: %s", n.Value, line, sub.errs[0].Reason)
				return nil, false
			}
			values = append(values, Numeric(v))
		}
	default:
		d.fail(n, path, "want a file name or a list of values, got %s", describe(n))
		return nil, false
	}
	if len(values) == 0 {
		d.fail(n, path, "no values to draw from")
		return nil, false
	}
	return values, true
}

// checkSupport checks a Random against its parameter's range: a constant as any value,
// a distribution by the ends of what it can draw.
func (r Random[T]) checkSupport(p Param) error {
	if r.dist == nil {
		if !p.Range.contains(Numeric(r.value)) {
			return Errorf(p.Key, "%s, got %s", p.Range.reason(p.Type), r.String())
		}
		return nil
	}
	lo, loOpen, hi := r.dist.support()
	f := func(x float64) string { return FormatValue(FromNumeric(reflect.TypeFor[T](), x)) }
	rg := p.Range
	switch {
	case lo < rg.Lo || lo == rg.Lo && rg.LoOpen && !loOpen:
		return Errorf(p.Key, "%s draws values down to %s, and the parameter %s", r.String(), f(lo), rg.reason(p.Type))
	case !math.IsInf(rg.Hi, 1) && (hi > rg.Hi || hi == rg.Hi && rg.HiOpen):
		if math.IsInf(hi, 1) {
			return Errorf(p.Key, "%s draws values without bound, and the parameter %s", r.String(), rg.reason(p.Type))
		}
		return Errorf(p.Key, "%s draws values up to %s, and the parameter %s", r.String(), f(hi), rg.reason(p.Type))
	}
	return nil
}
