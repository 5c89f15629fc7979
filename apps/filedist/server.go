package filedist

import (
	"slices"

	"netsim/topology"
)

// server is the program on the file's server. In client-server mode it answers each
// request with the whole file; in P2P mode it waits for a hello from each of the N
// peers it expects, plans the scheme from the rates they announced, and sends each
// peer its plan, its part (paced at the part's rate) and the direct share.
type server struct {
	h         topology.Host
	cfg       Config
	fileBytes int64
	hellos    []peerHello
	planned   bool
}

type peerHello struct {
	conn topology.Conn
	hello
}

func startServer(h topology.Host, cfg Config) error {
	s := &server{h: h, cfg: cfg, fileBytes: fileBytes(cfg.FileBits)}
	handler := &topology.ConnHandler{OnMessage: s.onMessage}
	_, err := h.Listen(cfg.Port, func(c topology.Conn) { c.SetHandler(handler) })
	return err
}

func (s *server) onMessage(c topology.Conn, m topology.Message) {
	switch msg := m.Payload.(type) {
	case request:
		c.Send(message(piece{Part: 0, Length: s.fileBytes, FileBytes: s.fileBytes}))
	case hello:
		s.hellos = append(s.hellos, peerHello{c, msg})
		if len(s.hellos) == s.cfg.ExpectedPeers && !s.planned {
			s.planned = true
			s.distribute()
		}
	}
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
			return // the peer has left; nothing in this model does that
		}
		r := c.(topology.RelayConn)
		r.SetPacingRate(rateBps)
		r.Send(message(p))
		r.Close()
	})
}

// fileBytes is the file's size in whole bytes: F bits rounded up.
func fileBytes(fileBits int64) int64 { return (fileBits + 7) / 8 }
