package scenarios

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Param is one row of a kind's parameter table. The table is read from the tags of the
// kind's params struct, one field per parameter, so that decoding, validation,
// show-config, the CSV columns, the figures' labels and the docs share one declaration:
//
//	yaml:"peers"      the key in a file (a nested struct's keys are dotted: server.upload)
//	default:"10ms"    the default, written as in a file; absent, the zero value
//	range:"[1,)"      the allowed interval, in the unit the value is plotted in (bit/s,
//	                  bits, seconds, or the number itself); "(" and ")" leave an end open,
//	                  an empty end is unbounded
//	oneof:"a b"       the allowed values of a string
//	unit:"1/s"        the unit of a plain number, for show-config and axis labels
//	label:"..."       its name on axes ("Access-link rate"); absent, the key in words
//	symbol:"α"        its symbol in legends ("α = 0.64"); absent, the label
//	help:"..."        what the parameter means, and where it comes from
//	platform:""       the kind's default platform is built from it (Decl.Platform): a
//	                  file with its own topology: section may not set it
type Param struct {
	Key     string // dotted
	Type    reflect.Type
	Index   []int // reflect field index path from the params struct
	Default any   // the field's default value
	Unit    string
	Range   *Range
	Choices []string
	Help    string
	// Platform: the parameter describes the kind's default platform (see the tag).
	Platform bool
	Label    string // for axes; "" for the key in words (see Title)
	Symbol   string // for legends ("α"); "" for Title
}

// Title is the parameter's name on an axis: its label, or its key in words.
func (p Param) Title() string {
	if p.Label != "" {
		return p.Label
	}
	return Words(p.Key, "")
}

// Range is an interval of allowed values; an absent end is ±Inf.
type Range struct {
	Lo, Hi         float64
	LoOpen, HiOpen bool
}

func (r Range) contains(x float64) bool {
	if math.IsNaN(x) {
		return false
	}
	lo := x > r.Lo || !r.LoOpen && x == r.Lo
	hi := x < r.Hi || !r.HiOpen && x == r.Hi
	return lo && hi
}

// parseRange reads a range tag: "[0,1)", "(0,)", "[1,1e8]".
func parseRange(tag string) (*Range, error) {
	bad := fmt.Errorf("range %q: want an interval such as [0,1), (0,) or [1,100]", tag)
	if len(tag) < 3 || !strings.ContainsRune("[(", rune(tag[0])) || !strings.ContainsRune("])", rune(tag[len(tag)-1])) {
		return nil, bad
	}
	lo, hi, ok := strings.Cut(tag[1:len(tag)-1], ",")
	if !ok {
		return nil, bad
	}
	r := &Range{Lo: math.Inf(-1), Hi: math.Inf(1), LoOpen: tag[0] == '(', HiOpen: tag[len(tag)-1] == ')'}
	var err error
	if lo = strings.TrimSpace(lo); lo != "" {
		if r.Lo, err = strconv.ParseFloat(lo, 64); err != nil {
			return nil, bad
		}
	}
	if hi = strings.TrimSpace(hi); hi != "" {
		if r.Hi, err = strconv.ParseFloat(hi, 64); err != nil {
			return nil, bad
		}
	}
	if !(r.Lo <= r.Hi) {
		return nil, bad
	}
	return r, nil
}

// reason says what the range allows, with the bounds in the parameter's own type
// ("must be positive, got 0bps", "must be in [0, 1), got 1.5").
func (r Range) reason(t reflect.Type) string {
	bound := func(x float64) string { return FormatValue(FromNumeric(plainType(t), x)) }
	switch {
	case math.IsInf(r.Hi, 1) && r.Lo == 0 && r.LoOpen:
		return "must be positive"
	case math.IsInf(r.Hi, 1) && r.Lo == 0:
		return "must not be negative"
	case math.IsInf(r.Hi, 1) && r.LoOpen:
		return "must be greater than " + bound(r.Lo)
	case math.IsInf(r.Hi, 1):
		return "must be at least " + bound(r.Lo)
	case math.IsInf(r.Lo, -1) && r.HiOpen:
		return "must be less than " + bound(r.Hi)
	case math.IsInf(r.Lo, -1):
		return "must be at most " + bound(r.Hi)
	}
	open, end := "[", "]"
	if r.LoOpen {
		open = "("
	}
	if r.HiOpen {
		end = ")"
	}
	return fmt.Sprintf("must be in %s%s, %s%s", open, bound(r.Lo), bound(r.Hi), end)
}

