package bittorrent

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"netsim/apps/http"
	"netsim/sim"
	"netsim/topology"
)

// peer is the program of one BitTorrent client (BEP 3; Kurose & Ross §2.6.1). It
// announces itself to the tracker over HTTP, connects to the peers it is given and
// accepts those that connect to it, learns its neighbours' pieces from their bitfield
// and have messages only, requests blocks from the neighbours that unchoke it, and
// uploads to those it unchokes. Its pieces are on the disk (Record.Pieces), which
// survives a crash: a peer that comes back starts again with them.
type peer struct {
	// What a landing message reads first, in the struct's first two cache lines.
	h     topology.Host
	cfg   *Config
	g     *geometry
	rec   *Record
	have  bitset  // = rec.Pieces
	avail []int32 // copies of each piece among the neighbours, from their messages
	nHave int
	nbrs  []*nbr // the handshaken ones
	quit  bool

	announcing bool
	spec       PeerSpec
	rng        *rand.Rand
	id         [20]byte
	handshake  *Msg // this peer's, the same on every connection
	web        *http.Client

	lst     topology.Listener
	all     []*nbr // every connection, handshaken or not, in a deterministic order
	nodes   map[topology.NodeID]int8
	spare   []topology.Addr // peers from the tracker not dialled yet
	dialing int

	pick picker
	chk  choker

	announceDue sim.EventID
	lastAnounce sim.Time
	interval    sim.Time
	minInterval sim.Time
	timers      []sim.EventID
	warmed      uint64 // sums what warmHaves reads, so that the compiler keeps the reads
}

// Neighbour states in peer.nodes.
const (
	nodeDialing int8 = iota + 1
	nodeConnected
)

// Peer returns the program of a peer with the settings cfg and the behaviour spec;
// rec is its disk and its measurements, kept by the caller across crashes.
func Peer(cfg *Config, spec PeerSpec, rec *Record) func(topology.Host) error {
	d := cfg.withDefaults()
	g := newGeometry(d.Torrent)
	return func(h topology.Host) error {
		_, err := startPeer(h, &d, g, spec, rec)
		return err
	}
}

func startPeer(h topology.Host, cfg *Config, g *geometry, spec PeerSpec, rec *Record) (*peer, error) {
	if rec.Aborted {
		return nil, nil // the user gave up on this torrent: the client is not run again
	}
	now := h.Now()
	if rec.Starts == 0 {
		rec.JoinedAt = now
	}
	rec.Starts++
	if rec.Pieces == nil {
		rec.Pieces = newBitset(g.pieces)
	}
	p := &peer{
		h: h, cfg: cfg, g: g, spec: spec, rec: rec, rng: h.Rand(),
		web:   http.NewClient(h, http.ClientConfig{NonPersistent: true, TCP: cfg.TCP}),
		nodes: map[topology.NodeID]int8{},
		have:  rec.Pieces, nHave: bitset(rec.Pieces).count(), avail: make([]int32, g.pieces),
		interval: DefaultInterval, minInterval: DefaultMinInterval,
	}
	p.pick.init(g)
	// BEP 20's style of peer id: the client's tag, then random digits.
	copy(p.id[:], "-NS0100-")
	for i := 8; i < 20; i++ {
		p.id[i] = byte('0' + p.rng.IntN(10))
	}
	p.handshake = &Msg{Type: Handshake, InfoHash: g.infoHash, PeerID: p.id}
	l, err := h.Listen(cfg.Port, p.accept)
	if err != nil {
		return nil, err
	}
	p.lst = l
	rec.Active = true
	if p.nHave == g.pieces && !rec.Done {
		rec.Done, rec.DoneAt, rec.UpAtDone = true, now, rec.UpBytes
	}
	p.timers = append(p.timers, h.Every(cfg.ChokeInterval, p.rechoke), h.Every(cfg.KeepAlive/2, p.tick))
	if spec.AbortAfter > 0 && !p.complete() {
		// The user's patience runs from the first join, across crashes.
		p.timers = append(p.timers, h.After(max(rec.JoinedAt+spec.AbortAfter-now, 0), p.abort))
	}
	h.OnLeave(p.leave)
	p.announce("started")
	if p.complete() {
		p.seedFor()
	}
	return p, nil
}

func (p *peer) complete() bool { return p.nHave == p.g.pieces }

func (p *peer) left() int64 {
	var l int64
	for i := range p.g.pieces {
		if !p.have.has(i) {
			l += p.g.pieceLen(i)
		}
	}
	return l
}

// --- the tracker ---

