package scenarios

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
)

// builtinFiles holds the ready-made scenarios, scenarios/*.yaml, in the binary so that
// `netsim run <name>` works with no file at hand.
//
//go:embed *.yaml
var builtinFiles embed.FS

// Builtin is one ready-made scenario, for `netsim list`.
type Builtin struct {
	Name        string // the file's base name without .yaml: `netsim run NAME`
	Description string // the file's description, or its kind's summary
}

// builtinNames lists the embedded scenario files' names without .yaml, sorted.
func builtinNames() []string {
	entries, _ := fs.ReadDir(builtinFiles, ".")
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".yaml") && !strings.HasPrefix(e.Name(), "_") {
			names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
		}
	}
	sort.Strings(names)
	return names
}

// Builtins lists the built-in scenarios, sorted by name. A built-in that does not parse
// (a bug caught by the tests) is listed with the error as its description.
func Builtins() []Builtin {
	var out []Builtin
	for _, name := range builtinNames() {
		b := Builtin{Name: name}
		s, err := loadBuiltin(name, ParseOptions{})
		switch {
		case err != nil:
			b.Description = "invalid: " + strings.SplitN(err.Error(), "\n", 2)[0]
		case s.Description != "":
			b.Description = strings.TrimSpace(s.Description)
		default:
			b.Description = s.Kind.Summary()
		}
		out = append(out, b)
	}
	return out
}

func loadBuiltin(name string, opts ParseOptions) (*Scenario, error) {
	file := name + ".yaml"
	data, err := builtinFiles.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return ParseWith(file, data, opts)
}

// Load reads a scenario from the file at nameOrPath or, if there is no such file and
// nameOrPath is a plain name, from the built-in scenario of that name ("filedist-cs-p2p"
// or "filedist-cs-p2p.yaml").
func Load(nameOrPath string) (*Scenario, error) { return LoadWith(nameOrPath, ParseOptions{}) }

// LoadWith is Load with the command line's options.
func LoadWith(nameOrPath string, opts ParseOptions) (*Scenario, error) {
	data, err := ReadFile(nameOrPath)
	if err == nil {
		return ParseWith(nameOrPath, data, opts)
	}
	if err == errTooLarge {
		return nil, Errors{{File: nameOrPath, Reason: err.Error()}}
	}
	name := strings.TrimSuffix(nameOrPath, ".yaml")
	var pe *fs.PathError
	if !os.IsNotExist(err) && errors.As(err, &pe) {
		// "x.yaml: is a directory", not "scenario x.yaml: read x.yaml: is a directory".
		return nil, Errors{{File: nameOrPath, Reason: pe.Err.Error()}}
	}
	if !os.IsNotExist(err) || strings.ContainsAny(name, `/\`) || path.Ext(name) != "" {
		return nil, fmt.Errorf("scenario %s: %w", nameOrPath, err)
	}
	for _, b := range builtinNames() {
		if b == name {
			return loadBuiltin(name, opts)
		}
	}
	return nil, fmt.Errorf("scenario %s: no such file, and no built-in scenario of that name (built-ins: %s)",
		nameOrPath, strings.Join(builtinNames(), ", "))
}
