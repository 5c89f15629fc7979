package mail

import (
	"fmt"
	"strings"

	"netsim/apps/http"
	"netsim/apps/transcript"
	"netsim/sim"
	"netsim/topology"
)

// Well-known ports (IANA; RFC 5321 §4.5.4, RFC 1939 §3, RFC 9051 §2.1).
const (
	SMTPPort = 25
	POP3Port = 110
	IMAPPort = 143
	WebPort  = http.DefaultPort
)

// Defaults of a mail server, from the texts and the RFCs.
const (
	// DefaultRetryInterval: "Reattempts are often done every 30 minutes or so"
	// (Kurose & Ross §2.4); RFC 5321 §4.5.4.1: "the retry interval SHOULD be at least
	// 30 minutes".
	DefaultRetryInterval = 30 * sim.Minute
	// DefaultGiveUpAfter: "if there is no success after several days, the server
	// removes the message and notifies the sender"; RFC 5321 §4.5.4.1: "the give-up
	// time generally needs to be at least 4-5 days".
	DefaultGiveUpAfter = 5 * 24 * sim.Hour
	// DefaultMaxMessageBytes is the largest message the server accepts (advertised
	// with EHLO's SIZE, RFC 1870): 10 MiB, Postfix's message_size_limit default.
	DefaultMaxMessageBytes = 10 << 20
)

// ServerConfig is a mail server's settings.
type ServerConfig struct {
	// Domain is the mail domain the server is the final destination for, and its name
	// in greetings and trace fields ("hamburger.edu").
	Domain string
	// Store is the server's disk (users, mail, queue); nil: a new empty one. Pass the
	// same one to every boot.
	Store *Store
	// MX finds other domains' servers; nil: a server that relays nothing (mail to
	// other domains bounces).
	MX MXResolver
	// RetryInterval is the time from one delivery attempt to a domain to the next
	// (0: DefaultRetryInterval); GiveUpAfter the time in the queue after which a
	// message that could not be delivered is bounced (0: DefaultGiveUpAfter).
	RetryInterval, GiveUpAfter sim.Time
	// Ports: 0 for the well-known one, negative to not serve that protocol. WebPort
	// is 0 for no web mail.
	SMTPPort, POP3Port, IMAPPort, WebPort int
	// MaxMessageBytes is the largest message accepted (0: DefaultMaxMessageBytes).
	MaxMessageBytes int64
	// EHLO makes the relay client greet with EHLO (RFC 5321 §4.1.1.1) rather than the
	// texts' HELO.
	EHLO bool
	// Trace, if set, records the relay client's SMTP dialogues.
	Trace *transcript.Recorder
}

// Protocols a server counts bytes of.
const (
	ProtoSMTP  = "smtp"       // as server (submission and incoming mail)
	ProtoRelay = "smtp-relay" // as the client relaying to other servers
	ProtoPOP3  = "pop3"
	ProtoIMAP  = "imap"
	ProtoHTTP  = "http"
)

// ServerStats are a server's counts, over its lives.
type ServerStats struct {
	Sessions map[string]int64 // connections accepted, by protocol (ProtoSMTP, ...)
	// Accepted counts messages taken in (a 250 after DATA, or a web mail post);
	// Deposited those put in a local mailbox, one per recipient.
	Accepted, Deposited int64
	// Relay: Attempts is connection attempts to other domains' servers (one per domain
	// and try), Retries the attempts after a domain's first for a message, Relayed the
	// recipients another server accepted, Bounced those given up (a 5xx, or the give-up
	// time), Bounces the delivery status notifications written.
	Attempts, Retries, Relayed, Bounced, Bounces int64
	// Replies counts the SMTP server's replies by code.
	Replies map[int]int64
	// BytesIn and BytesOut are the message bytes received and sent, by protocol.
	BytesIn, BytesOut map[string]int64
}

func newServerStats() *ServerStats {
	return &ServerStats{Sessions: map[string]int64{}, Replies: map[int]int64{},
		BytesIn: map[string]int64{}, BytesOut: map[string]int64{}}
}

// Server is a mail server on one host (Kurose & Ross §2.4): an SMTP server for its
// users' agents and for other servers, a queue of messages to relay with an SMTP
// client, and the access protocols POP3 and IMAP, and web mail.
type Server struct {
	h       topology.Host
	cfg     ServerConfig
	store   *Store
	stats   *ServerStats
	domains map[string]*domainState // relay state per destination domain
	web     *http.Server
	locks   map[string]bool // POP3 maildrops locked, by lower-case user
}

