package scenarios

import (
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"netsim/scenarios/units"
)

// The `topology:` section gives a kind's platform: the hosts and links it runs on, as
// SimGrid keeps the platform apart from the deployment and the application. It is one
// of the builders the course uses, with its parameters, or an explicit graph:
//
//	topology:
//	  star:                      # the access-link star of §2.5
//	    hosts:
//	      - {name: server, upload: 30Mbps, download: 30Mbps, delay: 10ms}
//	      - {name: peer, count: 10, upload: 1Mbps, download: 10Mbps}   # peer0..peer9
//	topology:
//	  institution: {hosts: 10, servers: 4, access_rate: 15Mbps, internet_delay: 2s}
//	topology:
//	  dumbbell: {left: 2, right: 2, bottleneck_rate: 10Mbps, bottleneck_delay: 20ms}
//	topology:
//	  nodes: [a, b, r]
//	  links:
//	    - {from: a, to: r, capacity: 100Mbps, delay: 1ms, duplex: true}
//	    - {name: wan, from: r, to: b, capacity: 10Mbps, delay: 20ms, loss: 0.01, duplex: true}
//	topology:
//	  file: campus.yaml          # a file of nodes: and links:, beside the scenario
//
// Every link has a name, which a schedule's fail, restore and loss events use: an
// explicit link's own (default "from-to"), and the builders' as their docs below say.
// The section is decoded into a Topology, checked whole (unknown or duplicate nodes,
// self-links, impossible rates and losses, a graph that is not connected), checked
// against the kind's deployment (Kind.Deploy), and built into each run's network by
// NewPlatform (network.go). A kind's default platform is a Topology too.

// Topology is a decoded, valid `topology:` section: exactly one of its parts is set.
type Topology struct {
	Star        *StarTopology
	Institution *InstitutionTopology
	Dumbbell    *DumbbellTopology
	Explicit    *ExplicitTopology
}

// StarTopology is the access-link star: every host has its own upload and download rate
// and a delay to an unconstrained core. Host h's access link (both directions) is
// named h.
type StarTopology struct {
	Hosts []StarHost `yaml:"hosts" help:"the hosts; one with count: n stands for name0 .. name(n-1)"`
}

// StarHost is one host of a star, or count of them.
type StarHost struct {
	Name     string         `yaml:"name" help:"the host's name, or the prefix of count hosts' names"`
	Count    int            `yaml:"count" range:"[0,)" help:"if > 0, this many hosts, named name0, name1, ..."`
	Upload   units.Rate     `yaml:"upload" range:"(0,)" help:"host → core rate; absent: unconstrained"`
	Download units.Rate     `yaml:"download" range:"(0,)" help:"core → host rate; absent: unconstrained"`
	Delay    units.Duration `yaml:"delay" help:"one-way delay between the host and the core"`
}

// InstitutionTopology is the institution network of §2.2.5: hosts host0.. on a LAN, an
// access link ("access") to the Internet router, origin servers server0.. an Internet
// delay away. Host i's LAN link is named host<i>, server j's link server<j>.
type InstitutionTopology struct {
	Hosts         int            `yaml:"hosts" default:"1" range:"[1,)" help:"hosts on the LAN"`
	Servers       int            `yaml:"servers" default:"1" range:"[1,)" help:"origin servers"`
	LANRate       units.Rate     `yaml:"lan_rate" default:"100Mbps" range:"(0,)" help:"each LAN link's rate, each way"`
	LANDelay      units.Duration `yaml:"lan_delay" help:"one-way, host to institution router"`
	AccessRate    units.Rate     `yaml:"access_rate" default:"15Mbps" range:"(0,)" help:"the access link's rate, each way"`
	AccessDelay   units.Duration `yaml:"access_delay" help:"one-way, across the access link"`
	InternetDelay units.Duration `yaml:"internet_delay" default:"2s" help:"round trip from the Internet router to a server"`
}

