package topology

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"

	"netsim/sim"
)

// Addr is a transport address: a node (the host's "IP address") and a port.
type Addr struct {
	Node NodeID
	Port int
}

// IPv4 is the node's IPv4 address, where a real encoding needs one (an address in a
// protocol message, a captured packet's header): 10.0.0.0/8, node i at 10.0.0.0 + i +
// 1, so the first node is 10.0.0.1. The same node always has the same address. It
// panics for a node beyond 10.255.255.254 (16,777,214 nodes).
func (id NodeID) IPv4() netip.Addr {
	n := uint32(id) + 1
	if id < 0 || n >= 1<<24-1 {
		panic(fmt.Sprintf("topology: node %d has no IPv4 address in 10.0.0.0/8", id))
	}
	return netip.AddrFrom4([4]byte{10, byte(n >> 16), byte(n >> 8), byte(n)})
}

// Message is what a model sends over a socket: a payload the receiving model
// understands (any Go value, never shared mutable state) and the size in bytes of its
// real encoding on the wire (the HTTP header text plus body, the DNS message per RFC
// 1035, ...). Timing and byte counts are computed from SizeBytes alone.
//
// To be captured (package capture writes what crosses a host's interface as a pcap
// file, and draws message sequence charts), a payload gives its real bytes: it
// implements Encoder, and may implement Labeler.
type Message struct {
	SizeBytes int64
	Payload   any
}

// Encoder is a payload that can give its real encoding. Encode returns the message's
// bytes as a real implementation would send them: all SizeBytes of them, or the first
// ones when the rest is a body that the model only counts (an HTTP entity body, a
// file's data in a piece message), which a capture writes as filler bytes of the
// right length. It must not return more than SizeBytes bytes. A []byte or string
// payload is its own encoding.
type Encoder interface {
	Encode() []byte
}

// Labeler is a payload that names itself in one line, for a message sequence chart's
// arrow: "A? gaia.cs.umass.edu", "piece 17:3". Without it, a chart shows the first
// line of the encoding if that is text (HTTP's request and status lines, SMTP's
// commands), else the payload's type.
type Labeler interface {
	Label() string
}

// Host is a protocol model's whole view of the world, as a program on one host sees
// it: the clock, timers, its own random stream, and sockets. A model learns about
// other hosts only from the messages it receives. Models depend on this interface,
// not on the network, so a test can drive them with a scripted harness (package
// hosttest).
//
// A host can crash (Stack.Crash): its timers, sockets and connections are gone at
// once and nothing is delivered to it; when it recovers, the program it was booted
// with starts again on an empty host. Calls on a host that is down do nothing and
// return ErrHostDown where they return an error; nothing panics.
type Host interface {
	// Name is the host's name in the topology.
	Name() string
	// Node is the host's address.
	Node() NodeID
	Now() sim.Time
	// After runs fn after d of virtual time (d >= 0). Timers belong to the host: they
	// die with it when it crashes.
	After(d sim.Time, fn func()) sim.EventID
	// Every runs fn every period (> 0), first after one period, under one ID until
	// cancelled (BitTorrent's 10 s choking round, Chord's stabilize). While fn runs,
	// the next run is already scheduled, so fn may cancel or move it.
	Every(period sim.Time, fn func()) sim.EventID
	// Reschedule moves a pending timer to d from now (backoff); false if it is not
	// pending.
	Reschedule(id sim.EventID, d sim.Time) bool
	// Cancel stops a pending timer; false if it was not pending.
	Cancel(id sim.EventID) bool
	// Rand is the host's own random stream, derived from the run seed and its name.
	// It continues across crashes (a rebooted machine does not replay its entropy).
	Rand() *rand.Rand
	// Listen accepts TCP connections on port (0: an ephemeral port); accept is
	// called for each, once the handshake's final ACK (or the first data segment,
	// which carries it) arrives. It is an error if the port is taken.
	Listen(port int, accept func(Conn)) (Listener, error)
	// Dial opens a TCP connection to `to`. done is called once, never re-entrantly:
	// with the connection when the SYN-ACK arrives; with ErrRefused (wrapped) when
	// the remote host answers the SYN with a reset because nothing listens; with
	// ErrTimeout when the SYN retransmissions (Stack.TCP) go unanswered.
	Dial(to Addr, opts TCPOptions, done func(Conn, error))
	// BindUDP opens a UDP socket on port (0: an ephemeral port); recv gets datagrams.
	BindUDP(port int, recv func(from Addr, m Message)) (UDPSocket, error)
	// OnLeave sets what the program does when the host is asked to leave gracefully
	// (Stack.Leave): say goodbye, hand its state over. The host goes down after the
	// leave's grace period.
	OnLeave(fn func())
}

