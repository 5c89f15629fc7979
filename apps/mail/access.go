package mail

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

// AccessResult is what a user agent reading mail measured (POP3, IMAP, web mail).
type AccessResult struct {
	Start, Done sim.Time // from the dial to the end of the session (the last reply)
	// Messages are the message texts, or the parts, it downloaded; ContentBytes their
	// bytes: what the user got, without the protocol's framing.
	Messages     []string
	ContentBytes int64
	// BytesOut and BytesIn are the protocol's bytes each way, framing included.
	BytesOut, BytesIn int64
	Commands, Replies int
	Conns             int
	Err               error
}

func (r *AccessResult) fail(h topology.Host, err error) {
	if r.Err == nil {
		r.Err = err
		r.Done = h.Now()
	}
}

// Errors of an access session.
var ErrAccess = errors.New("mail access failed")

// POP3Config is a POP3 user agent (Kurose & Ross §2.4.4).
type POP3Config struct {
	Server     topology.Addr
	ServerName string
	User, Pass string
	// Keep selects download-and-keep: list, retr each message, quit. By default the
	// agent downloads and deletes — list, then retr and dele each message, then quit —
	// the texts' example session.
	Keep bool
	// Seen, in download-and-keep mode, is this machine's record of the messages it has
	// downloaded before (their UIDL ids, RFC 1939 §7): the agent asks for the ids and
	// fetches only the new ones, adding them. nil: it fetches every message.
	Seen  map[string]bool
	Start sim.Time // when the user asks for mail
	Trace *transcript.Recorder
}

// POP3Reader is the POP3 user agent's program; res records the session.
func POP3Reader(cfg POP3Config, res *AccessResult) func(topology.Host) error {
	return func(h topology.Host) error {
		u := &lineClient{h: h, res: res, trace: cfg.Trace, server: cfg.ServerName}
		h.After(cfg.Start, func() { u.dial(cfg.Server, func() { (&pop3User{u: u, cfg: cfg}).begin() }) })
		return nil
	}
}

// lineClient is what the POP3 and IMAP agents share: a connection carrying CRLF lines,
// counted and traced.
type lineClient struct {
	h      topology.Host
	res    *AccessResult
	trace  *transcript.Recorder
	server string
	c      topology.Conn
	connN  int
	in     crlf.Reader
	onLine func(line string) // the line reader now
	over   bool
}

func (u *lineClient) dial(to topology.Addr, then func()) {
	u.res.Start = u.h.Now()
	u.h.Dial(to, topology.TCPOptions{}, func(c topology.Conn, err error) {
		if err != nil {
			u.res.fail(u.h, err)
			return
		}
		u.c = c
		u.res.Conns++
		server := u.server
		if server == "" {
			server = fmt.Sprintf("node%d", to.Node)
		}
		u.connN = u.trace.Open(u.h.Now(), "", fmt.Sprintf("%s:%d", u.h.Name(), c.Local().Port), fmt.Sprintf("%s:%d", server, to.Port))
		c.SetHandler(&topology.ConnHandler{
			OnMessage: func(_ topology.Conn, m topology.Message) { u.input(m) },
			OnClose: func(c topology.Conn) {
				c.Close()
				u.finish(fmt.Errorf("%w: the server closed the connection", ErrAccess))
			},
			OnReset: func(_ topology.Conn, err error) { u.finish(err) },
		})
		then()
	})
}

func (u *lineClient) send(line string) {
	u.res.Commands++
	text := line + "\r\n"
	u.trace.Text("C", text)
	u.res.BytesOut += int64(len(text))
	u.c.Send(crlf.Message(text))
}

func (u *lineClient) input(m topology.Message) {
	if u.over {
		return
	}
	u.res.BytesIn += m.SizeBytes
	text, ok := crlf.Text(m)
	if !ok {
		u.c.Abort()
		u.finish(fmt.Errorf("%w: a reply that is not text", ErrAccess))
		return
	}
	u.trace.Text("S", text)
	u.in.Feed(text, func(line string, tooLong bool) bool {
		if tooLong || u.onLine == nil {
			u.c.Abort()
			u.finish(fmt.Errorf("%w: unexpected reply %q", ErrAccess, line))
			return false
		}
		u.onLine(line)
		return !u.over
	})
}

