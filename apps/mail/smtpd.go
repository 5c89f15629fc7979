package mail

import (
	"fmt"
	netmail "net/mail"
	"strconv"
	"strings"

	"netsim/apps/crlf"
	"netsim/sim"
	"netsim/topology"
)

// SMTP limits (RFC 5321 §4.5.3.1 and §4.5.3.2).
const (
	MaxCommandBytes  = 512              // a command line, CRLF included
	MaxTextLineBytes = 1000             // a line of DATA, CRLF included
	MaxRecipients    = 100              // RCPTs a transaction may give
	SMTPServerIdle   = 5 * sim.Minute   // §4.5.3.2.7: the server's timeout
	smtpMaxErrors    = 20               // bad commands before the server hangs up
	smtpReplyTimeout = 5 * sim.Minute   // §4.5.3.2.1–.4: the client's, per reply
	smtpDataTimeout  = 10 * sim.Minute  // §4.5.3.2.6: after the final "."
	smtpDialTimeout  = 127 * sim.Second // what TCP gives up after (DefaultTCP)
	_                = smtpDialTimeout
)

// Replies of the SMTP server. Those of the texts' transcript (Kurose & Ross §2.4.1,
// sendmail's words) are kept word for word; the rest are RFC 5321 §4.2's.
const (
	replyDataGo       = `354 Enter mail, end with "." on a line by itself`
	replyAccepted     = "250 Message accepted for delivery"
	replyOK           = "250 OK"
	replyCannotVerify = "252 Cannot VRFY user, but will accept message and attempt delivery"
	replyUnknown      = "500 Syntax error, command unrecognized"
	replyLineTooLong  = "500 Line too long"
	replyBadArgs      = "501 Syntax error in parameters or arguments"
	replyNotImpl      = "502 Command not implemented"
	replyBadSequence  = "503 Bad sequence of commands"
	replyNoRecipients = "554 No valid recipients"
	replyParams       = "555 MAIL FROM/RCPT TO parameters not recognized or not implemented"
	replyTooBig       = "552 Message size exceeds fixed maximum message size"
	replyEightBit     = "554 Transaction failed: message is not 7-bit ASCII"
	replyTooManyRcpts = "452 Too many recipients"
	replyNotText      = "500 Syntax error, command unrecognized (not text)"
)

// smtpd is one SMTP session of the server (RFC 5321 §3, §4.1): a greeting, HELO or
// EHLO, then any number of mail transactions — MAIL, RCPT..., DATA and the message —
// and QUIT.
type smtpd struct {
	s      *Server
	c      topology.Conn
	in     crlf.Reader
	helo   string // the client's domain, "" before HELO
	inMail bool   // a transaction is open (MAIL accepted)
	from   string
	rcpts  []string
	inData bool
	data   unstuffer
	bad    bool // the message broke a rule (too big, 8-bit): refused at its end
	tooBig bool
	errors int
	idle   *idleTimer
	done   bool
}

func (s *Server) acceptSMTP(c topology.Conn) {
	s.stats.Sessions[ProtoSMTP]++
	d := &smtpd{s: s, c: c, in: crlf.Reader{Max: MaxCommandBytes}}
	c.SetHandler(sessionHandler(d))
	d.reply("220 " + s.cfg.Domain)
	d.arm()
}

func (d *smtpd) arm() {
	d.idle = newIdleTimer(d.s.h, SMTPServerIdle, func() {
		d.reply("421 " + d.s.cfg.Domain + " Timeout, closing transmission channel")
		d.end()
		d.c.Close()
	})
}

func (d *smtpd) end() {
	d.idle.stop()
	d.done = true
}

func (d *smtpd) reply(text string) {
	if d.done {
		return
	}
	code, _ := strconv.Atoi(text[:3])
	d.s.stats.Replies[code]++
	m := crlf.Message(text + "\r\n")
	d.s.countOut(ProtoSMTP, m.SizeBytes)
	d.c.Send(m)
}

