package sim

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// refQueue is the kernel as a specification: the pending events in a slice sorted by
// (time, sequence), the next one first. Nothing clever, so nothing to get wrong.
type refQueue struct {
	seq    int
	order  []*refEvent
	events map[EventID]*refEvent // the pending events by ID
	groupN map[Group]int         // pending events per group
}

type refEvent struct {
	id     EventID
	name   int
	at     Time
	seq    int
	group  Group
	period Time
	left   int // occurrences before a periodic event cancels itself
	action int // what the callback does, see refHarness.fire
}

func newRefQueue() refQueue {
	return refQueue{events: map[EventID]*refEvent{}, groupN: map[Group]int{}}
}

func (r *refQueue) pos(at Time, seq int) int {
	i, _ := slices.BinarySearchFunc(r.order, [2]int64{int64(at), int64(seq)},
		func(e *refEvent, k [2]int64) int {
			if d := cmp.Compare(int64(e.at), k[0]); d != 0 {
				return d
			}
			return cmp.Compare(int64(e.seq), k[1])
		})
	return i
}

// add makes e pending under id, behind everything already pending at its time.
func (r *refQueue) add(id EventID, e *refEvent) {
	r.seq++
	e.id, e.seq = id, r.seq
	r.order = slices.Insert(r.order, r.pos(e.at, e.seq), e)
	r.events[id] = e
	r.groupN[e.group]++
}

func (r *refQueue) remove(id EventID) {
	e := r.events[id]
	i := r.pos(e.at, e.seq)
	r.order = slices.Delete(r.order, i, i+1)
	delete(r.events, id)
	r.groupN[e.group]--
}

func (r *refQueue) min() *refEvent {
	if len(r.order) == 0 {
		return nil
	}
	return r.order[0]
}

// refHarness drives a Kernel and a refQueue with the same random operations. Every
// callback checks, as it runs, that the reference would run that same event at that
// same instant next, and the harness checks Len and GroupLen after every step.
type refHarness struct {
	t       *testing.T
	rng     *rand.Rand
	k       *Kernel
	r       refQueue
	ids     []EventID // every ID ever issued, stale ones included
	groups  []Group
	names   int
	ran     int // callbacks run
	until   Time
	stopped bool
}

const (
	actNone = iota
	actCancelSelf
	actRescheduleSelf
	actChild // schedule an event at now + a small delay, maybe 0
	actCancelOther
	actCancelGroup
	actStop
	actStorm
	nActs
)

// delay draws a delay that lands in every level of the radix heap, and often on a
// time already in use, so that equal times travel through splits together.
func (h *refHarness) delay() Time {
	switch h.rng.IntN(6) {
	case 0:
		return 0
	case 1:
		return Time(h.rng.IntN(4))
	case 2:
		return Time(h.rng.IntN(300))
	case 3:
		return Time(h.rng.IntN(70_000))
	case 4:
		return Time(h.rng.Int64N(1 << 40))
	}
	// A few fixed far-off instants that many events share.
	base := h.k.Now() &^ (1<<32 - 1)
	return base + Time(1+h.rng.IntN(3))<<32 + Time(h.rng.IntN(2)) - h.k.Now()
}

func (h *refHarness) action() int {
	if h.rng.IntN(3) > 0 {
		return actNone
	}
	return h.rng.IntN(nActs)
}

func (h *refHarness) group() Group {
	if len(h.groups) == 0 || h.rng.IntN(3) == 0 {
		return 0
	}
	return h.groups[h.rng.IntN(len(h.groups))]
}

func (h *refHarness) schedule(g Group, at, period Time) {
	e := &refEvent{name: h.names, at: at, group: g, period: period, action: h.action(),
		left: 1 + h.rng.IntN(6)}
	h.names++
	var id EventID // set below, before the callback can run
	fn := func() { h.fire(id) }
	switch {
	case period > 0:
		id = h.k.EveryIn(g, at, period, fn)
	case g != 0 || h.rng.IntN(2) == 0:
		id = h.k.AtIn(g, at, fn)
	default:
		id = h.k.At(at, fn)
	}
	if _, ok := h.r.events[id]; ok {
		h.t.Fatalf("pending event ID %v was issued again", id)
	}
	h.r.add(id, e)
	h.ids = append(h.ids, id)
}

