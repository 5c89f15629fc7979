package mail

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/apps/dns"
	"netsim/sim"
	"netsim/topology"
)

// scriptedDNS answers each question from a table, at once; a question not in it
// times out.
type scriptedDNS map[dns.Question]dns.Result

func (s scriptedDNS) Lookup(q dns.Question, done func(dns.Result)) {
	q.Name = dns.Fqdn(q.Name)
	r, ok := s[q]
	if !ok {
		r.Err = errors.New("timed out")
	}
	r.Question = q
	done(r)
}

func mxRR(name, target string, pref uint16) dns.RR {
	return dns.RR{Name: name, Type: dns.TypeMX, Pref: pref, Target: target}
}

func aRR(name string, node topology.NodeID) dns.RR {
	return dns.RR{Name: name, Type: dns.TypeA, Addr: dns.AddrOfNode(node)}
}

// RFC 5321 §5.1's rules for locating the target host, as DNSMX applies them.
func TestDNSMXFollowsRFC5321Section5_1(t *testing.T) {
	mx := func(name string) dns.Question { return dns.Question{Name: name, Type: dns.TypeMX} }
	a := func(name string) dns.Question { return dns.Question{Name: name, Type: dns.TypeA} }
	ok := func(rrs ...dns.RR) dns.Result { return dns.Result{Answer: rrs} }
	script := scriptedDNS{
		// Two exchangers, listed in the wrong order: tried by preference.
		mx("two.edu."):      ok(mxRR("two.edu.", "b.two.edu.", 20), mxRR("two.edu.", "a.two.edu.", 10)),
		a("a.two.edu."):     ok(aRR("a.two.edu.", 3)),
		a("b.two.edu."):     ok(aRR("b.two.edu.", 4)),
		mx("nx.edu."):       {RCode: dns.RCodeNXDomain},
		mx("implicit.edu."): ok(),
		a("implicit.edu."):  ok(aRR("implicit.edu.", 5)),
		mx("noaddr.edu."):   ok(),
		a("noaddr.edu."):    ok(),
		mx("null.edu."):     ok(mxRR("null.edu.", ".", 0)),
		mx("fail.edu."):     {RCode: dns.RCodeServFail},
		mx("half.edu."):     ok(mxRR("half.edu.", "gone.half.edu.", 10), mxRR("half.edu.", "up.half.edu.", 20)),
		a("up.half.edu."):   ok(aRR("up.half.edu.", 6)),
		mx("lame.edu."):     ok(mxRR("lame.edu.", "gone.lame.edu.", 10)),
	}
	for _, c := range []struct {
		domain    string
		want      []MX
		permanent bool
	}{
		{"two.edu", []MX{{Host: "a.two.edu", Pref: 10, Node: 3}, {Host: "b.two.edu", Pref: 20, Node: 4}}, false},
		{"nx.edu", nil, true},
		{"implicit.edu", []MX{{Host: "implicit.edu", Pref: 0, Node: 5}}, false},
		{"noaddr.edu", nil, true},
		{"null.edu", nil, true},
		{"fail.edu", nil, false},
		// An exchanger whose address lookup timed out is skipped for one that has one.
		{"half.edu", []MX{{Host: "up.half.edu", Pref: 20, Node: 6}}, false},
		// Only a timed-out exchanger: temporary, retried at the next attempt.
		{"lame.edu", nil, false},
	} {
		t.Run(c.domain, func(t *testing.T) {
			calls := 0
			DNSMX{Stub: script}.LookupMX(c.domain, func(got []MX, err error) {
				calls++
				require.Equal(t, c.want, got)
				require.Equal(t, c.permanent, errors.Is(err, ErrNoDomain), "permanent: %v", err)
				require.Equal(t, c.want == nil, err != nil)
			})
			require.Equal(t, 1, calls)
		})
	}
}

// dnsRelayWorld is relayWorld with DNS on the star: a root letter, the edu and fr TLD
// servers a.nic.edu and a.nic.fr, ns.crepes.fr and ns.hamburger.edu, and crepes.fr's local (recursive)
// server, resolver.crepes.fr, each its own one-way delay from the core. crepes.fr
// finds hamburger.edu through its stub resolver.
type dnsRelayWorld struct {
	*relayWorld
	delay map[string]sim.Time
}

func newDNSRelayWorld(t *testing.T) *dnsRelayWorld {
	delay := map[string]sim.Time{"alice-pc": 5 * sim.Millisecond, "crepes.fr": 10 * sim.Millisecond, "hamburger.edu": 15 * sim.Millisecond,
		"resolver.crepes.fr": 1 * sim.Millisecond, "a.root-servers.net": 20 * sim.Millisecond,
		"a.nic.edu": 30 * sim.Millisecond, "a.nic.fr": 31 * sim.Millisecond,
		"ns.hamburger.edu": 40 * sim.Millisecond, "ns.crepes.fr": 41 * sim.Millisecond}
	order := []string{"alice-pc", "crepes.fr", "hamburger.edu", "resolver.crepes.fr", "a.root-servers.net",
		"a.nic.edu", "a.nic.fr", "ns.hamburger.edu", "ns.crepes.fr"}
	w := newWorld(t, delay, order...)
	r := &relayWorld{world: w, alice: NewStore(), bob: NewStore(), crepes: newServerStats(), hamburger: newServerStats()}
	r.alice.AddUser("alice", "wonderland", 0)
	r.bob.AddUser("bob", "hungry", 0)
	node := func(name string) topology.NodeID { return w.host(t, name).Node() }
	ns, err := DomainNamespace([]string{"crepes.fr", "hamburger.edu"}, node, 86400)
	require.NoError(t, err)
	zones, err := ns.Build(func(s string) (dns.RR, bool) {
		id, ok := w.net.Node(s[:len(s)-1])
		return dns.RR{Type: dns.TypeA, Addr: dns.AddrOfNode(id)}, ok
	})
	require.NoError(t, err)
	for _, s := range ns.Servers() {
		cfg := dns.ServerConfig{Zones: zones[s]}
		w.stack.Boot(node(s[:len(s)-1]), func(h topology.Host) {
			_, err := dns.StartServer(h, cfg)
			require.NoError(t, err)
		})
	}
	w.stack.Boot(node("resolver.crepes.fr"), func(h topology.Host) {
		_, err := dns.StartResolver(h, dns.ResolverConfig{Roots: []topology.NodeID{node("a.root-servers.net")}, Cache: dns.DefaultCache()})
		require.NoError(t, err)
	})
	r.crepesCfg = ServerConfig{Domain: "crepes.fr", Store: r.alice}
	r.hambCfg = ServerConfig{Domain: "hamburger.edu", Store: r.bob}
	return &dnsRelayWorld{relayWorld: r, delay: delay}
}

