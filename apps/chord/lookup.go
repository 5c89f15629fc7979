package chord

import (
	"slices"

	"netsim/sim"
	"netsim/topology"
)

// Want values of a recursive lookup: the key's owner (its successor: the texts'
// "who is responsible for key 11?") or its predecessor (the texts' join: "what will
// be 13's predecessor and successor?").
const (
	wantOwner = 0
	wantPred  = 1
)

// maxHops bounds a lookup (a TTL): far more than any consistent ring needs (at most
// N − 1 on the texts' ring, O(log N) with fingers), so only a ring broken into a loop
// reaches it.
const maxHops = 255

// Lookup finds key's successor, starting at this node, and calls done (and the
// config's OnLookup) with what it found. Iterative or recursive as Config.Style says;
// the texts' ring is recursive.
func (n *Node) Lookup(key ID, done func(Result)) {
	if n.cfg.Mode == Chord && n.cfg.Style == Iterative {
		l := n.newLookup(key)
		l.user = done
		l.res.Key, l.res.Start = key, n.h.Now()
		l.ask(n.self)
		return
	}
	n.lookupRecursive(key, wantOwner, 1, func(m *Msg, r Result) { n.lookupDone(r, done) })
}

// lookupDone completes a lookup the workload or Lookup's caller started.
func (n *Node) lookupDone(r Result, done func(Result)) {
	r.Latency = n.h.Now() - r.Start
	if n.cfg.OnLookup != nil {
		n.cfg.OnLookup(n, r)
	}
	if done != nil {
		done(r)
	}
}

// iterLookup is an iterative lookup under way at its querier. It has one request
// out at a time, whose answer or timeout continues it (stepReply, stepFailed,
// getReply, getFailed): cur is the node asked, again whether it was asked before,
// target the successor asked for the key's value.
type iterLookup struct {
	n     *Node
	key   ID
	path  []Peer // the nodes that answered, in order; the last proposed the one asked now
	avoid []ID   // nodes that timed out
	res   Result
	// done is the ring's own lookup's continuation (fix_fingers, a join), counted
	// as maintenance; nil: a lookup of the workload or of Lookup's caller, whose
	// callback is user.
	done        func(Result)
	user        func(Result)
	cur, target Peer
	again       bool
	pathBuf     [8]Peer // path's first entries, in the lookup's own allocation
}

// maintLookup returns the ring's own lookup of key; its caller sets its done.
func (n *Node) maintLookup(key ID) *iterLookup { return n.newLookup(key) }

// newLookup returns a lookup of key, the node's spare one if it has it.
func (n *Node) newLookup(key ID) *iterLookup {
	l := n.spare
	if l == nil {
		l = &iterLookup{}
	} else {
		n.spare = nil
		*l = iterLookup{}
	}
	l.n, l.key, l.res.Owner = n, key, None
	l.path = l.pathBuf[:0]
	return l
}

// finish completes the lookup; its record becomes the node's spare if the node has
// a workload. Nothing holds it then: its last request's call is done, and callbacks get its result by value.
func (l *iterLookup) finish() {
	if l.done != nil {
		l.done(l.res)
	} else {
		l.n.lookupDone(l.res, l.user)
	}
	if n := l.n; n.spare == nil && n.cfg.LookupRate > 0 {
		// Only a node with a workload of its own keeps a spare: a ring whose
		// lookups start at random nodes (10^6 of them, chord-path-length) would
		// keep one at most nodes, for nothing.
		l.done, l.user = nil, nil // no closure kept alive by a spare
		n.spare = l
	}
}

// ask asks cur for the next hop; the querier answers itself without a message.
func (l *iterLookup) ask(cur Peer) { l.askAgain(cur, false) }

