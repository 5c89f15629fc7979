// Package units holds the value types of scenario parameters that carry a unit: a data
// Rate ("30Mbps"), a data Size ("15Gbit", "256KiB") and a Duration ("40ms", "2h").
//
// Each type parses from the string a user writes, prints back in a canonical form that
// parses to the same value, and decodes from and encodes to YAML as that string. A number
// without a unit is an error: a bare "30" could mean bits or bytes, Mbps or kbps.
// Prefixes are SI (k = 10^3, M = 10^6, G = 10^9, T = 10^12) for rates and bits, as in the
// textbook (1 Mbps = 10^6 bit/s); KiB, MiB, GiB, TiB are the binary byte sizes.
package units

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// quantity is a string split into a non-negative exact number and a unit.
type quantity struct {
	num  *big.Rat
	unit string
}

// splitQuantity splits s ("1.5 Gbps", "30Mbit/s", "2e3kbps") into its number, kept
// exact as a rational, and its unit. what names the type in errors ("rate") and example
// is a valid value to suggest ("30Mbps").
func splitQuantity(s, what, example string) (quantity, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return quantity{}, fmt.Errorf("empty %s: write e.g. %s", what, example)
	}
	i := numberEnd(t)
	numText, unit := t[:i], strings.TrimSpace(t[i:])
	if numText == "" {
		return quantity{}, fmt.Errorf("invalid %s %q: want a number followed by a unit, e.g. %s", what, s, example)
	}
	if strings.HasPrefix(numText, "-") {
		return quantity{}, fmt.Errorf("invalid %s %q: must not be negative", what, s)
	}
	if !exponentInRange(numText) {
		return quantity{}, fmt.Errorf("invalid %s %q: the exponent of %q is beyond ±%d", what, s, numText, maxExponent)
	}
	num, ok := new(big.Rat).SetString(strings.TrimPrefix(numText, "+"))
	if !ok {
		return quantity{}, fmt.Errorf("invalid %s %q: %q is not a number", what, s, numText)
	}
	if unit == "" {
		return quantity{}, fmt.Errorf("invalid %s %q: missing unit: write e.g. %s", what, s, example)
	}
	return quantity{num: num, unit: unit}, nil
}

// numberEnd returns the length of the leading decimal number of s: sign, digits, point,
// exponent. "NaN" and "Inf" are not numbers here, so they fall to the unit and fail there.
func numberEnd(s string) int {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := false
	for i < len(s) && (isDigit(s[i]) || s[i] == '.' || s[i] == '_') {
		digits = digits || isDigit(s[i])
		i++
	}
	if !digits {
		return 0
	}
	// An exponent only if digits follow, so that "2e" stays a number and a unit.
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && isDigit(s[j]) {
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			i = j
		}
	}
	return i
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// maxExponent bounds the decimal exponent of a number: big.Rat computes 10^e exactly,
// which takes 40 ms and half a megabyte at e = 10^6, and nothing past 10^±400 fits a
// float64 rate or an int64 count of bits or nanoseconds anyway.
const maxExponent = 400

// exponentInRange reports whether the exponent of the decimal number text, if it has
// one, is within ±maxExponent.
func exponentInRange(text string) bool {
	i := strings.IndexAny(text, "eE")
	if i < 0 {
		return true
	}
	e := strings.TrimLeft(strings.TrimLeft(text[i+1:], "+-"), "0_")
	return len(e) <= 3 && (len(e) < 3 || e <= strconv.Itoa(maxExponent))
}

// pow10 returns 10^n as an exact rational.
func pow10(n int64) *big.Rat {
	return new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(n), nil))
}

// decimal formats r exactly as a decimal ("1.875", "15"), or reports false when r has
// no finite decimal expansion (1/3) or would need more than maxDigits after the point.
func decimal(r *big.Rat, maxDigits int) (string, bool) {
	for d := 0; d <= maxDigits; d++ {
		scaled := new(big.Rat).Mul(r, pow10(int64(d)))
		if scaled.IsInt() {
			return r.FloatString(d), true
		}
	}
	return "", false
}

// shortest formats the positive amount v (in base units) with the one of n units that
// gives the shortest exact decimal number of at least 1; the first unit wins a tie.
// The last unit must be the base unit, so some unit always fits.
func shortest(v *big.Rat, n int, unit func(i int) (sym string, per *big.Rat)) string {
	best, bestLen := "", 0
	one := big.NewRat(1, 1)
	for i := range n {
		sym, per := unit(i)
		x := new(big.Rat).Quo(v, per)
		if x.Cmp(one) < 0 {
			continue
		}
		d, ok := decimal(x, 40)
		if ok && (best == "" || len(d) < bestLen) {
			best, bestLen = d+sym, len(d)
		}
	}
	return best
}
