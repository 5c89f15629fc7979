package chord

import (
	"fmt"
	"slices"

	"netsim/sim"
	"netsim/topology"
)

// Spec is one node's own settings: what differs between the nodes of a ring.
type Spec struct {
	ID ID
	// Port is the node's UDP port; 0: Config.Port.
	Port int
	// Join returns a live peer to join through (the texts' "it only knows about peer
	// 1's existence"); false: there is none, the node starts a ring of its own.
	Join func() (Peer, bool)
	// Initial, if set, is the node's state at its first boot instead of a join: the
	// stabilized ring of the papers' static experiments (Ideal computes it). A node
	// that reboots joins.
	Initial *State
	// Shortcuts are the texts' shortcut peers (the ring mode).
	Shortcuts []Peer
	// OnStart is called with the node each time it starts (boot and reboot), so that
	// the experiment can read its state.
	OnStart func(*Node)

	booted bool // a rebooted node joins rather than take Initial, stale by then
}

// State is a node's routing state: its predecessor, successor list and fingers.
type State struct {
	Pred    Peer
	Succs   []Peer
	Fingers []FingerRun
}

// FingerRun is a run of equal finger-table entries: entries Start, Start+1, ... up to
// the next run's Start are Peer. A table of m = 160 entries holds about log2 N
// distinct nodes (the lower fingers all point at the successor), so a node keeps
// about log2 N runs rather than 160 entries.
type FingerRun struct {
	Start uint8
	Peer  Peer
}

// Node is one Chord (or ring) node: a program on a host that knows only what messages
// told it.
type Node struct {
	cfg  *Config
	spec *Spec
	h    topology.Host
	sock topology.UDPSocket
	self Peer

	pred    Peer
	succ    []Peer
	fingers []FingerRun
	store   map[ID][]byte

	calls      []call
	rid        uint32
	nextFinger int
	joined     bool
	left       bool
	lost       bool // every successor died: find one again by a lookup
}

// call is an outstanding request.
type call struct {
	rid   uint32
	to    topology.Addr
	m     *Msg
	timer sim.EventID
	tries int
	reply func(*Msg)
	fail  func()
}

// Program returns the node as a program for a host: it binds its UDP port, takes its
// initial state or joins, and starts its maintenance and workload timers, all owned by
// the host so that they die with it.
func Program(cfg *Config, spec *Spec) func(topology.Host) error {
	return func(h topology.Host) error {
		port := spec.Port
		if port == 0 {
			port = cfg.Port
		}
		n := &Node{cfg: cfg, spec: spec, h: h, pred: None}
		n.self = Peer{ID: spec.ID, Node: h.Node(), Port: uint16(port)}
		sock, err := h.BindUDP(port, n.receive)
		if err != nil {
			return err
		}
		n.sock = sock
		if spec.OnStart != nil {
			spec.OnStart(n)
		}
		h.OnLeave(n.leave)
		first := !spec.booted
		spec.booted = true
		switch {
		case spec.Initial != nil && first:
			// The node takes the initial state over: a million nodes keep one copy.
			n.pred, n.succ, n.fingers = spec.Initial.Pred, spec.Initial.Succs, spec.Initial.Fingers
			spec.Initial = nil
			n.joined = true
			n.start()
		default:
			n.join()
		}
		return nil
	}
}

// Self is the node's own peer record.
func (n *Node) Self() Peer { return n.self }

// Pred is the node's predecessor, None if unknown.
func (n *Node) Pred() Peer { return n.pred }

// Successors is the node's successor list (a copy).
func (n *Node) Successors() []Peer { return slices.Clone(n.succ) }

// Successor is the node's first successor, None if it has none.
func (n *Node) Successor() Peer {
	if len(n.succ) == 0 {
		return None
	}
	return n.succ[0]
}

// Finger returns finger entry i (0-based: finger[i+1] of SIGCOMM'01 Table 1, whose
// start is n + 2^i), None where the table has none.
func (n *Node) Finger(i int) Peer {
	f := None
	for _, r := range n.fingers {
		if int(r.Start) > i {
			break
		}
		f = r.Peer
	}
	return f
}

// RoutingEntries is the number of distinct peers the node keeps: predecessor,
// successors, fingers and shortcuts.
func (n *Node) RoutingEntries() int {
	seen := map[topology.Addr]bool{}
	add := func(p Peer) {
		if p.Ok() && p != n.self {
			seen[p.Addr()] = true
		}
	}
	add(n.pred)
	for _, p := range n.succ {
		add(p)
	}
	for _, r := range n.fingers {
		add(r.Peer)
	}
	for _, p := range n.spec.Shortcuts {
		add(p)
	}
	return len(seen)
}

// Keys is the number of (key, value) pairs the node stores.
func (n *Node) Keys() int { return len(n.store) }

