package dns

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/sim"
)

// RFC 1035 §3.2.1 and RFC 1034 §4.3.4: a cached record answers until its TTL has run
// out — at t0 + TTL − ε it is a hit, with the TTL counted down; at t0 + TTL and t0 +
// TTL + ε a miss.
func TestCacheEntryLivesExactlyItsTTL(t *testing.T) {
	c := NewCache(DefaultCache())
	t0 := 5*sim.Second + 123
	rr := RR{Name: "gaia.cs.umass.edu.", Type: TypeA, TTL: 300, Addr: netip.MustParseAddr("10.0.0.2")}
	c.Store([]RR{rr}, false, t0)
	for _, tc := range []struct {
		at  sim.Time
		hit bool
		ttl uint32
	}{{t0, true, 300}, {t0 + 300*sim.Second - 1, true, 0}, {t0 + 299*sim.Second, true, 1}, {t0 + 300*sim.Second, false, 0}, {t0 + 300*sim.Second + 1, false, 0}} {
		// Lookups after a miss find nothing; store again for each probe.
		c := NewCache(DefaultCache())
		c.Store([]RR{rr}, false, t0)
		rrs, _, _, _, ok := c.Lookup(rr.Name, TypeA, tc.at)
		require.Equal(t, tc.hit, ok, "at t0%+v", tc.at-t0)
		if ok {
			require.Equal(t, tc.ttl, rrs[0].TTL)
		}
	}
	_, _, _, _, ok := c.Lookup(rr.Name, TypeA, t0+300*sim.Second+1)
	require.False(t, ok)
	require.Equal(t, int64(1), c.Stats().Expirations)
}

// The cap (BIND's max-cache-ttl) shortens a long TTL; capacity evicts the least
// recently used entry.
func TestCacheCapAndLRU(t *testing.T) {
	c := NewCache(CacheConfig{Capacity: 2, MaxTTL: 60 * sim.Second})
	a := func(name string) []RR {
		return []RR{{Name: name, Type: TypeA, TTL: 86400, Addr: netip.MustParseAddr("10.0.0.1")}}
	}
	c.Store(a("a."), false, 0)
	c.Store(a("b."), false, 0)
	_, _, _, _, ok := c.Lookup("a.", TypeA, sim.Second) // a is now the most recent
	require.True(t, ok)
	c.Store(a("c."), false, sim.Second) // evicts b
	_, _, _, _, ok = c.Lookup("b.", TypeA, sim.Second)
	require.False(t, ok)
	_, _, _, _, ok = c.Lookup("a.", TypeA, 60*sim.Second-1)
	require.True(t, ok)
	_, _, _, _, ok = c.Lookup("a.", TypeA, 60*sim.Second)
	require.False(t, ok, "capped at 60 s")
	require.Equal(t, int64(1), c.Stats().Evictions)
}

// The same edge through the real network: the local server caches gaia.cs.umass.edu
// when dns.umass.edu's answer reaches it, at ta; a client query that reaches it at
// ta + TTL − 1 µs is a hit (2 messages), one at ta + TTL + 1 µs a miss that walks
// from the cached edu servers (the umass.edu NS and glue, two days, are still
// cached: 4 messages more than a hit's 2).
func TestResolverTTLEdge(t *testing.T) {
	const ttl = 60
	for _, c := range []struct {
		eps      sim.Time
		hit      bool
		messages int64
	}{{-sim.Microsecond, true, 2}, {sim.Microsecond, false, 4}} {
		ns := TextbookNamespace(false, ttl, RR{Type: TypeA, Addr: AddrOfNode(0)}, RR{Type: TypeA, Addr: AddrOfNode(0)})
		w := newWorld(t, ns, textbookDelays(), ServerConfig{}, ResolverConfig{})
		r, _ := w.lookup(TextbookTarget, TypeA)
		require.NoError(t, r.Err)
		// The answer left dns.umass.edu and reached dns.poly.edu one local-side RTT
		// half before the client had it: ta = End − (client→local one way).
		oneWay := w.delay[TextbookClient] + w.delay[TextbookLocal]
		ta := r.End - oneWay
		// Send the next query so that it reaches the local server at ta + TTL + eps.
		w.k.RunUntil(ta + ttl*sim.Second + c.eps - oneWay)
		hits := w.local.Stats().Hits
		_, n := w.lookup(TextbookTarget, TypeA)
		require.Equal(t, c.hit, w.local.Stats().Hits == hits+1, "eps %v", c.eps)
		require.Equal(t, c.messages, n, "eps %v", c.eps)
	}
}

