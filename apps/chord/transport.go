package chord

import (
	"fmt"

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

// tcpPrefixBytes is the length prefix of a message on a TCP connection: a 4-byte
// big-endian count of the bytes that follow (the message's encoding), so that a
// 65,507-byte key transfer fits as it does in a datagram.
const tcpPrefixBytes = 4

// tcpState is a TCP node's listener and connections, by the address they lead to:
// a peer's listening address for the connections this node dialled, the remote
// (ephemeral) address for those it accepted.
type tcpState struct {
	ln    topology.Listener
	conns map[topology.Addr]*peerConn
}

// peerConn is one cached connection, and the messages sent while it is dialled.
type peerConn struct {
	conn  topology.Conn // nil while dialling
	queue []*Msg
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
		pc = &peerConn{}
		n.tcp.conns[to] = pc
		n.h.Dial(to, topology.TCPOptions{}, func(c topology.Conn, err error) { n.dialled(to, pc, c, err) })
	}
	if pc.conn == nil {
		pc.queue = append(pc.queue, m)
		return
	}
	if _, err := pc.conn.Send(topology.Message{SizeBytes: n.wireSize(m), Payload: m}); err != nil {
		n.connLost(to, pc)
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
		n.connLost(to, pc)
		return
	}
	pc.conn = c
	c.SetHandler(n.handler(to, pc))
	q := pc.queue
	pc.queue = nil
	for _, m := range q {
		if _, err := c.Send(topology.Message{SizeBytes: n.wireSize(m), Payload: m}); err != nil {
			n.connLost(to, pc)
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
		OnClose: func(c topology.Conn) {
			_ = c.Close()
			n.connLost(key, pc)
		},
		OnReset: func(topology.Conn, error) { n.connLost(key, pc) },
	}
}

// connLost forgets a connection that failed, and fails at once the calls waiting on
// answers through it: the transport has told the node its peer is gone.
func (n *Node) connLost(key topology.Addr, pc *peerConn) {
	if n.tcp.conns[key] != pc {
		return
	}
	delete(n.tcp.conns, key)
	pc.queue = nil
	if pc.conn != nil {
		_ = pc.conn.Abort()
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

// dropConn aborts the connection to a peer taken for dead, so that a later message
// to it dials afresh.
func (n *Node) dropConn(to topology.Addr) {
	if pc := n.tcp.conns[to]; pc != nil {
		n.connLost(to, pc)
	}
}

func (t Transport) check() error {
	switch t {
	case "", UDP, TCP:
		return nil
	}
	return fmt.Errorf("chord: transport %q, want udp or tcp", t)
}
