package topology

// One solve per instant (SetSolvePerInstant): the starts and ends of flows that
// happen at the same simulated instant are re-solved together, once, at the end of
// the instant, rather than once each.
//
// A swarm on a platform of equal delays and capacities (SimGrid's app-bittorrent:
// every link 10 ms) makes many of its events coincide: the requests that an unchoke
// sets off land at the same nanosecond, and each starts a flow on the same uplink. A
// solve per start re-solves that uplink's flows, and those that their rates move,
// once per start: on bittorrent-simgrid, 24% of the solves came at the same instant
// as the one before and did 36% of the fill's work.
//
// Why the allocation is as right. The rates matter only over time: a flow's bits are
// its rate times the time it holds it (Flow.advance), and no time passes within an
// instant. Whether the max-min allocation is re-established after each start and end
// of an instant or once after all of them, it is the max-min allocation of the same
// set of flows from the end of the instant on, which is unique (maxmin.go); each
// flow's bits are the same, and so is every completion time, to the allocator's
// precision. What differs is rounding within that precision (a different solve set
// sums the same rates in another order, and keeps other rates within the precision
// of their old values), and so the order of events that then fall on the same
// nanosecond: the same kind of difference as between two orders of the same events.
//
// What is deferred, and what is not:
//   - a start: the flow is on its links' lists at rate 0, with no completion event,
//     until the end of the instant; Rate asked before then solves at once;
//   - an end (completion, abort): its links' loads are brought up to date at once,
//     and the links where flows may gain are re-solved at the end of the instant;
//   - anything else that solves (SetCap, extend with another cap, a relay's new
//     bound, a link failure) and a start with a feeder (whose bound is its feeder's
//     rate) first solve what is pending, and then solve as before.
//
// The end of the instant is an event scheduled at the instant itself, behind every
// event already scheduled for it (the kernel runs events of equal time in the order
// they were scheduled); an event scheduled at the same instant after it gets its own.

// SetSolvePerInstant turns one solve per instant on or off (off by default). Turning
// it off solves what is pending at once.
func (n *Network) SetSolvePerInstant(on bool) {
	n.flushInstant()
	n.flows.perInstant = on
}

// deferStart queues the just-started flow f for the solve at the end of the instant.
func (n *Network) deferStart(f *Flow) {
	fs := &n.flows
	fs.pendFlows = append(fs.pendFlows, f)
	n.dueInstant()
}

// deferEnd queues the links of a flow that has left, carrying freedBps, for the solve
// at the end of the instant: those that were saturated (solve's seeds).
func (n *Network) deferEnd(fin []hop, freedBps float64) {
	fs := &n.flows
	for _, h := range fin {
		if fs.saturatedWith(&n.links[h.link], freedBps) {
			fs.pendLinks = append(fs.pendLinks, h.link)
		}
	}
	n.dueInstant()
}

// dueInstant schedules the end of the instant's solve, if it is not.
func (n *Network) dueInstant() {
	fs := &n.flows
	if fs.due {
		return
	}
	fs.due = true
	if fs.flushFn == nil {
		fs.flushFn = func() {
			n.flows.due = false
			n.flushInstant()
		}
	}
	n.k.At(n.k.Now(), fs.flushFn)
}

// flushInstant solves for the starts and ends deferred so far: a start that fits at
// its cap by the shortcut (fastpath.go), the rest in one solve whose set starts with
// the started flows and the flows on the saturated links of theirs and of the ended
// ones. A no-op when nothing is pending.
func (n *Network) flushInstant() {
	fs := &n.flows
	if len(fs.pendFlows) == 0 && len(fs.pendLinks) == 0 {
		return
	}
	// Taken out first: a hook run by settle may start flows, deferred anew.
	pend, links := fs.pendFlows, fs.pendLinks
	fs.pendFlows, fs.pendLinks = nil, nil
	rest := pend[:0]
	for _, f := range pend {
		switch {
		case f.state != flowActive:
		case n.canRaise(f, f.effCap):
			n.moveRate(f, f.effCap)
		default:
			rest = append(rest, f)
		}
	}
	if len(rest) > 0 || len(links) > 0 {
		if len(rest)+len(links) > 1 {
			fs.batched++
		}
		n.beginSolve()
		for _, f := range rest {
			n.join(f)
		}
		for _, f := range rest {
			for _, h := range f.fin() {
				if fs.saturated(&n.links[h.link]) {
					n.seedLink(h.link)
				}
			}
		}
		for _, l := range links {
			n.seedLink(l)
		}
		n.runSolve()
	}
	clear(pend)
	if fs.pendFlows == nil {
		fs.pendFlows = pend[:0]
	}
	if fs.pendLinks == nil {
		fs.pendLinks = links[:0]
	}
	n.settle()
}
