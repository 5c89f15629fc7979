// Package hosttest is a fake topology.Host for testing one protocol model at a time,
// driven line by line from a script under testdata/ and compared with the expected
// output written in the same file — the way etcd's raft tests its state machine, with
// github.com/cockroachdb/datadriven. Regenerate the expected output with
// `go test -run TestName -rewrite` and review it as a diff.
//
// The host has a real clock and timers (a sim.Kernel of its own, advanced only by the
// script), its own random stream, and fake sockets: what the model does to them
// (listen, dial, send, close, abort, set timers) is printed, and what the network
// would do to the model (a peer connecting, a message arriving, a FIN, a reset, a
// timeout) is a script command. Nothing is ever sent anywhere: the script plays
// every other host.
//
// Commands (arguments are key=value):
//
//	connect from=NAME:PORT port=P      a peer's connection to the model's listener on P
//	dial-ok dial=N [rtt=D]             the model's dial number N connects
//	dial-fail dial=N err=refused|timeout
//	recv conn=N [size=S] [crlf] [blank]      the input arrives whole on connection N
//	arriving conn=N [size=S] [crlf] [blank]  its first bits arrive (OnArriving)
//	sent conn=N id=K                   the model's message K on N has left (OnSent)
//	fin conn=N                         the peer closed (OnClose)
//	reset conn=N | timeout conn=N      the connection dies (OnReset)
//	datagram port=P from=NAME:PORT [size=S]  the input arrives on UDP port P
//	advance D                          run the model's timers for D of virtual time
//	leave                              the host is asked to leave (OnLeave)
//
// A message's size is the input's length unless size= says otherwise; crlf joins the
// input's lines with CRLF, and blank ends it with an empty line (the end of an HTTP
// or SMTP header). Tests add commands of their own with Handle.
package hosttest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"

	"netsim/sim"
	"netsim/topology"
)

// Host is the fake host. It implements topology.Host.
type Host struct {
	// Format renders a message the model sends; by default a payload with a Text()
	// method prints that, a string or []byte prints itself, anything else %v.
	Format func(topology.Message) string

	k       *sim.Kernel
	group   sim.Group
	name    string
	rng     *rand.Rand
	nodes   map[string]topology.NodeID
	names   []string
	out     strings.Builder
	start   sim.Time // when the running command began
	timers  map[sim.EventID]int
	nTimers int

	listeners map[int]*listener
	conns     []*Conn
	dials     []*dial
	udp       map[int]*udpSocket
	nextPort  int
	onLeave   func()
	commands  map[string]func(d *datadriven.TestData) string
}

var _ topology.Host = (*Host)(nil)

// New returns a fake host called name, at node 0, whose random stream is seeded by
// seed.
func New(name string, seed uint64) *Host {
	k := sim.NewKernel()
	h := &Host{
		k: k, group: k.NewGroup(), name: name,
		rng:       sim.NewStreams(seed).Stream("host/" + name),
		nodes:     map[string]topology.NodeID{},
		timers:    map[sim.EventID]int{},
		listeners: map[int]*listener{},
		udp:       map[int]*udpSocket{},
		nextPort:  49152,
		commands:  map[string]func(d *datadriven.TestData) string{},
	}
	h.Peer(name)
	return h
}

// Peer returns the node of the host called name, numbering names as they first
// appear (this host is node 0).
func (h *Host) Peer(name string) topology.NodeID {
	if id, ok := h.nodes[name]; ok {
		return id
	}
	id := topology.NodeID(len(h.names))
	h.nodes[name] = id
	h.names = append(h.names, name)
	return id
}

// Resolve maps a host name to its node, for models that take a resolver.
func (h *Host) Resolve(name string) (topology.NodeID, bool) { return h.Peer(name), true }

// Handle adds a command of the test's own; its output is printed after what the model
// did while it ran.
func (h *Host) Handle(cmd string, fn func(d *datadriven.TestData) string) { h.commands[cmd] = fn }

