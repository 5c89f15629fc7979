package scenarios

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"netsim/scenarios/units"
	"netsim/sim"
)

// The `schedule:` section changes the platform while a run goes on: at given times,
// and as churn processes (OverSim's generators are the reference), hosts join, leave
// gracefully, crash and recover, and links fail, are restored and lose datagrams.
//
//	schedule:
//	  horizon: 2h                            # no event after it; churn is generated up to it
//	  events:
//	    - {at: 10s, crash: peer3}
//	    - {at: 70s, recover: peer3}
//	    - {at: 30s, leave: peer4, grace: 2s}
//	    - {at: 50s, fail: wan}
//	    - {at: 90s, restore: wan}
//	    - {at: 60s, loss: wan, p: 0.05}
//	  churn:
//	    - hosts: peer                        # a star group (peer0, peer1, ...) or a list
//	      rate: 0.5/s                        # Poisson arrivals
//	      lifetime: {exponential: 30min}     # or pareto, weibull, ... (any distribution)
//	      departure: crash                   # or leave, with grace:
//	      initial: 10                        # hosts up at time 0
//
// Names are checked against the file's topology: section, which a schedule needs, and
// against the kind's deployment: a host the schedule takes down must run a program.
// apply.go says what each event does to a run's platform.

// Schedule is a decoded, valid `schedule:` section.
type Schedule struct {
	Horizon sim.Time // 0: none given (then there is no churn)
	Events  []Event  // the events at given times, in time order (file order on ties)
	Churn   []ChurnProcess
}

// DownAtStart returns the hosts that are down at time 0, before their first event: the
// hosts of the churn pools (GenerateChurn: the Initial ones join at time 0) and those
// whose first event is a join.
func (s *Schedule) DownAtStart() map[string]bool {
	down := map[string]bool{}
	for _, c := range s.Churn {
		for _, h := range c.Hosts {
			down[h] = true
		}
	}
	seen := map[string]bool{}
	for _, e := range s.Events { // in time order
		if e.Action == FailLink || e.Action == RestoreLink || e.Action == SetLoss || seen[e.Target] {
			continue
		}
		seen[e.Target] = true
		if e.Action == Join {
			down[e.Target] = true
		}
	}
	return down
}

// Expand returns every event of one run: the given ones and those of each churn process
// i, generated from the run's stream "schedule/churn/<i>", merged in time order (given
// events first on ties, then the processes in file order). It is a pure function of
// the schedule and streams, so a run's platform changes depend only on its seed.
func (s *Schedule) Expand(streams sim.Streams) []Event {
	all := slices.Clone(s.Events)
	for i, c := range s.Churn {
		evs, _ := GenerateChurn(c, streams.Stream(fmt.Sprintf("schedule/churn/%d", i)), s.Horizon)
		all = append(all, evs...)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].At < all[j].At })
	return all
}

type scheduleSpec struct {
	Horizon units.Duration `yaml:"horizon"`
	Events  []eventSpec    `yaml:"events"`
	Churn   []churnSpec    `yaml:"churn"`
}

type eventSpec struct {
	At      units.Duration `yaml:"at"`
	Join    string         `yaml:"join"`
	Leave   string         `yaml:"leave"`
	Crash   string         `yaml:"crash"`
	Recover string         `yaml:"recover"`
	Fail    string         `yaml:"fail"`
	Restore string         `yaml:"restore"`
	Loss    string         `yaml:"loss"`
	Grace   units.Duration `yaml:"grace"`
	P       float64        `yaml:"p"`
}

type churnSpec struct {
	Hosts     hostSet                `yaml:"hosts"`
	Rate      units.Frequency        `yaml:"rate"`
	Lifetime  Random[units.Duration] `yaml:"lifetime"`
	Departure string                 `yaml:"departure"`
	Grace     units.Duration         `yaml:"grace"`
	Initial   int                    `yaml:"initial"`
}

// hostSet is a list of host names, or one name: a host, or a star group's prefix.
type hostSet []string

