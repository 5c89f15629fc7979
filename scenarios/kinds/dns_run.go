package kinds

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/netip"

	"netsim/apps/dns"
	"netsim/apps/http"
	"netsim/apps/webcache/workload"
	"netsim/scenarios"
	"netsim/sim"
	"netsim/topology"
)

// dnsTally is what the measurement window's start and end are read from.
type dnsTally struct {
	messages, bytes    int64
	rootQ, tldQ, authQ int64
	local              dns.ResolverStats
	perAuth            []int64
	at                 sim.Time
}

func bootDNSKind(p *dnsParams, pl *scenarios.Platform) (func() (dnsRun, error), error) {
	s := p.space(rand.New(rand.NewPCG(pl.Env.Seed, 1)), false)
	if s.web != "" {
		for i := range s.ns.Zones {
			for j := range s.ns.Zones[i].Records {
				if rr := &s.ns.Zones[i].Records[j]; rr.Name == dns.TextbookWeb {
					rr.Addr = dns.AddrOfNode(pl.Node(s.web))
				}
			}
		}
	}
	zones, err := buildZones(pl, s.ns)
	if err != nil {
		return nil, err
	}
	retry := dns.RetryConfig{Timeout: p.Timeout.Time(), Tries: p.Tries, Select: dns.Selection(p.Select)}
	recursive := p.Mode == "recursive"
	// A server's counts add up over its lives: each boot appends a new instance.
	servers := map[string][][]*dns.Server{}
	for _, role := range []struct {
		name  string
		hosts []string
	}{{"root", s.ns.Zones[0].Servers}, {"tld", s.tld}, {"auth", s.auth}} {
		servers[role.name] = bootDNSServers(pl, zones, role.hosts, dns.ServerConfig{Rotate: p.Rotate, Recursive: recursive, Retry: retry})
	}
	var roots []topology.NodeID
	for _, r := range s.ns.Zones[0].Servers {
		roots = append(roots, pl.Node(trim(r)))
	}
	locals := bootLocalDNS(pl, s.local, dns.ResolverConfig{Roots: roots, Recursive: recursive, Retry: retry, NoCache: !p.Cache,
		Cache: dns.CacheConfig{Capacity: p.CacheSize, MaxTTL: p.MaxTTL.Time(), MaxNegativeTTL: 3 * sim.Hour}})
	local := []topology.NodeID{pl.Node(s.local)}
	var stubCache *dns.CacheConfig
	if p.StubCache {
		c := dns.DefaultCache()
		stubCache = &c
	}
	stubs := make([]*dns.Stub, len(s.clients))
	for i, c := range s.clients {
		pl.Boot(c, func(h topology.Host) error {
			st, err := dns.NewStub(h, dns.StubConfig{Servers: local, Cache: stubCache})
			stubs[i] = st
			return err
		})
	}
	if p.Loss > 0 {
		for _, l := range pl.Links(s.local) {
			pl.Network.SetLinkLoss(l, p.Loss)
		}
	}
	tally := func() dnsTally {
		t := dnsTally{at: pl.Kernel.Now()}
		for id := range pl.Network.NumNodes() {
			st := pl.Stack.Stats(topology.NodeID(id))
			t.messages += st.MessagesSent
			t.bytes += st.BytesSent
		}
		sum := func(role string) int64 {
			var n int64
			for _, lives := range servers[role] {
				var q int64
				for _, srv := range lives {
					q += srv.Stats().Queries
				}
				if role == "auth" {
					t.perAuth = append(t.perAuth, q)
				}
				n += q
			}
			return n
		}
		t.rootQ, t.tldQ, t.authQ = sum("root"), sum("tld"), sum("auth")
		for _, r := range *locals {
			st := r.Stats()
			t.local.Queries += st.Queries
			t.local.Hits += st.Hits
		}
		return t
	}
	var run dnsRun
	var start, end dnsTally
	replica := replicaIndex(s.ns)
	shares := make([]float64, p.Replicas)
	answeredA := 0
	// The window ends with the last measured lookup: the tally, a walk over every
	// host, is read then, not after each lookup (the web workload's after the run).
	last, ended := -1, false
	switch p.Workload {
	case "textbook":
		last = 1
	case "poisson":
		last = p.Queries - p.Warmup
	}
	record := func(res dns.Result) {
		run.lookups++
		if run.lookups == last {
			end, ended = tally(), true
		}
		if res.Err != nil || res.RCode == dns.RCodeServFail {
			run.failed++
			return
		}
		run.latency = append(run.latency, res.Latency().Seconds())
		if addrs := res.Addrs(); len(addrs) > 0 && res.Question.Type == dns.TypeA {
			answeredA++
			if i, ok := replica[addrs[0]]; ok && i < len(shares) {
				shares[i]++
			}
		}
	}
	var pages []http.PageResult
	switch p.Workload {
	case "web":
		objs := make([]int64, p.Objects)
		for i := range objs {
			objs[i] = p.ObjectSize.Bytes()
		}
		pl.Boot(s.web, func(h topology.Host) error {
			_, err := http.NewServer(h, http.ServerConfig{Objects: http.Page(6821, objs)})
			return err
		})
		visits := http.VisitConfig{
			Browser:  http.BrowserConfig{Mode: http.Mode(p.HTTPMode), Parallel: p.Parallel},
			URL:      http.URL{Host: s.web, Path: "/index.html"},
			Sessions: p.Pages, SessionGap: p.PageGap.Time(),
		}
		pl.Boot(s.client, func(h topology.Host) error {
			v := visits
			v.Browser.Resolver = timedResolver{stub: stubs[0], record: func(r dns.Result) {
				// The browser asks for every request; only lookups that sent
				// messages are resolutions.
				if r.FromCache {
					run.hostHits++
					return
				}
				record(r)
			}}
			return http.Visits(v, &pages)(h)
		})
	case "textbook":
		client := func() *dns.Stub { return stubs[0] }
		warm := []string{"", dns.TextbookWeb, dns.TextbookTarget}[p.Cached]
		if warm != "" {
			client().Lookup(dns.Question{Name: warm, Type: dns.TypeA}, func(dns.Result) {})
		}
		pl.Kernel.At(time60s, func() {
			start = tally()
			client().Lookup(dns.Question{Name: dns.TextbookTarget, Type: dns.TypeA}, record)
		})
	default:
		zipf := workload.NewZipf(len(s.names), p.Alpha)
		pop := &dns.Population{RatePerS: p.Rate, Queries: p.Queries, Warmup: p.Warmup, Clients: len(s.clients),
			Stub: func(i int) *dns.Stub { return stubs[i] },
			Pick: func(r *rand.Rand) dns.Question {
				i := zipf.Sample(r)
				if p.MXFraction > 0 && r.Float64() < p.MXFraction {
					return dns.Question{Name: s.domains[i%len(s.domains)], Type: dns.TypeMX}
				}
				return dns.Question{Name: s.names[i], Type: dns.TypeA}
			},
			MeasureStart: func() { start = tally() },
			Measured:     record,
		}
		pop.Start(pl.Kernel, pl.Env.Streams().Stream("dns/workload"))
	}
	return func() (dnsRun, error) {
		if !ended { // the web workload, or lookups lost with a crashed client
			end = tally()
		}
		if run.lookups == 0 {
			return dnsRun{}, errors.New("no measured lookup finished")
		}
		run.messages, run.bytes = end.messages-start.messages, end.bytes-start.bytes
		run.rootQ, run.tldQ, run.authQ = end.rootQ-start.rootQ, end.tldQ-start.tldQ, end.authQ-start.authQ
		run.window = (end.at - start.at).Seconds()
		run.local = dns.ResolverStats{Queries: end.local.Queries - start.local.Queries, Hits: end.local.Hits - start.local.Hits}
		for i := range end.perAuth {
			before := int64(0)
			if i < len(start.perAuth) {
				before = start.perAuth[i]
			}
			run.authPerServer = append(run.authPerServer, float64(end.perAuth[i]-before))
		}
		for _, r := range *locals {
			x := r.Exchange()
			run.upstream.Timeouts += x.Timeouts
		}
		if answeredA > 0 && p.Replicas > 1 {
			for i := range shares {
				shares[i] /= float64(answeredA)
			}
			run.replicaShare = shares
		}
		for _, pg := range pages {
			run.pageLoads = append(run.pageLoads, pg.LoadTime().Seconds())
		}
		if p.Workload == "web" && len(pages) != p.Pages {
			return dnsRun{}, fmt.Errorf("%d of %d page loads finished", len(pages), p.Pages)
		}
		return run, nil
	}, nil
}

