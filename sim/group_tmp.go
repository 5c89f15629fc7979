package sim

import "sync"

// TEMPORARY stand-in for the kernel's event groups, with the same signatures, so the
// socket layer can be written while the kernel is reworked; replaced at the merge.

// Group names a set of pending events that can be cancelled together. Group 0 is no group.
type Group uint32

type groupState struct {
	groups []map[EventID]struct{}
	// periodic maps an Every's stable ID to its current occurrence.
	periodic map[EventID]EventID
	groupOf  map[EventID]Group
}

var (
	groupMu     sync.Mutex
	groupStates = map[*Kernel]*groupState{}
)

func (k *Kernel) gs() *groupState {
	groupMu.Lock()
	defer groupMu.Unlock()
	g, ok := groupStates[k]
	if !ok {
		g = &groupState{groups: []map[EventID]struct{}{nil}, periodic: map[EventID]EventID{}, groupOf: map[EventID]Group{}}
		groupStates[k] = g
	}
	return g
}

func (k *Kernel) NewGroup() Group {
	g := k.gs()
	g.groups = append(g.groups, map[EventID]struct{}{})
	return Group(len(g.groups) - 1)
}

func (k *Kernel) AtIn(g Group, at Time, fn func()) EventID {
	if g == 0 {
		return k.At(at, fn)
	}
	st := k.gs()
	set := st.groups[g]
	var id EventID
	id = k.At(at, func() { delete(set, id); delete(st.groupOf, id); fn() })
	set[id] = struct{}{}
	st.groupOf[id] = g
	return id
}

func (k *Kernel) EveryIn(g Group, first, period Time, fn func()) EventID {
	if period <= 0 {
		panic("sim: Every with period <= 0")
	}
	st := k.gs()
	var stable EventID
	var tick func()
	tick = func() {
		cur := k.AtIn(g, k.now+period, tick)
		st.periodic[stable] = cur
		fn()
	}
	stable = k.AtIn(g, first, tick)
	st.periodic[stable] = stable
	return stable
}

func (k *Kernel) Every(first, period Time, fn func()) EventID { return k.EveryIn(0, first, period, fn) }

func (k *Kernel) resolve(id EventID) EventID {
	if cur, ok := k.gs().periodic[id]; ok {
		return cur
	}
	return id
}

func (k *Kernel) CancelGroup(g Group) int {
	set := k.gs().groups[g]
	n := 0
	for id := range set {
		if k.Cancel(id) {
			n++
		}
		delete(set, id)
		delete(k.gs().groupOf, id)
	}
	return n
}

func (k *Kernel) GroupLen(g Group) int { return len(k.gs().groups[g]) }

// CancelAny and RescheduleAny follow a periodic event's stable ID to its current
// occurrence (the real kernel keeps one ID).
func (k *Kernel) CancelAny(id EventID) bool {
	cur := k.resolve(id)
	ok := k.Cancel(cur)
	if cur != id {
		delete(k.gs().periodic, id)
	}
	st := k.gs()
	if g, ok := st.groupOf[cur]; ok {
		delete(st.groups[g], cur)
		delete(st.groupOf, cur)
	}
	return ok
}

func (k *Kernel) RescheduleAny(id EventID, at Time) bool { return k.Reschedule(k.resolve(id), at) }
