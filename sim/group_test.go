package sim

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
)

// A periodic event runs at first, first+period, …; while its callback runs it is
// already pending for the next occurrence, so Cancel and Reschedule from inside act
// on that one.
func TestEveryRunsAtExactTimes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(k *Kernel, log func(string)) EventID
		until Time
		want  []string
		// After the run: still pending, and the kernel's Len.
		pending bool
		len     int
	}{{
		name: "plain",
		setup: func(k *Kernel, log func(string)) EventID {
			return k.Every(10, 7, func() { log("p") })
		},
		until: 40, want: []string{"p@10", "p@17", "p@24", "p@31", "p@38"}, pending: true, len: 1,
	}, {
		name: "first is now",
		setup: func(k *Kernel, log func(string)) EventID {
			return k.Every(0, 5, func() { log("p") })
		},
		until: 10, want: []string{"p@0", "p@5", "p@10"}, pending: true, len: 1,
	}, {
		name: "cancelled from inside on its third run",
		setup: func(k *Kernel, log func(string)) EventID {
			var id EventID
			n := 0
			id = k.Every(10, 7, func() {
				log("p")
				if n++; n == 3 {
					log(fmt.Sprint("cancel:", k.Cancel(id), k.Cancel(id)))
				}
			})
			return id
		},
		until: 100, want: []string{"p@10", "p@17", "p@24", "cancel:true false@24"}, len: 0,
	}, {
		name: "cancelled from outside between runs",
		setup: func(k *Kernel, log func(string)) EventID {
			id := k.Every(10, 7, func() { log("p") })
			k.At(20, func() { log(fmt.Sprint("cancel:", k.Cancel(id))) })
			return id
		},
		until: 100, want: []string{"p@10", "p@17", "cancel:true@20"}, len: 0,
	}, {
		name: "rescheduled from inside: later runs follow the moved one",
		setup: func(k *Kernel, log func(string)) EventID {
			var id EventID
			n := 0
			id = k.Every(10, 7, func() {
				log("p")
				if n++; n == 2 {
					when, _ := k.When(id)
					log(fmt.Sprint("next:", when, " moved:", k.Reschedule(id, k.Now()+100)))
				}
			})
			return id
		},
		until:   131,
		want:    []string{"p@10", "p@17", "next:24ns moved:true@17", "p@117", "p@124", "p@131"},
		pending: true, len: 1,
	}, {
		name: "rescheduled from outside",
		setup: func(k *Kernel, log func(string)) EventID {
			id := k.Every(10, 7, func() { log("p") })
			k.At(12, func() { k.Reschedule(id, 50) })
			return id
		},
		until: 64, want: []string{"p@10", "p@50", "p@57", "p@64"}, pending: true, len: 1,
	}, {
		// The next occurrence is queued before the callback runs, so it goes ahead
		// of what the callback schedules at that instant, and behind what was there
		// before.
		name: "ties at the next occurrence",
		setup: func(k *Kernel, log func(string)) EventID {
			k.At(10, func() { log("early") })
			id := k.Every(0, 10, func() {
				log("p")
				if k.Now() == 0 {
					k.At(10, func() { log("child") })
				}
			})
			return id
		},
		until: 10, want: []string{"p@0", "early@10", "p@10", "child@10"}, pending: true, len: 1,
	}, {
		name: "the last occurrence before Never",
		setup: func(k *Kernel, log func(string)) EventID {
			return k.Every(Never-10, 7, func() { log(fmt.Sprint("p:", Never-k.Now())) })
		},
		until: Never, want: []string{"p:10ns@9223372036854775797", "p:3ns@9223372036854775804"}, len: 0,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			k := NewKernel()
			var got []string
			log := func(s string) { got = append(got, fmt.Sprintf("%s@%d", s, k.Now())) }
			id := tc.setup(k, log)
			k.RunUntil(tc.until)
			require.Equal(t, tc.want, got)
			require.Equal(t, tc.pending, k.Pending(id))
			require.Equal(t, tc.len, k.Len())
			require.Equal(t, tc.until, k.Now())
		})
	}
}

