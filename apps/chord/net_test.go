package chord

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"

	"netsim/sim"
	"netsim/topology"
)

// netRing is a ring of nodes on a real simulated network: an access-link star, every
// host 10 ms from the core, so a datagram takes 20 ms host to host. Every datagram
// is printed as it leaves its sender: the message-by-message trace of a golden test.
type netRing struct {
	t     *testing.T
	cfg   *Config
	k     *sim.Kernel
	st    *topology.Stack
	nodes map[uint64]*Node // by id
	specs map[uint64]*Spec
	hosts map[uint64]topology.NodeID
	names map[topology.NodeID]uint64
	trace strings.Builder
	quiet bool
}

// newNetRing builds a star of one host per id, plus spare hosts for joins, and boots
// the ids given with the stabilized state (Ideal).
func newNetRing(t *testing.T, cfg *Config, ids, spare []uint64, shortcuts map[uint64][]uint64) *netRing {
	r := &netRing{t: t, cfg: cfg, nodes: map[uint64]*Node{}, specs: map[uint64]*Spec{}, hosts: map[uint64]topology.NodeID{}, names: map[topology.NodeID]uint64{}}
	r.k = sim.NewKernel()
	var hs []topology.StarHost
	all := append(slices.Clone(ids), spare...)
	for _, id := range all {
		hs = append(hs, topology.StarHost{Name: fmt.Sprintf("peer%d", id), UploadBps: 1e9, DownloadBps: 1e9, Delay: 10 * sim.Millisecond})
	}
	net, err := topology.BuildStar(r.k, hs)
	if err != nil {
		t.Fatal(err)
	}
	r.st = topology.NewStack(net, sim.NewStreams(1))
	for _, id := range all {
		h, _ := r.st.HostNamed(fmt.Sprintf("peer%d", id))
		r.hosts[id] = h.Node()
		r.names[h.Node()] = id
	}
	r.st.DropDatagram = func(_ uint64, from, to topology.Addr, m topology.Message) bool {
		if !r.quiet {
			fmt.Fprintf(&r.trace, "%v %d → %d: %s (%d B)\n", r.k.Now(), r.names[from.Node], r.names[to.Node], m.Payload.(*Msg).Text(), m.SizeBytes)
		}
		return false
	}
	peers := make([]Peer, len(ids))
	for i, id := range ids {
		peers[i] = r.peer(id)
	}
	states := Ideal(cfg.Space, peers, cfg.Successors, cfg.Fingers)
	for i, id := range ids {
		st := states[i]
		spec := r.spec(id)
		spec.Initial = &st
		for _, s := range shortcuts[id] {
			spec.Shortcuts = append(spec.Shortcuts, r.peer(s))
		}
		r.st.Boot(r.hosts[id], mustProgram(t, cfg, spec))
	}
	for _, id := range spare {
		r.st.Crash(r.hosts[id]) // down until it joins
		r.st.Boot(r.hosts[id], mustProgram(t, cfg, r.spec(id)))
	}
	return r
}

func mustProgram(t *testing.T, cfg *Config, spec *Spec) func(topology.Host) {
	p := Program(cfg, spec)
	return func(h topology.Host) {
		if err := p(h); err != nil {
			t.Fatal(err)
		}
	}
}

func (r *netRing) spec(id uint64) *Spec {
	if s, ok := r.specs[id]; ok {
		return s
	}
	s := &Spec{ID: r.cfg.Space.FromUint(id), OnStart: func(n *Node) { r.nodes[id] = n }}
	r.specs[id] = s
	return s
}

func (r *netRing) peer(id uint64) Peer {
	return Peer{ID: r.cfg.Space.FromUint(id), Node: r.hosts[id], Port: uint16(r.cfg.Port)}
}

// run runs the kernel until d from now and returns the trace meanwhile.
func (r *netRing) run(d sim.Time) string {
	r.k.RunUntil(r.k.Now() + d)
	out := r.trace.String()
	r.trace.Reset()
	return out
}

// state prints every live node's predecessor, successors and fingers.
func (r *netRing) state(ids []uint64) string {
	var sb strings.Builder
	for _, id := range ids {
		n := r.nodes[id]
		if n == nil || !r.st.Up(r.hosts[id]) {
			fmt.Fprintf(&sb, "%d: down\n", id)
			continue
		}
		fmt.Fprintf(&sb, "%d: pred=%v succ=%v", id, n.Pred(), n.Successors())
		if len(n.fingers) > 0 {
			var fs []string
			for i := range r.cfg.Space.Bits {
				fs = append(fs, n.Finger(i).String())
			}
			fmt.Fprintf(&sb, " fingers=[%s]", strings.Join(fs, " "))
		}
		if len(n.store) > 0 {
			var ks []ID
			for k := range n.store {
				ks = append(ks, k)
			}
			slices.SortFunc(ks, Cmp)
			fmt.Fprintf(&sb, " keys=%v", ks)
		}
		sb.WriteByte('\n')
	}
	return sb.String()
}