// fire is every callback: it takes the reference's next event, which must be this one
// at this instant, and does the event's action on both queues.
func (h *refHarness) fire(id EventID) {
	// Plain ifs: this runs for every event, and testify's helpers are slow.
	e := h.r.min()
	if e == nil || e.id != id || e.at != h.k.Now() || e.at > h.until {
		h.t.Fatalf("at %v the kernel ran %v; the reference runs %+v up to %v",
			h.k.Now(), id, e, h.until)
	}
	h.ran++
	h.r.remove(id)
	if e.period > 0 {
		// Pending again for its next occurrence before the callback runs.
		e.at += e.period
		h.r.add(id, e)
		if when, ok := h.k.When(id); !ok || when != e.at {
			h.t.Fatalf("periodic event %d: next occurrence %v, %v; want %v", e.name, when, ok, e.at)
		}
		// A periodic event lives for a few occurrences, so that a long horizon
		// does not run it a billion times.
		if e.left--; e.left == 0 {
			h.cancel(id)
		}
	} else if h.k.Pending(id) {
		h.t.Fatalf("event %d still pending while it runs", e.name)
	}
	switch e.action {
	case actCancelSelf:
		h.cancel(id)
	case actRescheduleSelf:
		h.reschedule(id, h.k.Now()+h.delay())
	case actChild:
		h.schedule(e.group, h.k.Now()+Time(h.rng.IntN(3)), 0)
	case actCancelOther:
		h.cancel(h.ids[h.rng.IntN(len(h.ids))])
	case actCancelGroup:
		h.cancelGroup(e.group)
	case actStop:
		h.k.Stop()
		h.stopped = true
	case actStorm:
		if h.rng.IntN(10) == 0 { // a storm is a thousand reschedules
			h.storm()
		}
	}
	h.check()
}

func (h *refHarness) cancel(id EventID) {
	_, pending := h.r.events[id]
	if got := h.k.Cancel(id); got != pending {
		h.t.Fatalf("Cancel(%v) = %v, want %v", id, got, pending)
	}
	if pending {
		h.r.remove(id)
	}
	if h.k.Cancel(id) {
		h.t.Fatalf("second Cancel(%v) = true", id)
	}
}

func (h *refHarness) reschedule(id EventID, at Time) {
	e, pending := h.r.events[id]
	if got := h.k.Reschedule(id, at); got != pending {
		h.t.Fatalf("Reschedule(%v) = %v, want %v", id, got, pending)
	}
	if pending {
		h.r.remove(id)
		e.at = at
		h.r.add(id, e)
	}
}

func (h *refHarness) cancelGroup(g Group) {
	want := 0
	if g != 0 {
		var ids []EventID
		for _, e := range h.r.order {
			if e.group == g {
				ids = append(ids, e.id)
			}
		}
		for _, id := range ids {
			h.r.remove(id)
		}
		want = len(ids)
	}
	require.Equal(h.t, want, h.k.CancelGroup(g))
	require.Equal(h.t, 0, h.k.GroupLen(g))
}

func (h *refHarness) cancelPeriodic() {
	var ids []EventID
	for _, e := range h.r.order {
		if e.period > 0 {
			ids = append(ids, e.id)
		}
	}
	for _, id := range ids {
		h.cancel(id)
	}
}

func (h *refHarness) check() {
	if len(h.r.order) != h.k.Len() {
		h.t.Fatalf("Len() = %d, want %d", h.k.Len(), len(h.r.order))
	}
	for _, g := range h.groups {
		if h.r.groupN[g] != h.k.GroupLen(g) {
			h.t.Fatalf("GroupLen(%d) = %d, want %d", g, h.k.GroupLen(g), h.r.groupN[g])
		}
	}
}

