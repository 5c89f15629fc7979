package mail

import (
	"fmt"
	"html"
	"strconv"
	"strings"

	"netsim/apps/http"
	"netsim/sim"
	"netsim/topology"
)

// Web mail (Kurose & Ross §2.4.4): the user agent is an ordinary browser, which talks
// to the mailbox over HTTP — the server's apps/http front end — while the server still
// sends and receives other servers' mail over SMTP. The pages:
//
//	GET  /USER/inbox   the INBOX as an HTML list: each message's subject, sender, size
//	GET  /USER/N       message N, whole (message/rfc822)
//	POST /USER/send    the body is a message to send, RFC 5322 text; its To: and Cc:
//	                   fields are the recipients
//
// The model does not authenticate the browser (a real site would, with a session
// cookie).

// webName is the front end's Server field.
const webName = "netsim-webmail"

// webmail is the front end's http.Handler: it answers every request, with a page or
// 404. A Handler's answer goes out as it is built, so it sets Date, Server and the
// body's length itself; a response to HEAD carries none (RFC 7230 §3.3.3).
func (s *Server) webmail(req *http.Request, w *http.Reply) {
	resp := s.webPage(req)
	resp.Version = http.Version11
	resp.Date = s.h.Now()
	resp.Server = webName
	resp.ContentLength = int64(len(resp.Body))
	resp.BodyBytes = resp.ContentLength
	if req.Method == http.MethodHead {
		resp.Body, resp.BodyBytes = "", 0
	}
	w.Send(resp)
}

// webPage answers the pages; 404 for a path that is not one.
func (s *Server) webPage(req *http.Request) *http.Response {
	page := func(status int, ct, body string) *http.Response {
		return &http.Response{Status: status, ContentType: ct, Body: body}
	}
	notFound := page(http.StatusNotFound, "text/html", "<html><body><p>Not found.</p></body></html>\n")
	parts := strings.Split(strings.TrimPrefix(req.Target, "/"), "/")
	if len(parts) != 2 {
		return notFound
	}
	acct, ok := s.store.Account(parts[0])
	if !ok {
		return notFound
	}
	inbox, _ := acct.Folder(Inbox)
	get := req.Method == http.MethodGet || req.Method == http.MethodHead
	switch what := parts[1]; {
	case what == "inbox" && get:
		return page(http.StatusOK, "text/html", inboxPage(acct.Name, inbox))
	case what == "send" && req.Method == http.MethodPost:
		if err := s.submitWeb(acct, req.Body); err != nil {
			return page(http.StatusBadRequest, "text/html", "<html><body><p>"+html.EscapeString(err.Error())+"</p></body></html>\n")
		}
		return page(http.StatusOK, "text/html", "<html><body><p>Message sent.</p></body></html>\n")
	case get:
		n, err := strconv.Atoi(what)
		if err != nil || n < 1 || n > len(inbox.Msgs) {
			return notFound
		}
		m := inbox.Msgs[n-1]
		if req.Method == http.MethodGet {
			m.Seen = true
		}
		return page(http.StatusOK, "message/rfc822", m.Text)
	}
	return notFound
}

// inboxPage is the listing of a folder.
func inboxPage(user string, f *Folder) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<html><head><title>Inbox of %s</title></head><body><ol>\n", html.EscapeString(user))
	for i, m := range f.Msgs {
		from, subject := "", ""
		if h, err := Header(m.Text); err == nil {
			from, subject = h.Get("From"), h.Get("Subject")
		}
		fmt.Fprintf(&b, "<li><a href=\"/%s/%d\">%s</a> from %s, %d bytes</li>\n",
			html.EscapeString(user), i+1, html.EscapeString(subject), html.EscapeString(from), len(m.Text))
	}
	b.WriteString("</ol></body></html>\n")
	return b.String()
}

