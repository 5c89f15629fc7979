package scenarios

import "netsim/topology"

// The schedule drives the platform through the network layer's failure API (issue 6):
//
//	join     Stack.Recover: the host comes up and its programs start (a host that
//	         joins later is down from time 0, crashed before anything boots)
//	leave    Stack.Leave with the event's grace: the programs' leave hooks run, and the
//	         host is down grace later
//	crash    Stack.Crash
//	recover  Stack.Recover
//	fail     Network.FailLink, each direction of the named link
//	restore  Network.RestoreLink, each direction
//	loss     Network.SetLinkLoss, each direction
//
// A join that comes while the host is still in a leave's grace (a churn process counts a
// leaving host as gone at once, and may pick it for the next arrival) brings it back when
// the grace ends, just after it went down.

// schedule puts the events of s on the kernel, before any program boots, so that at
// equal times the platform changes before the programs act. A host the schedule
// starts down (Schedule.DownAtStart) is crashed now, before its programs boot: they
// first run when it joins.
func (p *Platform) schedule(s *Schedule, events []Event) {
	down := s.DownAtStart()
	for _, name := range p.Env.Topology.Hosts() {
		if down[name] {
			id := p.Node(name)
			p.Stack.Crash(id)
			p.startsDown[id] = true
		}
	}
	for _, e := range events {
		p.Kernel.At(e.At, func() { p.apply(e) })
	}
}

func (p *Platform) apply(e Event) {
	switch e.Action {
	case FailLink:
		for _, l := range p.Links(e.Target) {
			p.Network.FailLink(l)
		}
		return
	case RestoreLink:
		for _, l := range p.Links(e.Target) {
			p.Network.RestoreLink(l)
		}
		return
	case SetLoss:
		for _, l := range p.Links(e.Target) {
			p.Network.SetLinkLoss(l, e.Loss)
		}
		return
	}
	id := p.Node(e.Target)
	now := p.Kernel.Now()
	switch e.Action {
	case Join, Recover:
		if until, ok := p.leaving[id]; ok && until >= now && p.Stack.Up(id) {
			p.Kernel.At(until, func() { p.Stack.Recover(id); p.observe(id) })
			return
		}
		p.Stack.Recover(id)
	case Crash:
		p.Stack.Crash(id)
	case Leave:
		p.Stack.Leave(id, e.Grace)
		until := now + max(e.Grace, 0)
		p.leaving[id] = until
		// The stack takes the host down at until, in an event scheduled before this
		// one: this runs after it and sees the host down.
		p.Kernel.At(until, func() { p.observe(id) })
	}
	p.observe(id)
}

// observe records the host's state, as the stack has it now, if it changed.
func (p *Platform) observe(id topology.NodeID) {
	up := p.Stack.Up(id)
	life := p.life[id]
	if n := len(life); n > 0 && life[n-1].up == up || n == 0 && up == !p.startsDown[id] {
		return
	}
	p.life[id] = append(life, change{at: p.Kernel.Now(), up: up})
}
