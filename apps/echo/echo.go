// Package echo is the texts' first socket programs (Kurose & Ross §2.7): UDPClient and
// UDPServer, TCPClient and TCPServer. The client sends a line, the server returns it
// in upper case, and the client reports how long the answer took. Over UDP the
// exchange is one datagram each way, so it takes one RTT, and a lost datagram leaves
// the client waiting until its timeout; over TCP the client first connects, so it
// takes two RTTs (the handshake's, then the line's), and nothing is lost.
//
// The programs behave as the Python ones do: the servers answer on port 12000; the UDP
// server reads up to 2048 bytes of a datagram (recvfrom(2048)), the TCP server up to
// 1024 bytes of the connection (recv(1024)), answers and closes the connection; the
// TCP client closes after its answer. A line is sent as its bytes, without a newline
// (raw_input strips it).
package echo

import (
	"fmt"
	"netsim/apps/crlf"

	"netsim/apps/transcript"
	"netsim/sim"
	"netsim/topology"
)

// DefaultPort is the texts' serverPort.
const DefaultPort = 12000

// The servers' receive buffers, as in the texts' programs.
const (
	UDPBufferBytes = 2048 // UDPServer.py: serverSocket.recvfrom(2048)
	TCPBufferBytes = 1024 // TCPServer.py: connectionSocket.recv(1024)
)

// DefaultTimeout is how long the UDP client waits for an answer before it counts the
// exchange lost. The texts' client waits forever; a timeout (settimeout) is the usual
// first exercise on it.
const DefaultTimeout = sim.Second

// Upper returns s with the ASCII letters in upper case and every other byte as it
// was: Python 2's str.upper on a byte string.
func Upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// ServerStats are a server's counts.
type ServerStats struct {
	Answered int64 // lines answered
	Ignored  int64 // messages that carried no bytes to answer
}

// UDPServer is UDPServer.py on port (0: DefaultPort): every datagram is answered with
// its first 2048 bytes in upper case, to the port it came from. stats, if not nil,
// counts over the host's lives.
func UDPServer(port int, stats *ServerStats) func(topology.Host) error {
	if port == 0 {
		port = DefaultPort
	}
	if stats == nil {
		stats = &ServerStats{}
	}
	return func(h topology.Host) error {
		var sock topology.UDPSocket
		var err error
		sock, err = h.BindUDP(port, func(from topology.Addr, m topology.Message) {
			s, ok := crlf.Text(m)
			if !ok {
				stats.Ignored++
				return
			}
			stats.Answered++
			sock.SendTo(from, crlf.Message(Upper(s[:min(len(s), UDPBufferBytes)])))
		})
		if err != nil {
			return fmt.Errorf("udp server: %w", err)
		}
		return nil
	}
}

// TCPServer is TCPServer.py on port (0: DefaultPort): for each connection, the first
// message's first 1024 bytes in upper case, and the connection closed.
func TCPServer(port int, stats *ServerStats) func(topology.Host) error {
	if port == 0 {
		port = DefaultPort
	}
	if stats == nil {
		stats = &ServerStats{}
	}
	handler := &topology.ConnHandler{
		OnMessage: func(c topology.Conn, m topology.Message) {
			if s, ok := crlf.Text(m); ok {
				stats.Answered++
				c.Send(crlf.Message(Upper(s[:min(len(s), TCPBufferBytes)])))
			} else {
				stats.Ignored++
			}
			c.Close()
		},
		OnClose: func(c topology.Conn) { c.Close() },
	}
	return func(h topology.Host) error {
		_, err := h.Listen(port, func(c topology.Conn) { c.SetHandler(handler) })
		if err != nil {
			return fmt.Errorf("tcp server: %w", err)
		}
		return nil
	}
}

// ClientConfig is what a client sends, and to whom.
type ClientConfig struct {
	Server topology.Addr
	// Lines are sent one after another: the next once the previous one's answer has
	// come (or, over UDP, its timeout has passed) and Gap has gone by.
	Lines []string
	Gap   sim.Time
	// Timeout is how long the UDP client waits for an answer (0: DefaultTimeout). It
	// should exceed the RTT: an answer that comes after it is taken for the next line's.
	Timeout sim.Time
	// Trace, if set, records the dialogue ("C:" the client's lines, "S:" the answers);
	// ServerName names the server's host in it.
	Trace      *transcript.Recorder
	ServerName string
}

func (cfg *ClientConfig) server() string {
	name := cfg.ServerName
	if name == "" {
		name = fmt.Sprintf("node%d", cfg.Server.Node)
	}
	return fmt.Sprintf("%s:%d", name, cfg.Server.Port)
}

// Exchange is one line and its answer.
type Exchange struct {
	Line, Answer string
	Sent         sim.Time // when the client created its socket (UDP) or called connect (TCP)
	Done         sim.Time // when the answer arrived, or the exchange failed
	Lost         bool     // UDP: no answer within the timeout
	Err          error    // TCP: the connection failed
}

// RTT is the time the exchange took.
func (x Exchange) RTT() sim.Time { return x.Done - x.Sent }

