package topology

import (
	"math"
	"strings"
	"testing"

	"netsim/sim"
)

func mustNode(t *testing.T, n *Network, name string) NodeID {
	t.Helper()
	id, ok := n.Node(name)
	if !ok {
		t.Fatalf("no node %q", name)
	}
	return id
}

// routeOf returns the route between two named nodes as "a>b>c" and its delay.
func routeOf(t *testing.T, n *Network, from, to string) (string, sim.Time) {
	t.Helper()
	r, err := n.Route(mustNode(t, n, from), mustNode(t, n, to))
	if err != nil {
		t.Fatal(err)
	}
	path := []string{from}
	for _, l := range r.Links {
		path = append(path, n.NodeName(n.Link(l).To))
	}
	return strings.Join(path, ">"), r.Delay
}

func TestStarRoutes(t *testing.T) {
	k := sim.NewKernel()
	n, err := BuildStar(k, []StarHost{
		{Name: "s", UploadBps: 30e6, DownloadBps: 100e6, Delay: 5 * sim.Millisecond},
		{Name: "p", UploadBps: 1e6, DownloadBps: 2e6, Delay: 20 * sim.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	path, d := routeOf(t, n, "s", "p")
	if path != "s>core>p" || d != 25*sim.Millisecond {
		t.Fatalf("route %s delay %v, want s>core>p 25ms", path, d)
	}
	r, _ := n.Route(mustNode(t, n, "s"), mustNode(t, n, "p"))
	if up, down := n.Link(r.Links[0]), n.Link(r.Links[1]); up.CapacityBps != 30e6 || down.CapacityBps != 2e6 {
		t.Fatalf("uplink %v, downlink %v bit/s; want 30e6 and 2e6", up.CapacityBps, down.CapacityBps)
	}
	if rtt, _ := n.RTT(mustNode(t, n, "s"), mustNode(t, n, "p")); rtt != 50*sim.Millisecond {
		t.Fatalf("RTT %v, want 50ms", rtt)
	}
	if n.NumNodes() != 3 || n.NumLinks() != 4 {
		t.Fatalf("%d nodes %d links, want 3 and 4", n.NumNodes(), n.NumLinks())
	}
}

func TestInstitutionRoutes(t *testing.T) {
	// Kurose & Ross §2.2.5: the Internet delay (2 s) is from the Internet-side router
	// forwarding a request to its receiving the response, so RTT(internet, server) = 2 s;
	// host to server adds the LAN and the access link, each way.
	cfg := DefaultInstitution()
	cfg.Hosts, cfg.Servers = 3, 2
	cfg.LANDelay, cfg.AccessDelay = sim.Millisecond, 10*sim.Millisecond
	cfg.InternetDelay = 2*sim.Second + 1 // odd: the two directions must still add up
	n, err := BuildInstitution(sim.NewKernel(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	path, d := routeOf(t, n, "host2", "server1")
	if path != "host2>institution>internet>server1" || d != sim.Millisecond+10*sim.Millisecond+sim.Second {
		t.Fatalf("route %s delay %v", path, d)
	}
	rtt, _ := n.RTT(mustNode(t, n, "internet"), mustNode(t, n, "server0"))
	if rtt != 2*sim.Second+1 {
		t.Fatalf("Internet RTT %v, want 2s+1ns", rtt)
	}
	rtt, _ = n.RTT(mustNode(t, n, "host0"), mustNode(t, n, "server0"))
	if rtt != 2*sim.Millisecond+20*sim.Millisecond+2*sim.Second+1 {
		t.Fatalf("host-server RTT %v", rtt)
	}
	r, _ := n.Route(mustNode(t, n, "server0"), mustNode(t, n, "host1"))
	var caps []float64
	for _, l := range r.Links {
		caps = append(caps, n.Link(l).CapacityBps)
	}
	if len(caps) != 3 || !math.IsInf(caps[0], 1) || caps[1] != 15e6 || caps[2] != 100e6 {
		t.Fatalf("server->host link capacities %v, want [+Inf 15e6 100e6]", caps)
	}
	path, _ = routeOf(t, n, "host0", "host1")
	if path != "host0>institution>host1" {
		t.Fatalf("LAN route %s stays on the LAN", path)
	}
}

func TestDumbbellRoutes(t *testing.T) {
	n, err := BuildDumbbell(sim.NewKernel(), DumbbellConfig{
		Left: 2, Right: 3, AccessBps: 100e6, AccessDelay: sim.Millisecond,
		BottleneckBps: 10e6, BottleneckDelay: 20 * sim.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	path, d := routeOf(t, n, "left1", "right2")
	if path != "left1>left-router>right-router>right2" || d != 22*sim.Millisecond {
		t.Fatalf("route %s delay %v, want 22ms", path, d)
	}
	path, d = routeOf(t, n, "left0", "left1")
	if path != "left0>left-router>left1" || d != 2*sim.Millisecond {
		t.Fatalf("route %s delay %v", path, d)
	}
	// Two left hosts sending right share the 10 Mbit/s bottleneck equally.
	a, _ := n.Route(mustNode(t, n, "left0"), mustNode(t, n, "right0"))
	b, _ := n.Route(mustNode(t, n, "left1"), mustNode(t, n, "right1"))
	fa := n.StartFlow(a, 1e6, FlowOptions{}, nil)
	fb := n.StartFlow(b, 1e6, FlowOptions{}, nil)
	if fa.Rate() != 5e6 || fb.Rate() != 5e6 {
		t.Fatalf("rates %v %v, want 5e6 each", fa.Rate(), fb.Rate())
	}
}

func TestExplicitRoutes(t *testing.T) {
	// a-b direct costs 30 ms; a-c-b costs 10+10 = 20 ms and wins. d is reached from a
	// by two paths of equal delay: a-d direct (20 ms, 1 hop) and a-c-d (10+10, 2 hops);
	// fewer hops wins. Equal delay and hops are broken by the lower link ID (c to e).
	// Link IDs: a>b 0, b>a 1, a>c 2, c>a 3, c>b 4, b>c 5, a>d 6, d>a 7, c>d 8, d>c 9,
	// d>e 10, e>d 11, b>e 12, e>b 13.
	n, err := BuildExplicit(sim.NewKernel(), []string{"a", "b", "c", "d", "e"}, []LinkSpec{
		{From: "a", To: "b", CapacityBps: 1e6, Delay: 30 * sim.Millisecond, Duplex: true},
		{From: "a", To: "c", CapacityBps: 1e6, Delay: 10 * sim.Millisecond, Duplex: true},
		{From: "c", To: "b", CapacityBps: 1e6, Delay: 10 * sim.Millisecond, Duplex: true},
		{From: "a", To: "d", CapacityBps: 1e6, Delay: 20 * sim.Millisecond, Duplex: true},
		{From: "c", To: "d", CapacityBps: 1e6, Delay: 10 * sim.Millisecond, Duplex: true},
		{From: "d", To: "e", CapacityBps: 1e6, Delay: 5 * sim.Millisecond, Duplex: true},
		{From: "b", To: "e", CapacityBps: 1e6, Delay: 5 * sim.Millisecond, Duplex: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		from, to, path string
		delay          sim.Time
	}{
		{"a", "b", "a>c>b", 20 * sim.Millisecond},
		{"a", "d", "a>d", 20 * sim.Millisecond},
		{"b", "a", "b>c>a", 20 * sim.Millisecond},
		// a>d>e and a>c>b>e (25 ms, 3 hops) and a>c>d>e (3 hops): a>d>e has fewest hops.
		{"a", "e", "a>d>e", 25 * sim.Millisecond},
		// c>d>e and c>b>e: 15 ms, 2 hops each; d>e (link 10) has a lower ID than b>e (12).
		{"c", "e", "c>d>e", 15 * sim.Millisecond},
		{"e", "e", "e", 0},
	} {
		path, d := routeOf(t, n, tc.from, tc.to)
		if path != tc.path || d != tc.delay {
			t.Errorf("%s->%s: %s %v, want %s %v", tc.from, tc.to, path, d, tc.path, tc.delay)
		}
	}
}

func TestNoRoute(t *testing.T) {
	n := New(sim.NewKernel())
	a, b := n.AddNode("a"), n.AddNode("b")
	n.AddLink(a, b, 1e6, 0)
	if _, err := n.Route(a, b); err != nil {
		t.Fatal(err)
	}
	_, err := n.Route(b, a)
	if err == nil || err.Error() != `topology: no route from "b" to "a"` {
		t.Fatalf("error %v", err)
	}
	if _, err := n.RTT(a, b); err == nil {
		t.Fatal("RTT over a one-way link: want an error")
	}
}

func TestBuilderErrors(t *testing.T) {
	k := sim.NewKernel()
	good := StarHost{Name: "h", UploadBps: 1e6, DownloadBps: 1e6}
	star := func(mod func(*StarHost)) func() error {
		return func() error {
			h := good
			mod(&h)
			_, err := BuildStar(k, []StarHost{{Name: "x", UploadBps: 1, DownloadBps: 1}, h})
			return err
		}
	}
	inst := func(mod func(*InstitutionConfig)) func() error {
		return func() error {
			c := DefaultInstitution()
			mod(&c)
			_, err := BuildInstitution(k, c)
			return err
		}
	}
	dumb := func(mod func(*DumbbellConfig)) func() error {
		return func() error {
			c := DumbbellConfig{Left: 1, Right: 1, AccessBps: 1e6, BottleneckBps: 1e6}
			mod(&c)
			_, err := BuildDumbbell(k, c)
			return err
		}
	}
	explicit := func(nodes []string, links ...LinkSpec) func() error {
		return func() error { _, err := BuildExplicit(k, nodes, links); return err }
	}
	ab := func(capBps float64, d sim.Time) LinkSpec {
		return LinkSpec{From: "a", To: "b", CapacityBps: capBps, Delay: d, Duplex: true}
	}
	for _, tc := range []struct {
		name  string
		build func() error
		want  string
	}{
		{"star no hosts", func() error { _, err := BuildStar(k, nil); return err }, "topology: star: no hosts"},
		{"star zero upload", star(func(h *StarHost) { h.UploadBps = 0 }), `topology: star host 1 ("h"): upload rate is 0 bit/s, want > 0`},
		{"star negative download", star(func(h *StarHost) { h.DownloadBps = -5 }), `topology: star host 1 ("h"): download rate is -5 bit/s, want > 0`},
		{"star NaN rate", star(func(h *StarHost) { h.UploadBps = math.NaN() }), `topology: star host 1 ("h"): upload rate is NaN bit/s, want > 0`},
		{"star negative delay", star(func(h *StarHost) { h.Delay = -sim.Millisecond }), `topology: star host 1 ("h"): delay is -1ms, want >= 0`},
		{"star duplicate", star(func(h *StarHost) { h.Name = "x" }), `topology: star host 1 ("x"): duplicate name (also host 0)`},
		{"star core name", star(func(h *StarHost) { h.Name = "core" }), `topology: star host 1 ("core"): name is reserved for the core router`},
		{"star empty name", star(func(h *StarHost) { h.Name = "" }), `topology: star host 1: empty name`},
		{"institution no hosts", inst(func(c *InstitutionConfig) { c.Hosts = 0 }), "topology: institution: 0 hosts, want at least 1"},
		{"institution no servers", inst(func(c *InstitutionConfig) { c.Servers = 0 }), "topology: institution: 0 servers, want at least 1"},
		{"institution access", inst(func(c *InstitutionConfig) { c.AccessBps = 0 }), "topology: institution: access rate is 0 bit/s, want > 0"},
		{"institution LAN", inst(func(c *InstitutionConfig) { c.LANBps = -1 }), "topology: institution: LAN rate is -1 bit/s, want > 0"},
		{"institution delay", inst(func(c *InstitutionConfig) { c.InternetDelay = -sim.Second }), "topology: institution: Internet delay is -1s, want >= 0"},
		{"dumbbell sides", dumb(func(c *DumbbellConfig) { c.Right = 0 }), "topology: dumbbell: 1 left and 0 right hosts, want at least 1 each"},
		{"dumbbell bottleneck", dumb(func(c *DumbbellConfig) { c.BottleneckBps = 0 }), "topology: dumbbell: bottleneck rate is 0 bit/s, want > 0"},
		{"dumbbell access delay", dumb(func(c *DumbbellConfig) { c.AccessDelay = -1 }), "topology: dumbbell: access delay is -1ns, want >= 0"},
		{"explicit no nodes", explicit(nil), "topology: explicit network: no nodes"},
		{"explicit duplicate", explicit([]string{"a", "b", "a"}), `topology: node 2: duplicate name "a" (also node 0)`},
		{"explicit empty name", explicit([]string{"a", ""}), `topology: node 1: empty name`},
		{"explicit unknown node", explicit([]string{"a", "b"}, LinkSpec{From: "a", To: "c", CapacityBps: 1}), `topology: link 0 (a -> c): unknown node "c"`},
		{"explicit zero capacity", explicit([]string{"a", "b"}, ab(0, 0)), `topology: link 0 (a -> b): capacity is 0 bit/s, want > 0`},
		{"explicit negative delay", explicit([]string{"a", "b"}, ab(1, -2)), `topology: link 0 (a -> b): delay is -2ns, want >= 0`},
		{"explicit loss", explicit([]string{"a", "b"}, LinkSpec{From: "a", To: "b", CapacityBps: 1, Loss: 1.5, Duplex: true}), `topology: link 0 (a -> b): loss is 1.5, want a probability in [0, 1]`},
		{"explicit NaN loss", explicit([]string{"a", "b"}, LinkSpec{From: "a", To: "b", CapacityBps: 1, Loss: math.NaN(), Duplex: true}), `topology: link 0 (a -> b): loss is NaN, want a probability in [0, 1]`},
		{"explicit self-loop", explicit([]string{"a"}, LinkSpec{From: "a", To: "a", CapacityBps: 1}), `topology: link 0 (a -> a): a link must join two different nodes`},
		{"explicit disconnected", explicit([]string{"a", "b", "c"}, ab(1, 0)), `topology: network is not connected: no route from "a" to "c"`},
		{"explicit one-way", explicit([]string{"a", "b"}, LinkSpec{From: "a", To: "b", CapacityBps: 1}), `topology: network is not connected: no route from "b" to "a"`},
	} {
		err := tc.build()
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestProgrammerErrorsPanic(t *testing.T) {
	n := New(sim.NewKernel())
	a := n.AddNode("a")
	b := n.AddNode("b")
	for _, tc := range []struct {
		name string
		fn   func()
	}{
		{"duplicate node", func() { n.AddNode("a") }},
		{"zero capacity", func() { n.AddLink(a, b, 0, 0) }},
		{"negative delay", func() { n.AddLink(a, b, 1, -1) }},
		{"unknown node", func() { n.AddLink(a, 7, 1, 0) }},
		{"negative size", func() { n.StartFlow(Route{}, -1, FlowOptions{}, nil) }},
		{"negative cap", func() { n.StartFlow(Route{}, 1, FlowOptions{CapBps: -1}, nil) }},
		{"fail unknown link", func() { n.FailLink(3) }},
		{"restore unknown link", func() { n.RestoreLink(-1) }},
		{"loss of unknown link", func() { n.SetLinkLoss(5, 0.5) }},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", tc.name)
				}
			}()
			tc.fn()
		}()
	}
}
