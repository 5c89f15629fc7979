package ftp

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"netsim/apps/crlf"
	"netsim/apps/transcript"
	"netsim/sim"
	"netsim/topology"
)

// File is a file the client puts: its name and size (its contents are not modelled).
type File struct {
	Name      string
	SizeBytes int64
}

// ClientConfig is one FTP session: log in, then optionally change directory, list it,
// get files and put files, one data connection each, and quit.
type ClientConfig struct {
	Server         topology.Addr
	User, Password string
	// Passive makes the client send PASV and dial the server for each data connection;
	// by default it is active (RFC 959's default): it listens, sends PORT, and the
	// server dials it from port 20.
	Passive bool
	Dir     string   // CWD to it after logging in, if not ""
	List    bool     // LIST the directory
	Get     []string // RETR each, in order, after the LIST
	Put     []File   // STOR each, after the gets
	// Trace, if set, records the session as the client saw it; ServerName names the
	// server's host in it.
	Trace      *transcript.Recorder
	ServerName string
}

// Transfer is one LIST, RETR or STOR.
type Transfer struct {
	Verb, Name string
	Bytes      int64 // data moved: the listing's or the file's bytes
	// Start is when the client asked for the data connection (PORT or PASV); Done when
	// both the data and the final reply had come.
	Start, Done sim.Time
	Reply       int // the final reply's code: 226, or the error (425, 426, 452, 550)
}

// Session is what the client measured.
type Session struct {
	Start    sim.Time // when it dialled the control connection
	LoggedIn sim.Time // 230 arrived
	// FilesDone is when the last transfer ended; Done when the server's 221 arrived.
	FilesDone, Done sim.Time
	Transfers       []Transfer
	Listing         string // the last LIST's text
	// Connections: ControlConns is 1 for a session that connected; DataConns counts the
	// data connections (one per transfer that got one).
	ControlConns, DataConns int
	Commands, Replies       int   // command lines sent, replies received
	ControlBytes            int64 // bytes of commands and replies
	DataBytes               int64 // bytes on data connections
	Err                     error // why the session ended early, if it did
}

// Errors of a session.
var (
	ErrUnexpectedReply = errors.New("unexpected reply")
	ErrBadReply        = errors.New("malformed reply")
)

// Client is the FTP client program: it runs the session of cfg once and records it
// in res.
func Client(cfg ClientConfig, res *Session) func(topology.Host) error {
	return func(h topology.Host) error {
		c := &client{h: h, cfg: cfg, res: res, in: crlf.Reader{Max: MaxLineBytes}}
		c.start()
		return nil
	}
}

type client struct {
	h     topology.Host
	cfg   ClientConfig
	res   *Session
	ctrl  topology.Conn
	ctrlN int
	in    crlf.Reader
	reply replyReader
	// onReply is what the client does with the next complete reply.
	onReply func(code int, text string)
	steps   []func()
	x       *xfer
}

// xfer is the transfer under way.
type xfer struct {
	Transfer
	listener topology.Listener
	data     topology.Conn
	dataN    int
	size     int64 // STOR: what to send
	ready    bool  // the preliminary reply (125, 150) has come
	dataDone bool  // the data has all come (its FIN) or been sent
	final    bool  // the final reply has come
}

func (c *client) start() {
	c.res.Start = c.h.Now()
	c.h.Dial(c.cfg.Server, topology.TCPOptions{}, func(conn topology.Conn, err error) {
		if err != nil {
			c.fail(err)
			return
		}
		c.ctrl = conn
		c.res.ControlConns++
		c.ctrlN = c.cfg.Trace.Open(c.h.Now(), "control", c.addr(conn.Local()), c.serverAddr(conn.Remote().Port))
		conn.SetHandler(&topology.ConnHandler{
			OnMessage: func(_ topology.Conn, m topology.Message) { c.input(m) },
			OnClose: func(conn topology.Conn) {
				conn.Close()
				c.cfg.Trace.Closed(c.h.Now(), c.ctrlN)
				if c.res.Done == 0 {
					c.ctrl = nil
					c.fail(errors.New("ftp: the server closed the control connection"))
				}
			},
			OnReset: func(_ topology.Conn, err error) { c.fail(err) },
		})
		c.expect(func(code int, text string) {
			if code != 220 {
				c.unexpected(code, text)
				return
			}
			c.plan()
			c.nextStep()
		})
	})
}

func (c *client) addr(a topology.Addr) string { return fmt.Sprintf("%s:%d", c.h.Name(), a.Port) }

func (c *client) serverAddr(port int) string {
	name := c.cfg.ServerName
	if name == "" {
		name = fmt.Sprintf("node%d", c.cfg.Server.Node)
	}
	return fmt.Sprintf("%s:%d", name, port)
}

