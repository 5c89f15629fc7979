package scenarios

import (
	"fmt"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Set applies `--set key=value` arguments from the command line: key is seed,
// replications, name, description or a params key (dotted, with or without "params.");
// value is a YAML scalar or flow list decoded into the key's type with the same strict
// errors as a file. Setting a swept key replaces its sweep, with one value or a list
// (--set peers=[10,100]). Every argument is applied before the points are checked, so
// that their order does not matter (--set requests=100 --set warmup=10 is fine whatever
// the default warmup); on error the scenario is left as it was.
func (s *Scenario) Set(args ...string) error {
	saved := s.save()
	for _, arg := range args {
		if err := s.set(arg); err != nil {
			s.restore(saved)
			return err
		}
	}
	if err := s.Check(); err != nil {
		s.restore(saved)
		return err
	}
	s.dropStalePlots()
	return nil
}

// dropStalePlots takes out of a plot's only: the values of a swept key that --set
// replaced without them, and drops a plot left with nothing to show, saying so in
// DroppedPlots: the figure would select no point, and the resolved file, which must
// parse again, would name a value its sweep lacks (netsim run chord-path-length --set
// nodes=1000000 keeps no N = 4096 for its PDF).
func (s *Scenario) dropStalePlots() {
	kept := s.Plots[:0:0]
	for _, p := range s.Plots {
		var only []Filter
		var gone []string
		for _, f := range p.Only {
			a := s.AxisIndex(f.Key)
			if a < 0 || s.Sweep[a].setArg == "" {
				only = append(only, f)
				continue
			}
			var vals []any
			for _, v := range f.Values {
				if indexOf(s.Sweep[a].Values, v) >= 0 {
					vals = append(vals, v)
				} else {
					gone = append(gone, fmt.Sprintf("%s = %s", f.Key, FormatValue(v)))
				}
			}
			if len(vals) > 0 {
				f.Values = vals
				only = append(only, f)
			}
		}
		if len(gone) > 0 && len(only) < len(p.Only) {
			s.DroppedPlots = append(s.DroppedPlots, fmt.Sprintf("plot %s not drawn: it shows %s, which --set took out of the sweep", p.Name, strings.Join(gone, ", ")))
			continue
		}
		p.Only = only
		kept = append(kept, p)
	}
	s.Plots = kept
}

type savedScenario struct {
	seed         uint64
	replications int
	name, desc   string
	params       any
	sweep        []Axis
	setArgs      map[string]string
}

func (s *Scenario) save() savedScenario {
	sw := make([]Axis, len(s.Sweep))
	copy(sw, s.Sweep)
	args := map[string]string{}
	for k, v := range s.setArgs {
		args[k] = v
	}
	return savedScenario{s.Seed, s.Replications, s.Name, s.Description, CopyParams(s.Params), sw, args}
}

func (s *Scenario) restore(v savedScenario) {
	s.Seed, s.Replications, s.Name, s.Description = v.seed, v.replications, v.name, v.desc
	s.Params, s.Sweep, s.setArgs = v.params, v.sweep, v.setArgs
}

func (s *Scenario) set(arg string) error {
	where := "--set " + arg
	key, value, ok := strings.Cut(arg, "=")
	key = strings.TrimSpace(key)
	if !ok || key == "" {
		return &Error{File: where, Reason: "want key=value, e.g. --set peers=100"}
	}
	n, err := scalarNode(value)
	if err != nil {
		return &Error{File: where, Key: key, Reason: err.Error()}
	}
	d := newDecoder(&source{file: where}) // no lines: errors name the argument instead
	if d.checkTags(n, key); len(d.errs) > 0 {
		return d.errs[0]
	}
	d.randomHint = randomHint(s.Kind)
	decodeInto := func(ptr any) bool {
		d.decode(n, reflect.ValueOf(ptr).Elem(), key)
		return len(d.errs) == 0
	}

	switch key {
	case "seed":
		var seed uint64
		if !decodeInto(&seed) {
			return d.errs[0]
		}
		s.Seed = seed
		return nil
	case "replications":
		var r int
		if !decodeInto(&r) {
			return d.errs[0]
		}
		if r < 1 {
			return &Error{File: where, Key: key, Reason: fmt.Sprintf("must be at least 1, got %d", r)}
		}
		s.Replications = r
		s.setArgs[key] = arg
		return nil
	case "name":
		var name string
		if err := setString(decodeInto, &name, d); err != nil {
			return err
		}
		if err := CheckFileName(name); err != nil {
			return &Error{File: where, Key: key, Reason: err.Error() + " (it names the output folder, out/<name>)"}
		}
		s.Name = name
		return nil
	case "description":
		return setString(decodeInto, &s.Description, d)
	}

	if strings.HasPrefix(key, "limits.") || key == "limits" {
		return &Error{File: where, Key: key, Reason: "limits are given with --limit key=value (or --max-runs N), which apply before the file is checked"}
	}
	pkey := strings.TrimPrefix(key, "params.")
	pt := reflect.TypeOf(s.Params).Elem()
	_, ft, ok := fieldByPath(pt, pkey)
	if !ok {
		return &Error{File: where, Key: key, Reason: "unknown key: want seed, replications, name, description or a parameter of kind " +
			s.Kind.Name() + " (parameters: " + strings.Join(paramKeys(pt, ""), ", ") + ")"}
	}
	key = pkey
	var by []string
	for _, v := range s.Variants {
		for _, a := range v.Set {
			if a.Key == pkey || strings.HasPrefix(a.Key, pkey+".") || strings.HasPrefix(pkey, a.Key+".") {
				by = append(by, v.Name)
				break
			}
		}
	}
	if len(by) > 0 {
		return &Error{File: where, Key: key, Reason: "set by the variants " + strings.Join(by, ", ") + "; --set cannot override it (edit the variants in the file)"}
	}
	list := n.Kind == yaml.SequenceNode && ft.Kind() != reflect.Slice
	if i := s.AxisIndex(pkey); i >= 0 {
		ax := Axis{Key: pkey, setArg: arg}
		if list {
			vals := reflect.New(reflect.SliceOf(ft))
			if !decodeInto(vals.Interface()) {
				return d.errs[0]
			}
			if vals.Elem().Len() == 0 {
				return &Error{File: where, Key: key, Reason: "empty list: sweep at least one value"}
			}
			for j := range vals.Elem().Len() {
				ax.Values = append(ax.Values, vals.Elem().Index(j).Interface())
			}
			if j, first := repeatedValue(ax.Values); j >= 0 {
				return &Error{File: where, Key: fmt.Sprintf("%s[%d]", key, j),
					Reason: fmt.Sprintf("%s is also %s[%d]: a value swept twice would repeat its runs", FormatValue(ax.Values[j]), key, first)}
			}
		} else {
			val := reflect.New(ft)
			if !decodeInto(val.Interface()) {
				return d.errs[0]
			}
			ax.Values = []any{val.Elem().Interface()}
		}
		s.Sweep[i] = ax
		return nil
	}
	if list {
		return &Error{File: where, Key: key, Reason: "not swept: a list of values is for a swept key (sweep it in the file)"}
	}
	// Decode over the current value, so that setting a nested struct keeps the
	// defaults of the fields the value leaves out.
	val := reflect.New(ft)
	val.Elem().Set(deepCopy(reflect.ValueOf(GetParam(s.Params, pkey))))
	if !decodeInto(val.Interface()) {
		return d.errs[0]
	}
	SetParam(s.Params, pkey, val.Elem().Interface())
	s.setArgs[pkey] = arg
	return nil
}

func setString(decodeInto func(any) bool, dst *string, d *decoder) error {
	var v string
	if !decodeInto(&v) {
		return d.errs[0]
	}
	*dst = v
	return nil
}