// askAgain asks cur; again says cur has answered this lookup before (it is asked
// once more after the node it proposed timed out) and is not counted as a hop twice:
// the path length counts the nodes a lookup traverses.
func (l *iterLookup) askAgain(cur Peer, again bool) {
	n := l.n
	if l.res.Hops+l.res.Timeouts > maxHops {
		l.finish()
		return
	}
	if cur.Addr() == n.self.Addr() {
		p, done := n.next(l.key, l.avoid)
		l.answer(cur, p, done)
		return
	}
	req := &Msg{Type: MsgFindNext, Key: l.key, Avoid: slices.Clone(l.avoid), maint: l.done != nil}
	l.cur, l.again = cur, again
	n.request(cur, req, call{op: opStep, l: l})
}

func (l *iterLookup) stepReply(r *Msg) {
	if !l.again {
		l.res.Hops++
	}
	l.answer(l.cur, r.A, r.Flag != 0)
}

// stepFailed routes around a dead node by asking the node that proposed it again,
// telling it to avoid the dead one (ToN'03 §IV-E). The lookup changes no routing
// state: repairing the tables is stabilization's work (and the papers' static
// experiments, ToN'03 Table II, measure lookups before it).
func (l *iterLookup) stepFailed() {
	l.res.Timeouts++
	l.avoid = append(l.avoid, l.cur.ID)
	prev := l.n.self
	if k := len(l.path); k > 0 {
		prev = l.path[k-1]
		l.path = l.path[:k-1]
	}
	l.askAgain(prev, true)
}

func (l *iterLookup) answer(cur, p Peer, done bool) {
	switch {
	case done && p.Ok() && p.Addr() == l.n.self.Addr():
		v, found := l.n.store[l.key]
		l.res.Owner, l.res.OK, l.res.Path = p, true, l.res.Hops
		l.res.Value, l.res.Found = v, found
		l.finish()
	case done && p.Ok():
		l.confirm(cur, p)
	case done || !p.Ok():
		l.finish()
	default:
		l.path = append(l.path, cur)
		l.ask(p)
	}
}

// confirm asks the successor p that cur named for the key's value (a DHT get): a
// lookup succeeds when it reaches the key's current successor (ToN'03 §V), and a dead
// one is routed around like any other: cur is asked again, avoiding it, and names the
// next successor on its list.
func (l *iterLookup) confirm(cur, p Peer) {
	l.cur, l.target = cur, p
	l.n.request(p, &Msg{Type: MsgGet, Key: l.key, maint: l.done != nil}, call{op: opGet, l: l})
}

func (l *iterLookup) getReply(m *Msg) {
	l.res.Owner, l.res.OK, l.res.Path = l.target, true, l.res.Hops+1
	l.res.Value, l.res.Found = m.Value, m.Flag != 0
	l.finish()
}

func (l *iterLookup) getFailed() {
	l.res.Timeouts++
	l.avoid = append(l.avoid, l.target.ID)
	l.askAgain(l.cur, true)
}

// lookupRecursive sends a recursive query for key (want: wantOwner or wantPred) and
// calls done with the answer; a query that gets no answer within LookupTimeout is
// sent again tries−1 more times, then done gets a failed result.
func (n *Node) lookupRecursive(key ID, want uint8, tries int, done func(*Msg, Result)) {
	res := Result{Key: key, Start: n.h.Now(), Owner: None}
	var attempt func(left int)
	attempt = func(left int) {
		rid := n.nextRID()
		timeout := n.cfg.LookupTimeout
		if timeout <= 0 {
			timeout = n.cfg.RPCTimeout
		}
		n.await(call{rid: rid, reply: func(m *Msg) {
			res.Hops, res.Owner, res.OK = int(m.Hops), m.A, true
			res.Path = res.Hops
			done(m, res)
		}, fail: func() {
			res.Timeouts++
			if n.cfg.Stats != nil {
				n.cfg.Stats.Timeouts++
			}
			if left > 1 {
				attempt(left - 1)
				return
			}
			done(nil, res)
		}}, timeout)
		n.serveLookup(&Msg{Type: MsgLookup, RID: rid, Flag: want, A: n.self, Key: key})
	}
	attempt(tries)
}

