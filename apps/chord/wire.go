package chord

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"netsim/topology"
)

// The wire format. Every message is one UDP datagram whose size is the length of this
// encoding, so byte counts and transmission times are those of a real implementation
// (Chord's own used Sun RPC over UDP; this one is leaner). All integers are
// big-endian; K = ⌈m/8⌉ is the size of an identifier (20 bytes for SHA-1's 160 bits,
// 1 byte for the texts' n = 4).
//
//	header   type (1) · request id (4)                                        5 bytes
//	peer     identifier (K) · IPv4 address (4) · UDP port (2)                 K + 6
//	         (the node's, 10.0.0.0 + node + 1; 0.0.0.0 for no peer)
//	key      identifier (K)
//
//	find-next   header · key · count (1) · count identifiers to avoid         iterative step
//	next        header · flag (1: 1 = the key's successor, 0 = ask it next) · peer
//	lookup      header · want (1: 0 owner, 1 predecessor) · hops (1) · origin peer · key
//	found       header · hops (1) · peer (the owner, or the predecessor) · peer (its successor)
//	get-state   header                                                        stabilize
//	state       header · has-pred (1) · [peer] · count (1) · count peers (successor list)
//	notify      header · flag (1: 1 = replaces the dead peer that follows) · peer · [peer]
//	set-succ    header · peer                                                 the texts' join
//	ping        header
//	pong        header · peer (the answerer's first successor)
//	put         header · key · length (2) · value
//	put-ok      header
//	get         header · key
//	value       header · found (1) · length (2) · value
//	transfer    header · count (2) · count × (key · length (2) · value)        keys handed over
//	leave       header · flag (1: 0 to the successor, 1 to the predecessor) · count (1) · peers
//	            (the leaving node, then its predecessor or its successor list)
//	get-fingers header                                                        a join's hint
//	fingers     header · count (1) · count × (first entry (1) · peer)         runs of the table
//
// A request and its reply share the request id; messages that need no reply (notify,
// set-succ, transfer, leave, a recursive lookup's forwarding) carry 0.

// MsgType is a message's first byte.
type MsgType uint8

// The message types.
const (
	MsgFindNext MsgType = 1 + iota
	MsgNext
	MsgLookup
	MsgFound
	MsgGetState
	MsgState
	MsgNotify
	MsgSetSucc
	MsgPing
	MsgPong
	MsgPut
	MsgPutOK
	MsgGet
	MsgValue
	MsgTransfer
	MsgLeave
	MsgGetFingers
	MsgFingers
	numMsgTypes
)

var msgNames = [numMsgTypes]string{"", "find-next", "next", "lookup", "found", "get-state", "state", "notify", "set-succ", "ping", "pong", "put", "put-ok", "get", "value", "transfer", "leave", "get-fingers", "fingers"}

func (t MsgType) String() string {
	if t > 0 && t < numMsgTypes {
		return msgNames[t]
	}
	return fmt.Sprintf("type-%d", uint8(t))
}

// Maintenance reports whether the type is ring maintenance (stabilize, notify,
// pings, joins and leaves) rather than lookups and storage: the papers' "maintenance
// traffic".
func (t MsgType) Maintenance() bool {
	switch t {
	case MsgGetState, MsgState, MsgNotify, MsgSetSucc, MsgPing, MsgPong, MsgLeave, MsgTransfer, MsgGetFingers, MsgFingers:
		return true
	}
	return false
}

// Peer is what a node knows of another: its identifier and its address.
type Peer struct {
	ID   ID
	Node topology.NodeID // -1: none
	Port uint16
}

// None is the absent peer (a predecessor not yet known).
var None = Peer{Node: -1}

// Ok reports whether p is a peer rather than None.
func (p Peer) Ok() bool { return p.Node >= 0 }

// Addr is the peer's UDP address.
func (p Peer) Addr() topology.Addr { return topology.Addr{Node: p.Node, Port: int(p.Port)} }

func (p Peer) String() string {
	if !p.Ok() {
		return "none"
	}
	return p.ID.String()
}

// Item is one stored (key, value) pair.
type Item struct {
	Key   ID
	Value []byte
}

