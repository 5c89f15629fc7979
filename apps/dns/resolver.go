package dns

import (
	"errors"
	"fmt"

	"golang.org/x/net/dns/dnsmessage"

	"netsim/sim"
	"netsim/topology"
)

// ResolverConfig is a local (recursive) name server's: the ISP's server that hosts ask
// (Kurose & Ross §2.5.2).
type ResolverConfig struct {
	// Roots are the root servers' addresses: the hints file a resolver starts from.
	Roots []topology.NodeID
	// Recursive asks the root with RD set and lets the hierarchy recurse (the texts'
	// second figure); off, the resolver walks the hierarchy itself, iteratively.
	Recursive bool
	Retry     RetryConfig
	// Cache is the cache's limits; NoCache turns it off (every question walks the
	// hierarchy from the root).
	Cache   CacheConfig
	NoCache bool
	// MaxQueries bounds the queries one client question may cost (referrals,
	// CNAMEs, retries excluded): a loop of referrals ends in SERVFAIL.
	MaxQueries int
}

// DefaultResolverRetry is a resolver's: 2 s per try, three rounds over an NS set, the
// lowest smoothed RTT first (BIND 9).
func DefaultResolverRetry() RetryConfig {
	return RetryConfig{Timeout: 2 * sim.Second, Tries: 3, Select: LowestRTT}
}

// DefaultMaxQueries is the default query budget of one client question.
const DefaultMaxQueries = 32

// ResolverStats counts what a local server did for its clients.
type ResolverStats struct {
	Queries     int64 // client queries received (well formed)
	Hits        int64 // answered from the cache alone
	Joined      int64 // joined a resolution of the same question already under way
	Resolutions int64 // resolutions started into the hierarchy
	Answered    int64 // responses sent to clients
	NXDomain    int64
	ServFail    int64 // answered SERVFAIL: no server answered, or all failed
	Timeouts    int64 // of those, for want of any answer within the retry budget
	// Referrals followed and queries sent into the hierarchy, over all resolutions.
	Referrals, Upstream int64
}

// HitRatio is the fraction of client queries answered from the cache alone.
func (s ResolverStats) HitRatio() float64 { return float64(s.Hits) / float64(s.Queries) }

// Resolver is the local name server: it answers its clients' recursive queries from its
// cache or by resolving them, on UDP and TCP port 53.
type Resolver struct {
	h        topology.Host
	cfg      ResolverConfig
	udp      topology.UDPSocket
	x        *exchanger
	cache    *Cache
	inflight map[Question]*resolution
	stats    ResolverStats
	srv      ServerStats // malformed queries, truncations
}

// StartResolver starts a local name server on h.
func StartResolver(h topology.Host, cfg ResolverConfig) (*Resolver, error) {
	if len(cfg.Roots) == 0 {
		return nil, fmt.Errorf("dns resolver %s: no root servers", h.Name())
	}
	if cfg.Retry.Timeout <= 0 {
		cfg.Retry = DefaultResolverRetry()
	}
	if cfg.MaxQueries <= 0 {
		cfg.MaxQueries = DefaultMaxQueries
	}
	r := &Resolver{h: h, cfg: cfg, inflight: map[Question]*resolution{}}
	if !cfg.NoCache {
		r.cache = NewCache(cfg.Cache)
	}
	var err error
	if r.udp, err = h.BindUDP(Port, func(from topology.Addr, tm topology.Message) {
		r.handle(payload(tm), false, func(m *Msg) { sendUDP(r.udp, from, m, &r.srv) })
	}); err != nil {
		return nil, fmt.Errorf("dns resolver %s: %w", h.Name(), err)
	}
	if _, err = h.Listen(Port, func(c topology.Conn) { serveTCP(c, r.handle, &r.srv) }); err != nil {
		return nil, fmt.Errorf("dns resolver %s: %w", h.Name(), err)
	}
	if r.x, err = newExchanger(h, cfg.Retry); err != nil {
		return nil, fmt.Errorf("dns resolver %s: %w", h.Name(), err)
	}
	return r, nil
}

