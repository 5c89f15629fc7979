package kinds

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"netsim/apps/chord"
	"netsim/scenarios"
	"netsim/scenarios/units"
	"netsim/sim"

	"go.yaml.in/yaml/v3"
)

// yamlRandom sets r to the distribution written in YAML, as a file would give it.
func yamlRandom(r *scenarios.Random[units.Duration], text string) error {
	return yaml.Unmarshal([]byte(text), r)
}

// chord: a DHT on an access-link star of hosts node0, node1, ...: the texts' circular
// DHT (mode: ring, Kurose & Ross §2.6.2) or Chord (mode: chord, Stoica et al.,
// SIGCOMM'01 and IEEE/ACM ToN'03). The defaults are ToN'03 §V's: stabilization at
// intervals uniform in [15, 45] s, 500 ms RPC timeouts, one lookup per node per
// second; ids are SHA-1 of the host names. On a file's own topology every host named
// node<i> runs the DHT.
type chordParams struct {
	Mode       string                           `yaml:"mode" default:"chord" oneof:"ring chord" help:"ring: the texts' circular DHT (successor, predecessor, shortcuts, two successors pinged); chord: Chord's fingers, successor list, stabilize"`
	Style      string                           `yaml:"style" default:"iterative" oneof:"iterative recursive" help:"chord: how a lookup travels (the ring is recursive)"`
	Bits       int                              `yaml:"bits" default:"160" range:"[1,160]" help:"m, the identifier width: ids in [0, 2^m)"`
	Nodes      int                              `yaml:"nodes" platform:"" default:"100" range:"[1,)" help:"N, the hosts of the default star (with churn, the mean population; the pool is twice that)"`
	IDs        string                           `yaml:"ids" help:"the hosts' ids, comma-separated, one per host in order (the texts' 1,3,4,5,8,10,12,15); empty: SHA-1 of the host names"`
	Shortcuts  string                           `yaml:"shortcuts" help:"ring: shortcuts as from:to id pairs, comma-separated (the texts' 4:10), or fingers for Chord's finger table"`
	Virtual    int                              `yaml:"virtual_nodes" default:"1" range:"[1,64]" help:"v, the nodes each host runs (SIGCOMM'01 §6.2)"`
	Successors int                              `yaml:"successors" range:"[0,255]" help:"r, the successor list's length; 0: 2 for the ring, ⌈2·log2 N⌉ for chord (ToN'03 §V)"`
	Ideal      bool                             `yaml:"ideal" default:"true" help:"start from the stabilized ring (the papers' static experiments); false: every node joins through node0 at time 0"`
	Maintain   bool                             `yaml:"maintenance" default:"true" help:"run stabilize, fix_fingers and check_predecessor (the ring: its pings); false: no maintenance traffic"`
	StabMin    units.Duration                   `yaml:"stabilize_min" default:"15s" help:"each maintenance round waits uniformly between stabilize_min and stabilize_max (ToN'03: [15, 45] s)"`
	StabMax    units.Duration                   `yaml:"stabilize_max" default:"45s" help:"see stabilize_min"`
	FixFingers string                           `yaml:"fix_fingers" default:"distinct" oneof:"distinct every" help:"distinct: a fix_fingers round refreshes the next distinct finger, the whole table in about log2 N rounds; every: the next of the m entries (ToN'03 Fig. 6), a distinct finger every m rounds (80 min at 30 s), so a new node routes by its successors that long"`
	JoinFinger string                           `yaml:"join_fingers" default:"none" oneof:"none copy" help:"copy: a joining node takes its successor's finger table as hints (SIGCOMM'01 §4.4's optimization); none: fix_fingers fills it"`
	Transport  string                           `yaml:"transport" default:"udp" oneof:"udp tcp" help:"udp: each message one datagram, resent retries times after rpc_timeout; tcp: connections cached per peer, each message after a 4-byte length, a peer taken for dead after rpc_timeout or when its connection is refused or reset"`
	RPCTimeout units.Duration                   `yaml:"rpc_timeout" default:"500ms" help:"a request unanswered this long is sent again or its peer taken for dead (ToN'03: 500 ms)"`
	Retries    int                              `yaml:"retries" range:"[0,10]" help:"resends of an unanswered request before its peer is taken for dead"`
	LookupTO   units.Duration                   `yaml:"lookup_timeout" default:"5s" help:"recursive lookups: how long the querier waits for the answer before it tries once more"`
	LookupRate float64                          `yaml:"lookup_rate" range:"[0,)" unit:"1/s" help:"lookups each node starts per second, a Poisson process (ToN'03: 1)"`
	Lookups    int                              `yaml:"lookups" default:"1000" range:"[0,)" help:"lookups started at random times in [warmup, duration) at random live nodes"`
	Keys       int                              `yaml:"keys" range:"[0,)" help:"(key, value) pairs put from random nodes at a steady pace over the first 10 s (or half of a shorter run); the lookups then look them up (else random keys)"`
	ValueBytes units.Size                       `yaml:"value_size" default:"8B" help:"each value's size"`
	Duration   units.Duration                   `yaml:"duration" default:"100s" help:"simulated time of a run"`
	Warmup     units.Duration                   `yaml:"warmup" help:"lookups before it are not measured"`
	FailFrac   float64                          `yaml:"fail_fraction" range:"[0,1)" help:"p: this fraction of the nodes crash at once at fail_at (SIGCOMM'01 §6.4, ToN'03 Table II)"`
	FailAt     units.Duration                   `yaml:"fail_at" help:"when the fail_fraction of nodes crash"`
	ChurnRate  units.Frequency                  `yaml:"churn_rate" platform:"" help:"R: Poisson joins at this rate, each node staying for a lifetime of mean N/R so that nodes leave at R too (ToN'03 Table III); 0: no churn"`
	Lifetime   scenarios.Random[units.Duration] `yaml:"lifetime" platform:"" help:"with churn: each node's session, any distribution (exponential, pareto, weibull); absent: exponential of mean N/R"`
	Departure  string                           `yaml:"departure" platform:"" default:"crash" oneof:"crash leave" help:"with churn: how nodes go, crash or leave gracefully"`
	Delay      units.Duration                   `yaml:"delay" platform:"" default:"25ms" help:"one-way delay from every host to the core (50 ms host to host)"`
}