// finish ends the session: err nil after the server's goodbye.
func (u *lineClient) finish(err error) {
	if u.over {
		return
	}
	u.over = true
	u.trace.Closed(u.h.Now(), u.connN)
	if err != nil {
		u.res.fail(u.h, err)
		return
	}
	u.res.Done = u.h.Now()
}

// pop3User runs a POP3 session.
type pop3User struct {
	u     *lineClient
	cfg   POP3Config
	sizes []int // LIST's answer, by message number
	ids   []string
	multi *unstuffer // a multi-line response under way
}

// expect reads the next response: one line, or with multi a +OK line and the lines up
// to ".", unstuffed.
func (p *pop3User) expect(multi bool, then func(ok bool, first, body string)) {
	u := p.u
	u.onLine = func(line string) {
		if p.multi != nil {
			if p.multi.line(line) {
				body := p.multi.b.String()
				p.multi = nil
				u.res.Replies++
				then(true, "", body)
			}
			return
		}
		ok := strings.HasPrefix(line, "+OK")
		if !ok && !strings.HasPrefix(line, "-ERR") {
			u.c.Abort()
			u.finish(fmt.Errorf("%w: not a POP3 response %q", ErrAccess, line))
			return
		}
		if ok && multi {
			p.multi = &unstuffer{}
			return
		}
		u.res.Replies++
		then(ok, line, "")
	}
}

// must goes on only after +OK.
func (p *pop3User) must(multi bool, then func(body string)) {
	p.expect(multi, func(ok bool, first, body string) {
		if !ok {
			p.u.c.Abort()
			p.u.finish(fmt.Errorf("%w: %s", ErrAccess, first))
			return
		}
		then(body)
	})
}

func (p *pop3User) begin() {
	p.must(false, func(string) {
		p.u.send("user " + p.cfg.User)
		p.must(false, func(string) {
			p.u.send("pass " + p.cfg.Pass)
			p.must(false, func(string) {
				p.u.send("list")
				p.must(true, func(body string) {
					for _, l := range strings.Split(strings.TrimSuffix(body, "\r\n"), "\r\n") {
						if f := strings.Fields(l); len(f) == 2 {
							n, _ := strconv.Atoi(f[1])
							p.sizes = append(p.sizes, n)
						}
					}
					if p.cfg.Keep && p.cfg.Seen != nil {
						p.u.send("uidl")
						p.must(true, func(body string) {
							for _, l := range strings.Split(strings.TrimSuffix(body, "\r\n"), "\r\n") {
								if f := strings.Fields(l); len(f) == 2 {
									p.ids = append(p.ids, f[1])
								}
							}
							p.retr(1)
						})
						return
					}
					p.retr(1)
				})
			})
		})
	})
}

// retr downloads message n and the ones after it (deleting each in
// download-and-delete mode), then quits.
func (p *pop3User) retr(n int) {
	if n > len(p.sizes) {
		p.u.send("quit")
		p.must(false, func(string) {
			p.u.c.Close()
			p.u.finish(nil)
		})
		return
	}
	if p.ids != nil && n <= len(p.ids) && p.cfg.Seen[p.ids[n-1]] {
		p.retr(n + 1)
		return
	}
	p.u.send("retr " + strconv.Itoa(n))
	p.must(true, func(msg string) {
		p.u.res.Messages = append(p.u.res.Messages, msg)
		p.u.res.ContentBytes += int64(len(msg))
		if p.ids != nil && n <= len(p.ids) {
			p.cfg.Seen[p.ids[n-1]] = true
		}
		if p.cfg.Keep {
			p.retr(n + 1)
			return
		}
		p.u.send("dele " + strconv.Itoa(n))
		p.must(false, func(string) { p.retr(n + 1) })
	})
}

