package sim

import (
	"context"
	"fmt"
	"math/bits"
	"time"
)

// EventID names a scheduled event so it can be cancelled or moved. The zero EventID
// names no event. An ID stays valid until its event runs or is cancelled; after that,
// operations on it report false (a generation count makes stale IDs harmless).
type EventID uint64

// Kernel is the event loop: a virtual clock and a queue of callbacks ordered by
// (time, sequence), so events at the same instant run in the order they were
// scheduled and a run is a pure function of its inputs.
//
// The queue is a radix heap (Ahuja, Mehlhorn, Orlin and Tarjan, "Faster algorithms
// for the shortest path problem", JACM 1990). It relies on the queue being monotone:
// no event is ever scheduled before the last one taken out, and because sequence
// numbers only grow, the 128-bit key (time, sequence) is monotone too. An entry lives
// in the bucket named by the highest bit where its key differs from the last key
// taken; push is an O(1) append, and taking the minimum scans and splits one bucket,
// each entry moving to a strictly lower bucket, so O(log C) amortised moves per
// event with sequential, cache-friendly memory access. On the hold model it is
// markedly faster than a 4-ary heap (see BenchmarkHold).
//
// Cancellation is lazy: Cancel and Reschedule bump the event's version, leaving its
// old entry to be dropped when its bucket is next split; all buckets are filtered
// once dead entries outnumber live ones.
// A Kernel is not safe for concurrent use: one run, one goroutine.
type Kernel struct {
	now     Time
	seq     uint64
	last    entry // key of the last entry taken out; every queued key is larger
	buckets [129][]entry
	full    [3]uint64 // bit b set when buckets[b] is not empty
	queued  int       // entries in buckets, live or dead
	stale   int       // dead entries: cancelled or moved events
	slots   []slot
	free    []uint32 // indices of unused slots
	stopped bool
	events  uint64

	progressEvery time.Duration
	progressFn    func(Progress)
	runStart      time.Time
	lastProgress  time.Time
}

// entry is one event in the queue. It is live while ver equals its slot's ver.
type entry struct {
	at   Time
	seq  uint64
	slot uint32
	ver  uint32
}

// slot holds an event's callback and time. gen counts the slot's reuses (it is part
// of the EventID, so a stale ID never reaches a new event); ver counts changes to the
// event's entry (cancel, reschedule, run).
type slot struct {
	fn  func()
	at  Time
	gen uint32
	ver uint32
}

// NewKernel returns a kernel at virtual time zero with an empty queue.
func NewKernel() *Kernel { return &Kernel{} }

// Now returns the current virtual time.
func (k *Kernel) Now() Time { return k.now }

// Events returns how many events have run.
func (k *Kernel) Events() uint64 { return k.events }

// Len returns how many events are pending.
func (k *Kernel) Len() int { return k.queued - k.stale }

// At schedules fn to run at virtual time at. Scheduling in the past is a bug in the
// caller and panics. O(1).
func (k *Kernel) At(at Time, fn func()) EventID {
	if at < k.now {
		panic(fmt.Sprintf("sim: event scheduled at %v, before now (%v)", at, k.now))
	}
	if fn == nil {
		panic("sim: nil event callback")
	}
	var s uint32
	if n := len(k.free); n > 0 {
		s = k.free[n-1]
		k.free = k.free[:n-1]
	} else {
		s = uint32(len(k.slots))
		k.slots = append(k.slots, slot{})
	}
	sl := &k.slots[s]
	sl.fn, sl.at = fn, at
	k.push(at, s, sl.ver)
	return EventID(uint64(sl.gen)<<32 | uint64(s+1))
}

// After schedules fn to run d after now. d must not be negative.
func (k *Kernel) After(d Time, fn func()) EventID { return k.At(k.now+d, fn) }

