package scenarios

import (
	"reflect"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// VariantKey names the variant in runs.csv, summary.csv and a plot's series or only.
const VariantKey = "variant"

// Variant is one named set of overrides of `variants:`. The variants are crossed with
// the sweep, so that a file compares, say, non-persistent, parallel with P = 2, 5, 10,
// persistent and pipelined HTTP over K = 1..20 in 6×20 runs, where a sweep of mode ×
// parallel would repeat every run whose mode does not use parallel.
type Variant struct {
	Name  string
	Set   []Assignment // params keys, in file order
	nodes map[string]*yaml.Node
}

var variantName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// decodeVariants decodes `variants:`, a mapping of names to mappings of params keys to
// values; swept must already be decoded.
func (d *decoder) decodeVariants(n *yaml.Node, s *Scenario) []Variant {
	n = resolveAlias(n)
	if n.Kind == 0 || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		d.fail(n, "variants", "want a mapping of variant names to their overrides, got %s", describe(n))
		return nil
	}
	pt := reflect.TypeOf(s.Params).Elem()
	var out []Variant
	byParams := map[string]string{} // the params a variant gives, as text -> its name
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], resolveAlias(n.Content[i+1])
		path := "variants." + k.Value
		if !variantName.MatchString(k.Value) {
			d.fail(k, path, "%q is not a variant name: use letters, digits, '.', '_' and '-'", k.Value)
			continue
		}
		if val.Kind == yaml.ScalarNode && val.ShortTag() == "!!null" {
			val = &yaml.Node{Kind: yaml.MappingNode, Line: val.Line, Column: val.Column}
		}
		if val.Kind != yaml.MappingNode {
			d.fail(val, path, "want a mapping of parameters to values, e.g. {mode: parallel, parallel: 5}, got %s", describe(val))
			continue
		}
		v := Variant{Name: k.Value, nodes: map[string]*yaml.Node{}}
		ok := true
		for j := 0; j+1 < len(val.Content); j += 2 {
			pk, pv := val.Content[j], resolveAlias(val.Content[j+1])
			kp := path + "." + pk.Value
			_, ft, found := fieldByPath(pt, pk.Value)
			switch {
			case !found:
				d.fail(pk, kp, "not a parameter of kind %s (parameters: %s)", s.Kind.Name(), strings.Join(paramKeys(pt, ""), ", "))
				ok = false
				continue
			case s.AxisIndex(pk.Value) >= 0:
				d.fail(pk, kp, "%q is swept: a variant cannot set it too, or runs would repeat", pk.Value)
				ok = false
				continue
			}
			value := reflect.New(ft).Elem()
			value.Set(deepCopy(reflect.ValueOf(GetParam(s.Params, pk.Value))))
			if !d.decode(pv, value, kp) {
				ok = false
				continue
			}
			v.Set = append(v.Set, Assignment{Key: pk.Value, Value: value.Interface()})
			v.nodes[pk.Value] = pv
		}
		if !ok {
			continue
		}
		text := overridesText(s, v)
		if w, dup := byParams[text]; dup {
			d.fail(k, path, "sets the same values as variant %q: their runs would repeat", w)
			continue
		}
		byParams[text] = v.Name
		out = append(out, v)
	}
	return out
}

// overridesText is the params variant v gives every point, as canonical text: two
// variants with the same text would run the same runs. It takes linear time, so that
// a file of many variants is checked in linear time too.
func overridesText(s *Scenario, v Variant) string {
	p := CopyParams(s.Params)
	for _, x := range v.Set {
		SetParam(p, x.Key, x.Value)
	}
	var b strings.Builder
	for _, k := range paramKeys(reflect.TypeOf(p).Elem(), "") {
		b.WriteString(FormatValue(GetParam(p, k)))
		b.WriteByte(0)
	}
	return b.String()
}

// VariantKeys lists the params keys any variant sets, in the order they first appear:
// the columns runs.csv and summary.csv give them.
func (s *Scenario) VariantKeys() []string {
	var keys []string
	seen := map[string]bool{}
	for _, v := range s.Variants {
		for _, a := range v.Set {
			if !seen[a.Key] {
				seen[a.Key] = true
				keys = append(keys, a.Key)
			}
		}
	}
	return keys
}

// VariantNames lists the variants' names in file order.
func (s *Scenario) VariantNames() []string {
	names := make([]string, len(s.Variants))
	for i, v := range s.Variants {
		names[i] = v.Name
	}
	return names
}

// setByVariant reports which variant of point p sets key (or a parent of it), and the
// value node it was set by.
func (s *Scenario) setByVariant(p Point, key string) (Variant, string, bool) {
	if p.Variant < 0 {
		return Variant{}, "", false
	}
	v := s.Variants[p.Variant]
	for k := key; k != ""; k = parentKey(k) {
		if _, ok := v.nodes[k]; ok {
			return v, k, true
		}
	}
	return Variant{}, "", false
}
