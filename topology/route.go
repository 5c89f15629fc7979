package topology

import (
	"fmt"
	"math"

	"netsim/sim"
)

// Route is a path through a network: its links in order and the one-way propagation
// delay, the sum of the links' delays. The zero Route is the empty path from a node to
// itself.
type Route struct {
	Links []LinkID
	Delay sim.Time
}

// routeCache holds shortest-path trees by source. Hosts that hang off a single link
// each way (every host of the builders) are routed through their neighbour's tree, so
// a star of N hosts needs one tree, not N.
type routeCache struct {
	trees map[NodeID]*spTree
	gen   uint64 // how many times the routes have changed: a route taken at one generation holds while it lasts
}

// spTree is a shortest-path tree: for every node, the link it is reached by (-1 for
// the root and for unreachable nodes). Distances are summed again from the links when
// a route is read, so a tree costs 4 bytes a node.
type spTree struct {
	pred []LinkID
}

func (c *routeCache) clear() { c.trees, c.gen = nil, c.gen+1 }

// soleLink returns the only link of a list threaded by next (link.nextOut or nextIn),
// or -1 if the list does not hold exactly one.
func (n *Network) soleLink(first LinkID, out bool) LinkID {
	if first < 0 {
		return -1
	}
	next := n.links[first].nextIn
	if out {
		next = n.links[first].nextOut
	}
	if next >= 0 {
		return -1
	}
	return first
}

// Route returns the shortest path from → to by propagation delay over the links that
// are up. Ties are broken by fewer hops, then by the lower link ID at the last
// differing hop, so a route is a function of the network alone. It is an error if to
// cannot be reached (a host whose only link is down is unreachable).
//
// Shortest-path trees are computed by Dijkstra's algorithm (O(E log V)) once per
// source router and cached until a link is added, fails or is restored; a node with a
// single outgoing link is routed through its neighbour's tree and a node with a single
// incoming link is reached through its neighbour, so a call costs O(hops) once the
// trees exist.
func (n *Network) Route(from, to NodeID) (Route, error) { return n.routeInto(from, to, nil) }

// bottleneckBps is r's lowest link capacity, +Inf if no link limits it.
func (n *Network) bottleneckBps(r Route) float64 {
	bps := math.Inf(1)
	for _, l := range r.Links {
		bps = math.Min(bps, n.links[l].capacityBps)
	}
	return bps
}

// routeInto is Route with its links written into buf's array when they fit, so that a
// caller that keeps a route per message (udp.go's datagrams) allocates nothing.
func (n *Network) routeInto(from, to NodeID, buf []LinkID) (Route, error) {
	n.checkNode(from)
	n.checkNode(to)
	if from == to {
		return Route{}, nil
	}
	noRoute := func() (Route, error) {
		return Route{}, fmt.Errorf("topology: no route from %q to %q", n.nodes[from].name, n.nodes[to].name)
	}
	var pre, post LinkID = -1, -1
	src, dst := from, to
	// A shortest path never revisits a node, so a path leaving a node with one way
	// out starts with that link, and one reaching a node with one way in ends with it.
	if l := n.soleLink(n.nodes[src].firstOut, true); l >= 0 {
		if n.isDown(l) {
			return noRoute()
		}
		pre = l
		src = n.links[pre].to
	}
	if l := n.soleLink(n.nodes[dst].firstIn, false); l >= 0 && dst != src {
		if n.isDown(l) {
			return noRoute()
		}
		post = l
		dst = n.links[post].from
	}
	var t *spTree
	mid := 0
	if src != dst {
		t = n.tree(src)
		if t.pred[dst] < 0 {
			return noRoute()
		}
		for v := dst; v != src; v = n.links[t.pred[v]].from {
			mid++
		}
	}
	first := 0
	if pre >= 0 {
		first = 1
	}
	total := first + mid
	if post >= 0 {
		total++
	}
	var r Route
	if cap(buf) >= total {
		r.Links = buf[:total]
	} else {
		r.Links = make([]LinkID, total)
	}
	if pre >= 0 {
		r.Links[0] = pre
	}
	if post >= 0 {
		r.Links[total-1] = post
	}
	i := first + mid
	for v := dst; v != src; v = n.links[t.pred[v]].from {
		i--
		r.Links[i] = t.pred[v]
	}
	for _, l := range r.Links {
		r.Delay += n.links[l].delay
	}
	return r, nil
}

// RTT returns the round-trip propagation delay between a and b: the delay of the
// route a → b plus that of b → a (they may differ).
func (n *Network) RTT(a, b NodeID) (sim.Time, error) {
	ab, err := n.Route(a, b)
	if err != nil {
		return 0, err
	}
	ba, err := n.Route(b, a)
	if err != nil {
		return 0, err
	}
	return ab.Delay + ba.Delay, nil
}

func (n *Network) tree(src NodeID) *spTree {
	if t, ok := n.routes.trees[src]; ok {
		return t
	}
	if n.routes.trees == nil {
		n.routes.trees = make(map[NodeID]*spTree)
	}
	t := n.dijkstra(src)
	n.routes.trees[src] = t
	return t
}

// dijkstra computes the shortest-path tree from src over the links that are up, with
// a binary heap ordered by (delay, hops, node), lazily deleting stale entries.
func (n *Network) dijkstra(src NodeID) *spTree {
	nv := len(n.nodes)
	t := &spTree{pred: make([]LinkID, nv)}
	delay := make([]sim.Time, nv)
	hops := make([]int32, nv)
	done := make([]bool, nv)
	for i := range t.pred {
		t.pred[i] = -1
		delay[i] = sim.Never
	}
	delay[src] = 0
	h := []dItem{{0, 0, src}}
	for len(h) > 0 {
		it := dPop(&h)
		v := it.v
		if done[v] || it.d != delay[v] || it.hops != hops[v] {
			continue
		}
		done[v] = true
		for l := n.nodes[v].firstOut; l >= 0; l = n.links[l].nextOut {
			lk := &n.links[l]
			w := lk.to
			if done[w] || n.isDown(l) {
				continue
			}
			// The order links are relaxed in does not matter: the tree keeps, for each
			// node, the least (delay, hops, link) over its incoming links.
			d, hp := it.d+lk.delay, it.hops+1
			if d < delay[w] || (d == delay[w] && (hp < hops[w] || (hp == hops[w] && l < t.pred[w]))) {
				delay[w], hops[w], t.pred[w] = d, hp, l
				dPush(&h, dItem{d, hp, w})
			}
		}
	}
	return t
}

type dItem struct {
	d    sim.Time
	hops int32
	v    NodeID
}

func dLess(a, b dItem) bool {
	if a.d != b.d {
		return a.d < b.d
	}
	if a.hops != b.hops {
		return a.hops < b.hops
	}
	return a.v < b.v
}

func dPush(h *[]dItem, it dItem) {
	*h = append(*h, it)
	s := *h
	for i := len(s) - 1; i > 0; {
		p := (i - 1) / 2
		if !dLess(s[i], s[p]) {
			break
		}
		s[i], s[p] = s[p], s[i]
		i = p
	}
}

func dPop(h *[]dItem) dItem {
	s := *h
	top := s[0]
	last := len(s) - 1
	s[0] = s[last]
	s = s[:last]
	for i := 0; ; {
		c := 2*i + 1
		if c >= len(s) {
			break
		}
		if c+1 < len(s) && dLess(s[c+1], s[c]) {
			c++
		}
		if !dLess(s[c], s[i]) {
			break
		}
		s[i], s[c] = s[c], s[i]
		i = c
	}
	*h = s
	return top
}