func uintList(t *testing.T, s string) []uint64 {
	var out []uint64
	for _, f := range strings.Split(s, ",") {
		if f == "" {
			continue
		}
		x, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			t.Fatalf("bad id %q", f)
		}
		out = append(out, x)
	}
	return out
}

// TestNetScripts runs the golden scripts of whole rings on a simulated network,
// message by message: testdata/net/*.txt. Regenerate with -rewrite.
func TestNetScripts(t *testing.T) {
	datadriven.Walk(t, "testdata/net", func(t *testing.T, path string) {
		var r *netRing
		var ids []uint64
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			arg := func(key, def string) string {
				if d.HasArg(key) {
					var v string
					d.ScanArgs(t, key, &v)
					return v
				}
				return def
			}
			switch d.Cmd {
			case "ring":
				bits, _ := strconv.Atoi(arg("bits", "4"))
				r2, _ := strconv.Atoi(arg("successors", "1"))
				cfg := &Config{Space: NewSpace(bits), Mode: Mode(arg("mode", "ring")), Style: Style(arg("style", "iterative")),
					Port: 4000, Successors: r2, Fingers: arg("fingers", "false") == "true",
					RPCTimeout: 500 * sim.Millisecond, LookupTimeout: 2 * sim.Second, Stats: &Stats{}}
				if p := arg("stabilize", ""); p != "" {
					td, err := time.ParseDuration(p)
					if err != nil {
						t.Fatal(err)
					}
					dur := sim.Time(td)
					cfg.Stabilize = Period{dur, dur}
					cfg.FixFingers, cfg.CheckPred = cfg.Stabilize, cfg.Stabilize
				}
				ids = uintList(t, arg("ids", ""))
				shortcuts := map[uint64][]uint64{}
				for _, sc := range strings.Split(arg("shortcuts", ""), ",") {
					if a, b, ok := strings.Cut(sc, ":"); ok {
						x, _ := strconv.ParseUint(a, 10, 64)
						y, _ := strconv.ParseUint(b, 10, 64)
						shortcuts[x] = append(shortcuts[x], y)
					}
				}
				r = newNetRing(t, cfg, ids, uintList(t, arg("spare", "")), shortcuts)
				return r.state(ids)
			case "lookup":
				from := uintList(t, arg("from", ""))[0]
				key := r.cfg.Space.FromUint(uintList(t, arg("key", ""))[0])
				var res Result
				r.nodes[from].Lookup(key, func(x Result) { res = x })
				out := r.run(500 * sim.Millisecond)
				return out + fmt.Sprintf("result: owner=%v hops=%d timeouts=%d latency=%v ok=%v\n", res.Owner, res.Hops, res.Timeouts, res.Latency, res.OK)
			case "put":
				from := uintList(t, arg("from", ""))[0]
				key := r.cfg.Space.FromUint(uintList(t, arg("key", ""))[0])
				r.nodes[from].Put(key, []byte(arg("value", "v")), func(ok bool) {
					fmt.Fprintf(&r.trace, "%v put ok=%v\n", r.k.Now(), ok)
				})
				return r.run(500 * sim.Millisecond)
			case "crash":
				r.st.Crash(r.hosts[uintList(t, arg("id", ""))[0]])
				return "ok\n"
			case "leave":
				r.st.Leave(r.hosts[uintList(t, arg("id", ""))[0]], sim.Second)
				return r.run(sim.Second)
			case "join":
				id := uintList(t, arg("id", ""))[0]
				via := uintList(t, arg("via", ""))[0]
				r.specs[id].Join = func() (Peer, bool) { return r.peer(via), true }
				r.st.Recover(r.hosts[id])
				ids = append(ids, id)
				slices.Sort(ids)
				return r.run(500 * sim.Millisecond)
			case "advance":
				td, err := time.ParseDuration(d.CmdArgs[0].Key)
				if err != nil {
					t.Fatal(err)
				}
				dur := sim.Time(td)
				r.quiet = d.HasArg("quiet")
				out := r.run(dur)
				r.quiet = false
				return out + "ok\n"
			case "state":
				return r.state(ids)
			case "stats":
				var sb strings.Builder
				for ty := MsgType(1); ty < numMsgTypes; ty++ {
					if c := r.cfg.Stats.Messages[ty]; c > 0 {
						fmt.Fprintf(&sb, "%s: %d messages, %d B\n", ty, c, r.cfg.Stats.Bytes[ty])
					}
				}
				return sb.String()
			}
			t.Fatalf("unknown command %s", d.Cmd)
			return ""
		})
	})
}
