package dns

import (
	"fmt"
	"strings"

	"golang.org/x/net/dns/dnsmessage"
)

// Zone is the data one server is authoritative for (RFC 1034 §4.2): the records whose
// names lie at or below Origin, down to its zone cuts. A cut is a name below the origin
// with NS records: the zone delegates it, and holds those NS records and the addresses
// of the servers they name (glue, RFC 1034 §4.2.1) only to refer askers on — as the
// edu TLD server holds (umass.edu, dns.umass.edu, NS) and (dns.umass.edu, 128.119.40.111,
// A) in the texts' §2.5.3.
type Zone struct {
	Origin string
	SOA    RR // the zone's start of authority; its MinimumTTLs is the negative TTL
	names  map[string][]RR
	exists map[string]bool // owners and the names between them and the origin
	cuts   map[string]bool // delegated names
}

// NewZone returns an empty zone for origin with its SOA record: the primary server
// mname, the responsible mailbox, and the negative-caching TTL (RFC 2308 §4) in
// seconds. The SOA record's own TTL is ttl.
func NewZone(origin, mname string, ttl, negativeTTL uint32) *Zone {
	origin = Fqdn(origin)
	z := &Zone{Origin: origin, names: map[string][]RR{}, exists: map[string]bool{origin: true}, cuts: map[string]bool{}}
	z.SOA = RR{Name: origin, Type: TypeSOA, TTL: ttl, SOA: &SOA{
		MName: Fqdn(mname), RName: "hostmaster." + strings.TrimPrefix(origin, "."), Serial: 1,
		Refresh: 7200, Retry: 3600, Expire: 1209600, MinimumTTLs: negativeTTL,
	}}
	if origin == "." {
		z.SOA.SOA.RName = "hostmaster."
	}
	return z
}

// Add puts a record in the zone. An NS record below the origin makes a zone cut. A
// record outside the zone is an error; so are a CNAME beside other data (RFC 1034
// §3.6.2) and an SOA (the zone has its own).
func (z *Zone) Add(rr RR) error {
	rr.Name = Fqdn(rr.Name)
	if rr.Target != "" {
		rr.Target = Fqdn(rr.Target)
	}
	switch {
	case !within(rr.Name, z.Origin):
		return fmt.Errorf("dns: zone %s: record %s is outside it", z.Origin, rr)
	case rr.Type == TypeSOA:
		return fmt.Errorf("dns: zone %s: a zone has one SOA, its own", z.Origin)
	case (rr.Type == TypeA && !rr.Addr.Is4()) || (rr.Type == TypeAAAA && !rr.Addr.Is6()):
		return fmt.Errorf("dns: zone %s: record %s has no address of its type", z.Origin, rr.Name)
	}
	for _, old := range z.names[rr.Name] {
		if (old.Type == TypeCNAME) != (rr.Type == TypeCNAME) {
			return fmt.Errorf("dns: zone %s: %s has a CNAME and other data", z.Origin, rr.Name)
		}
	}
	z.names[rr.Name] = append(z.names[rr.Name], rr)
	for n := rr.Name; n != "" && !z.exists[n]; n = parent(n) {
		z.exists[n] = true
	}
	if rr.Type == TypeNS && rr.Name != z.Origin {
		z.cuts[rr.Name] = true
	}
	return nil
}

// MustAdd adds records the caller has built correctly; an error is a bug and panics.
func (z *Zone) MustAdd(rrs ...RR) *Zone {
	for _, rr := range rrs {
		if err := z.Add(rr); err != nil {
			panic(err)
		}
	}
	return z
}

// Records returns the zone's records of name and type t (0 for all types).
func (z *Zone) Records(name string, t dnsmessage.Type) []RR {
	var out []RR
	for _, rr := range z.names[Fqdn(name)] {
		if t == 0 || rr.Type == t {
			out = append(out, rr)
		}
	}
	return out
}

// Answer is what a zone says to a question: the sections of a response.
type Answer struct {
	RCode                         dnsmessage.RCode
	Authoritative                 bool
	Referral                      bool // the name is delegated: Authority holds the child's NS records
	Answer, Authority, Additional []RR
}

// maxChain bounds the CNAMEs a server or resolver follows for one question.
const maxChain = 8

// Lookup answers q from the zone (RFC 1034 §4.3.2, steps 3a–3c): a referral if q's
// name is at or below a cut; the records of q's type, following CNAMEs within the zone;
// NODATA (no records of the type, the SOA in the authority section) or NXDOMAIN (no such
// name) otherwise, both authoritative, the SOA's TTL the minimum of its own and its
// MINIMUM field (RFC 2308 §3). A question outside the zone is REFUSED. Addresses of the
// NS and MX targets the zone holds go in the additional section.
func (z *Zone) Lookup(q Question) Answer {
	name := q.Name
	if !within(name, z.Origin) {
		return Answer{RCode: RCodeRefused}
	}
	var a Answer
	for range maxChain {
		if cut := z.cutAbove(name); cut != "" {
			if len(a.Answer) > 0 {
				// A CNAME into a delegated zone: the asker follows it.
				a.Authoritative = true
				return a
			}
			a.Referral = true
			a.Authority = z.Records(cut, TypeNS)
			a.Additional = z.glue(a.Authority)
			return a
		}
		a.Authoritative = true
		rrs := z.names[name]
		var cname *RR
		found := false
		for i := range rrs {
			switch {
			case rrs[i].Type == q.Type:
				a.Answer = append(a.Answer, rrs[i])
				found = true
			case rrs[i].Type == TypeCNAME:
				cname = &rrs[i]
			}
		}
		if found {
			if q.Type == TypeMX || q.Type == TypeNS {
				a.Additional = z.glue(a.Answer)
			}
			return a
		}
		if cname != nil {
			a.Answer = append(a.Answer, *cname)
			name = cname.Target
			if !within(name, z.Origin) {
				return a
			}
			continue
		}
		soa := z.SOA
		soa.TTL = min(soa.TTL, soa.SOA.MinimumTTLs)
		a.Authority = []RR{soa}
		if !z.exists[name] {
			a.RCode = RCodeNXDomain
		}
		return a
	}
	return Answer{RCode: RCodeServFail}
}

// cutAbove returns the highest zone cut at or above name and below the origin, or "".
func (z *Zone) cutAbove(name string) string {
	if len(z.cuts) == 0 {
		return ""
	}
	cut := ""
	for n := name; n != "" && n != z.Origin; n = parent(n) {
		if z.cuts[n] {
			cut = n
		}
	}
	return cut
}

// glue returns the addresses the zone holds for the targets of rrs (NS or MX).
func (z *Zone) glue(rrs []RR) []RR {
	var out []RR
	for _, rr := range rrs {
		for _, g := range z.names[rr.Target] {
			if g.Type == TypeA || g.Type == TypeAAAA {
				out = append(out, g)
			}
		}
	}
	return out
}
