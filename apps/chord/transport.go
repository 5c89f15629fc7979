package chord

import (
	"fmt"

	"netsim/sim"
	"netsim/topology"
)

// Transport is how a node's messages travel (issue 13: "RPC over UDP with timeouts
// and retries, or TCP — a parameter").
type Transport string

const (
	// UDP sends each message as one datagram (Chord's own implementation used Sun
	// RPC over UDP); requests are resent Retries times after an RPC timeout.
	UDP Transport = "udp"
	// TCP sends messages on connections cached per peer: a node dials a peer's
	// listening port the first time it sends it a request or a one-way message,
	// and keeps the connection; replies go back on the connection the request came
	// in on. Each message is preceded by its length, 4 bytes big-endian
	// (tcpPrefixBytes). A request is never resent (TCP retransmits); its peer is
	// taken for dead after the RPC timeout, its Retries more, or at once when the
	// connection fails as topology's failure model has it: a dial refused (the host
	// is up, nothing listens) or timed out, a reset, the peer's close.
	TCP Transport = "tcp"
)

// maxDialled is how many connections a node dials and keeps: past it, the least
// recently used idle one is closed (FIN). An iterative querier talks to every hop of
// its lookups, most of the ring in time, and a connection per peer ever met would
// grow as N² over a ring; 64 holds a node's routing state (r successors, about
// log2 N fingers, its predecessor) at N = 10^6 with r = 2·log2 N.
const maxDialled = 64

// tcpPrefixBytes is the length prefix of a message on a TCP connection: a 4-byte
// big-endian count of the bytes that follow (the message's encoding), so that a
// 65,507-byte key transfer fits as it does in a datagram.
const tcpPrefixBytes = 4

// tcpState is a TCP node's listener and connections, by the address they lead to:
// a peer's listening address for the connections this node dialled, the remote
// (ephemeral) address for those it accepted.
type tcpState struct {
	ln      topology.Listener
	conns   map[topology.Addr]*peerConn
	dialled int // conns this node dialled
}

// peerConn is one cached connection, and the messages sent while it is dialled.
type peerConn struct {
	conn    topology.Conn // nil while dialling
	queue   []*Msg
	dialled bool
	used    sim.Time // last message sent on it
}

// listenTCP opens the node's listening port.
func (n *Node) listenTCP(port int) error {
	ln, err := n.h.Listen(port, n.accept)
	if err != nil {
		return err
	}
	n.tcp = &tcpState{ln: ln, conns: map[topology.Addr]*peerConn{}}
	return nil
}

// wireSize is m's size on the wire: its encoding, and over TCP its length prefix.
func (n *Node) wireSize(m *Msg) int64 {
	if n.tcp != nil {
		return m.Size(n.cfg.Space) + tcpPrefixBytes
	}
	return m.Size(n.cfg.Space)
}

// sendTCP sends m to `to` on the cached connection, dialling one if there is none.
func (n *Node) sendTCP(to topology.Addr, m *Msg) {
	pc := n.tcp.conns[to]
	if pc == nil {
		if n.tcp.dialled >= maxDialled {
			n.evict()
		}
		pc = &peerConn{dialled: true}
		n.tcp.conns[to] = pc
		n.tcp.dialled++
		n.h.Dial(to, topology.TCPOptions{}, func(c topology.Conn, err error) { n.dialled(to, pc, c, err) })
	}
	pc.used = n.h.Now()
	if pc.conn == nil {
		pc.queue = append(pc.queue, m)
		return
	}
	if _, err := pc.conn.Send(topology.Message{SizeBytes: n.wireSize(m), Payload: m}); err != nil {
		n.connLost(to, pc, true)
	}
}

// dialled completes a dial: the queued messages leave, or, if it failed, the calls
// waiting on that peer fail.
func (n *Node) dialled(to topology.Addr, pc *peerConn, c topology.Conn, err error) {
	if n.tcp.conns[to] != pc || n.left {
		if c != nil {
			_ = c.Close() // dropped meanwhile
		}
		return
	}
	if err != nil {
		n.connLost(to, pc, true)
		return
	}
	pc.conn = c
	c.SetHandler(n.handler(to, pc))
	q := pc.queue
	pc.queue = nil
	for _, m := range q {
		if _, err := c.Send(topology.Message{SizeBytes: n.wireSize(m), Payload: m}); err != nil {
			n.connLost(to, pc, true)
			return
		}
	}
}

// accept takes a peer's connection in; the node answers its requests on it.
func (n *Node) accept(c topology.Conn) {
	key := c.Remote()
	pc := &peerConn{conn: c}
	n.tcp.conns[key] = pc
	c.SetHandler(n.handler(key, pc))
}

func (n *Node) handler(key topology.Addr, pc *peerConn) *topology.ConnHandler {
	return &topology.ConnHandler{
		OnMessage: func(_ topology.Conn, m topology.Message) { n.receive(key, m) },
		// The peer closed: this end closes too once its queued messages (replies)
		// have left.
		OnClose: func(topology.Conn) { n.connLost(key, pc, false) },
		OnReset: func(topology.Conn, error) { n.connLost(key, pc, true) },
	}
}

// connLost forgets a connection that failed or that the peer closed, aborting it or
// closing it in order, and fails at once the calls waiting on answers through it:
// the transport has told the node its peer is gone.
func (n *Node) connLost(key topology.Addr, pc *peerConn, abort bool) {
	if n.tcp.conns[key] != pc {
		return
	}
	n.forgetConn(key, pc)
	if pc.conn != nil {
		if abort {
			_ = pc.conn.Abort()
		} else {
			_ = pc.conn.Close()
		}
	}
	var failed []call
	for i := range n.calls {
		if c := n.calls[i]; c.rid != 0 && c.m != nil && c.to == key {
			failed = append(failed, c)
			n.calls[i] = call{deadline: c.deadline}
		}
	}
	n.compact()
	for _, c := range failed {
		n.failCall(c)
	}
}

func (n *Node) forgetConn(key topology.Addr, pc *peerConn) {
	delete(n.tcp.conns, key)
	pc.queue = nil
	if pc.dialled {
		n.tcp.dialled--
	}
}

// dropConn aborts the connection to a peer taken for dead, so that a later message
// to it dials afresh.
func (n *Node) dropConn(to topology.Addr) {
	if pc := n.tcp.conns[to]; pc != nil {
		n.connLost(to, pc, true)
	}
}

// evict closes the least recently used dialled connection that no call waits on
// (the lowest address first among equals: map order is random, runs must not be).
func (n *Node) evict() {
	var key topology.Addr
	var victim *peerConn
	for a, pc := range n.tcp.conns {
		if !pc.dialled || pc.conn == nil || n.waiting(a) {
			continue
		}
		if victim == nil || pc.used < victim.used || pc.used == victim.used && (a.Node < key.Node || a.Node == key.Node && a.Port < key.Port) {
			key, victim = a, pc
		}
	}
	if victim != nil {
		n.forgetConn(key, victim)
		_ = victim.conn.Close()
	}
}

// waiting reports whether a call waits on an answer from a.
func (n *Node) waiting(a topology.Addr) bool {
	for i := range n.calls {
		if c := &n.calls[i]; c.rid != 0 && c.m != nil && c.to == a {
			return true
		}
	}
	return false
}

func (t Transport) check() error {
	switch t {
	case "", UDP, TCP:
		return nil
	}
	return fmt.Errorf("chord: transport %q, want udp or tcp", t)
}