func (p *chordParams) successors() int {
	switch {
	case p.Successors > 0:
		return p.Successors
	case p.Mode == string(chord.Ring):
		return 2
	}
	return max(1, int(math.Ceil(2*math.Log2(float64(max(p.Nodes, 2))))))
}

// measureEnd is when the measured lookups stop starting: 10 s before the end, so
// that every one has time to finish (or time out), if the run is long enough.
func (p *chordParams) measureEnd() sim.Time {
	end := p.Duration.Time()
	if end-10*sim.Second > p.Warmup.Time() {
		end -= 10 * sim.Second
	}
	return end
}

func (p *chordParams) space() chord.Space { return chord.NewSpace(p.Bits) }

// ids parses the ids list.
func (p *chordParams) ids() ([]uint64, error) {
	if strings.TrimSpace(p.IDs) == "" {
		return nil, nil
	}
	var out []uint64
	seen := map[uint64]bool{}
	for _, f := range strings.Split(p.IDs, ",") {
		x, err := strconv.ParseUint(strings.TrimSpace(f), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not an id", f)
		}
		if p.Bits < 64 && x >= 1<<p.Bits {
			return nil, fmt.Errorf("id %d is outside [0, 2^%d)", x, p.Bits)
		}
		if seen[x] {
			return nil, fmt.Errorf("id %d is given twice", x)
		}
		seen[x] = true
		out = append(out, x)
	}
	return out, nil
}

// shortcuts parses the ring's shortcut pairs.
func (p *chordParams) shortcuts() (map[uint64][]uint64, error) {
	out := map[uint64][]uint64{}
	s := strings.TrimSpace(p.Shortcuts)
	if s == "" || s == "fingers" {
		return out, nil
	}
	for _, f := range strings.Split(s, ",") {
		a, b, ok := strings.Cut(strings.TrimSpace(f), ":")
		x, err1 := strconv.ParseUint(a, 10, 64)
		y, err2 := strconv.ParseUint(b, 10, 64)
		if !ok || err1 != nil || err2 != nil {
			return nil, fmt.Errorf("%q is not a from:to pair of ids", f)
		}
		out[x] = append(out[x], y)
	}
	return out, nil
}

