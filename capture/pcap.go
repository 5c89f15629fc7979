package capture

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"slices"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"netsim/topology"
)

// Epoch is the wall-clock instant a capture gives virtual time 0: Monday, 1 January
// 2024, 00:00:00 UTC, the instant apps/http dates its messages from, so a packet's
// timestamp and the Date header it carries agree.
var Epoch = time.Date(2024, time.January, 1, 0, 0, 0, 0, time.UTC)

// view is one frame as one host's interface sees it.
type view struct {
	order
	in bool // arriving at the host, not leaving it
}

// views lists the frames that cross host's interface, in the order a capture there
// shows them (order.compare: an acknowledgement never precedes the segment it
// acknowledges, nor an answer its question).
func views(pkts []packet, host topology.NodeID) []view {
	var vs []view
	for i := range pkts {
		p := &pkts[i]
		if p.rec.From.Node == host {
			vs = append(vs, view{order: p.sendKey(int32(i))})
		}
		if p.rec.To.Node == host && !p.rec.Dropped {
			vs = append(vs, view{order: p.arrivalKey(int32(i)), in: true})
		}
	}
	slices.SortFunc(vs, func(a, b view) int { return a.compare(b.order) })
	return vs
}

// minFrameBytes is Ethernet's shortest frame less its checksum (IEEE 802.3 §3.2.8):
// shorter ones are padded.
const minFrameBytes = 60

// frameBytes is the length of p's Ethernet frame.
func (p *packet) frameBytes() int64 {
	n := int64(etherBytes + ipHeaderBytes + p.n)
	if p.rec.conn >= 0 {
		n += tcpHeaderBytes
		if p.flags&flagSYN != 0 {
			n += synOptionBytes
		}
	}
	return max(n, minFrameBytes)
}

// WritePcap writes what crossed host's interface as a pcap file (nanosecond
// timestamps, Ethernet link type) to w. It fails, before writing anything, if a
// payload had no encoding, if the host sent and received nothing, or if the file
// would pass Options.MaxFileBytes.
func (r *Recorder) WritePcap(w io.Writer, host string) error {
	if r.err != nil {
		return r.err
	}
	id, err := r.node(host)
	if err != nil {
		return err
	}
	if !r.hosts[id] {
		return fmt.Errorf("capture: host %s was not tapped", host)
	}
	pkts, conns := r.packets()
	vs := views(pkts, id)
	if len(vs) == 0 {
		return fmt.Errorf("capture: %s sent and received nothing: no pcap to write", host)
	}
	limit := r.opts.MaxFileBytes
	if limit == 0 {
		limit = DefaultMaxFileBytes
	}
	size := int64(24)
	for _, v := range vs {
		size += 16 + r.capLen(pkts[v.i].frameBytes())
	}
	if size > limit {
		return fmt.Errorf("capture: %s's pcap would be %d bytes (%d frames), beyond the bound of %d: keep fewer bytes of each frame (a snap length such as 128B) or raise the bound",
			host, size, len(vs), limit)
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	pw := pcapgo.NewWriterNanos(bw)
	snap := uint32(65535)
	if r.opts.SnapLen > 0 {
		snap = uint32(r.opts.SnapLen)
	}
	if err := pw.WriteFileHeader(snap, layers.LinkTypeEthernet); err != nil {
		return err
	}
	var e encoder
	for _, v := range vs {
		p := &pkts[v.i]
		data, err := e.frame(p, conns)
		if err != nil {
			return fmt.Errorf("capture: %s: frame at %v: %w", host, v.at, err)
		}
		if int64(len(data)) != p.frameBytes() {
			panic(fmt.Sprintf("capture: frame of %d bytes, expected %d", len(data), p.frameBytes()))
		}
		ci := gopacket.CaptureInfo{Timestamp: Epoch.Add(time.Duration(v.at)), Length: len(data),
			CaptureLength: int(r.capLen(int64(len(data))))}
		if err := pw.WritePacket(ci, data[:ci.CaptureLength]); err != nil {
			return err
		}
	}
	return bw.Flush()
}

func (r *Recorder) capLen(frame int64) int64 {
	if r.opts.SnapLen > 0 {
		return min(frame, int64(r.opts.SnapLen))
	}
	return frame
}

// encoder serializes frames, reusing its buffers.
type encoder struct {
	buf     gopacket.SerializeBuffer
	payload []byte
}

// mac is a node's Ethernet address: locally administered (02), then its IPv4 address.
func mac(id topology.NodeID) net.HardwareAddr {
	a := id.IPv4().As4()
	return net.HardwareAddr{0x02, 0x00, a[0], a[1], a[2], a[3]}
}

// frame returns p's Ethernet frame, checksums computed.
func (e *encoder) frame(p *packet, conns []conn) ([]byte, error) {
	if e.buf == nil {
		e.buf = gopacket.NewSerializeBuffer()
	}
	rec := p.rec
	src, dst := rec.From.Node.IPv4().As4(), rec.To.Node.IPv4().As4()
	eth := &layers.Ethernet{SrcMAC: mac(rec.From.Node), DstMAC: mac(rec.To.Node), EthernetType: layers.EthernetTypeIPv4}
	ip := &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Id: p.ipID, SrcIP: src[:], DstIP: dst[:]}
	opts := gopacket.SerializeOptions{ComputeChecksums: true, FixLengths: true}
	if rec.conn < 0 {
		return e.datagram(p, eth, ip, opts)
	}
	ip.Protocol = layers.IPProtocolTCP
	ip.Flags = layers.IPv4DontFragment
	c := &conns[rec.conn]
	me, peer := &c.ends[0], &c.ends[1]
	if rec.From != me.addr {
		me, peer = peer, me
	}
	tcp := &layers.TCP{SrcPort: layers.TCPPort(rec.From.Port), DstPort: layers.TCPPort(rec.To.Port),
		Seq: me.isn + p.seq, Window: 65535, // scaled by 2^windowShift after the handshake
		FIN: p.flags&flagFIN != 0, SYN: p.flags&flagSYN != 0, RST: p.flags&flagRST != 0,
		PSH: p.flags&flagPSH != 0, ACK: p.flags&flagACK != 0}
	if p.zeroSeq {
		tcp.Seq = 0
	}
	if tcp.ACK {
		tcp.Ack = peer.isn + p.ack
	}
	if tcp.SYN {
		var mss [2]byte
		binary.BigEndian.PutUint16(mss[:], 1460)
		tcp.Options = []layers.TCPOption{
			{OptionType: layers.TCPOptionKindMSS, OptionLength: 4, OptionData: mss[:]},
			{OptionType: layers.TCPOptionKindNop, OptionLength: 1},
			{OptionType: layers.TCPOptionKindWindowScale, OptionLength: 3, OptionData: []byte{windowShift}},
		}
	}
	if err := tcp.SetNetworkLayerForChecksum(ip); err != nil {
		return nil, err
	}
	e.payload = e.fill(e.payload[:0], rec, p.off, int64(p.n))
	if err := gopacket.SerializeLayers(e.buf, opts, eth, ip, tcp, gopacket.Payload(e.payload)); err != nil {
		return nil, err
	}
	return e.buf.Bytes(), nil
}

