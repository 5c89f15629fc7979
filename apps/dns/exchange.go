package dns

import (
	"errors"
	"slices"

	"netsim/sim"
	"netsim/topology"
)

// Selection is how an asker orders the servers of an NS set (or its list of root
// servers, or its local servers).
type Selection string

const (
	// InOrder tries the servers as listed: a stub resolver's resolv.conf.
	InOrder Selection = "in-order"
	// Random shuffles them for each question.
	Random Selection = "random"
	// RoundRobin starts each question one server further along.
	RoundRobin Selection = "round-robin"
	// LowestRTT tries first the server with the lowest smoothed RTT, as BIND 9 does:
	// each reply moves a server's SRTT 3/10 of the way to the new sample, a timeout
	// counts as a sample of the timeout itself, a server never heard from starts at
	// a random 1–32 µs so that each is tried once, and each server passed over ages by
	// 2% so that a slow one is eventually tried again.
	LowestRTT Selection = "lowest-rtt"
)

// Selections lists the choices, for parameter tables.
var Selections = []Selection{InOrder, Random, RoundRobin, LowestRTT}

// RetryConfig is how an asker survives loss and dead servers.
type RetryConfig struct {
	// Timeout is how long one try waits for its reply before the next try.
	Timeout sim.Time
	// Tries is how many rounds over the server set a question gets (≥ 1): a try that
	// times out passes to the next server, and after the last server the next round
	// starts at the first again (resolv.conf's attempts). A server that answers
	// SERVFAIL, REFUSED or FORMERR is not asked again for the question.
	Tries  int
	Select Selection
}

// ErrTimeout is a question no server of its set answered within the retry budget:
// every server tried Tries times, each try given Timeout.
var ErrTimeout = errors.New("dns: no server answered")

// ErrLame is a question every server of its set refused or failed (SERVFAIL, REFUSED,
// FORMERR).
var ErrLame = errors.New("dns: every server refused or failed")

// ExchangeStats counts an asker's traffic.
type ExchangeStats struct {
	Questions  int64 // questions asked of a server set
	Sent       int64 // queries sent, over UDP and TCP
	Retries    int64 // queries sent again after a try timed out
	Timeouts   int64 // tries that timed out
	Failures   int64 // questions given up after the whole budget
	Lame       int64 // replies SERVFAIL, REFUSED or FORMERR: the next server is asked
	Truncated  int64 // replies with TC set, asked again over TCP
	Stray      int64 // replies that match no outstanding try (late, spoofed, malformed)
	BytesSent  int64
	BytesRecvd int64
}

// exchanger asks questions of server sets over one UDP socket, with retries, the next
// server after a server's tries, and TCP after a truncated reply.
type exchanger struct {
	h       topology.Host
	cfg     RetryConfig
	sock    topology.UDPSocket
	pending map[uint16]*exchange
	srtt    map[topology.NodeID]sim.Time
	turn    int
	stats   ExchangeStats
}

// exchange is one question in flight.
type exchange struct {
	q       Question
	rd      bool
	servers []topology.NodeID
	si      int // the server of the try under way
	round   int
	id      uint16
	sentAt  sim.Time
	timer   sim.EventID
	done    func(m *Msg, from topology.NodeID, err error)
	over    bool
}

func newExchanger(h topology.Host, cfg RetryConfig) (*exchanger, error) {
	if cfg.Tries < 1 {
		cfg.Tries = 1
	}
	x := &exchanger{h: h, cfg: cfg, pending: map[uint16]*exchange{}, srtt: map[topology.NodeID]sim.Time{}}
	sock, err := h.BindUDP(0, x.recv)
	if err != nil {
		return nil, err
	}
	x.sock = sock
	return x, nil
}

// ask sends q to the servers, in the order of the selection rule, and calls done once:
// with the first usable reply and the server that gave it, or ErrTimeout.
func (x *exchanger) ask(servers []topology.NodeID, q Question, rd bool, done func(*Msg, topology.NodeID, error)) {
	x.stats.Questions++
	e := &exchange{q: q, rd: rd, servers: x.order(servers), done: done}
	if len(e.servers) == 0 {
		x.h.After(0, func() { x.finish(e, nil, 0, ErrTimeout) })
		return
	}
	x.send(e)
}

func (x *exchanger) order(servers []topology.NodeID) []topology.NodeID {
	s := slices.Clone(servers)
	switch x.cfg.Select {
	case Random:
		x.h.Rand().Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
	case RoundRobin:
		if len(s) > 0 {
			k := x.turn % len(s)
			x.turn++
			s = append(s[k:], s[:k]...)
		}
	case LowestRTT:
		for _, n := range s {
			if _, ok := x.srtt[n]; !ok {
				x.srtt[n] = sim.Time(1+x.h.Rand().IntN(32)) * sim.Microsecond
			}
		}
		slices.SortStableFunc(s, func(a, b topology.NodeID) int { return int(x.srtt[a] - x.srtt[b]) })
		for _, n := range s[1:] {
			x.srtt[n] = x.srtt[n] * 49 / 50
		}
	}
	return s
}

