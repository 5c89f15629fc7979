package topology

import "fmt"

// UDPSocket sends and receives datagrams: no connection, no order, and each datagram
// may be lost (Stack.UDPLoss).
type UDPSocket interface {
	Local() Addr
	SendTo(to Addr, m Message)
	Close()
}

type udpSocket struct {
	h       *host
	port    int
	recv    func(from Addr, m Message)
	closed  bool
	queue   []datagram // waiting to be sent; queue[0] is on the wire
	sending bool
}

type datagram struct {
	to Addr
	m  Message
}

func (h *host) BindUDP(port int, recv func(from Addr, m Message)) (UDPSocket, error) {
	if port < 0 || port > 65535 {
		return nil, fmt.Errorf("%s: bind udp: bad port %d", h.Name(), port)
	}
	if port == 0 {
		port = h.ephemeralPort()
	}
	if _, taken := h.udp[port]; taken {
		return nil, fmt.Errorf("%s: bind udp: port %d already in use", h.Name(), port)
	}
	u := &udpSocket{h: h, port: port, recv: recv}
	h.udp[port] = u
	return u, nil
}

func (u *udpSocket) Local() Addr { return Addr{u.h.id, u.port} }

func (u *udpSocket) Close() {
	if !u.closed {
		u.closed = true
		delete(u.h.udp, u.port)
	}
}

// SendTo sends one datagram. A socket's datagrams leave one after another, as from a
// network interface's queue (many datagrams sent at once do not share the link as
// parallel flows). Each is transmitted as a flow of its size and arrives a
// propagation delay after its last bit leaves, unless the network drops it (decided
// when it leaves, from the network's own random stream) or nothing is bound to the
// destination port when it arrives.
func (u *udpSocket) SendTo(to Addr, m Message) {
	if u.closed {
		panic(fmt.Sprintf("%s: send on closed UDP socket %d", u.h.Name(), u.port))
	}
	if m.SizeBytes < 0 {
		panic(fmt.Sprintf("%s: datagram of negative size %d", u.h.Name(), m.SizeBytes))
	}
	u.queue = append(u.queue, datagram{to, m})
	if !u.sending {
		u.sendNext()
	}
}

func (u *udpSocket) sendNext() {
	if len(u.queue) == 0 {
		u.sending = false
		return
	}
	u.sending = true
	d := u.queue[0]
	s := u.h.s
	r, err := s.net.Route(u.h.id, d.to.Node)
	if err != nil {
		u.queue = u.queue[1:] // unroutable: dropped, as IP would
		u.sendNext()
		return
	}
	u.h.stats.BytesSent += d.m.SizeBytes
	u.h.stats.MessagesSent++
	lost := s.UDPLoss > 0 && s.lossRng.Float64() < s.UDPLoss
	from := u.Local()
	s.net.StartFlow(r, d.m.SizeBytes, FlowOptions{}, func(*Flow) {
		u.queue = u.queue[1:]
		if lost {
			u.h.stats.DatagramsLost++
		} else {
			s.k.After(r.Delay, func() {
				dst := s.host(d.to.Node)
				if sock, ok := dst.udp[d.to.Port]; ok {
					dst.stats.BytesReceived += d.m.SizeBytes
					sock.recv(from, d.m)
				}
			})
		}
		u.sendNext()
	})
}

func (s *Stack) addrString(a Addr) string {
	return fmt.Sprintf("%s:%d", s.net.NodeName(a.Node), a.Port)
}
