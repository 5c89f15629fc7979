package scenarios

import (
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Set applies one `--set key=value` from the command line: key is seed, replications,
// name, description or a params key (dotted, with or without "params."); value is a YAML
// scalar (or flow list) decoded into the key's type with the same strict errors as a
// file. Setting a swept key replaces its sweep with that single value. Every sweep point
// is checked again; on error the scenario is left as it was.
func (s *Scenario) Set(arg string) error {
	where := "--set " + arg
	key, value, ok := strings.Cut(arg, "=")
	key = strings.TrimSpace(key)
	if !ok || key == "" {
		return &Error{File: where, Reason: "want key=value, e.g. --set peers=100"}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(value), &doc); err != nil {
		return &Error{File: where, Key: key, Reason: "invalid value: " + strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null"}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		n = doc.Content[0]
	}
	d := newDecoder(&source{file: where}) // no lines: errors name the argument instead
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
			return &Error{File: where, Key: key, Reason: "must be at least 1"}
		}
		s.Replications = r
		return nil
	case "name":
		return setString(decodeInto, &s.Name, d)
	case "description":
		return setString(decodeInto, &s.Description, d)
	}

	pkey := strings.TrimPrefix(key, "params.")
	pt := reflect.TypeOf(s.Params).Elem()
	_, ft, ok := fieldByPath(pt, pkey)
	if !ok {
		return &Error{File: where, Key: key, Reason: "unknown key: want seed, replications, name, description or a parameter of kind " +
			s.Kind.Name() + " (parameters: " + strings.Join(paramKeys(pt, ""), ", ") + ")"}
	}
	// Decode over the current value, so that setting a nested struct keeps the
	// defaults of the fields the value leaves out.
	val := reflect.New(ft)
	val.Elem().Set(deepCopy(reflect.ValueOf(GetParam(s.Params, pkey))))
	key = pkey
	if !decodeInto(val.Interface()) {
		return d.errs[0]
	}
	v := val.Elem().Interface()

	for i := range s.Sweep {
		if ax := &s.Sweep[i]; ax.Key == pkey {
			old := *ax
			*ax = Axis{Key: pkey, Values: []any{v}, setArg: arg}
			if err := s.Check(); err != nil {
				*ax = old
				return err
			}
			return nil
		}
	}
	old := GetParam(s.Params, pkey)
	oldArg, hadArg := s.setArgs[pkey]
	SetParam(s.Params, pkey, v)
	s.setArgs[pkey] = arg
	if err := s.Check(); err != nil {
		SetParam(s.Params, pkey, old)
		if hadArg {
			s.setArgs[pkey] = oldArg
		} else {
			delete(s.setArgs, pkey)
		}
		return err
	}
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
