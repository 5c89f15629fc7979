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
	finish := func(r Result) {
		r.Latency = n.h.Now() - r.Start
		if n.cfg.OnLookup != nil {
			n.cfg.OnLookup(n, r)
		}
		if done != nil {
			done(r)
		}
	}
	if n.cfg.Mode == Chord && n.cfg.Style == Iterative {
		l := &iterLookup{n: n, key: key, done: finish}
		l.res = Result{Key: key, Start: n.h.Now(), Owner: None}
		l.ask(n.self)
		return
	}
	n.lookupRecursive(key, wantOwner, 1, func(m *Msg, r Result) { finish(r) })
}

// iterLookup is an iterative lookup under way at its querier.
type iterLookup struct {
	n     *Node
	key   ID
	path  []Peer // the nodes that answered, in order; the last proposed the one asked now
	avoid []ID   // nodes that timed out
	res   Result
	done  func(Result)
	maint bool // the ring's own lookup (fix_fingers, a join): counted as maintenance
}

// ask asks cur for the next hop; the querier answers itself without a message.
func (l *iterLookup) ask(cur Peer) { l.askAgain(cur, false) }

// askAgain asks cur; again says cur has answered this lookup before (it is asked
// once more after the node it proposed timed out) and is not counted as a hop twice:
// the path length counts the nodes a lookup traverses.
func (l *iterLookup) askAgain(cur Peer, again bool) {
	n := l.n
	if l.res.Hops+l.res.Timeouts > maxHops {
		l.done(l.res)
		return
	}
	if cur.Addr() == n.self.Addr() {
		p, done := n.next(l.key, l.avoid)
		l.answer(cur, p, done)
		return
	}
	req := &Msg{Type: MsgFindNext, Key: l.key, Avoid: slices.Clone(l.avoid)}
	l.count(req)
	n.rpc(cur, req, func(r *Msg) {
		l.count(r)
		if !again {
			l.res.Hops++
		}
		l.answer(cur, r.A, r.Flag != 0)
	}, func() {
		// A dead node: route around it by asking the node that proposed it again,
		// telling it to avoid the dead one (ToN'03 §IV-E). The lookup changes no
		// routing state: repairing the tables is stabilization's work (and the
		// papers' static experiments, ToN'03 Table II, measure lookups before it).
		l.res.Timeouts++
		l.avoid = append(l.avoid, cur.ID)
		prev := n.self
		if k := len(l.path); k > 0 {
			prev = l.path[k-1]
			l.path = l.path[:k-1]
		}
		l.askAgain(prev, true)
	})
}

func (l *iterLookup) answer(cur, p Peer, done bool) {
	switch {
	case done && p.Ok() && p.Addr() == l.n.self.Addr():
		v, found := l.n.store[l.key]
		l.res.Owner, l.res.OK, l.res.Path = p, true, l.res.Hops
		l.res.Value, l.res.Found = v, found
		l.done(l.res)
	case done && p.Ok():
		l.confirm(cur, p)
	case done || !p.Ok():
		l.done(l.res)
	default:
		l.path = append(l.path, cur)
		l.ask(p)
	}
}

// count counts m as maintenance if the lookup is the ring's own.
func (l *iterLookup) count(m *Msg) {
	if st := l.n.cfg.Stats; l.maint && st != nil {
		st.MaintLookupMessages++
		st.MaintLookupBytes += m.Size(l.n.cfg.Space)
	}
}

// confirm asks the successor that cur named for the key's value (a DHT get): a
// lookup succeeds when it reaches the key's current successor (ToN'03 §V), and a dead
// one is routed around like any other: cur is asked again, avoiding it, and names the
// next successor on its list.
func (l *iterLookup) confirm(cur, p Peer) {
	n := l.n
	n.rpc(p, &Msg{Type: MsgGet, Key: l.key}, func(m *Msg) {
		l.res.Owner, l.res.OK, l.res.Path = p, true, l.res.Hops+1
		l.res.Value, l.res.Found = m.Value, m.Flag != 0
		l.done(l.res)
	}, func() {
		l.res.Timeouts++
		l.avoid = append(l.avoid, p.ID)
		l.askAgain(cur, true)
	})
}

// lookupRecursive sends a recursive query for key (want: wantOwner or wantPred) and
// calls done with the answer; a query that gets no answer within LookupTimeout is
// sent again tries−1 more times, then done gets a failed result.
func (n *Node) lookupRecursive(key ID, want uint8, tries int, done func(*Msg, Result)) {
	res := Result{Key: key, Start: n.h.Now(), Owner: None}
	var attempt func(left int)
	attempt = func(left int) {
		n.rid++
		if n.rid == 0 {
			n.rid = 1
		}
		rid := n.rid
		c := call{rid: rid, reply: func(m *Msg) {
			res.Hops, res.Owner, res.OK = int(m.Hops), m.A, true
			res.Path = res.Hops
			done(m, res)
		}}
		timeout := n.cfg.LookupTimeout
		if timeout <= 0 {
			timeout = n.cfg.RPCTimeout
		}
		c.timer = n.h.After(timeout, func() {
			i := n.findCall(rid)
			if i < 0 {
				return
			}
			n.dropCall(i)
			res.Timeouts++
			if n.cfg.Stats != nil {
				n.cfg.Stats.Timeouts++
			}
			if left > 1 {
				attempt(left - 1)
				return
			}
			done(nil, res)
		})
		n.calls = append(n.calls, c)
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
		r := &Msg{Type: MsgFound, RID: m.RID, Hops: m.Hops, A: n.self, B: succ}
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
