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

// Envelope is a message with its SMTP envelope (RFC 5321 §2.3.1): who to return it to
// if it fails (the reverse-path, "" for the null one of a bounce), who to deliver it
// to, and the message itself, CRLF lines.
type Envelope struct {
	From string
	To   []string
	Data string
}

// RcptResult is what one delivery attempt did for one recipient.
type RcptResult struct {
	Rcpt string
	// Code is the reply that decided it: 2xx delivered, 4xx try again later, 5xx
	// refused for good; 0 if the session failed before one came (try again later).
	Code  int
	Reply string // that reply's line
}

// Errors of an SMTP client session.
var (
	ErrSMTPReply   = errors.New("smtp: malformed reply")
	ErrSMTPTimeout = errors.New("smtp: no reply within the timeout")
	ErrSMTPClosed  = errors.New("smtp: the server closed the connection")
)

// smtpClientConfig is an SMTP client session's settings.
type smtpClientConfig struct {
	Hello string // the client's domain in HELO
	EHLO  bool
	// Proto is the protocol name its bytes are counted under.
	Proto      string
	Trace      *transcript.Recorder
	ServerName string
}

// ClientStats are an SMTP client's counts.
type ClientStats struct {
	Sessions int64 // connections it used
	Commands int64 // command lines sent (the message after DATA is not a command)
	Replies  int64 // replies received (a multi-line reply is one)
	BytesOut int64
	BytesIn  int64
}

// smtpJob is one envelope on a session, and what came of it.
type smtpJob struct {
	env      *Envelope
	done     func([]RcptResult)
	results  []RcptResult
	accepted []int // indexes of recipients the server took
}

// smtpClient is the client side of one SMTP session (RFC 5321 §3): it greets, then
// sends its envelopes one transaction each over the same connection (SMTP is
// persistent, Kurose & Ross §2.4.1), and quits when it has no more.
type smtpClient struct {
	h     topology.Host
	cfg   smtpClientConfig
	c     topology.Conn
	connN int
	in    crlf.Reader
	rd    smtpReplyReader
	stats *ClientStats
	queue []*smtpJob
	cur   *smtpJob
	next  func(code int, text string) // what to do with the next reply
	timer sim.EventID
	ready bool // greeted and idle between transactions
	quit  bool // QUIT sent: no more envelopes
	over  bool
	onEnd func(error)
}

// newSMTPClient runs a session on the connection c, which has just opened. onEnd is
// called once when it is over: nil after the server's 221, else the failure; every
// envelope's done has been called by then.
func newSMTPClient(h topology.Host, c topology.Conn, cfg smtpClientConfig, stats *ClientStats, onEnd func(error)) *smtpClient {
	cl := &smtpClient{h: h, cfg: cfg, c: c, in: crlf.Reader{Max: MaxTextLineBytes}, stats: stats, onEnd: onEnd}
	stats.Sessions++
	server := cfg.ServerName
	if server == "" {
		server = fmt.Sprintf("node%d", c.Remote().Node)
	}
	cl.connN = cfg.Trace.Open(h.Now(), "", fmt.Sprintf("%s:%d", h.Name(), c.Local().Port), fmt.Sprintf("%s:%d", server, c.Remote().Port))
	c.SetHandler(&topology.ConnHandler{
		OnMessage: func(_ topology.Conn, m topology.Message) { cl.input(m) },
		OnClose: func(c topology.Conn) {
			c.Close()
			cl.fail(ErrSMTPClosed)
		},
		OnReset: func(_ topology.Conn, err error) { cl.fail(err) },
	})
	cl.expect(smtpReplyTimeout, func(code int, text string) {
		if code != 220 {
			cl.abort(code, text)
			return
		}
		hello := "HELO "
		if cfg.EHLO {
			hello = "EHLO "
		}
		cl.send(hello + cfg.Hello)
		cl.expect(smtpReplyTimeout, func(code int, text string) {
			if code != 250 {
				cl.abort(code, text)
				return
			}
			cl.ready = true
			cl.step()
		})
	})
	return cl
}

