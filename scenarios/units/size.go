package units

import (
	"fmt"
	"math/big"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Size is an amount of data in bits, exact: "15Gbit", "1Mbit", "256KiB", "1.5MB".
// Bits take SI prefixes (1 Mbit = 10^6 bit); bytes take SI (1 kB = 1000 B) or binary
// prefixes (1 KiB = 1024 B).
type Size int64

// Bits returns the size in bits.
func (s Size) Bits() int64 { return int64(s) }

// Bytes returns the size in bytes, rounded up: a 9-bit message takes 2 bytes on a wire.
func (s Size) Bytes() int64 {
	b := int64(s) / 8
	if int64(s)%8 != 0 {
		b++
	}
	return b
}

// sizeUnit is a unit of size and its value in bits.
type sizeUnit struct {
	sym  string
	bits *big.Rat
}

// sizeUnits lists the units in the order String prefers them on a tie: bytes before
// bits (1MB rather than 8Mbit), larger units first.
var sizeUnits = func() []sizeUnit {
	var us []sizeUnit
	for _, p := range siPrefixes {
		us = append(us, sizeUnit{p.sym + "B", new(big.Rat).Mul(pow10(p.exp), big.NewRat(8, 1))})
	}
	for i, p := range []string{"TiB", "GiB", "MiB", "KiB"} {
		bits := new(big.Int).Lsh(big.NewInt(8), uint(10*(4-i)))
		us = append(us, sizeUnit{p, new(big.Rat).SetInt(bits)})
	}
	for _, p := range siPrefixes {
		us = append(us, sizeUnit{p.sym + "bit", pow10(p.exp)})
	}
	return us
}()

// ParseSize parses a size: a non-negative number, optional space and a unit (bit, kbit,
// Mbit, Gbit, Tbit, B, kB, MB, GB, TB, KiB, MiB, GiB, TiB). It must come to a whole
// number of bits.
func ParseSize(s string) (Size, error) {
	q, err := splitQuantity(s, "size", "15Gbit or 256KiB")
	if err != nil {
		return 0, err
	}
	unit := q.unit
	if unit == "KB" || unit == "Kbit" {
		unit = strings.Replace(unit, "K", "k", 1)
	}
	var per *big.Rat
	for _, u := range sizeUnits {
		if u.sym == unit {
			per = u.bits
		}
	}
	if per == nil {
		return 0, fmt.Errorf("invalid size %q: %s", s, sizeUnitHint(q.unit))
	}
	bits := new(big.Rat).Mul(q.num, per)
	if !bits.IsInt() {
		return 0, fmt.Errorf("invalid size %q: not a whole number of bits", s)
	}
	if !bits.Num().IsInt64() {
		return 0, fmt.Errorf("invalid size %q: too large", s)
	}
	return Size(bits.Num().Int64()), nil
}

func sizeUnitHint(unit string) string {
	switch {
	case unit == "b" || strings.HasSuffix(unit, "b") && len(unit) == 2:
		return fmt.Sprintf("ambiguous unit %q: write %sbit for bits or %sB for bytes", unit, unit[:len(unit)-1], unit[:len(unit)-1])
	case strings.HasPrefix(unit, "m") && len(unit) > 1:
		return fmt.Sprintf("unit %q would be milli-%s: write M%s", unit, unit[1:], unit[1:])
	}
	return fmt.Sprintf("unknown unit %q: want bit, kbit, Mbit, Gbit, Tbit, B, kB, MB, GB, TB, KiB, MiB, GiB or TiB", unit)
}

// String formats s exactly with the unit that gives the shortest number not below 1,
// preferring bytes and larger units on a tie: "15Gbit", "256KiB", "1MB", "9bit", "0B".
func (s Size) String() string {
	if s == 0 {
		return "0B"
	}
	return shortest(new(big.Rat).SetInt64(int64(s)), len(sizeUnits), func(i int) (string, *big.Rat) {
		return sizeUnits[i].sym, sizeUnits[i].bits
	})
}

// MarshalYAML encodes s as its canonical string.
func (s Size) MarshalYAML() (any, error) { return s.String(), nil }

// UnmarshalYAML decodes a size from a YAML scalar such as 15Gbit.
func (s *Size) UnmarshalYAML(n *yaml.Node) error {
	text, err := unitScalar(n, "size", "15Gbit or 256KiB")
	if err != nil {
		return err
	}
	v, err := ParseSize(text)
	if err != nil {
		return err
	}
	*s = v
	return nil
}
