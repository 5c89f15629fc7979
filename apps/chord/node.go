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
	// Reborn, if set, is called at every boot after the first, before the node
	// reads its ID and Port: an experiment that takes a host joining again for a new
	// node (ToN'03 §V's joins) gives it a new identity there. Unset: the host comes
	// back as the node it was, same id and address.
	Reborn func(*Spec)

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
	// The fields a message reads come first, so that they share the cache lines
	// a delivery brings in (a loaded ring of 10^4 nodes misses the cache on
	// nearly every node it reaches).
	cfg     *Config
	left    bool
	joined  bool
	lost    bool // every successor died: find one again by a lookup
	timerOn bool
	rid     uint32
	calls   []call // by deadline; in callBuf while at most two are out
	self    Peer
	succ    []Peer
	fingers []FingerRun
	// callBuf holds the call table while it is short (a node of a loaded ring has
	// about one call out at a time), so that a reply finds its call in the node's
	// own memory rather than in an array elsewhere: one cache miss less a reply.
	callBuf [2]call
	// What closestPreceding and successorOf know of the lists they search.
	fingersOrd fingerOrder
	succOrd    succOrder
	shortcuts  []Peer             // Spec.Shortcuts at boot: the spec is not read by a lookup
	sock       topology.UDPSocket // UDP
	h          topology.Host

	spec    *Spec
	tcp     *tcpState // TCP
	pred    Peer
	store   map[ID][]byte
	timer   sim.EventID // set for calls[0]'s deadline, if timerOn
	timerAt sim.Time
	tickFn  func()

	nextFinger int
	// spare is the record of the node's last finished iterative lookup, which its
	// next one takes (one lookup record allocated a node, not one a lookup: a
	// loaded ring's allocations are what its collector's time follows).
	spare *iterLookup
}

// call is an outstanding request, or a recursive lookup awaiting its answer.
type call struct {
	rid      uint32 // 0: done
	op       callOp
	tries    int
	to       topology.Addr
	m        *Msg // the request, sent again on a timeout; nil: not resent
	deadline sim.Time
	l        *iterLookup // opStep, opGet
	reply    func(*Msg)  // opFunc
	fail     func()      // opFunc
}

// callOp is what a call's answer or timeout continues: the steps of an iterative
// lookup (most of a loaded ring's RPCs) by a method of the lookup, the rest by
// closures.
type callOp uint8

const (
	opFunc callOp = iota
	opStep        // a find-next of l
	opGet         // l's get from the successor it was named
)