// IMAPConfig is an IMAP user agent (Kurose & Ross §2.4.4): it logs in, selects a
// folder, and fetches what the user looks at.
type IMAPConfig struct {
	Server     topology.Addr
	ServerName string
	User, Pass string
	Folder     string // "" for INBOX
	// HeadersOnly fetches every message's header first (BODY.PEEK[HEADER]): what a
	// user on a slow link reads before choosing. Open then fetches the messages
	// numbered there whole (BODY[]); Parts, if set, fetches part Parts of them instead
	// (BODY[n]: one MIME part, say the text without the attachment).
	HeadersOnly bool
	Open        []int
	Part        int
	Start       sim.Time
	Trace       *transcript.Recorder
}

// IMAPReader is the IMAP user agent's program; res records the session.
func IMAPReader(cfg IMAPConfig, res *AccessResult) func(topology.Host) error {
	return func(h topology.Host) error {
		u := &lineClient{h: h, res: res, trace: cfg.Trace, server: cfg.ServerName}
		h.After(cfg.Start, func() { u.dial(cfg.Server, func() { (&imapUser{u: u, cfg: cfg}).begin() }) })
		return nil
	}
}

type imapUser struct {
	u      *lineClient
	cfg    IMAPConfig
	tag    int
	exists int // the selected folder's messages, as the server said
}

// command sends a tagged command and reads up to its tagged response; each literal in
// the untagged responses is downloaded content.
func (m *imapUser) command(cmd string, then func()) {
	m.tag++
	tag := fmt.Sprintf("A%03d", m.tag)
	u := m.u
	u.send(tag + " " + cmd)
	u.onLine = func(line string) {
		if n, ok := literalAtEnd(line); ok && strings.HasPrefix(line, "* ") {
			u.in.Literal(n)
			prev := u.onLine
			u.onLine = func(lit string) {
				u.res.Messages = append(u.res.Messages, lit)
				u.res.ContentBytes += int64(len(lit))
				u.onLine = prev
			}
			if n == 0 {
				u.onLine("")
			}
			return
		}
		if !strings.HasPrefix(line, tag+" ") {
			// An untagged response, or the rest of a FETCH after its literal.
			if f := strings.Fields(line); len(f) == 3 && f[0] == "*" && f[2] == "EXISTS" {
				m.exists, _ = strconv.Atoi(f[1])
			}
			return
		}
		u.res.Replies++
		if !strings.HasPrefix(line, tag+" OK") {
			u.c.Abort()
			u.finish(fmt.Errorf("%w: %s", ErrAccess, line))
			return
		}
		then()
	}
}

func (m *imapUser) begin() {
	u := m.u
	u.onLine = func(line string) {
		if !strings.HasPrefix(line, "* OK") {
			u.c.Abort()
			u.finish(fmt.Errorf("%w: greeting %q", ErrAccess, line))
			return
		}
		folder := m.cfg.Folder
		if folder == "" {
			folder = Inbox
		}
		m.command("LOGIN "+m.cfg.User+" "+imapQuote(m.cfg.Pass), func() {
			m.command("SELECT "+imapQuote(folder), func() {
				if m.cfg.HeadersOnly && m.exists > 0 {
					m.command("FETCH 1:* (BODY.PEEK[HEADER])", func() { m.open(m.cfg.Open) })
					return
				}
				m.open(m.cfg.Open)
			})
		})
	}
}

func (m *imapUser) open(nums []int) {
	if len(nums) == 0 {
		m.command("LOGOUT", func() {
			m.u.c.Close()
			m.u.finish(nil)
		})
		return
	}
	section := ""
	if m.cfg.Part > 0 {
		section = strconv.Itoa(m.cfg.Part)
	}
	m.command(fmt.Sprintf("FETCH %d (BODY[%s])", nums[0], section), func() { m.open(nums[1:]) })
}
