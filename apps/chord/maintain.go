package chord

import (
	"slices"

	"netsim/sim"
	"netsim/topology"
)

// maxDatagramBytes is the largest UDP payload over IPv4 (65,535 − 20 − 8): a key
// transfer is split into datagrams of at most this size.
const maxDatagramBytes = 65507

// start arms the node's timers: its maintenance (Chord's stabilize, fix_fingers and
// check_predecessor; the ring's pings of its two successors) and its lookups.
func (n *Node) start() {
	c := n.cfg
	if c.Mode == Chord {
		n.every(c.Stabilize, n.stabilize)
		if c.Fingers {
			n.every(c.FixFingers, n.fixFingers)
		}
		n.every(c.CheckPred, n.checkPredecessor)
	} else {
		n.every(c.Stabilize, n.pingSuccessors)
	}
	n.workload()
}

// every runs fn at intervals drawn uniformly from p (fixed if p.Min = p.Max), on the
// host's timers, until the node leaves.
func (n *Node) every(p Period, fn func()) {
	if !p.on() {
		return
	}
	if p.Min == p.Max {
		n.h.Every(p.Max, func() {
			if !n.left {
				fn()
			}
		})
		return
	}
	draw := func() sim.Time { return p.Min + sim.Time(n.h.Rand().Int64N(int64(p.Max-p.Min)+1)) }
	var tick func()
	tick = func() {
		if n.left {
			return
		}
		fn()
		n.h.After(draw(), tick)
	}
	n.h.After(draw(), tick)
}

// join enters the ring through the peer Spec.Join names, or starts a ring alone.
// Chord: find the successor of the node's own id (SIGCOMM'01 Fig. 7's join), copy its
// successor list (ToN'03 §IV-E), and let stabilize and notify do the rest. The ring:
// ask who the predecessor and successor will be, take them, and tell both (the texts'
// join of peer 13 through peer 1).
func (n *Node) join() {
	var boot Peer
	ok := false
	if n.spec.Join != nil {
		boot, ok = n.spec.Join()
	}
	if !ok || boot.Addr() == n.self.Addr() {
		n.pred, n.succ, n.joined = None, []Peer{n.self}, true
		n.start()
		return
	}
	retry := func() {
		n.h.After(max(n.cfg.RPCTimeout, n.cfg.Stabilize.Min), func() {
			if !n.left && !n.joined {
				n.join()
			}
		})
	}
	if n.cfg.Mode == Ring {
		rid := n.nextRID()
		n.await(call{rid: rid, reply: func(m *Msg) {
			n.pred, n.joined = m.A, true
			n.setSuccessors([]Peer{m.B})
			n.send(m.A.Addr(), &Msg{Type: MsgSetSucc, A: n.self})
			n.send(m.B.Addr(), &Msg{Type: MsgNotify, A: n.self})
			n.start()
		}, fail: retry}, max(n.cfg.LookupTimeout, n.cfg.RPCTimeout))
		n.send(boot.Addr(), &Msg{Type: MsgLookup, RID: rid, Flag: wantPred, A: n.self, Key: n.self.ID, maint: true})
		return
	}
	l := n.maintLookup(n.self.ID)
	l.done = func(r Result) {
		if !r.OK || r.Owner.Addr() == n.self.Addr() {
			retry()
			return
		}
		n.setSuccessors([]Peer{r.Owner})
		n.joined = true
		n.start()
		n.stabilize() // copies the successor's list and notifies it at once
		if n.cfg.CopyFingers && n.cfg.Fingers {
			n.copyFingers(r.Owner)
		}
	}
	l.ask(boot)
}

// copyFingers takes the successor s's finger table as hints: entries that name this
// node are dropped, and the entries up to the successor are set as ever.
func (n *Node) copyFingers(s Peer) {
	n.rpc(s, &Msg{Type: MsgGetFingers}, func(r *Msg) {
		var runs []FingerRun
		for _, f := range r.Runs {
			if f.Peer.Addr() != n.self.Addr() && int(f.Start) < n.cfg.Space.Bits {
				runs = append(runs, f)
			}
		}
		if len(runs) == 0 {
			return
		}
		runs[0].Start = 0
		n.fingers = mergeRuns(runs)
		n.setSuccessors(n.succ) // the low entries are the successor
	}, nil)
}