// Program returns the node as a program for a host: it binds its UDP port, takes its
// initial state or joins, and starts its maintenance and workload timers, all owned by
// the host so that they die with it.
func Program(cfg *Config, spec *Spec) func(topology.Host) error {
	return func(h topology.Host) error {
		if spec.booted && spec.Reborn != nil {
			spec.Reborn(spec)
		}
		port := spec.Port
		if port == 0 {
			port = cfg.Port
		}
		n := &Node{cfg: cfg, spec: spec, h: h, pred: None}
		n.self = Peer{ID: spec.ID, Node: h.Node(), Port: uint16(port)}
		n.shortcuts = spec.Shortcuts
		if cfg.Transport == TCP {
			if err := n.listenTCP(port); err != nil {
				return err
			}
		} else {
			sock, err := h.BindUDP(port, n.receive)
			if err != nil {
				return err
			}
			n.sock = sock
		}
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
	for _, p := range n.shortcuts {
		add(p)
	}
	return len(seen)
}

// Keys is the number of (key, value) pairs the node stores.
func (n *Node) Keys() int { return len(n.store) }

// Joined reports whether the node has found its successor.
func (n *Node) Joined() bool { return n.joined }

// Up reports whether the node's socket is open (its host has not crashed or left).
func (n *Node) Up() bool { return !n.left && (n.sock != nil || n.tcp != nil) }

func (n *Node) String() string { return fmt.Sprintf("node %v", n.self) }

// send sends m to p. The message is fresh and never changed after: the receiver reads
// it as the bytes it would decode.
func (n *Node) send(to topology.Addr, m *Msg) {
	size := n.wireSize(m)
	m.bits, m.framed = uint8(n.cfg.Space.Bits), n.tcp != nil
	if st := n.cfg.Stats; st != nil {
		st.Messages[m.Type]++
		st.Bytes[m.Type] += size
		if m.maint {
			st.MaintLookupMessages++
			st.MaintLookupBytes += size
		}
	}
	if n.tcp != nil {
		n.sendTCP(to, m)
		return
	}
	_ = n.sock.SendTo(to, topology.Message{SizeBytes: size, Payload: m})
}

// rpc sends the request m to p and calls reply with the answer, or fail once
// Retries resends have timed out too.
func (n *Node) rpc(p Peer, m *Msg, reply func(*Msg), fail func()) {
	n.request(p, m, call{op: opFunc, reply: reply, fail: fail})
}

// request sends the request m to p as the call c (its op says what the answer or
// the timeout continues).
func (n *Node) request(p Peer, m *Msg, c call) {
	m.RID = n.nextRID()
	c.rid, c.to, c.m = m.RID, p.Addr(), m
	n.await(c, n.cfg.RPCTimeout)
	n.send(c.to, m)
}

func (n *Node) nextRID() uint32 {
	n.rid++
	if n.rid == 0 {
		n.rid = 1
	}
	return n.rid
}

// await files c, which expires after timeout. The calls are kept in order of their
// deadlines, and one host timer, set for the first, serves them all: a reply only
// marks its call done, and the timer skips the calls done when it fires. So an RPC
// costs no timer event of its own, nor a cancellation (most RPCs are answered), and
// no closure.
func (n *Node) await(c call, timeout sim.Time) {
	c.deadline = n.h.Now() + timeout
	if len(n.calls) == 0 {
		n.calls = n.callBuf[:0] // back in the node once the table has emptied
	}
	i := len(n.calls)
	for i > 0 && n.calls[i-1].deadline > c.deadline {
		i--
	}
	n.calls = slices.Insert(n.calls, i, c)
	n.arm()
}

// arm sets the node's timer for the first call's deadline.
func (n *Node) arm() {
	if len(n.calls) == 0 {
		return
	}
	at := n.calls[0].deadline
	if n.timerOn {
		if n.timerAt <= at {
			return
		}
		n.h.Cancel(n.timer)
	}
	if n.tickFn == nil {
		n.tickFn = n.tick
	}
	n.timer, n.timerAt, n.timerOn = n.h.After(max(at-n.h.Now(), 0), n.tickFn), at, true
}

// tick expires the calls whose deadline has come, in the order of their deadlines,
// and sets the timer for the next.
func (n *Node) tick() {
	n.timerOn = false
	now := n.h.Now()
	for {
		n.compact()
		if len(n.calls) == 0 || n.calls[0].deadline > now {
			break
		}
		c := n.calls[0]
		n.calls = slices.Delete(n.calls, 0, 1)
		n.expire(c)
	}
	n.arm()
}

// compact drops the calls done from the front of the table, and from all of it when
// they are many.
func (n *Node) compact() {
	k := 0
	for k < len(n.calls) && n.calls[k].rid == 0 {
		k++
	}
	if k > 0 {
		n.calls = slices.Delete(n.calls, 0, k)
	}
}

// expire handles c's timeout: a request is sent again, Retries times, then fails.
func (n *Node) expire(c call) {
	if c.m != nil {
		if n.cfg.Stats != nil {
			n.cfg.Stats.Timeouts++
		}
		if c.tries < n.cfg.Retries {
			c.tries++
			n.await(c, n.cfg.RPCTimeout)
			if n.tcp == nil {
				n.send(c.to, c.m) // over TCP the connection resends
			}
			return
		}
		if n.tcp != nil {
			n.dropConn(c.to)
		}
	}
	n.failCall(c)
}

// failCall continues a call whose peer is taken for dead.
func (n *Node) failCall(c call) {
	switch c.op {
	case opStep:
		c.l.stepFailed()
	case opGet:
		c.l.getFailed()
	default:
		if c.fail != nil {
			c.fail()
		}
	}
}

// findCall is the index of the call of request id rid, −1 if none is pending.
func (n *Node) findCall(rid uint32) int {
	for i := range n.calls {
		if n.calls[i].rid == rid {
			return i
		}
	}
	return -1
}

// dropCall marks call i done; the timer or the next compaction removes it.
func (n *Node) dropCall(i int) {
	n.calls[i] = call{deadline: n.calls[i].deadline}
	if i == 0 {
		n.compact()
	}
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
		n.dropCall(i)
		switch c.op {
		case opStep:
			c.l.stepReply(m)
		case opGet:
			c.l.getReply(m)
		default:
			if c.reply != nil {
				c.reply(m)
			}
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
		r := &Msg{Type: MsgValue, RID: m.RID, Value: v, maint: m.maint}
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
		n.neighbourLeft(m)
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
	// candidate (this is a lookup's inner loop, written out without a closure).
	self := n.self.ID
	dKey := s.Sub(key, self)
	if dKey.IsZero() {
		dKey = s.mask // key = self: every other node precedes it (d ≤ 2^m − 1)
		dKey.w[0]++   // one past the largest distance, in 192 bits
		if dKey.w[0] == 0 {
			dKey.w[1]++
			if dKey.w[1] == 0 {
				dKey.w[2]++
			}
		}
	}
	best, bestDist := n.self, ID{}
	consider := func(p Peer) {
		if !p.Ok() {
			return
		}
		d := s.Sub(p.ID, self)
		if !less(bestDist, d) || !less(d, dKey) || len(avoid) > 0 && avoided(p, avoid) {
			return // d = 0 fails the first test: bestDist starts at 0
		}
		best, bestDist = p, d
	}
	// A list in clockwise order (as a settled ring's are) has its best candidate
	// just before the first entry at or past key: a binary search and a step back
	// over avoided entries instead of a pass over every entry, which is what a
	// loaded ring's time goes to (each entry is a cache miss). Any other list is
	// scanned whole. The result is the same either way: the farthest candidate
	// before key, the fingers' winning ties.
	if fo := n.fingerMemo(); fo.sorted {
		f := n.fingers
		last := len(f) - 1
		lo, hi := 0, len(f) // the first entry at or past key is in [lo, hi]
		switch {
		case hi > 0 && less(fo.dTail, dKey):
			lo = hi // the farthest precedes key (a far key: read from the memo)
		case hi <= len(fo.hint):
			// The search on the distances' top 32 bits, in the memo, and only
			// entries whose top bits equal the key's (next to never at m = 160)
			// read from the table.
			hKey := n.topBits(dKey)
			for lo < hi {
				if mid := int(uint(lo+hi) >> 1); fo.hint[mid] < hKey {
					lo = mid + 1
				} else {
					hi = mid
				}
			}
			for lo < len(f) && fo.hint[lo] == hKey && less(s.Sub(f[lo].Peer.ID, self), dKey) {
				lo++
			}
		default:
			for lo < hi {
				if mid := int(uint(lo+hi) >> 1); less(s.Sub(f[mid].Peer.ID, self), dKey) {
					lo = mid + 1
				} else {
					hi = mid
				}
			}
		}
		for i := lo - 1; i >= 0; i-- {
			p, d := fo.tail, fo.dTail
			if i != last {
				p = f[i].Peer
				d = s.Sub(p.ID, self)
			}
			if !less(bestDist, d) {
				break
			} else if len(avoid) == 0 || !avoided(p, avoid) {
				best, bestDist = p, d
				break
			}
		}
	} else {
		for i := len(n.fingers) - 1; i >= 0; i-- {
			consider(n.fingers[i].Peer)
		}
	}
	for _, p := range n.shortcuts {
		consider(p)
	}
	switch so := n.succMemo(); {
	case n.cfg.Mode != Chord:
		// The texts' ring forwards along the first successor only; the second is
		// for repairs.
		if len(n.succ) > 0 {
			consider(n.succ[0])
		}
	case so.sorted:
		l := n.succ
		if len(l) == 0 || !less(bestDist, so.dTail) {
			break // no successor is farther than the best finger: none can win
		}
		lo, hi := 0, len(l)
		if less(so.dTail, dKey) {
			lo = hi
		}
		for lo < hi {
			if mid := int(uint(lo+hi) >> 1); less(s.Sub(l[mid].ID, self), dKey) {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		for i := lo - 1; i >= 0; i-- {
			p := l[i]
			if d := s.Sub(p.ID, self); !less(bestDist, d) {
				break
			} else if len(avoid) == 0 || !avoided(p, avoid) {
				best, bestDist = p, d
				break
			}
		}
	default:
		for _, p := range n.succ {
			consider(p)
		}
	}
	return best
}

// fingerMemo returns what the node knows of its finger table: whether its peers are
// in strictly increasing clockwise distance from the node, all of them peers, and
// its last peer with that peer's distance, so that a far key reads no entry. It is
// worked out once per table: tables are replaced (mergeRuns makes a new one), never
// changed in place, so the same slice has the same answer (and the memo's pointer
// to it keeps its address from being reused).
func (n *Node) fingerMemo() *fingerOrder {
	f, o := n.fingers, &n.fingersOrd
	if len(f) != int(o.n) || len(f) > 0 && &f[0].Peer != o.first {
		*o = fingerOrder{n: int32(len(f)), sorted: true}
		prev := ID{}
		for i := range f {
			d := n.cfg.Space.Sub(f[i].Peer.ID, n.self.ID)
			if !f[i].Peer.Ok() || !less(prev, d) {
				o.sorted = false
			}
			if i < len(o.hint) {
				o.hint[i] = n.topBits(d)
			}
			prev = d
		}
		if len(f) > 0 {
			o.first, o.tail, o.dTail = &f[0].Peer, f[len(f)-1].Peer, prev
		}
	}
	return o
}

// succMemo is fingerMemo for the successor list, which is also replaced, never
// changed in place; it keeps the first peer's distance (successorOf's test) and the
// last's.
func (n *Node) succMemo() *succOrder {
	l, o := n.succ, &n.succOrd
	if len(l) != int(o.n) || len(l) > 0 && &l[0] != o.first {
		*o = succOrder{n: int32(len(l)), sorted: true}
		prev := ID{}
		for i := range l {
			d := n.cfg.Space.Sub(l[i].ID, n.self.ID)
			if !l[i].Ok() || !less(prev, d) {
				o.sorted = false
			}
			if i == 0 {
				o.dHead = d
			}
			prev = d
		}
		if len(l) > 0 {
			o.first, o.dTail = &l[0], prev
		}
	}
	return o
}

// fingerOrder is what fingerMemo found of a finger table, known by its first
// element's address and its length.
type fingerOrder struct {
	first  *Peer
	n      int32
	sorted bool
	dTail  ID // the last entry's distance from the node
	tail   Peer
	// hint holds the top 32 bits of the entries' distances (topBits), for a
	// table of at most len(hint) runs: about log2 N of them, 14 at N = 10^4.
	hint [fingerHints]uint32
}

// fingerHints is how many runs of a finger table fingerOrder keeps hints for: 20
// covers N up to about 10^6.
const fingerHints = 20

// topBits is the top 32 bits of an m-bit distance (all of it when m ≤ 32): the
// order of topBits is the order of the distances, but for ties.
func (n *Node) topBits(d ID) uint32 {
	if b := n.cfg.Space.Bits; b > 32 {
		return uint32(shr(d, b-32).w[0])
	}
	return uint32(d.w[0])
}

// succOrder is what succMemo found of a successor list.
type succOrder struct {
	first        *Peer
	n            int32
	sorted       bool
	dHead, dTail ID
}

// less reports a < b, unrolled for the inner loop of closestPreceding.
func less(a, b ID) bool {
	if a.w[2] != b.w[2] {
		return a.w[2] < b.w[2]
	}
	if a.w[1] != b.w[1] {
		return a.w[1] < b.w[1]
	}
	return a.w[0] < b.w[0]
}

// successorOf returns the peer that the node knows is key's successor: its first
// successor not avoided, if key is in (self, that successor]; ok false if key is
// beyond it. Only a key's predecessor names its successor: the rest of the successor
// list serves as next hops (closestPreceding, ToN'03 §IV-E), since entries further
// down it are older news (a join reaches them one stabilization round a hop).
func (n *Node) successorOf(key ID, avoid []ID) (Peer, bool) {
	s := n.cfg.Space
	if len(n.succ) > 0 {
		// The first entry's test from the memo, without reading the list: key is
		// in (self, succ[0]] (the whole ring when succ[0] is the node itself).
		if dHead := n.succMemo().dHead; !dHead.IsZero() {
			if dx := s.Sub(key, n.self.ID); dx.IsZero() || less(dHead, dx) {
				return None, false
			}
		}
	}
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
	r := &Msg{Type: MsgNext, RID: m.RID, A: p, maint: m.maint}
	if done {
		r.Flag = 1
	}
	n.send(from, r)
}