// Result is what a client measured, over the host's lives.
type Result struct {
	Exchanges []Exchange
}

// Answered returns the exchanges that got an answer.
func (r *Result) Answered() []Exchange {
	var out []Exchange
	for _, x := range r.Exchanges {
		if !x.Lost && x.Err == nil {
			out = append(out, x)
		}
	}
	return out
}

// Lost counts the exchanges without an answer.
func (r *Result) Lost() int {
	n := 0
	for _, x := range r.Exchanges {
		if x.Lost || x.Err != nil {
			n++
		}
	}
	return n
}

// UDPClient is UDPClient.py, sending cfg.Lines one at a time from one socket; res
// collects the exchanges. A host that crashes loses the exchange under way; after a
// recovery the client starts again from its first line.
func UDPClient(cfg ClientConfig, res *Result) func(topology.Host) error {
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	return func(h topology.Host) error {
		c := &udpClient{h: h, cfg: cfg, res: res}
		var err error
		c.sock, err = h.BindUDP(0, c.recv)
		if err != nil {
			return fmt.Errorf("udp client: %w", err)
		}
		c.conn = cfg.Trace.Open(h.Now(), "udp", fmt.Sprintf("%s:%d", h.Name(), c.sock.Local().Port), cfg.server())
		c.next()
		return nil
	}
}

type udpClient struct {
	h       topology.Host
	cfg     ClientConfig
	res     *Result
	sock    topology.UDPSocket
	conn    int
	i       int         // the next line
	waiting *Exchange   // the exchange under way
	timer   sim.EventID // its timeout
}

func (c *udpClient) next() {
	if c.i == len(c.cfg.Lines) {
		c.sock.Close()
		c.cfg.Trace.Closed(c.h.Now(), c.conn)
		return
	}
	s := c.cfg.Lines[c.i]
	c.i++
	c.waiting = &Exchange{Line: s, Sent: c.h.Now()}
	c.cfg.Trace.Text("C", s)
	c.sock.SendTo(c.cfg.Server, crlf.Message(s))
	c.timer = c.h.After(c.cfg.Timeout, c.timedOut)
}

func (c *udpClient) recv(_ topology.Addr, m topology.Message) {
	if c.waiting == nil {
		return // a late answer: the client has given up on it
	}
	s, _ := crlf.Text(m)
	c.cfg.Trace.Text("S", s)
	c.h.Cancel(c.timer)
	x := *c.waiting
	x.Answer, x.Done = s, c.h.Now()
	c.finish(x)
}

func (c *udpClient) timedOut() {
	x := *c.waiting
	x.Lost, x.Done = true, c.h.Now()
	c.finish(x)
}

func (c *udpClient) finish(x Exchange) {
	c.waiting = nil
	c.res.Exchanges = append(c.res.Exchanges, x)
	if c.cfg.Gap > 0 && c.i < len(c.cfg.Lines) {
		c.h.After(c.cfg.Gap, c.next)
		return
	}
	c.next()
}

// TCPClient is TCPClient.py once per line: connect, send the line, read the answer,
// close. res collects the exchanges.
func TCPClient(cfg ClientConfig, res *Result) func(topology.Host) error {
	return func(h topology.Host) error {
		c := &tcpClient{h: h, cfg: cfg, res: res}
		c.next()
		return nil
	}
}

type tcpClient struct {
	h   topology.Host
	cfg ClientConfig
	res *Result
	i   int
}

func (c *tcpClient) next() {
	if c.i == len(c.cfg.Lines) {
		return
	}
	s := c.cfg.Lines[c.i]
	c.i++
	x := &Exchange{Line: s, Sent: c.h.Now()}
	done := false
	finish := func() {
		if done {
			return
		}
		done = true
		c.res.Exchanges = append(c.res.Exchanges, *x)
		if c.cfg.Gap > 0 && c.i < len(c.cfg.Lines) {
			c.h.After(c.cfg.Gap, c.next)
			return
		}
		c.next()
	}
	c.h.Dial(c.cfg.Server, topology.TCPOptions{}, func(conn topology.Conn, err error) {
		if err != nil {
			x.Err, x.Done = err, c.h.Now()
			finish()
			return
		}
		n := c.cfg.Trace.Open(c.h.Now(), "tcp", fmt.Sprintf("%s:%d", c.h.Name(), conn.Local().Port), c.cfg.server())
		conn.SetHandler(&topology.ConnHandler{
			OnMessage: func(conn topology.Conn, m topology.Message) {
				a, _ := crlf.Text(m)
				c.cfg.Trace.Text("S", a)
				x.Answer, x.Done = a, c.h.Now()
				conn.Close()
				c.cfg.Trace.Closed(c.h.Now(), n)
				finish()
			},
			OnClose: func(conn topology.Conn) {
				conn.Close()
				if x.Done == 0 {
					x.Err, x.Done = topology.ErrClosed, c.h.Now()
					finish()
				}
			},
			OnReset: func(_ topology.Conn, err error) {
				x.Err, x.Done = err, c.h.Now()
				finish()
			},
		})
		c.cfg.Trace.Text("C", s)
		conn.Send(crlf.Message(s))
	})
}
