package scenarios

import (
	"reflect"

	"go.yaml.in/yaml/v3"
)

// plotsOnly is a file that gives only figures: what `netsim plot --plots FILE` reads
// when FILE is not a whole scenario.
type plotsOnly struct {
	Plots []plotSpec `yaml:"plots"`
}

// ReadPlots reads the figures of filename for s, to redraw a campaign's figures from
// its results without running it again. The file is either a whole scenario, which
// must describe the same runs as s (the same Hash and replications), or a file with only plots:; either
// way every plot is checked against s's kind, sweep and variants, and a problem is an
// *Error at its line.
func (s *Scenario) ReadPlots(filename string, data []byte) ([]Plot, error) {
	if len(data) > MaxFileBytes {
		return nil, Errors{{File: filename, Reason: errTooLarge.Error()}}
	}
	src := newSource(filename, data)
	root, perr := src.parseYAML(data)
	if perr != nil {
		return nil, Errors{perr}
	}
	var probe map[string]yaml.Node
	if root.Decode(&probe) == nil {
		if _, whole := probe["kind"]; whole {
			other, err := Parse(filename, data)
			if err != nil {
				return nil, err
			}
			h1, err1 := s.Hash()
			h2, err2 := other.Hash()
			if err1 != nil || err2 != nil || h1 != h2 || s.Replications != other.Replications {
				return nil, Errors{{File: filename, Reason: "describes other runs than the output folder's campaign (a different kind, seed, replications, params, sweep or variants): only its plots may differ"}}
			}
			return other.Plots, nil
		}
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 {
		return nil, Errors{src.errorAt(0, 0, "", "empty file: want plots:, or a whole scenario")}
	}
	d := newDecoder(src)
	d.checkDuplicates(root, "")
	d.checkTags(root, "")
	doc := root.Content[0]
	var spec plotsOnly
	if doc.Kind != yaml.MappingNode {
		d.fail(doc, "", "want a mapping with plots:, got %s", describe(doc))
		return nil, d.errs
	}
	d.decode(doc, reflect.ValueOf(&spec).Elem(), "")
	plots := d.decodePlots(spec.Plots, s)
	if len(d.errs) > 0 {
		return nil, sortErrors(d.errs)
	}
	return plots, nil
}
