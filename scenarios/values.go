package scenarios

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"netsim/scenarios/units"
)

// Parameter values as text (CSV columns, messages) and as numbers (plot axes).

var (
	rateType     = reflect.TypeFor[units.Rate]()
	sizeType     = reflect.TypeFor[units.Size]()
	durationType = reflect.TypeFor[units.Duration]()
)

// FormatValue formats a parameter value exactly: a unit type in its canonical form
// ("30Mbps"), a float with the fewest digits that read back to it.
func FormatValue(v any) string {
	switch x := v.(type) {
	case fmt.Stringer:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'g', -1, 32)
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Slice {
		parts := make([]string, rv.Len())
		for i := range parts {
			parts[i] = FormatValue(rv.Index(i).Interface())
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprint(v)
}

func formatValues(vs []any) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = FormatValue(v)
	}
	return strings.Join(parts, ", ")
}

// isNumeric reports whether a parameter of type t can be an axis of a plot.
func isNumeric(t reflect.Type) bool {
	if t == nil {
		return false
	}
	t = plainType(t)
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// IsInteger reports whether values of t are whole numbers on a plot axis (a Size or a
// Duration is counted in bits or nanoseconds, but drawn in bits or seconds).
func IsInteger(t reflect.Type) bool {
	t = plainType(t)
	if t == sizeType {
		return true
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return t != durationType
	}
	return false
}

// AxisUnit is the unit a plot axis shows a parameter of type t in.
func AxisUnit(t reflect.Type) string {
	switch plainType(t) {
	case rateType:
		return "bit/s"
	case sizeType:
		return "bit"
	case durationType:
		return "s"
	}
	return ""
}

// numeric returns v as a number for a plot axis: a Rate in bit/s, a Size in bits, a
// Duration in seconds.
func Numeric(v any) float64 {
	switch x := v.(type) {
	case units.Rate:
		return x.Bps()
	case units.Size:
		return float64(x.Bits())
	case units.Duration:
		return x.Seconds()
	case random:
		if !x.isConstant() {
			return math.NaN() // a distribution is no point on an axis
		}
		return x.constant()
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return float64(rv.Uint())
	case reflect.Float32, reflect.Float64:
		return rv.Float()
	}
	return math.NaN()
}

// FromNumeric is the inverse of numeric for type t, rounding to t's resolution.
func FromNumeric(t reflect.Type, f float64) any {
	if t.Implements(randomType) {
		return reflect.Zero(t).Interface().(random).withNumeric(f)
	}
	v := reflect.New(t).Elem()
	switch {
	case t == durationType:
		v.SetInt(int64(math.Round(f * 1e9)))
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Int64:
		v.SetInt(int64(math.Round(f)))
	case t.Kind() >= reflect.Uint && t.Kind() <= reflect.Uint64:
		v.SetUint(uint64(math.Round(f)))
	default:
		v.SetFloat(f)
	}
	return v.Interface()
}