// NewServer starts a server on h: its listeners, and the delivery of what its queue
// holds (a rebooted server runs its queue at once, as sendmail -q does on starting).
// stats, if not nil, accumulates the counts across reboots.
func NewServer(h topology.Host, cfg ServerConfig, stats *ServerStats) (*Server, error) {
	if cfg.Domain == "" {
		return nil, fmt.Errorf("mail server %s: no domain", h.Name())
	}
	cfg.Domain = strings.ToLower(cfg.Domain)
	if cfg.Store == nil {
		cfg.Store = NewStore()
	}
	if cfg.RetryInterval <= 0 {
		cfg.RetryInterval = DefaultRetryInterval
	}
	if cfg.GiveUpAfter <= 0 {
		cfg.GiveUpAfter = DefaultGiveUpAfter
	}
	if cfg.MaxMessageBytes <= 0 {
		cfg.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if stats == nil {
		stats = newServerStats()
	}
	if stats.Sessions == nil {
		*stats = *newServerStats()
	}
	s := &Server{h: h, cfg: cfg, store: cfg.Store, stats: stats, domains: map[string]*domainState{}}
	for _, l := range []struct {
		port, def int
		accept    func(topology.Conn)
	}{{cfg.SMTPPort, SMTPPort, s.acceptSMTP}, {cfg.POP3Port, POP3Port, s.acceptPOP3}, {cfg.IMAPPort, IMAPPort, s.acceptIMAP}} {
		port := l.port
		if port < 0 {
			continue
		}
		if port == 0 {
			port = l.def
		}
		if _, err := h.Listen(port, l.accept); err != nil {
			return nil, fmt.Errorf("mail server: %w", err)
		}
	}
	if cfg.WebPort > 0 {
		web, err := http.NewServer(h, http.ServerConfig{Port: cfg.WebPort, Handler: s.webmail, Trace: s.countWeb, Name: webName})
		if err != nil {
			return nil, fmt.Errorf("mail server: %w", err)
		}
		s.web = web
	}
	s.runQueue()
	return s, nil
}

// Stats returns the server's counts.
func (s *Server) Stats() *ServerStats { return s.stats }

// Store returns the server's disk.
func (s *Server) Store() *Store { return s.store }

// Domain returns the server's mail domain.
func (s *Server) Domain() string { return s.cfg.Domain }

// local reports whether addr's domain is the server's.
func (s *Server) local(addr string) bool {
	return strings.EqualFold(domainOf(addr), s.cfg.Domain)
}

// domainOf returns the part of an address after its last "@".
func domainOf(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	return strings.ToLower(addr[i+1:])
}

// localPart returns the part of an address before its last "@".
func localPart(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return addr
	}
	return addr[:i]
}

// receive takes in a message for recipients: those of the server's domain get it in
// their INBOX (with a Return-Path field, RFC 5321 §4.4), the others go to the queue.
// trace is the Received field this server adds at the top (RFC 5321 §4.4), "" for a
// message the server wrote itself.
func (s *Server) receive(from string, rcpts []string, data, trace string, bounce bool) {
	s.stats.Accepted++
	var remote []string
	for _, r := range rcpts {
		if s.local(r) {
			s.deposit(from, r, trace+data, bounce)
		} else {
			remote = append(remote, r)
		}
	}
	if len(remote) > 0 {
		s.enqueue(from, remote, trace+data)
	}
}

func (s *Server) deposit(from, rcpt, data string, bounce bool) {
	text := "Return-Path: <" + from + ">\r\n" + data
	if s.store.Deposit(localPart(rcpt), text, s.h.Now(), bounce) {
		s.stats.Deposited++
	}
}

// received is the Received trace field for a message that came over SMTP from a client
// that said HELO helo (RFC 5321 §4.4).
func (s *Server) received(helo string) string {
	return fmt.Sprintf("Received: from %s by %s; %s\r\n", helo, s.cfg.Domain, FormatDate(s.h.Now()))
}

// count adds a message's bytes to a protocol's counts.
func (s *Server) countIn(proto string, n int64)  { s.stats.BytesIn[proto] += n }
func (s *Server) countOut(proto string, n int64) { s.stats.BytesOut[proto] += n }
