package sim

import (
	"context"
	"fmt"
	"time"
	"unsafe"
)

// EventID names a scheduled event so it can be cancelled or moved. The zero EventID
// names no event. An ID stays valid until its event runs (a periodic event's, until
// it is cancelled) or is cancelled; after that, operations on it report false (a
// generation count makes stale IDs harmless).
type EventID uint64

// Kernel is the event loop: a virtual clock and a queue of callbacks ordered by time
// and, at equal times, by the order they were scheduled, so a run is a pure function
// of its inputs. Create one with NewKernel.
//
// The queue is a multi-level radix heap on time alone (see queue.go): scheduling is
// an O(1) append, and taking the next event out is O(1) amortised: an entry moves at
// most once per byte of its time, 1.3 to 2.6 times on the hold model, through
// sequential memory. See BenchmarkHold for its speed beside ns-3's schedulers, and
// BenchmarkMemory for its size: 41 bytes per pending event at P = 10^6.
//
// Cancellation is lazy: Cancel and Reschedule bump the event's version, leaving its
// old entry to be dropped when it reaches the front; the whole queue is filtered once
// dead entries outnumber live ones, so memory follows the pending events. (Slots
// follow the peak number of pending events: they are reused, never freed.)
// A Kernel is not safe for concurrent use: one run, one goroutine.
type Kernel struct {
	now    Time
	q      queue
	stale  int // dead entries in q: cancelled or moved events
	slots  paged[slot]
	free   uint32 // first unused slot + 1; 0 when none
	xslots paged[xslot]
	xfree  uint32 // first unused xslot + 1
	groups paged[groupList]

	stopped bool
	events  uint64
	running func() // the callback of the event now running, nil between runs

	// checkAt is the event count at which the loop next looks past the event itself:
	// at the wall clock for the progress hook, or at the event budget (see nextCheck).
	checkAt   uint64
	maxEvents uint64 // RunContext's event budget, 0 for none
	budgetHit bool   // the budget stopped the last run with events pending

	progressEvery time.Duration
	progressFn    func(Progress)
	runStart      time.Time
	lastProgress  time.Time
}

// slot holds a pending event's callback and time. gen counts the slot's reuses (it is
// part of the EventID, so a stale ID never reaches a new event); ver counts changes to
// the event's entry (cancel, reschedule, run). A free slot has a nil fn and keeps the
// free list's next link in at. 24 bytes.
type slot struct {
	fn  func()
	at  Time
	gen uint32
	ver uint32
}

// An entry's ref names its slot: an index into slots, or with extRef set into xslots,
// the slots of grouped and periodic events. Keeping those apart means an event in no
// group pays nothing for groups.
const extRef = 1 << 31

// NewKernel returns a kernel at virtual time zero with an empty queue.
func NewKernel() *Kernel {
	k := &Kernel{}
	k.q.init()
	k.q.slots, k.q.xslots = &k.slots, &k.xslots
	return k
}

// Now returns the current virtual time.
func (k *Kernel) Now() Time { return k.now }

// Events returns how many events have run (each occurrence of a periodic one counts).
func (k *Kernel) Events() uint64 { return k.events }

// Len returns how many events are pending: exact at all times, O(1).
func (k *Kernel) Len() int { return k.q.n - k.stale }

// At schedules fn to run at virtual time at. Scheduling in the past or a nil fn is a
// bug in the caller and panics. O(1).
func (k *Kernel) At(at Time, fn func()) EventID {
	k.check(at, fn)
	var s uint32
	if f := k.free; f != 0 {
		s = f - 1
		k.free = uint32(k.slots.at(s).at)
	} else {
		s = k.slots.len()
		if s >= extRef-1 {
			panic("sim: more than 2^31-1 pending events")
		}
		k.slots.add()
	}
	sl := k.slots.at(s)
	sl.fn, sl.at = fn, at
	k.q.put(entry{at: at, ref: s, ver: sl.ver})
	return EventID(uint64(sl.gen)<<32 | uint64(s+1))
}

func (k *Kernel) check(at Time, fn func()) {
	if at < k.now {
		panic(fmt.Sprintf("sim: event scheduled at %v, before now (%v)", at, k.now))
	}
	if fn == nil {
		panic("sim: nil event callback")
	}
}

// After schedules fn to run d after now. A negative d panics, as At does; a d that
// passes the end of virtual time schedules fn at Never, beyond the Horizon that
// RunContext stops at. O(1).
func (k *Kernel) After(d Time, fn func()) EventID {
	if d > Never-k.now {
		return k.At(Never, fn)
	}
	return k.At(k.now+d, fn)
}

// slotOf returns the slot an entry refers to.
func (k *Kernel) slotOf(ref uint32) *slot {
	if ref&extRef != 0 {
		return &k.xslots.at(ref &^ extRef).slot
	}
	return k.slots.at(ref)
}

