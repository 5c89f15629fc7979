package chord

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"

	"netsim/sim"
	"netsim/topology"
)

// Experiment is the papers' measurement around a ring: it places v nodes on each of
// a platform's hosts, gives the ones up at the start the stabilized state (or lets
// them join), drives lookups, inserts keys, fails a fraction of the nodes at once, and
// judges every lookup against the true membership. It builds no network: the scenario
// layer gives it the hosts and boots the programs it returns.
type Experiment struct {
	Config *Config
	// Hosts are the platform's hosts, by name and node; Up says which are up at time
	// 0 (the others join later, through the schedule).
	Names []string
	Nodes []topology.NodeID
	Up    []bool
	// Virtual is v, the nodes per host (SIGCOMM'01 §6.2); ids are SHA-1 of the host's
	// name (of name#j for virtual node j > 0) unless IDs gives one per host.
	Virtual int
	IDs     []ID
	// Ideal starts the nodes up at time 0 with the stabilized ring; else they join
	// through the first host, at time 0.
	Ideal bool
	// Lookups, if > 0, are started at uniformly random times in [From, To), each at a
	// node drawn uniformly among the live ones, for keys as Config.Keys says. Lookups
	// the nodes' own Poisson workload (Config.LookupRate) starts count too; only
	// those started in [From, To) are measured.
	Lookups  int
	From, To sim.Time
	// Keys pairs are put from random nodes (names key0, key1, ...); they become
	// Config.Keys, the lookups' keys.
	Keys       int
	ValueBytes int
	// PutOver spreads the puts evenly over [0, PutOver); 0: all at time 0.
	PutOver sim.Time
	// NewIdentity makes a host that boots again, after a crash or a leave, a new
	// node: virtual node j of its k-th rebirth takes the id SHA-1(name@k#j) and the
	// port Config.Port + k·v + j (wrapping round below 65536), so that every pointer
	// to the node it was is a dead one, as a departed node's are in the papers'
	// churn experiments, whose joins are new nodes (SIGCOMM'01 §6.5, ToN'03 §V-F).
	// Off: the host comes back as the node it was, the same id at the same address,
	// and the stale pointers to it are good again once it has joined.
	NewIdentity bool
	// FailFraction of the nodes up at FailAt crash then, all at once (SIGCOMM'01
	// §6.4, ToN'03 Table II).
	FailFraction float64
	FailAt       sim.Time
	Rand         *rand.Rand

	stack  *topology.Stack
	k      *sim.Kernel
	specs  []*Spec
	nodes  []*Node // by spec
	sorted []int   // specs by id
	ids    []ID    // their ids, in that order: trueSuccessor's binary search reads no spec
	// reborn: a spec's id has changed (NewIdentity) since sorted was made.
	reborn  bool
	results []judged
	// completed counts every lookup that finished, those of the warm-up included: the
	// lookup messages a run counts are theirs too.
	completed int
	failed    int
}

// judged is what the report keeps of a measured lookup: 16 bytes rather than the
// Result's 140, for runs of 10^7 lookups.
type judged struct {
	latency              sim.Time
	hops, path, timeouts uint16
	correct              bool
}