func checkChord(p *chordParams) error {
	var errs []error
	ids, err := p.ids()
	if err != nil {
		errs = append(errs, scenarios.Errorf("ids", "%v", err))
	}
	if ids != nil && p.Virtual > 1 {
		errs = append(errs, scenarios.Errorf("virtual_nodes", "an ids list gives one id per host: virtual nodes take SHA-1 ids"))
	}
	if sc, err := p.shortcuts(); err != nil {
		errs = append(errs, scenarios.Errorf("shortcuts", "%v", err))
	} else if len(sc) > 0 && (p.Mode != string(chord.Ring) || ids == nil) {
		errs = append(errs, scenarios.Errorf("shortcuts", "from:to pairs are for mode ring with an ids list"))
	}
	if p.StabMax < p.StabMin || p.StabMin <= 0 {
		errs = append(errs, scenarios.Errorf("stabilize_max", "must be at least stabilize_min, which must be positive"))
	}
	if p.RPCTimeout <= 0 || p.LookupTO <= 0 || p.Duration <= 0 {
		errs = append(errs, scenarios.Errorf("duration", "durations and timeouts must be positive"))
	}
	if p.Warmup >= p.Duration {
		errs = append(errs, scenarios.Errorf("warmup", "must be less than duration, %s", p.Duration))
	}
	if p.FailFrac > 0 && (p.FailAt < 0 || p.FailAt >= p.Duration) {
		errs = append(errs, scenarios.Errorf("fail_at", "must be in [0, duration)"))
	}
	if p.Bits < 64 && ids == nil && float64(p.Nodes*p.Virtual) > math.Pow(2, float64(p.Bits))/16 {
		errs = append(errs, scenarios.Errorf("bits", "%d-bit SHA-1 ids for %d nodes would collide: give ids, or more bits", p.Bits, p.Nodes*p.Virtual))
	}
	if ids != nil && len(ids) != p.Nodes {
		errs = append(errs, scenarios.Errorf("nodes", "%d nodes, but ids lists %d", p.Nodes, len(ids)))
	}
	return errors.Join(errs...)
}

// chordRun is a run's measurements.
type chordRun struct {
	chord.Report
	stats      chord.Stats
	nodes      int
	seconds    float64
	population float64
	up         scenarios.TimeSeries
	events     uint64
}

// percentile is the q-quantile of xs by the nearest rank.
func percentile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// perNodeSecond divides a count by the mean population and the run's duration.
func (r *chordRun) perNodeSecond(x int64) float64 {
	if r.population <= 0 || r.seconds <= 0 {
		return math.NaN()
	}
	return float64(x) / r.population / r.seconds
}

func (r *chordRun) lookupMessages() int64 {
	s := &r.stats
	return s.Count(chord.MsgFindNext) + s.Count(chord.MsgNext) + s.Count(chord.MsgLookup) + s.Count(chord.MsgFound) + s.Count(chord.MsgGet) + s.Count(chord.MsgValue) - s.MaintLookupMessages
}

func (r *chordRun) maintenanceMessages() int64 { return r.stats.MaintenanceMessages() }

