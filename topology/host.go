package topology

import (
	"fmt"
	"math/rand/v2"

	"netsim/sim"
)

// Addr is a transport address: a node (the host's "IP address") and a port.
type Addr struct {
	Node NodeID
	Port int
}

// Message is what a model sends over a socket: a payload the receiving model
// understands (any Go value, never shared mutable state) and the size in bytes of its
// real encoding on the wire (the HTTP header text plus body, the DNS message per RFC
// 1035, ...). Timing and byte counts are computed from SizeBytes alone.
type Message struct {
	SizeBytes int64
	Payload   any
}

// Host is a protocol model's whole view of the world, as a program on one host sees
// it: the clock, timers, its own random stream, and sockets. A model learns about
// other hosts only from the messages it receives. Models depend on this interface,
// not on the network, so a test can drive them with a scripted harness.
type Host interface {
	// Name is the host's name in the topology.
	Name() string
	// Node is the host's address.
	Node() NodeID
	Now() sim.Time
	// After runs fn after d of virtual time; Cancel stops it.
	After(d sim.Time, fn func()) sim.EventID
	Cancel(id sim.EventID) bool
	// Rand is the host's own random stream, derived from the run seed and its name.
	Rand() *rand.Rand
	// Listen accepts TCP connections on port; accept is called for each, once the
	// handshake's final ACK arrives. It is an error if the port is taken.
	Listen(port int, accept func(Conn)) error
	// Dial opens a TCP connection to `to`; done is called after the SYN, SYN-ACK
	// exchange (one RTT) with the connection, or with an error if nothing listens.
	Dial(to Addr, opts TCPOptions, done func(Conn, error))
	// BindUDP opens a UDP socket on port (0: an ephemeral port); recv gets datagrams.
	BindUDP(port int, recv func(from Addr, m Message)) (UDPSocket, error)
}

// HostStats are the true counts of one host's traffic, kept by the socket layer.
type HostStats struct {
	BytesSent     int64 // message bytes sent, TCP and UDP (headers of lower layers excluded)
	BytesReceived int64 // message bytes delivered to this host's sockets
	MessagesSent  int64
	ConnsOpened   int64 // TCP connections this host dialled and got
	ConnsAccepted int64
	DatagramsLost int64 // datagrams this host sent that the network dropped
}

// host is the simulated Host: a node of a Stack's network.
type host struct {
	s         *Stack
	id        NodeID
	rng       *rand.Rand
	listeners map[int]func(Conn)
	udp       map[int]*udpSocket
	nextPort  int
	stats     HostStats
}

var _ Host = (*host)(nil)

func (h *host) Name() string                            { return h.s.net.NodeName(h.id) }
func (h *host) Node() NodeID                            { return h.id }
func (h *host) Now() sim.Time                           { return h.s.k.Now() }
func (h *host) After(d sim.Time, fn func()) sim.EventID { return h.s.k.After(d, fn) }
func (h *host) Cancel(id sim.EventID) bool              { return h.s.k.Cancel(id) }
func (h *host) Rand() *rand.Rand                        { return h.rng }

// ephemeralPort returns a fresh client port (IANA's dynamic range, RFC 6335).
func (h *host) ephemeralPort() int {
	for {
		p := 49152 + h.nextPort%16384
		h.nextPort++
		if _, used := h.udp[p]; !used {
			return p
		}
	}
}

func (h *host) Listen(port int, accept func(Conn)) error {
	if port <= 0 || port > 65535 {
		return fmt.Errorf("%s: listen: bad port %d", h.Name(), port)
	}
	if _, taken := h.listeners[port]; taken {
		return fmt.Errorf("%s: listen: port %d already in use", h.Name(), port)
	}
	h.listeners[port] = accept
	return nil
}