// plan lists the session's steps after the greeting.
func (c *client) plan() {
	c.steps = append(c.steps, c.login)
	if c.cfg.Dir != "" {
		c.steps = append(c.steps, func() {
			c.send("CWD " + c.cfg.Dir)
			c.expect(c.want(250))
		})
	}
	if c.cfg.List {
		c.steps = append(c.steps, func() { c.transfer("LIST", "", 0) })
	}
	for _, name := range c.cfg.Get {
		c.steps = append(c.steps, func() { c.transfer("RETR", name, 0) })
	}
	for _, f := range c.cfg.Put {
		c.steps = append(c.steps, func() { c.transfer("STOR", f.Name, f.SizeBytes) })
	}
	c.steps = append(c.steps, func() {
		c.res.FilesDone = c.h.Now()
		c.send("QUIT")
		c.expect(func(code int, text string) {
			if code != 221 {
				c.unexpected(code, text)
				return
			}
			c.res.Done = c.h.Now()
			c.ctrl.Close()
		})
	})
}

func (c *client) nextStep() {
	if c.res.Err != nil || len(c.steps) == 0 {
		return
	}
	step := c.steps[0]
	c.steps = c.steps[1:]
	step()
}

// want expects a reply of code and goes on to the next step.
func (c *client) want(code int) func(int, string) {
	return func(got int, text string) {
		if got != code {
			c.unexpected(got, text)
			return
		}
		c.nextStep()
	}
}

func (c *client) login() {
	c.send("USER " + c.cfg.User)
	c.expect(func(code int, text string) {
		switch code {
		case 230: // no password needed
			c.res.LoggedIn = c.h.Now()
			c.nextStep()
		case 331:
			c.send("PASS " + c.cfg.Password)
			c.expect(func(code int, text string) {
				if code != 230 {
					c.unexpected(code, text)
					return
				}
				c.res.LoggedIn = c.h.Now()
				c.nextStep()
			})
		default:
			c.unexpected(code, text)
		}
	})
}

func (c *client) send(cmd string) {
	line := cmd + "\r\n"
	c.cfg.Trace.Text("C", line)
	c.res.Commands++
	c.res.ControlBytes += int64(len(line))
	c.ctrl.Send(crlf.Message(line))
}

func (c *client) expect(fn func(code int, text string)) { c.onReply = fn }

// input reads replies from the control connection.
func (c *client) input(m topology.Message) {
	text, ok := crlf.Text(m)
	if !ok {
		c.fail(ErrBadReply)
		return
	}
	c.cfg.Trace.Text("S", text)
	c.res.ControlBytes += m.SizeBytes
	c.in.Feed(text, func(line string, tooLong bool) bool {
		if tooLong {
			c.fail(ErrBadReply)
			return false
		}
		code, text, done, err := c.reply.line(line)
		if err != nil {
			c.fail(err)
			return false
		}
		if done {
			c.res.Replies++
			fn := c.onReply
			c.onReply = nil
			if fn == nil {
				c.fail(fmt.Errorf("%w: %d %s when none was due", ErrUnexpectedReply, code, text))
				return false
			}
			fn(code, text)
		}
		return c.res.Err == nil
	})
}

// replyReader assembles replies, one-line ("226 Closing") or multi-line ("211-..."
// up to "211 End"), RFC 959 §4.2.
type replyReader struct {
	code  int    // the multi-line reply under way, 0 if none
	first string // its first line's text
}

// line takes one line and says whether it completed a reply.
func (r *replyReader) line(s string) (code int, text string, done bool, err error) {
	if r.code != 0 {
		if len(s) >= 4 && s[3] == ' ' && s[:3] == strconv.Itoa(r.code) {
			code, text = r.code, r.first
			r.code = 0
			return code, text, true, nil
		}
		return 0, "", false, nil
	}
	if len(s) < 3 {
		return 0, "", false, fmt.Errorf("%w: %q", ErrBadReply, s)
	}
	n, err := strconv.Atoi(s[:3])
	if err != nil || n < 100 || n > 599 || s[0] == '+' || s[0] == '-' {
		return 0, "", false, fmt.Errorf("%w: %q", ErrBadReply, s)
	}
	switch {
	case len(s) == 3:
		return n, "", true, nil
	case s[3] == ' ':
		return n, s[4:], true, nil
	case s[3] == '-':
		r.code, r.first = n, s[4:]
		return 0, "", false, nil
	}
	return 0, "", false, fmt.Errorf("%w: %q", ErrBadReply, s)
}

