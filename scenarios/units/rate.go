package units

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Rate is a data rate in bit/s, written "30Mbps", "700kbps", "1.5 Gbps" or "10Mbit/s".
type Rate float64

// Bps returns the rate in bit/s.
func (r Rate) Bps() float64 { return float64(r) }

// siPrefixes are the prefixes of rates and bit counts, largest first. "K" is accepted
// for kilo because people write it; "m" (milli) is not, since a milli-bit rate is always
// a typo for mega.
var siPrefixes = []struct {
	sym string
	exp int64
}{{"T", 12}, {"G", 9}, {"M", 6}, {"k", 3}, {"", 0}}

func siExponent(p string) (int64, bool) {
	if p == "K" {
		return 3, true
	}
	for _, sp := range siPrefixes {
		if sp.sym == p {
			return sp.exp, true
		}
	}
	return 0, false
}

// ParseRate parses a rate: a non-negative number, optional space, an SI prefix and
// "bps", "bit/s" or "b/s".
func ParseRate(s string) (Rate, error) {
	q, err := splitQuantity(s, "rate", "30Mbps")
	if err != nil {
		return 0, err
	}
	exp, err := rateUnit(s, q.unit)
	if err != nil {
		return 0, err
	}
	v, _ := new(big.Rat).Mul(q.num, pow10(exp)).Float64()
	if math.IsInf(v, 0) {
		return 0, fmt.Errorf("invalid rate %q: too large", s)
	}
	return Rate(v), nil
}

// rateUnit returns the power of ten of a rate unit.
func rateUnit(s, unit string) (int64, error) {
	for _, base := range []string{"bps", "bit/s", "b/s"} {
		if p, ok := strings.CutSuffix(unit, base); ok {
			if exp, ok := siExponent(p); ok {
				return exp, nil
			}
			if p == "m" {
				return 0, fmt.Errorf("invalid rate %q: unit %q would be milli-bits per second: write M%s for megabits per second", s, unit, base)
			}
			break
		}
	}
	if strings.HasSuffix(unit, "Bps") || strings.HasSuffix(unit, "B/s") {
		return 0, fmt.Errorf("invalid rate %q: unit %q is bytes per second; rates are in bits per second, e.g. 8Mbps for 1MB/s", s, unit)
	}
	return 0, fmt.Errorf("invalid rate %q: unknown unit %q: want bps, kbps, Mbps, Gbps or Tbps (or kbit/s, Mbit/s, ...)", s, unit)
}

// String formats r with the largest prefix that leaves a number of at least 1 and
// parses back to exactly r: "30Mbps", "1.5Gbps", "700kbps".
func (r Rate) String() string {
	v := float64(r)
	for _, p := range siPrefixes[:len(siPrefixes)-1] {
		scaled := v / math.Pow10(int(p.exp))
		if scaled < 1 {
			continue
		}
		c := strconv.FormatFloat(scaled, 'g', -1, 64) + p.sym + "bps"
		if back, err := ParseRate(c); err == nil && back == r {
			return c
		}
	}
	return strconv.FormatFloat(v, 'g', -1, 64) + "bps"
}

// MarshalYAML encodes r as its canonical string.
func (r Rate) MarshalYAML() (any, error) { return r.String(), nil }

// UnmarshalYAML decodes a rate from a YAML scalar such as 30Mbps.
func (r *Rate) UnmarshalYAML(n *yaml.Node) error {
	s, err := unitScalar(n, "rate", "30Mbps")
	if err != nil {
		return err
	}
	v, err := ParseRate(s)
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// unitScalar returns the text of a YAML scalar that should hold a quantity with a unit.
// A plain YAML number is a missing unit.
func unitScalar(n *yaml.Node, what, example string) (string, error) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind != yaml.ScalarNode {
		return "", fmt.Errorf("want a %s such as %s, got a %s", what, example, nodeKindName(n))
	}
	switch n.ShortTag() {
	case "!!int", "!!float":
		return "", fmt.Errorf("invalid %s %s: missing unit: write e.g. %s", what, n.Value, example)
	case "!!null":
		return "", fmt.Errorf("missing value: want a %s such as %s", what, example)
	}
	return n.Value, nil
}

func nodeKindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	}
	return "non-scalar"
}
