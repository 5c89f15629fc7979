package kinds

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"netsim/apps/dns"
	"netsim/scenarios"
	"netsim/scenarios/units"
)

// dns: the name hierarchy of Kurose & Ross §2.5 — root letters, TLD servers,
// authoritative servers, a local server with a cache — and clients resolving names
// through it. Workload textbook is the texts' example, cis.poly.edu resolving
// gaia.cs.umass.edu, once, with caches empty, the TLD cached or the answer cached;
// workload poisson is a population of clients querying a generated name space
// (N TLDs × M domains × K hosts) with Zipf popularity.
type dnsParams struct {
	Workload     string                           `yaml:"workload" default:"poisson" oneof:"textbook poisson web" help:"textbook (one resolution of gaia.cs.umass.edu, K&R §2.5.2), poisson (clients querying a generated name space) or web (cis.poly.edu's browser loads a page from www.someschool.edu, resolving its name first)"`
	Mode         string                           `yaml:"mode" default:"iterative" oneof:"iterative recursive" help:"the local server walks the hierarchy itself (iterative) or asks the root with RD set and each server asks the next (recursive)"`
	Intermediate bool                             `yaml:"intermediate" help:"textbook: dns.umass.edu delegates cs.umass.edu to the intermediate server dns.cs.umass.edu"`
	Cached       int                              `yaml:"cached" range:"[0,2]" help:"textbook: how far down the hierarchy the local cache reaches before the lookup: 0 nothing, 1 the edu TLD servers (from a lookup of www.someschool.edu), 2 the answer"`
	Roots        int                              `yaml:"roots" platform:"" default:"13" range:"[1,13]" help:"root server letters, a to m, each its own host"`
	RootDelay    units.Duration                   `yaml:"root_delay" platform:"" default:"20ms" help:"one-way delay, root letter a to the core; letter i adds i·root_spread"`
	RootSpread   units.Duration                   `yaml:"root_spread" platform:"" default:"2ms" help:"extra one-way delay of each further root letter"`
	TLDServers   int                              `yaml:"tld_servers" platform:"" default:"2" range:"[1,26]" help:"servers per TLD"`
	TLDDelay     units.Duration                   `yaml:"tld_delay" platform:"" default:"30ms" help:"one-way delay, a TLD server to the core"`
	AuthDelay    units.Duration                   `yaml:"auth_delay" platform:"" default:"40ms" help:"one-way delay, an authoritative server to the core (dns.cs.umass.edu: twice it)"`
	LocalDelay   units.Duration                   `yaml:"local_delay" platform:"" default:"2ms" help:"one-way delay, the local server to the core"`
	ClientDelay  units.Duration                   `yaml:"client_delay" platform:"" default:"1ms" help:"one-way delay, a client to the core"`
	Clients      int                              `yaml:"clients" platform:"" default:"10" range:"[1,100000]" help:"poisson: client hosts, each with a stub resolver and no cache of its own"`
	TLDs         int                              `yaml:"tlds" platform:"" default:"5" range:"[1,1000]" help:"poisson: N, top-level domains"`
	Domains      int                              `yaml:"domains" platform:"" default:"20" range:"[1,100000]" help:"poisson: M, domains per TLD, each with its own authoritative server"`
	Hosts        int                              `yaml:"hosts" default:"10" range:"[1,100000]" help:"poisson: K, host names per domain"`
	Aliases      bool                             `yaml:"aliases" default:"true" help:"poisson: every domain has www CNAME h0"`
	MXFraction   float64                          `yaml:"mx_fraction" default:"0.1" range:"[0,1]" help:"poisson: fraction of queries for a domain's MX record instead of a host's A"`
	Replicas     int                              `yaml:"replicas" default:"1" range:"[1,64]" help:"addresses of every host (replicated servers)"`
	Rotate       bool                             `yaml:"rotate" help:"authoritative servers rotate the order of a name's addresses in every reply (K&R §2.5.1)"`
	TTL          scenarios.Random[units.Duration] `yaml:"ttl" default:"1h" help:"TTL of each host's records, or a distribution each is drawn from (whole seconds)"`
	Rate         float64                          `yaml:"rate" default:"50" range:"(0,)" unit:"1/s" help:"poisson: queries per second over all clients"`
	Queries      int                              `yaml:"queries" default:"20000" range:"[1,1e8]" help:"poisson: queries in a run, warm-up included"`
	Warmup       int                              `yaml:"warmup" default:"2000" range:"[0,)" help:"poisson: first queries left out of the metrics; fewer than queries"`
	Alpha        float64                          `yaml:"alpha" default:"0.8" range:"[0,10]" help:"poisson: Zipf exponent of the names' popularity"`
	Cache        bool                             `yaml:"cache" default:"true" help:"the local server caches answers, referrals and negative answers"`
	CacheSize    int                              `yaml:"cache_size" range:"[0,)" help:"the local cache's capacity in RRsets, LRU beyond; 0: no limit"`
	MaxTTL       units.Duration                   `yaml:"max_ttl" default:"168h" help:"cap on a cached entry's life (BIND's max-cache-ttl)"`
	Select       string                           `yaml:"select" default:"lowest-rtt" oneof:"in-order random round-robin lowest-rtt" help:"how a resolver picks among an NS set's servers"`
	Timeout      units.Duration                   `yaml:"timeout" default:"2s" range:"(0,)" help:"the local server's wait for one try"`
	Tries        int                              `yaml:"tries" default:"3" range:"[1,20]" help:"rounds over an NS set before the local server gives up"`
	HTTPMode     string                           `yaml:"http_mode" default:"pipelined" oneof:"nonpersistent parallel persistent pipelined" help:"web: how the browser uses TCP connections (K&R §2.2.2)"`
	Parallel     int                              `yaml:"parallel" default:"5" range:"[1,)" help:"web: P, connections at once in parallel mode"`
	Objects      int                              `yaml:"objects" default:"10" range:"[0,10000]" help:"web: K, objects the base HTML file references"`
	ObjectSize   units.Size                       `yaml:"object_size" default:"10kB" help:"web: size of each object's body (the base file is 6821 B, §2.2.3)"`
	WebDelay     units.Duration                   `yaml:"web_delay" platform:"" default:"40ms" help:"web: one-way delay, www.someschool.edu to the core"`
	Pages        int                              `yaml:"pages" default:"1" range:"[1,1000]" help:"web: page loads, each page_gap after the last ended"`
	PageGap      units.Duration                   `yaml:"page_gap" default:"1h" help:"web: time between page loads"`
	StubCache    bool                             `yaml:"stub_cache" help:"the clients' hosts keep answers in a cache of their own, as a browser does (web: a later request or load skips the lookup); off, every lookup asks the local server, as the texts' clients do"`
	Loss         float64                          `yaml:"loss" range:"[0,1)" help:"probability that the local server's access link drops a datagram, each way"`
}

