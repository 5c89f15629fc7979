package scenarios

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"reflect"

	"go.yaml.in/yaml/v3"
)

// Resolved returns the scenario as a complete file, every default filled in and every
// parameter preceded by its help text as a comment (as ns-3 prints its attributes:
// nothing a user can set is hidden). It parses back to the same scenario. This is what
// `netsim show-config` prints and what manifest.json records.
func (s *Scenario) Resolved() ([]byte, error) {
	return encodeYAML(s.resolvedNode(true))
}

// Hash identifies the campaign's runs: a SHA-256 of the resolved kind, seed,
// replications, params and sweep, without comments, name, description or plots, which do
// not change any run. A campaign re-run into a folder resumes only if the hash matches.
func (s *Scenario) Hash() (string, error) {
	data, err := encodeYAML(s.resolvedNode(false))
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}

func encodeYAML(n *yaml.Node) ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return nil, fmt.Errorf("scenarios: encoding the resolved scenario: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// resolvedNode builds the file as a YAML tree; full adds comments and the parts that do
// not change the runs.
func (s *Scenario) resolvedNode(full bool) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode}
	add := func(key, help string, v *yaml.Node) {
		k := scalar(key)
		if full {
			k.HeadComment = help
		}
		m.Content = append(m.Content, k, v)
	}
	add("kind", s.Kind.Summary(), scalar(s.Kind.Name()))
	if full {
		add("name", "", scalar(s.Name))
		add("description", "", scalar(s.Description))
	}
	add("seed", "master seed: run i's seed is RunSeed(seed, i)", encodeNode(s.Seed))
	add("replications", "runs per sweep point, each with its own seed", encodeNode(s.Replications))
	add("params", "", paramsNode(reflect.ValueOf(s.Params).Elem(), full))
	if len(s.Sweep) > 0 {
		sw := &yaml.Node{Kind: yaml.MappingNode}
		for _, ax := range s.Sweep {
			seq := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
			for _, v := range ax.Values {
				seq.Content = append(seq.Content, encodeNode(v))
			}
			sw.Content = append(sw.Content, scalar(ax.Key), seq)
		}
		add("sweep", "the cartesian product of these values, the last key varying fastest", sw)
	}
	if len(s.Variants) > 0 {
		vs := &yaml.Node{Kind: yaml.MappingNode}
		for _, v := range s.Variants {
			m := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
			for _, a := range v.Set {
				m.Content = append(m.Content, scalar(a.Key), encodeNode(a.Value))
			}
			vs.Content = append(vs.Content, scalar(v.Name), m)
		}
		add("variants", "named overrides, each crossed with the sweep", vs)
	}
	if s.topologyNode != nil {
		add("topology", "the platform: hosts and links", s.topologyNode)
	}
	if s.scheduleNode != nil {
		add("schedule", "changes of the platform during a run", s.scheduleNode)
	}
	if full && len(s.Plots) > 0 {
		seq := &yaml.Node{Kind: yaml.SequenceNode}
		for _, p := range s.Plots {
			seq.Content = append(seq.Content, plotNode(p))
		}
		add("plots", "", seq)
	}
	if full && s.Capture != nil { // changes no run, so it is not hashed
		add("capture", "what each run's capture writes: pcap files and a sequence chart", paramsNode(reflect.ValueOf(*s.Capture), false))
	}
	return m
}

func scalar(v string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v}
}

// encodeNode encodes a leaf value; unit types encode through their MarshalYAML.
func encodeNode(v any) *yaml.Node {
	var n yaml.Node
	if err := n.Encode(v); err != nil {
		// Every parameter type is a scalar, a unit or a slice of them: a failure
		// here is a bug in netsim.
		panic(fmt.Sprintf("scenarios: encoding %v: %v", v, err))
	}
	if n.Kind == yaml.SequenceNode {
		n.Style = yaml.FlowStyle
	}
	return &n
}

func paramsNode(v reflect.Value, full bool) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode}
	for _, f := range fieldsOf(v.Type()) {
		k := scalar(f.name)
		if full {
			k.HeadComment = f.help
		}
		fv := v.Field(f.index)
		var val *yaml.Node
		if fv.Kind() == reflect.Struct && !reflect.PointerTo(fv.Type()).Implements(unmarshalerType) {
			val = paramsNode(fv, full)
		} else {
			val = encodeNode(fv.Interface())
		}
		m.Content = append(m.Content, k, val)
	}
	return m
}

func plotNode(p Plot) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode}
	add := func(key string, v *yaml.Node) { m.Content = append(m.Content, scalar(key), v) }
	str := func(key, v string) {
		if v != "" {
			add(key, scalar(v))
		}
	}
	str("name", p.Name)
	str("type", p.Type)
	str("title", p.Title)
	str("x", p.X)
	if len(p.Y) == 1 {
		str("y", p.Y[0])
	} else {
		add("y", encodeNode(p.Y))
	}
	str("series", p.Series)
	if len(p.Theory) > 0 {
		add("theory", encodeNode(p.Theory))
	}
	if p.XLog {
		add("xlog", encodeNode(true))
	}
	if p.YLog {
		add("ylog", encodeNode(true))
	}
	str("xlabel", p.XLabel)
	str("ylabel", p.YLabel)
	str("xunit", p.XUnit)
	str("yunit", p.YUnit)
	if p.Bins > 0 {
		add("bins", encodeNode(p.Bins))
	}
	if len(p.Only) > 0 {
		only := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
		for _, f := range p.Only {
			if f.List {
				only.Content = append(only.Content, scalar(f.Key), encodeNode(f.Values))
			} else {
				only.Content = append(only.Content, scalar(f.Key), encodeNode(f.Values[0]))
			}
		}
		add("only", only)
	}
	return m
}