// lookup returns the ref and slot of a pending event, or nil.
func (k *Kernel) lookup(id EventID) (uint32, *slot) {
	r := uint32(id) - 1
	var sl *slot
	if r&extRef == 0 {
		if r >= k.slots.len() {
			return 0, nil
		}
		sl = k.slots.at(r)
	} else {
		if r&^extRef >= k.xslots.len() {
			return 0, nil
		}
		sl = &k.xslots.at(r &^ extRef).slot
	}
	if sl.fn == nil || sl.gen != uint32(id>>32) {
		return 0, nil
	}
	return r, sl
}

// Pending reports whether id names an event that has not yet run or been cancelled.
// O(1).
func (k *Kernel) Pending(id EventID) bool {
	_, sl := k.lookup(id)
	return sl != nil
}

// When returns the time of a pending event (a periodic one's next occurrence), and
// false if id is not pending. O(1).
func (k *Kernel) When(id EventID) (Time, bool) {
	_, sl := k.lookup(id)
	if sl == nil {
		return 0, false
	}
	return sl.at, true
}

// Cancel removes a pending event, periodic or not; it reports whether there was one.
// O(1): its entry is dropped later.
func (k *Kernel) Cancel(id EventID) bool {
	r, sl := k.lookup(id)
	if sl == nil {
		return false
	}
	k.release(r)
	k.addStale(1)
	return true
}

// Reschedule moves a pending event to time at, keeping its callback, ID and group.
// Among events at the same instant it runs as if it had just been scheduled: after
// every event already scheduled there. A periodic event's next occurrence moves, and
// later ones follow from there. It reports false if id is not pending; a time before
// now panics. O(1) amortised.
func (k *Kernel) Reschedule(id EventID, at Time) bool {
	if at < k.now {
		panic(fmt.Sprintf("sim: event rescheduled to %v, before now (%v)", at, k.now))
	}
	r, sl := k.lookup(id)
	if sl == nil {
		return false
	}
	sl.ver++
	sl.at = at
	k.q.put(entry{at: at, ref: r, ver: sl.ver})
	k.addStale(1)
	return true
}

// release frees the slot ref names: its entry turns dead and old IDs no longer match.
func (k *Kernel) release(ref uint32) {
	if ref&extRef != 0 {
		k.releaseExt(ref &^ extRef)
		return
	}
	k.freeSlot(ref)
}

// freeSlot is release for a plain slot, small enough to inline in the run loop.
func (k *Kernel) freeSlot(s uint32) {
	sl := k.slots.at(s)
	sl.fn = nil
	sl.gen++
	sl.ver++
	sl.at = Time(k.free)
	k.free = s + 1
}

func (k *Kernel) live(e entry) bool { return k.slotOf(e.ref).ver == e.ver }

// addStale counts n more dead entries and filters the queue once dead entries
// outnumber live ones, so memory stays proportional to pending events; the filter is
// O(queued) and runs at most once per (queued/2) cancellations.
func (k *Kernel) addStale(n int) {
	k.stale += n
	if k.stale > 1024 && 2*k.stale > k.q.n {
		k.q.filter(k.live)
		k.stale = 0
	}
}

// Running returns the callback of the event now running, nil outside a run: an event
// that schedules itself again (a flow's completion when the flow goes on with the
// next segment of its stream) can pass it to At rather than make a new one. O(1).
func (k *Kernel) Running() func() { return k.running }

// Stop makes Run or RunUntil return after the current event.
func (k *Kernel) Stop() { k.stopped = true }

// Stopped reports whether Stop was called since the last Run or RunUntil began.
func (k *Kernel) Stopped() bool { return k.stopped }

// SetProgress installs fn, called about every `every` of wall-clock time while events
// run (never paced by virtual time), and once when Run or RunUntil returns. A nil fn
// removes the hook.
func (k *Kernel) SetProgress(every time.Duration, fn func(Progress)) {
	k.progressEvery, k.progressFn = every, fn
	k.checkAt = k.nextCheck()
}

// nextCheck is the next event count at which the loop must look past its event: the
// next multiple of progressCheckMask+1 with a progress hook, the event budget if that
// comes first, or never. One comparison per event then serves both.
func (k *Kernel) nextCheck() uint64 {
	next := ^uint64(0)
	if k.progressFn != nil {
		next = (k.events | progressCheckMask) + 1
	}
	if k.maxEvents > k.events && k.maxEvents < next {
		next = k.maxEvents
	}
	return next
}

// Run runs events in order of time, and of scheduling at equal times, until none are
// left or Stop is called. O(1) amortised per event.
func (k *Kernel) Run() { k.run(Never, false) }

// RunUntil runs every event at or before t, then leaves the clock at t (unless Stop
// was called, which leaves it at the last event run). Later events stay queued and
// may be joined by events at any time from the new now. t before now panics. O(1)
// amortised per event run; stopping short of an event costs nothing more.
func (k *Kernel) RunUntil(t Time) {
	if t < k.now {
		panic(fmt.Sprintf("sim: RunUntil(%v) before now (%v)", t, k.now))
	}
	k.run(t, true)
}

