package bittorrent

import (
	"math/bits"

	"netsim/sim"
	"netsim/topology"
)

// nbr is a connection to another peer and what this peer knows of that peer: only
// what came in its messages (its pieces from its bitfield and haves, its interest,
// its choking) and what this peer measured (the rates each way).
//
// Its fields are laid out for the messages that land on it, which are most of a
// swarm's events and whose cost is the cache lines they touch. The first line is the
// handler, whose Receiver is the nbr itself (Receive), and its peer; the second, what
// every message and have reads: the pieces it has, the connection, the counts and the
// flags. The third holds the requests each way; the fourth, what blocks and choke
// rounds read; the fifth, its bitfield's words, inline up to 448 pieces; the last,
// the rates. The struct is 384 bytes, a size class whose objects start on a 64-byte
// line (TestNbrFillsWholeCacheLines).
type nbr struct {
	handler topology.ConnHandler // c's: Receiver is n, OnSent set by serve
	p       *peer

	has            bitset // its pieces; nil until its bitfield or first have
	c              topology.Conn
	lastRecv       sim.Time
	nHas           int32
	need           int32 // pieces it has and this peer lacks
	dropped        bool
	handshaken     bool // and in peer.nbrs, at idx
	amChoking      bool
	amInterested   bool
	peerChoking    bool
	peerInterested bool

	reqs    []blockRef // this peer's requests outstanding on it
	pending []blockRef // its requests to this peer, not yet sent
	// inSocket is the piece message in the socket (one at a time, the next queued
	// when it has left, so a choke or cancel can still take the rest back).
	inSocket      topology.SendID
	idx           int32 // in peer.nbrs while handshaken
	inSocketBlock blockRef

	sentFn                 func(topology.Conn, topology.SendID) // handler.OnSent while inSocket != 0
	lastSent               sim.Time
	connectedAt, lastBlock sim.Time
	lastUnchoked           sim.Time
	downBytes, upBytes     int64
	keep                   uint32 // the choke round that keeps it unchoked
	allIdx                 int32  // in peer.all

	hasWords        [7]uint64 // has's words when it has no more than 7 (newHas)
	node            topology.NodeID
	out             bool // this peer dialled
	sentHS          bool
	wasUnchokedOnce bool

	down, up rateMeter // block bytes from it and to it
}

// Receive is a message landing on n's connection (topology.Receiver).
func (n *nbr) Receive(_ topology.Conn, m topology.Message) { n.p.onMessage(n, m) }

// newHas returns a bitset of words words for has: the inline words when they are
// enough, so that a landing have reads the neighbour and its pieces together.
func (n *nbr) newHas(words int) bitset {
	if words <= len(n.hasWords) {
		return n.hasWords[:words:words]
	}
	return make(bitset, words)
}

// blockRef names a block: a piece and the block's index in it.
type blockRef struct{ piece, block int32 }

func trailingZeros(w uint64) int { return bits.TrailingZeros64(w) }

func (p *peer) onMessage(n *nbr, m topology.Message) {
	if n.dropped || p.quit {
		// A connection this peer has hung up on still delivers what was on its way
		// (a half-closed TCP connection): counted, and discarded.
		p.rec.WireReceived += m.SizeBytes
		if msg, ok := m.Payload.(*Msg); ok && msg.Type == Piece {
			p.rec.DownBytes += int64(msg.Length)
			p.rec.DupBytes += int64(msg.Length)
		}
		return
	}
	n.lastRecv = p.h.Now()
	p.rec.WireReceived += m.SizeBytes
	msg, ok := m.Payload.(*Msg)
	if !ok {
		p.hangUp(n)
		return
	}
	if !n.handshaken && msg.Type != Handshake {
		p.hangUp(n) // BEP 3: the handshake comes first
		return
	}
	switch msg.Type {
	case Handshake:
		p.gotHandshake(n, msg)
	case BitfieldMsg:
		p.gotBitfield(n, msg)
	case Have:
		p.gotHave(n, int(msg.Index))
	case Interested:
		p.setPeerInterested(n, true)
		p.interestedIn(n)
	case NotInterested:
		p.setPeerInterested(n, false)
		if !n.amChoking {
			p.fillSlots()
		}
	case Choke:
		n.peerChoking = true
		p.pick.releaseAll(p, n)
	case Unchoke:
		n.peerChoking = false
		p.refill(n)
	case Request:
		p.gotRequest(n, msg)
	case Cancel:
		p.gotCancel(n, blockRef{int32(msg.Index), int32(msg.Begin / uint32(p.g.BlockBytes))})
	case Piece:
		p.gotBlock(n, msg)
	}
}