// add gives the session another envelope; false if it has quit.
func (cl *smtpClient) add(env *Envelope, done func([]RcptResult)) bool {
	if cl.quit || cl.over {
		return false
	}
	cl.queue = append(cl.queue, &smtpJob{env: env, done: done})
	if cl.ready && cl.cur == nil {
		cl.step()
	}
	return true
}

func (cl *smtpClient) send(line string) {
	cl.stats.Commands++
	cl.write(line + "\r\n")
}

func (cl *smtpClient) write(text string) {
	cl.cfg.Trace.Text("C", text)
	m := crlf.Message(text)
	cl.stats.BytesOut += m.SizeBytes
	cl.c.Send(m)
}

func (cl *smtpClient) expect(timeout sim.Time, fn func(code int, text string)) {
	cl.next = fn
	if cl.timer != 0 {
		cl.h.Cancel(cl.timer)
	}
	cl.timer = cl.h.After(timeout, func() {
		cl.timer = 0
		cl.c.Abort()
		cl.fail(ErrSMTPTimeout)
	})
}

func (cl *smtpClient) input(m topology.Message) {
	if cl.over {
		return
	}
	cl.stats.BytesIn += m.SizeBytes
	text, ok := crlf.Text(m)
	if !ok {
		cl.c.Abort()
		cl.fail(ErrSMTPReply)
		return
	}
	cl.cfg.Trace.Text("S", text)
	cl.in.Feed(text, func(line string, tooLong bool) bool {
		code, text, done, err := cl.rd.line(line, tooLong)
		if err != nil {
			cl.c.Abort()
			cl.fail(err)
			return false
		}
		if !done {
			return true
		}
		cl.stats.Replies++
		fn := cl.next
		cl.next = nil
		if cl.timer != 0 {
			cl.h.Cancel(cl.timer)
			cl.timer = 0
		}
		if fn == nil || code == 421 {
			// Unasked-for, or the server is closing the channel (RFC 5321 §3.8).
			cl.c.Abort()
			cl.fail(fmt.Errorf("smtp: %d %s", code, text))
			return false
		}
		fn(code, text)
		return !cl.over
	})
}

// step starts the next transaction, or quits when there is none.
func (cl *smtpClient) step() {
	if cl.over || cl.cur != nil {
		return
	}
	if len(cl.queue) == 0 {
		cl.quit = true
		cl.send("QUIT")
		cl.expect(smtpReplyTimeout, func(code int, text string) {
			cl.c.Close()
			cl.end(nil)
		})
		return
	}
	j := cl.queue[0]
	cl.queue = cl.queue[1:]
	cl.cur = j
	j.results = make([]RcptResult, len(j.env.To))
	for i, r := range j.env.To {
		j.results[i].Rcpt = r
	}
	cl.send("MAIL FROM: <" + j.env.From + ">")
	cl.expect(smtpReplyTimeout, func(code int, text string) {
		if code/100 != 2 {
			cl.decide(j, nil, code, text)
			cl.reset()
			return
		}
		cl.rcpt(j, 0)
	})
}

// rcpt sends the i-th RCPT TO, and after the last, DATA.
func (cl *smtpClient) rcpt(j *smtpJob, i int) {
	if i == len(j.env.To) {
		if len(j.accepted) == 0 {
			cl.reset()
			return
		}
		cl.send("DATA")
		cl.expect(smtpReplyTimeout, func(code int, text string) {
			if code != 354 {
				cl.decide(j, j.accepted, code, text)
				cl.reset()
				return
			}
			cl.write(Stuff(j.env.Data))
			cl.expect(smtpDataTimeout, func(code int, text string) {
				cl.decide(j, j.accepted, code, text)
				cl.finish(j)
			})
		})
		return
	}
	cl.send("RCPT TO: <" + j.env.To[i] + ">")
	cl.expect(smtpReplyTimeout, func(code int, text string) {
		if code/100 == 2 {
			j.accepted = append(j.accepted, i)
		} else {
			j.results[i].Code, j.results[i].Reply = code, fmt.Sprintf("%d %s", code, text)
		}
		cl.rcpt(j, i+1)
	})
}