// time60s is when the textbook's measured lookup starts, a minute after the warm-up.
const time60s = 60 * sim.Second

// replicaIndex maps every address of a name with several to its place among them.
func replicaIndex(ns *dns.Namespace) map[netip.Addr]int {
	out := map[netip.Addr]int{}
	for _, z := range ns.Zones {
		count := map[string]int{}
		for _, rr := range z.Records {
			if rr.Type == dns.TypeA {
				out[rr.Addr] = count[rr.Name]
				count[rr.Name]++
			}
		}
	}
	return out
}

// textbookPath is the texts' count of messages for the textbook workload, 2 plus 2
// for each server the resolution asks, and the sum of the RTTs on its path, with the
// first server of each NS set asked (select: in-order).
func (p *dnsParams) textbookPath() (int, sim.Time, error) {
	if p.Workload != "textbook" || !p.Cache {
		return 0, 0, errors.New("for the textbook workload with a cache")
	}
	rtt := func(a, b sim.Time) sim.Time { return 2 * (a + b) }
	c, l := p.ClientDelay.Time(), p.LocalDelay.Time()
	root, tld, auth, cs := p.RootDelay.Time(), p.TLDDelay.Time(), p.AuthDelay.Time(), 2*p.AuthDelay.Time()
	d := rtt(c, l)
	if p.Cached == 2 {
		return 2, d, nil
	}
	if p.Mode == "recursive" {
		d += rtt(l, root) + rtt(root, tld) + rtt(tld, auth)
		n := 8
		if p.Intermediate {
			d += rtt(auth, cs)
			n += 2
		}
		return n, d, nil
	}
	n := 2
	if p.Cached == 0 {
		d += rtt(l, root)
		n += 2
	}
	d += rtt(l, tld) + rtt(l, auth)
	n += 4
	if p.Intermediate {
		d += rtt(l, cs)
		n += 2
	}
	return n, d, nil
}