func (d *smtpd) input(m topology.Message) {
	if d.done {
		return
	}
	d.s.countIn(ProtoSMTP, m.SizeBytes)
	d.idle.touch()
	text, ok := crlf.Text(m)
	if !ok {
		d.reply(replyNotText)
		return
	}
	d.in.Feed(text, func(line string, tooLong bool) bool {
		if d.inData {
			d.dataLine(line, tooLong)
		} else {
			d.command(line, tooLong)
		}
		return !d.done
	})
}

// dataLine is one line of the message after DATA. Lines past the limits are kept
// reading (a server must find the end), and the message is refused at its end.
func (d *smtpd) dataLine(line string, tooLong bool) {
	switch {
	case tooLong:
		d.bad = true
		return
	case d.data.line(line):
		d.endData()
		return
	}
	if int64(d.data.bytes) > d.s.cfg.MaxMessageBytes {
		d.tooBig = true
		d.data.reset() // stop keeping it
	}
	for i := 0; i < len(line); i++ {
		if line[i] == 0 || line[i] >= 0x80 || line[i] == '\r' || line[i] == '\n' {
			d.bad = true
			break
		}
	}
}

func (d *smtpd) endData() {
	d.inData = false
	d.in.Max = MaxCommandBytes
	data := d.data.b.String()
	d.data.reset()
	switch {
	case d.tooBig:
		d.reply(replyTooBig)
	case d.bad:
		d.reply(replyEightBit)
	default:
		d.s.receive(d.from, d.rcpts, data, d.s.received(d.helo), false)
		d.reply(replyAccepted)
	}
	d.resetMail()
}

func (d *smtpd) resetMail() {
	d.inMail, d.from, d.rcpts, d.bad, d.tooBig = false, "", nil, false, false
}

// command answers one command line (RFC 5321 §4.1.1: a verb, case-insensitive, and
// its arguments).
func (d *smtpd) command(line string, tooLong bool) {
	if tooLong {
		d.fault(replyLineTooLong)
		return
	}
	verb, arg, _ := strings.Cut(line, " ")
	switch strings.ToUpper(verb) {
	case "HELO", "EHLO":
		dom := strings.TrimSpace(arg)
		if !isDomain(dom) {
			d.fault(replyBadArgs)
			return
		}
		d.helo = dom
		d.resetMail()
		if strings.EqualFold(verb, "EHLO") {
			// RFC 5321 §4.1.1.1: the first line names the server; SIZE is RFC 1870's.
			d.reply(fmt.Sprintf("250-%s Hello %s, pleased to meet you\r\n250 SIZE %d", d.s.cfg.Domain, dom, d.s.cfg.MaxMessageBytes))
			return
		}
		d.reply("250 Hello " + dom + ", pleased to meet you")
	case "MAIL":
		switch {
		case d.helo == "":
			d.fault(replyBadSequence)
		case d.inMail:
			d.fault(replyBadSequence)
		default:
			addr, ok, params := path(arg, "FROM:", true)
			if !ok {
				d.fault(replyBadArgs)
				return
			}
			if !d.mailParams(params) {
				d.fault(replyParams)
				return
			}
			d.inMail, d.from = true, addr
			shown := addr
			if shown == "" {
				shown = "<>"
			}
			d.reply("250 " + shown + " ... Sender ok")
		}
	case "RCPT":
		if !d.inMail {
			d.fault(replyBadSequence)
			return
		}
		addr, ok, params := path(arg, "TO:", false)
		if !ok {
			d.fault(replyBadArgs)
			return
		}
		if params != "" {
			d.fault(replyParams)
			return
		}
		d.rcpt(addr)
	case "DATA":
		switch {
		case arg != "":
			d.fault(replyBadArgs)
		case !d.inMail:
			d.fault(replyBadSequence)
		case len(d.rcpts) == 0:
			d.reply(replyNoRecipients)
		default:
			d.inData = true
			d.in.Max = MaxTextLineBytes
			d.data.reset()
			d.reply(replyDataGo)
		}
	case "RSET":
		d.resetMail()
		d.reply(replyOK)
	case "NOOP":
		d.reply(replyOK)
	case "VRFY":
		d.reply(replyCannotVerify)
	case "QUIT":
		d.reply("221 " + d.s.cfg.Domain + " closing connection")
		d.end()
		d.c.Close()
	case "EXPN", "HELP", "TURN", "SEND", "SOML", "SAML":
		d.reply(replyNotImpl)
	default:
		d.fault(replyUnknown)
	}
}