// send sends e's next try.
func (x *exchanger) send(e *exchange) {
	if e.round > 0 || e.si > 0 {
		x.stats.Retries++
	}
	e.id = x.newID()
	x.pending[e.id] = e
	b, err := NewQuery(e.id, e.q, e.rd).Pack()
	if err != nil {
		delete(x.pending, e.id)
		x.h.After(0, func() { x.finish(e, nil, 0, err) })
		return
	}
	e.sentAt = x.h.Now()
	x.stats.Sent++
	x.stats.BytesSent += int64(len(b))
	x.sock.SendTo(topology.Addr{Node: e.servers[e.si], Port: Port}, Wire(b, false))
	e.timer = x.h.After(x.cfg.Timeout, func() { x.timedOut(e) })
}

// newID draws a query ID not in use (RFC 5452 §4.3: unpredictable).
func (x *exchanger) newID() uint16 {
	for {
		id := uint16(x.h.Rand().Uint32())
		if _, taken := x.pending[id]; !taken {
			return id
		}
	}
}

func (x *exchanger) timedOut(e *exchange) {
	e.timer = 0
	delete(x.pending, e.id)
	x.stats.Timeouts++
	x.sample(e.servers[e.si], x.cfg.Timeout)
	x.next(e, false)
}

// next moves e on to the next server, or the next round, or gives up; a lame server
// is struck off the set.
func (x *exchanger) next(e *exchange, lame bool) {
	if lame {
		e.servers = slices.Delete(e.servers, e.si, e.si+1)
	} else {
		e.si++
	}
	if e.si >= len(e.servers) {
		e.si = 0
		e.round++
	}
	if len(e.servers) == 0 {
		x.stats.Failures++
		x.finish(e, nil, 0, ErrLame)
		return
	}
	if e.round >= x.cfg.Tries {
		x.stats.Failures++
		x.finish(e, nil, 0, ErrTimeout)
		return
	}
	x.send(e)
}

func (x *exchanger) sample(n topology.NodeID, rtt sim.Time) {
	if x.cfg.Select != LowestRTT {
		return
	}
	old, ok := x.srtt[n]
	if !ok {
		x.srtt[n] = rtt
		return
	}
	x.srtt[n] = (7*old + 3*rtt) / 10
}

// recv takes a reply: it must match an outstanding try's ID, server and question
// (RFC 5452 §9.1), else it is stray and dropped.
func (x *exchanger) recv(from topology.Addr, tm topology.Message) {
	b := payload(tm)
	x.stats.BytesRecvd += tm.SizeBytes
	m, err := Parse(b)
	if err != nil || !m.Response {
		x.stats.Stray++
		return
	}
	e := x.pending[m.ID]
	if e == nil || from.Node != e.servers[e.si] || from.Port != Port || m.Question != e.q {
		x.stats.Stray++
		return
	}
	delete(x.pending, e.id)
	x.h.Cancel(e.timer)
	e.timer = 0
	x.sample(from.Node, x.h.Now()-e.sentAt)
	x.reply(e, m, from.Node)
}

// reply acts on a matched reply: a truncated one is asked again over TCP, a lame one
// passes to the next server.
func (x *exchanger) reply(e *exchange, m *Msg, from topology.NodeID) {
	switch {
	case m.Truncated:
		x.stats.Truncated++
		x.overTCP(e, from)
	case m.RCode == RCodeServFail || m.RCode == RCodeRefused || m.RCode == RCodeFormErr:
		x.stats.Lame++
		x.next(e, true)
	default:
		x.finish(e, m, from, nil)
	}
}

// overTCP asks e's question of server again over a TCP connection (RFC 7766 §5): the
// query and the reply each carry a two-byte length; the asker closes when answered. A
// failed dial or a reply that does not come within Timeout passes to the next server.
func (x *exchanger) overTCP(e *exchange, server topology.NodeID) {
	e.id = x.newID()
	b, err := NewQuery(e.id, e.q, e.rd).Pack()
	if err != nil {
		x.finish(e, nil, 0, err)
		return
	}
	var conn topology.Conn
	settled := false // this TCP attempt has given its reply or failed
	fail := func() {
		if settled {
			return
		}
		settled = true
		if e.timer != 0 {
			x.h.Cancel(e.timer)
			e.timer = 0
		}
		if conn != nil {
			conn.Abort()
			conn = nil
		}
		x.next(e, true)
	}
	x.h.Dial(topology.Addr{Node: server, Port: Port}, topology.TCPOptions{}, func(c topology.Conn, err error) {
		if err != nil {
			fail()
			return
		}
		conn = c
		c.SetHandler(&topology.ConnHandler{
			OnMessage: func(c topology.Conn, tm topology.Message) {
				if settled {
					return
				}
				x.stats.BytesRecvd += tm.SizeBytes
				m, err := Parse(payload(tm))
				if err != nil || !m.Response || m.ID != e.id || m.Question != e.q {
					x.stats.Stray++
					fail()
					return
				}
				settled = true
				x.h.Cancel(e.timer)
				e.timer = 0
				c.Close()
				conn = nil
				if m.Truncated {
					m.Truncated = false // nothing more to be had: use what came
				}
				x.reply(e, m, server)
			},
			OnClose: func(topology.Conn) { fail() },
			OnReset: func(topology.Conn, error) { fail() },
		})
		x.stats.Sent++
		x.stats.BytesSent += int64(len(b)) + 2
		c.Send(Wire(b, true))
		e.timer = x.h.After(x.cfg.Timeout, func() { e.timer = 0; x.stats.Timeouts++; fail() })
	})
}

func (x *exchanger) finish(e *exchange, m *Msg, from topology.NodeID, err error) {
	if e.over {
		return
	}
	e.over = true
	e.done(m, from, err)
}
