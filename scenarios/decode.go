package scenarios

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// yaml.v3's Node.Decode has no KnownFields, and yaml.Unmarshal's strict mode reports
// no line for a value a custom type rejects. So scenario files are decoded by walking
// the yaml.Node tree against the Go value with reflect: every unknown key, wrong type
// and bad unit becomes an *Error at its own line, and decoding goes on to find the rest.

var (
	unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()
	nodeType        = reflect.TypeFor[yaml.Node]()
)

// decoder collects the errors of one decoding pass and remembers where each key is.
type decoder struct {
	src  *source
	errs Errors
	// keys maps the dotted path of every mapping key decoded into a struct
	// ("params.server.upload") to its key and value nodes.
	keys map[string][2]*yaml.Node
	// topologyFileNode is the content of a topology: file: file, which a resolved
	// scenario holds in place of the file's name.
	topologyFileNode *yaml.Node
	// randomHint ends the message for a distribution where the kind allows none: which
	// parameters may be one.
	randomHint string
	// limits are the scenario's limits, which the topology's and schedule's sizes are
	// held to as they are decoded; nil outside a scenario file.
	limits *Limits
	// badAxes are the swept keys whose values did not decode, so that the plots that
	// use them are not blamed for it too.
	badAxes map[string]bool
}

func newDecoder(src *source) *decoder {
	return &decoder{src: src, keys: map[string][2]*yaml.Node{}}
}

func (d *decoder) fail(n *yaml.Node, key, format string, args ...any) {
	if n == nil {
		n = &yaml.Node{} // no node to point at: the error names no line
	}
	d.errs = append(d.errs, d.src.errorAt(n.Line, n.Column, key, format, args...))
}

// field is one exported struct field as a scenario key.
type field struct {
	name  string // the yaml key
	index int
	help  string
}

// fieldsOf lists the keys of struct type t in declaration order.
func fieldsOf(t reflect.Type) []field {
	var fs []field
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(sf.Name) // yaml.v3's default
		}
		fs = append(fs, field{name: name, index: i, help: sf.Tag.Get("help")})
	}
	return fs
}

func fieldNames(fs []field) string {
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = f.name
	}
	return strings.Join(names, ", ")
}

// resolveAlias follows a YAML alias (*anchor) to the node it names.
func resolveAlias(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// decode decodes n into the settable v; path names n in errors. It reports false if it
// found a problem (already recorded).
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) bool {
	n = resolveAlias(n)
	t := v.Type()
	if t == nodeType {
		v.Set(reflect.ValueOf(*n))
		return true
	}
	if t.Kind() == reflect.Pointer {
		// An optional section (topology: star:), present when set.
		p := reflect.New(t.Elem())
		if !d.decode(n, p.Elem(), path) {
			return false
		}
		v.Set(p)
		return true
	}
	if rd, ok := v.Addr().Interface().(randomDecoder); ok {
		return rd.decodeFrom(d, n, path)
	}
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 && slices.Contains(distNames, n.Content[0].Value) && isNumeric(t) {
		d.fail(n, path, "takes one value, not a distribution%s", d.randomHint)
		return false
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		if err := v.Addr().Interface().(yaml.Unmarshaler).UnmarshalYAML(n); err != nil {
			d.fail(n, path, "%s", err.Error())
			return false
		}
		return true
	}
	if t.Kind() != reflect.Struct && t.Kind() != reflect.Slice && n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		d.fail(n, path, "missing value: want %s", typeWant(t))
		return false
	}
	switch t.Kind() {
	case reflect.Struct:
		return d.decodeStruct(n, v, path)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.fail(n, path, "want a list of %s, got %s", typeWantPlural(t.Elem()), describe(n))
			return false
		}
		s := reflect.MakeSlice(t, len(n.Content), len(n.Content))
		ok := true
		for i, c := range n.Content {
			ok = d.decode(c, s.Index(i), fmt.Sprintf("%s[%d]", path, i)) && ok
		}
		if ok && s.Len() == 0 {
			s = reflect.Zero(t) // [] and a nil default are the same empty list
		}
		if ok {
			v.Set(s)
		}
		return ok
	}
	if n.Kind != yaml.ScalarNode {
		d.fail(n, path, "want %s, got %s", typeWant(t), describe(n))
		return false
	}
	tag := n.ShortTag()
	switch t.Kind() {
	case reflect.Bool:
		var b bool
		if tag != "!!bool" || n.Decode(&b) != nil {
			d.fail(n, path, "want true or false, got %s", describe(n))
			return false
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		var i int64
		if tag != "!!int" || n.Decode(&i) != nil {
			d.fail(n, path, "want an integer, got %s", describe(n))
			return false
		}
		if v.OverflowInt(i) {
			d.fail(n, path, "%d is out of range for %s", i, t.Kind())
			return false
		}
		v.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		var u uint64
		if tag == "!!int" && strings.HasPrefix(n.Value, "-") {
			d.fail(n, path, "must not be negative, got %s", n.Value)
			return false
		}
		if tag != "!!int" || n.Decode(&u) != nil {
			d.fail(n, path, "want a non-negative integer, got %s", describe(n))
			return false
		}
		if v.OverflowUint(u) {
			d.fail(n, path, "%d is out of range for %s", u, t.Kind())
			return false
		}
		v.SetUint(u)
	case reflect.Float32, reflect.Float64:
		var f float64
		if (tag != "!!int" && tag != "!!float") || n.Decode(&f) != nil {
			d.fail(n, path, "want a number, got %s", describe(n))
			return false
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			d.fail(n, path, "want a finite number, got %s", n.Value)
			return false
		}
		v.SetFloat(f)
	case reflect.String:
		v.SetString(n.Value)
	default:
		// A params struct with a field of another type is a bug in the kind.
		d.fail(n, path, "netsim bug: parameters of type %s are not supported", t)
		return false
	}
	return true
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) bool {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return true // "params:" with nothing below keeps every default
	}
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "want a mapping of keys to values, got %s", describe(n))
		return false
	}
	fs := fieldsOf(v.Type())
	ok := true
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		sub := joinKey(path, k.Value)
		var f *field
		for j := range fs {
			if fs[j].name == k.Value {
				f = &fs[j]
			}
		}
		if f == nil {
			d.fail(k, sub, "unknown key%s (known keys: %s)", suggest(k.Value, fs), fieldNames(fs))
			ok = false
			continue
		}
		d.keys[sub] = [2]*yaml.Node{k, val}
		ok = d.decode(val, v.Field(f.index), sub) && ok
	}
	return ok
}