// decide gives the recipients at idx (all, if nil) the reply code.
func (cl *smtpClient) decide(j *smtpJob, idx []int, code int, text string) {
	line := fmt.Sprintf("%d %s", code, text)
	if idx == nil {
		for i := range j.results {
			j.results[i].Code, j.results[i].Reply = code, line
		}
		return
	}
	for _, i := range idx {
		j.results[i].Code, j.results[i].Reply = code, line
	}
}

// reset ends a failed transaction with RSET before the next (RFC 5321 §4.1.1.5).
func (cl *smtpClient) reset() {
	j := cl.cur
	cl.send("RSET")
	cl.expect(smtpReplyTimeout, func(int, string) { cl.finish(j) })
}

func (cl *smtpClient) finish(j *smtpJob) {
	cl.cur = nil
	j.done(j.results)
	cl.step()
}

// abort ends the session on an unexpected reply.
func (cl *smtpClient) abort(code int, text string) {
	cl.c.Abort()
	cl.fail(fmt.Errorf("smtp: unexpected reply %d %s", code, text))
}

// fail ends the session early: the envelopes not decided get code 0, and their done
// is called before onEnd.
func (cl *smtpClient) fail(err error) {
	if cl.over {
		return
	}
	jobs := cl.queue
	if cl.cur != nil {
		jobs = append([]*smtpJob{cl.cur}, jobs...)
	}
	cl.queue, cl.cur = nil, nil
	cl.stop()
	for _, j := range jobs {
		if j.results == nil {
			j.results = make([]RcptResult, len(j.env.To))
			for i, r := range j.env.To {
				j.results[i].Rcpt = r
			}
		}
		j.done(j.results)
	}
	cl.onEnd(err)
}

// end is the session's orderly end, after QUIT.
func (cl *smtpClient) end(err error) {
	if cl.over {
		return
	}
	cl.stop()
	cl.onEnd(err)
}

func (cl *smtpClient) stop() {
	cl.over, cl.quit = true, true
	if cl.timer != 0 {
		cl.h.Cancel(cl.timer)
		cl.timer = 0
	}
	cl.cfg.Trace.Closed(cl.h.Now(), cl.connN)
}

// smtpReplyReader assembles SMTP replies (RFC 5321 §4.2): "250 text", or lines
// "250-text" continued up to "250 text", all with the same code.
type smtpReplyReader struct {
	code int
	text []string
}

// line takes one line and says whether it completed a reply; a line that is not a
// reply is an error.
func (r *smtpReplyReader) line(s string, tooLong bool) (code int, text string, done bool, err error) {
	if tooLong || len(s) < 3 {
		return 0, "", false, fmt.Errorf("%w: %q", ErrSMTPReply, s)
	}
	n, convErr := strconv.Atoi(s[:3])
	if convErr != nil || n < 200 || n > 599 || s[0] == '+' || s[0] == '-' || (r.code != 0 && n != r.code) {
		return 0, "", false, fmt.Errorf("%w: %q", ErrSMTPReply, s)
	}
	if len(s) > 3 && s[3] != ' ' && s[3] != '-' {
		return 0, "", false, fmt.Errorf("%w: %q", ErrSMTPReply, s)
	}
	body := ""
	if len(s) > 4 {
		body = s[4:]
	}
	r.code = n
	r.text = append(r.text, body)
	if len(s) > 3 && s[3] == '-' {
		if len(r.text) > 100 {
			return 0, "", false, fmt.Errorf("%w: a reply of over 100 lines", ErrSMTPReply)
		}
		return 0, "", false, nil
	}
	text = strings.Join(r.text, "\n")
	r.code, r.text = 0, nil
	return n, text, true, nil
}
