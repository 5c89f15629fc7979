package bittorrent

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"

	"netsim/topology"
	"netsim/topology/hosttest"
)

// scriptTorrent is a script's file: pieces of 2 blocks of 16 KiB, the last piece one
// block short.
func scriptTorrent(pieces int) Torrent {
	return Torrent{Name: "script", FileBytes: int64(2*pieces-1) << 14, PieceBytes: 2 << 14}
}

// runScript drives one peer from a script under testdata/: the script plays the
// tracker and every neighbour. Commands of its own:
//
//	start pieces=0101 [slots=N] [random-first=N]   the peer, with those pieces on disk
//	                    (and the torrent that many pieces)
//	msg conn=N          the input, one peer wire message as Msg.Text writes it, arrives on N
//	choker              which neighbours the peer unchokes, and its optimistic unchoke
func runScript(t *testing.T, path string) {
	h := hosttest.New("peer", 1)
	var p *peer
	h.Handle("start", func(d *datadriven.TestData) string {
		cfg := Config{Tracker: topology.Addr{Node: h.Peer("tracker"), Port: DefaultTrackerPort}, MinPeers: -1}
		rec := &Record{}
		for _, a := range d.CmdArgs {
			switch a.Key {
			case "pieces":
				cfg.Torrent = scriptTorrent(len(a.Vals[0]))
				rec.Pieces = newBitset(len(a.Vals[0]))
				for i, c := range a.Vals[0] {
					if c == '1' {
						bitset(rec.Pieces).set(i)
					}
				}
			case "slots":
				cfg.UnchokeSlots, _ = strconv.Atoi(a.Vals[0])
			case "random-first":
				cfg.RandomFirst, _ = strconv.Atoi(a.Vals[0])
			}
		}
		if err := cfg.Check(); err != nil {
			return err.Error()
		}
		dc := cfg.withDefaults()
		var err error
		if p, err = startPeer(h, &dc, newGeometry(dc.Torrent), PeerSpec{SeedTime: -1}, rec); err != nil {
			return err.Error()
		}
		return ""
	})
	h.Handle("msg", func(d *datadriven.TestData) string {
		var n int
		d.ScanArgs(t, "conn", &n)
		c := h.Conn(n)
		m, err := parseMsg(strings.TrimSpace(d.Input), p.g, n)
		if err != nil {
			t.Fatalf("%s: %v", d.Pos, err)
		}
		c.Deliver(m.message())
		return ""
	})
	h.Handle("choker", func(d *datadriven.TestData) string {
		var b strings.Builder
		for i, c := range h.Conns() {
			n := p.nbrOf(c)
			if n == nil || !n.handshaken {
				continue
			}
			state := "choked"
			if !n.amChoking {
				state = "unchoked"
			}
			if n == p.chk.optimistic {
				state += " (optimistic)"
			}
			fmt.Fprintf(&b, "conn %d: %s, interested %v, download rate %.0f B/s\n", i+1, state, n.peerInterested, n.down.rate(p.h.Now(), p.cfg.RateWindow))
		}
		return b.String()
	})
	h.Run(t, path)
}

// nbrOf finds the neighbour on connection c, nil if there is none.
func (p *peer) nbrOf(c topology.Conn) *nbr {
	for _, n := range p.all {
		if n.c == c {
			return n
		}
	}
	return nil
}

// parseMsg reads a message as Msg.Text writes it; a handshake names this torrent,
// from a peer whose id ends in conn's number.
func parseMsg(text string, g *geometry, conn int) (*Msg, error) {
	word, rest, _ := strings.Cut(text, " ")
	if word == "not" {
		word, rest = "not interested", ""
	}
	for t := range numMsgTypes {
		if t.String() != word {
			continue
		}
		m := &Msg{Type: t}
		switch t {
		case Handshake:
			m.InfoHash = g.infoHash
			copy(m.PeerID[:], fmt.Sprintf("-SC0001-%012d", conn))
		case Have:
			i, err := strconv.Atoi(rest)
			m.Index = uint32(i)
			return m, err
		case BitfieldMsg:
			m.NBits, m.Bits = g.pieces, newBitset(g.pieces)
			for i, c := range rest {
				if c == '1' {
					m.Bits.set(i)
				}
			}
		case Request, Piece, Cancel:
			var i, begin, length uint32
			if _, err := fmt.Sscanf(rest, "%d:%d+%d", &i, &begin, &length); err != nil {
				return nil, err
			}
			m.Index, m.Begin, m.Length = i, begin, length
		}
		return m, nil
	}
	return nil, fmt.Errorf("no message %q", text)
}

// One peer's wire dialogue (BEP 3), from testdata/wire.txt: accepted, the
// handshake (68 bytes) each way, its bitfield (5 + ⌈4/8⌉ bytes), interest (5),
// unchoked, five requests (17 each) pipelined, pieces (13 + the block) answered by
// more requests, a have (9) to every neighbour for each piece verified. Regenerate
// with -rewrite.
func TestWireScript(t *testing.T) { runScript(t, "testdata/wire.txt") }

// The choker (Kurose & Ross §2.6.1; Cohen 2003, §3), from testdata/choke.txt: with 2
// regular slots and four interested neighbours, the round at 10 s unchokes the two
// that gave the peer the most over the window, and the optimistic unchoke rotates at
// 30 s, not at 20 s. Regenerate with -rewrite.
func TestChokeScript(t *testing.T) { runScript(t, "testdata/choke.txt") }
