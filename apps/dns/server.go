package dns

import (
	"fmt"

	"netsim/topology"
)

// ServerConfig is a name server's: the zones it is authoritative for, and how it
// answers.
type ServerConfig struct {
	Zones []*Zone
	// Rotate turns the order of a name's addresses one step in every reply, so that
	// askers who use the first address spread over replicated servers (the texts'
	// load distribution, §2.5.1).
	Rotate bool
	// Recursive makes the server recurse for queries with RD set (the texts' second
	// figure): a question its zones delegate is asked of the delegated servers, RD set,
	// and their answer relayed with RA. Off, the server answers iteratively with a
	// referral, and RA clear, as root and TLD servers do.
	Recursive bool
	Retry     RetryConfig // the recursion's
	// Cache, if not nil, keeps the answers a recursing server relays.
	Cache *CacheConfig
}

// ServerStats counts what a name server did.
type ServerStats struct {
	Queries    int64 // well-formed queries received, UDP and TCP
	TCPQueries int64
	Answered   int64 // responses sent
	Referrals  int64
	NXDomain   int64
	Truncated  int64 // responses sent with TC, too long for UDP
	FormErr    int64 // malformed queries answered FORMERR
	Dropped    int64 // datagrams dropped: shorter than a header, or not a query
	Recursions int64 // questions asked onwards for RD queries
	CacheHits  int64
}

// Server is an authoritative name server (root, TLD or a domain's) on one host,
// listening on UDP and TCP port 53.
type Server struct {
	h     topology.Host
	cfg   ServerConfig
	udp   topology.UDPSocket
	x     *exchanger // recursion, if Recursive
	cache *Cache
	rot   map[string]int
	stats ServerStats
}

// StartServer starts a name server on h.
func StartServer(h topology.Host, cfg ServerConfig) (*Server, error) {
	s := &Server{h: h, cfg: cfg, rot: map[string]int{}}
	var err error
	if s.udp, err = h.BindUDP(Port, s.recvUDP); err != nil {
		return nil, fmt.Errorf("dns server %s: %w", h.Name(), err)
	}
	if _, err = h.Listen(Port, func(c topology.Conn) { serveTCP(c, s.handle, &s.stats) }); err != nil {
		return nil, fmt.Errorf("dns server %s: %w", h.Name(), err)
	}
	if cfg.Recursive {
		if s.x, err = newExchanger(h, cfg.Retry); err != nil {
			return nil, fmt.Errorf("dns server %s: %w", h.Name(), err)
		}
		if cfg.Cache != nil {
			s.cache = NewCache(*cfg.Cache)
		}
	}
	return s, nil
}

// Stats returns the server's counts.
func (s *Server) Stats() ServerStats { return s.stats }

// Exchange returns the counts of the server's own queries (when it recurses).
func (s *Server) Exchange() ExchangeStats {
	if s.x == nil {
		return ExchangeStats{}
	}
	return s.x.stats
}

func (s *Server) recvUDP(from topology.Addr, tm topology.Message) {
	s.handle(payload(tm), false, func(r *Msg) { sendUDP(s.udp, from, r, &s.stats) })
}

// handle answers one query; reply sends the response the way the query came.
func (s *Server) handle(b []byte, tcp bool, reply func(*Msg)) {
	q, ok := checkQuery(b, &s.stats, reply)
	if !ok {
		return
	}
	s.stats.Queries++
	if tcp {
		s.stats.TCPQueries++
	}
	z := s.zoneFor(q.Question.Name)
	if z == nil {
		r := q.Reply()
		r.RCode = RCodeRefused
		reply(r)
		return
	}
	a := z.Lookup(q.Question)
	if a.Referral && s.cfg.Recursive && q.RecursionDesired {
		s.recurse(q, a, reply)
		return
	}
	if a.Referral {
		s.stats.Referrals++
	}
	r := q.Reply()
	r.RCode, r.Authoritative = a.RCode, a.Authoritative
	r.RecursionAvailable = s.cfg.Recursive
	r.Answer, r.Authority, r.Additional = s.rotate(a.Answer), a.Authority, a.Additional
	if r.RCode == RCodeNXDomain {
		s.stats.NXDomain++
	}
	reply(r)
}

