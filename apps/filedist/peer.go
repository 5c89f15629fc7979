package filedist

import (
	"netsim/sim"
	"netsim/topology"
)

// peer is the program on one peer. It asks the server for the file (client-server)
// or says hello and follows the plan the server sends (P2P): it relays its own part
// to every other peer as the part arrives, and counts the file's bytes as they come
// in, from whoever sends them.
type peer struct {
	h         topology.Host
	cfg       Config
	self      PeerSpec
	fileBytes int64 // learned from the plan or the piece headers; 0 until then
	gotBytes  int64
	doneAt    sim.Time // when the last byte arrived; -1 until then

	part      int                  // the part this peer relays, from its plan; -1 before it
	relays    []topology.RelayConn // open connections to the other peers
	dialing   int                  // relay connections not yet open
	own       *topology.Arrival
	unplanned []*topology.Arrival // parts that began to arrive before the plan
}

func startPeer(h topology.Host, cfg Config, self PeerSpec, serverAddr topology.Addr) (*peer, error) {
	p := &peer{h: h, cfg: cfg, self: self, doneAt: -1, part: -1}
	handler := &topology.ConnHandler{
		OnMessage:  p.onMessage,
		OnArriving: p.onArriving,
		OnClose:    func(c topology.Conn) { c.Close() },
	}
	if _, err := h.Listen(cfg.Port, func(c topology.Conn) { c.SetHandler(handler) }); err != nil {
		return nil, err
	}
	h.Dial(serverAddr, cfg.TCP, func(c topology.Conn, err error) {
		if err != nil {
			return
		}
		c.SetHandler(handler)
		if cfg.Mode == ClientServer {
			c.Send(message(request{}))
		} else {
			c.Send(message(hello{UploadBps: self.UploadBps, DownloadBps: self.DownloadBps}))
		}
	})
	return p, nil
}

func (p *peer) onMessage(c topology.Conn, m topology.Message) {
	switch msg := m.Payload.(type) {
	case plan:
		p.fileBytes = msg.FileBytes
		p.part = msg.Part
		for _, a := range p.unplanned {
			p.onArriving(nil, a)
		}
		p.unplanned = nil
		if msg.PartBytes > 0 {
			p.dialRelays(msg.Peers)
		}
	case piece:
		p.fileBytes = msg.FileBytes
		p.gotBytes += msg.Length
		if p.gotBytes >= p.fileBytes && p.doneAt < 0 {
			p.doneAt = p.h.Now()
		}
	}
}

// dialRelays opens a connection to every other peer in the plan.
func (p *peer) dialRelays(peers []topology.Addr) {
	for _, a := range peers {
		if a.Node == p.h.Node() {
			continue
		}
		p.dialing++
		p.h.Dial(a, p.cfg.TCP, func(c topology.Conn, err error) {
			p.dialing--
			if err != nil {
				return
			}
			r := c.(topology.RelayConn)
			p.relays = append(p.relays, r)
			if p.own != nil {
				r.Forward(p.own.Message, p.own)
				r.Close()
			}
		})
	}
}

// onArriving relays this peer's own part as soon as its first bits arrive, no faster
// than it arrives (Kurose & Ross §2.5: each peer relays the bits it receives), on
// every relay connection open now and on each one as it opens.
func (p *peer) onArriving(_ topology.Conn, a *topology.Arrival) {
	pc, ok := a.Payload.(piece)
	if !ok {
		return
	}
	if p.part < 0 {
		p.unplanned = append(p.unplanned, a)
		return
	}
	if pc.Part != p.part || p.own != nil {
		return
	}
	p.own = a
	for _, r := range p.relays {
		r.Forward(a.Message, a)
		r.Close()
	}
}