// DumbbellTopology is a dumbbell: hosts left0.. and right0.. on access links to their
// side's router, and one bottleneck link ("bottleneck") between the routers. Host h's
// access link is named h.
type DumbbellTopology struct {
	Left            int            `yaml:"left" default:"1" range:"[1,)" help:"hosts on the left"`
	Right           int            `yaml:"right" default:"1" range:"[1,)" help:"hosts on the right"`
	AccessRate      units.Rate     `yaml:"access_rate" default:"1Gbps" range:"(0,)" help:"each access link's rate, each way"`
	AccessDelay     units.Duration `yaml:"access_delay" help:"one-way delay of an access link"`
	BottleneckRate  units.Rate     `yaml:"bottleneck_rate" default:"10Mbps" range:"(0,)" help:"the bottleneck's rate, each way"`
	BottleneckDelay units.Duration `yaml:"bottleneck_delay" default:"10ms" help:"one-way delay of the bottleneck"`
	BottleneckLoss  float64        `yaml:"bottleneck_loss" range:"[0,1]" help:"probability that the bottleneck drops a datagram"`
}

// ExplicitTopology is a graph of named nodes and links.
type ExplicitTopology struct {
	Nodes []string      `yaml:"nodes" help:"every node's name, hosts and routers"`
	Links []LinkOfGraph `yaml:"links" help:"the links"`
}

// LinkOfGraph is one link of an explicit topology.
type LinkOfGraph struct {
	Name     string         `yaml:"name" help:"the link's name for schedules; default from-to"`
	From     string         `yaml:"from" help:"a node"`
	To       string         `yaml:"to" help:"another node"`
	Capacity units.Rate     `yaml:"capacity" range:"(0,)" help:"bit/s; absent: unconstrained"`
	Delay    units.Duration `yaml:"delay" help:"one-way propagation delay"`
	Loss     float64        `yaml:"loss" range:"[0,1]" help:"probability that the link drops a datagram"`
	Duplex   bool           `yaml:"duplex" help:"the same link the other way too"`
}

// topologySpec is the section as written: one builder, or nodes and links, or a file.
type topologySpec struct {
	Star        *StarTopology        `yaml:"star"`
	Institution *InstitutionTopology `yaml:"institution"`
	Dumbbell    *DumbbellTopology    `yaml:"dumbbell"`
	Nodes       []string             `yaml:"nodes"`
	Links       []LinkOfGraph        `yaml:"links"`
	File        string               `yaml:"file"`
}

// Unconstrained is the capacity of a link or access rate the file leaves out.
var Unconstrained = units.Rate(math.Inf(1))

// Hosts lists the names a schedule may name as hosts: a star's and a dumbbell's hosts,
// an institution's hosts and servers, an explicit graph's nodes.
func (t *Topology) Hosts() []string {
	var out []string
	switch {
	case t.Star != nil:
		for _, h := range t.Star.Hosts {
			out = append(out, h.names()...)
		}
	case t.Institution != nil:
		for i := range t.Institution.Hosts {
			out = append(out, fmt.Sprintf("host%d", i))
		}
		for j := range t.Institution.Servers {
			out = append(out, fmt.Sprintf("server%d", j))
		}
	case t.Dumbbell != nil:
		for i := range t.Dumbbell.Left {
			out = append(out, fmt.Sprintf("left%d", i))
		}
		for j := range t.Dumbbell.Right {
			out = append(out, fmt.Sprintf("right%d", j))
		}
	case t.Explicit != nil:
		out = append(out, t.Explicit.Nodes...)
	}
	return out
}

// Links lists the names a schedule may name as links.
func (t *Topology) Links() []string {
	switch {
	case t.Star != nil:
		return t.Hosts()
	case t.Institution != nil:
		return append([]string{"access"}, t.Hosts()...)
	case t.Dumbbell != nil:
		return append([]string{"bottleneck"}, t.Hosts()...)
	}
	var out []string
	for _, l := range t.Explicit.Links {
		out = append(out, l.Name)
	}
	return out
}