// Negative caching, RFC 2308: an NXDOMAIN is cached for the name, whatever the type
// asked next (§5), a NODATA for the name and type only; each for min(SOA TTL, SOA
// MINIMUM) (§5) — here MINIMUM, 3600 s, below the SOA's own 172800 s — and not a
// nanosecond longer.
func TestNegativeCachingRFC2308(t *testing.T) {
	ns := TextbookNamespace(false, 86400, RR{Type: TypeA, Addr: AddrOfNode(0)}, RR{Type: TypeA, Addr: AddrOfNode(0)})
	w := newWorld(t, ns, textbookDelays(), ServerConfig{}, ResolverConfig{})
	r, n := w.lookup("nosuch.umass.edu.", TypeA)
	require.NoError(t, r.Err)
	require.Equal(t, RCodeNXDomain, r.RCode)
	require.Equal(t, int64(8), n)
	t0 := w.k.Now()
	r, n = w.lookup("nosuch.umass.edu.", TypeMX) // another type: the NXDOMAIN answers it
	require.Equal(t, RCodeNXDomain, r.RCode)
	require.Equal(t, int64(2), n)

	// NODATA: gaia has an A record but no MX.
	r, n = w.lookup(TextbookTarget, TypeMX)
	require.Equal(t, RCodeSuccess, r.RCode)
	require.Empty(t, r.Answer)
	require.Equal(t, int64(4), n, "umass.edu's servers are cached: local → dns.umass.edu only")
	_, n = w.lookup(TextbookTarget, TypeMX)
	require.Equal(t, int64(2), n, "NODATA cached")
	_, n = w.lookup(TextbookTarget, TypeAAAA)
	require.Equal(t, int64(4), n, "NODATA is for its type only")

	// The NXDOMAIN expires 3600 s after it was stored (before t0, by the last hop's
	// one-way delay back to the client).
	w.k.RunUntil(t0 + 3600*sim.Second)
	_, n = w.lookup("nosuch.umass.edu.", TypeA)
	require.Equal(t, int64(4), n, "expired after MINIMUM; asked of dns.umass.edu again")
	require.Equal(t, uint32(3600), min(ns.DelegationTTL, ns.NegativeTTL))
}

// A response that does not fit 512 bytes is sent truncated, and the asker asks again
// over TCP (RFC 1035 §4.2.1, RFC 7766 §5): a name with 40 addresses (40 × 16 bytes of
// records) comes back whole, after one TC reply at each of the two steps that carry it
// (dns.umass.edu → local, local → client).
func TestTruncationRetriesOverTCP(t *testing.T) {
	ns := TextbookNamespace(false, 86400, RR{Type: TypeA, Addr: AddrOfNode(0)}, RR{Type: TypeA, Addr: AddrOfNode(0)})
	for i := range 40 {
		ns.Zones[3].Records = append(ns.Zones[3].Records, RR{Name: "big.umass.edu.", Type: TypeA, TTL: 60, Addr: netip.AddrFrom4([4]byte{192, 0, 2, byte(i)})})
	}
	w := newWorld(t, ns, textbookDelays(), ServerConfig{}, ResolverConfig{})
	r, _ := w.lookup("big.umass.edu.", TypeA)
	require.NoError(t, r.Err)
	require.Len(t, r.Addrs(), 40)
	require.Equal(t, int64(1), w.servers[TextbookAuth].Stats().Truncated)
	require.Equal(t, int64(1), w.servers[TextbookAuth].Stats().TCPQueries)
	require.Equal(t, int64(1), w.local.Server().Truncated)
	require.Equal(t, int64(1), w.stub.Exchange().Truncated)
	require.Equal(t, int64(1), w.local.Exchange().Truncated)
}

// An NXDOMAIN entry answers every type of its name (RFC 2308 §5) for its life,
// whether it leaves by expiry, by eviction or by being replaced: the cache looks for
// one only while it holds one, and its count of them follows each way out.
func TestCacheCountsItsNXDomainEntries(t *testing.T) {
	soa := RR{Name: "umass.edu.", Type: TypeSOA, TTL: 600, SOA: &SOA{MName: "dns.umass.edu.", RName: "h.umass.edu.", MinimumTTLs: 60}}
	q := Question{Name: "nosuch.umass.edu.", Type: TypeA}
	c := NewCache(CacheConfig{Capacity: 2})
	c.StoreNegative(q, true, soa, 0)
	c.StoreNegative(q, true, soa, sim.Second) // replaced, still one
	require.Equal(t, 1, c.nx)
	_, neg, nx, _, ok := c.Lookup(q.Name, TypeMX, 2*sim.Second)
	require.True(t, ok && neg && nx, "NXDOMAIN answers every type")
	_, _, _, _, ok = c.Lookup(q.Name, TypeMX, 61*sim.Second)
	require.False(t, ok, "expired at min(SOA TTL, MINIMUM) = 60 s after it was stored")
	require.Equal(t, 0, c.nx)
	c.StoreNegative(q, true, soa, 100*sim.Second)
	for i, name := range []string{"a.umass.edu.", "b.umass.edu."} {
		c.Store([]RR{{Name: name, Type: TypeA, TTL: 600, Addr: netip.AddrFrom4([4]byte{10, 0, 0, byte(2 + i)})}}, false, 100*sim.Second)
	}
	require.Equal(t, 0, c.nx, "the least recently used, the NXDOMAIN, was evicted")
	_, _, _, _, ok = c.Lookup(q.Name, TypeA, 101*sim.Second)
	require.False(t, ok)
}