// dnsRun is a run's result.
type dnsRun struct {
	latency            []float64 // seconds, per measured lookup that was answered
	lookups, failed    int
	messages, bytes    int64 // over the measurement, all hosts
	rootQ, tldQ, authQ int64
	window             float64 // seconds
	local              dns.ResolverStats
	upstream           dns.ExchangeStats
	authPerServer      []float64
	replicaShare       []float64
	pageLoads          []float64 // seconds, web
	hostHits           int       // web: lookups the host's cache answered
}

func (r *dnsRun) per(x int64) float64 { return float64(x) / float64(r.lookups) }

var _ = scenarios.Register(scenarios.Decl[dnsParams, dnsRun]{
	Name:     "dns",
	Summary:  "the DNS hierarchy: iterative and recursive resolution, caching with TTLs, load on root and TLD servers (K&R §2.5)",
	Check:    (*dnsParams).check,
	Boot:     bootDNSKind,
	Topology: true, Schedule: true,
	Platform: (*dnsParams).platform,
	Deploy:   (*dnsParams).deploy,
	Metrics: []scenarios.Reading[dnsRun]{
		scenarios.Scalar("latency_s", "s", "mean resolution latency at the clients, answered lookups", func(r *dnsRun) float64 { return mean(r.latency) }),
		scenarios.Sample("resolution_s", "s", "each answered lookup's latency", func(r *dnsRun) []float64 { return r.latency }),
		scenarios.Scalar("messages", "", "messages sent by every host, per measured lookup (web: the page's HTTP messages too)", func(r *dnsRun) float64 { return r.per(r.messages) }),
		scenarios.Scalar("bytes", "B", "message bytes sent by every host, per measured lookup (web: HTTP too)", func(r *dnsRun) float64 { return r.per(r.bytes) }),
		scenarios.Scalar("root_queries", "", "queries the root servers received, per measured lookup", func(r *dnsRun) float64 { return r.per(r.rootQ) }),
		scenarios.Scalar("tld_queries", "", "queries the TLD servers received, per measured lookup", func(r *dnsRun) float64 { return r.per(r.tldQ) }),
		scenarios.Scalar("auth_queries", "", "queries the authoritative servers received, per measured lookup", func(r *dnsRun) float64 { return r.per(r.authQ) }),
		scenarios.Scalar("root_load_per_s", "1/s", "queries per second at all root servers together, over the measurement", func(r *dnsRun) float64 { return float64(r.rootQ) / r.window }),
		scenarios.Scalar("tld_load_per_s", "1/s", "queries per second at all TLD servers together, over the measurement", func(r *dnsRun) float64 { return float64(r.tldQ) / r.window }),
		scenarios.Sample("auth_queries_per_server", "", "queries each authoritative server received over the measurement", func(r *dnsRun) []float64 { return r.authPerServer }),
		scenarios.Scalar("hit_ratio", "", "fraction of the local server's client queries answered from its cache alone, over the whole run", func(r *dnsRun) float64 { return r.local.HitRatio() }),
		scenarios.Scalar("timeouts", "", "tries of the local server that timed out, over the whole run", func(r *dnsRun) float64 { return float64(r.upstream.Timeouts) }),
		scenarios.Scalar("failed", "", "measured lookups that got no answer (timeout or SERVFAIL)", func(r *dnsRun) float64 { return float64(r.failed) }),
		scenarios.Sample("replica_share", "", "fraction of answered A lookups whose first address was each replica's (replica order)", func(r *dnsRun) []float64 { return r.replicaShare }),
		scenarios.Scalar("replica_max_share", "", "the largest replica_share: 1/replicas when load is spread evenly", func(r *dnsRun) float64 { return maxOf(r.replicaShare) }),
		scenarios.Scalar("host_cache_answers", "", "web: the browser's lookups its host's own cache answered, without a message (they are not in the lookups counted)", func(r *dnsRun) float64 { return float64(r.hostHits) }),
		scenarios.Scalar("page_load_s", "s", "web: page load time, resolution included, mean over the loads", func(r *dnsRun) float64 { return mean(r.pageLoads) }),
		scenarios.Events[dnsRun](),
	},
	Theory: []scenarios.TheoryOf[dnsParams]{
		{Name: "textbook_messages", Label: "K&R: 2 + 2 per server asked", Metric: "messages", Value: func(p *dnsParams) (float64, error) {
			n, _, err := p.textbookPath()
			return float64(n), err
		}},
		{Name: "rtt_sum", Label: "sum of the RTTs on the path", Metric: "latency_s", Value: func(p *dnsParams) (float64, error) {
			_, d, err := p.textbookPath()
			return d.Seconds(), err
		}},
		{Name: "dns_web", Label: "DNS: the RTTs to the servers visited; HTTP: the RTT formula", Metric: "page_load_s", Value: func(p *dnsParams) (float64, error) {
			return p.webPageLoad()
		}},
		{Name: "ttl_cache", Label: "TTL cache: Σ p_i λ_i T/(1+λ_i T)", Metric: "hit_ratio", Value: (*dnsParams).ttlCacheHitRatio},
		{Name: "even_share", Label: "1/replicas", Metric: "replica_max_share", Value: func(p *dnsParams) (float64, error) {
			return 1 / float64(p.Replicas), nil
		}},
	},
})