// Prepare computes the nodes' ids and states and returns, for each host, the programs
// to boot on it (its virtual nodes). Call Start once they are booted.
func (e *Experiment) Prepare(stack *topology.Stack) [][]func(topology.Host) error {
	e.stack, e.k = stack, stack.Kernel()
	v := max(e.Virtual, 1)
	s := e.Config.Space
	n := len(e.Names)
	e.specs = make([]*Spec, 0, n*v)
	var initial []Peer
	var initialSpec []int
	for h, name := range e.Names {
		for j := range v {
			id := s.Hash(name)
			if j > 0 {
				id = s.Hash(fmt.Sprintf("%s#%d", name, j))
			}
			if e.IDs != nil {
				id = e.IDs[h]
			}
			k := len(e.specs)
			spec := &Spec{ID: id, Port: e.Config.Port + j}
			spec.OnStart = func(nd *Node) { e.nodes[k] = nd }
			spec.Join = e.bootstrap
			if e.NewIdentity {
				spec.Reborn = e.rebirth(name, j, v)
			}
			e.specs = append(e.specs, spec)
			if e.Up[h] {
				initial = append(initial, Peer{ID: id, Node: e.Nodes[h], Port: uint16(spec.Port)})
				initialSpec = append(initialSpec, k)
			}
		}
	}
	e.nodes = make([]*Node, len(e.specs))
	e.sortByID()
	if e.Ideal {
		states := Ideal(s, initial, e.Config.Successors, e.Config.Fingers)
		for i, k := range initialSpec {
			e.specs[k].Initial = &states[i]
		}
	} else if len(initialSpec) > 0 {
		// The first node starts the ring and the others join through it, at their
		// first boot; a node that reboots joins through a live node, like any other.
		first := initial[0]
		for i, k := range initialSpec {
			once := false
			e.specs[k].Join = func() (Peer, bool) {
				if once {
					return e.bootstrap()
				}
				once = true
				return first, i > 0
			}
		}
	}
	cfg := e.Config
	user := cfg.OnLookup
	cfg.OnLookup = func(nd *Node, r Result) {
		if user != nil {
			user(nd, r)
		}
		e.completed++
		if r.Start < e.From || r.Start >= e.To {
			return
		}
		want, ok := e.trueSuccessor(r.Key)
		e.results = append(e.results, judged{latency: r.Latency, hops: clip16(r.Hops), path: clip16(r.Path), timeouts: clip16(r.Timeouts), correct: r.OK && ok && r.Owner == want})
	}
	progs := make([][]func(topology.Host) error, n)
	for h := range e.Names {
		for j := range v {
			progs[h] = append(progs[h], Program(cfg, e.specs[h*v+j]))
		}
	}
	return progs
}

// sortByID orders the specs by id, for trueSuccessor.
func (e *Experiment) sortByID() {
	e.sorted = make([]int, len(e.specs))
	for i := range e.sorted {
		e.sorted[i] = i
	}
	sort.Slice(e.sorted, func(a, b int) bool { return Less(e.specs[e.sorted[a]].ID, e.specs[e.sorted[b]].ID) })
	e.ids = make([]ID, len(e.sorted))
	for i, k := range e.sorted {
		e.ids[i] = e.specs[k].ID
	}
	e.reborn = false
}

// rebirth returns virtual node j's Spec.Reborn, for a host of v virtual nodes
// named name: each rebirth a new id and a new port (NewIdentity).
func (e *Experiment) rebirth(name string, j, v int) func(*Spec) {
	span := max((65536-e.Config.Port)/v*v, v) // ports Config.Port … 65535, v at a time
	k := 0
	return func(spec *Spec) {
		k++
		spec.ID = e.Config.Space.Hash(fmt.Sprintf("%s@%d#%d", name, k, j))
		spec.Port = e.Config.Port + (k*v+j)%span
		e.reborn = true
	}
}

// clip16 is x as a uint16; a lookup's hops and timeouts are bounded by maxHops.
func clip16(x int) uint16 { return uint16(min(max(x, 0), 0xffff)) }

// SetShortcuts gives each node the texts' shortcuts: to(id) lists the ids of the
// nodes a node of that id has shortcuts to. Call it after Prepare.
func (e *Experiment) SetShortcuts(to func(ID) []ID) {
	byID := map[ID]Peer{}
	v := max(e.Virtual, 1)
	for k, spec := range e.specs {
		byID[spec.ID] = Peer{ID: spec.ID, Node: e.Nodes[k/v], Port: uint16(spec.Port)}
	}
	for _, spec := range e.specs {
		for _, id := range to(spec.ID) {
			if p, ok := byID[id]; ok {
				spec.Shortcuts = append(spec.Shortcuts, p)
			}
		}
	}
}

// Start schedules the experiment's own events: key inserts, lookups, the failure.
func (e *Experiment) Start() {
	cfg := e.Config
	if e.Keys > 0 {
		cfg.Keys = make([]ID, e.Keys)
		for i := range cfg.Keys {
			cfg.Keys[i] = cfg.Space.Hash(fmt.Sprintf("key%d", i))
		}
		value := make([]byte, e.ValueBytes)
		// One put every PutOver/Keys: all at once, a hundred thousand lookups would
		// be in flight together, each holding its state.
		gap := e.PutOver / sim.Time(len(cfg.Keys))
		for i, key := range cfg.Keys {
			e.k.At(sim.Time(i)*gap, func() {
				if nd := e.randomNode(); nd != nil {
					nd.Put(key, value, func(bool) {})
				}
			})
		}
	}
	if e.FailFraction > 0 {
		e.k.At(e.FailAt, e.fail)
	}
	if e.Lookups > 0 && e.To > e.From {
		times := make([]sim.Time, e.Lookups)
		for i := range times {
			times[i] = e.From + sim.Time(e.Rand.Int64N(int64(e.To-e.From)))
		}
		slices.Sort(times)
		for _, at := range times {
			e.k.At(at, func() {
				if nd := e.randomNode(); nd != nil {
					nd.Lookup(nd.randomKey(), nil)
				}
			})
		}
	}
}

