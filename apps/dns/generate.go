package dns

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
)

// Generated is a generated name space: N TLDs, M domains under each, K hosts in
// each domain, with a www alias (CNAME) and an MX record per domain if asked, and
// the names a workload asks for.
type Generated struct {
	Namespace *Namespace
	// Names are the host names (and www aliases) a client may ask an A record of, in
	// catalogue order (the Zipf rank); Domains the domains, for MX questions.
	Names   []string
	Domains []string
	// TLDServers and AuthServers are the server names by role, for the platform.
	TLDServers, AuthServers []string
}

// GenerateConfig shapes a generated name space.
type GenerateConfig struct {
	Roots, TLDs, TLDServers, Domains, Hosts int
	Aliases, MX                             bool
	// Replicas is the number of addresses of each host (replicated Web servers).
	Replicas int
	// TTL draws each host's TTL, in seconds.
	TTL func() uint32
}

// tldNames are the first TLDs' names; past them, t<i>.
var tldNames = []string{"com", "org", "net", "edu", "gov", "uk", "fr", "de", "jp", "ca"}

// Generate builds the name space: the roots a.root-servers.net.., TLD servers
// a.nic.<tld>.., and one authoritative server ns.<domain> per domain, whose zone
// holds h<k>.<domain> (k < Hosts) with addresses in 172.16.0.0/12 (hosts that are
// not simulated), the domain's delegation (NS and glue in the TLD's zone) with a TTL
// of the same distribution, and with aliases www.<domain> CNAME h0.<domain>, with MX
// <domain> MX 10 mail.<domain> and mail.<domain> A.
func Generate(cfg GenerateConfig, r *rand.Rand) *Generated {
	g := &Generated{Namespace: &Namespace{DelegationTTL: 2 * 86400, NegativeTTL: 3600}}
	g.Namespace.Zones = append(g.Namespace.Zones, ZoneSpec{Origin: ".", Servers: RootLetters(cfg.Roots)})
	addr := uint32(172<<24 | 16<<16)
	next := func() netip.Addr {
		addr++
		return netip.AddrFrom4([4]byte{byte(addr >> 24), byte(addr >> 16), byte(addr >> 8), byte(addr)})
	}
	replicas := max(cfg.Replicas, 1)
	for t := range cfg.TLDs {
		tld := fmt.Sprintf("t%d", t)
		if t < len(tldNames) {
			tld = tldNames[t]
		}
		var servers []string
		for s := range cfg.TLDServers {
			servers = append(servers, fmt.Sprintf("%c.nic.%s.", 'a'+s%26, tld))
		}
		g.TLDServers = append(g.TLDServers, servers...)
		g.Namespace.Zones = append(g.Namespace.Zones, ZoneSpec{Origin: tld + ".", Servers: servers})
		for d := range cfg.Domains {
			domain := fmt.Sprintf("d%d.%s.", d, tld)
			ns := "ns." + domain
			g.AuthServers = append(g.AuthServers, ns)
			g.Domains = append(g.Domains, domain)
			var rrs []RR
			for h := range cfg.Hosts {
				name := fmt.Sprintf("h%d.%s", h, domain)
				ttl := cfg.TTL()
				for range replicas {
					rrs = append(rrs, RR{Name: name, Type: TypeA, TTL: ttl, Addr: next()})
				}
				g.Names = append(g.Names, name)
			}
			if cfg.Aliases && cfg.Hosts > 0 {
				rrs = append(rrs, RR{Name: "www." + domain, Type: TypeCNAME, TTL: cfg.TTL(), Target: "h0." + domain})
				g.Names = append(g.Names, "www."+domain)
			}
			if cfg.MX {
				ttl := cfg.TTL()
				rrs = append(rrs, RR{Name: domain, Type: TypeMX, TTL: ttl, Pref: 10, Target: "mail." + domain},
					RR{Name: "mail." + domain, Type: TypeA, TTL: ttl, Addr: next()})
			}
			g.Namespace.Zones = append(g.Namespace.Zones, ZoneSpec{Origin: domain, Servers: []string{ns}, Records: rrs, DelegationTTL: max(cfg.TTL(), 1)})
		}
	}
	// The catalogue's order is the popularity rank: shuffled, so that popular names
	// are spread over domains and TLDs.
	r.Shuffle(len(g.Names), func(i, j int) { g.Names[i], g.Names[j] = g.Names[j], g.Names[i] })
	return g
}