// transfer runs one LIST, RETR or STOR on a data connection of its own.
func (c *client) transfer(verb, name string, size int64) {
	x := &xfer{Transfer: Transfer{Verb: verb, Name: name, Start: c.h.Now()}, size: size}
	c.x = x
	command := verb
	if name != "" {
		command += " " + name
	}
	if c.cfg.Passive {
		c.send("PASV")
		c.expect(func(code int, text string) {
			if code != 227 {
				c.unexpected(code, text)
				return
			}
			a, ok := pasvAddr(text)
			if !ok {
				c.fail(fmt.Errorf("%w: 227 %s", ErrBadReply, text))
				return
			}
			c.h.Dial(a, topology.TCPOptions{}, func(d topology.Conn, err error) {
				if err != nil {
					c.fail(err)
					return
				}
				c.opened(x, d, c.addr(d.Local()), c.serverAddr(d.Remote().Port))
				c.send(command)
				c.expect(c.preliminary(x))
			})
		})
		return
	}
	l, err := c.h.Listen(0, func(d topology.Conn) {
		if x.data != nil {
			d.Abort()
			return
		}
		x.listener.Close()
		x.listener = nil
		c.opened(x, d, c.serverAddr(d.Remote().Port), c.addr(d.Local()))
	})
	if err != nil {
		c.fail(err)
		return
	}
	x.listener = l
	c.send("PORT " + hostPort(topology.Addr{Node: c.ctrl.Local().Node, Port: l.Addr().Port}))
	c.expect(func(code int, text string) {
		if code != 200 {
			c.unexpected(code, text)
			return
		}
		c.send(command)
		c.expect(c.preliminary(x))
	})
}

// pasvAddr finds the address in a 227 reply: "Entering Passive Mode (h1,...,p2)."
func pasvAddr(text string) (topology.Addr, bool) {
	i := strings.IndexByte(text, '(')
	j := strings.IndexByte(text, ')')
	if i < 0 || j < i {
		return topology.Addr{}, false
	}
	return parseHostPort(text[i+1 : j])
}

// opened is x's data connection, dialled or accepted.
func (c *client) opened(x *xfer, d topology.Conn, from, to string) {
	x.data = d
	c.res.DataConns++
	x.dataN = c.cfg.Trace.Open(c.h.Now(), "data", from, to)
	d.SetHandler(&topology.ConnHandler{
		OnMessage: func(_ topology.Conn, m topology.Message) {
			x.Bytes += m.SizeBytes
			c.res.DataBytes += m.SizeBytes
			if s, ok := crlf.Text(m); ok {
				c.cfg.Trace.Text("D", s)
				c.res.Listing = s
			} else {
				c.cfg.Trace.Data("D", m.SizeBytes, x.Name)
			}
		},
		OnClose: func(d topology.Conn) {
			d.Close()
			c.cfg.Trace.Closed(c.h.Now(), x.dataN)
			x.dataDone = true
			c.complete(x)
		},
		OnReset: func(topology.Conn, error) {
			x.dataDone = true
			c.complete(x)
		},
	})
	c.store(x)
}

// store sends a STOR's file once the data connection is open and the server has said
// it is ready for it (125 or 150), as a client writes the file after the preliminary
// reply.
func (c *client) store(x *xfer) {
	if x.Verb != "STOR" || x.data == nil || !x.ready || x.dataDone {
		return
	}
	if x.size > 0 {
		x.data.Send(topology.Message{SizeBytes: x.size, Payload: FileData{Name: x.Name}})
		c.cfg.Trace.Data("D", x.size, x.Name)
		x.Bytes = x.size
		c.res.DataBytes += x.size
	}
	x.data.Close()
	c.cfg.Trace.Closed(c.h.Now(), x.dataN)
	x.dataDone = true
}

// preliminary expects 125 or 150, then the final reply.
func (c *client) preliminary(x *xfer) func(int, string) {
	return func(code int, text string) {
		switch {
		case code == 125 || code == 150:
			x.ready = true
			c.store(x)
			c.expect(func(code int, text string) {
				x.Reply, x.final = code, true
				if code != 226 {
					// The transfer failed (425, 426, 452): no more data comes.
					x.dataDone = true
				}
				c.complete(x)
			})
		case code >= 400:
			x.Reply, x.final, x.dataDone = code, true, true
			c.complete(x)
		default:
			c.unexpected(code, text)
		}
	}
}

// complete ends x once its data and its final reply have both come.
func (c *client) complete(x *xfer) {
	if c.x != x || !x.final || !x.dataDone {
		return
	}
	c.x = nil
	if x.listener != nil {
		x.listener.Close()
	}
	if x.data != nil && x.Reply != 226 {
		x.data.Abort()
	}
	x.Done = c.h.Now()
	c.res.Transfers = append(c.res.Transfers, x.Transfer)
	c.nextStep()
}

func (c *client) unexpected(code int, text string) {
	c.fail(fmt.Errorf("%w: %d %s", ErrUnexpectedReply, code, text))
}

// fail ends the session early.
func (c *client) fail(err error) {
	if c.res.Err != nil {
		return
	}
	c.res.Err = err
	c.steps = nil
	if c.x != nil && c.x.listener != nil {
		c.x.listener.Close()
	}
	if c.ctrl != nil {
		c.ctrl.Abort()
	}
}
