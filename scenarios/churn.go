package scenarios

import (
	"container/heap"
	"math/rand/v2"

	"gonum.org/v1/gonum/stat/distuv"

	"netsim/scenarios/units"
	"netsim/sim"
)

// Action is what a schedule event does.
type Action string

// The actions of a schedule: what the network's failure API will carry out (the host
// programs' boot, a graceful leave with its grace time, a crash; a link's failure,
// restoration and loss).
const (
	Join        Action = "join"    // the host comes up and its program starts
	Leave       Action = "leave"   // the host's program leaves gracefully, then the host is down
	Crash       Action = "crash"   // the host stops at once; peers learn of it by their timeouts
	Recover     Action = "recover" // a crashed host comes back empty and its program starts again
	FailLink    Action = "fail"    // the link carries nothing until restored
	RestoreLink Action = "restore" // the link works again
	SetLoss     Action = "loss"    // the link drops datagrams with probability Loss
)

// Event is one change of the platform at a virtual time.
type Event struct {
	At     sim.Time
	Action Action
	Target string   // a host or link name
	Grace  sim.Time // Leave: how long the program has to say goodbye
	Loss   float64  // SetLoss: the link's new loss probability
	src    string   // where the file gave it (schedule.events[2].crash, schedule.churn[0].hosts)
}

// ChurnProcess is one churn generator of a schedule: hosts of a pool arrive as a
// Poisson process and stay for a lifetime drawn from a distribution (exponential,
// Pareto, Weibull, ...: OverSim's LifetimeChurn, in the M/G/∞ form whose mean
// population is Rate·E[Lifetime] by Little's law, as long as the pool has a host down
// for every arrival).
type ChurnProcess struct {
	Hosts     []string // the pool, in the order arrivals take them
	Rate      units.Frequency
	Lifetime  Random[units.Duration]
	Departure Action   // Crash or Leave
	Grace     sim.Time // with Leave
	Initial   int      // hosts of the pool that join at time 0
	src       string   // its hosts' key in the file: schedule.churn[i].hosts
}

// GenerateChurn returns the events of churn c up to horizon, in time order (ties in the
// order they arose), and how many arrivals found every host of the pool up and were
// lost. It is a pure function of c, the random stream rng and horizon: draws alternate
// in a fixed order, each arrival's lifetime right after its inter-arrival time, and
// times accumulate in integer nanoseconds, each draw rounded once. An arrival takes the
// pool's first host that is down; the hosts of the pool are down at time 0 but for the
// Initial first, which join then.
func GenerateChurn(c ChurnProcess, rng *rand.Rand, horizon sim.Time) (events []Event, lost int) {
	up := make([]bool, len(c.Hosts))
	var pending departures
	lifetime := c.Lifetime.Sampler(rng)
	arrive := func(at sim.Time) {
		for i := range c.Hosts {
			if !up[i] {
				up[i] = true
				events = append(events, Event{At: at, Action: Join, Target: c.Hosts[i], src: c.src})
				heap.Push(&pending, departure{at: later(at, sim.Seconds(lifetime())), host: i, seq: len(events)})
				return
			}
		}
		lost++
	}
	for range min(c.Initial, len(c.Hosts)) {
		arrive(0)
	}
	gap := distuv.Exponential{Rate: c.Rate.PerSecond(), Src: rng}
	next := sim.Seconds(gap.Rand())
	for {
		if len(pending) > 0 && pending[0].at <= next {
			d := heap.Pop(&pending).(departure)
			if d.at > horizon {
				break
			}
			up[d.host] = false
			e := Event{At: d.at, Action: c.Departure, Target: c.Hosts[d.host], src: c.src}
			if c.Departure == Leave {
				e.Grace = c.Grace
			}
			events = append(events, e)
			continue
		}
		if next > horizon {
			break
		}
		arrive(next)
		next = later(next, sim.Seconds(gap.Rand()))
	}
	return events, lost
}

// later is t + d, saturating at Never: a lifetime or a gap drawn from a long-tailed
// distribution may pass the end of virtual time, which must not wrap into the past.
func later(t, d sim.Time) sim.Time {
	if d > sim.Never-t {
		return sim.Never
	}
	return t + d
}

// departure is a host's end of life, ordered by time, then by when it was drawn.
type departure struct {
	at   sim.Time
	host int
	seq  int
}

type departures []departure

func (h departures) Len() int { return len(h) }
func (h departures) Less(i, j int) bool {
	return h[i].at < h[j].at || h[i].at == h[j].at && h[i].seq < h[j].seq
}
func (h departures) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *departures) Push(x any)   { *h = append(*h, x.(departure)) }
func (h *departures) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