// Listener is an open listening port.
type Listener interface {
	Addr() Addr
	// Close stops accepting; connections already accepted are not affected, and
	// handshakes still under way are answered with a reset.
	Close() error
}

// Errors of the socket API.
var (
	ErrHostDown   = errors.New("host is down")
	ErrClosed     = errors.New("use of closed socket")
	ErrRefused    = errors.New("connection refused")
	ErrReset      = errors.New("connection reset by peer")
	ErrTimeout    = errors.New("connection timed out")
	ErrPortInUse  = errors.New("port already in use")
	ErrBadMessage = errors.New("message of negative size")
)

// HostStats are the true counts of one host's traffic, kept by the socket layer
// across the host's crashes.
type HostStats struct {
	BytesSent     int64 // message bytes sent, TCP and UDP (headers of lower layers excluded)
	BytesReceived int64 // message bytes delivered to this host's sockets
	MessagesSent  int64
	// WireBytesSent is every byte this host put on the wire: message bytes, TCP
	// control segments, per-segment header overhead and retransmissions.
	WireBytesSent   int64
	SegmentsSent    int64 // TCP control segments sent: SYN, SYN-ACK, ACK, FIN, RST, probes
	ConnsOpened     int64 // TCP connections this host dialled and got
	ConnsAccepted   int64
	ConnsRefused    int64 // dials answered with a reset
	ConnsTimedOut   int64 // dials and connections given up after retransmissions
	ConnsReset      int64 // connections ended by a reset from the peer
	Retransmissions int64 // SYNs and data (or probes) sent again after a timeout
	DatagramsLost   int64 // datagrams this host sent that the network dropped
}

// host is the simulated Host: a node of a Stack's network.
type host struct {
	// What a datagram sent to the host and its delivery read come first, in the
	// first two cache lines (udp.go): its id, epoch and access links, its ports
	// and the bytes it received.
	s     *Stack
	id    NodeID
	up    bool
	epoch uint32    // counts crashes: a datagram sent before one is never delivered after it
	group sim.Group // the host's timers; 0 until the first
	ends  hostEnds  // its access links, for direct datagrams' routes (udp.go)
	ports []binding // listeners and UDP sockets, by port
	stats HostStats

	rng      *rand.Rand
	program  func(Host) // run at boot and after each recovery
	onLeave  func()
	t        *hostTCP // nil until the host first uses TCP
	nextPort uint16   // ephemeral port cursor
}

// hostTCP is a host's TCP state: a host that only speaks UDP (a DHT node, a DNS
// server) does not pay for it.
type hostTCP struct {
	conns   []*connEnd // every connection end of the host, for crashes and leak counts
	segs    []*segment // control segments leaving the host, while on the wire
	dialled []uint64   // bit p-ephemeralFirst: a dialling end holds ephemeral port p
}

func (h *host) tcp() *hostTCP {
	if h.t == nil {
		h.t = &hostTCP{}
	}
	return h.t
}

// binding is a bound port: a listener or a UDP socket.
type binding struct {
	port uint16
	l    *listener
	u    *udpSocket
}

var _ Host = (*host)(nil)

func (h *host) Name() string  { return h.s.net.NodeName(h.id) }
func (h *host) Node() NodeID  { return h.id }
func (h *host) Now() sim.Time { return h.s.k.Now() }

func (h *host) Rand() *rand.Rand {
	if h.rng == nil {
		h.rng = h.s.rs.Stream("host/" + h.Name())
	}
	return h.rng
}

func (h *host) timers() sim.Group {
	if h.group == 0 {
		h.group = h.s.k.NewGroup()
	}
	return h.group
}

func (h *host) After(d sim.Time, fn func()) sim.EventID {
	if !h.up {
		return 0
	}
	if d < 0 {
		panic(fmt.Sprintf("%s: timer %v in the past", h.Name(), d))
	}
	return h.s.k.AtIn(h.timers(), h.s.k.Now()+d, fn)
}

func (h *host) Every(period sim.Time, fn func()) sim.EventID {
	if !h.up {
		return 0
	}
	if period <= 0 {
		panic(fmt.Sprintf("%s: periodic timer of period %v", h.Name(), period))
	}
	return h.s.k.EveryIn(h.timers(), h.s.k.Now()+period, period, fn)
}

func (h *host) Reschedule(id sim.EventID, d sim.Time) bool {
	if !h.up || d < 0 {
		return false
	}
	return h.s.k.Reschedule(id, h.s.k.Now()+d)
}

func (h *host) Cancel(id sim.EventID) bool { return h.s.k.Cancel(id) }

func (h *host) OnLeave(fn func()) {
	if h.up {
		h.onLeave = fn
	}
}