// Msg is one message, decoded. Which fields mean something depends on Type (see the
// wire format above).
type Msg struct {
	Type MsgType
	RID  uint32
	Flag uint8 // next: done; lookup: want; state: has pred; notify: replaces; value: found; leave: to pred
	Hops uint8

	// bits is the width of the space the message was sent in (Node.send sets it),
	// which Encode needs: a capture's bytes are the same encoding in the same space.
	// (These three fill the padding before Key: a message is 224 bytes, not 240.)
	bits uint8
	// framed: the message was sent over TCP, after its 4-byte length.
	framed bool
	// maint marks a message of one of the ring's own lookups (fix_fingers', a
	// join's, a lost node's search for a successor): its requests, resends,
	// forwards and the replies to them, which copy it from their request, whether
	// or not they arrive in time. Node.send counts such messages as maintenance
	// (Stats.MaintLookupMessages). Bookkeeping of the simulation, not on the wire.
	maint bool

	Key   ID
	A, B  Peer
	Peers []Peer // state: successor list; leave: peers
	Avoid []ID   // find-next: identifiers not to answer with
	Value []byte
	Items []Item
	Runs  []FingerRun // fingers: the answerer's finger table
}

// Encode is m's wire form in the space it was sent in, for a capture
// (topology.Encoder): exactly Size bytes, after their length (4 bytes) over TCP.
func (m *Msg) Encode() []byte {
	bits := int(m.bits)
	if bits == 0 {
		bits = MaxBits // never sent: SHA-1's space
	}
	s := NewSpace(bits)
	var b []byte
	if m.framed {
		b = binary.BigEndian.AppendUint32(b, uint32(m.Size(s)))
	}
	return m.Append(s, b)
}

// Label names m on a message sequence chart's arrow (topology.Labeler): its type in
// capitals and its fields, as Text has them without the request id: "LOOKUP key=11
// want=owner origin=3 hops=1", "FOUND hops=5 node=12 succ=15".
func (m *Msg) Label() string {
	return strings.ToUpper(strings.ReplaceAll(m.Type.String(), "-", "_")) + m.fields()
}

// Size is the length of m's encoding in space s: its wire size.
func (m *Msg) Size(s Space) int64 {
	k := int64(s.Bytes())
	peer := k + 6
	n := int64(5)
	switch m.Type {
	case MsgFindNext:
		n += k + 1 + k*int64(len(m.Avoid))
	case MsgNext:
		n += 1 + peer
	case MsgLookup:
		n += 2 + peer + k
	case MsgFound:
		n += 1 + 2*peer
	case MsgState:
		n += 2 + peer*int64(len(m.Peers))
		if m.Flag != 0 {
			n += peer
		}
	case MsgNotify:
		n += 1 + peer
		if m.Flag != 0 {
			n += peer
		}
	case MsgSetSucc, MsgPong:
		n += peer
	case MsgPut:
		n += k + 2 + int64(len(m.Value))
	case MsgGet:
		n += k
	case MsgValue:
		n += 3 + int64(len(m.Value))
	case MsgTransfer:
		n += 2
		for _, it := range m.Items {
			n += k + 2 + int64(len(it.Value))
		}
	case MsgLeave:
		n += 2 + peer*int64(len(m.Peers))
	case MsgFingers:
		n += 1 + (1+peer)*int64(len(m.Runs))
	}
	return n
}