// boot starts the mail servers, crepes.fr with a stub resolver for its MX lookups.
func (r *dnsRelayWorld) boot(t *testing.T) {
	local := []topology.NodeID{r.host(t, "resolver.crepes.fr").Node()}
	r.stack.Boot(r.host(t, "crepes.fr").Node(), func(h topology.Host) {
		stub, err := dns.NewStub(h, dns.StubConfig{Servers: local})
		require.NoError(t, err)
		cfg := r.crepesCfg
		cfg.MX = DNSMX{Stub: stub}
		_, err = NewServer(h, cfg, r.crepes)
		require.NoError(t, err)
	})
	r.stack.Boot(r.host(t, "hamburger.edu").Node(), func(h topology.Host) {
		_, err := NewServer(h, r.hambCfg, r.hamburger)
		require.NoError(t, err)
	})
}

func (w *world) messages() int64 {
	var n int64
	for id := range w.net.NumNodes() {
		n += w.stack.Stats(topology.NodeID(id)).MessagesSent
	}
	return n
}

// A delivery whose MX lookup goes through DNS, with the caches empty, takes what the
// static table's takes plus the resolution, and sends its messages on top: K&R §2.5.2's
// iterative walk for the MX record — crepes.fr to its local server, which asks the
// root, the edu TLD server and ns.hamburger.edu, each a query and a reply, 8 messages
// and the sum of those 4 RTTs — then the exchanger's A record, which ns.hamburger.edu
// gave in the MX reply's additional section (RFC 1035 §3.3.9: "cause type A additional
// section processing"), and the local server cached it: one exchange with the local
// server, 2 messages and its RTT.
func TestDNSMXDeliveryCostsTheResolution(t *testing.T) {
	static := newRelayWorld(t)
	static.boot(t)
	static.send(t, []Outgoing{{To: []string{"bob@hamburger.edu"}, Data: draft(t, 1, "bob@hamburger.edu")}}, nil)
	static.k.Run()
	require.Len(t, static.bob.Log, 1)

	r := newDNSRelayWorld(t)
	r.boot(t)
	r.send(t, []Outgoing{{To: []string{"bob@hamburger.edu"}, Data: draft(t, 1, "bob@hamburger.edu")}}, nil)
	r.k.Run()
	require.Len(t, r.bob.Log, 1)
	d := r.delay
	rtt := func(a, b string) sim.Time { return 2 * (d[a] + d[b]) }
	mxPart := rtt("crepes.fr", "resolver.crepes.fr") + rtt("resolver.crepes.fr", "a.root-servers.net") +
		rtt("resolver.crepes.fr", "a.nic.edu") + rtt("resolver.crepes.fr", "ns.hamburger.edu")
	aPart := rtt("crepes.fr", "resolver.crepes.fr")
	require.Equal(t, static.bob.Log[0].At+mxPart+aPart, r.bob.Log[0].At)
	require.Equal(t, static.messages()+8+2, r.messages())
}

// A domain DNS does not know (NXDOMAIN from the edu TLD server: RFC 5321 §5.1, the
// lookup fails permanently) bounces at once with status 5.1.2; the resolution costs
// crepes.fr's exchange with its local server, and the local server's with the root
// and the TLD server: 6 messages.
func TestDNSMXUnknownDomainBounces(t *testing.T) {
	static := newRelayWorld(t)
	static.boot(t)
	static.send(t, []Outgoing{{To: []string{"x@nowhere.edu"}, Data: draft(t, 1, "x@nowhere.edu")}}, nil)
	static.k.Run()
	require.Equal(t, int64(1), static.crepes.Bounced)

	r := newDNSRelayWorld(t)
	r.boot(t)
	r.send(t, []Outgoing{{To: []string{"x@nowhere.edu"}, Data: draft(t, 1, "x@nowhere.edu")}}, nil)
	r.k.Run()
	require.Equal(t, int64(1), r.crepes.Bounced)
	status, _ := Part(inboxOf(t, r.alice, "alice").Msgs[0].Text, 2)
	require.Contains(t, status, "Status: 5.1.2\r\n")
	require.Equal(t, 0, r.alice.Queued())
	require.Empty(t, r.bob.Log)
	require.Equal(t, int64(1), r.crepes.Attempts)
	require.Equal(t, static.messages()+6, r.messages())
}
