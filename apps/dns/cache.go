package dns

import (
	"golang.org/x/net/dns/dnsmessage"

	"netsim/sim"
)

// CacheConfig is a cache's limits.
type CacheConfig struct {
	// Capacity is the most RRsets (positive or negative entries) held; past it the
	// least recently used is evicted. 0: no limit.
	Capacity int
	// MaxTTL caps every entry's lifetime (BIND's max-cache-ttl, a week by default);
	// 0: no cap.
	MaxTTL sim.Time
	// MaxNegativeTTL caps negative entries (RFC 2308 §5 suggests one to three hours;
	// BIND's max-ncache-ttl is 3 h); 0: no cap.
	MaxNegativeTTL sim.Time
}

// DefaultCache is BIND 9's: no entry limit here (BIND's is in bytes), a week's cap on
// positive and three hours' on negative entries.
func DefaultCache() CacheConfig {
	return CacheConfig{MaxTTL: 7 * 24 * sim.Hour, MaxNegativeTTL: 3 * sim.Hour}
}

// typeNXDomain keys a name's NXDOMAIN entry, which answers every type (RFC 2308 §5).
const typeNXDomain dnsmessage.Type = 0

type cacheKey struct {
	name string
	t    dnsmessage.Type
}

// entry is one cached RRset, or one negative answer: NODATA for (name, type), or
// NXDOMAIN for the name, with the SOA it came with.
type entry struct {
	key        cacheKey
	rrs        []RR // positive: the RRset; negative: the SOA
	negative   bool
	glue       bool // learnt from a referral's additional section, not an answer
	expires    sim.Time
	prev, next *entry // LRU list, most recent first
}

// CacheStats counts what a cache did.
type CacheStats struct {
	Lookups, Hits  int64
	Inserts        int64
	Evictions      int64 // removed for capacity
	Expirations    int64 // found expired at a lookup and removed
	NegativeStored int64
}

// Cache is a resolver's cache of RRsets (RFC 1034 §4.3.4; RFC 2181 §5): each entry
// lives exactly its TTL from the moment it was stored — it answers while now < stored +
// TTL and not after — capped by MaxTTL; negative answers live min(SOA TTL, SOA MINIMUM)
// (RFC 2308 §5). Lookups and inserts are O(1).
type Cache struct {
	cfg        CacheConfig
	m          map[cacheKey]*entry
	nx         int // NXDOMAIN entries in m
	head, tail *entry
	stats      CacheStats
}

// NewCache returns an empty cache.
func NewCache(cfg CacheConfig) *Cache {
	return &Cache{cfg: cfg, m: map[cacheKey]*entry{}}
}

// Stats returns the cache's counts.
func (c *Cache) Stats() CacheStats { return c.stats }

// Len is the number of entries held, expired ones not yet removed included.
func (c *Cache) Len() int { return len(c.m) }

// get returns the live entry for (name, t), or nil; an expired one is removed.
func (c *Cache) get(name string, t dnsmessage.Type, now sim.Time) *entry {
	e := c.m[cacheKey{name, t}]
	if e == nil {
		return nil
	}
	if now >= e.expires {
		c.stats.Expirations++
		c.remove(e)
		return nil
	}
	c.touch(e)
	return e
}

// nxdomain returns the live NXDOMAIN entry of name, or nil.
func (c *Cache) nxdomain(name string, now sim.Time) *entry {
	if c.nx == 0 {
		return nil
	}
	return c.get(name, typeNXDomain, now)
}

// Lookup returns the RRset of (name, t) with its TTLs counted down to now, or a
// negative answer: nxdomain for a name that does not exist, else (rrs == nil,
// negative) for no data of the type; soa is the negative answer's SOA. ok is false on a
// miss.
func (c *Cache) Lookup(name string, t dnsmessage.Type, now sim.Time) (rrs []RR, negative, nxdomain bool, soa []RR, ok bool) {
	c.stats.Lookups++
	// An NXDOMAIN entry answers every type of its name; with none held, not looking
	// for one saves a map lookup per query.
	if e := c.nxdomain(name, now); e != nil {
		c.stats.Hits++
		return nil, true, true, withTTL(e.rrs, e.expires, now), true
	}
	e := c.get(name, t, now)
	if e == nil {
		return nil, false, false, nil, false
	}
	c.stats.Hits++
	if e.negative {
		return nil, true, false, withTTL(e.rrs, e.expires, now), true
	}
	return withTTL(e.rrs, e.expires, now), false, false, nil, true
}

