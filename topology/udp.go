package topology

import "fmt"

// UDPSocket sends and receives datagrams: no connection, no order, and each datagram
// may be lost (SetLinkLoss).
type UDPSocket interface {
	Local() Addr
	// SendTo queues one datagram. It fails with ErrClosed after Close (or the host's
	// crash) and with ErrBadMessage for a negative size.
	SendTo(to Addr, m Message) error
	// Close unbinds the port; datagrams queued and not yet sent are dropped.
	Close() error
}

type udpSocket struct {
	h       *host
	port    uint16
	closed  bool
	recv    func(from Addr, m Message)
	queue   []datagram // waiting to be sent; queue[0] is on the wire when sending != nil
	sending *Flow
	spare   *Flow   // the flow of the datagram just sent, while its onDone runs (Network.drain)
	pkt     *packet // the datagram on the wire if it is a packet (UDPParams.PacketBytes)
}

type datagram struct {
	to Addr
	m  Message
}

func (h *host) BindUDP(port int, recv func(from Addr, m Message)) (UDPSocket, error) {
	p, err := h.takePort("bind udp", port, true)
	if err != nil {
		return nil, err
	}
	u := &udpSocket{h: h, port: p, recv: recv}
	h.ports = append(h.ports, binding{port: p, u: u})
	return u, nil
}

func (u *udpSocket) Local() Addr { return Addr{u.h.id, int(u.port)} }

func (u *udpSocket) Close() error {
	if u.closed {
		return fmt.Errorf("%s: close udp %d: %w", u.h.Name(), u.port, ErrClosed)
	}
	u.h.unbind(u.port, true)
	u.kill()
	return nil
}

// kill closes the socket and aborts the datagram on the wire.
func (u *udpSocket) kill() {
	u.closed = true
	if u.sending != nil || u.pkt.onWire() {
		if s := u.h.s; s.tap != nil {
			s.tapDatagramEnd(u, false)
		}
		if u.sending != nil {
			u.h.s.net.Abort(u.sending)
			u.sending = nil
		}
		u.pkt.cancel(u.h.s.k)
	}
	clear(u.queue)
	u.queue = nil
}

// SendTo sends one datagram. A socket's datagrams leave one after another, as from a
// network interface's queue (many datagrams sent at once do not share the link as
// parallel flows). Each is transmitted as a flow of its size and arrives a
// propagation delay after its last bit leaves, unless the network drops it — by the
// loss probabilities of the links it crosses, drawn from the network's own random
// stream as it leaves, or because a link it crosses fails before it arrives — or it
// reaches a host that is down, has rebooted since it was sent, or has nothing bound
// to the port.
func (u *udpSocket) SendTo(to Addr, m Message) error {
	switch {
	case u.closed:
		return fmt.Errorf("%s: send udp %d: %w", u.h.Name(), u.port, ErrClosed)
	case m.SizeBytes < 0:
		return fmt.Errorf("%s: send udp %d: %w", u.h.Name(), u.port, ErrBadMessage)
	case to.Node < 0 || int(to.Node) >= u.h.s.net.NumNodes():
		return fmt.Errorf("%s: send udp %d: no node %d", u.h.Name(), u.port, to.Node)
	}
	u.queue = append(u.queue, datagram{to, m})
	if u.sending == nil && !u.pkt.onWire() && len(u.queue) == 1 {
		u.sendNext()
	}
	return nil
}

func (u *udpSocket) sendNext() {
	s := u.h.s
	for len(u.queue) > 0 && u.sending == nil && !u.pkt.onWire() && !u.closed {
		d := u.queue[0]
		r, err := s.net.Route(u.h.id, d.to.Node)
		if err != nil {
			// Unroutable: dropped, as IP would.
			u.h.stats.DatagramsLost++
			u.pop()
			continue
		}
		u.h.stats.BytesSent += d.m.SizeBytes
		u.h.stats.WireBytesSent += d.m.SizeBytes
		u.h.stats.MessagesSent++
		s.datagrams++
		from := u.Local()
		lost := s.lossy(r) || (s.DropDatagram != nil && s.DropDatagram(s.datagrams, from, d.to, d.m))
		dst := s.host(d.to.Node)
		epoch, failEpoch := dst.epoch, s.net.FailEpoch()
		// finish is the datagram's last bit leaving, or its flow failing.
		finish := func(failed bool) {
			u.pop()
			if s.tap != nil {
				s.tapDatagramEnd(u, !failed)
			}
			if lost || failed {
				u.h.stats.DatagramsLost++
			} else {
				s.k.At(s.k.Now()+r.Delay, func() {
					if s.net.RouteBroken(r, failEpoch) {
						u.h.stats.DatagramsLost++
						return
					}
					if !dst.up || dst.epoch != epoch {
						return
					}
					if i := dst.bound(uint16(d.to.Port), true); i >= 0 {
						dst.stats.BytesReceived += d.m.SizeBytes
						if rcv := dst.ports[i].u.recv; rcv != nil {
							rcv(from, d.m)
						}
					}
				})
			}
			u.sendNext()
		}
		done := func(f *Flow) {
			u.sending = nil
			if f.draining() {
				u.spare = f
				defer func() { u.spare = nil }()
			}
			finish(f.Failed())
		}
		switch sp := u.spare; {
		case sp != nil && d.m.SizeBytes > 0 && sp.draining() && sp.onRoute(r.Links):
			// The next datagram to the same place leaves back to back on the flow of
			// the last (Network.drain): no rate changes.
			u.spare = nil
			s.net.extend(sp, d.m.SizeBytes, 0, done)
			u.sending = sp
		case d.m.SizeBytes > 0 && d.m.SizeBytes <= s.UDP.PacketBytes:
			// Small enough to go as one packet: no flow, no share (packet.go).
			if u.pkt == nil {
				u.pkt = &packet{}
			}
			pk := u.pkt
			pk.done = func() { finish(!pk.sent(s.net)) }
			pk.send(s.net, r, d.m.SizeBytes, 0)
		default:
			u.sending = s.net.StartFlow(r, d.m.SizeBytes, FlowOptions{}, done)
			if !s.noDrain {
				u.sending.flags |= flagKeep
			}
		}
		if s.tap != nil {
			s.tapDatagram(u, d, r.Delay, lost, u.sending, u.pkt)
		}
	}
}

func (u *udpSocket) pop() {
	u.queue[0] = datagram{}
	u.queue = u.queue[1:]
}

// lossy draws whether a datagram on r is lost: it survives each link independently
// with probability 1 − loss. One draw per datagram, from the network's own stream,
// and none on loss-free routes, so loss never moves another stream's numbers.
func (s *Stack) lossy(r Route) bool {
	survive := 1.0
	for _, l := range r.Links {
		if p := s.net.LinkLoss(l); p > 0 {
			survive *= 1 - p
		}
	}
	return survive < 1 && s.lossRng.Float64() >= survive
}
