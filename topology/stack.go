package topology

import (
	"fmt"
	"math/rand/v2"

	"netsim/sim"
)

// TCPParams are a Stack's TCP implementation settings, the same for every host (as
// sysctls are for every socket of a machine). DefaultTCP gives each its default and
// says where it comes from.
type TCPParams struct {
	// ControlBytes is the wire size of a segment that carries no data: SYN, SYN-ACK,
	// a bare ACK, FIN, RST, a retransmission probe. They are sent as flows of this
	// size, so on a slow link they take their transmission time and share the link
	// like any data (the texts' problem P10 counts 200-bit control packets on a
	// 150 bit/s link). 0 makes them free: propagation only, the fluid model of the
	// textbook's bounds.
	ControlBytes int64
	// SegmentOverheadBytes is added to a data message's wire size per MSSBytes of
	// data (e.g. 40 bytes of TCP/IP header per 1460-byte segment); 0, the default,
	// sends data as its bare bytes so that the texts' RTT formulas stay exact.
	SegmentOverheadBytes int64
	MSSBytes             int64
	// SYNRetries is how often an unanswered SYN is sent again before the dial fails
	// with ErrTimeout; InitialRTO is the first wait, doubled after each try (RFC 6298
	// §2.1 and §5.5), so a dial to a dead host fails after InitialRTO·(2^(SYNRetries+1) − 1).
	SYNRetries int
	InitialRTO sim.Time
	// DataRetries is how often unacknowledged data (or a probe of a dead peer) is
	// sent again before the connection fails with ErrTimeout. The first wait is the
	// RTO of RFC 6298 §2.2 after one RTT sample R, SRTT + 4·RTTVAR = 3R, kept within
	// [MinRTO, MaxRTO] and doubled after each try (§5.5).
	DataRetries int
	MinRTO      sim.Time
	MaxRTO      sim.Time
	// FinTimeout is how long an end that has closed waits for the peer's FIN once its
	// own has been delivered, before it is released (Linux's tcp_fin_timeout, for a
	// socket the application has closed).
	FinTimeout sim.Time
	// PacketBytes: a segment of a connection's stream (a message, or what is left of
	// it, a bare ACK, a FIN) of at most PacketBytes on the wire is sent as a packet,
	// not a flow: it takes its serialization time at its route's bottleneck and no
	// share of any link, and costs no max-min solve (packet.go gives the model and its
	// error bounds). 0, the default, sends every segment as a flow: the fluid model.
	PacketBytes int64
}

// UDPParams are a Stack's UDP settings, the same for every host.
type UDPParams struct {
	// PacketBytes: a datagram of at most PacketBytes is sent as a packet, not a flow
	// (as TCPParams.PacketBytes; packet.go). 0, the default: every datagram is a flow.
	PacketBytes int64
}

// Check reports the first impossible setting.
func (p UDPParams) Check() error {
	if p.PacketBytes < 0 {
		return fmt.Errorf("udp: packet size %d bytes is negative", p.PacketBytes)
	}
	return nil
}

// DefaultTCP returns Linux's defaults: 40-byte control segments (20 bytes of IPv4
// and 20 of TCP header), no per-segment overhead on data, an MSS of 1460 bytes
// (Ethernet's 1500-byte MTU less the headers), tcp_syn_retries = 6 with RFC 6298's
// initial RTO of 1 s (a dial to a dead host fails after 127 s), tcp_retries2 = 15
// with TCP_RTO_MIN = 200 ms and TCP_RTO_MAX = 120 s (about 924.6 s for a short RTT,
// the figure tcp(7) gives), and tcp_fin_timeout = 60 s.
func DefaultTCP() TCPParams {
	return TCPParams{
		ControlBytes: 40, MSSBytes: 1460,
		SYNRetries: 6, InitialRTO: sim.Second,
		DataRetries: 15, MinRTO: 200 * sim.Millisecond, MaxRTO: 120 * sim.Second,
		FinTimeout: 60 * sim.Second,
	}
}

