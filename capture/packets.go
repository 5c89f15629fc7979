package capture

import (
	"cmp"
	"slices"

	"netsim/sim"
	"netsim/topology"
)

// TCP flags as they sit in the header's 13th byte (RFC 793 §3.1).
const (
	flagFIN = 1 << 0
	flagSYN = 1 << 1
	flagRST = 1 << 2
	flagPSH = 1 << 3
	flagACK = 1 << 4
)

// udpHeaderBytes is a UDP header (RFC 768); ipHeaderBytes an IPv4 header without
// options (RFC 791); tcpHeaderBytes a TCP header without options (RFC 793).
const (
	udpHeaderBytes = 8
	ipHeaderBytes  = 20
	tcpHeaderBytes = 20
	etherBytes     = 14
	// synOptionBytes: MSS (4 bytes), NOP, window scale (3 bytes).
	synOptionBytes = 8
	// windowShift is the window scale both ends offer (RFC 7323 §2): the largest,
	// so that a transfer the model runs without ACKs never meets the edge of the
	// window in a dissector's eyes.
	windowShift = 14
)

// packet is one frame: a TCP segment, a UDP datagram or one IP fragment of it.
type packet struct {
	rec  *record
	sent sim.Time // its last byte left the sender; it reaches the receiver rec.Delay later
	// off and n: TCP: the payload's bytes of the message, [off, off+n); UDP: the IP
	// payload's bytes (UDP header included) that this fragment carries.
	off      int64
	n        int32
	seq, ack uint32 // relative to the sender's and the receiver's initial sequence numbers
	ipID     uint16
	flags    uint8
	more     bool // UDP: more fragments follow
	zeroSeq  bool // a reset from an end that never sent its SYN: sequence number 0
}

func (p *packet) arrival() sim.Time { return p.sent + p.rec.Delay }

// seqEnd is the relative sequence number after the segment: its bytes, and one for a
// SYN or a FIN.
func (p *packet) seqEnd() uint32 {
	e := p.seq + uint32(p.n)
	if p.flags&(flagSYN|flagFIN) != 0 {
		e++
	}
	return e
}

// side is one end of a connection as the capture numbers its bytes.
type side struct {
	addr topology.Addr
	isn  uint32
	nxt  uint32 // relative sequence number of the next new byte; the SYN is 0
	syn  bool   // it has sent its SYN or SYN-ACK
}

// conn is a connection's two ends: 0 sent the first segment seen.
type conn struct{ ends [2]side }

// isn is a deterministic initial sequence number: RFC 6528 wants them unpredictable
// from outside, a simulation wants them the same in every run. SplitMix64's finaliser
// of (connection, end).
func isn(c int32, end int) uint32 {
	z := uint64(c)*2 + uint64(end) + 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return uint32(z ^ z>>31)
}

// packets turns every record into its frames, with sequence and acknowledgement
// numbers and IP identifications, in record order.
func (r *Recorder) packets() ([]packet, []conn) {
	mss := r.st.TCP.MSSBytes
	conns := make([]conn, len(r.conns))
	seen := make([]bool, len(r.conns))
	var out []packet
	for _, rec := range r.trs {
		if rec.conn < 0 {
			out = appendDatagram(out, rec, mss+tcpHeaderBytes)
			continue
		}
		c := &conns[rec.conn]
		if !seen[rec.conn] {
			seen[rec.conn] = true
			c.ends[0] = side{addr: rec.From, isn: isn(rec.conn, 0)}
			c.ends[1] = side{addr: rec.To, isn: isn(rec.conn, 1)}
		}
		s := &c.ends[0]
		if rec.From != s.addr {
			s = &c.ends[1]
		}
		out = appendSegments(out, rec, s, mss)
	}
	ackAll(out, conns)
	numberIPs(out)
	return out, conns
}

// appendSegments appends the TCP segments of one transmission from end s.
func appendSegments(out []packet, rec *record, s *side, mss int64) []packet {
	seg := func(flags uint8) packet { return packet{rec: rec, sent: rec.End, flags: flags, seq: s.nxt} }
	switch rec.Kind {
	case topology.TapSYN, topology.TapSYNACK:
		p := seg(flagSYN)
		p.seq = 0 // a SYN sent again keeps its number
		s.syn, s.nxt = true, 1
		return append(out, p)
	case topology.TapACK:
		return append(out, seg(0))
	case topology.TapFIN:
		p := seg(flagFIN)
		s.nxt++
		return append(out, p)
	case topology.TapRST:
		p := seg(flagRST)
		p.zeroSeq = !s.syn
		return append(out, p)
	case topology.TapProbe:
		// A probe of a silent peer, as a keep-alive: one byte below the next.
		p := seg(0)
		p.seq--
		return append(out, p)
	}
	// Data: the message's bytes [Offset, Offset+Bytes) in segments of at most one
	// MSS, cut where the message's own MSS boundaries fall.
	end := rec.Offset + rec.Bytes
	for off := rec.Offset; off < end; {
		next := min((off/mss+1)*mss, end)
		p := seg(0)
		p.off, p.n = off, int32(next-off)
		p.sent = rec.Departed(next - rec.Offset)
		if next == rec.Message.SizeBytes && !rec.Cut {
			p.flags |= flagPSH // the message's last segment
		}
		s.nxt += uint32(next - off)
		out = append(out, p)
		off = next
	}
	return out
}

