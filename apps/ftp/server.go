package ftp

import (
	"fmt"
	"path"
	"strings"

	"netsim/apps/crlf"
	"netsim/sim"
	"netsim/topology"
)

// ServerConfig is an FTP server's settings.
type ServerConfig struct {
	Port  int               // the control port; 0: ControlPort
	Users map[string]string // user → password
	// FS is the server's disk; nil: an empty tree. A kind passes the same FS to every
	// boot, so that files survive a crash.
	FS *FS
	// QuotaBytes, if > 0, is the most the files of FS may hold: a STOR that would pass
	// it is aborted with 452 (the texts' "Error writing file").
	QuotaBytes int64
	// PassiveTimeout is how long a passive-mode transfer waits for the client's data
	// connection before it fails with 425 (0: 60 s).
	PassiveTimeout sim.Time
}

// ServerStats are a server's counts, over its lives.
type ServerStats struct {
	Sessions  int64
	Commands  int64 // command lines read, malformed ones included
	Replies   int64
	DataConns int64         // data connections opened (dialled or accepted)
	ByCode    map[int]int64 // replies by code
}

// Server is an FTP server on one host.
type Server struct {
	h     topology.Host
	cfg   ServerConfig
	stats *ServerStats
}

// NewServer starts a server on h: it listens on the control port. stats, if not nil,
// accumulates the server's counts across reboots.
func NewServer(h topology.Host, cfg ServerConfig, stats *ServerStats) (*Server, error) {
	if cfg.Port == 0 {
		cfg.Port = ControlPort
	}
	if cfg.FS == nil {
		cfg.FS = NewFS()
	}
	if cfg.PassiveTimeout == 0 {
		cfg.PassiveTimeout = 60 * sim.Second
	}
	if stats == nil {
		stats = &ServerStats{}
	}
	if stats.ByCode == nil {
		stats.ByCode = map[int]int64{}
	}
	s := &Server{h: h, cfg: cfg, stats: stats}
	if _, err := h.Listen(cfg.Port, s.accept); err != nil {
		return nil, fmt.Errorf("ftp server: %w", err)
	}
	return s, nil
}

// Stats returns the server's counts.
func (s *Server) Stats() ServerStats { return *s.stats }

// session is one control connection: RFC 959's user state, kept by the server for the
// session (Kurose & Ross §2.3: the user's account and current directory).
type session struct {
	s        *Server
	c        topology.Conn
	in       crlf.Reader
	queue    []string // lines read while a transfer is under way, answered after it
	user     string   // from USER, "" before
	loggedIn bool
	cwd      string
	done     bool // QUIT answered, or the connection gone

	// The data connection being prepared: PORT's address, or PASV's listener and the
	// connection it accepted.
	port     *topology.Addr
	pasv     topology.Listener
	pasvConn topology.Conn
	early    int64 // bytes that came on pasvConn before a STOR
	earlyFIN bool  // and its FIN
	xfer     *transfer
}

// transfer is a LIST, RETR or STOR under way.
type transfer struct {
	verb, name string // name: the file's absolute path
	size       int64  // what RETR or LIST sends
	listing    string // LIST's text
	data       topology.Conn
	received   int64 // STOR
	timer      sim.EventID
	over       bool
}

func (s *Server) accept(c topology.Conn) {
	s.stats.Sessions++
	ss := &session{s: s, c: c, cwd: "/", in: crlf.Reader{Max: MaxLineBytes}}
	c.SetHandler(&topology.ConnHandler{
		OnMessage: func(_ topology.Conn, m topology.Message) { ss.input(m) },
		OnClose:   func(topology.Conn) { ss.end(); c.Close() },
		OnReset:   func(topology.Conn, error) { ss.end() },
	})
	ss.reply(ReplyReady)
}

func (ss *session) reply(text string) {
	if ss.done {
		return
	}
	ss.s.stats.Replies++
	var code int
	fmt.Sscanf(text, "%d", &code)
	ss.s.stats.ByCode[code]++
	ss.c.Send(crlf.Message(text + "\r\n"))
}