// Joined reports whether the node has found its successor.
func (n *Node) Joined() bool { return n.joined }

// Up reports whether the node's socket is open (its host has not crashed or left).
func (n *Node) Up() bool { return !n.left && n.sock != nil }

func (n *Node) String() string { return fmt.Sprintf("node %v", n.self) }

// send sends m to p. The message is fresh and never changed after: the receiver reads
// it as the bytes it would decode.
func (n *Node) send(to topology.Addr, m *Msg) {
	size := m.Size(n.cfg.Space)
	if st := n.cfg.Stats; st != nil {
		st.Messages[m.Type]++
		st.Bytes[m.Type] += size
	}
	_ = n.sock.SendTo(to, topology.Message{SizeBytes: size, Payload: m})
}

// rpc sends the request m to p and calls reply with the answer, or fail once
// Retries resends have timed out too.
func (n *Node) rpc(p Peer, m *Msg, reply func(*Msg), fail func()) {
	n.rid++
	if n.rid == 0 {
		n.rid = 1
	}
	m.RID = n.rid
	c := call{rid: m.RID, to: p.Addr(), m: m, reply: reply, fail: fail}
	c.timer = n.h.After(n.cfg.RPCTimeout, func() { n.expire(c.rid) })
	n.calls = append(n.calls, c)
	n.send(c.to, m)
}

func (n *Node) expire(rid uint32) {
	i := n.findCall(rid)
	if i < 0 {
		return
	}
	c := &n.calls[i]
	if n.cfg.Stats != nil {
		n.cfg.Stats.Timeouts++
	}
	if c.tries < n.cfg.Retries {
		c.tries++
		c.timer = n.h.After(n.cfg.RPCTimeout, func() { n.expire(rid) })
		n.send(c.to, c.m)
		return
	}
	fail := c.fail
	n.dropCall(i)
	if fail != nil {
		fail()
	}
}

func (n *Node) findCall(rid uint32) int {
	for i := range n.calls {
		if n.calls[i].rid == rid {
			return i
		}
	}
	return -1
}

func (n *Node) dropCall(i int) {
	last := len(n.calls) - 1
	n.calls[i] = n.calls[last]
	n.calls[last] = call{}
	n.calls = n.calls[:last]
}

// receive handles a datagram: a reply completes its request; a request is served.
func (n *Node) receive(from topology.Addr, tm topology.Message) {
	m, ok := tm.Payload.(*Msg)
	if !ok || n.left {
		return
	}
	switch m.Type {
	case MsgNext, MsgState, MsgPong, MsgPutOK, MsgValue, MsgFound, MsgFingers:
		i := n.findCall(m.RID)
		if i < 0 {
			return // late: its request has timed out
		}
		c := n.calls[i]
		n.h.Cancel(c.timer)
		n.dropCall(i)
		if c.reply != nil {
			c.reply(m)
		}
	default:
		if !n.joined {
			// Not in the ring yet (a rebooted node still joining): it serves no
			// one, as a node not yet listening for the ring's traffic, so that its
			// neighbours of before take it for dead rather than for empty.
			return
		}
		n.serve(from, m)
	}
}

// serve answers a request, or takes in a one-way message, from a peer.
func (n *Node) serve(from topology.Addr, m *Msg) {
	switch m.Type {
	case MsgFindNext:
		n.serveFindNext(from, m)
	case MsgLookup:
		n.serveLookup(m)
	case MsgGetState:
		r := &Msg{Type: MsgState, RID: m.RID, A: n.pred, Peers: slices.Clone(n.succ)}
		if n.pred.Ok() {
			r.Flag = 1
		}
		n.send(from, r)
	case MsgNotify:
		n.notified(m)
	case MsgSetSucc:
		if p := m.A; len(n.succ) == 0 || n.cfg.Space.Open(p.ID, n.self.ID, n.succ[0].ID) {
			n.setSuccessors(append([]Peer{p}, n.succ...))
		}
	case MsgPing:
		n.send(from, &Msg{Type: MsgPong, RID: m.RID, A: n.Successor()})
	case MsgPut:
		if n.store == nil {
			n.store = map[ID][]byte{}
		}
		n.store[m.Key] = m.Value
		n.send(from, &Msg{Type: MsgPutOK, RID: m.RID})
	case MsgGet:
		v, found := n.store[m.Key]
		r := &Msg{Type: MsgValue, RID: m.RID, Value: v}
		if found {
			r.Flag = 1
		}
		n.send(from, r)
	case MsgTransfer:
		if n.store == nil {
			n.store = map[ID][]byte{}
		}
		for _, it := range m.Items {
			n.store[it.Key] = it.Value
		}
	case MsgLeave:
		n.neighbourLeft(from, m)
	case MsgGetFingers:
		n.send(from, &Msg{Type: MsgFingers, RID: m.RID, Runs: n.fingers})
	}
}