// Group returns the hosts named prefix followed by digits (peer0, peer1, ... for
// "peer"), in the topology's order: how a kind finds the hosts of a role.
func (t *Topology) Group(prefix string) []string { return groupOf(prefix, t.Hosts()) }

// Has reports whether the topology has a node named name.
func (t *Topology) Has(name string) bool {
	switch {
	case t.Explicit != nil:
		return slices.Contains(t.Explicit.Nodes, name)
	case t.Star != nil:
		return slices.ContainsFunc(t.Star.Hosts, func(h StarHost) bool { return h.has(name) })
	}
	return slices.Contains(t.Hosts(), name)
}

// Capacities returns, for every host (and, in an explicit graph, every node), the total
// capacity in bit/s of the links that leave it (out) or arrive at it: the most it can
// send or receive, which is what a program is told of its own access (a peer
// announcing its upload rate). +Inf where one of those links is unconstrained.
// O(hosts + links).
func (t *Topology) Capacities(out bool) map[string]float64 {
	pick := func(up, down units.Rate) float64 {
		if out {
			return up.Bps()
		}
		return down.Bps()
	}
	caps := map[string]float64{}
	switch {
	case t.Star != nil:
		for _, h := range t.Star.Hosts {
			for _, name := range h.names() {
				caps[name] = pick(h.Upload, h.Download)
			}
		}
	case t.Institution != nil:
		for i := range t.Institution.Hosts {
			caps[fmt.Sprintf("host%d", i)] = t.Institution.LANRate.Bps()
		}
		for j := range t.Institution.Servers {
			caps[fmt.Sprintf("server%d", j)] = math.Inf(1) // beyond unconstrained links
		}
	case t.Dumbbell != nil:
		for _, h := range t.Hosts() {
			caps[h] = t.Dumbbell.AccessRate.Bps()
		}
	case t.Explicit != nil:
		for _, n := range t.Explicit.Nodes {
			caps[n] = 0
		}
		for _, l := range t.Explicit.Links {
			from, to := l.From, l.To
			if !out {
				from, to = to, from
			}
			caps[from] += l.Capacity.Bps()
			if l.Duplex {
				caps[to] += l.Capacity.Bps()
			}
		}
	}
	return caps
}

// NumHosts is how many hosts the topology has (an explicit graph's nodes, routers
// included), counted without listing their names.
func (t *Topology) NumHosts() int {
	switch {
	case t.Star != nil:
		n := 0
		for _, h := range t.Star.Hosts {
			n += max(h.Count, 1)
		}
		return n
	case t.Institution != nil:
		return t.Institution.Hosts + t.Institution.Servers
	case t.Dumbbell != nil:
		return t.Dumbbell.Left + t.Dumbbell.Right
	case t.Explicit != nil:
		return len(t.Explicit.Nodes)
	}
	return 0
}

// RoundTripBound is an upper bound, in seconds, on the round trip between any two of
// the topology's hosts, as decodeTopology holds it to MaxSpan: 4 × a star's largest
// host delay, an institution's 2 × (lan_delay + access_delay) + internet_delay, a
// dumbbell's 2 × (2 × access_delay + bottleneck_delay), twice the sum of a graph's
// link delays.
func (t *Topology) RoundTripBound() float64 {
	switch {
	case t.Star != nil:
		d := 0.0
		for _, h := range t.Star.Hosts {
			d = max(d, h.Delay.Seconds())
		}
		return 4 * d
	case t.Institution != nil:
		i := t.Institution
		return 2*(i.LANDelay.Seconds()+i.AccessDelay.Seconds()) + i.InternetDelay.Seconds()
	case t.Dumbbell != nil:
		return 2 * (2*t.Dumbbell.AccessDelay.Seconds() + t.Dumbbell.BottleneckDelay.Seconds())
	case t.Explicit != nil:
		sum := 0.0
		for _, l := range t.Explicit.Links {
			sum += l.Delay.Seconds()
		}
		return 2 * sum
	}
	return 0
}