// Check reports the first impossible setting.
func (p TCPParams) Check() error {
	switch {
	case p.ControlBytes < 0:
		return fmt.Errorf("tcp: control segment size %d bytes is negative", p.ControlBytes)
	case p.SegmentOverheadBytes < 0:
		return fmt.Errorf("tcp: segment overhead %d bytes is negative", p.SegmentOverheadBytes)
	case p.MSSBytes <= 0:
		return fmt.Errorf("tcp: MSS %d bytes is not positive", p.MSSBytes)
	case p.SYNRetries < 0 || p.DataRetries < 0 || p.SYNRetries > 1000 || p.DataRetries > 1000:
		return fmt.Errorf("tcp: retry counts must be in [0, 1000]")
	case p.InitialRTO <= 0 || p.MinRTO <= 0 || p.MaxRTO < p.MinRTO:
		return fmt.Errorf("tcp: RTOs must be positive with min <= max")
	case p.FinTimeout < 0:
		return fmt.Errorf("tcp: negative FIN timeout")
	case p.PacketBytes < 0:
		return fmt.Errorf("tcp: packet size %d bytes is negative", p.PacketBytes)
	}
	return nil
}

// Stack is the transport layer of a network: the hosts' sockets, carried by flows,
// and the hosts' life: boot, crash, recovery, graceful leave.
type Stack struct {
	net   *Network
	k     *sim.Kernel
	rs    sim.Streams
	hosts []*host // by NodeID; nil until first used
	// TCP are the TCP settings of every host; change them before any connection.
	TCP TCPParams
	// UDP are the UDP settings of every host; change them before any datagram.
	UDP     UDPParams
	lossRng *rand.Rand
	// DropDatagram, if set, is asked about every datagram as it leaves its sender;
	// true drops it (counted as lost). Tests use it to lose one chosen datagram
	// deterministically; seq counts the datagrams the stack has sent, from 1.
	DropDatagram func(seq uint64, from, to Addr, m Message) bool
	datagrams    uint64
	tap          *tapState // nil unless SetTap: tapping costs nothing when off
	arrivals     *arrival  // free list of direct datagrams' records (udp.go)
	// noDrain: every segment starts a flow of its own, the stream's flow ending
	// before the next starts (the order before Network.drain), for the test that
	// checks that draining moves no result.
	noDrain bool
	// noDirect: every datagram and small segment takes the two-event path (udp.go,
	// tcp.go), for the tests and the benchmark that compare the two.
	noDirect bool
	// leaving are the connection ends that have sent a direct segment (tcp.go), with
	// its last bit's time, in the order sent; those whose segment has left are
	// dropped once the list has grown to leavingCap.
	leaving    []directSegment
	leavingCap int
}

// NewStack returns the transport layer of net with DefaultTCP. Random streams (each
// host's, and the network's own for datagram loss) derive from streams. Every host is
// up.
func NewStack(net *Network, streams sim.Streams) *Stack {
	s := &Stack{
		net: net, k: net.k, rs: streams,
		hosts:   make([]*host, net.NumNodes()),
		TCP:     DefaultTCP(),
		lossRng: streams.Stream("network/udp-loss"),
	}
	net.onFail = append(net.onFail, s.linkFailed)
	return s
}

// Network returns the network the stack runs on.
func (s *Stack) Network() *Network { return s.net }

// Kernel returns the kernel the stack runs on.
func (s *Stack) Kernel() *sim.Kernel { return s.k }

// Host returns the host at node id, creating its sockets on first use. Its random
// stream is named "host/" + its name.
func (s *Stack) Host(id NodeID) Host { return s.host(id) }

// HostNamed returns the host named name, or an error naming it.
func (s *Stack) HostNamed(name string) (Host, error) {
	id, ok := s.net.Node(name)
	if !ok {
		return nil, fmt.Errorf("no host named %q", name)
	}
	return s.host(id), nil
}

func (s *Stack) host(id NodeID) *host {
	s.net.checkNode(id)
	for int(id) >= len(s.hosts) { // nodes added after the stack was made
		s.hosts = append(s.hosts, nil)
	}
	h := s.hosts[id]
	if h == nil {
		h = &host{s: s, id: id, up: true}
		s.hosts[id] = h
	}
	return h
}

// Stats returns the traffic counts of the host at node id.
func (s *Stack) Stats(id NodeID) HostStats {
	if int(id) < len(s.hosts) && s.hosts[id] != nil {
		return s.hosts[id].stats
	}
	return HostStats{}
}

// Up reports whether the host at node id is up.
func (s *Stack) Up(id NodeID) bool { return s.host(id).up }

// Boot sets the program of the host at node id and, if the host is up, starts it
// now; it starts again each time the host recovers from a crash. A model is a program
// started on a Host: the scenario builds the platform and decides what runs where.
func (s *Stack) Boot(id NodeID, program func(Host)) {
	h := s.host(id)
	h.program = program
	if h.up && program != nil {
		program(h)
	}
}

