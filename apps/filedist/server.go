package filedist

import (
	"slices"

	"netsim/topology"
)

// server is the program on the file's server. In client-server mode it answers each
// request with the whole file; in P2P mode it waits for a hello from each of the N
// peers it expects, plans the scheme from the rates they announced, and sends each
// peer its plan, its part (paced at the part's rate) and the direct share.
//
// The plan is made once in the server's life, crashes included (it is on its disk): a
// hello that comes after it — from a peer that joined late, or came back from a crash
// having lost what it had — is answered with the whole file, as a request is. The
// constructive scheme has no redundancy: a peer that crashes takes the part it relays
// with it, and the peers still waiting for that part never finish. Hellos heard before
// the server crashes are lost with it.
type server struct {
	h         topology.Host
	cfg       Config
	fileBytes int64
	hellos    []peerHello
	planned   *bool
}

type peerHello struct {
	conn topology.Conn
	hello
}

// Server returns the server's program for cfg, to be started on its host (and started
// again each time the host recovers).
func Server(cfg Config) func(topology.Host) error {
	cfg = cfg.withDefaults()
	planned := new(bool)
	*planned = cfg.ExpectedPeers == 0 // no plan to wait for
	return func(h topology.Host) error {
		s := &server{h: h, cfg: cfg, fileBytes: fileBytes(cfg.FileBits), planned: planned}
		handler := &topology.ConnHandler{OnMessage: s.onMessage}
		_, err := h.Listen(cfg.Port, func(c topology.Conn) { c.SetHandler(handler) })
		return err
	}
}

func (s *server) onMessage(c topology.Conn, m topology.Message) {
	switch msg := m.Payload.(type) {
	case request:
		s.sendFile(c)
	case hello:
		if *s.planned {
			s.sendFile(c)
			return
		}
		// A peer heard from again has rebooted: its first connection is dead.
		s.hellos = slices.DeleteFunc(s.hellos, func(p peerHello) bool { return p.conn.Remote().Node == c.Remote().Node })
		s.hellos = append(s.hellos, peerHello{c, msg})
		if len(s.hellos) == s.cfg.ExpectedPeers {
			*s.planned = true
			s.distribute()
		}
	}
}

func (s *server) sendFile(c topology.Conn) {
	c.Send(message(piece{Part: 0, Length: s.fileBytes, FileBytes: s.fileBytes}))
}

// distribute runs the P2P scheme once every expected peer has said hello.
func (s *server) distribute() {
	// Peers in address order, so the plan does not depend on which hello came first.
	slices.SortFunc(s.hellos, func(a, b peerHello) int { return int(a.conn.Remote().Node - b.conn.Remote().Node) })
	n := len(s.hellos)
	up, down := make([]float64, n), make([]float64, n)
	addrs := make([]topology.Addr, n)
	for i, p := range s.hellos {
		up[i], down[i] = p.UploadBps, p.DownloadBps
		addrs[i] = topology.Addr{Node: p.conn.Remote().Node, Port: s.cfg.Port}
	}
	sch := PlanScheme(s.cfg.ServerUploadBps, up, down)
	// The file is cut into N parts plus the direct share, in proportion to the rates
	// at which they are sent, so that all of them take the same time F/R.
	weights := append(slices.Clone(sch.PartBps), sch.DirectBps)
	sizes := splitBytes(s.fileBytes, weights)
	for i, p := range s.hellos {
		p.conn.Send(message(plan{FileBytes: s.fileBytes, Part: i, PartBytes: sizes[i], Peers: addrs}))
		s.sendPaced(addrs[i], piece{Part: i, Length: sizes[i], FileBytes: s.fileBytes}, sch.PartBps[i])
		if sizes[n] > 0 {
			s.sendPaced(addrs[i], piece{Part: n, Length: sizes[n], FileBytes: s.fileBytes}, sch.DirectBps)
		}
	}
}

// sendPaced opens a connection to a peer's relay port and sends one piece on it at
// rateBps, then closes it.
func (s *server) sendPaced(to topology.Addr, p piece, rateBps float64) {
	if p.Length == 0 {
		return
	}
	s.h.Dial(to, s.cfg.TCP, func(c topology.Conn, err error) {
		if err != nil {
			return // the peer is down: its part is lost with it
		}
		r := c.(topology.RelayConn)
		r.SetPacingRate(rateBps)
		r.Send(message(p))
		r.Close()
	})
}

// fileBytes is the file's size in whole bytes: F bits rounded up.
func fileBytes(fileBits int64) int64 { return (fileBits + 7) / 8 }