// appendDatagram appends a datagram's frames: one, or its IP fragments when it does
// not fit the MTU (RFC 791 §2.3: fragments carry multiples of 8 bytes but the last).
func appendDatagram(out []packet, rec *record, mtu int64) []packet {
	total := udpHeaderBytes + rec.Bytes
	most := (mtu - ipHeaderBytes) &^ 7
	for off := int64(0); off < total; {
		n := min(total-off, most)
		p := packet{rec: rec, off: off, n: int32(n), more: off+n < total}
		p.sent = rec.Departed(max(off+n-udpHeaderBytes, 0))
		out = append(out, p)
		off += n
	}
	return out
}

// ackAll sets each segment's acknowledgement: what the sender had received of its
// peer's stream when the segment left, the SYN and FIN counting one each (RFC 793
// §3.3). A segment acknowledges nothing before its peer's SYN has arrived; the first
// SYN carries no ACK flag.
func ackAll(pkts []packet, conns []conn) {
	byConn := make([][2][]int32, len(conns))
	for i := range pkts {
		p := &pkts[i]
		if p.rec.conn < 0 {
			continue
		}
		end := 0
		if p.rec.From != conns[p.rec.conn].ends[0].addr {
			end = 1
		}
		byConn[p.rec.conn][end] = append(byConn[p.rec.conn][end], int32(i))
	}
	for _, ends := range byConn {
		for e := range 2 {
			mine, theirs := slices.Clone(ends[e]), slices.Clone(ends[1-e])
			slices.SortStableFunc(mine, func(a, b int32) int { return pkts[a].sendKey(a).compare(pkts[b].sendKey(b)) })
			slices.SortStableFunc(theirs, func(a, b int32) int { return pkts[a].arrivalKey(a).compare(pkts[b].arrivalKey(b)) })
			var got uint32
			heard := false
			j := 0
			for _, i := range mine {
				p := &pkts[i]
				for ; j < len(theirs) && pkts[theirs[j]].arrivalKey(theirs[j]).compare(p.sendKey(i)) < 0; j++ {
					got = max(got, pkts[theirs[j]].seqEnd())
					heard = true
				}
				if heard {
					p.ack, p.flags = got, p.flags|flagACK
				}
			}
		}
	}
}

// order is where a frame falls among the events at one interface: by time, then by
// when it was sent, then in the order the frames were made (which follows the
// kernel's order of events). So at one instant a frame sent earlier comes first, and
// over a route of no delay an answer never precedes what it answers.
type order struct {
	at, sent sim.Time
	i        int32
}

func (a order) compare(b order) int {
	if c := cmp.Compare(a.at, b.at); c != 0 {
		return c
	}
	if c := cmp.Compare(a.sent, b.sent); c != 0 {
		return c
	}
	return cmp.Compare(a.i, b.i)
}

// sendKey and arrivalKey place packet i at its sender's and its receiver's interface.
func (p *packet) sendKey(i int32) order    { return order{p.sent, p.sent, i} }
func (p *packet) arrivalKey(i int32) order { return order{p.arrival(), p.sent, i} }

// numberIPs gives each sender's frames their IP identification, counting from 1 in
// the order they leave it.
func numberIPs(pkts []packet) {
	order := make([]int32, len(pkts))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int {
		pa, pb := &pkts[a], &pkts[b]
		if c := cmp.Compare(pa.rec.From.Node, pb.rec.From.Node); c != 0 {
			return c
		}
		return cmp.Compare(pa.sent, pb.sent)
	})
	var id uint16
	prev := topology.NodeID(-1)
	frags := map[*record]uint16{} // a datagram's fragments share its identification
	for _, i := range order {
		p := &pkts[i]
		if p.rec.From.Node != prev {
			prev, id = p.rec.From.Node, 0
		}
		if p.rec.conn < 0 {
			if d, ok := frags[p.rec]; ok {
				p.ipID = d
				continue
			}
		}
		id++
		p.ipID = id
		if p.rec.conn < 0 {
			frags[p.rec] = id
		}
	}
}