// Ephemeral ports are IANA's dynamic range (RFC 6335 §6).
const (
	ephemeralFirst = 49152
	ephemeralCount = 65536 - ephemeralFirst
)

// bound returns the index of the binding of port in one protocol's port space (TCP
// listeners, or UDP sockets: the two are apart, as on a real host, so a TCP and a UDP
// server may share a port number), or -1.
func (h *host) bound(port uint16, udp bool) int {
	for i := range h.ports {
		if b := &h.ports[i]; b.port == port && (b.u != nil) == udp {
			return i
		}
	}
	return -1
}

// inUse reports whether port is bound (in either protocol) or is the local port of a
// dialling end still in the host's table: an ephemeral port is never handed out twice
// while in use.
func (h *host) inUse(port uint16) bool {
	if h.bound(port, false) >= 0 || h.bound(port, true) >= 0 {
		return true
	}
	if port < ephemeralFirst || h.t == nil || h.t.dialled == nil {
		return false
	}
	i := port - ephemeralFirst
	return h.t.dialled[i/64]&(1<<(i%64)) != 0
}

// holdPort marks an ephemeral port as a dialling end's, or frees it.
func (h *host) holdPort(port uint16, held bool) {
	if port < ephemeralFirst {
		return
	}
	t := h.tcp()
	if t.dialled == nil {
		t.dialled = make([]uint64, ephemeralCount/64)
	}
	i := port - ephemeralFirst
	if held {
		t.dialled[i/64] |= 1 << (i % 64)
	} else {
		t.dialled[i/64] &^= 1 << (i % 64)
	}
}

// ephemeralPort returns a free port of the dynamic range, cycling through it, or 0
// when every one is in use.
func (h *host) ephemeralPort() uint16 {
	for range ephemeralCount {
		p := uint16(ephemeralFirst + int(h.nextPort)%ephemeralCount)
		h.nextPort = uint16((int(h.nextPort) + 1) % ephemeralCount)
		if !h.inUse(p) {
			return p
		}
	}
	return 0
}

// takePort checks a requested port of one protocol and picks one for 0.
func (h *host) takePort(what string, port int, udp bool) (uint16, error) {
	if !h.up {
		return 0, fmt.Errorf("%s: %s: %w", h.Name(), what, ErrHostDown)
	}
	if port < 0 || port > 65535 {
		return 0, fmt.Errorf("%s: %s: bad port %d", h.Name(), what, port)
	}
	if port == 0 {
		p := h.ephemeralPort()
		if p == 0 {
			return 0, fmt.Errorf("%s: %s: no free ephemeral port", h.Name(), what)
		}
		return p, nil
	}
	if h.bound(uint16(port), udp) >= 0 {
		return 0, fmt.Errorf("%s: %s: port %d: %w", h.Name(), what, port, ErrPortInUse)
	}
	return uint16(port), nil
}

func (h *host) unbind(port uint16, udp bool) {
	if i := h.bound(port, udp); i >= 0 {
		last := len(h.ports) - 1
		h.ports[i] = h.ports[last]
		h.ports[last] = binding{}
		h.ports = h.ports[:last]
	}
}

// listener is a listening port.
type listener struct {
	h      *host
	port   uint16
	accept func(Conn)
	closed bool
}

func (h *host) Listen(port int, accept func(Conn)) (Listener, error) {
	p, err := h.takePort("listen", port, false)
	if err != nil {
		return nil, err
	}
	l := &listener{h: h, port: p, accept: accept}
	h.ports = append(h.ports, binding{port: p, l: l})
	return l, nil
}

func (l *listener) Addr() Addr { return Addr{l.h.id, int(l.port)} }

func (l *listener) Close() error {
	if l.closed {
		return ErrClosed
	}
	l.closed = true
	l.h.unbind(l.port, false)
	return nil
}

// listenerAt returns the open listener on port, or nil.
func (h *host) listenerAt(port uint16) *listener {
	if i := h.bound(port, false); i >= 0 {
		return h.ports[i].l
	}
	return nil
}

// addConn registers a connection end with its host.
func (h *host) addConn(e *connEnd) {
	t := h.tcp()
	e.idx = int32(len(t.conns))
	t.conns = append(t.conns, e)
}

// dropConn removes a released end from its host's table.
func (h *host) dropConn(e *connEnd) {
	i := e.idx
	if h.t == nil || i < 0 || int(i) >= len(h.t.conns) || h.t.conns[i] != e {
		return
	}
	c := h.t.conns
	last := len(c) - 1
	moved := c[last]
	c[i] = moved
	moved.idx = i
	c[last] = nil
	h.t.conns = c[:last]
	e.idx = -1
}