// Printf adds a line to the running command's output.
func (h *Host) Printf(format string, args ...any) {
	if now := h.k.Now(); now != h.start {
		fmt.Fprintf(&h.out, "@%v ", now)
	}
	fmt.Fprintf(&h.out, format, args...)
	h.out.WriteByte('\n')
}

// Run runs the script at path.
func (h *Host) Run(t *testing.T, path string) {
	datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
		h.out.Reset()
		h.start = h.k.Now()
		if msg := h.command(t, d); msg != "" {
			h.out.WriteString(msg)
			if !strings.HasSuffix(msg, "\n") {
				h.out.WriteByte('\n')
			}
		}
		if h.out.Len() == 0 {
			return "ok\n"
		}
		return h.out.String()
	})
}

func (h *Host) command(t *testing.T, d *datadriven.TestData) string {
	switch d.Cmd {
	case "connect":
		from := h.addrArg(t, d, "from")
		var port int
		d.ScanArgs(t, "port", &port)
		l := h.listeners[port]
		if l == nil || l.closed {
			return fmt.Sprintf("refused: nothing listens on :%d", port)
		}
		c := h.newConn(topology.Addr{Node: 0, Port: port}, from, 0)
		h.Printf("conn %d: accepted from %s on :%d", c.id, h.addr(from), port)
		l.accept(c)
	case "dial-ok":
		dl := h.dialArg(t, d)
		var rtt time.Duration
		if d.HasArg("rtt") {
			var s string
			d.ScanArgs(t, "rtt", &s)
			var err error
			if rtt, err = time.ParseDuration(s); err != nil {
				t.Fatalf("%s: rtt: %v", d.Pos, err)
			}
		}
		port := dl.opts.LocalPort
		if port == 0 {
			port = h.ephemeral()
		}
		c := h.newConn(topology.Addr{Node: 0, Port: port}, dl.to, sim.Time(rtt))
		h.Printf("conn %d: connected to %s", c.id, h.addr(dl.to))
		dl.done(c, nil)
	case "dial-fail":
		dl := h.dialArg(t, d)
		var why string
		d.ScanArgs(t, "err", &why)
		err := map[string]error{"refused": topology.ErrRefused, "timeout": topology.ErrTimeout}[why]
		if err == nil {
			t.Fatalf("%s: err=%s: want refused or timeout", d.Pos, why)
		}
		dl.done(nil, fmt.Errorf("%s: dial %s: %w", h.name, h.addr(dl.to), err))
	case "recv", "arriving":
		c := h.connArg(t, d)
		m := h.messageArg(t, d)
		if c.handler == nil {
			return "(no handler)"
		}
		if d.Cmd == "recv" {
			c.Deliver(m)
		}
		if d.Cmd == "arriving" && c.handler.OnArriving != nil {
			c.handler.OnArriving(c, &topology.Arrival{Message: m})
		}
	case "sent":
		c := h.connArg(t, d)
		var id int
		d.ScanArgs(t, "id", &id)
		c.sent[topology.SendID(id)] = true
		if c.handler != nil && c.handler.OnSent != nil {
			c.handler.OnSent(c, topology.SendID(id))
		}
	case "fin":
		c := h.connArg(t, d)
		if c.handler != nil && c.handler.OnClose != nil {
			c.handler.OnClose(c)
		}
	case "reset", "timeout":
		c := h.connArg(t, d)
		err := topology.ErrReset
		if d.Cmd == "timeout" {
			err = topology.ErrTimeout
		}
		c.dead = err
		if c.handler != nil && c.handler.OnReset != nil {
			c.handler.OnReset(c, err)
		}
	case "datagram":
		var port int
		d.ScanArgs(t, "port", &port)
		from := h.addrArg(t, d, "from")
		u := h.udp[port]
		if u == nil || u.closed {
			return fmt.Sprintf("dropped: nothing bound to udp :%d", port)
		}
		if u.recv != nil {
			u.recv(from, h.messageArg(t, d))
		}
	case "advance":
		if len(d.CmdArgs) != 1 {
			t.Fatalf("%s: advance DURATION", d.Pos)
		}
		dur, err := time.ParseDuration(d.CmdArgs[0].Key)
		if err != nil {
			t.Fatalf("%s: advance: %v", d.Pos, err)
		}
		h.k.RunUntil(h.k.Now() + sim.Time(dur))
	case "leave":
		if h.onLeave != nil {
			h.onLeave()
		}
	default:
		fn := h.commands[d.Cmd]
		if fn == nil {
			t.Fatalf("%s: unknown command %q", d.Pos, d.Cmd)
		}
		return fn(d)
	}
	return ""
}

