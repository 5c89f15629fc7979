// Package capture records what crosses the network interfaces of chosen hosts of a
// simulation, and writes it as a pcap file that Wireshark and tshark read, or as the
// messages of a sequence chart (package plots/msc draws them).
//
// A Recorder is a topology.Tap. It keeps every transmission from or to its hosts, and
// turns them into packets only when asked: Ethernet and IPv4 with each node's own
// address (topology.NodeID.IPv4), TCP with byte-accurate sequence and acknowledgement
// numbers, its control flags, and messages cut into MSS-sized segments, each stamped
// with the moment its last byte left at the flow's rate over time (and, at the
// receiver, one propagation delay later); UDP datagrams, fragmented by IP beyond the
// 1500-byte MTU. Payloads are the models' real bytes: what each message's payload
// encodes (topology.Encoder), and, where a model only counts a body, filler bytes of
// the body's length (Filler).
//
// A capture never writes a file it cannot stand behind: a payload with no encoding,
// an encoding longer than the message's size, a file past its size limit, or a host
// that sent and received nothing is an error, and nothing is written.
package capture

import (
	"fmt"
	"slices"
	"strings"

	"netsim/topology"
)

// Options shape what a capture writes.
type Options struct {
	// SnapLen is how many bytes of each frame a pcap keeps (tcpdump's -s); 0 keeps
	// whole frames. The frame's true length is recorded either way.
	SnapLen int
	// MaxFileBytes bounds one pcap file; 0 means DefaultMaxFileBytes. A capture that
	// would be larger fails, naming SnapLen as the remedy.
	MaxFileBytes int64
}

// DefaultMaxFileBytes is the default bound on a pcap file: 1 GiB, the capture of
// about 700,000 full-sized segments.
const DefaultMaxFileBytes = 1 << 30

// A Recorder is a tap on some hosts of a stack.
type Recorder struct {
	st    *topology.Stack
	opts  Options
	hosts map[topology.NodeID]bool
	trs   []*record
	conns map[topology.ConnID]int32 // a connection's index, in order of first sight
	err   error                     // the first payload that could not be encoded
}

// record is one transmission and what the capture made of its payload.
type record struct {
	topology.Transmission
	conn  int32  // index of the connection, -1 for a datagram
	head  []byte // the payload's encoding, up to SizeBytes; the rest is filler
	label string // for a chart
}

// New returns a recorder attached to the hosts named, from now on: set it up before
// the run. An unknown host is an error naming the hosts there are.
func New(st *topology.Stack, hosts []string, opts Options) (*Recorder, error) {
	if opts.SnapLen < 0 || opts.MaxFileBytes < 0 {
		return nil, fmt.Errorf("capture: negative snap length or file bound")
	}
	r := &Recorder{st: st, opts: opts, hosts: map[topology.NodeID]bool{},
		conns: map[topology.ConnID]int32{}}
	ids := make([]topology.NodeID, 0, len(hosts))
	for _, name := range hosts {
		id, err := r.node(name)
		if err != nil {
			return nil, err
		}
		r.hosts[id] = true
		ids = append(ids, id)
	}
	st.SetTap(r, ids...)
	return r, nil
}

// node finds a host by name.
func (r *Recorder) node(name string) (topology.NodeID, error) {
	net := r.st.Network()
	if id, ok := net.Node(name); ok {
		return id, nil
	}
	names := make([]string, net.NumNodes())
	for i := range names {
		names[i] = net.NodeName(topology.NodeID(i))
	}
	return 0, fmt.Errorf("capture: no host %q in the network (there are: %s)", name, nameList(names))
}

// nameList lists names for a message, shortened past a dozen.
func nameList(names []string) string {
	if len(names) > 12 {
		return strings.Join(names[:12], ", ") + fmt.Sprintf(", … (%d in all)", len(names))
	}
	return strings.Join(names, ", ")
}

// Transmitted records t (topology.Tap).
func (r *Recorder) Transmitted(t *topology.Transmission) {
	rec := &record{Transmission: *t, conn: -1}
	if t.Kind != topology.TapDatagram {
		c, ok := r.conns[t.Conn]
		if !ok {
			c = int32(len(r.conns))
			r.conns[t.Conn] = c
		}
		rec.conn = c
	}
	if t.Kind == topology.TapData || t.Kind == topology.TapDatagram {
		rec.head = r.encode(t.Message)
		rec.label = label(t.Message.Payload, rec.head)
	} else {
		rec.label = t.Kind.String()
	}
	if t.Again {
		rec.label += " (again)"
	}
	r.trs = append(r.trs, rec)
}

// encode returns the encoding of m's payload, noting the first failure in r.err.
func (r *Recorder) encode(m topology.Message) []byte {
	var h []byte
	switch v := m.Payload.(type) {
	case topology.Encoder:
		h = v.Encode()
	case []byte:
		h = v
	case string:
		h = []byte(v)
	default:
		if r.err == nil {
			r.err = fmt.Errorf("capture: a payload of type %T has no wire encoding: it must implement topology.Encoder (Encode() []byte)", m.Payload)
		}
		return nil
	}
	if int64(len(h)) > m.SizeBytes {
		if r.err == nil {
			r.err = fmt.Errorf("capture: a payload of type %T encodes to %d bytes but its message is %d bytes: the model's size is wrong", m.Payload, len(h), m.SizeBytes)
		}
		h = h[:m.SizeBytes]
	}
	return h
}

// label is the one line a chart writes for a payload: its own Label, else the first
// line of its encoding if that is text, else its type.
func label(p any, head []byte) string {
	if l, ok := p.(topology.Labeler); ok {
		return l.Label()
	}
	line := head
	if i := slices.Index(head, '\n'); i >= 0 {
		line = head[:i]
	}
	line = []byte(strings.TrimSuffix(string(line), "\r"))
	text := len(line) > 0
	for _, c := range line {
		if c < 0x20 || c > 0x7e {
			text = false
			break
		}
	}
	if text {
		return string(line)
	}
	name := fmt.Sprintf("%T", p)
	return name[strings.LastIndexByte(name, '.')+1:]
}

// Err returns the first problem with what was recorded (a payload with no encoding),
// or nil.
func (r *Recorder) Err() error { return r.err }