// String is the range as show-config prints it: "> 0", ">= 1", "[0, 1)".
func (r Range) String(t reflect.Type) string {
	bound := func(x float64) string { return FormatValue(FromNumeric(plainType(t), x)) }
	switch {
	case math.IsInf(r.Hi, 1) && r.LoOpen:
		return "> " + bound(r.Lo)
	case math.IsInf(r.Hi, 1):
		return ">= " + bound(r.Lo)
	case math.IsInf(r.Lo, -1) && r.HiOpen:
		return "< " + bound(r.Hi)
	case math.IsInf(r.Lo, -1):
		return "<= " + bound(r.Hi)
	}
	s := strings.TrimPrefix(r.reason(t), "must be in ")
	return s
}

// paramTable reads the table of params struct type t.
func paramTable(t reflect.Type) ([]Param, error) {
	var out []Param
	var walk func(t reflect.Type, prefix string, index []int) error
	walk = func(t reflect.Type, prefix string, index []int) error {
		for _, f := range fieldsOf(t) {
			sf := t.Field(f.index)
			key := joinKey(prefix, f.name)
			idx := append(slices.Clone(index), f.index)
			if sf.Type.Kind() == reflect.Struct && !reflect.PointerTo(sf.Type).Implements(unmarshalerType) {
				if err := walk(sf.Type, key, idx); err != nil {
					return err
				}
				continue
			}
			_, platform := sf.Tag.Lookup("platform")
			p := Param{Key: key, Type: sf.Type, Index: idx, Unit: sf.Tag.Get("unit"), Help: f.help, Platform: platform,
				Label: sf.Tag.Get("label"), Symbol: sf.Tag.Get("symbol")}
			if p.Unit == "" {
				p.Unit = AxisUnit(plainType(sf.Type))
			}
			if tag, ok := sf.Tag.Lookup("range"); ok {
				if !isNumeric(plainType(sf.Type)) {
					return fmt.Errorf("parameter %s: a range on a %s", key, sf.Type)
				}
				r, err := parseRange(tag)
				if err != nil {
					return fmt.Errorf("parameter %s: %w", key, err)
				}
				p.Range = r
			}
			if tag, ok := sf.Tag.Lookup("oneof"); ok {
				if sf.Type.Kind() != reflect.String {
					return fmt.Errorf("parameter %s: oneof on a %s", key, sf.Type)
				}
				p.Choices = strings.Fields(tag)
			}
			out = append(out, p)
		}
		return nil
	}
	return out, walk(t, "", nil)
}

// setDefaults decodes every default tag into v, a params struct, with the decoder a
// file goes through, and records the defaults in the table.
func setDefaults(v reflect.Value, params []Param) error {
	t := v.Type()
	for i := range params {
		p := &params[i]
		text, ok := fieldTag(t, p.Index, "default")
		if ok {
			var doc yaml.Node
			if err := yaml.Unmarshal([]byte(text), &doc); err != nil || len(doc.Content) != 1 {
				return fmt.Errorf("parameter %s: default %q is not a YAML value", p.Key, text)
			}
			d := newDecoder(&source{file: "default"})
			if !d.decode(doc.Content[0], v.FieldByIndex(p.Index), p.Key) {
				return fmt.Errorf("parameter %s: default: %v", p.Key, d.errs)
			}
		}
		p.Default = v.FieldByIndex(p.Index).Interface()
	}
	return nil
}

func fieldTag(t reflect.Type, index []int, tag string) (string, bool) {
	var sf reflect.StructField
	for _, i := range index {
		sf = t.Field(i)
		t = sf.Type
	}
	return sf.Tag.Lookup(tag)
}

// checkTable checks every parameter of v against its range and choices.
func checkTable(v reflect.Value, params []Param) []error {
	var errs []error
	for _, p := range params {
		fv := v.FieldByIndex(p.Index)
		if p.Choices != nil && !slices.Contains(p.Choices, fv.String()) {
			errs = append(errs, Errorf(p.Key, "must be %s, got %q", orList(p.Choices), fv.String()))
		}
		if p.Range != nil {
			if err := checkRange(p, fv.Interface()); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errs
}

func checkRange(p Param, v any) error {
	if r, ok := v.(random); ok {
		return r.checkSupport(p)
	}
	if !p.Range.contains(Numeric(v)) {
		return Errorf(p.Key, "%s, got %s", p.Range.reason(p.Type), FormatValue(v))
	}
	return nil
}

// orList joins choices as "a, b or c".
func orList(choices []string) string {
	if len(choices) < 2 {
		return strings.Join(choices, "")
	}
	return strings.Join(choices[:len(choices)-1], ", ") + " or " + choices[len(choices)-1]
}

func joinErrors(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	return errors.Join(errs...)
}
