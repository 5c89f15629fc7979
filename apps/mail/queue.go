package mail

import (
	"errors"
	"fmt"
	"strings"

	"netsim/sim"
	"netsim/topology"
)

// The relay (Kurose & Ross §2.4.1, RFC 5321 §4.5.4): a message for another domain
// waits in the server's queue while the server's SMTP client finds the domain's mail
// exchangers, connects to one and hands the message over. A domain that cannot be
// reached is tried again RetryInterval after the last attempt began; a message still
// undelivered past GiveUpAfter in the queue is given up and a delivery status
// notification (RFC 3464) goes back to its sender. Messages for one domain share one
// connection: those that arrive while a session is open join it before its QUIT.

// queued is a message waiting to be relayed, on the server's disk.
type queued struct {
	id       uint64
	from     string
	data     string
	pending  []string // recipients not yet delivered nor given up
	queuedAt sim.Time
	// sending names the domains whose open session has this message.
	sending map[string]bool
	// tried names the domains attempted for it (for the retry count); last is the
	// last temporary failure per recipient, for the bounce's diagnostic.
	tried map[string]bool
	last  map[string]string
}

// domainState is the relay's state for one destination domain, in memory: it is lost
// with the program, and a rebooted server starts every domain afresh.
type domainState struct {
	name     string
	client   *smtpClient // the session open now
	busy     bool        // an MX lookup or a dial is under way
	retry    sim.EventID // the next attempt, while waiting for it
	started  sim.Time    // when the current or last attempt began
	leftover bool        // the open session left a recipient to try again
	clients  ClientStats
}

// failure is a recipient given up, for a bounce.
type failure struct {
	rcpt, status, diagnostic string
}

// enqueue puts a message for other domains' recipients in the queue and starts its
// delivery.
func (s *Server) enqueue(from string, rcpts []string, data string) {
	st := s.store
	st.nextID++
	q := &queued{id: st.nextID, from: from, data: data, pending: append([]string(nil), rcpts...),
		queuedAt: s.h.Now(), sending: map[string]bool{}, tried: map[string]bool{}, last: map[string]string{}}
	st.queue = append(st.queue, q)
	for _, d := range q.domains() {
		s.kick(d)
	}
}

