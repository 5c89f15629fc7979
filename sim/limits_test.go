package sim

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

// chain schedules an event every second, forever: a run with no end of its own.
func chain(k *Kernel) {
	var tick func()
	tick = func() { k.After(Second, tick) }
	k.At(0, tick)
}

// The event budget is exact: a run stopped by it has run exactly that many events,
// whatever the progress hook's pace, so that it is as reproducible as one that ends.
func TestEventBudgetIsExact(t *testing.T) {
	for _, budget := range []uint64{1, 255, 256, 257, 1000, 100_000} {
		k := NewKernel()
		chain(k)
		err := k.RunContext(WithLimits(context.Background(), Limits{Events: budget}), nil)
		var le *LimitError
		require.True(t, errors.As(err, &le), "budget %d: %v", budget, err)
		require.Equal(t, EventLimit, le.Limit)
		require.Equal(t, budget, k.Events())
		require.Equal(t, Time(budget-1)*Second, k.Now(), "the last event run is number budget-1's second")
	}
}

// A run that ends within its budget, even on its last event, has reached no limit.
func TestBudgetReachedByTheLastEvent(t *testing.T) {
	k := NewKernel()
	for i := range 10 {
		k.At(Time(i), func() {})
	}
	require.NoError(t, k.RunContext(WithLimits(context.Background(), Limits{Events: 10}), nil))
	require.Equal(t, uint64(10), k.Events())
}

// The virtual-time limit runs every event at or before it, and none after.
func TestTimeLimit(t *testing.T) {
	k := NewKernel()
	chain(k)
	err := k.RunContext(WithLimits(context.Background(), Limits{Time: 10 * Second}), nil)
	var le *LimitError
	require.True(t, errors.As(err, &le), "%v", err)
	require.Equal(t, TimeLimit, le.Limit)
	require.Equal(t, uint64(11), k.Events(), "events at 0, 1, ..., 10 s")
	require.Equal(t, 10*Second, k.Now())
	require.Equal(t, "stopped at its virtual-time limit of 10s, after 11 events, with events still to come", err.Error())
}

// A run stopped by the model itself (Stop) has reached no limit, whatever is pending.
func TestStopIsNoLimit(t *testing.T) {
	k := NewKernel()
	chain(k)
	k.At(5*Second, k.Stop)
	require.NoError(t, k.RunContext(WithLimits(context.Background(), Limits{Time: 10 * Second}), nil))
}

// After saturates at Never rather than wrapping into the past, and RunContext stops at
// the Horizon with a limit, not with a panic or a result from the wrapped times.
func TestAfterPastTheEndOfTime(t *testing.T) {
	k := NewKernel()
	ran := false
	k.At(Horizon-Second, func() {
		k.After(Never-1, func() { ran = true })
	})
	err := k.RunContext(context.Background(), nil)
	var le *LimitError
	require.True(t, errors.As(err, &le), "%v", err)
	require.Equal(t, TimeLimit, le.Limit)
	require.Equal(t, Horizon, le.Bound)
	require.False(t, ran)
	require.Equal(t, Horizon-Second, k.Now())
	require.Equal(t, 1, k.Len(), "the event at Never is still pending")
}

// A run with nothing beyond the Horizon ends as Run does.
func TestRunContextWithoutLimits(t *testing.T) {
	k := NewKernel()
	for i := range 1000 {
		k.At(Time(i)*Hour, func() {})
	}
	require.NoError(t, k.RunContext(context.Background(), nil))
	require.Equal(t, uint64(1000), k.Events())
}