// input reads command lines from the control connection. A payload that is not text
// is a peer that does not speak FTP: 500.
func (ss *session) input(m topology.Message) {
	text, ok := crlf.Text(m)
	if !ok {
		ss.s.stats.Commands++
		ss.reply(ReplyUnknown)
		return
	}
	ss.in.Feed(text, func(line string, tooLong bool) bool {
		if tooLong {
			ss.s.stats.Commands++
			ss.reply(ReplyLineTooLong)
			return !ss.done
		}
		if ss.xfer != nil {
			ss.queue = append(ss.queue, line)
			return true
		}
		ss.command(line)
		return !ss.done
	})
}

// next answers the commands that came during a transfer.
func (ss *session) next() {
	for len(ss.queue) > 0 && ss.xfer == nil && !ss.done {
		line := ss.queue[0]
		ss.queue = ss.queue[1:]
		ss.command(line)
	}
}

// notImplemented are RFC 959 §4.1's commands this server does not implement: 502, not
// 500, since they are FTP.
var notImplemented = map[string]bool{
	"ACCT": true, "SMNT": true, "REIN": true, "STOU": true, "APPE": true, "ALLO": true,
	"REST": true, "RNFR": true, "RNTO": true, "ABOR": true, "DELE": true, "RMD": true,
	"MKD": true, "NLST": true, "SITE": true, "STAT": true, "HELP": true,
}

// afterLogin are the commands a session must be logged in for.
var afterLogin = map[string]bool{"CWD": true, "CDUP": true, "PWD": true, "TYPE": true, "MODE": true,
	"STRU": true, "PORT": true, "PASV": true, "LIST": true, "RETR": true, "STOR": true}

// command answers one command line (RFC 959 §5.3: a verb of letters, case
// insensitive, then a space and the argument).
func (ss *session) command(line string) {
	ss.s.stats.Commands++
	verb, arg, hasArg := strings.Cut(line, " ")
	if !isVerb(verb) || !printable(arg) {
		ss.reply(ReplyUnknown)
		return
	}
	verb = strings.ToUpper(verb)
	switch verb {
	case "USER":
		if !hasArg || arg == "" {
			ss.reply(ReplyBadArguments)
			return
		}
		ss.user, ss.loggedIn = arg, false
		ss.reply(ReplyNeedPassword)
		return
	case "PASS":
		if ss.user == "" || ss.loggedIn {
			ss.reply(ReplyBadSequence)
			return
		}
		if pw, ok := ss.s.cfg.Users[ss.user]; ok && pw == arg {
			ss.loggedIn, ss.cwd = true, "/"
			ss.reply(ReplyLoggedIn)
			return
		}
		ss.user = ""
		ss.reply("530 Login incorrect.")
		return
	case "QUIT":
		ss.reply(ReplyBye)
		ss.end()
		ss.c.Close()
		return
	case "NOOP":
		ss.reply(ReplyOK)
		return
	case "SYST":
		ss.reply(ReplySystem)
		return
	}
	if notImplemented[verb] {
		ss.reply(ReplyNotImplemented)
		return
	}
	if !afterLogin[verb] {
		ss.reply(ReplyUnknown)
		return
	}
	if !ss.loggedIn {
		ss.reply(ReplyNotLoggedIn)
		return
	}
	fs := ss.s.cfg.FS
	switch verb {
	case "CWD":
		p := ss.resolve(arg)
		if !hasArg || arg == "" {
			ss.reply(ReplyBadArguments)
		} else if fs.IsDir(p) {
			ss.cwd = p
			ss.reply(ReplyFileActionDone)
		} else {
			ss.reply(ReplyUnavailable)
		}
	case "CDUP":
		ss.cwd = path.Dir(ss.cwd)
		ss.reply(ReplyFileActionDone)
	case "PWD":
		ss.reply(fmt.Sprintf("257 %q is the current directory.", ss.cwd))
	case "TYPE":
		switch strings.ToUpper(arg) {
		case "A", "A N", "I", "L 8":
			ss.reply(ReplyOK)
		case "":
			ss.reply(ReplyBadArguments)
		default:
			ss.reply(ReplyBadParameter)
		}
	case "MODE", "STRU":
		want := map[string]string{"MODE": "S", "STRU": "F"}[verb]
		switch {
		case arg == "":
			ss.reply(ReplyBadArguments)
		case strings.EqualFold(arg, want):
			ss.reply(ReplyOK)
		default:
			ss.reply(ReplyBadParameter)
		}
	case "PORT":
		a, ok := parseHostPort(arg)
		// RFC 2577 §3: a server connects only to the host of the control connection
		// (no "bounce" to a third host).
		if !ok || a.Node != ss.c.Remote().Node {
			ss.reply(ReplyBadArguments)
			return
		}
		ss.dropData()
		ss.port = &a
		ss.reply(ReplyOK)
	case "PASV":
		ss.passive()
	case "LIST":
		p := ss.cwd
		if arg != "" && !strings.HasPrefix(arg, "-") {
			p = ss.resolve(arg)
		}
		if _, file := fs.Size(p); !file && !fs.IsDir(p) {
			ss.reply(ReplyUnavailable)
			return
		}
		listing := fs.Listing(p)
		ss.transfer(&transfer{verb: verb, name: p, listing: listing, size: int64(len(listing))})
	case "RETR":
		p := ss.resolve(arg)
		n, ok := fs.Size(p)
		if arg == "" {
			ss.reply(ReplyBadArguments)
			return
		}
		if !ok {
			ss.reply(ReplyUnavailable)
			return
		}
		ss.transfer(&transfer{verb: verb, name: p, size: n})
	case "STOR":
		p := ss.resolve(arg)
		if arg == "" {
			ss.reply(ReplyBadArguments)
			return
		}
		if !fs.IsDir(path.Dir(p)) || fs.IsDir(p) {
			ss.reply(ReplyUnavailable)
			return
		}
		ss.transfer(&transfer{verb: verb, name: p})
	}
}