func (h *hostSet) UnmarshalYAML(n *yaml.Node) error {
	var one string
	if n.Kind == yaml.ScalarNode && n.Decode(&one) == nil && one != "" {
		*h = hostSet{one}
		return nil
	}
	var list []string
	if n.Kind != yaml.SequenceNode || n.Decode(&list) != nil || len(list) == 0 {
		return fmt.Errorf("want a host, a group of hosts (peer for peer0, peer1, ...) or a list of hosts, got %s", describe(n))
	}
	*h = list
	return nil
}

var eventActions = []Action{Join, Leave, Crash, Recover, FailLink, RestoreLink, SetLoss}

// decodeSchedule decodes and checks `schedule:` against the topology t; nil if the
// file has none.
func (d *decoder) decodeSchedule(n *yaml.Node, t *Topology) *Schedule {
	n = resolveAlias(n)
	if n.Kind == 0 || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		d.fail(n, "schedule", "want a mapping of horizon:, events: and churn:, got %s", describe(n))
		return nil
	}
	n0 := len(d.errs)
	var spec scheduleSpec
	if !d.decode(n, reflect.ValueOf(&spec).Elem(), "schedule") {
		return nil
	}
	if t == nil {
		d.fail(n, "schedule", "needs a topology: section, whose hosts and links it names")
		return nil
	}
	hosts, links := map[string]bool{}, map[string]bool{}
	allHosts, allLinks := t.Hosts(), t.Links()
	for _, h := range allHosts {
		hosts[h] = true
	}
	for _, l := range allLinks {
		links[l] = true
	}
	s := &Schedule{Horizon: spec.Horizon.Time()}
	_, hasHorizon := d.keys["schedule.horizon"]
	if hasHorizon && s.Horizon <= 0 {
		d.fail(d.keys["schedule.horizon"][1], "schedule.horizon", "must be positive")
	}
	d.tooLate(s.Horizon, "schedule.horizon")
	churned := map[string]int{} // host → churn process
	for i, c := range spec.Churn {
		path := fmt.Sprintf("schedule.churn[%d]", i)
		at := func(key string) *yaml.Node { return d.keys[path+"."+key][1] }
		node := d.keys["schedule.churn"][1].Content[i]
		p := ChurnProcess{Rate: c.Rate, Lifetime: c.Lifetime, Departure: Action(c.Departure), Grace: c.Grace.Time(), Initial: c.Initial, src: path + ".hosts"}
		if !hasHorizon {
			d.fail(node, path, "churn needs schedule.horizon, the time up to which it is generated")
		}
		if at("hosts") == nil {
			d.fail(node, path+".hosts", "missing: the hosts that come and go")
		}
		for _, h := range c.Hosts {
			group := []string{h}
			if !hosts[h] {
				group = groupOf(h, allHosts)
			}
			switch {
			case len(group) == 0:
				d.fail(at("hosts"), path+".hosts", "unknown host %q (hosts: %s)", h, hostList(allHosts))
				continue
			}
			for _, g := range group {
				if j, dup := churned[g]; dup {
					d.fail(at("hosts"), path+".hosts", "host %s is already churned by schedule.churn[%d]", g, j)
					break
				}
				churned[g] = i
				p.Hosts = append(p.Hosts, g)
			}
		}
		switch {
		case at("rate") == nil:
			d.fail(node, path+".rate", "missing: the arrivals' rate, e.g. 0.5/s")
		case !(c.Rate > 0):
			d.fail(at("rate"), path+".rate", "must be positive, got %s", c.Rate)
		}
		if at("lifetime") == nil {
			d.fail(node, path+".lifetime", "missing: how long a host stays, a duration or a distribution, e.g. {exponential: 30min}")
		} else if err := c.Lifetime.checkSupport(Param{Key: path + ".lifetime", Type: reflect.TypeOf(c.Lifetime), Range: &Range{Lo: 0, Hi: math.Inf(1), LoOpen: true, HiOpen: true}}); err != nil {
			d.fail(at("lifetime"), path+".lifetime", "%s", err.(*FieldError).Reason)
		}
		switch c.Departure {
		case "", "crash":
			p.Departure = Crash
		case "leave":
		default:
			d.fail(at("departure"), path+".departure", "must be crash or leave, got %q", c.Departure)
		}
		if at("grace") != nil && p.Departure != Leave {
			d.fail(at("grace"), path+".grace", "a grace time is for departure: leave")
		}
		d.tooLate(p.Grace, path+".grace")
		if c.Initial < 0 || c.Initial > len(p.Hosts) && len(p.Hosts) > 0 {
			d.fail(at("initial"), path+".initial", "must be in [0, %d], the hosts of the pool, got %d", len(p.Hosts), c.Initial)
		}
		s.Churn = append(s.Churn, p)
	}

	type entry struct {
		e    Event
		node *yaml.Node
		path string
	}
	var entries []entry
	for i, es := range spec.Events {
		path := fmt.Sprintf("schedule.events[%d]", i)
		node := d.keys["schedule.events"][1].Content[i]
		at := func(key string) *yaml.Node { return d.keys[path+"."+key][1] }
		var acts []Action
		e := Event{At: es.At.Time(), Grace: es.Grace.Time(), Loss: es.P}
		for _, a := range []struct {
			act    Action
			target string
		}{{Join, es.Join}, {Leave, es.Leave}, {Crash, es.Crash}, {Recover, es.Recover}, {FailLink, es.Fail}, {RestoreLink, es.Restore}, {SetLoss, es.Loss}} {
			if at(string(a.act)) != nil {
				acts = append(acts, a.act)
				e.Action, e.Target = a.act, a.target
			}
		}
		if len(acts) != 1 {
			d.fail(node, path, "want one action of %s, got %s", actionList(), orNone(actionStrings(acts)))
			continue
		}
		tn := at(string(e.Action))
		e.src = path + "." + string(e.Action)
		switch {
		case at("at") == nil:
			d.fail(node, path+".at", "missing: when the event happens, e.g. at: 10s")
		case hasHorizon && e.At > s.Horizon:
			d.fail(at("at"), path+".at", "%s is beyond the horizon, %s", es.At, spec.Horizon)
		}
		isLink := e.Action == FailLink || e.Action == RestoreLink || e.Action == SetLoss
		switch {
		case isLink && !links[e.Target]:
			d.fail(tn, path+"."+string(e.Action), "unknown link %q (links: %s)", e.Target, shortList(allLinks))
			continue
		case !isLink && !hosts[e.Target]:
			d.fail(tn, path+"."+string(e.Action), "unknown host %q (hosts: %s)", e.Target, hostList(allHosts))
			continue
		case !isLink:
			if j, ok := churned[e.Target]; ok {
				d.fail(tn, path+"."+string(e.Action), "host %s comes and goes by schedule.churn[%d]; it takes no events of its own", e.Target, j)
				continue
			}
		}
		if at("grace") != nil && e.Action != Leave {
			d.fail(at("grace"), path+".grace", "a grace time is for leave events")
		}
		d.tooLate(e.At, path+".at")
		d.tooLate(e.Grace, path+".grace")
		if e.Action == SetLoss {
			if at("p") == nil {
				d.fail(node, path+".p", "missing: the loss probability, in [0, 1]")
			} else if !(es.P >= 0 && es.P <= 1) {
				d.fail(at("p"), path+".p", "must be in [0, 1], got %s", FormatValue(es.P))
			}
		} else if at("p") != nil {
			d.fail(at("p"), path+".p", "a loss probability is for loss events")
		}
		entries = append(entries, entry{e, node, path})
	}
	if len(d.errs) > n0 {
		return nil
	}
	d.checkChanges(s)
	if len(d.errs) > n0 {
		return nil
	}
	// Each host's events must make sense in time order: a host that is up can leave or
	// crash, one that is down can join (after a leave, or at first) or recover (after a
	// crash). A host whose first event is a join is down until then (Schedule.DownAtStart);
	// every other host not in a churn pool is up at time 0.
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].e.At < entries[j].e.At })
	type state struct {
		up      bool
		crashed bool
		since   string // the event that made it so, for messages
	}
	st := map[string]*state{}
	for _, en := range entries {
		e := en.e
		if e.Action == FailLink || e.Action == RestoreLink || e.Action == SetLoss {
			s.Events = append(s.Events, e)
			continue
		}
		h := st[e.Target]
		if h == nil {
			h = &state{up: e.Action != Join, since: "from the start"}
			st[e.Target] = h
		}
		bad := ""
		switch e.Action {
		case Leave, Crash:
			if !h.up {
				bad = "is already down"
			}
		case Join:
			if h.up {
				bad = "is already up"
			} else if h.crashed {
				bad = "crashed: it recovers, it does not join"
			}
		case Recover:
			if !h.crashed {
				bad = "has not crashed"
			}
		}
		at := units.Duration(e.At)
		if bad != "" {
			d.fail(en.node, en.path, "at %s host %s %s (%s)", at, e.Target, bad, h.since)
			continue
		}
		h.up = e.Action == Join || e.Action == Recover
		h.crashed = e.Action == Crash
		h.since = fmt.Sprintf("%s at %s", e.Action, at)
		s.Events = append(s.Events, e)
	}
	if len(d.errs) > n0 {
		return nil
	}
	return s
}