// LinkCapacity is the least capacity, in bit/s, of the links named name (the names a
// schedule uses, see Links), each way: +Inf if they are unconstrained, 0 if the
// topology has no link of that name.
func (t *Topology) LinkCapacity(name string) float64 {
	switch {
	case t.Star != nil:
		for _, h := range t.Star.Hosts {
			if h.has(name) {
				return min(h.Upload.Bps(), h.Download.Bps())
			}
		}
	case t.Institution != nil:
		switch {
		case name == "access":
			return t.Institution.AccessRate.Bps()
		case strings.HasPrefix(name, "host") && t.Has(name):
			return t.Institution.LANRate.Bps()
		case t.Has(name):
			return math.Inf(1) // a server's link, beyond the Internet delay
		}
	case t.Dumbbell != nil:
		switch {
		case name == "bottleneck":
			return t.Dumbbell.BottleneckRate.Bps()
		case t.Has(name):
			return t.Dumbbell.AccessRate.Bps()
		}
	case t.Explicit != nil:
		c, found := math.Inf(1), false
		for _, l := range t.Explicit.Links {
			if l.Name == name {
				c, found = min(c, l.Capacity.Bps()), true
			}
		}
		if found {
			return c
		}
	}
	return 0
}

// has reports whether name is one of h's names, without listing them.
func (h StarHost) has(name string) bool {
	if h.Count == 0 {
		return name == h.Name
	}
	rest, ok := strings.CutPrefix(name, h.Name)
	i, err := strconv.Atoi(rest)
	return ok && err == nil && i >= 0 && i < h.Count && strconv.Itoa(i) == rest
}

func (h StarHost) names() []string {
	if h.Count == 0 {
		return []string{h.Name}
	}
	out := make([]string, h.Count)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", h.Name, i)
	}
	return out
}

// decodeTopology decodes and checks `topology:`; nil if the file has none.
func (d *decoder) decodeTopology(n *yaml.Node) *Topology {
	n = resolveAlias(n)
	if n.Kind == 0 || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		d.fail(n, "topology", "want a mapping: star:, institution:, dumbbell:, nodes: and links:, or file:; got %s", describe(n))
		return nil
	}
	n0 := len(d.errs)
	var spec topologySpec
	if !d.decode(n, reflect.ValueOf(&spec).Elem(), "topology") {
		return nil
	}
	var parts []string
	for _, key := range []string{"star", "institution", "dumbbell", "nodes", "file"} {
		_, set := d.keys["topology."+key]
		if key == "nodes" {
			_, links := d.keys["topology.links"]
			set = set || links
		}
		if set {
			parts = append(parts, key)
		}
	}
	if len(parts) != 1 {
		d.fail(n, "topology", "want one of star:, institution:, dumbbell:, nodes: and links:, or file:; got %s", orNone(parts))
		return nil
	}
	t := &Topology{Star: spec.Star, Institution: spec.Institution, Dumbbell: spec.Dumbbell}
	switch parts[0] {
	case "star":
		d.checkStar(spec.Star)
	case "institution":
		if d.checkSpec(spec.Institution, "topology.institution", n) {
			d.checkInstitutionSize(spec.Institution)
		}
	case "dumbbell":
		if d.checkSpec(spec.Dumbbell, "topology.dumbbell", n) {
			d.checkDumbbellSize(spec.Dumbbell)
		}
	case "nodes":
		t.Explicit = &ExplicitTopology{Nodes: spec.Nodes, Links: spec.Links}
		d.checkExplicit(t.Explicit, "topology")
	case "file":
		t.Explicit = d.topologyFile(spec.File, d.keys["topology.file"][1])
	}
	if len(d.errs) > n0 || t.Explicit == nil && parts[0] == "file" {
		return nil
	}
	return t
}

func orNone(parts []string) string {
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " and ")
}

