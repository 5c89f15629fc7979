package scenarios

import (
	"fmt"

	"netsim/sim"
	"netsim/topology"
)

// build makes the network of t with topology's builders. For an explicit graph it also
// returns its named links (both directions of a duplex one); a builder's are found by
// linksOf.
func (t *Topology) build(k *sim.Kernel) (*topology.Network, map[string][]topology.LinkID, error) {
	var (
		net *topology.Network
		err error
	)
	switch {
	case t.Star != nil:
		var hosts []topology.StarHost
		for _, h := range t.Star.Hosts {
			for _, name := range h.names() {
				hosts = append(hosts, topology.StarHost{Name: name, UploadBps: h.Upload.Bps(), DownloadBps: h.Download.Bps(), Delay: h.Delay.Time()})
			}
		}
		net, err = topology.BuildStar(k, hosts)
	case t.Institution != nil:
		c := t.Institution
		net, err = topology.BuildInstitution(k, topology.InstitutionConfig{
			Hosts: c.Hosts, Servers: c.Servers, LANBps: c.LANRate.Bps(), LANDelay: c.LANDelay.Time(),
			AccessBps: c.AccessRate.Bps(), AccessDelay: c.AccessDelay.Time(), InternetDelay: c.InternetDelay.Time(),
		})
	case t.Dumbbell != nil:
		c := t.Dumbbell
		net, err = topology.BuildDumbbell(k, topology.DumbbellConfig{
			Left: c.Left, Right: c.Right, AccessBps: c.AccessRate.Bps(), AccessDelay: c.AccessDelay.Time(),
			BottleneckBps: c.BottleneckRate.Bps(), BottleneckDelay: c.BottleneckDelay.Time(),
		})
	case t.Explicit != nil:
		return t.Explicit.build(k)
	}
	if err != nil {
		return nil, nil, err // the section was checked when decoded: a bug
	}
	if t.Dumbbell != nil {
		for _, l := range between(net, topology.DumbbellLeftRouter, topology.DumbbellRightRouter) {
			net.SetLinkLoss(l, t.Dumbbell.BottleneckLoss)
		}
	}
	return net, nil, nil
}

// linksOf returns the links a builder's topology names name, as the schedule does
// (topology.go): a host's access link, both ways; the institution's access link and
// the dumbbell's bottleneck, both ways. Found when asked, in O(degree), so that a
// platform of a million hosts keeps no table of them.
func (t *Topology) linksOf(net *topology.Network, name string) []topology.LinkID {
	switch {
	case t.Institution != nil && name == "access":
		return between(net, topology.InstitutionRouter, topology.InternetRouter)
	case t.Dumbbell != nil && name == "bottleneck":
		return between(net, topology.DumbbellLeftRouter, topology.DumbbellRightRouter)
	case !t.Has(name):
		return nil
	}
	id, _ := net.Node(name)
	out, in := net.NodeLinks(id)
	return append(out, in...)
}

// between returns the links from router a to router b and back.
func between(net *topology.Network, a, b string) []topology.LinkID {
	ia, _ := net.Node(a)
	ib, _ := net.Node(b)
	out, in := net.NodeLinks(ia)
	var ls []topology.LinkID
	for _, l := range out {
		if net.Link(l).To == ib {
			ls = append(ls, l)
		}
	}
	for _, l := range in {
		if net.Link(l).From == ib {
			ls = append(ls, l)
		}
	}
	return ls
}

// build makes an explicit graph with topology.BuildExplicit, which adds each link (and
// its way back, for a duplex one) in the order given, so that link i's IDs follow from
// the links before it; each is checked against its ends all the same.
func (t *ExplicitTopology) build(k *sim.Kernel) (*topology.Network, map[string][]topology.LinkID, error) {
	specs := make([]topology.LinkSpec, len(t.Links))
	for i, l := range t.Links {
		specs[i] = topology.LinkSpec{From: l.From, To: l.To, CapacityBps: l.Capacity.Bps(), Delay: l.Delay.Time(), Loss: l.Loss, Duplex: l.Duplex}
	}
	net, err := topology.BuildExplicit(k, t.Nodes, specs)
	if err != nil {
		return nil, nil, err
	}
	links := map[string][]topology.LinkID{}
	next := topology.LinkID(0)
	for _, l := range t.Links {
		ids := []topology.LinkID{next}
		if l.Duplex {
			ids = append(ids, next+1)
		}
		for j, id := range ids {
			from, to := l.From, l.To
			if j == 1 {
				from, to = to, from
			}
			info := net.Link(id)
			if net.NodeName(info.From) != from || net.NodeName(info.To) != to {
				panic(fmt.Sprintf("scenarios: link %s: BuildExplicit numbered its links otherwise", l.Name))
			}
		}
		links[l.Name] = ids
		next += topology.LinkID(len(ids))
	}
	return net, links, nil
}
