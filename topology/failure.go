package topology

// Links go down and come back up (DESIGN.md, "Things fail as on the real Internet":
// links fail and are restored; routes are recomputed). A flow that crosses a link when
// it fails is failed: like an abort, it leaves at once and its bandwidth goes to the
// others, but its owner hears of it through onDone, with Flow.Failed true, since the
// owner did not ask for it.

// FailLink takes link id down. Every active flow crossing it fails: it leaves its links
// at once, the rates of the others are re-solved (one solve for all of them), its
// relays are released from its bound as by an abort, and then, with the allocation
// consistent again, each one's onDone is called with Failed() true, in the order the
// flows sat on the link (a function of the run's events, so the same in every run of
// it; pending flows of size 0 last). onDone may call back into the network. Routes
// are recomputed without the link from now on. Failing a link that is down does
// nothing. An unknown link is a bug in the caller and panics.
func (n *Network) FailLink(id LinkID) {
	n.checkLink(id)
	if n.isDown(id) {
		return
	}
	if n.failedAt == nil {
		n.failedAt = make([]uint64, len(n.links))
		n.down = make([]uint64, (len(n.links)+63)/64)
	}
	n.down[id/64] |= 1 << (id % 64)
	n.failEpoch++
	n.failedAt[id] = n.failEpoch
	lk := &n.links[id]
	n.routes.clear()
	for _, f := range n.onFail {
		f(id)
	}
	fs := &n.flows
	var victims []*Flow
	for _, e := range lk.flows {
		victims = append(victims, e.f)
	}
	for _, f := range fs.zeros {
		for _, h := range f.hops() {
			if h.link == id {
				victims = append(victims, f)
				break
			}
		}
	}
	if len(victims) == 0 {
		return
	}
	fs.stats.Events++
	victims = n.failAll(victims)
	for _, f := range victims {
		if f.onDone != nil {
			f.onDone(f)
		}
	}
}

// failAll fails the active flows of victims with one solve for the links they leave,
// and returns them, each once (a route given by hand may list a flow twice on a link).
func (n *Network) failAll(victims []*Flow) []*Flow {
	n.flushInstant() // failAll's solve uses the scratch (instant.go)
	fs := &n.flows
	seeds := fs.seeds[:0]
	fs.newRound() // ls is the seeds' dedup set; the solve starts its own
	failed := victims[:0]
	for _, f := range victims {
		if f.state != flowActive {
			continue
		}
		fs.stats.Failures++
		failed = append(failed, f)
		n.detach(f, flowFailed)
		if f.isEmpty() {
			continue
		}
		for _, h := range f.fin() {
			if n.scratchOf(h.link) == nil {
				n.addScratch(h.link)
				seeds = append(seeds, h.link)
			}
		}
	}
	fs.seeds = seeds
	for _, l := range seeds {
		n.links[l].recomputeLoad()
	}
	if len(seeds) > 0 {
		n.beginSolve()
		for _, l := range seeds {
			n.seedLink(l)
		}
		n.runSolve()
	}
	n.settle()
	return failed
}

// RestoreLink brings link id back up; routes may use it again from now on. Restoring a
// link that is up does nothing. An unknown link is a bug in the caller and panics.
func (n *Network) RestoreLink(id LinkID) {
	n.checkLink(id)
	if n.isDown(id) {
		n.down[id/64] &^= 1 << (id % 64)
		n.routes.clear()
	}
}

// LinkUp reports whether link id is up.
func (n *Network) LinkUp(id LinkID) bool {
	n.checkLink(id)
	return !n.isDown(id)
}

// isDown reports whether link id is down. O(1).
func (n *Network) isDown(id LinkID) bool {
	return n.down != nil && n.down[id/64]&(1<<(id%64)) != 0
}

// FailEpoch returns how many times a link has gone down since the network was made.
// Read when a route is taken, it lets RouteBroken tell in O(1) that the route still
// stands.
func (n *Network) FailEpoch() uint64 { return n.failEpoch }

// RouteBroken reports whether some link of r has failed since FailEpoch() was since,
// or is down now. r is meant to be a route that Route returned when FailEpoch() was
// since: it then crossed no link that was down, so if no link has failed since, it
// still stands, and the answer costs O(1); otherwise O(len(r.Links)).
func (n *Network) RouteBroken(r Route, since uint64) bool {
	if since == n.failEpoch || n.failedAt == nil {
		return false
	}
	for _, l := range r.Links {
		if n.isDown(l) || n.failedAt[l] > since {
			return true
		}
	}
	return false
}
