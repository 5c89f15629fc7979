package mail

import (
	"fmt"
	"sort"
	"strings"

	"netsim/apps/dns"
	"netsim/topology"
)

// Lookup is what DNSMX asks: a host's stub resolver (dns.Stub), or a script in tests.
type Lookup interface {
	Lookup(q dns.Question, done func(dns.Result))
}

var _ Lookup = (*dns.Stub)(nil)

// DNSMX finds a domain's exchangers through DNS, over the simulated network: the
// domain's MX records, then the A record of each exchanger (RFC 5321 §5.1), from the
// mail server's own stub resolver. The rules are §5.1's:
//   - NXDOMAIN: no such domain, a permanent failure (ErrNoDomain);
//   - MX records: sorted by preference, each host's address looked up; a host with
//     no address is left out, and none left is a permanent failure;
//   - a null MX (RFC 7505: one MX whose exchange is ".") accepts no mail: permanent;
//   - no MX record (NODATA): the domain itself is the implicit MX, preference 0, if
//     it has an address; if not, permanent;
//   - a timeout or SERVFAIL anywhere: temporary, the queue retries later.
type DNSMX struct{ Stub Lookup }

var _ MXResolver = DNSMX{}

// errLookup is a temporary failure of a lookup.
func errLookup(r dns.Result) error {
	if r.Err != nil {
		return fmt.Errorf("%s %s: %w", r.Question.Name, r.Question.Type, r.Err)
	}
	return fmt.Errorf("%s %s: %s", r.Question.Name, r.Question.Type, r.RCode)
}

func temporary(r dns.Result) bool { return r.Err != nil || r.RCode == dns.RCodeServFail }

// LookupMX asks for domain's MX records, then its exchangers' addresses, one after
// the other in order of preference.
func (d DNSMX) LookupMX(domain string, done func([]MX, error)) {
	d.Stub.Lookup(dns.Question{Name: domain, Type: dns.TypeMX}, func(r dns.Result) {
		switch {
		case temporary(r):
			done(nil, errLookup(r))
			return
		case r.RCode == dns.RCodeNXDomain:
			done(nil, fmt.Errorf("%s: NXDOMAIN: %w", domain, ErrNoDomain))
			return
		case r.RCode != dns.RCodeSuccess:
			done(nil, errLookup(r))
			return
		}
		var mxs []MX
		for _, rr := range r.Answer {
			if rr.Type == dns.TypeMX {
				mxs = append(mxs, MX{Host: strings.TrimSuffix(rr.Target, "."), Pref: int(rr.Pref)})
			}
		}
		if len(mxs) == 1 && mxs[0].Host == "" {
			done(nil, fmt.Errorf("%s: null MX (RFC 7505): %w", domain, ErrNoDomain))
			return
		}
		if len(mxs) == 0 {
			// RFC 5321 §5.1: "the address is treated as if it was associated with an
			// implicit MX RR, with a preference of 0, pointing to that host".
			mxs = []MX{{Host: strings.TrimSuffix(dns.Fqdn(domain), "."), Pref: 0}}
		}
		sort.SliceStable(mxs, func(i, j int) bool { return mxs[i].Pref < mxs[j].Pref })
		d.addresses(domain, mxs, 0, nil, false, done)
	})
}

// addresses looks up the address of mxs[i], then of the next; found are those with
// one, and temp records a temporary failure among them.
func (d DNSMX) addresses(domain string, mxs []MX, i int, found []MX, temp bool, done func([]MX, error)) {
	if i == len(mxs) {
		switch {
		case len(found) > 0:
			done(found, nil)
		case temp:
			done(nil, fmt.Errorf("%s: no exchanger's address could be looked up", domain))
		default:
			done(nil, fmt.Errorf("%s: no exchanger has an address: %w", domain, ErrNoDomain))
		}
		return
	}
	d.Stub.Lookup(dns.Question{Name: mxs[i].Host, Type: dns.TypeA}, func(r dns.Result) {
		if temporary(r) {
			temp = true
		} else if addrs := r.Addrs(); len(addrs) > 0 {
			if id, ok := dns.NodeOfAddr(addrs[0]); ok {
				mx := mxs[i]
				mx.Node = id
				found = append(found, mx)
			}
		}
		d.addresses(domain, mxs, i+1, found, temp, done)
	})
}

// DomainNamespace is the DNS of mail domains, each a host of its own name as the
// kinds name them (crepes.fr on host crepes.fr): dns.HostNamespace's hierarchy, with
// "<domain> MX 10 <domain>" in each domain's zone beside its A record.
func DomainNamespace(domains []string, addr func(host string) topology.NodeID, ttl uint32) (*dns.Namespace, error) {
	ns, err := dns.HostNamespace(domains, addr, ttl)
	if err != nil {
		return nil, err
	}
	for i, z := range ns.Zones {
		for _, d := range domains {
			if name := dns.Fqdn(d); name == z.Origin {
				ns.Zones[i].Records = append(ns.Zones[i].Records, dns.RR{Name: name, Type: dns.TypeMX, TTL: ttl, Pref: 10, Target: name})
			}
		}
	}
	return ns, nil
}