// suggest returns `; did you mean "x"?` when a known key is one edit or a case change
// away from the unknown one.
func suggest(unknown string, fs []field) string {
	for _, f := range fs {
		if strings.EqualFold(f.name, unknown) || editDistance(f.name, unknown) == 1 {
			return fmt.Sprintf("; did you mean %q?", f.name)
		}
	}
	return ""
}

// editDistance counts the insertions, deletions, substitutions and transpositions of
// adjacent letters that turn a into b (optimal string alignment distance).
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

func joinKey(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// describe names what a node holds, for "want X, got Y".
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.ShortTag() == "!!null" {
			return "nothing"
		}
		return strconv.Quote(n.Value)
	}
	return "something else"
}

func typeWant(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a non-negative integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Struct:
		return "a mapping"
	case reflect.Slice:
		return "a list"
	}
	return t.String()
}

func typeWantPlural(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "integers"
	case reflect.Float32, reflect.Float64:
		return "numbers"
	case reflect.String:
		return "strings"
	}
	return "values"
}

// checkDuplicates reports every key that appears twice in one mapping, anywhere below n.
func (d *decoder) checkDuplicates(n *yaml.Node, path string) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			d.checkDuplicates(c, path)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			d.checkDuplicates(c, fmt.Sprintf("%s[%d]", path, i))
		}
	case yaml.MappingNode:
		seen := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if first, dup := seen[k.Value]; dup {
				d.fail(k, joinKey(path, k.Value), "duplicate key (first at line %d)", first)
			} else {
				seen[k.Value] = k.Line
			}
			d.checkDuplicates(n.Content[i+1], joinKey(path, k.Value))
		}
	}
}

// fieldByPath finds the field of struct type t named by a dotted key ("server.upload")
// and returns the reflect index path to it and its type. It is cached: every point of
// a sweep sets its keys through it, and reading struct tags is most of the cost.
func fieldByPath(t reflect.Type, key string) ([]int, reflect.Type, bool) {
	type cacheKey struct {
		t   reflect.Type
		key string
	}
	type found struct {
		index []int
		t     reflect.Type
		ok    bool
	}
	ck := cacheKey{t, key}
	if f, ok := fieldPaths.Load(ck); ok {
		f := f.(found)
		return f.index, f.t, f.ok
	}
	index, ft, ok := findField(t, key)
	fieldPaths.Store(ck, found{index, ft, ok})
	return index, ft, ok
}

// fieldPaths caches fieldByPath; keys are few (each kind's params, by dotted key).
var fieldPaths sync.Map

func findField(t reflect.Type, key string) ([]int, reflect.Type, bool) {
	var index []int
	for part := range strings.SplitSeq(key, ".") {
		if t.Kind() != reflect.Struct {
			return nil, nil, false
		}
		found := false
		for _, f := range fieldsOf(t) {
			if f.name == part {
				index = append(index, f.index)
				t = t.Field(f.index).Type
				found = true
				break
			}
		}
		if !found {
			return nil, nil, false
		}
	}
	return index, t, true
}

// paramKeys lists every leaf key of params struct type t, dotted, in declaration order.
func paramKeys(t reflect.Type, prefix string) []string {
	var keys []string
	for _, f := range fieldsOf(t) {
		ft := t.Field(f.index).Type
		k := joinKey(prefix, f.name)
		if ft.Kind() == reflect.Struct && !reflect.PointerTo(ft).Implements(unmarshalerType) {
			keys = append(keys, paramKeys(ft, k)...)
			continue
		}
		keys = append(keys, k)
	}
	return keys
}