// CancelGroup cancels exactly the group's pending events, periodic ones included,
// and returns how many; an event leaves its group when it runs or is cancelled, and
// Reschedule keeps it in.
func TestCancelGroupCounts(t *testing.T) {
	k := NewKernel()
	a, b := k.NewGroup(), k.NewGroup()
	require.Equal(t, []Group{1, 2}, []Group{a, b})
	var ran []string
	log := func(s string) func() { return func() { ran = append(ran, s) } }

	k.AtIn(a, 10, log("a1"))
	a2 := k.AtIn(a, 20, log("a2"))
	k.AtIn(a, 30, log("a3"))
	tick := k.EveryIn(a, 5, 10, log("tick"))
	a5 := k.AtIn(a, 40, log("a5"))
	k.AtIn(b, 15, log("b1"))
	k.AtIn(b, 35, log("b2"))
	k.AtIn(0, 25, log("none1"))
	k.At(45, log("none2"))
	require.Equal(t, 5, k.GroupLen(a))
	require.Equal(t, 2, k.GroupLen(b))
	require.Equal(t, 9, k.Len())

	require.True(t, k.Cancel(a5))
	require.True(t, k.Reschedule(a2, 50))
	require.Equal(t, 4, k.GroupLen(a))

	k.RunUntil(16)
	require.Equal(t, []string{"tick", "a1", "b1", "tick"}, ran, "b1 was scheduled before the tick moved to 15")
	require.Equal(t, 3, k.GroupLen(a), "a2 (moved), a3 and the ticker")
	require.Equal(t, 1, k.GroupLen(b))

	require.Equal(t, 3, k.CancelGroup(a))
	require.Equal(t, 0, k.GroupLen(a))
	require.Equal(t, 0, k.CancelGroup(a), "nothing left to cancel")
	require.False(t, k.Pending(tick))
	require.False(t, k.Cancel(a2))
	require.False(t, k.Reschedule(a2, 60))
	_, ok := k.When(tick)
	require.False(t, ok)
	require.Equal(t, 3, k.Len(), "b2, none1 and none2")

	// The group stays usable; the old IDs do not reach the new events that reuse
	// their slots.
	k.AtIn(a, 33, log("a6"))
	require.Equal(t, 1, k.GroupLen(a))
	require.False(t, k.Cancel(a2))
	require.False(t, k.Cancel(tick))

	k.Run()
	require.Equal(t, []string{"tick", "a1", "b1", "tick", "none1", "a6", "b2", "none2"}, ran)
	require.Equal(t, 0, k.GroupLen(a))
	require.Equal(t, 0, k.GroupLen(b))
	require.Equal(t, 0, k.Len())
	require.Equal(t, 0, k.CancelGroup(0), "group 0 is no group")
	require.Equal(t, 0, k.GroupLen(0))
}

// A host that crashes inside its own timer's callback: the periodic timer is pending
// for its next run, so it counts and stops.
func TestCancelGroupFromInsideAMember(t *testing.T) {
	k := NewKernel()
	host := k.NewGroup()
	var ran []Time
	var cancelled int
	k.AtIn(host, 100, func() { ran = append(ran, -k.Now()) })
	k.EveryIn(host, 10, 10, func() {
		ran = append(ran, k.Now())
		if k.Now() == 30 {
			cancelled = k.CancelGroup(host)
		}
	})
	k.Run()
	require.Equal(t, []Time{10, 20, 30}, ran)
	require.Equal(t, 2, cancelled, "the one-shot at 100 and the ticker's next run")
	require.Equal(t, 0, k.Len())
	require.Equal(t, Time(30), k.Now())
}

// Misuse is a bug in the caller, and panics; Group(0) is allowed everywhere.
func TestGroupAndPeriodicPanics(t *testing.T) {
	nop := func() {}
	for _, tc := range []struct {
		name string
		f    func(k *Kernel)
	}{
		{"zero period", func(k *Kernel) { k.Every(0, 0, nop) }},
		{"negative period", func(k *Kernel) { k.EveryIn(0, 0, -1, nop) }},
		{"periodic in the past", func(k *Kernel) { k.Every(5, 1, nop) }},
		{"periodic without callback", func(k *Kernel) { k.Every(10, 1, nil) }},
		{"AtIn an unknown group", func(k *Kernel) { k.AtIn(2, 10, nop) }},
		{"EveryIn an unknown group", func(k *Kernel) { k.EveryIn(7, 10, 1, nop) }},
		{"CancelGroup of an unknown group", func(k *Kernel) { k.CancelGroup(2) }},
		{"GroupLen of an unknown group", func(k *Kernel) { k.GroupLen(2) }},
		{"AtIn in the past", func(k *Kernel) { k.AtIn(1, 5, nop) }},
		{"reschedule into the past", func(k *Kernel) { k.Reschedule(k.AtIn(1, 20, nop), 5) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := NewKernel()
			k.NewGroup()
			k.RunUntil(10)
			require.Panics(t, func() { tc.f(k) })
		})
	}
}

// An event in no group takes a plain slot: the grouped slots stay unallocated.
func TestUngroupedEventsPayNothingForGroups(t *testing.T) {
	k := NewKernel()
	g := k.NewGroup()
	for i := range 1000 {
		k.At(Time(i), func() {})
		k.AtIn(0, Time(i), func() {})
	}
	require.Equal(t, uint32(0), k.xslots.len())
	require.Equal(t, uint32(2000), k.slots.len())
	k.AtIn(g, 5, func() {})
	require.Equal(t, uint32(1), k.xslots.len())
}

// A million hosts can each own a group: 8 bytes a group (issue 6 allows 16).
func TestGroupsCostEightBytes(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	k := NewKernel()
	for range 1_000_000 {
		k.NewGroup()
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	perGroup := float64(after.HeapInuse-before.HeapInuse) / 1e6
	runtime.KeepAlive(k)
	// 8 bytes a group, give or take what else the test binary allocates or frees
	// meanwhile (the kernel's own 64 KiB of bucket headers, garbage of earlier
	// tests), spread over the million.
	require.InDelta(t, 8.0, perGroup, 0.5)
}