// ttlCacheHitRatio is the hit ratio of a TTL cache under independent Poisson requests
// (Jung, Berger & Balakrishnan, INFOCOM 2003): a name asked at rate λ_i with TTL T is
// a hit with probability λ_i T/(1+λ_i T) — a miss starts a TTL period in which the
// requests are hits, and the next request after it is a miss — averaged over the
// names with their Zipf probabilities p_i, λ_i = p_i × rate. It neglects the time a
// miss takes to resolve.
func (p *dnsParams) ttlCacheHitRatio() (float64, error) {
	T := p.ttlConst()
	switch {
	case p.Workload != "poisson" || !p.Cache || p.CacheSize > 0:
		return 0, errors.New("for the poisson workload with an unlimited cache")
	case math.IsNaN(T) || p.Aliases || p.MXFraction > 0:
		return 0, errors.New("for one TTL, no aliases and no MX queries")
	}
	n := p.TLDs * p.Domains * p.Hosts
	h := 0.0
	for _, pi := range workload.ZipfProbabilities(n, p.Alpha) {
		lt := pi * p.Rate * T
		h += pi * lt / (1 + lt)
	}
	return h, nil
}

// webPageLoad is the web workload's page load time: the DNS part, the sum of the RTTs
// of the exchanges its resolution makes (client ↔ local, then root, TLD and
// dns.someschool.edu, iteratively or recursively), plus the HTTP part, the RTT
// formula of §2.2.2 for the mode times the browser–server RTT — for the first load;
// later loads find the name in the host's cache (stub_cache) and pay the HTTP part
// alone. In nanoseconds, then seconds once, as the simulation measures it.
func (p *dnsParams) webPageLoad() (float64, error) {
	if p.Workload != "web" || !p.StubCache || p.Cached != 0 || p.Select != string(dns.InOrder) {
		return 0, errors.New("for the web workload with a stub cache, nothing cached before and select: in-order")
	}
	c := p.ClientDelay.Time()
	d := resolutionRTTs(c, p.LocalDelay.Time(), p.RootDelay.Time(), p.TLDDelay.Time(), p.AuthDelay.Time(), p.Mode == "recursive")
	web := sim.Time(http.PageLoadRTTs(http.Mode(p.HTTPMode), p.Objects, p.Parallel)) * 2 * (c + p.WebDelay.Time())
	total := d + sim.Time(p.Pages)*web
	if p.Pages == 1 {
		return total.Seconds(), nil
	}
	return total.Seconds() / float64(p.Pages), nil
}

// timedResolver is the browser's resolver: the host's stub, with each lookup's
// result kept for the metrics.
type timedResolver struct {
	stub   *dns.Stub
	record func(dns.Result)
}

var _ http.Resolver = timedResolver{}

func (t timedResolver) Resolve(host string, done func(topology.NodeID, bool)) {
	t.stub.Lookup(dns.Question{Name: host, Type: dns.TypeA}, func(r dns.Result) {
		t.record(r)
		if addrs := r.Addrs(); r.Err == nil && len(addrs) > 0 {
			if id, ok := dns.NodeOfAddr(addrs[0]); ok {
				done(id, true)
				return
			}
		}
		done(0, false)
	})
}