// recurse asks the delegated servers of a referral, RD set, and relays their answer.
func (s *Server) recurse(q *Msg, ref Answer, reply func(*Msg)) {
	now := s.h.Now()
	if s.cache != nil {
		if rrs, neg, nx, soa, ok := s.cache.Lookup(q.Question.Name, q.Question.Type, now); ok {
			s.stats.CacheHits++
			r := q.Reply()
			r.RecursionAvailable = true
			r.Answer, r.Authority = rrs, soa
			if neg && nx {
				r.RCode = RCodeNXDomain
			}
			reply(r)
			return
		}
	}
	servers := serversOf(ref.Authority, ref.Additional)
	s.stats.Recursions++
	s.x.ask(servers, q.Question, true, func(m *Msg, _ topology.NodeID, err error) {
		r := q.Reply()
		r.RecursionAvailable = true
		if err != nil {
			r.RCode = RCodeServFail
			reply(r)
			return
		}
		r.RCode, r.Answer, r.Authority, r.Additional = m.RCode, m.Answer, m.Authority, m.Additional
		if s.cache != nil {
			storeAnswer(s.cache, q.Question, m, s.h.Now())
		}
		reply(r)
	})
}

// zoneFor returns the zone with the longest origin that name is within, or nil.
func (s *Server) zoneFor(name string) *Zone {
	var best *Zone
	for _, z := range s.cfg.Zones {
		if within(name, z.Origin) && (best == nil || len(z.Origin) > len(best.Origin)) {
			best = z
		}
	}
	return best
}

// rotate turns each address RRset of an answer one step further than the last reply
// for its name did.
func (s *Server) rotate(rrs []RR) []RR {
	if !s.cfg.Rotate {
		return rrs
	}
	out := append([]RR(nil), rrs...)
	for lo := 0; lo < len(out); {
		hi := lo + 1
		for hi < len(out) && out[hi].Name == out[lo].Name && out[hi].Type == out[lo].Type {
			hi++
		}
		if t := out[lo].Type; (t == TypeA || t == TypeAAAA) && hi-lo > 1 {
			key := out[lo].Name + "/" + typeName(t)
			k := s.rot[key] % (hi - lo)
			s.rot[key]++
			set := append(append([]RR(nil), out[lo+k:hi]...), out[lo:lo+k]...)
			copy(out[lo:hi], set)
		}
		lo = hi
	}
	return out
}

// serversOf returns the addresses of the NS records' servers found among glue.
func serversOf(ns, glue []RR) []topology.NodeID {
	var out []topology.NodeID
	for _, n := range ns {
		if n.Type != TypeNS {
			continue
		}
		for _, g := range glue {
			if g.Name == n.Target && g.Type == TypeA {
				if id, ok := NodeOfAddr(g.Addr); ok {
					out = append(out, id)
				}
			}
		}
	}
	return out
}

// checkQuery parses a query. A message shorter than a header, or a response, is
// dropped; one whose header parses but whose rest does not is answered FORMERR (RFC
// 1035 §4.1.1), with no question if even that did not parse.
func checkQuery(b []byte, st *ServerStats, reply func(*Msg)) (*Msg, bool) {
	m, err := Parse(b)
	switch {
	case m == nil || m.Response:
		st.Dropped++
		return nil, false
	case err != nil:
		st.FormErr++
		r := m.Reply()
		r.RCode = RCodeFormErr
		r.Answer, r.Authority, r.Additional = nil, nil, nil
		reply(r)
		return nil, false
	}
	return m, true
}

// sendUDP packs and sends a response; one longer than 512 bytes goes with its header
// and question only and TC set (RFC 1035 §4.2.1; RFC 2181 §9).
func sendUDP(sock topology.UDPSocket, to topology.Addr, r *Msg, st *ServerStats) {
	b := packReply(r)
	if len(b) > MaxUDPBytes {
		st.Truncated++
		t := *r
		t.Truncated = true
		t.Answer, t.Authority, t.Additional = nil, nil, nil
		b, _ = t.Pack()
	}
	st.Answered++
	sock.SendTo(to, Wire(b, false))
}

// packReply packs a response; one that cannot be packed (a question name that parsed
// but does not encode again) goes as FORMERR without its question.
func packReply(r *Msg) []byte {
	b, err := r.Pack()
	if err != nil {
		b, _ = (&Msg{ID: r.ID, Response: true, RCode: RCodeFormErr, RecursionDesired: r.RecursionDesired}).Pack()
	}
	return b
}

// serveTCP answers the queries that arrive on an accepted connection, each with its
// length prefix (RFC 1035 §4.2.2), and closes when the asker does.
func serveTCP(c topology.Conn, handle func(b []byte, tcp bool, reply func(*Msg)), st *ServerStats) {
	c.SetHandler(&topology.ConnHandler{
		OnMessage: func(c topology.Conn, tm topology.Message) {
			handle(payload(tm), true, func(r *Msg) {
				b := packReply(r)
				st.Answered++
				c.Send(Wire(b, true))
			})
		},
		OnClose: func(c topology.Conn) { c.Close() },
	})
}