// serveLookup handles a recursive query here: answer it if this node is the one
// wanted, else forward it to the known node closest before the key (the texts: "it
// forwards the message to the neighbor … which is the closest to the key").
func (n *Node) serveLookup(m *Msg) {
	s := n.cfg.Space
	succ := n.Successor()
	answer := func() {
		r := &Msg{Type: MsgFound, RID: m.RID, Hops: m.Hops, A: n.self, B: succ, maint: m.maint}
		if m.A.Addr() == n.self.Addr() {
			n.receive(n.self.Addr(), topology.Message{Payload: r}) // the querier is its own answer
			return
		}
		n.send(m.A.Addr(), r)
	}
	switch {
	case m.Flag == wantOwner && n.joined && n.owns(m.Key):
		answer()
		return
	case m.Flag == wantPred && succ.Ok() && s.Between(m.Key, n.self.ID, succ.ID):
		answer()
		return
	case m.Hops >= maxHops:
		return // a loop: dropped, the querier times out
	}
	next := n.closestPreceding(m.Key, nil)
	if p, ok := n.successorOf(m.Key, nil); ok && m.Flag == wantOwner {
		next = p
	}
	if next.Addr() == n.self.Addr() {
		next = succ
	}
	if !next.Ok() || next.Addr() == n.self.Addr() {
		answer() // alone on its ring
		return
	}
	f := *m
	f.Hops++
	n.send(next.Addr(), &f)
}

// Put stores (key, value) at key's successor, found by a lookup, and calls done with
// whether the successor acknowledged it.
func (n *Node) Put(key ID, value []byte, done func(ok bool)) {
	n.Lookup(key, func(r Result) {
		if !r.OK {
			done(false)
			return
		}
		if r.Owner.Addr() == n.self.Addr() {
			n.receive(n.self.Addr(), topology.Message{Payload: &Msg{Type: MsgTransfer, Items: []Item{{key, value}}}})
			done(true)
			return
		}
		n.rpc(r.Owner, &Msg{Type: MsgPut, Key: key, Value: value}, func(*Msg) { done(true) }, func() { done(false) })
	})
}

// Get fetches key's value from its successor: found says whether the successor has
// it, ok whether the lookup and the request succeeded.
func (n *Node) Get(key ID, done func(value []byte, found, ok bool)) {
	n.Lookup(key, func(r Result) {
		if !r.OK {
			done(nil, false, false)
			return
		}
		if r.Owner.Addr() == n.self.Addr() {
			v, found := n.store[key]
			done(v, found, true)
			return
		}
		if n.cfg.Mode == Chord && n.cfg.Style == Iterative {
			done(r.Value, r.Found, true) // the lookup's last step fetched it
			return
		}
		n.rpc(r.Owner, &Msg{Type: MsgGet, Key: key}, func(m *Msg) { done(m.Value, m.Flag != 0, true) }, func() { done(nil, false, false) })
	})
}

// workload starts the node's Poisson lookups: exponential gaps of mean 1/LookupRate.
func (n *Node) workload() {
	rate := n.cfg.LookupRate
	if rate <= 0 {
		return
	}
	var next func()
	next = func() {
		if n.joined {
			n.Lookup(n.randomKey(), nil)
		}
		n.h.After(sim.Seconds(n.h.Rand().ExpFloat64()/rate), next)
	}
	n.h.After(sim.Seconds(n.h.Rand().ExpFloat64()/rate), next)
}

// randomKey draws a lookup's key: from Config.Keys, or uniformly from the space.
func (n *Node) randomKey() ID {
	rng := n.h.Rand()
	if k := n.cfg.Keys; len(k) > 0 {
		return k[rng.IntN(len(k))]
	}
	var x ID
	for i := range x.w {
		x.w[i] = rng.Uint64()
	}
	return n.cfg.Space.norm(x)
}