func (h *Host) addrArg(t *testing.T, d *datadriven.TestData, key string) topology.Addr {
	var s string
	d.ScanArgs(t, key, &s)
	name, port, ok := strings.Cut(s, ":")
	var p int
	if _, err := fmt.Sscan(port, &p); !ok || err != nil {
		t.Fatalf("%s: %s=%s: want NAME:PORT", d.Pos, key, s)
	}
	return topology.Addr{Node: h.Peer(name), Port: p}
}

func (h *Host) connArg(t *testing.T, d *datadriven.TestData) *Conn {
	var n int
	d.ScanArgs(t, "conn", &n)
	if n < 1 || n > len(h.conns) {
		t.Fatalf("%s: no conn %d", d.Pos, n)
	}
	return h.conns[n-1]
}

func (h *Host) dialArg(t *testing.T, d *datadriven.TestData) *dial {
	var n int
	d.ScanArgs(t, "dial", &n)
	if n < 1 || n > len(h.dials) || h.dials[n-1].answered {
		t.Fatalf("%s: no pending dial %d", d.Pos, n)
	}
	dl := h.dials[n-1]
	dl.answered = true
	return dl
}

// messageArg is the command's input as a message.
func (h *Host) messageArg(t *testing.T, d *datadriven.TestData) topology.Message {
	text := d.Input
	if d.HasArg("crlf") {
		text = strings.ReplaceAll(text, "\n", "\r\n") + "\r\n"
	}
	if d.HasArg("blank") {
		if d.HasArg("crlf") {
			text += "\r\n"
		} else {
			text += "\n\n"
		}
	}
	size := int64(len(text))
	if d.HasArg("size") {
		d.ScanArgs(t, "size", &size)
	}
	return topology.Message{SizeBytes: size, Payload: text}
}

func (h *Host) addr(a topology.Addr) string {
	if int(a.Node) < len(h.names) {
		return fmt.Sprintf("%s:%d", h.names[a.Node], a.Port)
	}
	return fmt.Sprintf("%d:%d", a.Node, a.Port)
}

// render prints a message: its size, then its text, indented, one line per line.
func (h *Host) render(m topology.Message) string {
	format := h.Format
	if format == nil {
		format = defaultFormat
	}
	text := strings.TrimRight(strings.ReplaceAll(format(m), "\r\n", "\n"), "\n")
	if text == "" {
		return fmt.Sprintf("(%d B)", m.SizeBytes)
	}
	return fmt.Sprintf("(%d B)\n    %s", m.SizeBytes, strings.ReplaceAll(text, "\n", "\n    "))
}

func defaultFormat(m topology.Message) string {
	switch p := m.Payload.(type) {
	case nil:
		return ""
	case interface{ Text() string }:
		return p.Text()
	case string:
		return p
	case []byte:
		return string(p)
	}
	return fmt.Sprintf("%v", m.Payload)
}

func (h *Host) ephemeral() int {
	p := h.nextPort
	h.nextPort++
	return p
}

// The Host interface.

func (h *Host) Name() string             { return h.name }
func (h *Host) Node() topology.NodeID    { return 0 }
func (h *Host) Now() sim.Time            { return h.k.Now() }
func (h *Host) Rand() *rand.Rand         { return h.rng }
func (h *Host) OnLeave(fn func())        { h.onLeave = fn }
func (h *Host) Kernel() *sim.Kernel      { return h.k }
func (h *Host) Conns() []*Conn           { return h.conns }
func (h *Host) Conn(n int) *Conn         { return h.conns[n-1] }
func (h *Host) TimersPending() int       { return h.k.GroupLen(h.group) }
func (h *Host) ListenerOn(port int) bool { l := h.listeners[port]; return l != nil && !l.closed }

