package kinds

import (
	"netsim/apps/dns"
	"netsim/scenarios"
	"netsim/scenarios/units"
	"netsim/sim"
	"netsim/topology"
)

// dnsFront is a kind's dns: section: DNS in front of the kind's own traffic (issue
// 11, "the Web rides on it"; issue 14, MX lookups). On, the platform gets a local
// (recursive) server and the smallest hierarchy that names the kind's servers
// (dns.HostNamespace: root letter a, a TLD server, the domain's authoritative
// server), each its own host with the dns kind's default delays, and the kind's
// clients resolve through their stub resolvers. Off (the default) the kind finds its
// servers from the topology, as before.
type dnsFront struct {
	On         bool           `yaml:"on" help:"put a local DNS server and the hierarchy that names the servers on the platform (apps/dns), and look names up through it"`
	Mode       string         `yaml:"mode" default:"iterative" oneof:"iterative recursive" help:"the local server walks the hierarchy itself (iterative) or asks the root with RD set and each server asks the next (recursive)"`
	LocalDelay units.Duration `yaml:"local_delay" platform:"" default:"2ms" help:"one-way delay, the local server to the core"`
	RootDelay  units.Duration `yaml:"root_delay" platform:"" default:"20ms" help:"one-way delay, the root server a.root-servers.net to the core"`
	TLDDelay   units.Duration `yaml:"tld_delay" platform:"" default:"30ms" help:"one-way delay, a TLD server to the core"`
	AuthDelay  units.Duration `yaml:"auth_delay" platform:"" default:"40ms" help:"one-way delay, an authoritative server to the core"`
}

// frontLocalDNS is the local DNS server's host with dns.on.
const frontLocalDNS = "local-dns"

// dnsFrontTTL is the TTL of the hosts' records: a day, longer than any run.
const dnsFrontTTL = 86400

// hierarchy is the section's servers, for the names given (nil when off): the
// servers' hosts, from the name space names makes with node 0 for every host (only
// the server names matter to the platform and the deployment), and the local
// server's host; boot makes the run's name space with names again.
type dnsHierarchy struct {
	names           func(addr func(string) topology.NodeID) (*dns.Namespace, error)
	root, tld, auth []string
	local           string
}

func (d *dnsFront) hierarchy(local string, names func(addr func(string) topology.NodeID) (*dns.Namespace, error)) (*dnsHierarchy, error) {
	if !d.On {
		return nil, nil
	}
	ns, err := names(func(string) topology.NodeID { return 0 })
	if err != nil {
		return nil, err
	}
	h := &dnsHierarchy{names: names, local: local}
	h.root, h.tld, h.auth = ns.Roles()
	return h, nil
}

// starHosts are the local server and the name servers, unconstrained, each its delay
// from the core.
func (h *dnsHierarchy) starHosts(d *dnsFront) []scenarios.StarHost {
	if h == nil {
		return nil
	}
	hosts := []scenarios.StarHost{{Name: h.local, Upload: scenarios.Unconstrained, Download: scenarios.Unconstrained, Delay: d.LocalDelay}}
	for _, role := range []struct {
		names []string
		delay units.Duration
	}{{h.root, d.RootDelay}, {h.tld, d.TLDDelay}, {h.auth, d.AuthDelay}} {
		for _, n := range role.names {
			hosts = append(hosts, scenarios.StarHost{Name: trim(n), Upload: scenarios.Unconstrained, Download: scenarios.Unconstrained, Delay: role.delay})
		}
	}
	return hosts
}

// placements are the DNS hosts' roles, for the deployment.
func (h *dnsHierarchy) placements() scenarios.Deployment {
	if h == nil {
		return nil
	}
	dep := scenarios.Deployment{{Host: h.local, Role: "local DNS server"}}
	for _, role := range []struct {
		names []string
		role  string
	}{{h.root, "root DNS server"}, {h.tld, "TLD DNS server"}, {h.auth, "authoritative DNS server"}} {
		for _, n := range role.names {
			dep = append(dep, scenarios.Placement{Host: trim(n), Role: role.role})
		}
	}
	return dep
}