func maxOf(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	return slices.Max(x)
}

func (p *dnsParams) check() error {
	var errs []error
	if p.Warmup >= p.Queries {
		errs = append(errs, scenarios.Errorf("warmup", "must be in [0, queries), got %d", p.Warmup))
	}
	if p.Workload == "textbook" && p.Roots < 1 {
		errs = append(errs, scenarios.Errorf("roots", "must be at least 1"))
	}
	return errors.Join(errs...)
}

// The platform's host names.
const (
	dnsLocal  = "local"
	dnsClient = "client"
)

// namespace is the run's name space and the names of the hosts of each role.
type dnsSpace struct {
	ns             *dns.Namespace
	tld, auth      []string
	names, domains []string
	local, client  string
	web            string // the Web server's host, web only
	clients        []string
}

// space is the run's name space. servers leaves the hosts' records out: the platform
// and the deployment need only the servers' names, and at 10^5 names generating the
// records three times was a tenth of a run's allocations.
func (p *dnsParams) space(r *rand.Rand, servers bool) dnsSpace {
	if p.Workload != "poisson" {
		ns := dns.TextbookNamespace(p.Intermediate, uint32(p.ttlConst()), dns.RR{Type: dns.TypeA, Addr: dns.AddrOfNode(0)}, dns.RR{Type: dns.TypeA, Addr: dns.AddrOfNode(0)})
		ns.Zones[0].Servers = dns.RootLetters(p.Roots)
		auth := []string{dns.TextbookAuth, dns.TextbookWebAuth}
		if p.Intermediate {
			auth = append(auth, dns.TextbookCSAuth)
		}
		sp := dnsSpace{ns: ns, tld: dns.TextbookTLDServers, auth: auth, local: trim(dns.TextbookLocal),
			client: trim(dns.TextbookClient), clients: []string{trim(dns.TextbookClient)}}
		if p.Workload == "web" {
			sp.web = trim(dns.TextbookWeb)
		}
		return sp
	}
	draw := p.TTL.Sampler(r)
	cfg := dns.GenerateConfig{Roots: p.Roots, TLDs: p.TLDs, TLDServers: p.TLDServers, Domains: p.Domains,
		Hosts: p.Hosts, Aliases: p.Aliases, MX: p.MXFraction > 0, Replicas: p.Replicas,
		TTL: func() uint32 { return uint32(math.Max(0, math.Round(draw()))) }}
	if servers {
		cfg.Hosts, cfg.Aliases, cfg.MX = 0, false, false
	}
	g := dns.Generate(cfg, r)
	s := dnsSpace{ns: g.Namespace, tld: g.TLDServers, auth: g.AuthServers, names: g.Names, domains: g.Domains, local: dnsLocal}
	for i := range p.Clients {
		s.clients = append(s.clients, fmt.Sprintf("%s%d", dnsClient, i))
	}
	return s
}