func (h *Host) timer(fn func()) (int, func()) {
	h.nTimers++
	n := h.nTimers
	return n, func() {
		h.Printf("timer %d fires", n)
		fn()
	}
}

func (h *Host) After(d sim.Time, fn func()) sim.EventID {
	n, run := h.timer(fn)
	id := h.k.AtIn(h.group, h.k.Now()+d, run)
	h.timers[id] = n
	h.Printf("timer %d: after %v", n, d)
	return id
}

func (h *Host) Every(period sim.Time, fn func()) sim.EventID {
	n, run := h.timer(fn)
	id := h.k.EveryIn(h.group, h.k.Now()+period, period, run)
	h.timers[id] = n
	h.Printf("timer %d: every %v", n, period)
	return id
}

func (h *Host) Reschedule(id sim.EventID, d sim.Time) bool {
	ok := h.k.Reschedule(id, h.k.Now()+d)
	if ok {
		h.Printf("timer %d: moved to %v from now", h.timers[id], d)
	}
	return ok
}

func (h *Host) Cancel(id sim.EventID) bool {
	ok := h.k.Cancel(id)
	if ok {
		h.Printf("timer %d: cancelled", h.timers[id])
	}
	return ok
}

type listener struct {
	h      *Host
	port   int
	accept func(topology.Conn)
	closed bool
}

func (h *Host) Listen(port int, accept func(topology.Conn)) (topology.Listener, error) {
	if port == 0 {
		port = h.ephemeral()
	}
	if l := h.listeners[port]; l != nil && !l.closed {
		return nil, fmt.Errorf("%s: listen: port %d: %w", h.name, port, topology.ErrPortInUse)
	}
	l := &listener{h: h, port: port, accept: accept}
	h.listeners[port] = l
	h.Printf("listen :%d", port)
	return l, nil
}

func (l *listener) Addr() topology.Addr { return topology.Addr{Node: 0, Port: l.port} }
func (l *listener) Close() error {
	if l.closed {
		return topology.ErrClosed
	}
	l.closed = true
	l.h.Printf("listener :%d closed", l.port)
	return nil
}

type dial struct {
	to       topology.Addr
	opts     topology.TCPOptions
	done     func(topology.Conn, error)
	answered bool
}

func (h *Host) Dial(to topology.Addr, opts topology.TCPOptions, done func(topology.Conn, error)) {
	h.dials = append(h.dials, &dial{to: to, opts: opts, done: done})
	if opts.LocalPort != 0 {
		h.Printf("dial %d: %s from :%d", len(h.dials), h.addr(to), opts.LocalPort)
		return
	}
	h.Printf("dial %d: %s", len(h.dials), h.addr(to))
}

// Conn is a fake connection end: what the model sends is printed, nothing is
// delivered.
type Conn struct {
	h       *Host
	id      int
	local   topology.Addr
	remote  topology.Addr
	rtt     sim.Time
	handler *topology.ConnHandler
	lastID  topology.SendID
	queued  map[topology.SendID]int64 // sent by the model, not yet "sent" by the script
	sent    map[topology.SendID]bool
	closed  bool
	dead    error
}

var _ topology.Conn = (*Conn)(nil)

func (h *Host) newConn(local, remote topology.Addr, rtt sim.Time) *Conn {
	c := &Conn{h: h, id: len(h.conns) + 1, local: local, remote: remote, rtt: rtt,
		queued: map[topology.SendID]int64{}, sent: map[topology.SendID]bool{}}
	h.conns = append(h.conns, c)
	return c
}

func (c *Conn) Local() topology.Addr               { return c.local }
func (c *Conn) Remote() topology.Addr              { return c.remote }
func (c *Conn) RTT() sim.Time                      { return c.rtt }
func (c *Conn) SetHandler(h *topology.ConnHandler) { c.handler = h }
func (c *Conn) Handler() *topology.ConnHandler     { return c.handler }

