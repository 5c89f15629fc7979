package topology

import (
	"fmt"
	"math"

	"netsim/sim"
)

// NodeID names a node of a Network: the index of its AddNode call.
type NodeID int32

// LinkID names a directed link of a Network: the index of its AddLink call.
type LinkID int32

// Network is a set of nodes joined by directed links, and the flows moving over them.
// It is driven by one sim.Kernel and, like it, is not safe for concurrent use.
type Network struct {
	k     *sim.Kernel
	nodes []node
	names nameIndex
	links []link

	routes routeCache
	flows  flowState

	// Link failures (failure.go) and losses are rare and most networks have none, so
	// they are kept beside the links, allocated at the first, not in every link.
	failEpoch uint64    // FailEpoch
	down      []uint64  // bit l: link l is down; nil until a link fails
	failedAt  []uint64  // per link, the FailEpoch its last failure made; nil until one fails
	loss      []float64 // per link, the datagram loss probability; nil while all are 0
	// busy holds the links whose busy time is measured (TrackBusy): few, if any.
	busy map[LinkID]*busyClock
	// onFail is told of each link failure, before the flows crossing the link fail:
	// the stack's direct segments (tcp.go) are on no link's list of flows.
	onFail []func(LinkID)
}

// busyClock is a tracked link's busy time: how long it has carried at least one flow.
type busyClock struct {
	since, total sim.Time // since: when the current busy period began, if one is under way
}

// node is a node and the heads of its lists of links. The lists are threaded through
// the links themselves (link.nextOut, link.nextIn), newest first, so that a host with
// one link each way costs no slice of its own (issue 6: a million idle hosts).
type node struct {
	name              string
	firstOut, firstIn LinkID // -1: none
}

// link is one directed link. loadBps, loadErr and belowCap are the flow bookkeeping of
// maxmin.go and fastpath.go; the solver's per-solve scratch lives in flowState
// (flowState.ls), so that a link nobody is solving costs only what it must remember.
type link struct {
	from, to    NodeID
	capacityBps float64
	delay       sim.Time

	// flows lists the active flows crossing the link. Only the lists of finite links
	// are ever read by the solver; an unconstrained link lists its flows so that they
	// can be failed with it (FailLink).
	flows   []linkEntry
	loadBps float64 // sum of their rates: see load
	loadErr float64 // the rounding error of loadBps's running sum (Neumaier)
	// belowCap counts the flows here whose rate is below their effective cap (not
	// Flow.capped): when it is 0, freeing capacity here can raise no one (fastpath.go).
	belowCap int32

	nextOut, nextIn LinkID // the next link from the same node / to the same node; -1 at the end
}

// linkEntry is a flow on a link's list. It copies the flow's committed rate so that the
// solver's scans of a link read one contiguous list instead of chasing a pointer per
// flow; while the flow is in the current solve set, the copy is negated (its sign bit
// set, even for a rate of 0), which is how those scans tell the set from the rest, and
// once the fill has frozen the flow it is its tentative rate rather than its committed one.
// It also copies the link of the flow's hint (Flow.hint: the link where it was last
// found bottlenecked, or hintCap or hintNone), kept on its finite links only: the
// check passes over a flow whose bottleneck did not change without reading the flow.
type linkEntry struct {
	f       *Flow
	rateBps float64
	hint    LinkID
}

// inSet reports whether e's flow is in the current solve set.
func (e linkEntry) inSet() bool { return math.Signbit(e.rateBps) }

// LinkInfo describes a link.
type LinkInfo struct {
	From, To    NodeID
	CapacityBps float64 // bit/s; +Inf for an unconstrained link
	Delay       sim.Time
	Loss        float64 // the probability that a datagram crossing it is lost
}

// New returns an empty network driven by k.
func New(k *sim.Kernel) *Network {
	if k == nil {
		panic("topology.New: nil kernel")
	}
	n := &Network{k: k}
	n.flows.init()
	return n
}