// Stats returns the resolver's counts; Cache its cache's (zero without one); Exchange
// its queries into the hierarchy; Server its malformed and truncated replies.
func (r *Resolver) Stats() ResolverStats { return r.stats }
func (r *Resolver) Exchange() ExchangeStats {
	return r.x.stats
}
func (r *Resolver) Server() ServerStats { return r.srv }
func (r *Resolver) Cache() CacheStats {
	if r.cache == nil {
		return CacheStats{}
	}
	return r.cache.Stats()
}

// CacheLen is the number of entries in the cache.
func (r *Resolver) CacheLen() int {
	if r.cache == nil {
		return 0
	}
	return r.cache.Len()
}

// handle answers one client query: from the cache, by joining a resolution of the
// same question under way, or by starting one.
func (r *Resolver) handle(b []byte, tcp bool, reply func(*Msg)) {
	q, ok := checkQuery(b, &r.srv, reply)
	if !ok {
		return
	}
	r.stats.Queries++
	respond := func(rcode RCode, answer, authority []RR) {
		m := q.Reply()
		m.RecursionAvailable = true
		m.RCode, m.Answer, m.Authority = rcode, answer, authority
		r.stats.Answered++
		reply(m)
	}
	if rcode, answer, authority, ok := r.fromCache(q.Question); ok {
		r.stats.Hits++
		respond(rcode, answer, authority)
		return
	}
	if res := r.inflight[q.Question]; res != nil {
		r.stats.Joined++
		res.waiters = append(res.waiters, respond)
		return
	}
	r.stats.Resolutions++
	res := &resolution{r: r, q: q.Question, waiters: []func(RCode, []RR, []RR){respond}}
	r.inflight[q.Question] = res
	res.done = func(rcode RCode, answer, authority []RR) {
		delete(r.inflight, q.Question)
		switch rcode {
		case RCodeNXDomain:
			r.stats.NXDomain++
		case RCodeServFail:
			r.stats.ServFail++
		}
		for _, w := range res.waiters {
			w(rcode, answer, authority)
		}
	}
	res.start()
}

// RCode is a response code.
type RCode = dnsmessage.RCode

// fromCache answers q from the cache alone, following cached CNAMEs.
func (r *Resolver) fromCache(q Question) (rcode RCode, answer, authority []RR, ok bool) {
	if r.cache == nil {
		return 0, nil, nil, false
	}
	now := r.h.Now()
	for range maxChain {
		rrs, neg, nx, soa, hit := r.cache.Lookup(q.Name, q.Type, now)
		if hit {
			if nx {
				return RCodeNXDomain, answer, soa, true
			}
			if neg {
				return RCodeSuccess, answer, soa, true
			}
			if answer == nil {
				return RCodeSuccess, rrs, nil, true // Lookup's own copy
			}
			return RCodeSuccess, append(answer, rrs...), nil, true
		}
		if q.Type == TypeCNAME {
			return 0, nil, nil, false
		}
		cn := r.cache.peek(q.Name, TypeCNAME, now)
		if cn == nil {
			return 0, nil, nil, false
		}
		answer = append(answer, withTTL(cn, r.cache.m[cacheKey{q.Name, TypeCNAME}].expires, now)...)
		q.Name = cn[0].Target
	}
	return 0, nil, nil, false
}

// resolution is one question being resolved into the hierarchy.
type resolution struct {
	r       *Resolver
	q       Question // the name now sought: the client's, or a CNAME's target
	chain   []RR     // CNAMEs followed so far
	zone    string   // the zone whose servers are being asked
	servers []topology.NodeID
	queries int
	depth   int // sub-resolutions of a server's address
	waiters []func(RCode, []RR, []RR)
	done    func(RCode, []RR, []RR)
	over    bool
}

// maxDepth bounds the nesting of sub-resolutions for glueless delegations.
const maxDepth = 4