// push queues an entry for slot s with a fresh sequence number.
func (k *Kernel) push(at Time, s, ver uint32) {
	k.seq++
	e := entry{at: at, seq: k.seq, slot: s, ver: ver}
	k.put(e)
	k.queued++
}

// bucket returns the bucket of e relative to the last key taken: 0 when equal,
// 1..64 when only the sequence differs (by its highest differing bit), 65..128 when
// the time differs. Times are never negative, so the XOR of two is a magnitude.
func (k *Kernel) bucket(e entry) int {
	if x := uint64(e.at ^ k.last.at); x != 0 {
		return 64 + bits.Len64(x)
	}
	return bits.Len64(e.seq ^ k.last.seq)
}

func (k *Kernel) put(e entry) {
	b := k.bucket(e)
	k.buckets[b] = append(k.buckets[b], e)
	k.full[b>>6] |= 1 << (b & 63)
}

// lookup returns the slot index of a pending event, or -1.
func (k *Kernel) lookup(id EventID) int64 {
	s := int64(id&0xffffffff) - 1
	if s < 0 || s >= int64(len(k.slots)) {
		return -1
	}
	sl := &k.slots[s]
	if sl.fn == nil || sl.gen != uint32(id>>32) {
		return -1
	}
	return s
}

// Pending reports whether id names an event that has not yet run or been cancelled.
func (k *Kernel) Pending(id EventID) bool { return k.lookup(id) >= 0 }

// When returns the time of a pending event, and false if id is not pending.
func (k *Kernel) When(id EventID) (Time, bool) {
	s := k.lookup(id)
	if s < 0 {
		return 0, false
	}
	return k.slots[s].at, true
}

// Cancel removes a pending event; it reports whether there was one. O(1): its entry
// is dropped later.
func (k *Kernel) Cancel(id EventID) bool {
	s := k.lookup(id)
	if s < 0 {
		return false
	}
	k.release(uint32(s))
	k.addStale()
	return true
}

// Reschedule moves a pending event to time at, keeping its callback and ID. The event
// takes a new sequence number, so among events at the same instant it runs as if it
// had just been scheduled. It reports false if id is not pending. O(1) amortised.
func (k *Kernel) Reschedule(id EventID, at Time) bool {
	if at < k.now {
		panic(fmt.Sprintf("sim: event rescheduled to %v, before now (%v)", at, k.now))
	}
	s := k.lookup(id)
	if s < 0 {
		return false
	}
	sl := &k.slots[s]
	sl.ver++
	sl.at = at
	k.push(at, uint32(s), sl.ver)
	k.addStale()
	return true
}

// release frees slot s: its entry turns dead and old IDs no longer match.
func (k *Kernel) release(s uint32) {
	sl := &k.slots[s]
	sl.fn = nil
	sl.gen++
	sl.ver++
	k.free = append(k.free, s)
}

func (k *Kernel) live(e entry) bool { return k.slots[e.slot].ver == e.ver }

// addStale counts one more dead entry and filters every bucket once dead entries
// outnumber live ones, so memory stays proportional to pending events.
func (k *Kernel) addStale() {
	k.stale++
	if k.stale > 1024 && 2*k.stale > k.queued {
		for b := range k.buckets {
			kept := k.buckets[b][:0]
			for _, e := range k.buckets[b] {
				if k.live(e) {
					kept = append(kept, e)
				}
			}
			k.buckets[b] = kept
			if len(kept) == 0 {
				k.full[b>>6] &^= 1 << (b & 63)
			}
		}
		k.queued -= k.stale
		k.stale = 0
	}
}

func less(a, b entry) bool {
	return a.at < b.at || (a.at == b.at && a.seq < b.seq)
}

