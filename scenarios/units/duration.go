package units

import (
	"fmt"
	"math/big"

	"go.yaml.in/yaml/v3"

	"netsim/sim"
)

// Duration is a non-negative span of virtual time, written "40ms", "1.5s", "2h", "10us",
// "30min", "1d".
type Duration sim.Time

// Time returns d as virtual time.
func (d Duration) Time() sim.Time { return sim.Time(d) }

// Seconds returns d in seconds.
func (d Duration) Seconds() float64 { return sim.Time(d).Seconds() }

// ZeroIsNever returns d as a timeout for a model whose 0 means its default and whose
// negative means never (http.ServerConfig.IdleTimeout): in a file, 0 says "never".
func (d Duration) ZeroIsNever() sim.Time {
	if d == 0 {
		return -1
	}
	return sim.Time(d)
}

// durationUnits are the units of time, largest first; "m" is not one of them, since it
// could be minutes or metres or a typo for ms.
var durationUnits = []struct {
	sym string
	ns  int64
}{
	{"d", 24 * int64(sim.Hour)},
	{"h", int64(sim.Hour)},
	{"min", int64(sim.Minute)},
	{"s", int64(sim.Second)},
	{"ms", int64(sim.Millisecond)},
	{"us", int64(sim.Microsecond)},
	{"ns", 1},
}

// ParseDuration parses a duration: a non-negative number, optional space and a unit
// (ns, us or µs, ms, s, min, h, d). It must come to a whole number of nanoseconds.
func ParseDuration(s string) (Duration, error) {
	q, err := splitQuantity(s, "duration", "40ms")
	if err != nil {
		return 0, err
	}
	unit := q.unit
	if unit == "µs" || unit == "μs" {
		unit = "us"
	}
	var per int64
	for _, u := range durationUnits {
		if u.sym == unit {
			per = u.ns
		}
	}
	if per == 0 {
		if unit == "m" {
			return 0, fmt.Errorf("invalid duration %q: ambiguous unit \"m\": write min for minutes or ms for milliseconds", s)
		}
		return 0, fmt.Errorf("invalid duration %q: unknown unit %q: want ns, us, ms, s, min, h or d", s, q.unit)
	}
	ns := new(big.Rat).Mul(q.num, new(big.Rat).SetInt64(per))
	if !ns.IsInt() {
		return 0, fmt.Errorf("invalid duration %q: finer than a nanosecond", s)
	}
	if !ns.Num().IsInt64() || ns.Num().Int64() == int64(sim.Never) {
		return 0, fmt.Errorf("invalid duration %q: too long", s)
	}
	return Duration(ns.Num().Int64()), nil
}

// String formats d exactly with the unit that gives the shortest number not below 1,
// preferring the larger unit on a tie: "40ms", "90min", "1min", "1.5s", "0s".
func (d Duration) String() string {
	if d == 0 {
		return "0s"
	}
	return shortest(new(big.Rat).SetInt64(int64(d)), len(durationUnits), func(i int) (string, *big.Rat) {
		return durationUnits[i].sym, new(big.Rat).SetInt64(durationUnits[i].ns)
	})
}

// MarshalYAML encodes d as its canonical string.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// UnmarshalYAML decodes a duration from a YAML scalar such as 40ms.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	s, err := unitScalar(n, "duration", "40ms")
	if err != nil {
		return err
	}
	v, err := ParseDuration(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}