// Append appends m's wire form in space s to b.
func (m *Msg) Append(s Space, b []byte) []byte {
	b = append(b, byte(m.Type))
	b = binary.BigEndian.AppendUint32(b, m.RID)
	peer := func(p Peer) {
		b = s.put(b, p.ID)
		b = binary.BigEndian.AppendUint32(b, ipv4(p.Node))
		b = binary.BigEndian.AppendUint16(b, p.Port)
	}
	value := func(v []byte) {
		b = binary.BigEndian.AppendUint16(b, uint16(len(v)))
		b = append(b, v...)
	}
	switch m.Type {
	case MsgFindNext:
		b = s.put(b, m.Key)
		b = append(b, byte(len(m.Avoid)))
		for _, a := range m.Avoid {
			b = s.put(b, a)
		}
	case MsgNext:
		b = append(b, m.Flag)
		peer(m.A)
	case MsgLookup:
		b = append(b, m.Flag, m.Hops)
		peer(m.A)
		b = s.put(b, m.Key)
	case MsgFound:
		b = append(b, m.Hops)
		peer(m.A)
		peer(m.B)
	case MsgState:
		b = append(b, m.Flag)
		if m.Flag != 0 {
			peer(m.A)
		}
		b = append(b, byte(len(m.Peers)))
		for _, p := range m.Peers {
			peer(p)
		}
	case MsgNotify:
		b = append(b, m.Flag)
		peer(m.A)
		if m.Flag != 0 {
			peer(m.B)
		}
	case MsgSetSucc, MsgPong:
		peer(m.A)
	case MsgPut:
		b = s.put(b, m.Key)
		value(m.Value)
	case MsgGet:
		b = s.put(b, m.Key)
	case MsgValue:
		b = append(b, m.Flag)
		value(m.Value)
	case MsgTransfer:
		b = binary.BigEndian.AppendUint16(b, uint16(len(m.Items)))
		for _, it := range m.Items {
			b = s.put(b, it.Key)
			value(it.Value)
		}
	case MsgLeave:
		b = append(b, m.Flag, byte(len(m.Peers)))
		for _, p := range m.Peers {
			peer(p)
		}
	case MsgFingers:
		b = append(b, byte(len(m.Runs)))
		for _, r := range m.Runs {
			b = append(b, r.Start)
			peer(r.Peer)
		}
	}
	return b
}

var errShort = errors.New("chord: message too short")

// Decode reads a message encoded by Encode in space s.
func Decode(s Space, b []byte) (*Msg, error) {
	if len(b) < 5 {
		return nil, errShort
	}
	m := &Msg{Type: MsgType(b[0]), RID: binary.BigEndian.Uint32(b[1:5]), bits: uint8(s.Bits)}
	if m.Type == 0 || m.Type >= numMsgTypes {
		return nil, fmt.Errorf("chord: unknown message type %d", b[0])
	}
	b = b[5:]
	var err error
	id := func() ID {
		var x ID
		if err == nil {
			x, b, err = s.get(b)
		}
		return x
	}
	u8 := func() uint8 {
		if err != nil || len(b) < 1 {
			err = cmpErr(err)
			return 0
		}
		x := b[0]
		b = b[1:]
		return x
	}
	u16 := func() int {
		if err != nil || len(b) < 2 {
			err = cmpErr(err)
			return 0
		}
		x := binary.BigEndian.Uint16(b)
		b = b[2:]
		return int(x)
	}
	peer := func() Peer {
		p := Peer{ID: id()}
		if err != nil || len(b) < 6 {
			err = cmpErr(err)
			return None
		}
		p.Node, err = nodeOf(binary.BigEndian.Uint32(b))
		if err != nil {
			return None
		}
		p.Port = binary.BigEndian.Uint16(b[4:])
		b = b[6:]
		return p
	}
	value := func() []byte {
		n := u16()
		if err != nil || len(b) < n {
			err = cmpErr(err)
			return nil
		}
		v := append([]byte(nil), b[:n]...)
		b = b[n:]
		return v
	}
	switch m.Type {
	case MsgFindNext:
		m.Key = id()
		for range u8() {
			m.Avoid = append(m.Avoid, id())
		}
	case MsgNext:
		m.Flag = u8()
		m.A = peer()
	case MsgLookup:
		m.Flag, m.Hops = u8(), u8()
		m.A = peer()
		m.Key = id()
	case MsgFound:
		m.Hops = u8()
		m.A, m.B = peer(), peer()
	case MsgState:
		m.Flag = u8()
		m.A = None
		if m.Flag != 0 {
			m.A = peer()
		}
		for range u8() {
			m.Peers = append(m.Peers, peer())
		}
	case MsgNotify:
		m.Flag = u8()
		m.A, m.B = peer(), None
		if m.Flag != 0 {
			m.B = peer()
		}
	case MsgSetSucc, MsgPong:
		m.A = peer()
	case MsgPut:
		m.Key = id()
		m.Value = value()
	case MsgGet:
		m.Key = id()
	case MsgValue:
		m.Flag = u8()
		m.Value = value()
	case MsgTransfer:
		for range u16() {
			m.Items = append(m.Items, Item{Key: id(), Value: value()})
		}
	case MsgLeave:
		m.Flag = u8()
		for range u8() {
			m.Peers = append(m.Peers, peer())
		}
	case MsgFingers:
		for range u8() {
			start := u8()
			m.Runs = append(m.Runs, FingerRun{Start: start, Peer: peer()})
		}
	}
	if err != nil {
		return nil, fmt.Errorf("chord: %s: %w", m.Type, err)
	}
	if len(b) != 0 {
		return nil, fmt.Errorf("chord: %s: %d bytes past its end", m.Type, len(b))
	}
	return m, nil
}