// fault answers a bad command; after too many, the server hangs up (RFC 5321 §4.3.2
// lets it close with 421).
func (d *smtpd) fault(reply string) {
	d.errors++
	if d.errors > smtpMaxErrors {
		d.reply("421 " + d.s.cfg.Domain + " Too many errors, closing transmission channel")
		d.end()
		d.c.Close()
		return
	}
	d.reply(reply)
}

// mailParams accepts RFC 1870's SIZE, refusing a message announced too big.
func (d *smtpd) mailParams(params string) bool {
	for _, p := range strings.Fields(params) {
		k, v, _ := strings.Cut(p, "=")
		if !strings.EqualFold(k, "SIZE") {
			return false
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return false
		}
		if n > d.s.cfg.MaxMessageBytes {
			d.tooBig = true
		}
	}
	return true
}

// rcpt answers RCPT TO for addr: the server's own users (550 if unknown, 452 if over
// quota), and, relayed, other domains — only for mail from its own domain, since a
// server that relays for anyone is an open relay (RFC 5321 §3.6.2 lets it refuse).
func (d *smtpd) rcpt(addr string) {
	s := d.s
	switch {
	case len(d.rcpts) >= MaxRecipients:
		d.reply(replyTooManyRcpts)
	case s.local(addr):
		a, ok := s.store.Account(localPart(addr))
		switch {
		case !ok:
			d.reply("550 " + addr + " ... User unknown")
		case !a.Fits(1):
			d.reply("452 " + addr + " ... Insufficient system storage")
		default:
			d.rcpts = append(d.rcpts, addr)
			d.reply("250 " + addr + " ... Recipient ok")
		}
	case d.from != "" && s.local(d.from):
		d.rcpts = append(d.rcpts, addr)
		d.reply("250 " + addr + " ... Recipient ok")
	default:
		d.reply("550 " + addr + " ... Relaying denied")
	}
}

// path reads MAIL's and RCPT's argument, "FROM:<alice@crepes.fr> [params]" (RFC 5321
// §4.1.2; the texts write a space after the colon, which servers accept): the
// address, whether it is well formed, and the parameters after it. Only a
// reverse-path (null allowed) may be "<>".
func path(arg, keyword string, null bool) (addr string, ok bool, params string) {
	if len(arg) < len(keyword) || !strings.EqualFold(arg[:len(keyword)], keyword) {
		return "", false, ""
	}
	rest := strings.TrimLeft(arg[len(keyword):], " ")
	if !strings.HasPrefix(rest, "<") {
		return "", false, ""
	}
	end := strings.IndexByte(rest, '>')
	if end < 0 {
		return "", false, ""
	}
	addr, params = rest[1:end], strings.TrimSpace(rest[end+1:])
	if addr == "" {
		return "", null, params
	}
	if !isMailbox(addr) {
		return "", false, ""
	}
	return addr, true, params
}

// isMailbox: local@domain, parsed by net/mail as a bare address.
func isMailbox(addr string) bool {
	if strings.ContainsAny(addr, " <>\"\\") || !isDomain(domainOf(addr)) || !strings.Contains(addr, "@") {
		return false
	}
	a, err := netmail.ParseAddress(addr)
	return err == nil && a.Name == "" && a.Address == addr
}

// isDomain: dot-separated labels of letters, digits and hyphens (RFC 5321 §4.1.2),
// or an address literal in brackets.
func isDomain(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	if s[0] == '[' && s[len(s)-1] == ']' {
		return len(s) > 2 && printableASCII(s)
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c|0x20 && c|0x20 <= 'z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