func (p *peer) gotHandshake(n *nbr, m *Msg) {
	if n.handshaken || m.InfoHash != p.g.infoHash {
		p.hangUp(n)
		return
	}
	// Two peers that dialled each other at once keep the connection opened by the one
	// at the lower address, which both can tell.
	for _, o := range p.nbrs {
		if o.node == n.node {
			keepOld := o.out == (p.h.Node() < n.node)
			if keepOld {
				p.hangUp(n)
				return
			}
			p.hangUp(o)
			break
		}
	}
	if !n.sentHS {
		p.send(n, p.handshake)
		n.sentHS = true
	}
	n.idx, n.handshaken = int32(len(p.nbrs)), true
	p.nbrs = append(p.nbrs, n)
	if p.nHave > 0 {
		// BEP 3: "peers which have no pieces may skip it".
		p.send(n, &Msg{Type: BitfieldMsg, Bits: append(bitset(nil), p.have...), NBits: p.g.pieces})
	}
}

func (p *peer) gotBitfield(n *nbr, m *Msg) {
	if n.has != nil || len(m.Bits) != len(p.have) {
		p.hangUp(n) // BEP 3: only as the first message after the handshake
		return
	}
	n.has = n.newHas(len(m.Bits))
	copy(n.has, m.Bits)
	for w, word := range n.has {
		n.nHas += int32(bits.OnesCount64(word))
		n.need += int32(bits.OnesCount64(word &^ p.have[w]))
		for word != 0 {
			p.avail[w*64+trailingZeros(word)]++
			word &= word - 1
		}
	}
	if p.seedsBoth(n) {
		return
	}
	p.updateInterest(n)
}

// seedsBoth closes a connection between two seeds, which have nothing to trade.
func (p *peer) seedsBoth(n *nbr) bool {
	if p.complete() && int(n.nHas) == p.g.pieces {
		p.hangUp(n)
		return true
	}
	return false
}

func (p *peer) gotHave(n *nbr, i int) {
	if i < 0 || i >= p.g.pieces {
		p.hangUp(n)
		return
	}
	if n.has == nil {
		n.has = n.newHas(len(p.have))
	}
	if n.has.has(i) {
		return
	}
	n.has.set(i)
	n.nHas++
	p.avail[i]++
	if p.seedsBoth(n) {
		return
	}
	if !p.have.has(i) {
		n.need++
		if n.amInterested {
			p.refill(n)
		} else {
			p.updateInterest(n)
		}
	}
}

// updateInterest says interested or not interested when this peer's wish for n's
// pieces has changed (BEP 3).
func (p *peer) updateInterest(n *nbr) {
	want := n.need > 0
	if want == n.amInterested {
		return
	}
	n.amInterested = want
	if want {
		p.send(n, controls[Interested])
		p.refill(n)
	} else {
		p.send(n, controls[NotInterested])
	}
}

// --- uploading ---

func (p *peer) gotRequest(n *nbr, m *Msg) {
	i, b := int(m.Index), int(m.Begin/uint32(p.g.BlockBytes))
	switch {
	case n.amChoking || p.spec.FreeRider:
		return // BEP 3: a choked peer's requests are discarded
	case i < 0 || i >= p.g.pieces || !p.have.has(i) || b >= p.g.blocksIn(i) || int64(m.Length) != p.g.blockLen(i, b):
		p.hangUp(n)
		return
	case len(n.pending) >= maxPending:
		return
	}
	if n.pending == nil {
		// Room for a pipeline like this peer's at once, not grown 1, 2, 4, 8.
		n.pending = make([]blockRef, 0, p.cfg.Pipeline)
	}
	n.pending = append(n.pending, blockRef{int32(i), int32(b)})
	p.serve(n)
}

// maxPending caps the requests a neighbour may queue (libtorrent's
// max_allowed_in_request_queue is of this order).
const maxPending = 250

// serve puts n's next requested block in the socket if none is there: one at a time,
// the next when it has left (onSent), so the pipe stays full and a choke or cancel
// can still take back what has not gone.
func (p *peer) serve(n *nbr) {
	if n.inSocket != 0 || n.amChoking || len(n.pending) == 0 {
		return
	}
	if p.cfg.Choking == BlockTFT && !p.complete() && n.upBytes-n.downBytes >= int64(p.cfg.BlockTFTDelta)*p.g.BlockBytes {
		return // Bharambe et al.: n owes too much; wait for its blocks
	}
	b := n.pending[0]
	copy(n.pending, n.pending[1:])
	n.pending = n.pending[:len(n.pending)-1]
	length := p.g.blockLen(int(b.piece), int(b.block))
	n.handler.OnSent = n.sentFn // set before the send: a short last block may go at once
	id := p.send(n, p.g.pieceMsg(b))
	n.inSocket, n.inSocketBlock = id, b
	if id != 0 {
		p.rec.UpBytes += length // it leaves even if the connection is closed now
	} else {
		n.handler.OnSent = nil
	}
}

// unsend takes back the block in n's socket, if it has not begun to leave.
func (p *peer) unsend(n *nbr) bool {
	if n.inSocket == 0 || !n.c.Unsend(n.inSocket) {
		return false
	}
	n.inSocket = 0
	n.handler.OnSent = nil
	p.rec.UpBytes -= p.g.blockLen(int(n.inSocketBlock.piece), int(n.inSocketBlock.block))
	return true
}

