package topology

import (
	"errors"
	"fmt"
	"math"

	"netsim/sim"
)

// The builders make the shapes the course uses from user data, which they validate:
// a bad rate, delay or name is an error naming the item, never a panic.

// StarCore is the name of the access-link star's core router.
const StarCore = "core"

// StarHost is one host of an access-link star.
type StarHost struct {
	Name        string
	UploadBps   float64  // the host → core link, bit/s (+Inf: unconstrained)
	DownloadBps float64  // the core → host link, bit/s (+Inf: unconstrained)
	Delay       sim.Time // one-way propagation delay between the host and the core
}

// BuildStar builds the access-link star: a core router of unlimited capacity, and for
// every host an uplink host → core at its upload rate and a downlink core → host at its
// download rate, each with the host's delay. It is the model of Kurose & Ross §2.5, in
// which D_cs and D_P2P are derived: only the access links constrain. Routes between
// hosts are uplink then downlink.
func BuildStar(k *sim.Kernel, hosts []StarHost) (*Network, error) {
	if len(hosts) == 0 {
		return nil, errors.New("topology: star: no hosts")
	}
	seen := map[string]int{StarCore: -1}
	for i, h := range hosts {
		what := fmt.Sprintf("star host %d (%q)", i, h.Name)
		if h.Name == "" {
			return nil, fmt.Errorf("topology: star host %d: empty name", i)
		}
		if j, dup := seen[h.Name]; dup {
			if j < 0 {
				return nil, fmt.Errorf("topology: %s: name is reserved for the core router", what)
			}
			return nil, fmt.Errorf("topology: %s: duplicate name (also host %d)", what, j)
		}
		seen[h.Name] = i
		if err := checkRate(what+": upload rate", h.UploadBps); err != nil {
			return nil, err
		}
		if err := checkRate(what+": download rate", h.DownloadBps); err != nil {
			return nil, err
		}
		if err := checkDelay(what+": delay", h.Delay); err != nil {
			return nil, err
		}
	}
	n := New(k)
	n.reserve(1+len(hosts), 2*len(hosts))
	core := n.AddNode(StarCore)
	for _, h := range hosts {
		id := n.AddNode(h.Name)
		n.AddLink(id, core, h.UploadBps, h.Delay)
		n.AddLink(core, id, h.DownloadBps, h.Delay)
	}
	return n, nil
}

// InstitutionConfig is the institutional network of Kurose & Ross §2.2.5 (the web
// cache example): hosts on a LAN behind an institution router, an access link to a
// router on the Internet, and origin servers an "Internet delay" beyond it.
type InstitutionConfig struct {
	Hosts       int      // hosts on the LAN, named host0, host1, …
	Servers     int      // origin servers, named server0, server1, …
	LANBps      float64  // each host's LAN link, each way (textbook: 100 Mbps)
	LANDelay    sim.Time // one-way, host to institution router
	AccessBps   float64  // the access link, each way (textbook: 15 Mbps)
	AccessDelay sim.Time // one-way, across the access link
	// InternetDelay is the textbook's "Internet delay": from when the Internet router
	// forwards a request until it receives the response, so the round-trip propagation
	// delay between the Internet router and a server (textbook: 2 s). The links beyond
	// the Internet router are unconstrained.
	InternetDelay sim.Time
}

// Node names of the institution network's routers.
const (
	InstitutionRouter = "institution"
	InternetRouter    = "internet"
)

// DefaultInstitution returns the textbook's institution: 100 Mbps LAN, 15 Mbps access
// link, 2 s Internet delay, with one host and one server.
func DefaultInstitution() InstitutionConfig {
	return InstitutionConfig{
		Hosts: 1, Servers: 1,
		LANBps: 100e6, AccessBps: 15e6,
		InternetDelay: 2 * sim.Second,
	}
}