// burst schedules 70 to 170 events on two instants, so that ties fill buckets of
// more than one chunk.
func (h *refHarness) burst() {
	now := h.k.Now()
	at := [2]Time{now + h.delay(), now + h.delay()}
	for range 70 + h.rng.IntN(100) {
		h.schedule(h.group(), at[h.rng.IntN(2)], 0)
	}
}

// storm reschedules events over and over, the way a flow's completion moves as its
// rate changes, until dead entries outnumber live ones and the queue is filtered.
func (h *refHarness) storm() {
	if len(h.r.events) == 0 {
		return
	}
	var pending []EventID
	for _, e := range h.r.order {
		pending = append(pending, e.id)
	}
	for range 1100 + len(pending) {
		h.reschedule(pending[h.rng.IntN(len(pending))], h.k.Now()+h.delay())
	}
}

func (h *refHarness) step() {
	now := h.k.Now()
	switch op := h.rng.IntN(100); {
	case op < 2:
		h.burst()
	case op < 3:
		h.storm()
	case op < 28:
		h.schedule(h.group(), now+h.delay(), 0)
	case op < 33:
		h.schedule(h.group(), now+h.delay(), 1+Time(h.rng.Int64N(1<<h.rng.IntN(34))))
	case op < 38:
		h.groups = append(h.groups, h.k.NewGroup())
		require.Equal(h.t, Group(len(h.groups)), h.groups[len(h.groups)-1])
	case op < 48 && len(h.ids) > 0:
		h.cancel(h.ids[h.rng.IntN(len(h.ids))])
	case op < 63 && len(h.ids) > 0:
		h.reschedule(h.ids[h.rng.IntN(len(h.ids))], now+h.delay())
	case op < 68:
		h.cancelGroup(h.group())
	case op < 73 && len(h.ids) > 0:
		id := h.ids[h.rng.IntN(len(h.ids))]
		e, pending := h.r.events[id]
		require.Equal(h.t, pending, h.k.Pending(id))
		when, ok := h.k.When(id)
		require.Equal(h.t, pending, ok)
		if pending {
			require.Equal(h.t, e.at, when)
		}
	default:
		// Run up to a horizon: often the next event's instant exactly, or short of
		// it, or far beyond it.
		h.until = now + h.delay()
		if e := h.r.min(); e != nil && h.rng.IntN(2) == 0 {
			h.until = e.at - Time(h.rng.IntN(2))
		}
		h.until = max(h.until, now)
		h.stopped = false
		h.k.RunUntil(h.until)
		if h.stopped {
			break
		}
		require.Equal(h.t, h.until, h.k.Now())
		if e := h.r.min(); e != nil {
			require.Greater(h.t, e.at, h.until, "event %d left behind", e.name)
		}
	}
	h.check()
}

// The kernel must run exactly the events, in exactly the order and at exactly the
// instants, that the reference would, over long random mixes of every operation,
// from inside callbacks and out: equal times stay in scheduling order through every
// bucket split, and Len and GroupLen are exact after every step.
func TestKernelMatchesReferenceQueue(t *testing.T) {
	steps := 3000
	if testing.Short() {
		steps = 500
	}
	for seed := range uint64(30) {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			h := &refHarness{t: t, rng: rand.New(rand.NewPCG(seed, 7)), k: NewKernel(),
				r: newRefQueue()}
			for range steps {
				h.step()
			}
			// Drain: cancel every group and periodic event, then run the rest.
			for _, g := range h.groups {
				h.cancelGroup(g)
			}
			h.cancelPeriodic()
			for len(h.r.order) > 0 {
				h.until = h.r.min().at
				h.stopped = false
				h.k.RunUntil(h.until)
				h.check()
			}
			require.Equal(t, 0, h.k.Len())
			require.Positive(t, h.ran)
		})
	}
}
