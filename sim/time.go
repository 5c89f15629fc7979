// Package sim is netsim's discrete-event kernel: a virtual clock, an event queue with
// cancellable, movable and periodic timers, groups of timers that are cancelled
// together (a host's, when it crashes), named random streams and a wall-clock
// progress hook. It knows nothing of networks.
package sim

import (
	"math"
	"time"
)

// Time is virtual time, or a span of it, in integer nanoseconds. Integer time never
// accumulates rounding error; float64 is used only to compute a span, rounded once.
type Time int64

// Units of virtual time.
const (
	Nanosecond  Time = 1
	Microsecond      = 1000 * Nanosecond
	Millisecond      = 1000 * Microsecond
	Second           = 1000 * Millisecond
	Minute           = 60 * Second
	Hour             = 60 * Minute
	// Never is later than any event: the time of something that does not happen.
	Never Time = math.MaxInt64
)

// Seconds converts a span in seconds to Time, rounding once to the nearest nanosecond.
// Spans beyond the int64 range saturate at Never (or -Never).
func Seconds(s float64) Time {
	ns := math.Round(s * 1e9)
	switch {
	case math.IsNaN(ns):
		panic("sim.Seconds: NaN")
	case ns >= math.MaxInt64:
		return Never
	case ns <= -math.MaxInt64:
		return -Never
	}
	return Time(ns)
}

// SecondsCeil is Seconds rounded up: the first nanosecond at or after s seconds. A
// completion computed from a float rate must not fire before the work is done.
func SecondsCeil(s float64) Time {
	ns := math.Ceil(s * 1e9)
	switch {
	case math.IsNaN(ns):
		panic("sim.SecondsCeil: NaN")
	case ns >= math.MaxInt64:
		return Never
	case ns <= -math.MaxInt64:
		return -Never
	}
	return Time(ns)
}

// Seconds returns t in seconds.
func (t Time) Seconds() float64 { return float64(t) / 1e9 }

// Duration converts t to a time.Duration (same unit).
func (t Time) Duration() time.Duration { return time.Duration(t) }

// String formats t like time.Duration ("1h0m0s", "40ms"), or "never".
func (t Time) String() string {
	if t == Never {
		return "never"
	}
	return time.Duration(t).String()
}