// announce tells the tracker about this peer (BEP 3's announce, with BEP 23's
// compact=1): event is started, completed, stopped or "" for a regular one.
func (p *peer) announce(event string) {
	var b strings.Builder
	b.WriteString("/announce?info_hash=")
	b.WriteString(urlBytes(p.g.infoHash[:]))
	b.WriteString("&peer_id=")
	b.WriteString(urlBytes(p.id[:]))
	fmt.Fprintf(&b, "&port=%d&uploaded=%d&downloaded=%d&left=%d&compact=1", p.cfg.Port, p.rec.UpBytes, p.rec.DownBytes, p.left())
	want := p.cfg.NumWant
	if event == "stopped" {
		want = 0
	}
	b.WriteString("&numwant=")
	b.WriteString(strconv.Itoa(want))
	if event != "" {
		b.WriteString("&event=")
		b.WriteString(event)
	}
	req := &http.Request{Method: http.MethodGet, Target: b.String(), Version: http.Version11, Host: p.cfg.TrackerHost}
	p.rec.WireSent += http.MessageOfRequest(req).SizeBytes
	if event != "stopped" {
		p.announcing = true
		p.lastAnounce = p.h.Now()
		if p.announceDue != 0 {
			p.h.Cancel(p.announceDue)
			p.announceDue = 0
		}
	}
	p.web.Do(p.cfg.Tracker, req, func(x http.Exchange) { p.announced(x, event) })
}

// urlBytes escapes binary bytes for a query (RFC 3986 §2: unreserved characters as
// they are, every other byte %XX).
func urlBytes(b []byte) string {
	const hex = "0123456789ABCDEF"
	var s strings.Builder
	for _, c := range b {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '.', c == '_', c == '~':
			s.WriteByte(c)
		default:
			s.WriteByte('%')
			s.WriteByte(hex[c>>4])
			s.WriteByte(hex[c&15])
		}
	}
	return s.String()
}

func (p *peer) announced(x http.Exchange, event string) {
	if event == "stopped" || p.quit {
		return
	}
	p.announcing = false
	if x.Err != nil || x.Resp.Status != http.StatusOK {
		p.scheduleAnnounce(p.minInterval)
		return
	}
	p.rec.WireReceived += x.RespBytes
	v, err := Bdecode([]byte(x.Resp.Body))
	d, ok := v.(map[string]any)
	if err != nil || !ok || d["failure reason"] != nil {
		p.scheduleAnnounce(p.minInterval)
		return
	}
	if s, ok := d["interval"].(int64); ok && s > 0 {
		p.interval = sim.Time(s) * sim.Second
	}
	if s, ok := d["min interval"].(int64); ok && s > 0 {
		p.minInterval = sim.Time(s) * sim.Second
	}
	if list, ok := d["peers"].(string); ok {
		for i := 0; i+6 <= len(list); i += 6 {
			a := topology.Addr{Node: ipNode([]byte(list[i : i+4])), Port: int(binary.BigEndian.Uint16([]byte(list[i+4 : i+6])))}
			if a.Node != p.h.Node() && p.nodes[a.Node] == 0 {
				p.spare = append(p.spare, a)
			}
		}
	}
	p.scheduleAnnounce(p.interval)
	p.connect()
}

func (p *peer) scheduleAnnounce(after sim.Time) {
	if p.announceDue != 0 {
		p.h.Cancel(p.announceDue)
	}
	p.announceDue = p.h.After(after, func() {
		p.announceDue = 0
		p.announce("")
	})
}

// fewNeighbours re-announces early when the peer has lost too many neighbours
// (mainline's min_peers), once the tracker's min interval has passed.
func (p *peer) fewNeighbours() {
	if p.quit || p.announcing || p.cfg.MinPeers < 0 || len(p.all)+p.dialing >= p.cfg.MinPeers || len(p.spare) > 0 {
		return
	}
	wait := p.lastAnounce + p.minInterval - p.h.Now()
	if when, ok := p.dueIn(); ok && when <= wait {
		return
	}
	p.scheduleAnnounce(max(wait, 0))
}

func (p *peer) dueIn() (sim.Time, bool) {
	if p.announceDue == 0 {
		return 0, false
	}
	return p.lastAnounce + p.interval - p.h.Now(), true
}

// --- connections ---

// connect dials peers from the tracker's list while there is room (the texts: Alice
// "attempts to establish concurrent TCP connections with all the peers on this list").
func (p *peer) connect() {
	for len(p.spare) > 0 && len(p.all)+p.dialing < p.cfg.MaxConns && !p.quit {
		a := p.spare[len(p.spare)-1]
		p.spare = p.spare[:len(p.spare)-1]
		if p.nodes[a.Node] != 0 {
			continue
		}
		p.nodes[a.Node] = nodeDialing
		p.dialing++
		p.h.Dial(a, p.cfg.TCP, func(c topology.Conn, err error) {
			p.dialing--
			if err != nil || p.quit {
				if p.nodes[a.Node] == nodeDialing {
					delete(p.nodes, a.Node)
				}
				if c != nil {
					c.Close()
				}
				p.fewNeighbours()
				return
			}
			n := p.open(c, true)
			p.send(n, p.handshake)
			n.sentHS = true
		})
	}
}

func (p *peer) accept(c topology.Conn) {
	if p.quit || len(p.all)+p.dialing >= p.cfg.MaxConns {
		c.Close()
		return
	}
	p.open(c, false)
}