// isVerb: three or four ASCII letters (RFC 959 §5.3.1).
func isVerb(v string) bool {
	if len(v) < 3 || len(v) > 4 {
		return false
	}
	for i := 0; i < len(v); i++ {
		if c := v[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// printable: 7-bit ASCII without control characters (RFC 959 §5.3.2's <char>).
func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// resolve makes a pathname absolute against the current directory.
func (ss *session) resolve(p string) string {
	if strings.HasPrefix(p, "/") {
		return path.Clean(p)
	}
	return path.Clean(path.Join(ss.cwd, p))
}

// passive opens a listener for the next data connection and announces it (227).
func (ss *session) passive() {
	ss.dropData()
	l, err := ss.s.h.Listen(0, func(c topology.Conn) {
		if c.Remote().Node != ss.c.Remote().Node || ss.pasvConn != nil {
			c.Abort() // RFC 2577: only the control connection's host
			return
		}
		ss.s.stats.DataConns++
		ss.closeListener()
		if t := ss.xfer; t != nil && t.data == nil {
			ss.begin(t, c)
			return
		}
		// Connected before the command: what the client sends now waits in the
		// socket for the STOR that will read it.
		ss.pasvConn = c
		c.SetHandler(&topology.ConnHandler{
			OnMessage: func(_ topology.Conn, m topology.Message) { ss.early += m.SizeBytes },
			OnClose:   func(topology.Conn) { ss.earlyFIN = true },
			OnReset:   func(topology.Conn, error) { ss.pasvConn, ss.early, ss.earlyFIN = nil, 0, false },
		})
	})
	if err != nil {
		ss.reply(ReplyCantOpenData)
		return
	}
	ss.pasv = l
	a := topology.Addr{Node: ss.c.Local().Node, Port: l.Addr().Port}
	ss.reply("227 Entering Passive Mode (" + hostPort(a) + ").")
}

func (ss *session) closeListener() {
	if ss.pasv != nil {
		ss.pasv.Close()
		ss.pasv = nil
	}
}

// dropData forgets a data connection prepared and not used.
func (ss *session) dropData() {
	ss.port = nil
	ss.closeListener()
	if ss.pasvConn != nil {
		ss.pasvConn.Close()
		ss.pasvConn, ss.early, ss.earlyFIN = nil, 0, false
	}
}

// transfer starts t on the prepared data connection: 125 if it is already open
// (passive, connected), 150 if it is being opened; 425 if there is none.
func (ss *session) transfer(t *transfer) {
	switch {
	case ss.pasvConn != nil:
		c, early, fin := ss.pasvConn, ss.early, ss.earlyFIN
		ss.pasvConn, ss.early, ss.earlyFIN = nil, 0, false
		ss.xfer = t
		ss.reply(ReplyDataOpen)
		h := ss.begin(t, c)
		if t.verb == "STOR" {
			if early > 0 {
				h.OnMessage(c, topology.Message{SizeBytes: early})
			}
			if fin && !t.over {
				h.OnClose(c)
			}
		}
	case ss.pasv != nil:
		ss.xfer = t
		ss.reply(ReplyOpening)
		t.timer = ss.s.h.After(ss.s.cfg.PassiveTimeout, func() {
			t.timer = 0
			ss.closeListener()
			ss.finish(t, ReplyCantOpenData)
		})
	case ss.port != nil:
		to := *ss.port
		ss.port = nil
		ss.xfer = t
		ss.reply(ReplyOpening)
		ss.s.h.Dial(to, topology.TCPOptions{LocalPort: DataPort}, func(c topology.Conn, err error) {
			if t.over {
				if c != nil {
					c.Abort()
				}
				return
			}
			if err != nil {
				ss.finish(t, ReplyCantOpenData)
				return
			}
			ss.s.stats.DataConns++
			ss.begin(t, c)
		})
	default:
		ss.reply(ReplyCantOpenData)
	}
}

// begin moves t's data over c: RETR and LIST send and close; STOR reads until the
// client closes. It returns c's handler.
func (ss *session) begin(t *transfer, c topology.Conn) *topology.ConnHandler {
	if t.timer != 0 {
		ss.s.h.Cancel(t.timer)
		t.timer = 0
	}
	t.data = c
	if t.verb == "STOR" {
		h := &topology.ConnHandler{
			OnMessage: func(c topology.Conn, m topology.Message) {
				if t.over {
					return
				}
				t.received += m.SizeBytes
				fs := ss.s.cfg.FS
				old, _ := fs.Size(t.name)
				if q := ss.s.cfg.QuotaBytes; q > 0 && fs.Bytes()-old+t.received > q {
					c.Abort()
					ss.finish(t, ReplyWriteError)
				}
			},
			OnClose: func(c topology.Conn) {
				c.Close()
				if !t.over {
					ss.s.cfg.FS.Put(t.name, t.received)
					ss.finish(t, ReplyTransferDone)
				}
			},
			OnReset: func(topology.Conn, error) { ss.finish(t, ReplyAborted) },
		}
		c.SetHandler(h)
		return h
	}
	h := &topology.ConnHandler{
		OnSent:  func(topology.Conn, topology.SendID) { ss.finish(t, ReplyTransferDone) },
		OnClose: func(c topology.Conn) { c.Close() },
		OnReset: func(topology.Conn, error) { ss.finish(t, ReplyAborted) },
	}
	c.SetHandler(h)
	var m topology.Message
	if t.verb == "LIST" {
		m = crlf.Message(t.listing)
	} else {
		m = topology.Message{SizeBytes: t.size, Payload: FileData{Name: path.Base(t.name)}}
	}
	if t.size == 0 {
		c.Close()
		ss.finish(t, ReplyTransferDone)
		return h
	}
	c.Send(m)
	c.Close()
	return h
}

// finish ends t with its reply and answers what waited for it.
func (ss *session) finish(t *transfer, reply string) {
	if t.over {
		return
	}
	t.over = true
	if t.timer != 0 {
		ss.s.h.Cancel(t.timer)
		t.timer = 0
	}
	if ss.xfer == t {
		ss.xfer = nil
	}
	ss.reply(reply)
	ss.next()
}

// end forgets the session: the client quit or the control connection is gone. A
// transfer under way is aborted.
func (ss *session) end() {
	if ss.done {
		return
	}
	ss.done = true
	if t := ss.xfer; t != nil {
		t.over = true
		if t.timer != 0 {
			ss.s.h.Cancel(t.timer)
		}
		if t.data != nil {
			t.data.Abort()
		}
		ss.xfer = nil
	}
	ss.dropData()
	ss.queue = nil
}