// tooLate refuses a time or span of the schedule past MaxSpan, so that an event's time
// plus its grace, or a churn arrival plus its lifetime, cannot overflow.
func (d *decoder) tooLate(t sim.Time, key string) {
	if t > MaxSpan {
		d.fail(d.keys[key][1], key, "%s is %s, %s", units.Duration(t), formatYears(t.Seconds()), spanLimit())
	}
}

// checkChanges refuses a schedule that would make more than limits.schedule_events
// changes in a run: its events, and for each churn process about 2 × rate × horizon
// (an arrival and a departure each) and 2 × initial, counted before any is drawn.
func (d *decoder) checkChanges(s *Schedule) {
	if d.limits == nil {
		return
	}
	n, worst, worstN := float64(len(s.Events)), "schedule.events", float64(len(s.Events))
	for i, c := range s.Churn {
		ci := 2*c.Rate.PerSecond()*s.Horizon.Seconds() + 2*float64(c.Initial)
		n += ci
		if ci > worstN {
			worst, worstN = fmt.Sprintf("schedule.churn[%d].rate", i), ci
		}
	}
	if n > float64(d.limits.ScheduleEvents) {
		which := 1
		if worst == "schedule.events" {
			which = 0
		}
		d.fail(d.keys[worst][which], worst, "the schedule would make about %s changes in a run (its events, and 2 × rate × horizon + 2 × initial for each churn process), over limits.schedule_events = %d: raise it (--limit schedule_events=N, or limits: {schedule_events: N} in the file) if the machine can hold them",
			formatCount(math.Round(n)), d.limits.ScheduleEvents)
	}
}

// groupOf returns the hosts named prefix followed by digits, in the topology's order.
func groupOf(prefix string, hosts []string) []string {
	var out []string
	for _, h := range hosts {
		if rest, ok := strings.CutPrefix(h, prefix); ok && rest != "" && strings.Trim(rest, "0123456789") == "" {
			out = append(out, h)
		}
	}
	return out
}

// hostList names a topology's hosts for a message, shortened past a dozen.
func hostList(hs []string) string { return shortList(hs) }

// shortList joins names for a message, shortened past a dozen.
func shortList(names []string) string {
	if len(names) > 12 {
		return strings.Join(names[:12], ", ") + fmt.Sprintf(", ... (%d in all)", len(names))
	}
	return strings.Join(names, ", ")
}

func actionList() string { return orList(actionStrings(eventActions)) }

func actionStrings(as []Action) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = string(a)
	}
	return out
}
