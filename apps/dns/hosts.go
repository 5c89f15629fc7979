package dns

import (
	"fmt"
	"slices"
	"strings"

	"netsim/topology"
)

// HostNamespace is the smallest hierarchy that names the given simulated hosts: root
// letter a, one server a.nic.<tld> per TLD and one authoritative server ns.<domain>
// per domain (a host's domain is its last two labels: www.someschool.edu is in
// someschool.edu, crepes.fr is its own), whose zone holds the A record of each of its
// hosts at the node addr gives, with the given TTL. This is what a kind puts in front
// of its own traffic when DNS is in the scenario (the Web's page loads, mail's MX
// lookups); the servers' names are Generate's.
func HostNamespace(hosts []string, addr func(host string) topology.NodeID, ttl uint32) (*Namespace, error) {
	ns := &Namespace{DelegationTTL: 2 * 86400, NegativeTTL: 3600, Zones: []ZoneSpec{{Origin: ".", Servers: RootLetters(1)}}}
	zone := map[string]int{}
	for _, h := range hosts {
		name := Fqdn(h)
		labels := strings.Split(strings.TrimSuffix(name, "."), ".")
		if len(labels) < 2 || slices.Contains(labels, "") {
			return nil, fmt.Errorf("dns: host %q is not a name under a TLD", h)
		}
		tld := labels[len(labels)-1] + "."
		domain := labels[len(labels)-2] + "." + tld
		if _, ok := zone[tld]; !ok {
			zone[tld] = len(ns.Zones)
			ns.Zones = append(ns.Zones, ZoneSpec{Origin: tld, Servers: []string{"a.nic." + tld}})
		}
		i, ok := zone[domain]
		if !ok {
			i = len(ns.Zones)
			zone[domain] = i
			ns.Zones = append(ns.Zones, ZoneSpec{Origin: domain, Servers: []string{"ns." + domain}})
		}
		ns.Zones[i].Records = append(ns.Zones[i].Records, RR{Name: name, Type: TypeA, TTL: ttl, Addr: AddrOfNode(addr(h))})
	}
	return ns, nil
}

// Roles are the server names of a name space by role: the root letters, the TLD
// servers and the rest (authoritative), each once, in zone order.
func (ns *Namespace) Roles() (root, tld, auth []string) {
	seen := map[string]bool{}
	for _, z := range ns.Zones {
		for _, s := range z.Servers {
			if s = Fqdn(s); seen[s] {
				continue
			}
			seen[s] = true
			switch {
			case z.Origin == ".":
				root = append(root, s)
			case strings.Count(Fqdn(z.Origin), ".") == 1:
				tld = append(tld, s)
			default:
				auth = append(auth, s)
			}
		}
	}
	return root, tld, auth
}