var chordReadings = []scenarios.Reading[chordRun]{
	scenarios.Scalar("lookups", "", "lookups measured (started after the warm-up)", func(r *chordRun) float64 { return float64(r.Lookups) }),
	scenarios.Scalar("failed_fraction", "", "fraction of measured lookups that did not reach the key's current successor", func(r *chordRun) float64 {
		if r.Lookups == 0 {
			return math.NaN()
		}
		return float64(r.Failed) / float64(r.Lookups)
	}),
	scenarios.Scalar("hops_mean", "", "mean path length: nodes a lookup visits, the querier excluded (iterative: up to the key's predecessor; recursive and the ring: up to its successor)", func(r *chordRun) float64 { return mean(r.Hops) }),
	scenarios.Scalar("hops_p01", "", "1st percentile of the path length", func(r *chordRun) float64 { return percentile(r.Hops, 0.01) }),
	scenarios.Scalar("hops_p99", "", "99th percentile of the path length", func(r *chordRun) float64 { return percentile(r.Hops, 0.99) }),
	scenarios.Scalar("path_mean", "", "mean nodes a lookup visits up to and including the key's successor, the querier excluded (ToN'03's path length)", func(r *chordRun) float64 { return mean(r.Path) }),
	scenarios.Scalar("path_p01", "", "1st percentile of the path to the successor", func(r *chordRun) float64 { return percentile(r.Path, 0.01) }),
	scenarios.Scalar("path_p99", "", "99th percentile of the path to the successor", func(r *chordRun) float64 { return percentile(r.Path, 0.99) }),
	scenarios.Scalar("timeouts_mean", "", "mean requests of a lookup that timed out", func(r *chordRun) float64 { return mean(r.Timeouts) }),
	scenarios.Scalar("timeouts_p01", "", "1st percentile of a lookup's timeouts", func(r *chordRun) float64 { return percentile(r.Timeouts, 0.01) }),
	scenarios.Scalar("timeouts_p99", "", "99th percentile of a lookup's timeouts", func(r *chordRun) float64 { return percentile(r.Timeouts, 0.99) }),
	scenarios.Scalar("latency_mean_s", "s", "mean lookup latency", func(r *chordRun) float64 { return mean(r.LatencyS) }),
	scenarios.Scalar("messages_per_lookup", "", "lookup messages (queries, forwards, answers, and an iterative lookup's get from the successor) per lookup completed, the warm-up's included as their messages are", func(r *chordRun) float64 {
		if r.Completed == 0 {
			return math.NaN()
		}
		return float64(r.lookupMessages()) / float64(r.Completed)
	}),
	scenarios.Scalar("keys_mean", "", "mean keys stored per live host", func(r *chordRun) float64 { return mean(r.KeysPerHost) }),
	scenarios.Scalar("keys_p01", "", "1st percentile of the keys per host", func(r *chordRun) float64 { return percentile(r.KeysPerHost, 0.01) }),
	scenarios.Scalar("keys_p99", "", "99th percentile of the keys per host", func(r *chordRun) float64 { return percentile(r.KeysPerHost, 0.99) }),
	scenarios.Scalar("routing_entries_mean", "", "mean distinct peers a node knows (predecessor, successors, fingers, shortcuts)", func(r *chordRun) float64 { return mean(r.Routing) }),
	scenarios.Scalar("consistency", "", "fraction of live nodes whose successor is the right one, at the end", func(r *chordRun) float64 { return r.Consistent }),
	scenarios.Scalar("lookup_msgs_per_node_s", "1/s", "lookup messages sent per node per second", func(r *chordRun) float64 { return r.perNodeSecond(r.lookupMessages()) }),
	scenarios.Scalar("maintenance_msgs_per_node_s", "1/s", "maintenance messages (stabilize, notify, pings, joins, leaves, key transfers, fix_fingers' lookups) per node per second", func(r *chordRun) float64 { return r.perNodeSecond(r.maintenanceMessages()) }),
	scenarios.Scalar("maintenance_bytes_per_node_s", "B/s", "maintenance bytes sent per node per second", func(r *chordRun) float64 { return r.perNodeSecond(r.stats.MaintenanceBytes()) }),
	scenarios.Scalar("population", "", "mean number of hosts up", func(r *chordRun) float64 { return r.population }),
	scenarios.Scalar("crashed", "", "nodes failed at once at fail_at", func(r *chordRun) float64 { return float64(r.Crashed) }),
	scenarios.Scalar("events", "", "kernel events in the run", func(r *chordRun) float64 { return float64(r.events) }),
	scenarios.Sample("hops", "", "each measured lookup's path length", func(r *chordRun) []float64 { return r.Hops }),
	scenarios.Sample("timeouts", "", "each measured lookup's timeouts", func(r *chordRun) []float64 { return r.Timeouts }),
	scenarios.Sample("latency_s", "s", "each measured lookup's latency", func(r *chordRun) []float64 { return r.LatencyS }),
	scenarios.Sample("keys", "", "keys stored by each live host", func(r *chordRun) []float64 { return r.KeysPerHost }),
	scenarios.Sample("routing_entries", "", "distinct peers each live node knows", func(r *chordRun) []float64 { return r.Routing }),
	scenarios.Series("nodes_up", "", "hosts up (the churn), a step function", func(r *chordRun) scenarios.TimeSeries { return r.up }),
}