func (p *peer) open(c topology.Conn, out bool) *nbr {
	now := p.h.Now()
	n := &nbr{p: p, c: c, node: c.Remote().Node, out: out, amChoking: true, peerChoking: true,
		connectedAt: now, lastBlock: now, lastRecv: now, lastSent: now,
		down: newRateMeter(now), up: newRateMeter(now)}
	// Each connection's handler is its neighbour's: no lookup by Conn per message.
	n.handler = topology.ConnHandler{
		Receiver: n,
		OnClose:  func(topology.Conn) { p.onClose(n) },
		OnReset:  func(topology.Conn, error) { p.drop(n) },
	}
	// OnSent is set only while a piece is in the socket (serve): the only message
	// whose leaving matters. A have or request on an idle connection then needs no
	// event for its last bit leaving (topology's direct segments).
	n.sentFn = func(_ topology.Conn, id topology.SendID) { p.onSent(n, id) }
	c.SetHandler(&n.handler)
	n.allIdx = int32(len(p.all))
	p.all = append(p.all, n)
	if p.nodes[n.node] == 0 || out {
		p.nodes[n.node] = nodeConnected
	}
	return n
}

func (p *peer) onClose(n *nbr) {
	p.drop(n)
	n.c.Close()
}

// hangUp closes a connection this peer no longer wants.
func (p *peer) hangUp(n *nbr) {
	p.drop(n)
	n.c.Close()
}

// drop forgets a connection: its neighbour's pieces leave the availability counts,
// the requests outstanding on it go back to be asked elsewhere.
func (p *peer) drop(n *nbr) {
	if n.dropped {
		return
	}
	n.dropped = true
	last := len(p.all) - 1
	p.all[n.allIdx] = p.all[last]
	p.all[n.allIdx].allIdx = n.allIdx
	p.all[last] = nil
	p.all = p.all[:last]
	if n.handshaken {
		last = len(p.nbrs) - 1
		p.nbrs[n.idx] = p.nbrs[last]
		p.nbrs[n.idx].idx = n.idx
		p.nbrs[last] = nil
		p.nbrs = p.nbrs[:last]
		if !n.amChoking && n.peerInterested {
			p.chk.inSlots--
		}
		if n.has != nil {
			for w, word := range n.has {
				for word != 0 {
					i := w*64 + trailingZeros(word)
					word &= word - 1
					p.avail[i]--
				}
			}
		}
		p.pick.releaseAll(p, n)
		if p.chk.optimistic == n {
			p.chk.optimistic = nil
		}
	}
	if p.nodes[n.node] == nodeConnected && !p.connectedTo(n.node) {
		delete(p.nodes, n.node)
	}
	if !p.quit {
		if !n.amChoking && n.peerInterested {
			p.fillSlots()
		}
		p.connect()
		p.fewNeighbours()
	}
}

func (p *peer) connectedTo(node topology.NodeID) bool {
	for _, m := range p.all {
		if m.node == node {
			return true
		}
	}
	return false
}

// send puts a message on n's connection.
func (p *peer) send(n *nbr, m *Msg) topology.SendID {
	msg := m.message()
	id, err := n.c.Send(msg)
	if err != nil {
		return 0
	}
	n.lastSent = p.h.Now()
	p.rec.WireSent += msg.SizeBytes
	return id
}

// tick sends keep-alives on connections idle for KeepAlive (BEP 3: "generally sent
// once every two minutes") and closes those that have received nothing for
// IdleTimeout.
func (p *peer) tick() {
	now := p.h.Now()
	var idle []*nbr
	for _, n := range p.all {
		if now-n.lastRecv >= p.cfg.IdleTimeout {
			idle = append(idle, n)
		}
	}
	for _, n := range idle {
		p.hangUp(n)
	}
	for _, n := range p.nbrs {
		if now-n.lastSent >= p.cfg.KeepAlive {
			p.send(n, controls[KeepAlive])
		}
	}
}

// --- the end ---

// seedFor makes a peer that has the whole file stay its seeding time, then quit.
func (p *peer) seedFor() {
	switch t := p.spec.SeedTime; {
	case t == 0:
		p.stop()
	case t > 0:
		p.timers = append(p.timers, p.h.After(t, p.stop))
	}
}

// leave is the host's graceful leave: the client says stopped and closes.
func (p *peer) leave() { p.stop() }

// abort is a leecher giving up before it has the file: it leaves as gracefully as
// leave, for good.
func (p *peer) abort() {
	if p.complete() || p.quit {
		return
	}
	p.rec.Aborted = true
	p.stop()
}

// stop quits the torrent: the tracker is told, every connection closed.
func (p *peer) stop() {
	if p.quit {
		return
	}
	p.announce("stopped")
	p.quit = true
	p.rec.Active = false
	p.rec.QuitAt = p.h.Now()
	for _, t := range p.timers {
		p.h.Cancel(t)
	}
	if p.announceDue != 0 {
		p.h.Cancel(p.announceDue)
	}
	p.lst.Close()
	for len(p.all) > 0 {
		p.hangUp(p.all[len(p.all)-1])
	}
}