// domains lists the domains of q's pending recipients, in order of first mention.
func (q *queued) domains() []string {
	var out []string
	for _, r := range q.pending {
		d := domainOf(r)
		if !contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// rcptsIn returns q's pending recipients in domain d.
func (q *queued) rcptsIn(d string) []string {
	var out []string
	for _, r := range q.pending {
		if domainOf(r) == d {
			out = append(out, r)
		}
	}
	return out
}

// waiting returns the queued messages with pending recipients in d.
func (s *Server) waiting(d string) []*queued {
	var out []*queued
	for _, q := range s.store.queue {
		if len(q.rcptsIn(d)) > 0 {
			out = append(out, q)
		}
	}
	return out
}

func (s *Server) domain(d string) *domainState {
	ds := s.domains[d]
	if ds == nil {
		ds = &domainState{name: d}
		s.domains[d] = ds
	}
	return ds
}

// runQueue starts delivery to every domain the queue holds mail for: at boot.
func (s *Server) runQueue() {
	var ds []string
	for _, q := range s.store.queue {
		for _, d := range q.domains() {
			if !contains(ds, d) {
				ds = append(ds, d)
			}
		}
	}
	for _, d := range ds {
		s.kick(d)
	}
}

// kick makes sure mail waiting for d is on its way: handed to the open session, or
// an attempt started, unless one is under way or d waits for its retry.
func (s *Server) kick(d string) {
	ds := s.domain(d)
	switch {
	case ds.client != nil && !ds.client.quit:
		s.offer(ds)
	case ds.client != nil, ds.busy, ds.retry != 0:
	default:
		s.attempt(ds)
	}
}

// attempt is one delivery attempt to domain ds: look up its exchangers, dial them in
// order of preference (RFC 5321 §5.1), and send what waits for it.
func (s *Server) attempt(ds *domainState) {
	ds.started = s.h.Now()
	ds.busy = true
	ds.leftover = false
	s.stats.Attempts++
	for _, q := range s.waiting(ds.name) {
		if q.tried[ds.name] {
			s.stats.Retries++
		}
		q.tried[ds.name] = true
	}
	if s.cfg.MX == nil {
		ds.busy = false
		s.giveUp(ds.name, "5.4.4", "no route to the domain: the server relays to no other")
		return
	}
	s.cfg.MX.LookupMX(ds.name, func(mxs []MX, err error) {
		switch {
		case errors.Is(err, ErrNoDomain):
			ds.busy = false
			s.giveUp(ds.name, "5.1.2", "Host or domain name not found: "+ds.name)
		case err != nil:
			s.deferDomain(ds, "MX lookup failed: "+err.Error())
		default:
			s.dial(ds, mxs, 0, "")
		}
	})
}

// dial tries the i-th exchanger, then the next.
func (s *Server) dial(ds *domainState, mxs []MX, i int, lastErr string) {
	if i == len(mxs) {
		s.deferDomain(ds, lastErr)
		return
	}
	mx := mxs[i]
	s.h.Dial(topology.Addr{Node: mx.Node, Port: SMTPPort}, topology.TCPOptions{}, func(c topology.Conn, err error) {
		if err != nil {
			s.dial(ds, mxs, i+1, fmt.Sprintf("connect to %s: %v", mx.Host, err))
			return
		}
		ds.busy = false
		cfg := smtpClientConfig{Hello: s.cfg.Domain, EHLO: s.cfg.EHLO, Proto: ProtoRelay, Trace: s.cfg.Trace, ServerName: mx.Host}
		ds.client = newSMTPClient(s.h, c, cfg, &ds.clients, func(err error) { s.sessionEnded(ds, err) })
		s.offer(ds)
	})
}

// offer hands the open session every waiting message it does not have yet.
func (s *Server) offer(ds *domainState) {
	for _, q := range s.waiting(ds.name) {
		if q.sending[ds.name] {
			continue
		}
		env := &Envelope{From: q.from, To: q.rcptsIn(ds.name), Data: q.data}
		q.sending[ds.name] = true
		if !ds.client.add(env, func(rs []RcptResult) { s.results(ds, q, rs) }) {
			q.sending[ds.name] = false
			return
		}
	}
}

// results applies one transaction's outcome to q.
func (s *Server) results(ds *domainState, q *queued, rs []RcptResult) {
	q.sending[ds.name] = false
	var failed []failure
	for _, r := range rs {
		switch {
		case r.Code/100 == 2:
			s.stats.Relayed++
			q.drop(r.Rcpt)
		case r.Code/100 == 5:
			q.drop(r.Rcpt)
			failed = append(failed, failure{r.Rcpt, "5.0.0", r.Reply})
		default:
			ds.leftover = true
			if r.Reply != "" {
				q.last[r.Rcpt] = r.Reply
			}
		}
	}
	s.countTraffic(ds)
	if len(failed) > 0 {
		s.bounce(q, failed)
	}
	s.forgetIfDone(q)
}

// countTraffic moves the relay client's byte counts into the server's.
func (s *Server) countTraffic(ds *domainState) {
	s.stats.BytesOut[ProtoRelay] += ds.clients.BytesOut
	s.stats.BytesIn[ProtoRelay] += ds.clients.BytesIn
	ds.clients.BytesOut, ds.clients.BytesIn = 0, 0
}

func (q *queued) drop(rcpt string) {
	for i, r := range q.pending {
		if r == rcpt {
			q.pending = append(q.pending[:i], q.pending[i+1:]...)
			return
		}
	}
}

func (s *Server) forgetIfDone(q *queued) {
	if len(q.pending) > 0 {
		return
	}
	for i, x := range s.store.queue {
		if x == q {
			s.store.queue = append(s.store.queue[:i], s.store.queue[i+1:]...)
			return
		}
	}
}

// sessionEnded: what the session left (temporary failures, or all it had if it
// failed) waits for the retry; messages that came after its QUIT go now.
func (s *Server) sessionEnded(ds *domainState, err error) {
	ds.client = nil
	s.countTraffic(ds)
	if len(s.waiting(ds.name)) == 0 {
		return
	}
	switch {
	case err != nil:
		s.deferDomain(ds, err.Error())
		return
	case ds.leftover:
		s.deferDomain(ds, "") // the replies say why
		return
	}
	s.attempt(ds)
}

// deferDomain schedules the next attempt to ds, RetryInterval after this one began;
// messages whose give-up time that would pass are bounced now. reason is why the
// attempt failed, "" when the server's replies say it.
func (s *Server) deferDomain(ds *domainState, reason string) {
	ds.busy = false
	now := s.h.Now()
	next := max(ds.started+s.cfg.RetryInterval, now)
	for _, q := range s.waiting(ds.name) {
		if reason != "" {
			for _, r := range q.rcptsIn(ds.name) {
				q.last[r] = reason
			}
		}
		if next > q.queuedAt+s.cfg.GiveUpAfter {
			s.expire(q, ds.name)
		}
	}
	if len(s.waiting(ds.name)) == 0 {
		return
	}
	ds.retry = s.h.After(next-now, func() {
		ds.retry = 0
		s.attempt(ds)
	})
}

// expire gives up q's recipients in d: the give-up time has passed (RFC 3463's 4.4.7,
// delivery time expired).
func (s *Server) expire(q *queued, d string) {
	var failed []failure
	for _, r := range q.rcptsIn(d) {
		why := fmt.Sprintf("delivery time expired: not delivered in %v (last attempt: %s)", s.cfg.GiveUpAfter, q.last[r])
		failed = append(failed, failure{r, "4.4.7", why})
		q.drop(r)
	}
	s.bounce(q, failed)
	s.forgetIfDone(q)
}

// giveUp bounces every waiting recipient in d at once: a permanent failure of the
// domain itself.
func (s *Server) giveUp(d, status, why string) {
	for _, q := range s.waiting(d) {
		var failed []failure
		for _, r := range q.rcptsIn(d) {
			failed = append(failed, failure{r, status, why})
			q.drop(r)
		}
		s.bounce(q, failed)
		s.forgetIfDone(q)
	}
}

// bounce tells q's sender that failed could not be delivered: a delivery status
// notification from the server's MAILER-DAEMON with the null reverse-path, so that it
// is never bounced itself (RFC 5321 §6.1); a message that had the null reverse-path
// (a bounce) is dropped with no notification.
func (s *Server) bounce(q *queued, failed []failure) {
	if len(failed) == 0 {
		return
	}
	s.stats.Bounced += int64(len(failed))
	if q.from == "" {
		return
	}
	s.stats.Bounces++
	s.store.nextID++
	dsn := s.statusReport(q, failed, s.store.nextID)
	s.receive("", []string{q.from}, dsn, "", true)
}

// statusReport writes the notification (RFC 3464, RFC 6522's multipart/report).
func (s *Server) statusReport(q *queued, failed []failure, id uint64) string {
	var text, status strings.Builder
	fmt.Fprintf(&text, "This is the mail system at %s.\r\n\r\nYour message could not be delivered to one or more recipients:\r\n\r\n", s.cfg.Domain)
	fmt.Fprintf(&status, "Reporting-MTA: dns; %s\r\nArrival-Date: %s\r\n", s.cfg.Domain, FormatDate(q.queuedAt))
	for _, f := range failed {
		fmt.Fprintf(&text, "<%s>: %s\r\n", f.rcpt, oneLine(f.diagnostic))
		fmt.Fprintf(&status, "\r\nFinal-Recipient: rfc822; %s\r\nAction: failed\r\nStatus: %s\r\n", f.rcpt, f.status)
		if strings.HasPrefix(f.diagnostic, "4") || strings.HasPrefix(f.diagnostic, "5") {
			fmt.Fprintf(&status, "Diagnostic-Code: smtp; %s\r\n", oneLine(f.diagnostic))
		}
	}
	header, _ := SplitHeader(q.data)
	msg, err := composeReport(Draft{
		From:      "Mail Delivery System <MAILER-DAEMON@" + s.cfg.Domain + ">",
		To:        []string{q.from},
		Subject:   "Undelivered Mail Returned to Sender",
		Date:      s.h.Now(),
		MessageID: fmt.Sprintf("<%d.bounce@%s>", id, s.cfg.Domain),
	}, text.String(), status.String(), header)
	if err != nil {
		// Only a sender address that is not text could do this; the notification
		// then carries no copy of it.
		msg, _ = composeReport(Draft{From: "MAILER-DAEMON@" + s.cfg.Domain, To: []string{"postmaster@" + s.cfg.Domain},
			Subject: "Undelivered Mail Returned to Sender", Date: s.h.Now()}, text.String(), status.String(), "")
	}
	return msg
}

// oneLine folds a diagnostic to one line of printable ASCII.
func oneLine(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c < 0x20 || c >= 0x7f {
			b[i] = ' '
		}
	}
	if len(b) > 400 {
		b = b[:400]
	}
	return string(b)
}