// perTypeReadings are the messages per node per second of each type.
func perTypeReadings() []scenarios.Reading[chordRun] {
	var out []scenarios.Reading[chordRun]
	for t := chord.MsgType(1); t <= chord.MsgFingers; t++ {
		name := "msgs_" + strings.ReplaceAll(t.String(), "-", "_") + "_per_node_s"
		out = append(out, scenarios.Scalar(name, "1/s", t.String()+" messages sent per node per second, all of them (of a lookup type: the workload's lookups' and the ring's own, fix_fingers' and joins')", func(r *chordRun) float64 { return r.perNodeSecond(r.stats.Count(t)) }))
	}
	return out
}

var _ = scenarios.Register(scenarios.Decl[chordParams, chordRun]{
	Name:     "chord",
	Summary:  "a DHT: the texts' circular ring with shortcuts and two successors, or Chord with fingers, stabilization and churn (K&R §2.6.2; Stoica et al.)",
	Check:    checkChord,
	Run:      runChord,
	Topology: true, Schedule: true,
	Platform: (*chordParams).platform,
	Deploy:   deployChord,
	Metrics:  append(slices.Clone(chordReadings), perTypeReadings()...),
	Theory: []scenarios.TheoryOf[chordParams]{
		{Name: "half_log2_n", Label: "½·log2 N (SIGCOMM'01 §6.3)", Metric: "hops_mean", Value: func(p *chordParams) (float64, error) {
			return 0.5 * math.Log2(float64(p.Nodes*p.Virtual)), nil
		}},
		{Name: "n_over_2", Label: "N/2 (K&R §2.6.2)", Metric: "messages_per_lookup", Value: func(p *chordParams) (float64, error) {
			return float64(p.Nodes) / 2, nil
		}},
	},
})

// pool is the hosts of the default star: N, or 2N with churn (so that an arrival
// always finds a host down).
func (p *chordParams) pool() int {
	if p.ChurnRate > 0 {
		return 2 * p.Nodes
	}
	return p.Nodes
}

func (p *chordParams) platform(env *scenarios.RunEnv) *scenarios.Topology {
	return &scenarios.Topology{Star: &scenarios.StarTopology{Hosts: []scenarios.StarHost{
		{Name: "node", Count: p.pool(), Upload: scenarios.Unconstrained, Download: scenarios.Unconstrained, Delay: p.Delay},
	}}}
}

func deployChord(p *chordParams, t *scenarios.Topology) (scenarios.Deployment, error) {
	hosts := t.Group("node")
	if len(hosts) == 0 {
		return nil, scenarios.Errorf("topology", "kind chord needs hosts named node0, node1, ...")
	}
	if ids, _ := p.ids(); ids != nil && len(ids) != len(hosts) {
		return nil, scenarios.Errorf("topology", "ids lists %d ids for %d hosts named node<i>", len(ids), len(hosts))
	}
	dep := make(scenarios.Deployment, len(hosts))
	for i, h := range hosts {
		dep[i] = scenarios.Placement{Host: h, Role: "node"}
	}
	return dep, nil
}

// churnSchedule is the default schedule of a run with churn_rate: the pool's hosts
// join as a Poisson process of rate R and stay for the lifetime, N of them from the
// start (ToN'03 §V: "nodes join and fail according to a Poisson process ... the mean
// number of nodes stays N").
func (p *chordParams) churnSchedule(hosts []string) (*scenarios.Schedule, error) {
	life := p.Lifetime
	if _, isConst := life.Const(); isConst && life.Mean() == 0 {
		mean := units.Duration(sim.Seconds(float64(p.Nodes) / p.ChurnRate.PerSecond()))
		if err := yamlRandom(&life, fmt.Sprintf("{exponential: %s}", mean)); err != nil {
			return nil, err
		}
	}
	dep := scenarios.Crash
	if p.Departure == "leave" {
		dep = scenarios.Leave
	}
	return &scenarios.Schedule{Horizon: p.Duration.Time(), Churn: []scenarios.ChurnProcess{{
		Hosts: hosts, Rate: p.ChurnRate, Lifetime: life, Departure: dep, Grace: sim.Second, Initial: min(p.Nodes, len(hosts)),
	}}}, nil
}