// BuildInstitution builds the institution network of cfg. Nodes are host<i>,
// "institution", "internet" and server<j>.
func BuildInstitution(k *sim.Kernel, cfg InstitutionConfig) (*Network, error) {
	switch {
	case cfg.Hosts < 1:
		return nil, fmt.Errorf("topology: institution: %d hosts, want at least 1", cfg.Hosts)
	case cfg.Servers < 1:
		return nil, fmt.Errorf("topology: institution: %d servers, want at least 1", cfg.Servers)
	}
	for _, c := range []struct {
		what string
		bps  float64
	}{{"LAN rate", cfg.LANBps}, {"access rate", cfg.AccessBps}} {
		if err := checkRate("institution: "+c.what, c.bps); err != nil {
			return nil, err
		}
	}
	for _, c := range []struct {
		what string
		d    sim.Time
	}{{"LAN delay", cfg.LANDelay}, {"access delay", cfg.AccessDelay}, {"Internet delay", cfg.InternetDelay}} {
		if err := checkDelay("institution: "+c.what, c.d); err != nil {
			return nil, err
		}
	}
	n := New(k)
	n.reserve(2+cfg.Hosts+cfg.Servers, 2+2*cfg.Hosts+2*cfg.Servers)
	inst := n.AddNode(InstitutionRouter)
	inet := n.AddNode(InternetRouter)
	n.AddDuplex(inst, inet, cfg.AccessBps, cfg.AccessDelay)
	for i := 0; i < cfg.Hosts; i++ {
		h := n.AddNode(fmt.Sprintf("host%d", i))
		n.AddDuplex(h, inst, cfg.LANBps, cfg.LANDelay)
	}
	// Split the round trip so that the two directions add up to it exactly.
	out, back := cfg.InternetDelay/2, cfg.InternetDelay-cfg.InternetDelay/2
	for j := 0; j < cfg.Servers; j++ {
		s := n.AddNode(fmt.Sprintf("server%d", j))
		n.AddLink(inet, s, math.Inf(1), out)
		n.AddLink(s, inet, math.Inf(1), back)
	}
	return n, nil
}

// DumbbellConfig is a dumbbell: Left hosts and Right hosts, each on an access link (both
// ways) to its side's router, and one bottleneck link (both ways) between the routers.
type DumbbellConfig struct {
	Left, Right     int
	AccessBps       float64
	AccessDelay     sim.Time // one-way
	BottleneckBps   float64
	BottleneckDelay sim.Time // one-way
}

// Node names of the dumbbell's routers; hosts are left<i> and right<j>.
const (
	DumbbellLeftRouter  = "left-router"
	DumbbellRightRouter = "right-router"
)

// BuildDumbbell builds the dumbbell of cfg.
func BuildDumbbell(k *sim.Kernel, cfg DumbbellConfig) (*Network, error) {
	if cfg.Left < 1 || cfg.Right < 1 {
		return nil, fmt.Errorf("topology: dumbbell: %d left and %d right hosts, want at least 1 each", cfg.Left, cfg.Right)
	}
	if err := checkRate("dumbbell: access rate", cfg.AccessBps); err != nil {
		return nil, err
	}
	if err := checkRate("dumbbell: bottleneck rate", cfg.BottleneckBps); err != nil {
		return nil, err
	}
	if err := checkDelay("dumbbell: access delay", cfg.AccessDelay); err != nil {
		return nil, err
	}
	if err := checkDelay("dumbbell: bottleneck delay", cfg.BottleneckDelay); err != nil {
		return nil, err
	}
	n := New(k)
	n.reserve(2+cfg.Left+cfg.Right, 2+2*cfg.Left+2*cfg.Right)
	lr := n.AddNode(DumbbellLeftRouter)
	rr := n.AddNode(DumbbellRightRouter)
	n.AddDuplex(lr, rr, cfg.BottleneckBps, cfg.BottleneckDelay)
	for i := 0; i < cfg.Left; i++ {
		n.AddDuplex(n.AddNode(fmt.Sprintf("left%d", i)), lr, cfg.AccessBps, cfg.AccessDelay)
	}
	for j := 0; j < cfg.Right; j++ {
		n.AddDuplex(n.AddNode(fmt.Sprintf("right%d", j)), rr, cfg.AccessBps, cfg.AccessDelay)
	}
	return n, nil
}