// peek returns a live RRset without counting a lookup (the resolver's own use: the
// servers of a zone, the address of a server).
func (c *Cache) peek(name string, t dnsmessage.Type, now sim.Time) []RR {
	if e := c.get(name, t, now); e != nil && !e.negative {
		return e.rrs
	}
	return nil
}

// withTTL copies rrs with the TTL left at now, in whole seconds rounded down.
func withTTL(rrs []RR, expires, now sim.Time) []RR {
	left := uint32((expires - now) / sim.Second)
	out := make([]RR, len(rrs))
	for i, rr := range rrs {
		rr.TTL = left
		out[i] = rr
	}
	return out
}

// Store caches an RRset (records of one name and type) received at now; its lifetime
// is the least TTL among them, capped. A TTL of 0 is not cached (RFC 1035 §3.2.1).
// Glue (from a referral's additional section) does not replace a live entry learnt
// from an answer (RFC 2181 §5.4.1's ranking, in brief).
func (c *Cache) Store(rrs []RR, glue bool, now sim.Time) {
	if len(rrs) == 0 {
		return
	}
	ttl := rrs[0].TTL
	for _, rr := range rrs[1:] {
		ttl = min(ttl, rr.TTL)
	}
	life := sim.Time(ttl) * sim.Second
	if c.cfg.MaxTTL > 0 {
		life = min(life, c.cfg.MaxTTL)
	}
	k := cacheKey{rrs[0].Name, rrs[0].Type}
	if old := c.m[k]; old != nil && glue && !old.glue && now < old.expires {
		return
	}
	c.put(&entry{key: k, rrs: append([]RR(nil), rrs...), glue: glue, expires: now + life})
}

// StoreNegative caches a negative answer for q (NODATA) or for its name (NXDOMAIN),
// with the SOA of the response's authority section: it lives min(SOA TTL, MINIMUM)
// (RFC 2308 §5). Without an SOA nothing is cached (RFC 2308 §5: "negative responses
// without SOA records SHOULD NOT be cached").
func (c *Cache) StoreNegative(q Question, nxdomain bool, soa RR, now sim.Time) {
	if soa.Type != TypeSOA || soa.SOA == nil {
		return
	}
	ttl := min(soa.TTL, soa.SOA.MinimumTTLs)
	life := sim.Time(ttl) * sim.Second
	if c.cfg.MaxNegativeTTL > 0 {
		life = min(life, c.cfg.MaxNegativeTTL)
	}
	if life == 0 {
		return
	}
	k := cacheKey{q.Name, q.Type}
	if nxdomain {
		k.t = typeNXDomain
	}
	soa.TTL = ttl
	c.stats.NegativeStored++
	c.put(&entry{key: k, rrs: []RR{soa}, negative: true, expires: now + life})
}

func (c *Cache) put(e *entry) {
	if old := c.m[e.key]; old != nil {
		c.remove(old)
	}
	c.stats.Inserts++
	c.m[e.key] = e
	if e.key.t == typeNXDomain {
		c.nx++
	}
	c.pushFront(e)
	if c.cfg.Capacity > 0 && len(c.m) > c.cfg.Capacity {
		c.stats.Evictions++
		c.remove(c.tail)
	}
}

func (c *Cache) remove(e *entry) {
	delete(c.m, e.key)
	if e.key.t == typeNXDomain {
		c.nx--
	}
	c.unlink(e)
}

// unlink takes e out of the LRU list.
func (c *Cache) unlink(e *entry) {
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		c.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		c.tail = e.prev
	}
	e.prev, e.next = nil, nil
}

func (c *Cache) pushFront(e *entry) {
	e.next = c.head
	if c.head != nil {
		c.head.prev = e
	}
	c.head = e
	if c.tail == nil {
		c.tail = e
	}
}

func (c *Cache) touch(e *entry) {
	if c.head == e {
		return
	}
	c.unlink(e) // the map keeps it: a hit moves it in the list only
	c.pushFront(e)
}