// Crash stops the host at node id at once, as a power cut would: every flow to or
// from it is aborted (its own and its peers', freeing their bandwidth), its
// listeners, connections and UDP sockets are gone without a word to anyone (a crashed
// host sends no reset), its timers are cancelled, and nothing already on the wire
// towards it will be delivered, even if it recovers first. Its peers learn of it only
// through their own timeouts, or from the reset a rebooted host answers to a segment
// of a connection it no longer knows. No-op if the host is down.
func (s *Stack) Crash(id NodeID) {
	h := s.host(id)
	if !h.up {
		return
	}
	s.powerOff(h, false)
}

// Recover brings the host at node id back up, empty like a rebooted machine, and
// starts its program again. No-op if it is up.
func (s *Stack) Recover(id NodeID) {
	h := s.host(id)
	if h.up {
		return
	}
	h.up = true
	h.epoch++ // what was sent while it was down is not delivered either
	if h.program != nil {
		h.program(h)
	}
}

// Leave asks the host at node id to leave gracefully: its program's leave hook runs
// now (Host.OnLeave), and grace later the host goes down; connections the program
// still holds then are reset, as an operating system resets the connections of the
// programs it stops (those it has closed just vanish). No-op if the host is down.
func (s *Stack) Leave(id NodeID, grace sim.Time) {
	h := s.host(id)
	if !h.up {
		return
	}
	if fn := h.onLeave; fn != nil {
		h.onLeave = nil
		fn()
	}
	epoch := h.epoch
	s.k.AtIn(h.timers(), s.k.Now()+max(grace, 0), func() {
		if h.up && h.epoch == epoch {
			s.powerOff(h, true)
		}
	})
}

// CrashAt, RecoverAt and LeaveAt schedule Crash, Recover and Leave at virtual time at.
func (s *Stack) CrashAt(at sim.Time, id NodeID)   { s.k.At(at, func() { s.Crash(id) }) }
func (s *Stack) RecoverAt(at sim.Time, id NodeID) { s.k.At(at, func() { s.Recover(id) }) }
func (s *Stack) LeaveAt(at sim.Time, id NodeID, grace sim.Time) {
	s.k.At(at, func() { s.Leave(id, grace) })
}

// powerOff takes h down: with reset, every open connection is reset first (a
// graceful leave's end); without, silently (a crash).
func (s *Stack) powerOff(h *host, reset bool) {
	if t := h.t; t != nil {
		s.abortSegments(h)
		conns := t.conns
		t.conns = nil
		for _, e := range conns {
			e.idx = -1
			// Only what a program still held is reset; an end that has sent its FIN
			// is the kernel's, and vanishes.
			if reset && e.state == endOpen && !e.closing {
				e.sendReset()
			}
			e.kill()
		}
		clear(conns)
		// The resets of a graceful leave are the host's last words: they fly on.
		h.t = nil
	}
	for _, b := range h.ports {
		if b.l != nil {
			b.l.closed = true
		}
		if b.u != nil {
			b.u.kill()
		}
	}
	h.ports = nil
	if h.group != 0 {
		s.k.CancelGroup(h.group)
	}
	h.onLeave = nil
	h.up = false
	h.epoch++
}

// Live counts what the stack holds: the connection ends in the hosts' tables,
// listeners, UDP sockets, pending host timers and active flows. After every program
// has closed what it opened, all but the flows and timers the programs still keep
// should be 0: a leak test's measure.
type Live struct {
	ConnEnds, Listeners, UDPSockets, Timers, Flows int
}

// Live returns the stack's live objects now.
func (s *Stack) Live() Live {
	var l Live
	for _, h := range s.hosts {
		if h == nil {
			continue
		}
		if h.t != nil {
			l.ConnEnds += len(h.t.conns)
		}
		for _, b := range h.ports {
			if b.l != nil {
				l.Listeners++
			}
			if b.u != nil {
				l.UDPSockets++
			}
		}
		if h.group != 0 {
			l.Timers += s.k.GroupLen(h.group)
		}
	}
	l.Flows = s.net.ActiveFlows()
	return l
}

func (s *Stack) addrString(a Addr) string {
	return fmt.Sprintf("%s:%d", s.net.NodeName(a.Node), a.Port)
}