// checkSpec fills the defaults a builder's section leaves out and checks its ranges,
// with the table machinery of kinds' params; it reports whether they pass.
func (d *decoder) checkSpec(spec any, path string, at *yaml.Node) bool {
	v := reflect.ValueOf(spec).Elem()
	table, err := paramTable(v.Type())
	if err != nil {
		panic("scenarios: " + err.Error()) // a bad tag on a topology struct is a bug
	}
	fresh := reflect.New(v.Type()).Elem()
	if err := setDefaults(fresh, table); err != nil {
		panic("scenarios: " + err.Error())
	}
	// Only what the file sets is checked: a default is valid by construction, and a
	// rate left out means unconstrained (see unconstrained).
	var set []Param
	for _, p := range table {
		if _, ok := d.keys[joinKey(path, p.Key)]; ok {
			set = append(set, p)
		} else {
			v.FieldByIndex(p.Index).Set(fresh.FieldByIndex(p.Index))
		}
	}
	errs := checkTable(v, set)
	for _, e := range errs {
		fe := e.(*FieldError)
		node := at
		if kv, ok := d.keys[joinKey(path, fe.Key)]; ok {
			node = kv[1]
		}
		d.fail(node, joinKey(path, fe.Key), "%s", fe.Reason)
	}
	return len(errs) == 0
}

// tooManyHosts refuses a topology of more than limits.hosts hosts, before any name
// is listed, at node (key): a star's count of a billion must not be expanded to be
// counted.
func (d *decoder) tooManyHosts(n float64, node *yaml.Node, key, of string) bool {
	if d.limits == nil || !(n > float64(d.limits.Hosts)) {
		return false
	}
	d.fail(node, key, "the topology has %s hosts (%s), over limits.hosts = %d: raise it (--limit hosts=N, or limits: {hosts: N} in the file) if the machine can hold them",
		formatCount(n), of, d.limits.Hosts)
	return true
}

// longRoundTrip refuses a topology whose longest round trip, rtt seconds (an upper
// bound, of), passes MaxSpan: every message's arrival time is a sum of its delays.
func (d *decoder) longRoundTrip(rtt float64, node *yaml.Node, key, of string) {
	if !(rtt <= MaxSpan.Seconds()) {
		d.fail(node, key, "the longest round trip over the topology, %s, comes to %s, %s", of, formatYears(rtt), spanLimit())
	}
}

// valueNode is the value node of key, or at if the file does not set it.
func (d *decoder) valueNode(key string, at *yaml.Node) *yaml.Node {
	if kv, ok := d.keys[key]; ok {
		return kv[1]
	}
	return at
}

func (d *decoder) checkInstitutionSize(t *InstitutionTopology) {
	path := "topology.institution"
	at := d.keys[path][1]
	key := "hosts"
	if t.Servers > t.Hosts {
		key = "servers"
	}
	if d.tooManyHosts(float64(t.Hosts)+float64(t.Servers), d.valueNode(path+"."+key, at), path+"."+key, "hosts + servers") {
		return
	}
	terms := []struct {
		key string
		s   float64
	}{{"lan_delay", 2 * t.LANDelay.Seconds()}, {"access_delay", 2 * t.AccessDelay.Seconds()}, {"internet_delay", t.InternetDelay.Seconds()}}
	rtt, worst := 0.0, terms[0]
	for _, x := range terms {
		rtt += x.s
		if x.s > worst.s {
			worst = x
		}
	}
	d.longRoundTrip(rtt, d.valueNode(path+"."+worst.key, at), path+"."+worst.key, "2 × (lan_delay + access_delay) + internet_delay")
}

func (d *decoder) checkDumbbellSize(t *DumbbellTopology) {
	path := "topology.dumbbell"
	at := d.keys[path][1]
	key := "left"
	if t.Right > t.Left {
		key = "right"
	}
	if d.tooManyHosts(float64(t.Left)+float64(t.Right), d.valueNode(path+"."+key, at), path+"."+key, "left + right") {
		return
	}
	key = "access_delay"
	if t.BottleneckDelay > 2*t.AccessDelay {
		key = "bottleneck_delay"
	}
	d.longRoundTrip(4*t.AccessDelay.Seconds()+2*t.BottleneckDelay.Seconds(), d.valueNode(path+"."+key, at), path+"."+key, "2 × (2 × access_delay + bottleneck_delay)")
}