// Kernel returns the kernel the network schedules on.
func (n *Network) Kernel() *sim.Kernel { return n.k }

// reserve makes room for nodes more nodes and links more links, so that a builder that
// knows its size allocates each table once, without the slack of growing by appends.
func (n *Network) reserve(nodes, links int) {
	if need := len(n.nodes) + nodes; need > cap(n.nodes) {
		n.nodes = append(make([]node, 0, need), n.nodes...)
	}
	if need := len(n.links) + links; need > cap(n.links) {
		n.links = append(make([]link, 0, need), n.links...)
		n.flows.lsTag = append(make([]uint64, 0, need), n.flows.lsTag...)
	}
	n.names.reserve(n.nodes, len(n.nodes)+nodes)
}

// AddNode adds a node and returns its ID. Names are how scenario files and tests refer
// to nodes, so an empty or duplicate name is a bug in the caller and panics; builders
// check user input first and return an error instead.
func (n *Network) AddNode(name string) NodeID {
	if name == "" {
		panic("topology: AddNode with an empty name")
	}
	if _, dup := n.Node(name); dup {
		panic(fmt.Sprintf("topology: AddNode: duplicate node name %q", name))
	}
	id := NodeID(len(n.nodes))
	n.nodes = append(n.nodes, node{name: name, firstOut: -1, firstIn: -1})
	n.names.insert(n.nodes, id)
	return id
}

// Node returns the ID of the node called name, and false if there is none.
func (n *Network) Node(name string) (NodeID, bool) { return n.names.lookup(n.nodes, name) }

// NodeName returns the name of node id.
func (n *Network) NodeName(id NodeID) string { return n.nodes[id].name }

// NumNodes returns the number of nodes; their IDs are 0 … NumNodes()-1.
func (n *Network) NumNodes() int { return len(n.nodes) }

// NumLinks returns the number of links; their IDs are 0 … NumLinks()-1.
func (n *Network) NumLinks() int { return len(n.links) }

// NodeLinks returns the links leaving node id and those arriving at it, each in the
// order they were added, as new slices the caller may keep or change (the socket layer
// uses them to find a host's access links, to fail both directions). O(degree).
func (n *Network) NodeLinks(id NodeID) (out, in []LinkID) {
	n.checkNode(id)
	for l := n.nodes[id].firstOut; l >= 0; l = n.links[l].nextOut {
		out = append(out, l)
	}
	for l := n.nodes[id].firstIn; l >= 0; l = n.links[l].nextIn {
		in = append(in, l)
	}
	reverse(out) // the lists are newest first
	reverse(in)
	return out, in
}

func reverse(s []LinkID) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}

// AddLink adds a directed link from → to with a capacity in bit/s and a one-way
// propagation delay, and returns its ID. capacityBps must be > 0 (+Inf for an
// unconstrained core link that never limits a flow) and delay >= 0; anything else is
// a bug in the caller and panics. Adding a link clears the route cache.
func (n *Network) AddLink(from, to NodeID, capacityBps float64, delay sim.Time) LinkID {
	n.checkNode(from)
	n.checkNode(to)
	if from == to {
		panic(fmt.Sprintf("topology: AddLink: self-loop at %q", n.nodes[from].name))
	}
	if !(capacityBps > 0) { // also rejects NaN
		panic(fmt.Sprintf("topology: AddLink %s->%s: capacity %v bit/s is not > 0",
			n.nodes[from].name, n.nodes[to].name, capacityBps))
	}
	if delay < 0 {
		panic(fmt.Sprintf("topology: AddLink %s->%s: negative delay %v",
			n.nodes[from].name, n.nodes[to].name, delay))
	}
	id := LinkID(len(n.links))
	a, b := &n.nodes[from], &n.nodes[to]
	n.links = append(n.links, link{
		from: from, to: to, capacityBps: capacityBps, delay: delay,
		nextOut: a.firstOut, nextIn: b.firstIn,
	})
	a.firstOut, b.firstIn = id, id
	n.flows.lsTag = append(n.flows.lsTag, 0)
	if n.failedAt != nil {
		n.failedAt = append(n.failedAt, 0)
		if int(id)/64 >= len(n.down) {
			n.down = append(n.down, 0)
		}
	}
	if n.loss != nil {
		n.loss = append(n.loss, 0)
	}
	n.routes.clear()
	return id
}

