package filedist

import (
	"slices"

	"netsim/topology"
)

// peer is the program on one peer. It asks the server for the file (client-server)
// or says hello and follows the plan the server sends (P2P): it relays its own part
// to every other peer as the part arrives, and counts the file's bytes as they come
// in, from whoever sends them.
//
// Two peers share one connection and relay their parts to each other over it, one
// each way, as a BitTorrent client keeps one connection per neighbour: the peer with
// the lower address dials. A peer tells the other peers' connections from the
// server's by the addresses in its plan. Each side closes once its part has gone out
// and the other's has come in (see relayState).
//
// A peer that comes back from a crash has lost what it had received and asks again:
// a request, or a hello, which a server that has already planned answers with the
// whole file.
type peer struct {
	h         topology.Host
	handler   *topology.ConnHandler // one for all its connections
	cfg       Config
	rec       *Record
	fileBytes int64 // learned from the plan or the piece headers; 0 until then
	gotBytes  int64

	part      int             // the part this peer relays, from its plan; -1 before it
	partBytes int64           // its length
	peers     []topology.Addr // every peer, in address order, from the plan
	relays    []topology.RelayConn
	states    []relayState    // of the connection with each peer, by its index in peers
	early     []topology.Conn // accepted before the plan: a peer's or the server's
	earlyFIN  []topology.Conn // closed by the other side before the plan came
	earlyGot  []topology.Conn // a piece came in on it before the plan
	own       *topology.Arrival
	unplanned []*topology.Arrival // parts that began to arrive before the plan
}

// relayState is how far the connection with another peer is: this side closes it once
// its own part has gone out on it (or it has none) and the other peer's part, or the
// other's FIN, has come in. Closing as soon as its own part had gone out let the stack
// release this end FinTimeout after its FIN (Linux's tcp_fin_timeout, for a socket the
// application has closed) and drop a part that came later: a peer whose upload is so
// slow that a piece's 25-byte header adds minutes to its part finished that much after
// the others, and the peers it relayed to never had the whole file.
type relayState uint8

const (
	partSent relayState = 1 << iota
	partGot
	closed
)

// Peer returns the program of a peer with the rates self, whose server is at
// serverAddr; what it measures goes to rec.
func Peer(cfg Config, self PeerSpec, serverAddr topology.Addr, rec *Record) func(topology.Host) error {
	cfg = cfg.withDefaults()
	return func(h topology.Host) error {
		if err := self.check(); err != nil {
			return err
		}
		rec.GotBytes = 0
		return startPeer(h, cfg, self, serverAddr, rec)
	}
}

func startPeer(h topology.Host, cfg Config, self PeerSpec, serverAddr topology.Addr, rec *Record) error {
	p := &peer{h: h, cfg: cfg, rec: rec, part: -1}
	handler := &topology.ConnHandler{
		OnMessage:  p.onMessage,
		OnArriving: p.onArriving,
		OnClose:    p.onClose,
	}
	p.handler = handler
	if _, err := h.Listen(cfg.Port, func(c topology.Conn) {
		c.SetHandler(handler)
		if p.part < 0 {
			p.early = append(p.early, c)
			return
		}
		p.classify(c)
	}); err != nil {
		return err
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
	return nil
}

// isPeer reports whether node is one of the plan's peers (not the server).
func (p *peer) isPeer(node topology.NodeID) bool {
	_, found := p.peerIndex(node)
	return found
}

// peerIndex is node's index in the plan's peers.
func (p *peer) peerIndex(node topology.NodeID) (int, bool) {
	return slices.BinarySearchFunc(p.peers, node, func(a topology.Addr, n topology.NodeID) int { return int(a.Node - n) })
}

// classify handles a connection another host opened, once the plan says who is a
// peer.
func (p *peer) classify(c topology.Conn) {
	if p.isPeer(c.Remote().Node) {
		p.addRelay(c.(topology.RelayConn))
	}
}

// onClose: the server's connections are closed when the server closes them; a peer's
// FIN says that its part, if it has one, has all come in.
func (p *peer) onClose(c topology.Conn) {
	switch {
	case p.part < 0:
		p.earlyFIN = append(p.earlyFIN, c)
	case !p.isPeer(c.Remote().Node):
		c.Close()
	default:
		p.mark(c, partGot)
	}
}

// mark notes that this peer's part has gone out on c (partSent), or that the other
// side's has come in (partGot), and closes c once both have. A mark on a connection
// with the server is ignored.
func (p *peer) mark(c topology.Conn, m relayState) {
	i, ok := p.peerIndex(c.Remote().Node)
	if !ok {
		return
	}
	if p.states[i] |= m; p.states[i] == partSent|partGot {
		p.states[i] |= closed
		c.Close()
	}
}

func (p *peer) onMessage(c topology.Conn, m topology.Message) {
	switch msg := m.Payload.(type) {
	case plan:
		p.fileBytes = msg.FileBytes
		p.part = msg.Part
		p.partBytes = msg.PartBytes
		p.peers = msg.Peers
		p.states = make([]relayState, len(p.peers))
		for _, c := range p.earlyGot {
			p.mark(c, partGot)
		}
		for _, a := range p.unplanned {
			p.onArriving(nil, a)
		}
		p.unplanned = nil
		for _, c := range p.early {
			p.classify(c)
		}
		for _, c := range p.earlyFIN {
			p.onClose(c)
		}
		p.early, p.earlyFIN, p.earlyGot = nil, nil, nil
		p.dialRelays()
	case piece:
		p.fileBytes = msg.FileBytes
		p.gotBytes += msg.Length
		p.rec.GotBytes, p.rec.FileBytes = p.gotBytes, p.fileBytes
		if p.gotBytes >= p.fileBytes && !p.rec.Done {
			p.rec.Done, p.rec.DoneAt = true, p.h.Now()
		}
		if p.part < 0 {
			p.earlyGot = append(p.earlyGot, c)
		} else {
			p.mark(c, partGot)
		}
	}
}

// dialRelays opens a connection to every peer of the plan with a higher address
// than this one; the others dial this one.
func (p *peer) dialRelays() {
	for _, a := range p.peers {
		if a.Node <= p.h.Node() {
			continue
		}
		p.h.Dial(a, p.cfg.TCP, func(c topology.Conn, err error) {
			if err != nil {
				return
			}
			c.SetHandler(p.handler)
			p.addRelay(c.(topology.RelayConn))
		})
	}
}

// addRelay takes a connection to another peer: this peer's part goes out on it as
// soon as the part begins to arrive.
func (p *peer) addRelay(r topology.RelayConn) {
	p.relays = append(p.relays, r)
	switch {
	case p.own != nil:
		r.Forward(p.own.Message, p.own)
		p.mark(r, partSent)
	case p.partBytes == 0:
		p.mark(r, partSent)
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
		p.mark(r, partSent)
	}
}