func (d *decoder) checkStar(s *StarTopology) {
	path := "topology.star"
	at := d.keys[path][1]
	if len(s.Hosts) == 0 {
		d.fail(at, path+".hosts", "want at least one host")
		return
	}
	total, largest := 0.0, 0
	for i, h := range s.Hosts {
		total += float64(max(h.Count, 1))
		if h.Count > s.Hosts[largest].Count {
			largest = i
		}
	}
	hp := fmt.Sprintf("%s.hosts[%d]", path, largest)
	if d.tooManyHosts(total, d.valueNode(hp+".count", d.keys[path+".hosts"][1].Content[largest]), hp+".count", "one for each host, count for each group") {
		return
	}
	seen := map[string]int{"core": -1} // name -> the host entry it comes from; -1: the core router
	slowest := -1
	for i := range s.Hosts {
		h := &s.Hosts[i]
		hp := fmt.Sprintf("%s.hosts[%d]", path, i)
		if !d.checkSpec(h, hp, d.keys[path+".hosts"][1].Content[i]) {
			continue // a negative count has no names
		}
		d.unconstrained(&h.Upload, hp+".upload")
		d.unconstrained(&h.Download, hp+".download")
		if slowest < 0 || h.Delay > s.Hosts[slowest].Delay {
			slowest = i
		}
		if h.Name == "" {
			d.fail(d.keys[path+".hosts"][1].Content[i], hp+".name", "missing: every host has a name")
			continue
		}
		for _, name := range h.names() {
			if other, dup := seen[name]; dup {
				what := "the core router"
				if other >= 0 {
					what = fmt.Sprintf("hosts[%d]", other)
				}
				d.fail(d.keys[hp+".name"][1], hp+".name", "%q is also %s", name, what)
				break
			}
			seen[name] = i
		}
	}
	if slowest >= 0 {
		hp := fmt.Sprintf("%s.hosts[%d]", path, slowest)
		d.longRoundTrip(4*s.Hosts[slowest].Delay.Seconds(), d.valueNode(hp+".delay", at), hp+".delay", "4 × the largest host delay, host to core and back to host")
	}
}

// unconstrained gives a rate the file leaves out its meaning: no constraint.
func (d *decoder) unconstrained(r *units.Rate, key string) {
	if _, set := d.keys[key]; !set {
		*r = Unconstrained
	}
}