// ipv4 is the IPv4 address a peer's node has (topology.NodeID.IPv4: node i is
// 10.0.0.0 + i + 1), as a number; None's is 0.0.0.0.
func ipv4(id topology.NodeID) uint32 {
	if id < 0 {
		return 0
	}
	return 10<<24 + uint32(id) + 1
}

// nodeOf is the node of an IPv4 address written by ipv4.
func nodeOf(a uint32) (topology.NodeID, error) {
	switch {
	case a == 0:
		return -1, nil
	case a>>24 != 10 || a == 10<<24 || a == 11<<24-1:
		return 0, fmt.Errorf("chord: address %d.%d.%d.%d is no node's (10.0.0.1 to 10.255.255.254)", a>>24, a>>16&255, a>>8&255, a&255)
	}
	return topology.NodeID(a - 10<<24 - 1), nil
}

func cmpErr(err error) error {
	if err != nil {
		return err
	}
	return errShort
}

// Text renders m for traces and scripts: its type, its request id and the fields
// that type has.
func (m *Msg) Text() string {
	t := m.Type.String()
	if m.RID != 0 {
		t += fmt.Sprintf(" rid=%d", m.RID)
	}
	return t + m.fields()
}

// fields renders the fields m's type has, each after a space.
func (m *Msg) fields() string {
	var sb strings.Builder
	switch m.Type {
	case MsgFindNext:
		fmt.Fprintf(&sb, " key=%v", m.Key)
		if len(m.Avoid) > 0 {
			fmt.Fprintf(&sb, " avoid=%v", m.Avoid)
		}
	case MsgNext:
		if m.Flag != 0 {
			fmt.Fprintf(&sb, " successor=%v", m.A)
		} else {
			fmt.Fprintf(&sb, " next=%v", m.A)
		}
	case MsgLookup:
		want := "owner"
		if m.Flag != 0 {
			want = "pred"
		}
		fmt.Fprintf(&sb, " key=%v want=%s origin=%v hops=%d", m.Key, want, m.A, m.Hops)
	case MsgFound:
		fmt.Fprintf(&sb, " hops=%d node=%v succ=%v", m.Hops, m.A, m.B)
	case MsgState:
		fmt.Fprintf(&sb, " pred=%v succs=%v", m.A, m.Peers)
	case MsgNotify:
		fmt.Fprintf(&sb, " node=%v", m.A)
		if m.Flag != 0 {
			fmt.Fprintf(&sb, " replaces=%v", m.B)
		}
	case MsgSetSucc:
		fmt.Fprintf(&sb, " node=%v", m.A)
	case MsgPong:
		fmt.Fprintf(&sb, " succ=%v", m.A)
	case MsgPut:
		fmt.Fprintf(&sb, " key=%v value=%q", m.Key, m.Value)
	case MsgGet:
		fmt.Fprintf(&sb, " key=%v", m.Key)
	case MsgValue:
		fmt.Fprintf(&sb, " found=%v value=%q", m.Flag != 0, m.Value)
	case MsgTransfer:
		keys := make([]string, len(m.Items))
		for i, it := range m.Items {
			keys[i] = it.Key.String()
		}
		fmt.Fprintf(&sb, " keys=[%s]", strings.Join(keys, " "))
	case MsgLeave:
		to := "successor"
		if m.Flag != 0 {
			to = "predecessor"
		}
		fmt.Fprintf(&sb, " to=%s peers=%v", to, m.Peers)
	case MsgFingers:
		for _, r := range m.Runs {
			fmt.Fprintf(&sb, " %d:%v", r.Start, r.Peer)
		}
	}
	return sb.String()
}

// A capture writes a message's real bytes and labels its arrow with its fields.
var (
	_ topology.Encoder = (*Msg)(nil)
	_ topology.Labeler = (*Msg)(nil)
)
