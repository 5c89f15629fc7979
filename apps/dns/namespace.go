package dns

import (
	"fmt"
	"slices"
	"strings"
)

// ZoneSpec is one zone of a name space: its origin, the names of the servers that
// serve it (its NS records, and the hosts that run them), and its own data.
type ZoneSpec struct {
	Origin  string
	Servers []string
	Records []RR
	// DelegationTTL, if not 0, is the TTL of this zone's NS and glue records in place
	// of the name space's (a domain's owner sets it, not the TLD's).
	DelegationTTL uint32
}

// Namespace is a tree of zones laid on server hosts: each zone is served by its
// servers and delegated from the closest enclosing zone, with NS records and the glue
// addresses of its servers (K&R §2.5.3's registrar inserting (networkutopia.com,
// dns1.networkutopia.com, NS) and (dns1.networkutopia.com, 212.212.212.1, A) into the
// com TLD servers).
type Namespace struct {
	Zones []ZoneSpec
	// DelegationTTL is the TTL of NS and glue records, in seconds (the root's and the
	// TLDs' are two days); NegativeTTL every zone's SOA MINIMUM, the negative TTL.
	DelegationTTL, NegativeTTL uint32
}

// Build makes each server's zones, given the node of every server's host. It returns
// the zones by server name, and an error for a server whose address addr does not
// know, or a zone without servers or parent.
func (ns *Namespace) Build(addr func(server string) (RR, bool)) (map[string][]*Zone, error) {
	zones := map[string]*Zone{}
	var order []string
	for _, spec := range ns.Zones {
		o := Fqdn(spec.Origin)
		if zones[o] != nil {
			return nil, fmt.Errorf("dns: zone %s given twice", o)
		}
		if len(spec.Servers) == 0 {
			return nil, fmt.Errorf("dns: zone %s has no servers", o)
		}
		zones[o] = NewZone(o, spec.Servers[0], ns.DelegationTTL, ns.NegativeTTL)
		order = append(order, o)
	}
	specs := map[string]ZoneSpec{}
	for _, spec := range ns.Zones {
		specs[Fqdn(spec.Origin)] = spec
	}
	byServer := map[string][]*Zone{}
	for _, o := range order {
		z, spec := zones[o], specs[o]
		ttl := ns.DelegationTTL
		if spec.DelegationTTL > 0 {
			ttl = spec.DelegationTTL
		}
		for _, s := range spec.Servers {
			s = Fqdn(s)
			a, ok := addr(s)
			if !ok {
				return nil, fmt.Errorf("dns: zone %s: no host for its server %s", o, s)
			}
			a.Name, a.TTL = s, ttl
			nsRR := RR{Name: o, Type: TypeNS, TTL: ttl, Target: s}
			if err := z.Add(nsRR); err != nil {
				return nil, err
			}
			if within(s, o) && s != o {
				if len(z.Records(s, a.Type)) == 0 {
					if err := z.Add(a); err != nil {
						return nil, err
					}
				}
			}
			// The delegation in the parent, with glue.
			if o != "." {
				p := closestZone(zones, parent(o))
				if p == nil {
					return nil, fmt.Errorf("dns: zone %s has no parent zone", o)
				}
				if err := p.Add(nsRR); err != nil {
					return nil, err
				}
				if len(p.Records(s, a.Type)) == 0 {
					if err := p.Add(a); err != nil {
						return nil, err
					}
				}
			}
			byServer[s] = append(byServer[s], z)
		}
		for _, rr := range spec.Records {
			if err := z.Add(rr); err != nil {
				return nil, err
			}
		}
	}
	return byServer, nil
}

// closestZone returns the zone of zones that most closely encloses name.
func closestZone(zones map[string]*Zone, name string) *Zone {
	for n := name; n != ""; n = parent(n) {
		if z := zones[n]; z != nil {
			return z
		}
	}
	return nil
}

// Servers lists every server name of the name space, in zone order, each once.
func (ns *Namespace) Servers() []string {
	var out []string
	for _, z := range ns.Zones {
		for _, s := range z.Servers {
			if s = Fqdn(s); !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}

// RootLetters are the root servers' names, a to m (K&R §2.5.2: "13 root DNS servers
// (labeled A through M)").
func RootLetters(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%c.root-servers.net.", 'a'+i)
	}
	return out
}

// Textbook names of Kurose & Ross §2.5.2–2.5.3.
const (
	TextbookClient       = "cis.poly.edu."
	TextbookLocal        = "dns.poly.edu."
	TextbookTarget       = "gaia.cs.umass.edu."
	TextbookAuth         = "dns.umass.edu."
	TextbookIntermediate = "dns.umass.edu." // with the variant, it delegates cs.umass.edu
	TextbookCSAuth       = "dns.cs.umass.edu."
	TextbookWeb          = "www.someschool.edu."
	TextbookWebAuth      = "dns.someschool.edu."
)

// TextbookTLDServers are the edu TLD servers of the example.
var TextbookTLDServers = []string{"a.edu-servers.net.", "b.edu-servers.net."}

// TextbookNamespace is the texts' example: 13 root letters; the edu TLD; umass.edu on
// dns.umass.edu, which either holds gaia.cs.umass.edu itself or, with intermediate,
// delegates cs.umass.edu to dns.cs.umass.edu (the texts' intermediate-server variant);
// and someschool.edu, whose www is the Web server of §2.5.1. Addresses of the target
// and the Web server are given (the hosts that run them need not be servers).
func TextbookNamespace(intermediate bool, ttl uint32, gaia, www RR) *Namespace {
	gaia.Name, gaia.TTL = TextbookTarget, ttl
	www.Name, www.TTL = TextbookWeb, ttl
	ns := &Namespace{DelegationTTL: 2 * 86400, NegativeTTL: 3600, Zones: []ZoneSpec{
		{Origin: ".", Servers: RootLetters(13)},
		{Origin: "edu.", Servers: TextbookTLDServers},
		{Origin: "someschool.edu.", Servers: []string{TextbookWebAuth}, Records: []RR{www}},
	}}
	if intermediate {
		ns.Zones = append(ns.Zones,
			ZoneSpec{Origin: "umass.edu.", Servers: []string{TextbookAuth}},
			ZoneSpec{Origin: "cs.umass.edu.", Servers: []string{TextbookCSAuth}, Records: []RR{gaia}})
	} else {
		ns.Zones = append(ns.Zones, ZoneSpec{Origin: "umass.edu.", Servers: []string{TextbookAuth}, Records: []RR{gaia}})
	}
	return ns
}

// trimDot is a host name as the topology writes it.
func trimDot(name string) string { return strings.TrimSuffix(name, ".") }
