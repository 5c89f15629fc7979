package dns

import (
	"math"
	"testing"

	"netsim/sim"
	"netsim/topology"
)

// world is the texts' example on a real simulated network: an access-link star with
// unconstrained links (so a message's only delay is propagation, and latencies are
// sums of RTTs to the nanosecond), a name server on every server host of a name space,
// a local server and a client with a stub.
type world struct {
	t       *testing.T
	k       *sim.Kernel
	net     *topology.Network
	st      *topology.Stack
	delay   map[string]sim.Time // one-way, host to core
	servers map[string]*Server
	local   *Resolver
	stub    *Stub
}

// worldHosts are the hosts of the texts' example besides the name servers.
var worldHosts = []string{TextbookClient, TextbookLocal, TextbookTarget, TextbookWeb}

// newWorld builds ns's servers and the hosts, each delay[name] from the core (1 ms if
// not given), and boots them: servers with scfg, the local server with rcfg (roots
// filled in), the client's stub with its default retries unless stubRetry is set.
func newWorld(t *testing.T, ns *Namespace, delay map[string]sim.Time, scfg ServerConfig, rcfg ResolverConfig) *world {
	t.Helper()
	names := append(ns.Servers(), worldHosts...)
	var hosts []topology.StarHost
	w := &world{t: t, k: sim.NewKernel(), delay: map[string]sim.Time{}, servers: map[string]*Server{}}
	for _, n := range names {
		d, ok := delay[n]
		if !ok {
			d = sim.Millisecond
		}
		w.delay[n] = d
		hosts = append(hosts, topology.StarHost{Name: trimDot(n), UploadBps: math.Inf(1), DownloadBps: math.Inf(1), Delay: d})
	}
	var err error
	if w.net, err = topology.BuildStar(w.k, hosts); err != nil {
		t.Fatal(err)
	}
	w.st = topology.NewStack(w.net, sim.NewStreams(1))
	zones, err := ns.Build(func(s string) (RR, bool) {
		id, ok := w.net.Node(trimDot(s))
		return RR{Type: TypeA, Addr: AddrOfNode(id)}, ok
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ns.Servers() {
		cfg := scfg
		cfg.Zones = zones[s]
		w.boot(s, func(h topology.Host) {
			srv, err := StartServer(h, cfg)
			if err != nil {
				t.Fatal(err)
			}
			w.servers[s] = srv
		})
	}
	for _, r := range ns.Zones[0].Servers {
		rcfg.Roots = append(rcfg.Roots, w.node(r))
	}
	w.boot(TextbookLocal, func(h topology.Host) {
		if w.local, err = StartResolver(h, rcfg); err != nil {
			t.Fatal(err)
		}
	})
	w.boot(TextbookClient, func(h topology.Host) {
		if w.stub, err = NewStub(h, StubConfig{Servers: []topology.NodeID{w.node(TextbookLocal)}}); err != nil {
			t.Fatal(err)
		}
	})
	return w
}

func (w *world) node(name string) topology.NodeID {
	id, ok := w.net.Node(trimDot(name))
	if !ok {
		w.t.Fatalf("no host %s", name)
	}
	return id
}

func (w *world) boot(name string, program func(topology.Host)) { w.st.Boot(w.node(name), program) }

// rtt is the round trip between two hosts of the star: both access links, both ways.
func (w *world) rtt(a, b string) sim.Time { return 2 * (w.delay[a] + w.delay[b]) }

// messages is the number of datagrams and TCP messages every host has sent so far.
func (w *world) messages() int64 {
	var n int64
	for id := range w.net.NumNodes() {
		n += w.st.Stats(topology.NodeID(id)).MessagesSent
	}
	return n
}

// lookup resolves name of type t from the client and runs the network until it is
// answered; it returns the result and the messages it cost.
func (w *world) lookup(name string, t Type) (Result, int64) {
	w.t.Helper()
	before := w.messages()
	var res *Result
	w.stub.Lookup(Question{Name: name, Type: t}, func(r Result) { res = &r })
	w.k.Run()
	if res == nil {
		w.t.Fatalf("lookup of %s never answered", name)
	}
	return *res, w.messages() - before
}