// boot starts the name servers of the run's name space, each name at its host's
// node, and the local server, and returns the local server's node, for the clients'
// stubs.
func (h *dnsHierarchy) boot(pl *scenarios.Platform, d *dnsFront) (topology.NodeID, error) {
	ns, err := h.names(pl.Node)
	if err != nil {
		return 0, err
	}
	zones, err := buildZones(pl, ns)
	if err != nil {
		return 0, err
	}
	recursive := d.Mode == "recursive"
	retry := dns.RetryConfig{Timeout: 2 * sim.Second, Tries: 3, Select: dns.InOrder}
	cfg := dns.ServerConfig{Recursive: recursive, Retry: retry}
	for _, names := range [][]string{h.root, h.tld, h.auth} {
		bootDNSServers(pl, zones, names, cfg)
	}
	var roots []topology.NodeID
	for _, r := range h.root {
		roots = append(roots, pl.Node(trim(r)))
	}
	bootLocalDNS(pl, h.local, dns.ResolverConfig{Roots: roots, Recursive: recursive, Retry: retry, Cache: dns.DefaultCache()})
	return pl.Node(h.local), nil
}

// resolution is the time of a lookup with every cache empty, from a client c from the
// core: the sum of the RTTs of its exchanges (K&R §2.5.2; the dns kind's theory).
func (d *dnsFront) resolution(c sim.Time) sim.Time {
	return resolutionRTTs(c, d.LocalDelay.Time(), d.RootDelay.Time(), d.TLDDelay.Time(), d.AuthDelay.Time(), d.Mode == "recursive")
}

// resolutionRTTs is the sum of the RTTs of a resolution with empty caches on a star
// whose client, local, root, TLD and authoritative servers are the given one-way
// delays from the core: client ↔ local, then local ↔ each server (iterative) or each
// server ↔ the next (recursive).
func resolutionRTTs(c, l, root, tld, auth sim.Time, recursive bool) sim.Time {
	rtt := func(a, b sim.Time) sim.Time { return 2 * (a + b) }
	if recursive {
		return rtt(c, l) + rtt(l, root) + rtt(root, tld) + rtt(tld, auth)
	}
	return rtt(c, l) + rtt(l, root) + rtt(l, tld) + rtt(l, auth)
}

// buildZones makes each server's zones of ns, each server at its host's address.
func buildZones(pl *scenarios.Platform, ns *dns.Namespace) (map[string][]*dns.Zone, error) {
	return ns.Build(func(name string) (dns.RR, bool) {
		id, ok := pl.Network.Node(trim(name))
		return dns.RR{Type: dns.TypeA, Addr: dns.AddrOfNode(id)}, ok
	})
}

// bootDNSServers starts a dns.Server with its zones on the host of each server name;
// each life of a server appends its instance to the server's list, so that its counts
// add up over its lives.
func bootDNSServers(pl *scenarios.Platform, zones map[string][]*dns.Zone, names []string, cfg dns.ServerConfig) [][]*dns.Server {
	list := make([][]*dns.Server, len(names))
	for i, name := range names {
		c := cfg
		c.Zones = zones[name]
		pl.Boot(trim(name), func(h topology.Host) error {
			srv, err := dns.StartServer(h, c)
			list[i] = append(list[i], srv)
			return err
		})
	}
	return list
}

// bootLocalDNS starts the local (recursive) server on host; each life appends its
// instance.
func bootLocalDNS(pl *scenarios.Platform, host string, cfg dns.ResolverConfig) *[]*dns.Resolver {
	var lives []*dns.Resolver
	pl.Boot(host, func(h topology.Host) error {
		r, err := dns.StartResolver(h, cfg)
		lives = append(lives, r)
		return err
	})
	return &lives
}