// setSuccessors keeps the first Successors distinct peers of list, self excluded
// (unless it is alone), as the successor list.
func (n *Node) setSuccessors(list []Peer) {
	out := n.succ[:0:0]
	for _, p := range list {
		if !p.Ok() || p.Addr() == n.self.Addr() && len(out) > 0 || slices.ContainsFunc(out, func(q Peer) bool { return q.Addr() == p.Addr() }) {
			continue
		}
		if p.Addr() == n.self.Addr() {
			break // the list wrapped round to this node: the rest repeats
		}
		out = append(out, p)
		if len(out) == n.cfg.Successors {
			break
		}
	}
	if len(out) == 0 {
		out = append(out, n.self)
	}
	n.succ = out
	if n.cfg.Fingers {
		// The fingers whose start is in (n, successor] are the successor
		// (SIGCOMM'01 Table 1: finger[i] = successor(n + 2^(i−1))).
		if d := n.cfg.Space.Sub(n.succ[0].ID, n.self.ID); !d.IsZero() {
			n.setFingers(0, d.Log2(), n.succ[0])
		}
	}
}

// owns reports whether key is the node's: in (pred, self], or anything if the node
// does not know its predecessor and is its own successor.
func (n *Node) owns(key ID) bool {
	if !n.pred.Ok() {
		return len(n.succ) == 0 || n.succ[0].Addr() == n.self.Addr()
	}
	return n.cfg.Space.Between(key, n.pred.ID, n.self.ID)
}

// avoided reports whether p is to be skipped.
func avoided(p Peer, avoid []ID) bool { return slices.Contains(avoid, p.ID) }

// closestPreceding returns the known peer closest before key, clockwise from this
// node: a finger, a shortcut or (Chord) a successor in (self, key); the node itself if
// it knows none. SIGCOMM'01 Fig. 4's closest_preceding_finger, over the successor list
// too (ToN'03 §IV-E).
func (n *Node) closestPreceding(key ID, avoid []ID) Peer {
	s := n.cfg.Space
	// Clockwise distances from this node: a candidate p precedes key iff
	// 0 < d(p) < d(key), and the closest is the farthest such: one subtraction a
	// candidate (this is a lookup's inner loop).
	dKey := s.Sub(key, n.self.ID)
	anyOther := dKey.IsZero() // key = self: every other node precedes it
	best, bestDist := n.self, ID{}
	consider := func(p Peer) {
		if !p.Ok() {
			return
		}
		d := s.Sub(p.ID, n.self.ID)
		if d.IsZero() || !anyOther && Cmp(d, dKey) >= 0 || Cmp(d, bestDist) <= 0 || avoided(p, avoid) {
			return
		}
		best, bestDist = p, d
	}
	for i := len(n.fingers) - 1; i >= 0; i-- {
		consider(n.fingers[i].Peer)
	}
	for _, p := range n.spec.Shortcuts {
		consider(p)
	}
	if n.cfg.Mode == Chord {
		for _, p := range n.succ {
			consider(p)
		}
	} else if len(n.succ) > 0 {
		// The texts' ring forwards along the first successor only; the second is
		// for repairs.
		consider(n.succ[0])
	}
	return best
}

// successorOf returns the peer that the node knows is key's successor: its first
// successor not avoided, if key is in (self, that successor]; ok false if key is
// beyond it. Only a key's predecessor names its successor: the rest of the successor
// list serves as next hops (closestPreceding, ToN'03 §IV-E), since entries further
// down it are older news (a join reaches them one stabilization round a hop).
func (n *Node) successorOf(key ID, avoid []ID) (Peer, bool) {
	s := n.cfg.Space
	for k, p := range n.succ {
		if k > 0 && n.cfg.Mode == Ring {
			break
		}
		if !s.Between(key, n.self.ID, p.ID) {
			return None, false
		}
		if !avoided(p, avoid) {
			return p, true
		}
		// p is dead, and key was its: it is the next live successor's now.
	}
	return None, false
}

// next answers one iterative step for key: the successor if the node knows it
// (done), else the next node to ask.
func (n *Node) next(key ID, avoid []ID) (Peer, bool) {
	if p, ok := n.successorOf(key, avoid); ok {
		return p, true
	}
	p := n.closestPreceding(key, avoid)
	if p.Addr() == n.self.Addr() {
		// Nothing closer is known: the best guess is the first live successor.
		for _, q := range n.succ {
			if !avoided(q, avoid) {
				return q, true
			}
		}
		return None, true
	}
	return p, false
}

func (n *Node) serveFindNext(from topology.Addr, m *Msg) {
	p, done := n.next(m.Key, m.Avoid)
	r := &Msg{Type: MsgNext, RID: m.RID, A: p}
	if done {
		r.Flag = 1
	}
	n.send(from, r)
}