func (p *peer) onSent(n *nbr, id topology.SendID) {
	if n.dropped || id != n.inSocket {
		return
	}
	n.inSocket = 0
	n.handler.OnSent = nil
	length := p.g.blockLen(int(n.inSocketBlock.piece), int(n.inSocketBlock.block))
	now := p.h.Now()
	n.up.add(now, length, p.cfg.RateWindow)
	n.upBytes += length
	p.serve(n)
}

func (p *peer) gotCancel(n *nbr, b blockRef) {
	for i, r := range n.pending {
		if r == b {
			n.pending = append(n.pending[:i], n.pending[i+1:]...)
			return
		}
	}
	if n.inSocket != 0 && n.inSocketBlock == b && p.unsend(n) {
		p.serve(n)
	}
}

// choke stops uploading to n: its queued requests are discarded (BEP 3), and the
// block in the socket taken back if it has not begun to leave.
func (p *peer) choke(n *nbr) {
	if n.amChoking {
		return
	}
	n.amChoking = true
	if n.peerInterested {
		p.chk.inSlots--
	}
	n.pending = n.pending[:0]
	p.unsend(n)
	p.send(n, controls[Choke])
}

func (p *peer) unchoke(n *nbr) {
	if !n.amChoking || p.spec.FreeRider {
		return
	}
	n.amChoking = false
	if n.peerInterested {
		p.chk.inSlots++
	}
	n.lastUnchoked = p.h.Now()
	n.wasUnchokedOnce = true
	p.send(n, controls[Unchoke])
}

// --- downloading ---

// refill keeps Pipeline requests outstanding on n while it unchokes this peer and has
// something this peer wants (BEP 3: "downloaders generally keep a few unfulfilled
// requests on each connection").
func (p *peer) refill(n *nbr) {
	for !n.peerChoking && n.amInterested && len(n.reqs) < p.cfg.Pipeline {
		b, ok := p.pick.next(p, n)
		if !ok {
			return
		}
		p.pick.asked(b)
		if n.reqs == nil {
			n.reqs = make([]blockRef, 0, p.cfg.Pipeline) // its length at most, not grown 1, 2, 4, 8
		}
		n.reqs = append(n.reqs, b)
		p.send(n, p.g.requestMsg(b))
	}
}

func (p *peer) gotBlock(n *nbr, m *Msg) {
	i, b := int(m.Index), int(m.Begin/uint32(p.g.BlockBytes))
	if i < 0 || i >= p.g.pieces || b >= p.g.blocksIn(i) {
		p.hangUp(n)
		return
	}
	now := p.h.Now()
	length := int64(m.Length)
	n.down.add(now, length, p.cfg.RateWindow)
	n.downBytes += length
	n.lastBlock = now
	p.rec.DownBytes += length
	ref := blockRef{int32(i), int32(b)}
	for k, r := range n.reqs {
		if r == ref {
			n.reqs = append(n.reqs[:k], n.reqs[k+1:]...)
			p.pick.unask(ref)
			break
		}
	}
	if !p.pick.got(p, ref) {
		p.rec.DupBytes += length
	}
	if !n.dropped {
		if p.cfg.Choking == BlockTFT {
			p.serve(n)
		}
		p.refill(n)
	}
}

// pieceDone is a piece verified and on disk: every neighbour hears a have (BEP 3),
// and this peer loses interest in those that have nothing more for it.
func (p *peer) pieceDone(i int) {
	p.have.set(i)
	p.nHave++
	if p.rec.PieceAt == nil {
		p.rec.PieceAt = make([]sim.Time, p.g.pieces)
	}
	p.rec.PieceAt[i] = p.h.Now()
	have := p.g.haveMsg(i)
	p.warmHaves(i)
	for k := 0; k < len(p.nbrs); k++ {
		n := p.nbrs[k]
		hasIt := n.has != nil && n.has.has(i)
		if !hasIt || !p.cfg.SuppressHaves {
			p.send(n, have)
		}
		if hasIt {
			n.need--
			p.updateInterest(n)
		}
	}
	if p.complete() {
		p.completed()
	}
}

// warmHaves reads what sending a have of piece i to each neighbour reads first, its
// record, its pieces and its connection (topology.Warm), so that their cache misses
// overlap rather than come one a send. A peer's neighbours are scattered over the
// heap, and in a swarm of 10^4 peers nearly every one is a miss.
func (p *peer) warmHaves(i int) {
	var w uint64
	for _, n := range p.nbrs {
		if n.has != nil && n.has.has(i) {
			w++
		}
		w += topology.Warm(n.c)
	}
	p.warmed += w
}

// completed: the peer has the whole file and becomes a seed.
func (p *peer) completed() {
	if !p.rec.Done {
		p.rec.Done, p.rec.DoneAt, p.rec.UpAtDone = true, p.h.Now(), p.rec.UpBytes
	}
	p.announce("completed")
	for k := len(p.nbrs) - 1; k >= 0; k-- {
		if k < len(p.nbrs) {
			p.seedsBoth(p.nbrs[k])
		}
	}
	p.seedFor()
}