// min returns the live entry with the smallest key without taking it out, moving
// entries between buckets as needed; false when none is pending.
//
// When bucket 0 is empty, the lowest non-empty bucket holds the minimum: it is found
// by a scan, becomes the new last key, and the bucket is split around it. Keys are
// unique, so bucket 0 then holds exactly that entry. A dead entry is dropped only
// when it reaches bucket 0: its key is as good a last key as any, and checking
// liveness during scans would cost a random read per entry.
func (k *Kernel) min() (entry, bool) {
	for {
		if len(k.buckets[0]) > 0 {
			e := k.buckets[0][0]
			if k.live(e) {
				return e, true
			}
			k.take()
			k.stale--
			continue
		}
		b := k.lowestFull()
		if b < 0 {
			return entry{}, false
		}
		src := k.buckets[b]
		m := src[0]
		for _, e := range src[1:] {
			if less(e, m) {
				m = e
			}
		}
		k.buckets[b] = src[:0]
		k.full[b>>6] &^= 1 << (b & 63)
		k.last = m
		for _, e := range src {
			k.put(e)
		}
	}
}

// take removes the entry in bucket 0.
func (k *Kernel) take() {
	k.buckets[0] = k.buckets[0][:0]
	k.full[0] &^= 1
	k.queued--
}

// lowestFull returns the lowest non-empty bucket above 0, or -1.
func (k *Kernel) lowestFull() int {
	switch {
	case k.full[0] != 0:
		return bits.TrailingZeros64(k.full[0])
	case k.full[1] != 0:
		return 64 + bits.TrailingZeros64(k.full[1])
	case k.full[2] != 0:
		return 128 + bits.TrailingZeros64(k.full[2])
	}
	return -1
}

// Stop makes Run or RunUntil return after the current event.
func (k *Kernel) Stop() { k.stopped = true }

// Stopped reports whether Stop was called since the last Run or RunUntil began.
func (k *Kernel) Stopped() bool { return k.stopped }

// SetProgress installs fn, called about every `every` of wall-clock time while events
// run (never paced by virtual time), and once when Run or RunUntil returns. A nil fn
// removes the hook.
func (k *Kernel) SetProgress(every time.Duration, fn func(Progress)) {
	k.progressEvery, k.progressFn = every, fn
}

// Run runs events in (time, sequence) order until none are left or Stop is called.
func (k *Kernel) Run() { k.run(Never, false) }

// RunUntil runs every event at or before t, then leaves the clock at t (unless Stop
// was called, which leaves it at the last event run). Later events stay queued.
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
	if k.progressFn != nil {
		k.runStart = time.Now()
		k.lastProgress = k.runStart
	}
	for !k.stopped {
		top, ok := k.min()
		if !ok || top.at > until {
			// It stays queued; rebase below undoes min's move of the last key.
			break
		}
		sl := &k.slots[top.slot]
		fn := sl.fn
		k.take()
		k.release(top.slot)
		k.now = top.at
		k.events++
		fn()
		if k.progressFn != nil && k.events&progressCheckMask == 0 {
			if now := time.Now(); now.Sub(k.lastProgress) >= k.progressEvery {
				k.lastProgress = now
				k.progressFn(k.progress(now))
			}
		}
	}
	if advance && !k.stopped && until > k.now {
		k.now = until
	}
	if k.last.at > k.now {
		k.rebase()
	}
	if k.progressFn != nil {
		k.progressFn(k.progress(time.Now()))
	}
}

// rebase lowers the last key to (now, seq) when RunUntil stopped short of an event
// that min had already looked at (making its key the last key), so that events may
// again be scheduled anywhere from now on. Lowering the last key can invalidate
// bucket positions, so every entry is re-bucketed: O(n), paid only by RunUntil calls
// that stop between events, never by Run.
func (k *Kernel) rebase() {
	var all []entry
	for b := range k.buckets {
		all = append(all, k.buckets[b]...)
		k.buckets[b] = k.buckets[b][:0]
	}
	k.full = [3]uint64{}
	k.last = entry{at: k.now, seq: k.seq}
	for _, e := range all {
		k.put(e)
	}
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
	k.Run()
	return ctx.Err()
}
