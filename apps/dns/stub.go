package dns

import (
	"fmt"
	"net/netip"

	"netsim/sim"
	"netsim/topology"
)

// StubConfig is a host's resolver library: its local name servers (resolv.conf's
// nameserver lines), how it retries, and an optional cache of its own (a browser's or
// nscd's).
type StubConfig struct {
	Servers []topology.NodeID
	Retry   RetryConfig
	// Cache, if not nil, keeps answers on the host.
	Cache *CacheConfig
}

// DefaultStubRetry is glibc's: 5 s per try, two rounds over the servers in order
// (resolv.conf(5): timeout:5, attempts:2).
func DefaultStubRetry() RetryConfig {
	return RetryConfig{Timeout: 5 * sim.Second, Tries: 2, Select: InOrder}
}

// Result is one lookup's outcome.
type Result struct {
	Question Question
	RCode    RCode
	Answer   []RR // the CNAMEs followed and the records of the question's type
	Err      error
	// Start and End bound the lookup; FromCache is a lookup the host's own cache
	// answered, at once, without a message.
	Start, End sim.Time
	FromCache  bool
}

// Latency is the time the lookup took.
func (r Result) Latency() sim.Time { return r.End - r.Start }

// Addrs returns the addresses of an A or AAAA lookup, in the order the answer gave.
func (r Result) Addrs() []netip.Addr {
	var out []netip.Addr
	for _, rr := range r.Answer {
		if rr.Type == r.Question.Type && (rr.Type == TypeA || rr.Type == TypeAAAA) {
			out = append(out, rr.Addr)
		}
	}
	return out
}

// Stub is the client side of DNS on a host (K&R §2.5.1: "the same user machine runs
// the client side of the DNS application"): it sends recursive queries to its local
// server and hands the answers to the application.
type Stub struct {
	h       topology.Host
	cfg     StubConfig
	x       *exchanger
	cache   *Cache
	waiting map[Question][]func(Result)
	// Lookups counts the lookups asked of the stub; Hits those its own cache answered.
	Lookups, Hits int64
}

// NewStub returns a stub resolver on h.
func NewStub(h topology.Host, cfg StubConfig) (*Stub, error) {
	if len(cfg.Servers) == 0 {
		return nil, fmt.Errorf("dns stub %s: no name server", h.Name())
	}
	if cfg.Retry.Timeout <= 0 {
		cfg.Retry = DefaultStubRetry()
	}
	s := &Stub{h: h, cfg: cfg, waiting: map[Question][]func(Result){}}
	if cfg.Cache != nil {
		s.cache = NewCache(*cfg.Cache)
	}
	var err error
	if s.x, err = newExchanger(h, cfg.Retry); err != nil {
		return nil, fmt.Errorf("dns stub %s: %w", h.Name(), err)
	}
	return s, nil
}

// Exchange returns the counts of the stub's queries.
func (s *Stub) Exchange() ExchangeStats { return s.x.stats }

// Lookup asks for q's records. done is called once, never re-entrantly: after the
// local server's answer, or the retry budget; at once (in a zero-delay timer) when the
// host's cache has the answer. Lookups of one question under way share one query.
func (s *Stub) Lookup(q Question, done func(Result)) {
	q.Name = Fqdn(q.Name)
	s.Lookups++
	start := s.h.Now()
	if s.cache != nil {
		if rrs, neg, nx, _, ok := s.cache.Lookup(q.Name, q.Type, start); ok {
			s.Hits++
			res := Result{Question: q, Answer: rrs, Start: start, End: start, FromCache: true}
			if neg && nx {
				res.RCode = RCodeNXDomain
			}
			s.h.After(0, func() { done(res) })
			return
		}
	}
	if w, ok := s.waiting[q]; ok {
		s.waiting[q] = append(w, done)
		return
	}
	s.waiting[q] = []func(Result){done}
	s.x.ask(s.cfg.Servers, q, true, func(m *Msg, _ topology.NodeID, err error) {
		res := Result{Question: q, Start: start, End: s.h.Now(), Err: err}
		if err == nil {
			res.RCode = m.RCode
			final, cnames, _ := followAnswer(q, m.Answer)
			res.Answer = final
			if len(cnames) > 0 {
				res.Answer = append(cnames, final...)
			}
			if s.cache != nil {
				storeAnswer(s.cache, q, m, s.h.Now())
			}
		}
		waiters := s.waiting[q]
		delete(s.waiting, q)
		for _, w := range waiters {
			w(res)
		}
	})
}

// Resolve looks up host's address and gives its node: the first address of the
// answer, as the texts' clients use (§2.5.1), if it is a simulated host's. It is the
// asynchronous resolver apps/http's browser takes.
func (s *Stub) Resolve(host string, done func(topology.NodeID, bool)) {
	s.Lookup(Question{Name: host, Type: TypeA}, func(r Result) {
		if addrs := r.Addrs(); r.Err == nil && len(addrs) > 0 {
			if id, ok := NodeOfAddr(addrs[0]); ok {
				done(id, true)
				return
			}
		}
		done(0, false)
	})
}