func trim(name string) string { return name[:len(name)-1] }

// ttlConst is the TTL in seconds when it is one value, else NaN.
func (p *dnsParams) ttlConst() float64 {
	if d, ok := p.TTL.Const(); ok {
		return math.Round(d.Seconds())
	}
	return math.NaN()
}

// platform is a star of unconstrained links, so that a message's only delay is
// propagation: every client and the local server, the root letters (each its own
// delay), the TLD servers and the authoritative servers.
func (p *dnsParams) platform(env *scenarios.RunEnv) *scenarios.Topology {
	s := p.space(rand.New(rand.NewPCG(env.Seed, 1)), true)
	var hosts []scenarios.StarHost
	add := func(name string, d units.Duration) {
		hosts = append(hosts, scenarios.StarHost{Name: name, Upload: scenarios.Unconstrained, Download: scenarios.Unconstrained, Delay: d})
	}
	for _, c := range s.clients {
		add(c, p.ClientDelay)
	}
	add(s.local, p.LocalDelay)
	for i, r := range s.ns.Zones[0].Servers {
		add(trim(r), p.RootDelay+units.Duration(i)*p.RootSpread)
	}
	for _, t := range s.tld {
		add(trim(t), p.TLDDelay)
	}
	if s.web != "" {
		add(s.web, p.WebDelay)
	}
	for _, a := range s.auth {
		d := p.AuthDelay
		if a == dns.TextbookCSAuth {
			d *= 2
		}
		add(trim(a), d)
	}
	return &scenarios.Topology{Star: &scenarios.StarTopology{Hosts: hosts}}
}

// deploy: every server name of the name space on the host of that name, the local
// server on local (textbook: dns.poly.edu), a client on each client<i> (textbook:
// cis.poly.edu).
func (p *dnsParams) deploy(t *scenarios.Topology) (scenarios.Deployment, error) {
	s := p.space(rand.New(rand.NewPCG(0, 1)), true)
	var dep scenarios.Deployment
	var missing []string
	place := func(host, role, steady string) {
		if !t.Has(host) {
			missing = append(missing, host)
		}
		dep = append(dep, scenarios.Placement{Host: host, Role: role, Steady: steady})
	}
	for _, c := range s.clients {
		place(c, "client", "the query workload drives it")
	}
	place(s.local, "local", "")
	if s.web != "" {
		place(s.web, "web", "")
	}
	for _, r := range s.ns.Zones[0].Servers {
		place(trim(r), "root", "")
	}
	for _, n := range s.tld {
		place(trim(n), "tld", "")
	}
	for _, n := range s.auth {
		place(trim(n), "auth", "")
	}
	if len(missing) > 0 {
		return nil, scenarios.Errorf("topology", "kind dns needs hosts named %v", missing[:min(len(missing), 5)])
	}
	return dep, nil
}
