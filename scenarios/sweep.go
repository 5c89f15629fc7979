package scenarios

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Assignment is one swept key's value at a sweep point.
type Assignment struct {
	Key   string
	Value any // of the field's own type, e.g. units.Rate
}

// Point is one variant (if the file has variants) and one combination of swept values.
type Point struct {
	Index   int
	Variant int          // index in Scenario.Variants; -1 without variants
	Assign  []Assignment // one per Axis, in the order of Scenario.Sweep
	Params  any          // a fresh params struct (pointer) with the variant and assignment applied
}

// VariantName is the name of the point's variant, "" without variants.
func (p Point) VariantName(s *Scenario) string {
	if p.Variant < 0 {
		return ""
	}
	return s.Variants[p.Variant].Name
}

// sweepPoints is the product of the axes' lengths.
func (s *Scenario) sweepPoints() int {
	n := 1
	for _, ax := range s.Sweep {
		n *= len(ax.Values)
	}
	return n
}

// NumPoints is the number of parameter points: variants × sweep points. Check (which
// Parse and Set run) has made sure that it fits, as has NumRuns.
func (s *Scenario) NumPoints() int { return max(len(s.Variants), 1) * s.sweepPoints() }

// NumRuns is NumPoints × Replications, at most Limits.Runs once Check has passed.
func (s *Scenario) NumRuns() int { return s.NumPoints() * s.Replications }

// Points returns the sweep points: the cartesian product of the axes, in file order with
// the last axis varying fastest. A scenario without a sweep has one point.
func (s *Scenario) Points() []Point {
	pts := make([]Point, s.NumPoints())
	for i := range pts {
		pts[i] = s.Point(i)
	}
	return pts
}

// Point builds point i: the variant i / sweep points (in file order), then the sweep
// point's digits in the mixed radix of the axis lengths, last axis least significant.
func (s *Scenario) Point(i int) Point {
	p := Point{Index: i, Variant: -1, Assign: make([]Assignment, len(s.Sweep)), Params: CopyParams(s.Params)}
	rest := i
	if len(s.Variants) > 0 {
		n := s.sweepPoints()
		p.Variant, rest = i/n, i%n
		for _, a := range s.Variants[p.Variant].Set {
			SetParam(p.Params, a.Key, a.Value)
		}
	}
	for a := len(s.Sweep) - 1; a >= 0; a-- {
		ax := s.Sweep[a]
		v := ax.Values[rest%len(ax.Values)]
		rest /= len(ax.Values)
		p.Assign[a] = Assignment{Key: ax.Key, Value: v}
		SetParam(p.Params, ax.Key, v)
	}
	return p
}

// valueIndex is the index in Sweep[a].Values of point p's value, from the digits of
// its index as Point reads them: O(axes), where a search of the values would make
// checking every point of a long sweep quadratic.
func (s *Scenario) valueIndex(p Point, a int) int {
	rest := p.Index % s.sweepPoints()
	for b := len(s.Sweep) - 1; b > a; b-- {
		rest /= len(s.Sweep[b].Values)
	}
	return rest % len(s.Sweep[a].Values)
}

// RunSeed derives the seed of run runIndex of a campaign from its master seed. The run
// index is replication × points + point (RunIndex), so a run's seed does not depend on
// which worker runs it, nor when, nor on how many replications there are.
//
// It is SplitMix64's output function (Steele, Lea, Flood, "Fast splittable
// pseudorandom number generators", OOPSLA 2014) applied twice: once to the master seed,
// then to that plus the golden-gamma multiple of (runIndex+1). Nearby masters and nearby
// indices give unrelated seeds, and RunSeed(m, i) differs from m itself.
func RunSeed(master uint64, runIndex int) uint64 {
	const gamma = 0x9e3779b97f4a7c15
	return mix64(mix64(master) + gamma*uint64(runIndex+1))
}

func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// CopyParams returns a deep copy of a params struct pointer: slices are copied, so a
// point's params share nothing with the scenario's.
func CopyParams(p any) any {
	v := reflect.ValueOf(p).Elem()
	out := reflect.New(v.Type())
	out.Elem().Set(deepCopy(v))
	return out.Interface()
}

func deepCopy(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Struct:
		out := reflect.New(v.Type()).Elem()
		out.Set(v)
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				out.Field(i).Set(deepCopy(v.Field(i)))
			}
		}
		return out
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			out.Index(i).Set(deepCopy(v.Index(i)))
		}
		return out
	}
	return v
}

// SetParam sets the dotted key of the params struct pointer p to a (deep copy of) value,
// which has the field's type.
func SetParam(p any, key string, value any) {
	index, _, ok := fieldByPath(reflect.TypeOf(p).Elem(), key)
	if !ok {
		panic("scenarios: SetParam: no key " + key) // keys are checked when parsed
	}
	reflect.ValueOf(p).Elem().FieldByIndex(index).Set(deepCopy(reflect.ValueOf(value)))
}

// GetParam returns the value of the dotted key of the params struct pointer p.
func GetParam(p any, key string) any {
	index, _, _ := fieldByPath(reflect.TypeOf(p).Elem(), key)
	return reflect.ValueOf(p).Elem().FieldByIndex(index).Interface()
}

