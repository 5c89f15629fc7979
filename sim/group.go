package sim

import "fmt"

// Group names a set of pending events that can be cancelled together: the timers of
// one host, which die when it crashes. Group 0 is no group.
type Group uint32

// groupList is a group's pending events, an intrusive doubly linked list through
// their xslots: 8 bytes a group, in pages, so 10^6 hosts can each own one for 8 MB.
type groupList struct {
	head uint32 // first member's xslot index + 1; 0 when empty
	n    uint32
}

// xslot is the slot of an event that is periodic or in a group. Such events live
// apart from the others (their refs carry extRef), so the hold model's events and
// their 24-byte slots never touch the group links. 48 bytes.
type xslot struct {
	slot
	period     Time   // > 0 for a periodic event
	group      Group  // 0: none
	prev, next uint32 // neighbours in the group's list, as xslot index + 1; 0: none
}

// NewGroup returns a new, empty group, numbered from 1. O(1).
func (k *Kernel) NewGroup() Group {
	if k.groups.len() >= 1<<32-1 {
		panic("sim: more than 2^32-1 groups")
	}
	return Group(k.groups.add() + 1)
}

// list returns g's list; an unknown group is a bug in the caller and panics.
func (k *Kernel) list(g Group) *groupList {
	if g == 0 || uint32(g) > k.groups.len() {
		panic(fmt.Sprintf("sim: group %d was not made by NewGroup", g))
	}
	return k.groups.at(uint32(g) - 1)
}

// AtIn is At for an event in group g (0: no group): it leaves the group when it runs,
// is cancelled, or the group is; Reschedule keeps it in. A group NewGroup did not
// make panics, as do At's misuses. O(1).
func (k *Kernel) AtIn(g Group, at Time, fn func()) EventID {
	if g == 0 {
		return k.At(at, fn)
	}
	return k.schedule(g, at, 0, fn)
}

// Every is EveryIn with no group.
func (k *Kernel) Every(first, period Time, fn func()) EventID {
	return k.EveryIn(0, first, period, fn)
}

// EveryIn schedules fn to run at first, first+period, first+2·period, … in group g
// (0: none), under one EventID for the event's whole life. While fn runs the event is
// already pending for its next occurrence, queued before anything fn schedules: so
// Cancel from inside fn stops it, and Reschedule moves the next occurrence, later
// ones following from there. It stays in its group until cancelled, alone or with
// the group. An occurrence that would fall after Never does not happen. A period that
// is not positive, a first time before now or a nil fn panics. O(1), and O(1) per
// occurrence.
func (k *Kernel) EveryIn(g Group, first, period Time, fn func()) EventID {
	if period <= 0 {
		panic(fmt.Sprintf("sim: periodic event with period %v", period))
	}
	return k.schedule(g, first, period, fn)
}

func (k *Kernel) schedule(g Group, at, period Time, fn func()) EventID {
	k.check(at, fn)
	var gl *groupList
	if g != 0 {
		gl = k.list(g)
	}
	var i uint32
	if f := k.xfree; f != 0 {
		i = f - 1
		k.xfree = uint32(k.xslots.at(i).at)
	} else {
		i = k.xslots.len()
		if i >= extRef-1 {
			panic("sim: more than 2^31-1 pending grouped or periodic events")
		}
		k.xslots.add()
	}
	x := k.xslots.at(i)
	x.fn, x.at, x.period = fn, at, period
	if gl != nil {
		x.group, x.prev, x.next = g, 0, gl.head
		if gl.head != 0 {
			k.xslots.at(gl.head - 1).prev = i + 1
		}
		gl.head = i + 1
		gl.n++
	}
	ref := i | extRef
	k.q.put(entry{at: at, ref: ref, ver: x.ver})
	return EventID(uint64(x.gen)<<32 | uint64(ref+1))
}

// firedExt updates the xslot of an event that is running now from entry e: a periodic
// event is queued again for its next occurrence, any other is released.
func (k *Kernel) firedExt(e entry) {
	i := e.ref &^ extRef
	x := k.xslots.at(i)
	if x.period > 0 {
		if next := e.at + x.period; next > e.at {
			x.at = next
			k.q.put(entry{at: next, ref: e.ref, ver: x.ver})
			return
		}
	}
	k.releaseExt(i)
}

// releaseExt frees xslot i, taking it out of its group.
func (k *Kernel) releaseExt(i uint32) {
	x := k.xslots.at(i)
	if x.group != 0 {
		gl := k.groups.at(uint32(x.group) - 1)
		if x.prev != 0 {
			k.xslots.at(x.prev - 1).next = x.next
		} else {
			gl.head = x.next
		}
		if x.next != 0 {
			k.xslots.at(x.next - 1).prev = x.prev
		}
		gl.n--
	}
	x.fn = nil
	x.gen++
	x.ver++
	x.period, x.group, x.prev, x.next = 0, 0, 0, 0
	x.at = Time(k.xfree)
	k.xfree = i + 1
}

// CancelGroup cancels every pending event of group g, periodic ones included, and
// returns how many there were. The group stays usable. Group 0 has no events; a group
// NewGroup did not make panics. O(events in g).
func (k *Kernel) CancelGroup(g Group) int {
	if g == 0 {
		return 0
	}
	gl := k.list(g)
	n := int(gl.n)
	for h := gl.head; h != 0; {
		x := k.xslots.at(h - 1)
		next := x.next
		x.group = 0 // the whole list goes at once; no unlinking one by one
		k.releaseExt(h - 1)
		h = next
	}
	*gl = groupList{}
	k.addStale(n)
	return n
}

// GroupLen returns how many events of group g are pending: exact at all times, O(1).
// Group 0 has none; a group NewGroup did not make panics.
func (k *Kernel) GroupLen(g Group) int {
	if g == 0 {
		return 0
	}
	return int(k.list(g).n)
}