// AddDuplex adds a link each way between a and b with the same capacity and delay,
// and returns them (a→b, b→a).
func (n *Network) AddDuplex(a, b NodeID, capacityBps float64, delay sim.Time) (LinkID, LinkID) {
	return n.AddLink(a, b, capacityBps, delay), n.AddLink(b, a, capacityBps, delay)
}

// Link describes link id.
func (n *Network) Link(id LinkID) LinkInfo {
	l := &n.links[id]
	return LinkInfo{From: l.from, To: l.to, CapacityBps: l.capacityBps, Delay: l.delay, Loss: n.LinkLoss(id)}
}

// SetLinkLoss sets the probability that a datagram crossing link id is lost; the socket
// layer draws the losses. p outside [0, 1] (or NaN) is a bug in the caller and panics;
// builders check user input first.
func (n *Network) SetLinkLoss(id LinkID, p float64) {
	n.checkLink(id)
	if !(p >= 0 && p <= 1) {
		panic(fmt.Sprintf("topology: SetLinkLoss(%d, %v): want 0 <= p <= 1", id, p))
	}
	if n.loss == nil {
		if p == 0 {
			return
		}
		n.loss = make([]float64, len(n.links))
	}
	n.loss[id] = p
}

// LinkLoss returns the datagram loss probability of link id (0 unless set).
func (n *Network) LinkLoss(id LinkID) float64 {
	n.checkLink(id)
	if n.loss == nil {
		return 0
	}
	return n.loss[id]
}

// LinkLoadBps returns the sum of the current rates of the flows crossing link id, in
// bit/s. It is 0 for an unconstrained link, whose load is not kept. O(1).
func (n *Network) LinkLoadBps(id LinkID) float64 { return n.links[id].load() }

// TrackBusy starts measuring how long link id carries at least one flow (BusyTime).
// Over an interval in which the link's flows are bottlenecked on it, busy time over
// time is its utilization. Tracking costs nothing to links that are not tracked.
func (n *Network) TrackBusy(id LinkID) {
	n.checkLink(id)
	if n.busy == nil {
		n.busy = map[LinkID]*busyClock{}
	}
	if n.busy[id] == nil {
		n.busy[id] = &busyClock{since: n.k.Now()}
	}
}

// BusyTime returns how long link id has carried at least one flow since TrackBusy,
// the busy period under way included; 0 if it is not tracked.
func (n *Network) BusyTime(id LinkID) sim.Time {
	b := n.busy[id]
	if b == nil {
		return 0
	}
	if len(n.links[id].flows) > 0 {
		return b.total + n.k.Now() - b.since
	}
	return b.total
}

// busyChange notes that link id's list of flows has become non-empty (or empty).
func (n *Network) busyChange(id LinkID, busy bool) {
	if b := n.busy[id]; b != nil {
		if busy {
			b.since = n.k.Now()
		} else {
			b.total += n.k.Now() - b.since
		}
	}
}

// LinkFlows returns the number of active flows crossing link id. O(1).
func (n *Network) LinkFlows(id LinkID) int { return len(n.links[id].flows) }

func (n *Network) checkNode(id NodeID) {
	if id < 0 || int(id) >= len(n.nodes) {
		panic(fmt.Sprintf("topology: no node %d (network has %d)", id, len(n.nodes)))
	}
}

func (n *Network) checkLink(id LinkID) {
	if id < 0 || int(id) >= len(n.links) {
		panic(fmt.Sprintf("topology: no link %d (network has %d)", id, len(n.links)))
	}
}

func finite(capacityBps float64) bool { return !math.IsInf(capacityBps, 1) }
