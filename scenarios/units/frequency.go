package units

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Frequency is a rate of events per second, written as a count per unit of time:
// "0.5/s", "2/min", "30/h", "1/d". The rate of a Poisson process of arrivals.
type Frequency float64

// PerSecond returns the frequency in events per second.
func (f Frequency) PerSecond() float64 { return float64(f) }

// ParseFrequency parses a frequency: a non-negative number, "/" and a unit of time (ms,
// s, min, h, d).
func ParseFrequency(s string) (Frequency, error) {
	num, unit, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return 0, fmt.Errorf("invalid frequency %q: want a count per unit of time, e.g. 0.5/s or 2/min", s)
	}
	num, unit = strings.TrimSpace(num), strings.TrimSpace(unit)
	if strings.HasPrefix(num, "-") {
		return 0, fmt.Errorf("invalid frequency %q: must not be negative", s)
	}
	if !exponentInRange(num) {
		return 0, fmt.Errorf("invalid frequency %q: the exponent of %q is beyond ±%d", s, num, maxExponent)
	}
	n, ok := new(big.Rat).SetString(num)
	if !ok || num == "" {
		return 0, fmt.Errorf("invalid frequency %q: %q is not a number", s, num)
	}
	var per int64
	for _, u := range durationUnits {
		if u.sym == unit && u.ns >= 1e6 {
			per = u.ns
		}
	}
	if per == 0 {
		return 0, fmt.Errorf("invalid frequency %q: unknown unit %q: want /ms, /s, /min, /h or /d", s, unit)
	}
	v, _ := new(big.Rat).Mul(n, new(big.Rat).SetFrac64(1e9, per)).Float64()
	if math.IsInf(v, 0) {
		return 0, fmt.Errorf("invalid frequency %q: too large", s)
	}
	return Frequency(v), nil
}

// String formats f per second, minute, hour or day, whichever gives the shortest
// number that reads back exactly: "0.5/s", "2/min".
func (f Frequency) String() string {
	best := strconv.FormatFloat(float64(f), 'g', -1, 64) + "/s"
	for _, u := range []struct {
		sym string
		s   float64
	}{{"min", 60}, {"h", 3600}, {"d", 86400}} {
		c := strconv.FormatFloat(float64(f)*u.s, 'g', -1, 64) + "/" + u.sym
		if back, err := ParseFrequency(c); err == nil && back == f && len(c) < len(best) {
			best = c
		}
	}
	return best
}

// MarshalYAML encodes f as its canonical string.
func (f Frequency) MarshalYAML() (any, error) { return f.String(), nil }

// UnmarshalYAML decodes a frequency from a YAML scalar such as 0.5/s.
func (f *Frequency) UnmarshalYAML(n *yaml.Node) error {
	s, err := unitScalar(n, "frequency", "0.5/s")
	if err != nil {
		return err
	}
	v, err := ParseFrequency(s)
	if err != nil {
		return err
	}
	*f = v
	return nil
}