// live reports whether spec k's node is running and in the ring.
func (e *Experiment) live(k int) bool {
	nd := e.nodes[k]
	return nd != nil && nd.Joined() && !nd.left && e.stack.Up(nd.self.Node)
}

// randomNode is a uniformly drawn live node, nil if none after a few tries.
func (e *Experiment) randomNode() *Node {
	for range 64 {
		if k := e.Rand.IntN(len(e.nodes)); e.live(k) {
			return e.nodes[k]
		}
	}
	for k := range e.nodes {
		if e.live(k) {
			return e.nodes[k]
		}
	}
	return nil
}

// bootstrap is a joining node's one known peer: a live node drawn at random (the
// texts' "it only knows about peer 1's existence"; Chord leaves the discovery of a
// first node to the application).
func (e *Experiment) bootstrap() (Peer, bool) {
	if nd := e.randomNode(); nd != nil {
		return nd.self, true
	}
	return None, false
}

// fail crashes FailFraction of the live hosts at once.
func (e *Experiment) fail() {
	var up []int
	for h, id := range e.Nodes {
		if e.stack.Up(id) {
			up = append(up, h)
		}
	}
	k := int(e.FailFraction*float64(len(up)) + 0.5)
	e.Rand.Shuffle(len(up), func(i, j int) { up[i], up[j] = up[j], up[i] })
	for _, h := range up[:k] {
		e.stack.Crash(e.Nodes[h])
	}
	e.failed = k
}

// trueSuccessor is the live node that succeeds key, by the whole membership: what a
// lookup must find to succeed (ToN'03 §V: "a lookup is successful if it reaches the
// current successor of the desired key").
func (e *Experiment) trueSuccessor(key ID) (Peer, bool) {
	if e.reborn {
		e.sortByID()
	}
	n := len(e.sorted)
	i := sort.Search(n, func(i int) bool { return !Less(e.ids[i], key) })
	for j := range n {
		if k := e.sorted[(i+j)%n]; e.live(k) {
			return e.nodes[k].self, true
		}
	}
	return None, false
}

// Report is what an experiment measured.
type Report struct {
	Lookups, Failed int
	Completed       int       // lookups finished, measured or not (the warm-up's too)
	Hops, Timeouts  []float64 // per measured lookup
	Path            []float64
	LatencyS        []float64
	KeysPerHost     []float64 // per live host, its virtual nodes' keys together
	Routing         []float64 // per live node, distinct peers known
	Consistent      float64   // fraction of live nodes whose successor is right
	LiveNodes       int
	Crashed         int
}

// Report reads the measurements at the end of the run.
func (e *Experiment) Report() Report {
	r := Report{Completed: e.completed}
	for _, j := range e.results {
		r.Lookups++
		if !j.correct {
			r.Failed++
		}
		r.Hops = append(r.Hops, float64(j.hops))
		r.Path = append(r.Path, float64(j.path))
		r.Timeouts = append(r.Timeouts, float64(j.timeouts))
		r.LatencyS = append(r.LatencyS, j.latency.Seconds())
	}
	v := max(e.Virtual, 1)
	good := 0
	for h := range e.Names {
		keys, live := 0, false
		for j := range v {
			k := h*v + j
			if !e.live(k) {
				continue
			}
			live = true
			nd := e.nodes[k]
			keys += nd.Keys()
			r.Routing = append(r.Routing, float64(nd.RoutingEntries()))
			r.LiveNodes++
			if want, ok := e.trueSuccessor(e.Config.Space.Add(nd.self.ID, e.Config.Space.FromUint(1))); ok && nd.Successor() == want {
				good++
			}
		}
		if live {
			r.KeysPerHost = append(r.KeysPerHost, float64(keys))
		}
	}
	if r.LiveNodes > 0 {
		r.Consistent = float64(good) / float64(r.LiveNodes)
	}
	r.Crashed = e.failed
	return r
}
