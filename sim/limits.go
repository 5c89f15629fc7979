package sim

import (
	"context"
	"fmt"
)

// Horizon is the latest virtual time RunContext runs to: half the int64 range of Time
// (about 146 years), so that any time within a run plus any span a model computes up
// to it still fits. An event beyond it (After saturates at Never) is one the run does
// not reach, and RunContext reports that as a limit, not as a wrong result.
const Horizon Time = 1 << 62

// Limits are bounds a run stops at: RunContext honours those of its context. A zero
// field is no bound.
type Limits struct {
	Events uint64 // kernel events: the run stops once it has run this many
	Time   Time   // virtual time: the run runs no event after it
}

type limitsKey struct{}

// WithLimits returns a context that carries l to RunContext.
func WithLimits(ctx context.Context, l Limits) context.Context {
	return context.WithValue(ctx, limitsKey{}, l)
}

// LimitsOf returns the limits ctx carries, or none.
func LimitsOf(ctx context.Context) Limits {
	l, _ := ctx.Value(limitsKey{}).(Limits)
	return l
}

// LimitKind says which bound stopped a run.
type LimitKind int

const (
	EventLimit LimitKind = iota // Limits.Events
	TimeLimit                   // Limits.Time, or the Horizon
)

// LimitError is RunContext's report of a run stopped at a bound with events still to
// come: a status of the run, not a failure of the model.
type LimitError struct {
	Limit  LimitKind
	Bound  Time   // TimeLimit: the time it ran to (Limits.Time or Horizon)
	Events uint64 // events run
	Now    Time   // the virtual time of the last event run
}

func (e *LimitError) Error() string {
	switch {
	case e.Limit == EventLimit:
		return fmt.Sprintf("stopped at its limit of %d events, at virtual time %v", e.Events, e.Now)
	case e.Bound == Horizon:
		return fmt.Sprintf("stopped after %d events at virtual time %v: its next event is beyond %v, the latest a run can reach", e.Events, e.Now, Horizon)
	}
	return fmt.Sprintf("stopped at its virtual-time limit of %v, after %d events, with events still to come", e.Bound, e.Events)
}