// datagram serializes a UDP datagram, or one IP fragment of it.
func (e *encoder) datagram(p *packet, eth *layers.Ethernet, ip *layers.IPv4, opts gopacket.SerializeOptions) ([]byte, error) {
	rec := p.rec
	ip.Protocol = layers.IPProtocolUDP
	if p.off == 0 && !p.more {
		udp := &layers.UDP{SrcPort: layers.UDPPort(rec.From.Port), DstPort: layers.UDPPort(rec.To.Port)}
		if err := udp.SetNetworkLayerForChecksum(ip); err != nil {
			return nil, err
		}
		e.payload = e.fill(e.payload[:0], rec, 0, rec.Bytes)
		if err := gopacket.SerializeLayers(e.buf, opts, eth, ip, udp, gopacket.Payload(e.payload)); err != nil {
			return nil, err
		}
		return e.buf.Bytes(), nil
	}
	// A fragment: the UDP header (with the checksum of the whole datagram) and the
	// data are cut from the datagram's bytes.
	whole, err := e.udpBytes(rec, ip)
	if err != nil {
		return nil, err
	}
	frag := whole[p.off : p.off+int64(p.n)]
	ip.FragOffset = uint16(p.off / 8)
	if p.more {
		ip.Flags = layers.IPv4MoreFragments
	}
	if err := gopacket.SerializeLayers(e.buf, opts, eth, ip, gopacket.Payload(frag)); err != nil {
		return nil, err
	}
	return e.buf.Bytes(), nil
}

// udpBytes is the whole UDP datagram (header and data) of rec, checksum computed.
func (e *encoder) udpBytes(rec *record, ip *layers.IPv4) ([]byte, error) {
	udp := &layers.UDP{SrcPort: layers.UDPPort(rec.From.Port), DstPort: layers.UDPPort(rec.To.Port)}
	if err := udp.SetNetworkLayerForChecksum(ip); err != nil {
		return nil, err
	}
	buf := gopacket.NewSerializeBuffer()
	data := e.fill(nil, rec, 0, rec.Bytes)
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{ComputeChecksums: true, FixLengths: true}, udp, gopacket.Payload(data)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// fill appends the message's bytes [off, off+n) to dst: its encoding, then filler.
func (e *encoder) fill(dst []byte, rec *record, off, n int64) []byte {
	head := rec.head
	if off < int64(len(head)) {
		k := min(off+n, int64(len(head)))
		dst = append(dst, head[off:k]...)
		n -= k - off
		off = k
	}
	return appendFiller(dst, off-int64(len(head)), n)
}