func (d *decoder) checkExplicit(t *ExplicitTopology, path string) {
	at := func(key string) *yaml.Node { return d.keys[joinKey(path, key)][1] }
	if len(t.Nodes) == 0 {
		node := at("nodes")
		if node == nil {
			node = at("links")
		}
		d.fail(node, joinKey(path, "nodes"), "want at least one node")
		return
	}
	if d.tooManyHosts(float64(len(t.Nodes)), at("nodes"), joinKey(path, "nodes"), "the nodes listed") {
		return
	}
	idx := map[string]int{}
	for i, name := range t.Nodes {
		np := joinKey(path, fmt.Sprintf("nodes[%d]", i))
		switch j, dup := idx[name]; {
		case name == "":
			d.fail(at("nodes").Content[i], np, "empty name")
		case dup:
			d.fail(at("nodes").Content[i], np, "duplicate node %q (also nodes[%d])", name, j)
		default:
			idx[name] = i
		}
	}
	names := map[string]int{}
	out := make([][]int, len(t.Nodes))
	in := make([][]int, len(t.Nodes))
	for i := range t.Links {
		l := &t.Links[i]
		lp := joinKey(path, fmt.Sprintf("links[%d]", i))
		ln := at("links").Content[i]
		d.checkSpec(l, lp, ln)
		d.unconstrained(&l.Capacity, joinKey(lp, "capacity"))
		ok := true
		for _, end := range []struct{ key, name string }{{"from", l.From}, {"to", l.To}} {
			n := d.keys[joinKey(lp, end.key)][1]
			switch _, known := idx[end.name]; {
			case n == nil:
				d.fail(ln, joinKey(lp, end.key), "missing: a link joins two nodes, from: and to:")
				ok = false
			case !known:
				d.fail(n, joinKey(lp, end.key), "unknown node %q (nodes: %s)", end.name, strings.Join(t.Nodes, ", "))
				ok = false
			}
		}
		if ok && l.From == l.To {
			d.fail(d.keys[joinKey(lp, "to")][1], joinKey(lp, "to"), "a link joins two different nodes, not %q to itself", l.From)
			ok = false
		}
		if l.Name == "" {
			l.Name = l.From + "-" + l.To
		}
		if j, dup := names[l.Name]; dup {
			d.fail(ln, joinKey(lp, "name"), "duplicate link name %q (also links[%d]); name one with name:", l.Name, j)
		}
		names[l.Name] = i
		if ok {
			a, b := idx[l.From], idx[l.To]
			out[a], in[b] = append(out[a], b), append(in[b], a)
			if l.Duplex {
				out[b], in[a] = append(out[b], a), append(in[a], b)
			}
		}
	}
	if len(d.errs) > 0 {
		return
	}
	if len(t.Links) > 0 {
		sum, slowest := 0.0, 0
		for i, l := range t.Links {
			sum += l.Delay.Seconds()
			if l.Delay > t.Links[slowest].Delay {
				slowest = i
			}
		}
		lp := joinKey(path, fmt.Sprintf("links[%d]", slowest))
		d.longRoundTrip(2*sum, d.valueNode(joinKey(lp, "delay"), at("links").Content[slowest]), joinKey(lp, "delay"), "twice the sum of the links' delays")
	}
	// Every kind so far has every host talk to every other: the graph must be strongly
	// connected, which is node 0 reaching every node and every node reaching node 0.
	for _, dir := range []struct {
		adj  [][]int
		from bool
	}{{out, true}, {in, false}} {
		seen := make([]bool, len(t.Nodes))
		seen[0] = true
		stack := []int{0}
		for len(stack) > 0 {
			v := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, w := range dir.adj[v] {
				if !seen[w] {
					seen[w] = true
					stack = append(stack, w)
				}
			}
		}
		for v, ok := range seen {
			if ok {
				continue
			}
			a, b := t.Nodes[0], t.Nodes[v]
			if !dir.from {
				a, b = b, a
			}
			d.fail(d.keys[joinKey(path, "links")][0], joinKey(path, "links"), "not connected: no route from %s to %s (every host must reach every other; a link one way needs duplex: true or a link back)", a, b)
			return
		}
	}
}

// topologyFile reads an explicit topology from a file beside the scenario; its problems
// are located in that file.
func (d *decoder) topologyFile(name string, at *yaml.Node) *ExplicitTopology {
	path := name
	if !filepath.IsAbs(path) {
		path = filepath.Join(filepath.Dir(d.src.file), name)
	}
	data, err := ReadFile(path)
	if err != nil {
		d.fail(at, "topology.file", "cannot read it: %v", err)
		return nil
	}
	fd := newDecoder(newSource(path, data))
	fd.limits = d.limits
	root, perr := fd.src.parseYAML(data)
	if perr != nil {
		d.errs = append(d.errs, perr)
		return nil
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		d.errs = append(d.errs, fd.src.errorAt(0, 0, "", "want a mapping of nodes: and links:"))
		return nil
	}
	fd.checkDuplicates(root, "")
	fd.checkTags(root, "")
	if len(fd.errs) > 0 {
		d.errs = append(d.errs, fd.errs...)
		return nil
	}
	var t ExplicitTopology
	if fd.decode(root.Content[0], reflect.ValueOf(&t).Elem(), "") && len(fd.errs) == 0 {
		fd.checkExplicit(&t, "")
	}
	if len(fd.errs) > 0 {
		d.errs = append(d.errs, fd.errs...)
		return nil
	}
	d.topologyFileNode = root.Content[0]
	return &t
}
