package topology

import (
	"fmt"
	"math/rand/v2"

	"netsim/sim"
)

// Stack is the transport layer of a network: the hosts' sockets, carried by flows.
type Stack struct {
	net   *Network
	k     *sim.Kernel
	rs    sim.Streams
	hosts map[NodeID]*host
	// UDPLoss is the probability that the network drops a datagram (0 by default).
	UDPLoss float64
	lossRng *rand.Rand
}

// NewStack returns the transport layer of net. Random streams (each host's, and the
// network's own for datagram loss) derive from streams.
func NewStack(net *Network, streams sim.Streams) *Stack {
	return &Stack{
		net: net, k: net.k, rs: streams,
		hosts:   map[NodeID]*host{},
		lossRng: streams.Stream("network/udp-loss"),
	}
}

// Network returns the network the stack runs on.
func (s *Stack) Network() *Network { return s.net }

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
	h, ok := s.hosts[id]
	if !ok {
		h = &host{
			s: s, id: id,
			rng:       s.rs.Stream("host/" + s.net.NodeName(id)),
			listeners: map[int]func(Conn){},
			udp:       map[int]*udpSocket{},
		}
		s.hosts[id] = h
	}
	return h
}

// Stats returns the traffic counts of the host at node id.
func (s *Stack) Stats(id NodeID) HostStats {
	if h, ok := s.hosts[id]; ok {
		return h.stats
	}
	return HostStats{}
}