// Deliver gives the handler the message m as the topology's connections do: to its
// Receiver if it has one, else to OnMessage.
func (c *Conn) Deliver(m topology.Message) {
	switch h := c.handler; {
	case h == nil:
	case h.Receiver != nil:
		h.Receiver.Receive(c, m)
	case h.OnMessage != nil:
		h.OnMessage(c, m)
	}
}

func (c *Conn) err() error {
	if c.dead != nil {
		return c.dead
	}
	return topology.ErrClosed
}

func (c *Conn) Send(m topology.Message) (topology.SendID, error) {
	if c.dead != nil || c.closed {
		c.h.Printf("conn %d: send refused: %v", c.id, c.err())
		return 0, c.err()
	}
	if m.SizeBytes < 0 {
		return 0, topology.ErrBadMessage
	}
	c.lastID++
	c.queued[c.lastID] = m.SizeBytes
	c.h.Printf("conn %d: send #%d %s", c.id, c.lastID, c.h.render(m))
	return c.lastID, nil
}

func (c *Conn) Unsend(id topology.SendID) bool {
	if _, ok := c.queued[id]; !ok || c.sent[id] {
		return false
	}
	delete(c.queued, id)
	c.h.Printf("conn %d: unsend #%d", c.id, id)
	return true
}

func (c *Conn) Queued() (int, int64) {
	n, b := 0, int64(0)
	for id, s := range c.queued {
		if !c.sent[id] {
			n++
			b += s
		}
	}
	return n, b
}

func (c *Conn) Close() error {
	if c.dead != nil {
		return c.dead
	}
	if c.closed {
		return nil
	}
	c.closed = true
	c.h.Printf("conn %d: close", c.id)
	return nil
}

func (c *Conn) Abort() error {
	if c.dead != nil {
		return c.dead
	}
	c.dead = topology.ErrClosed
	c.h.Printf("conn %d: abort", c.id)
	return nil
}

type udpSocket struct {
	h      *Host
	port   int
	recv   func(topology.Addr, topology.Message)
	closed bool
}

func (h *Host) BindUDP(port int, recv func(topology.Addr, topology.Message)) (topology.UDPSocket, error) {
	if port == 0 {
		port = h.ephemeral()
	}
	if u := h.udp[port]; u != nil && !u.closed {
		return nil, fmt.Errorf("%s: bind udp: port %d: %w", h.name, port, topology.ErrPortInUse)
	}
	u := &udpSocket{h: h, port: port, recv: recv}
	h.udp[port] = u
	h.Printf("bind udp :%d", port)
	return u, nil
}

func (u *udpSocket) Local() topology.Addr { return topology.Addr{Node: 0, Port: u.port} }

func (u *udpSocket) SendTo(to topology.Addr, m topology.Message) error {
	if u.closed {
		return topology.ErrClosed
	}
	u.h.Printf("udp :%d → %s: %s", u.port, u.h.addr(to), u.h.render(m))
	return nil
}

func (u *udpSocket) Close() error {
	if u.closed {
		return topology.ErrClosed
	}
	u.closed = true
	u.h.Printf("udp :%d closed", u.port)
	return nil
}

// Summary lists the host's open sockets, one a line: a state to print at a script's
// end.
func (h *Host) Summary() string {
	var lines []string
	for port, l := range h.listeners {
		if !l.closed {
			lines = append(lines, fmt.Sprintf("listening :%d", port))
		}
	}
	for _, c := range h.conns {
		state := "open"
		switch {
		case c.dead != nil && errors.Is(c.dead, topology.ErrClosed):
			state = "aborted"
		case c.dead != nil:
			state = "dead: " + c.dead.Error()
		case c.closed:
			state = "closed"
		}
		lines = append(lines, fmt.Sprintf("conn %d %s: %s", c.id, h.addr(c.remote), state))
	}
	sort.Strings(lines)
	lines = append(lines, fmt.Sprintf("timers pending: %d", h.TimersPending()))
	return strings.Join(lines, "\n")
}