// LinkSpec is a link of an explicit network, between named nodes. A Duplex spec adds
// the same link in both directions.
type LinkSpec struct {
	From, To    string
	CapacityBps float64 // bit/s, > 0; +Inf for unconstrained
	Delay       sim.Time
	Loss        float64 // probability in [0, 1] that a datagram crossing the link is lost
	Duplex      bool
}

// BuildExplicit builds a network from a list of node names and links, as a scenario
// file gives them. Every node must be able to reach every other.
func BuildExplicit(k *sim.Kernel, nodes []string, links []LinkSpec) (*Network, error) {
	if len(nodes) == 0 {
		return nil, errors.New("topology: explicit network: no nodes")
	}
	idx := make(map[string]int, len(nodes))
	for i, name := range nodes {
		if name == "" {
			return nil, fmt.Errorf("topology: node %d: empty name", i)
		}
		if j, dup := idx[name]; dup {
			return nil, fmt.Errorf("topology: node %d: duplicate name %q (also node %d)", i, name, j)
		}
		idx[name] = i
	}
	for i, s := range links {
		what := fmt.Sprintf("link %d (%s -> %s)", i, s.From, s.To)
		for _, end := range []string{s.From, s.To} {
			if _, ok := idx[end]; !ok {
				return nil, fmt.Errorf("topology: %s: unknown node %q", what, end)
			}
		}
		if s.From == s.To {
			return nil, fmt.Errorf("topology: %s: a link must join two different nodes", what)
		}
		if err := checkRate(what+": capacity", s.CapacityBps); err != nil {
			return nil, err
		}
		if err := checkDelay(what+": delay", s.Delay); err != nil {
			return nil, err
		}
		if !(s.Loss >= 0 && s.Loss <= 1) {
			return nil, fmt.Errorf("topology: %s: loss is %v, want a probability in [0, 1]", what, s.Loss)
		}
	}
	n := New(k)
	nl := len(links)
	for _, s := range links {
		if s.Duplex {
			nl++
		}
	}
	n.reserve(len(nodes), nl)
	for _, name := range nodes {
		n.AddNode(name)
	}
	for _, s := range links {
		from, to := NodeID(idx[s.From]), NodeID(idx[s.To])
		n.SetLinkLoss(n.AddLink(from, to, s.CapacityBps, s.Delay), s.Loss)
		if s.Duplex {
			n.SetLinkLoss(n.AddLink(to, from, s.CapacityBps, s.Delay), s.Loss)
		}
	}
	if err := n.checkConnected(); err != nil {
		return nil, err
	}
	return n, nil
}

// checkConnected returns an error naming a pair of nodes with no route between them,
// or nil if every node reaches every other (strong connectivity: everything reaches
// node 0 and node 0 reaches everything). O(V + E).
func (n *Network) checkConnected() error {
	reach := func(forward bool) int {
		seen := make([]bool, len(n.nodes))
		seen[0] = true
		stack := []NodeID{0}
		for len(stack) > 0 {
			v := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			l := n.nodes[v].firstOut
			if !forward {
				l = n.nodes[v].firstIn
			}
			for l >= 0 {
				lk := &n.links[l]
				w, next := lk.to, lk.nextOut
				if !forward {
					w, next = lk.from, lk.nextIn
				}
				if !seen[w] {
					seen[w] = true
					stack = append(stack, w)
				}
				l = next
			}
		}
		for i, s := range seen {
			if !s {
				return i
			}
		}
		return -1
	}
	if u := reach(true); u >= 0 {
		return fmt.Errorf("topology: network is not connected: no route from %q to %q", n.nodes[0].name, n.nodes[u].name)
	}
	if u := reach(false); u >= 0 {
		return fmt.Errorf("topology: network is not connected: no route from %q to %q", n.nodes[u].name, n.nodes[0].name)
	}
	return nil
}

func checkRate(what string, bps float64) error {
	if !(bps > 0) {
		return fmt.Errorf("topology: %s is %v bit/s, want > 0", what, bps)
	}
	return nil
}

func checkDelay(what string, d sim.Time) error {
	if d < 0 {
		return fmt.Errorf("topology: %s is %v, want >= 0", what, d)
	}
	return nil
}