// start (re)starts from the closest servers the cache knows, or from the root.
func (res *resolution) start() {
	r := res.r
	if len(res.chain) > 0 {
		if rcode, answer, authority, ok := r.fromCache(res.q); ok {
			res.finish(rcode, append(res.chain, answer...), authority)
			return
		}
	}
	if r.cfg.Recursive {
		res.zone, res.servers = ".", r.cfg.Roots
		res.ask(true)
		return
	}
	res.zone, res.servers = r.closest(res.q.Name)
	res.ask(false)
}

// closest returns the deepest zone enclosing name whose servers' addresses are in the
// cache — the texts' "bypass the root DNS servers" — or the root's hints.
func (r *Resolver) closest(name string) (string, []topology.NodeID) {
	if r.cache != nil {
		now := r.h.Now()
		for z := name; z != "" && z != "."; z = parent(z) {
			ns := r.cache.peek(z, TypeNS, now)
			if ns == nil {
				continue
			}
			if servers := r.addrsOf(ns, nil); len(servers) > 0 {
				return z, servers
			}
		}
	}
	return ".", r.cfg.Roots
}

// addrsOf returns the addresses of the NS records' servers, from glue and the cache.
func (r *Resolver) addrsOf(ns, glue []RR) []topology.NodeID {
	out := serversOf(ns, glue)
	if len(out) > 0 || r.cache == nil {
		return out
	}
	now := r.h.Now()
	for _, n := range ns {
		for _, a := range r.cache.peek(n.Target, TypeA, now) {
			if id, ok := NodeOfAddr(a.Addr); ok {
				out = append(out, id)
			}
		}
	}
	return out
}

func (res *resolution) ask(rd bool) {
	if res.queries >= res.r.cfg.MaxQueries {
		res.finish(RCodeServFail, nil, nil)
		return
	}
	res.queries++
	res.r.stats.Upstream++
	res.r.x.ask(res.servers, res.q, rd, res.onReply)
}

func (res *resolution) onReply(m *Msg, _ topology.NodeID, err error) {
	r := res.r
	if err != nil {
		if errors.Is(err, ErrTimeout) {
			r.stats.Timeouts++
		}
		res.finish(RCodeServFail, nil, nil)
		return
	}
	if r.cache != nil {
		storeAnswer(r.cache, res.q, m, r.h.Now())
	}
	final, cnames, target := followAnswer(res.q, m.Answer)
	switch {
	case m.RCode == RCodeNXDomain:
		res.finish(RCodeNXDomain, append(res.chain, cnames...), soaOf(m.Authority))
	case m.RCode != RCodeSuccess:
		res.finish(RCodeServFail, nil, nil)
	case len(final) > 0:
		res.finish(RCodeSuccess, append(append(res.chain, cnames...), final...), nil)
	case target != "":
		if len(res.chain)+len(cnames) >= maxChain {
			res.finish(RCodeServFail, nil, nil)
			return
		}
		res.chain = append(res.chain, cnames...)
		res.q.Name = target
		res.start()
	case len(soaOf(m.Authority)) > 0:
		res.finish(RCodeSuccess, res.chain, soaOf(m.Authority)) // NODATA
	default:
		res.referral(m)
	}
}

// referral follows a referral to a zone closer to the name than the one asked; any
// other reply (an upward or sideways referral: a lame server) fails the question.
func (res *resolution) referral(m *Msg) {
	r := res.r
	var ns []RR
	zone := ""
	for _, rr := range m.Authority {
		if rr.Type == TypeNS && (zone == "" || rr.Name == zone) {
			zone = rr.Name
			ns = append(ns, rr)
		}
	}
	if zone == "" || !within(res.q.Name, zone) || zone == res.zone || !within(zone, res.zone) {
		res.finish(RCodeServFail, nil, nil)
		return
	}
	r.stats.Referrals++
	res.zone = zone
	res.servers = r.addrsOf(ns, m.Additional)
	if len(res.servers) > 0 {
		res.ask(false)
		return
	}
	// A glueless delegation: find the first server's address, then ask it.
	if res.depth >= maxDepth {
		res.finish(RCodeServFail, nil, nil)
		return
	}
	sub := &resolution{r: r, q: Question{Name: ns[0].Target, Type: TypeA}, depth: res.depth + 1}
	sub.done = func(rcode RCode, answer, _ []RR) {
		for _, a := range answer {
			if id, ok := NodeOfAddr(a.Addr); ok && a.Type == TypeA {
				res.servers = append(res.servers, id)
			}
		}
		if len(res.servers) == 0 {
			res.finish(RCodeServFail, nil, nil)
			return
		}
		res.ask(false)
	}
	sub.start()
}