// progressCheckMask sets how often the loop looks at the wall clock when a progress
// hook is installed: every 256 events costs about 0.1 ns an event, and keeps the hook
// (which also serves to stop a cancelled run) prompt when events are expensive.
const progressCheckMask = 1<<8 - 1

func (k *Kernel) run(until Time, advance bool) {
	k.stopped = false
	k.budgetHit = false
	if k.progressFn != nil {
		k.runStart = time.Now()
		k.lastProgress = k.runStart
	}
	if k.maxEvents > 0 && k.events >= k.maxEvents && k.Len() > 0 {
		k.stopped, k.budgetHit = true, true
	}
	k.checkAt = k.nextCheck()
	q := &k.q
	for !k.stopped {
		e, ok := q.next(until)
		if !ok {
			break
		}
		var sl *slot
		if e.ref&extRef == 0 {
			sl = k.slots.at(e.ref)
		} else {
			sl = &k.xslots.at(e.ref &^ extRef).slot
		}
		if sl.ver != e.ver {
			k.stale--
			continue
		}
		fn := sl.fn
		k.now = e.at
		k.events++
		if e.ref&extRef == 0 {
			k.freeSlot(e.ref)
		} else {
			k.firedExt(e) // a periodic event is queued again before fn runs
		}
		k.running = fn
		k.warmNext()
		fn()
		if k.events == k.checkAt {
			k.lookPast()
		}
	}
	k.running = nil
	if advance && !k.stopped && until > k.now {
		k.now = until
	}
	if q.n == 0 {
		// Dead entries taken out last may have carried last past now.
		q.last = k.now
	}
	if k.progressFn != nil {
		k.progressFn(k.progress(time.Now()))
	}
}

// warmNext reads the first word of the next event's closure, when the queue knows
// which event is next without a split. In a large model most of an event's time is
// spent waiting on loads that miss the caches, one after another; this load, which
// nothing waits for, misses while the event before runs rather than when the next
// one calls its closure. In a swarm of 10^4 BitTorrent peers, most events are
// landings on connections whose closures are scattered over gigabytes (with the
// sends' warming in topology.Warm, BenchmarkFlashCrowd10k's first 5 minutes: 0.85
// of the CPU time). A func value is a pointer to its closure, whose first word is
// its code pointer (the Go ABI's funcval, "Go 1.1 Function Calls").
func (k *Kernel) warmNext() {
	n, ok := k.q.peek()
	if !ok || n.ref&extRef != 0 {
		return
	}
	if f := k.slots.at(n.ref).fn; f != nil {
		k.q.warm += uint32(**(**uintptr)(unsafe.Pointer(&f)))
	}
}

// lookPast is the loop's look past its event, at checkAt: the event budget, then the
// progress hook's wall clock.
func (k *Kernel) lookPast() {
	if k.maxEvents > 0 && k.events >= k.maxEvents && !k.stopped && k.Len() > 0 {
		k.stopped, k.budgetHit = true, true
	}
	if k.progressFn != nil && k.events&progressCheckMask == 0 {
		if now := time.Now(); now.Sub(k.lastProgress) >= k.progressEvery {
			k.lastProgress = now
			k.progressFn(k.progress(now))
		}
	}
	k.checkAt = k.nextCheck()
}

func (k *Kernel) progress(now time.Time) Progress {
	wall := now.Sub(k.runStart)
	p := Progress{Events: k.events, Now: k.now, Wall: wall}
	if wall > 0 {
		p.EventsPerSec = float64(k.events) / wall.Seconds()
	}
	return p
}

// RunContext runs like Run, but stops soon after ctx is cancelled (it looks every
// 100 ms of wall-clock time, through the progress hook) and then returns ctx's error.
// progress, if not nil, gets a report about once a second. It replaces any progress
// hook set before.
//
// It also stops at the bounds ctx carries (WithLimits) and, in any case, at the
// Horizon: a run that still has events to come there returns a *LimitError saying
// which bound it reached. The event budget is exact, so a run stopped by it is as
// reproducible as one that ends.
func (k *Kernel) RunContext(ctx context.Context, progress func(Progress)) error {
	var reported time.Duration
	k.SetProgress(100*time.Millisecond, func(p Progress) {
		if ctx.Err() != nil {
			k.Stop()
		}
		if progress != nil && p.Wall-reported >= time.Second {
			reported = p.Wall
			progress(p)
		}
	})
	lim := LimitsOf(ctx)
	until := Horizon
	if lim.Time > 0 && lim.Time < until {
		until = lim.Time
	}
	k.maxEvents = lim.Events
	k.run(until, false)
	k.maxEvents = 0
	k.checkAt = k.nextCheck()
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case k.budgetHit:
		return &LimitError{Limit: EventLimit, Events: k.events, Now: k.now}
	case !k.stopped && k.Len() > 0:
		return &LimitError{Limit: TimeLimit, Bound: until, Events: k.events, Now: k.now}
	}
	return nil
}