// submitWeb takes in a message posted by a user: its recipients are those of its To:
// and Cc: fields (parsed by net/mail), its sender the user.
func (s *Server) submitWeb(acct *Account, text string) error {
	if err := Check7Bit(text); err != nil {
		return err
	}
	h, err := Header(text)
	if err != nil {
		return fmt.Errorf("not a message: %w", err)
	}
	var rcpts []string
	for _, field := range []string{"To", "Cc"} {
		list, err := Addresses(h, field)
		if err != nil {
			return fmt.Errorf("%s: %w", field, err)
		}
		rcpts = append(rcpts, list...)
	}
	if len(rcpts) == 0 {
		return fmt.Errorf("no recipients")
	}
	for _, r := range rcpts {
		if !isMailbox(r) {
			return fmt.Errorf("bad recipient %q", r)
		}
		if s.local(r) {
			if _, ok := s.store.Account(localPart(r)); !ok {
				return fmt.Errorf("no user %s", r)
			}
		}
	}
	s.receive(acct.Name+"@"+s.cfg.Domain, rcpts, text, s.received("webmail"), false)
	return nil
}

// countWeb is the front end's access log: the HTTP bytes each way.
func (s *Server) countWeb(req *http.Request, resp *http.Response) {
	if req != nil {
		s.countIn(ProtoHTTP, http.MessageOfRequest(req).SizeBytes)
	}
	s.countOut(ProtoHTTP, resp.WireBytes())
}

// WebmailConfig is a user at a browser: what to send and what to read.
type WebmailConfig struct {
	Server     topology.Addr // the mail server's web front end
	ServerName string        // its host name, for the Host field
	User       string
	// Send are messages (RFC 5322 text) posted at Start; then, if Read, the INBOX page
	// is loaded and, of its messages, those numbered in Open (from 1; nil: all).
	Send  []string
	Read  bool
	Open  []int
	Start sim.Time
}

// WebmailUser is the browser program of cfg; res records what it did.
func WebmailUser(cfg WebmailConfig, res *AccessResult) func(topology.Host) error {
	return func(h topology.Host) error {
		cl := http.NewClient(h, http.ClientConfig{})
		w := &webUser{h: h, cfg: cfg, res: res, cl: cl}
		h.After(cfg.Start, w.begin)
		return nil
	}
}

type webUser struct {
	h   topology.Host
	cfg WebmailConfig
	res *AccessResult
	cl  *http.Client
}

func (w *webUser) do(method, target, body string, then func(*http.Response)) {
	req := &http.Request{Method: method, Target: target, Version: http.Version11, Host: w.cfg.ServerName,
		Body: body, BodyBytes: int64(len(body))}
	w.cl.Do(w.cfg.Server, req, func(x http.Exchange) {
		w.res.Commands++
		w.res.BytesOut += x.ReqBytes
		if x.NewConn {
			w.res.Conns++
		}
		if x.Err != nil {
			w.res.fail(w.h, x.Err)
			return
		}
		w.res.Replies++
		w.res.BytesIn += x.RespBytes
		if x.Resp.Status != http.StatusOK {
			w.res.fail(w.h, fmt.Errorf("webmail: %s %s: %d", method, target, x.Resp.Status))
			return
		}
		then(x.Resp)
	})
}

func (w *webUser) begin() {
	w.res.Start = w.h.Now()
	w.send(0)
}

func (w *webUser) send(i int) {
	if i == len(w.cfg.Send) {
		if w.cfg.Read {
			w.read()
		} else {
			w.res.Done = w.h.Now()
		}
		return
	}
	w.do(http.MethodPost, "/"+w.cfg.User+"/send", w.cfg.Send[i], func(*http.Response) { w.send(i + 1) })
}

func (w *webUser) read() {
	w.do(http.MethodGet, "/"+w.cfg.User+"/inbox", "", func(resp *http.Response) {
		n := strings.Count(resp.Body, "<li>")
		open := w.cfg.Open
		if open == nil {
			for i := 1; i <= n; i++ {
				open = append(open, i)
			}
		}
		w.open(open)
	})
}

func (w *webUser) open(nums []int) {
	if len(nums) == 0 {
		w.res.Done = w.h.Now()
		return
	}
	w.do(http.MethodGet, fmt.Sprintf("/%s/%d", w.cfg.User, nums[0]), "", func(resp *http.Response) {
		w.res.Messages = append(w.res.Messages, resp.Body)
		w.res.ContentBytes += int64(len(resp.Body))
		w.open(nums[1:])
	})
}