// refind looks up the node's own successor again, through a peer Spec.Join names,
// after every successor it knew died (ToN'03 assumes r large enough that this never
// happens; under heavy churn it does).
func (n *Node) refind() {
	if n.spec.Join == nil {
		return
	}
	boot, ok := n.spec.Join()
	if !ok || boot.Addr() == n.self.Addr() {
		return
	}
	l := n.maintLookup(n.self.ID)
	l.done = func(r Result) {
		if r.OK && r.Owner.Addr() != n.self.Addr() && n.lost {
			n.lost = false
			n.setSuccessors([]Peer{r.Owner})
		}
	}
	l.ask(boot)
}

// stabilize asks the successor for its predecessor and successor list, adopts a
// closer successor, and notifies the successor (SIGCOMM'01 Fig. 7, with ToN'03's
// successor list: "n's list is its successor's list with the successor prepended").
// A successor that does not answer is dropped for the next in the list.
func (n *Node) stabilize() {
	s := n.Successor()
	if !s.Ok() {
		return
	}
	if s.Addr() == n.self.Addr() {
		if n.lost {
			n.refind()
			return
		}
		// Alone, or the first node: a predecessor that notified it is its successor.
		if n.pred.Ok() && n.pred.Addr() != n.self.Addr() {
			n.setSuccessors([]Peer{n.pred})
			n.send(n.pred.Addr(), &Msg{Type: MsgNotify, A: n.self})
		}
		return
	}
	n.rpc(s, &Msg{Type: MsgGetState}, func(r *Msg) {
		list := append([]Peer{s}, r.Peers...)
		if x := r.A; r.Flag != 0 && x.Addr() != n.self.Addr() && n.cfg.Space.Open(x.ID, n.self.ID, s.ID) {
			list = append([]Peer{x}, list...)
		}
		n.setSuccessors(list)
		n.send(n.succ[0].Addr(), &Msg{Type: MsgNotify, A: n.self})
	}, func() {
		n.forget(s)
		if n.Successor().Addr() == n.self.Addr() && n.pred.Ok() {
			return // stabilize will take the predecessor's word
		}
	})
}

// notified handles notify(n'): n' thinks it might be this node's predecessor
// (SIGCOMM'01 Fig. 7), or, with the flag, says the predecessor it names is dead and it
// replaces it (the texts' repair, which they leave the successor to learn some way).
// Keys that n' is now responsible for move to it (SIGCOMM'01 §4.4).
func (n *Node) notified(m *Msg) {
	p := m.A
	if p.Addr() == n.self.Addr() {
		return
	}
	s := n.cfg.Space
	replaces := m.Flag != 0 && n.pred.Ok() && n.pred.Addr() == m.B.Addr()
	if n.pred.Ok() && !replaces && !s.Open(p.ID, n.pred.ID, n.self.ID) {
		return
	}
	n.pred = p
	if n.Successor().Addr() == n.self.Addr() {
		n.setSuccessors([]Peer{p}) // the ring's second node
	}
	n.handOver(p, func(k ID) bool { return !s.Between(k, p.ID, n.self.ID) })
}