func (res *resolution) finish(rcode RCode, answer, authority []RR) {
	if res.over {
		return
	}
	res.over = true
	res.done(rcode, answer, authority)
}

// followAnswer reads an answer section for q: the records of q's type at the end of
// the chain of CNAMEs from q's name, the CNAMEs, and the name the chain leaves the
// section at when it holds no such records ("" if it holds none at all).
func followAnswer(q Question, answer []RR) (final, cnames []RR, target string) {
	// The usual answer is the RRset alone: it is final as it stands (capped, so an
	// append to it copies).
	if all := len(answer) > 0; all {
		for _, rr := range answer {
			if rr.Name != q.Name || rr.Type != q.Type {
				all = false
				break
			}
		}
		if all {
			return answer[:len(answer):len(answer)], nil, ""
		}
	}
	name := q.Name
	for range maxChain {
		var next string
		for _, rr := range answer {
			if rr.Name != name {
				continue
			}
			switch {
			case rr.Type == q.Type:
				final = append(final, rr)
			case rr.Type == TypeCNAME && next == "":
				cnames = append(cnames, rr)
				next = rr.Target
			}
		}
		if len(final) > 0 || next == "" {
			break
		}
		name = next
	}
	if len(final) == 0 && len(cnames) > 0 {
		target = cnames[len(cnames)-1].Target
	}
	return final, cnames, target
}

// soaOf returns the SOA record of an authority section, if any.
func soaOf(authority []RR) []RR {
	for _, rr := range authority {
		if rr.Type == TypeSOA {
			return []RR{rr}
		}
	}
	return nil
}

// storeAnswer caches what a reply to q taught: its answer's RRsets, a negative answer
// (NXDOMAIN or NODATA, with its SOA) for the name the CNAME chain ends at, and a
// referral's NS records and glue.
func storeAnswer(c *Cache, q Question, m *Msg, now sim.Time) {
	storeSets(c, m.Answer, false, now)
	_, cnames, target := followAnswer(q, m.Answer)
	end := q
	if target != "" {
		end.Name = target
	} else if len(cnames) > 0 {
		end.Name = cnames[len(cnames)-1].Target
	}
	if soa := soaOf(m.Authority); soa != nil && (m.RCode == RCodeNXDomain || m.RCode == RCodeSuccess && target != "" || m.RCode == RCodeSuccess && len(m.Answer) == 0) {
		c.StoreNegative(end, m.RCode == RCodeNXDomain, soa[0], now)
	}
	var ns []RR
	for _, rr := range m.Authority {
		if rr.Type == TypeNS {
			ns = append(ns, rr)
		}
	}
	storeSets(c, ns, true, now)
	storeSets(c, m.Additional, true, now)
}

// storeSets caches the RRsets of rrs, grouping records of one name and type.
func storeSets(c *Cache, rrs []RR, glue bool, now sim.Time) {
	for i := 0; i < len(rrs); i++ {
		if rrs[i].Type == TypeSOA {
			continue
		}
		set := []RR{rrs[i]}
		seen := false
		for j := 0; j < i; j++ {
			if rrs[j].Name == rrs[i].Name && rrs[j].Type == rrs[i].Type {
				seen = true
				break
			}
		}
		if seen {
			continue
		}
		for j := i + 1; j < len(rrs); j++ {
			if rrs[j].Name == rrs[i].Name && rrs[j].Type == rrs[i].Type {
				set = append(set, rrs[j])
			}
		}
		c.Store(set, glue, now)
	}
}