func runChord(ctx context.Context, p *chordParams, env scenarios.RunEnv) (chordRun, error) {
	hosts := env.Deployment.Hosts("node")
	if p.ChurnRate > 0 {
		if env.Schedule != nil {
			return chordRun{}, fmt.Errorf("chord: churn_rate and a schedule: give the churn in one place")
		}
		s, err := p.churnSchedule(hosts)
		if err != nil {
			return chordRun{}, err
		}
		env.Schedule = s
	}
	pl, err := scenarios.NewPlatform(env)
	if err != nil {
		return chordRun{}, err
	}
	stats := &chord.Stats{}
	cfg := &chord.Config{
		Space: p.space(), Mode: chord.Mode(p.Mode), Style: chord.Style(p.Style), Port: 4000, Transport: chord.Transport(p.Transport),
		Successors: p.successors(), Fingers: p.Mode == string(chord.Chord) || p.Shortcuts == "fingers",
		RPCTimeout: p.RPCTimeout.Time(), Retries: p.Retries, LookupTimeout: p.LookupTO.Time(),
		LookupRate: p.LookupRate, Stats: stats,
	}
	if p.Maintain {
		per := chord.Period{Min: p.StabMin.Time(), Max: p.StabMax.Time()}
		cfg.Stabilize, cfg.FixFingers, cfg.CheckPred = per, per, per
		cfg.EveryFinger = p.FixFingers == "every"
		cfg.CopyFingers = p.JoinFinger == "copy"
	}
	if err := cfg.Check(); err != nil {
		return chordRun{}, err
	}
	// The ring at time 0: the hosts up from the start, and those the schedule has
	// join at time 0 (a churn's initial population), which take the stabilized
	// state too rather than each start a ring of its own.
	down := map[string]bool{}
	if env.Schedule != nil {
		down = env.Schedule.DownAtStart()
		for _, ev := range env.Schedule.Expand(env.Streams()) {
			if ev.At == 0 && ev.Action == scenarios.Join {
				delete(down, ev.Target)
			}
		}
	}
	// A churn process's arrivals are new nodes (ToN'03 §V-F, SIGCOMM'01 §6.5): the
	// pool's host an arrival takes, often one that has just left, is reborn with a
	// new id. A host an ids list names, or one a schedule recovers by name with no
	// churn process, comes back as the node it was.
	ids, _ := p.ids()
	reborn := ids == nil && env.Schedule != nil && len(env.Schedule.Churn) > 0
	e := &chord.Experiment{Config: cfg, Virtual: p.Virtual, Ideal: p.Ideal, NewIdentity: reborn,
		Lookups: p.Lookups, From: p.Warmup.Time(), To: p.measureEnd(), Keys: p.Keys, ValueBytes: int(p.ValueBytes.Bytes()), PutOver: min(10*sim.Second, p.Duration.Time()/2),
		FailFraction: p.FailFrac, FailAt: p.FailAt.Time(), Rand: env.Streams().Stream("chord/experiment")}
	for _, h := range hosts {
		e.Names = append(e.Names, h)
		e.Nodes = append(e.Nodes, pl.Node(h))
		e.Up = append(e.Up, !down[h])
	}
	for _, x := range ids {
		e.IDs = append(e.IDs, cfg.Space.FromUint(x))
	}
	progs := e.Prepare(pl.Stack)
	if sc, _ := p.shortcuts(); len(sc) > 0 {
		e.SetShortcuts(func(id chord.ID) []chord.ID {
			var out []chord.ID
			for _, to := range sc[id.Uint64()] {
				out = append(out, cfg.Space.FromUint(to))
			}
			return out
		})
	}
	for i, h := range hosts {
		for _, prog := range progs[i] {
			pl.Boot(h, prog)
		}
	}
	e.Start()
	pl.Kernel.At(p.Duration.Time(), pl.Kernel.Stop)
	if err := pl.Run(ctx); err != nil {
		return chordRun{}, err
	}
	r := chordRun{Report: e.Report(), stats: *stats, nodes: len(hosts), seconds: p.Duration.Time().Seconds(), events: pl.Kernel.Events()}
	r.up = pl.UpSeries(hosts, p.Duration.Time())
	r.population = scenarios.TimeAverage(r.up)
	return r, nil
}