// handOver sends p the stored pairs whose key passes move, in datagrams of at most
// maxDatagramBytes, and forgets them.
func (n *Node) handOver(p Peer, move func(ID) bool) {
	if len(n.store) == 0 {
		return
	}
	var keys []ID
	for k := range n.store {
		if move(k) {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, Cmp) // map order is random; the datagrams must not be
	m := &Msg{Type: MsgTransfer}
	for _, k := range keys {
		it := Item{Key: k, Value: n.store[k]}
		delete(n.store, k)
		m.Items = append(m.Items, it)
		if m.Size(n.cfg.Space) > maxDatagramBytes {
			m.Items = m.Items[:len(m.Items)-1]
			n.send(p.Addr(), m)
			m = &Msg{Type: MsgTransfer, Items: []Item{it}}
		}
	}
	if len(m.Items) > 0 {
		n.send(p.Addr(), m)
	}
}

// checkPredecessor pings the predecessor and clears it if it does not answer
// (SIGCOMM'01 §4.4's check_predecessor, ToN'03 Fig. 6).
func (n *Node) checkPredecessor() {
	p := n.pred
	if !p.Ok() || p.Addr() == n.self.Addr() {
		return
	}
	n.rpc(p, &Msg{Type: MsgPing}, nil, func() {
		if n.pred.Addr() == p.Addr() {
			n.pred = None
		}
		n.forget(p)
	})
}

// fixFingers refreshes one finger, finger[i] = successor(n + 2^(i−1)), by a lookup
// (SIGCOMM'01 Fig. 7). The answer f is also the successor of every later start that
// falls in (start, f], so those entries are set at once and the next round refreshes
// the first finger past f: a round refreshes one distinct finger, and log2 N rounds
// the whole table.
func (n *Node) fixFingers() {
	s := n.cfg.Space
	i := n.nextFinger
	if i >= s.Bits {
		i = 0
	}
	start := s.Add(n.self.ID, s.Pow2(i))
	l := n.maintLookup(start)
	l.done = func(r Result) {
		if !r.OK {
			n.nextFinger = i + 1
			return
		}
		f := r.Owner
		if n.cfg.EveryFinger {
			n.setFingers(i, i, f)
			n.nextFinger = i + 1
			return
		}
		hi := s.Bits - 1
		if d := s.Sub(f.ID, n.self.ID); !d.IsZero() {
			hi = min(hi, d.Log2())
		}
		if hi < i {
			hi = i
		}
		if f.Addr() == n.self.Addr() {
			// The starts from i on wrap round to this node.
			n.setFingers(i, s.Bits-1, n.self)
			n.nextFinger = 0
			return
		}
		n.setFingers(i, hi, f)
		n.nextFinger = hi + 1
	}
	l.ask(n.self)
}

// setFingers sets entries lo..hi (0-based) of the finger table to p, keeping the table
// as runs of equal entries.
func (n *Node) setFingers(lo, hi int, p Peer) {
	bits := n.cfg.Space.Bits
	if lo > hi || lo < 0 || hi >= bits {
		return
	}
	after := None // the entry after hi, which keeps its value
	if hi+1 < bits {
		after = n.Finger(hi + 1)
	}
	var out []FingerRun
	for _, r := range n.fingers {
		if int(r.Start) < lo {
			out = append(out, r)
		}
	}
	out = append(out, FingerRun{Start: uint8(lo), Peer: p})
	if hi+1 < bits && after.Ok() {
		out = append(out, FingerRun{Start: uint8(hi + 1), Peer: after})
	}
	for _, r := range n.fingers {
		if int(r.Start) > hi+1 {
			out = append(out, r)
		}
	}
	n.fingers = mergeRuns(out)
}

// mergeRuns joins neighbouring runs of the same peer.
func mergeRuns(runs []FingerRun) []FingerRun {
	out := runs[:0]
	for _, r := range runs {
		if k := len(out); k > 0 && out[k-1].Peer == r.Peer {
			continue
		}
		out = append(out, r)
	}
	// An exact copy: a table built by appends would keep its spare capacity, and a
	// million nodes hold their tables for the whole run.
	return append(make([]FingerRun, 0, len(out)), out...)
}

// forget drops a peer found dead from everything the node knows: the successor list,
// the fingers (whose entries fall back on the finger before, still a node that
// precedes their starts) and the predecessor.
func (n *Node) forget(p Peer) {
	a := p.Addr()
	if n.pred.Ok() && n.pred.Addr() == a {
		n.pred = None
	}
	if i := slices.IndexFunc(n.succ, func(q Peer) bool { return q.Addr() == a }); i >= 0 {
		n.succ = slices.Delete(slices.Clone(n.succ), i, i+1)
		if len(n.succ) == 0 {
			n.succ = []Peer{n.self}
			n.lost = true
			if n.cfg.Fingers {
				// The ring is lost from here but for the fingers: the nearest
				// live one is the best successor left.
				for _, r := range n.fingers {
					if r.Peer.Addr() != a && r.Peer.Addr() != n.self.Addr() {
						n.succ = []Peer{r.Peer}
						break
					}
				}
			}
		}
	}
	if slices.ContainsFunc(n.fingers, func(r FingerRun) bool { return r.Peer.Addr() == a }) {
		out := n.fingers[:0:0]
		for _, r := range n.fingers {
			if r.Peer.Addr() == a {
				if len(out) == 0 {
					if s := n.Successor(); s.Addr() != a {
						out = append(out, FingerRun{Start: r.Start, Peer: s})
					}
				}
				continue
			}
			out = append(out, r)
		}
		n.fingers = mergeRuns(out)
	}
}

// pingSuccessors is the texts' ring maintenance: ping the first and second successors;
// when the first stops answering, make the second the first and ask it for its
// successor, the new second; when the second stops, ask the first for its successor
// (Kurose & Ross §2.6.2, "Peer churn", peer 5's abrupt departure).
func (n *Node) pingSuccessors() {
	for j, s := range n.succ {
		if j >= 2 || s.Addr() == n.self.Addr() {
			break
		}
		n.rpc(s, &Msg{Type: MsgPing}, func(r *Msg) {
			// The first successor's answer names its own successor: the second.
			if j == 0 && len(n.succ) > 0 && n.succ[0].Addr() == s.Addr() && r.A.Ok() && r.A.Addr() != n.self.Addr() {
				n.setSuccessors([]Peer{s, r.A})
			}
		}, func() { n.successorGone(s) })
	}
}

// successorGone repairs the successor list after s stopped answering.
func (n *Node) successorGone(s Peer) {
	i := slices.IndexFunc(n.succ, func(q Peer) bool { return q.Addr() == s.Addr() })
	if i < 0 {
		return
	}
	n.succ = slices.Delete(slices.Clone(n.succ), i, i+1)
	if len(n.succ) == 0 {
		n.succ = []Peer{n.self}
		return
	}
	first := n.succ[0]
	if i == 0 {
		// The new first successor learns that this node replaces its dead
		// predecessor.
		n.send(first.Addr(), &Msg{Type: MsgNotify, Flag: 1, A: n.self, B: s})
	}
	n.rpc(first, &Msg{Type: MsgGetState}, func(r *Msg) {
		if len(n.succ) > 0 && n.succ[0].Addr() == first.Addr() {
			n.setSuccessors(append([]Peer{first}, r.Peers...))
		}
	}, func() { n.successorGone(first) })
}

// leave is the graceful departure (SIGCOMM'01 §4.4, ToN'03 §IV-E: "a node may notify
// its successor and predecessor before leaving"): its keys go to its successor, its
// successor learns its predecessor, and its predecessor its successor list.
func (n *Node) leave() {
	if !n.joined || n.left {
		n.left = true
		return
	}
	s := n.Successor()
	if s.Ok() && s.Addr() != n.self.Addr() {
		n.handOver(s, func(ID) bool { return true })
		n.send(s.Addr(), &Msg{Type: MsgLeave, Flag: 0, Peers: []Peer{n.self, n.pred}})
	}
	if p := n.pred; p.Ok() && p.Addr() != n.self.Addr() {
		n.send(p.Addr(), &Msg{Type: MsgLeave, Flag: 1, Peers: append([]Peer{n.self}, n.succ...)})
	}
	n.left = true
}

// neighbourLeft handles a leaving neighbour's goodbye, which names the leaving node
// first: over TCP the message's source address is a connection's ephemeral port,
// not the node's.
func (n *Node) neighbourLeft(m *Msg) {
	if len(m.Peers) == 0 || !m.Peers[0].Ok() {
		return
	}
	gone, rest := m.Peers[0].Addr(), m.Peers[1:]
	if m.Flag == 0 {
		// From the predecessor: its predecessor is this node's now.
		if n.pred.Ok() && n.pred.Addr() == gone {
			n.pred = None
			if len(rest) > 0 && rest[0].Ok() && rest[0].Addr() != n.self.Addr() {
				n.pred = rest[0]
			}
		}
	} else if len(n.succ) > 0 && n.succ[0].Addr() == gone {
		// From the successor: its successors are this node's now.
		rest := slices.DeleteFunc(slices.Clone(rest), func(p Peer) bool { return p.Addr() == gone })
		n.succ = nil
		n.setSuccessors(rest)
	}
	n.forgetAddr(gone)
}

func (n *Node) forgetAddr(a topology.Addr) {
	for _, r := range n.fingers {
		if r.Peer.Addr() == a {
			n.forget(r.Peer)
			return
		}
	}
	for _, p := range n.succ {
		if p.Addr() == a {
			n.forget(p)
			return
		}
	}
}