// Check runs the kind's Check on every sweep point and locates each problem: at the
// sweep value that produced it, the --set that set it, its key in params, or, for a
// default, at params: with "(default)". Then, with valid params, it checks the file's
// platform against them (checkPlatform).
func (s *Scenario) Check() error {
	// Counted before any point is built, so that a campaign too large to list is
	// refused in no time: the loop below is bounded by limits.runs.
	if e := s.checkRuns(); e != nil {
		return Errors{e}
	}
	var errs Errors
	seen := map[string]bool{}
	add := func(le *Error) {
		if msg := le.Error(); !seen[msg] {
			seen[msg] = true
			errs = append(errs, le)
		}
	}
	for i := range s.NumPoints() {
		p := s.Point(i)
		problems := flatten(s.Kind.Check(p.Params))
		if len(problems) == 0 && s.Topology == nil {
			// Only a valid point is sized: the estimates may divide by its rates.
			problems = s.checkSize(p)
		}
		for _, e := range problems {
			add(s.locateSize(e, p))
		}
	}
	if len(errs) == 0 {
		errs = s.checkPlatform()
	}
	if len(errs) == 0 && s.Topology != nil {
		// On the file's topology a point is sized once its deployment is known to fit:
		// the estimates count the hosts of each role and divide by their rates.
		for i := range s.NumPoints() {
			p := s.Point(i)
			for _, e := range s.checkSize(p) {
				add(s.locateSize(e, p))
			}
		}
	}
	if len(errs) > 0 {
		return sortErrors(errs)
	}
	return nil
}

// checkSize holds one run of point p, on its platform, to the limits. The key
// "topology", which a size on the file's topology blames, counts as set by the file.
func (s *Scenario) checkSize(p Point) []error {
	return s.Limits.checkSize(s.Kind.Size(p.Params, s.Topology), func(key string) bool {
		return isTopologyKey(key) && s.Topology != nil || s.setsKey(p, key)
	})
}

// locateSize locates a problem of point p: at its params key, or, for a key of the
// file's topology: section, there.
func (s *Scenario) locateSize(err error, p Point) *Error {
	if fe, ok := err.(*FieldError); ok && isTopologyKey(fe.Key) {
		return s.errorAtKey(fe.Key, fe.Reason)
	}
	return s.locate(err, p)
}

func isTopologyKey(key string) bool {
	return key == "topology" || strings.HasPrefix(key, "topology.")
}

// flatten lists the errors joined in err (errors.Join, or an Errors).
func flatten(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

// setsKey reports whether point p's value of key comes from the file, a --set, its
// sweep or its variant, rather than from the kind's default.
func (s *Scenario) setsKey(p Point, key string) bool {
	if _, _, ok := s.setByVariant(p, key); ok {
		return true
	}
	if s.AxisIndex(key) >= 0 {
		return true
	}
	for k := key; k != ""; k = parentKey(k) {
		if _, ok := s.setArgs[k]; ok {
			return true
		}
		if _, ok := s.keys["params."+k]; ok {
			return true
		}
	}
	return false
}

func (s *Scenario) locate(err error, p Point) *Error {
	var fe *FieldError
	if !errors.As(err, &fe) {
		return s.at(s.keys["params"], 0, "params", err.Error())
	}
	if v, k, ok := s.setByVariant(p, fe.Key); ok && s.hasLines {
		n := v.nodes[k]
		return s.src.errorAt(n.Line, n.Column, "variants."+v.Name+"."+fe.Key, "%s", fe.Reason)
	}
	for a, ax := range s.Sweep {
		if ax.Key != fe.Key && !strings.HasPrefix(fe.Key, ax.Key+".") {
			continue
		}
		if ax.setArg != "" {
			return &Error{File: "--set " + ax.setArg, Key: fe.Key, Reason: fe.Reason}
		}
		j := s.valueIndex(p, a)
		if j < len(ax.nodes) {
			n := ax.nodes[j]
			return s.src.errorAt(n.Line, n.Column, fmt.Sprintf("sweep.%s[%d]", ax.Key, j), "%s", fe.Reason)
		}
	}
	for k := fe.Key; k != ""; k = parentKey(k) {
		if arg, ok := s.setArgs[k]; ok {
			return &Error{File: "--set " + arg, Key: fe.Key, Reason: fe.Reason}
		}
		if kv, ok := s.keys["params."+k]; ok {
			return s.at(kv, 1, "params."+fe.Key, fe.Reason)
		}
	}
	return s.at(s.keys["params"], 0, "params."+fe.Key, fe.Reason+" (default)")
}

// at returns an *Error at node kv[which] (0 for the key, 1 for the value), or with no
// line if the file does not have it.
func (s *Scenario) at(kv [2]*yaml.Node, which int, key, reason string) *Error {
	if kv[which] == nil || !s.hasLines {
		return &Error{File: s.File, Key: key, Reason: reason}
	}
	n := kv[which]
	return s.src.errorAt(n.Line, n.Column, key, "%s", reason)
}

// parentKey is the key that holds k: "a.b" for "a.b.c", "a" for "a[2]" (a list's
// entry is held by the list), "" for a key at the top.
func parentKey(k string) string {
	if strings.HasSuffix(k, "]") {
		if i := strings.LastIndex(k, "["); i > 0 && !strings.Contains(k[i:], ".") {
			return k[:i]
		}
	}
	i := strings.LastIndex(k, ".")
	if i < 0 {
		return ""
	}
	return k[:i]
}

// ParamType returns the Go type of the dotted params key, or nil if the kind has no
// such parameter.
func (s *Scenario) ParamType(key string) reflect.Type {
	_, t, ok := fieldByPath(reflect.TypeOf(s.Params).Elem(), key)
	if !ok {
		return nil
	}
	return t
}

// AxisIndex returns the index in Sweep of the swept key, or -1.
func (s *Scenario) AxisIndex(key string) int {
	for i, ax := range s.Sweep {
		if key != "" && ax.Key == key {
			return i
		}
	}
	return -1
}
