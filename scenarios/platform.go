package scenarios

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	"netsim/sim"
	"netsim/topology"
)

// Platform is one run's network, built from its Topology, with the run's Schedule
// applied to it: the part of a run every kind does the same way. A kind's Decl.Boot
// gets one built (or a Run builds one with NewPlatform), starts its programs on hosts
// with Boot (its deployment); after Run it reads its metrics from its programs and
// from the Stack's counts.
type Platform struct {
	Kernel  *sim.Kernel
	Network *topology.Network
	// Stack has topology.DefaultTCP; a kind may change Stack.TCP before it boots.
	Stack *topology.Stack
	// Env is the run's: its params' platform and deployment, schedule and streams.
	Env RunEnv

	links    map[string][]topology.LinkID // an explicit graph's, by name: both directions
	programs map[topology.NodeID][]func(topology.Host) error
	err      error // the first program that could not start
	// life is each host's ups and downs, as the stack had them after every event of
	// the schedule (hosts the schedule never names are up throughout).
	life       map[topology.NodeID][]change
	startsDown map[topology.NodeID]bool
	leaving    map[topology.NodeID]sim.Time // a host in a leave's grace: when it goes down
}

type change struct {
	at sim.Time
	up bool
}

// NewPlatform builds the network of env.Topology on a new kernel, with a stack whose
// random streams are the run's, and schedules env.Schedule's events (Expand with the
// run's streams) on it. A host of a churn pool starts down: its programs, booted like
// any other's, first run when it joins.
func NewPlatform(env RunEnv) (*Platform, error) {
	if env.Topology == nil {
		return nil, fmt.Errorf("scenarios: a platform needs a topology")
	}
	k := sim.NewKernel()
	net, links, err := env.Topology.build(k)
	if err != nil {
		return nil, err
	}
	p := &Platform{
		Kernel: k, Network: net, Stack: topology.NewStack(net, env.Streams()),
		Env: env, links: links, programs: map[topology.NodeID][]func(topology.Host) error{},
		life: map[topology.NodeID][]change{}, startsDown: map[topology.NodeID]bool{},
		leaving: map[topology.NodeID]sim.Time{},
	}
	if env.Schedule != nil {
		p.schedule(env.Schedule, env.Schedule.Expand(env.Streams()))
	}
	// A capture taps its hosts now, before any program runs.
	if env.Attach != nil {
		if err := env.Attach(p.Stack); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// Node returns the node of a host of the deployment; a name the topology does not have
// is a bug in the kind (Deploy checked it) and panics.
func (p *Platform) Node(name string) topology.NodeID {
	id, ok := p.Network.Node(name)
	if !ok {
		panic(fmt.Sprintf("scenarios: the platform has no node %q", name))
	}
	return id
}

// StartsDown reports whether the host named name is down at time 0, to join later
// (Schedule.DownAtStart).
func (p *Platform) StartsDown(name string) bool { return p.startsDown[p.Node(name)] }

// Host returns the host named name (see Node).
func (p *Platform) Host(name string) topology.Host { return p.Stack.Host(p.Node(name)) }

// Boot starts program on the host named name now, if the host is up, and again each
// time it recovers. A host may run several programs (an HTTP server and a bulk
// sender); they start in the order they were booted. An error a program returns on
// starting stops the run, and Run returns it.
func (p *Platform) Boot(name string, program func(topology.Host) error) {
	id := p.Node(name)
	progs, known := p.programs[id]
	p.programs[id] = append(progs, program)
	if known {
		if p.Stack.Up(id) {
			p.start(program, p.Stack.Host(id))
		}
		return
	}
	p.Stack.Boot(id, func(h topology.Host) {
		for _, prog := range p.programs[id] {
			p.start(prog, h)
		}
	})
}

func (p *Platform) start(program func(topology.Host) error, h topology.Host) {
	if err := program(h); err != nil && p.err == nil {
		p.err = fmt.Errorf("%s: %w", h.Name(), err)
		p.Kernel.Stop()
	}
}

// Run runs the kernel until no event is left, or ctx is cancelled, with the run's
// progress hook.
func (p *Platform) Run(ctx context.Context) error {
	if p.err != nil {
		return p.err
	}
	if err := p.Kernel.RunContext(ctx, p.Env.Progress); err != nil {
		return err
	}
	return p.err
}

// End is the end of a run's measurement of the platform: the schedule's horizon if it
// has one, else now.
func (p *Platform) End() sim.Time {
	if s := p.Env.Schedule; s != nil && s.Horizon > 0 {
		return s.Horizon
	}
	return p.Kernel.Now()
}

// UpSeries returns how many of hosts were up over [0, end]: a step function, one
// point at time 0 (after the events at 0), one at every later change up to end and one
// at end, each the count from then on. Its time-average (TimeAverage) is the mean
// population of a churn study.
func (p *Platform) UpSeries(hosts []string, end sim.Time) TimeSeries {
	type step struct {
		at    sim.Time
		delta int
	}
	var steps []step
	up := 0
	for _, name := range hosts {
		id := p.Node(name)
		state := !p.startsDown[id]
		if state {
			up++
		}
		for _, c := range p.life[id] {
			if c.up == state {
				continue
			}
			state = c.up
			if c.up {
				steps = append(steps, step{c.at, +1})
			} else {
				steps = append(steps, step{c.at, -1})
			}
		}
	}
	slices.SortStableFunc(steps, func(a, b step) int { return cmp.Compare(a.at, b.at) })
	i := 0
	for ; i < len(steps) && steps[i].at <= 0; i++ {
		up += steps[i].delta
	}
	ts := TimeSeries{Time: []float64{0}, Value: []float64{float64(up)}}
	for ; i < len(steps) && steps[i].at <= end; i++ {
		up += steps[i].delta
		if last := len(ts.Time) - 1; ts.Time[last] == steps[i].at.Seconds() {
			ts.Value[last] = float64(up)
			continue
		}
		ts.Time = append(ts.Time, steps[i].at.Seconds())
		ts.Value = append(ts.Value, float64(up))
	}
	ts.Time = append(ts.Time, end.Seconds())
	ts.Value = append(ts.Value, float64(up))
	return ts
}

// TimeAverage is the time-average of a step function as UpSeries gives it: each value
// held until the next point's time.
func TimeAverage(ts TimeSeries) float64 {
	n := len(ts.Time)
	if n == 0 || ts.Time[n-1] <= ts.Time[0] {
		return math.NaN()
	}
	area := 0.0
	for i := 0; i+1 < n; i++ {
		area += ts.Value[i] * (ts.Time[i+1] - ts.Time[i])
	}
	return area / (ts.Time[n-1] - ts.Time[0])
}

// Links returns the links of the schedule's name for them (both directions of a duplex
// link or of a host's access link), nil for a name the topology does not have.
func (p *Platform) Links(name string) []topology.LinkID {
	if p.links != nil {
		return p.links[name]
	}
	return p.Env.Topology.linksOf(p.Network, name)
}

// LinkOnRoute returns the direction of the link named name (see Links) that the route
// from the host from to the host to crosses: of a duplex link, the one a measurement
// of that way's load watches.
func (p *Platform) LinkOnRoute(name, from, to string) (topology.LinkID, error) {
	route, err := p.Network.Route(p.Node(from), p.Node(to))
	if err != nil {
		return 0, err
	}
	for _, l := range p.Links(name) {
		if slices.Contains(route.Links, l) {
			return l, nil
		}
	}
	return 0, fmt.Errorf("the link named %s is not on the way from %s to %s", name, from, to)
}
