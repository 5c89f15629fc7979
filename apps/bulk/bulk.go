// Package bulk is cross traffic: a sender moves a number of bytes to a receiver over
// one TCP connection as fast as the network lets it, as iperf's TCP test or a large
// FTP download does (Kurose & Ross §2.3's bulk data), competing for the links with the
// model a scenario studies. The data is sent as one message of its bare bytes, so on a
// shared bottleneck it takes its max-min fair share for as long as it lasts.
package bulk

import (
	"netsim/sim"
	"netsim/topology"
)

// DefaultPort is the receiver's TCP port: iperf's 5001.
const DefaultPort = 5001

// Transfer is one bulk transfer, as its sender is set up.
type Transfer struct {
	To        topology.Addr
	SizeBytes int64
	// Start is how long after the program starts the sender dials.
	Start sim.Time
	TCP   topology.TCPOptions
}

// data is the payload: bytes nobody reads.
type data struct{ sizeBytes int64 }

// Sender returns the program that sends t from its host and then closes. A transfer a
// crash cuts off starts over, whole, when the host comes back.
func Sender(t Transfer) func(topology.Host) error {
	return func(h topology.Host) error {
		h.After(t.Start, func() {
			h.Dial(t.To, t.TCP, func(c topology.Conn, err error) {
				if err != nil {
					return // the receiver is down: no transfer, as iperf gives up
				}
				c.SetHandler(&topology.ConnHandler{OnClose: func(c topology.Conn) { c.Close() }})
				c.Send(topology.Message{SizeBytes: t.SizeBytes, Payload: data{t.SizeBytes}})
				c.Close()
			})
		})
		return nil
	}
}

// Receiver returns the program that accepts transfers on port (0: DefaultPort);
// received, if not nil, is told of each one that arrived whole.
func Receiver(port int, received func(from topology.Addr, sizeBytes int64, at sim.Time)) func(topology.Host) error {
	if port == 0 {
		port = DefaultPort
	}
	return func(h topology.Host) error {
		handler := &topology.ConnHandler{
			OnMessage: func(c topology.Conn, m topology.Message) {
				if d, ok := m.Payload.(data); ok && received != nil {
					received(c.Remote(), d.sizeBytes, h.Now())
				}
			},
			OnClose: func(c topology.Conn) { c.Close() },
		}
		_, err := h.Listen(port, func(c topology.Conn) { c.SetHandler(handler) })
		return err
	}
}
