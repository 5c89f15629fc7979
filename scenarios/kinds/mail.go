package kinds

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"netsim/apps/dns"
	"netsim/apps/mail"
	"netsim/scenarios"
	"netsim/scenarios/units"
	"netsim/sim"
	"netsim/topology"
)

// mail: Alice sends Bob mail (Kurose & Ross §2.4.1): her user agent pushes it to her
// server crepes.fr, over SMTP or, with web mail, as an HTTP POST from her browser;
// crepes.fr queues it and pushes it on over SMTP to hamburger.edu, which may be down
// for a while at the start: crepes.fr then retries every retry interval and gives up,
// bouncing a delivery status notification to Alice, after the give-up time. Every
// host is rtt/4 from the core: any two are an RTT apart.
type mailParams struct {
	Submit        string         `yaml:"submit" default:"smtp" oneof:"smtp webmail" help:"how Alice hands her mail to her server: SMTP from her user agent (push), or an HTTP POST from her browser (web mail)"`
	Messages      int            `yaml:"messages" default:"1" range:"[1,1000]" help:"messages Alice sends at time 0"`
	Recipients    int            `yaml:"recipients" default:"1" range:"[1,100]" help:"recipients of each message, all at hamburger.edu"`
	BodySize      units.Size     `yaml:"body_size" default:"1kB" help:"each message's body, 7-bit text, at least 2 bytes (a CRLF)"`
	Outage        units.Duration `yaml:"outage" help:"hamburger.edu is down from time 0 for this long; 0: up"`
	RetryInterval units.Duration `yaml:"retry_interval" default:"30min" range:"(0,)" help:"time from one delivery attempt to the next (K&R §2.4; RFC 5321 §4.5.4.1)"`
	GiveUp        units.Duration `yaml:"give_up" default:"120h" range:"(0,)" help:"time in the queue after which undeliverable mail is bounced (RFC 5321 §4.5.4.1: 4-5 days)"`
	RTT           units.Duration `yaml:"rtt" platform:"" default:"40ms" range:"(0,)" help:"round-trip propagation time between any two hosts"`
	Rate          units.Rate     `yaml:"rate" platform:"" default:"1Gbps" range:"(0,)" help:"every host's access link, each way"`
	DNS           dnsFront       `yaml:"dns" help:"DNS for the MX lookups: with on, each mail server finds the other's through its stub resolver, a local server and the hierarchy (MX, then A records; RFC 5321 §5.1); off, from a fixed table"`
}

// mailRun is what the hosts measured.
type mailRun struct {
	submitted         sim.Time   // when the last message's submission was answered
	delivered         []sim.Time // the arrivals in mailboxes at hamburger.edu, in order
	bounced           int        // recipients given up
	attempts, retries int64
	lost              int   // recipients neither delivered nor bounced
	submitBytes       int64 // Alice's machine ↔ crepes.fr, SMTP or HTTP
	relayBytes        int64 // crepes.fr ↔ hamburger.edu, SMTP
}

// at is ts[i] in seconds, NaN if there is none.
func at(ts []sim.Time, i int) float64 {
	if i < 0 || i >= len(ts) {
		return math.NaN()
	}
	return ts[i].Seconds()
}

var _ = scenarios.Register(scenarios.Decl[mailParams, mailRun]{
	Name:     "mail",
	Summary:  "mail from crepes.fr to hamburger.edu: SMTP push or web mail, the queue's 30-minute retries and the bounce (K&R §2.4)",
	Boot:     bootMail,
	Check:    (*mailParams).check,
	Topology: true,
	Platform: (*mailParams).platform,
	Deploy:   (*mailParams).deploy,
	Metrics: []scenarios.Reading[mailRun]{
		scenarios.Scalar("delivery_s", "s", "time from Alice's send to her first message in a mailbox at hamburger.edu; empty if none arrived", func(r *mailRun) float64 { return at(r.delivered, 0) }).Optional(),
		scenarios.Scalar("last_delivery_s", "s", "time from Alice's send to the last delivery at hamburger.edu; empty if none", func(r *mailRun) float64 { return at(r.delivered, len(r.delivered)-1) }).Optional(),
		scenarios.Scalar("submit_s", "s", "time from Alice's send to her server's answer to the last message", func(r *mailRun) float64 { return r.submitted.Seconds() }),
		scenarios.Scalar("delivered", "", "deliveries to recipients at hamburger.edu", func(r *mailRun) float64 { return float64(len(r.delivered)) }),
		scenarios.Scalar("bounced", "", "recipients given up on, each reported to Alice", func(r *mailRun) float64 { return float64(r.bounced) }),
		scenarios.Scalar("lost", "", "recipients neither delivered nor bounced: 0, or the model loses mail", func(r *mailRun) float64 { return float64(r.lost) }),
		scenarios.Scalar("attempts", "", "crepes.fr's connection attempts to hamburger.edu", func(r *mailRun) float64 { return float64(r.attempts) }),
		scenarios.Scalar("retries", "", "attempts after a message's first", func(r *mailRun) float64 { return float64(r.retries) }),
		scenarios.Scalar("submit_bytes", "B", "bytes between Alice's machine and crepes.fr, both ways: SMTP, or HTTP with web mail", func(r *mailRun) float64 { return float64(r.submitBytes) }),
		scenarios.Scalar("relay_bytes", "B", "SMTP bytes between crepes.fr and hamburger.edu, both ways, every attempt", func(r *mailRun) float64 { return float64(r.relayBytes) }),
	},
	Theory: []scenarios.TheoryOf[mailParams]{
		{Name: "submit_formula", Label: "RTT formula", Metric: "submit_s", Value: func(p *mailParams) (float64, error) {
			return float64(p.submitHalfRTTs()) * p.RTT.Seconds() / 2, nil
		}},
		{Name: "first_retry", Label: "first attempt after the outage", Metric: "delivery_s", Value: func(p *mailParams) (float64, error) {
			if p.DNS.On {
				if p.Outage > 0 {
					return 0, errors.New("with dns.on, for no outage")
				}
				return (p.deliveryTime() + p.mxLookup()).Seconds(), nil
			}
			return p.deliveryTime().Seconds(), nil
		}},
	},
})

// submitHalfRTTs is the half RTTs from Alice's send to her server's answer to her
// last message, when transmission takes no time. SMTP (Kurose & Ross §2.4.1): the
// first message lands after mail.SMTPDepositHalfRTTs and its 250 comes half an RTT
// later; each further one on the same connection costs MAIL, the RCPTs, DATA and the
// message: r + 3 RTTs. Web mail: the handshake and the first POST, 2 RTTs, then one
// per POST on the persistent connection.
func (p *mailParams) submitHalfRTTs() int {
	k, r := p.Messages, p.Recipients
	if p.Submit == "webmail" {
		return 2 * (2 + k - 1)
	}
	return mail.SMTPDepositHalfRTTs(r) + 1 + 2*(k-1)*(r+3)
}

// deliveryTime is when the first message lands at hamburger.edu, when
// transmission takes no time: the submission (SMTP's dialogue, mail.SMTPDepositHalfRTTs,
// or the POST's 1.5 RTTs), then the relay's dialogue from its first SYN to reach
// hamburger.edu up (mail.FirstSYNAfter, with the stack's default SYN retries).
func (p *mailParams) deliveryTime() sim.Time {
	rtt := p.RTT.Time()
	queued := sim.Time(mail.SMTPDepositHalfRTTs(p.Recipients)) * rtt / 2
	if p.Submit == "webmail" {
		queued = 3 * rtt / 2
	}
	tcp := topology.DefaultTCP()
	syn := mail.FirstSYNAfter(queued, p.Outage.Time(), p.RetryInterval.Time(), tcp.InitialRTO, tcp.SYNRetries)
	return syn + sim.Time(mail.SMTPDepositHalfRTTs(p.Recipients))*rtt/2
}

// mxLookup is the time of crepes.fr's MX lookup of hamburger.edu with every cache
// empty, a quarter of the RTT from the core: the resolution's RTTs, then one exchange
// with the local server for the exchanger's A record, which the local server has
// cached from the MX reply's additional section (RFC 1035 §3.3.9).
func (p *mailParams) mxLookup() sim.Time {
	c := (p.RTT / 4).Time()
	return p.DNS.resolution(c) + 2*(c+p.DNS.LocalDelay.Time())
}

// mailDomains are the two servers' domains, each its host's name.
var mailDomains = []string{"crepes.fr", "hamburger.edu"}

// dnsHierarchy is the DNS hosts of dns.on, nil when off.
func (p *mailParams) dnsHierarchy() *dnsHierarchy {
	h, _ := p.DNS.hierarchy(frontLocalDNS, func(addr func(string) topology.NodeID) (*dns.Namespace, error) {
		return mail.DomainNamespace(mailDomains, addr, dnsFrontTTL)
	})
	return h // the domains are fixed names under TLDs: no error
}

func (p *mailParams) check() error {
	var errs []error
	tcp := topology.DefaultTCP()
	if dial := tcp.InitialRTO * (1<<(tcp.SYNRetries+1) - 1); p.RetryInterval.Time() <= dial {
		errs = append(errs, scenarios.Errorf("retry_interval", "%v must be longer than a failing dial's %v", p.RetryInterval, dial))
	}
	if p.BodySize.Bytes() < 2 {
		errs = append(errs, scenarios.Errorf("body_size", "must be at least 2 bytes, a line's CRLF"))
	}
	if p.Outage < 0 {
		errs = append(errs, scenarios.Errorf("outage", "must not be negative"))
	}
	return errors.Join(errs...)
}

var mailHosts = scenarios.Deployment{{Host: "alice-pc", Role: "Alice's user agent"}, {Host: "crepes.fr", Role: "Alice's mail server"}, {Host: "hamburger.edu", Role: "Bob's mail server"}}

func (p *mailParams) platform(*scenarios.RunEnv) *scenarios.Topology {
	var hosts []scenarios.StarHost
	for _, d := range mailHosts {
		hosts = append(hosts, scenarios.StarHost{Name: d.Host, Upload: p.Rate, Download: p.Rate, Delay: p.RTT / 4})
	}
	hosts = append(hosts, p.dnsHierarchy().starHosts(&p.DNS)...)
	return &scenarios.Topology{Star: &scenarios.StarTopology{Hosts: hosts}}
}

func (p *mailParams) deploy(t *scenarios.Topology) (scenarios.Deployment, error) {
	return append(slices.Clone(mailHosts), p.dnsHierarchy().placements()...), nil
}

// mailWorld is the stores and counts of the two servers, kept across their lives.
type mailWorld struct {
	alice, bob         *mail.Store
	crepes, hamburger  *mail.ServerStats
	crepesCfg, hambCfg mail.ServerConfig
}

func bootMail(p *mailParams, pl *scenarios.Platform) (func() (mailRun, error), error) {
	w := mailWorld{alice: mail.NewStore(), bob: mail.NewStore(), crepes: &mail.ServerStats{}, hamburger: &mail.ServerStats{}}
	w.alice.AddUser("alice", "wonderland", 0)
	var rcpts []string
	for i := range p.Recipients {
		name := "bob"
		if i > 0 {
			name = fmt.Sprintf("bob%d", i)
		}
		w.bob.AddUser(name, "hungry", 0)
		rcpts = append(rcpts, name+"@hamburger.edu")
	}
	mx := mail.StaticMX{}
	for _, d := range mailDomains {
		mx[d] = []mail.MX{{Host: d, Pref: 10, Node: pl.Node(d)}}
	}
	withMX, err := p.bootDNS(pl)
	if err != nil {
		return nil, err
	}
	web := 0
	if p.Submit == "webmail" {
		web = mail.WebPort
	}
	w.crepesCfg = mail.ServerConfig{Domain: "crepes.fr", Store: w.alice, MX: mx, RetryInterval: p.RetryInterval.Time(), GiveUpAfter: p.GiveUp.Time(), WebPort: web}
	w.hambCfg = mail.ServerConfig{Domain: "hamburger.edu", Store: w.bob, MX: mx}
	for _, srv := range []struct {
		cfg   *mail.ServerConfig
		stats *mail.ServerStats
	}{{&w.crepesCfg, w.crepes}, {&w.hambCfg, w.hamburger}} {
		pl.Boot(srv.cfg.Domain, func(h topology.Host) error {
			cfg, err := withMX(h, *srv.cfg)
			if err == nil {
				_, err = mail.NewServer(h, cfg, srv.stats)
			}
			return err
		})
	}
	if p.Outage > 0 {
		pl.Stack.Crash(pl.Node("hamburger.edu"))
		pl.Stack.RecoverAt(p.Outage.Time(), pl.Node("hamburger.edu"))
	}
	msgs := make([]string, p.Messages)
	body := mailBody(p.BodySize.Bytes())
	for i := range msgs {
		msgs[i], err = mail.Compose(mail.Draft{From: "alice@crepes.fr", To: rcpts, Subject: fmt.Sprintf("Message %d", i+1),
			MessageID: fmt.Sprintf("<%d@crepes.fr>", i+1), Body: body})
		if err != nil {
			return nil, err
		}
	}
	var r mailRun
	var sent mail.SendResult
	var posted mail.AccessResult
	server := topology.Addr{Node: pl.Node("crepes.fr")}
	if p.Submit == "webmail" {
		server.Port = mail.WebPort
		pl.Boot("alice-pc", mail.WebmailUser(mail.WebmailConfig{Server: server, ServerName: "crepes.fr", User: "alice", Send: msgs}, &posted))
	} else {
		server.Port = mail.SMTPPort
		var out []mail.Outgoing
		for _, m := range msgs {
			out = append(out, mail.Outgoing{To: rcpts, Data: m})
		}
		pl.Boot("alice-pc", mail.Sender(mail.SenderConfig{Server: server, ServerName: "crepes.fr", From: "alice@crepes.fr", Messages: out}, &sent))
	}
	return func() (mailRun, error) {
		if posted.Err != nil {
			return mailRun{}, posted.Err
		}
		for _, s := range sent.Submissions {
			if !s.Accepted() {
				return mailRun{}, fmt.Errorf("mail: crepes.fr refused %s", s.MessageID)
			}
			r.submitted = max(r.submitted, s.Done)
		}
		if p.Submit == "webmail" {
			r.submitted = posted.Done
		}
		for _, d := range w.bob.Log {
			r.delivered = append(r.delivered, d.At)
		}
		r.bounced = int(w.crepes.Bounced)
		r.lost = p.Messages*p.Recipients - len(r.delivered) - r.bounced
		r.attempts, r.retries = w.crepes.Attempts, w.crepes.Retries
		// crepes.fr's counts by protocol: as server (submission), as the relay's client,
		// and its web front end.
		in, out := w.crepes.BytesIn, w.crepes.BytesOut
		r.submitBytes = in[mail.ProtoSMTP] + out[mail.ProtoSMTP] + in[mail.ProtoHTTP] + out[mail.ProtoHTTP]
		r.relayBytes = in[mail.ProtoRelay] + out[mail.ProtoRelay]
		if w.alice.Queued() != 0 {
			return mailRun{}, errors.New("mail: crepes.fr's queue is not empty at the end")
		}
		return r, nil
	}, nil
}

// bootDNS starts dns.on's servers, and returns what a mail server's configuration
// becomes on its host: with dns.on, its MX lookups go through a stub resolver on the
// host (mail.DNSMX); off, the configuration as it is.
func (p *mailParams) bootDNS(pl *scenarios.Platform) (func(topology.Host, mail.ServerConfig) (mail.ServerConfig, error), error) {
	h := p.dnsHierarchy()
	if h == nil {
		return func(_ topology.Host, cfg mail.ServerConfig) (mail.ServerConfig, error) { return cfg, nil }, nil
	}
	local, err := h.boot(pl, &p.DNS)
	if err != nil {
		return nil, err
	}
	return func(host topology.Host, cfg mail.ServerConfig) (mail.ServerConfig, error) {
		stub, err := dns.NewStub(host, dns.StubConfig{Servers: []topology.NodeID{local}})
		cfg.MX = mail.DNSMX{Stub: stub}
		return cfg, err
	}, nil
}

// mailBody is n bytes of text (n ≥ 2) in CRLF lines of at most 73 characters: the
// texts' "blah blah".
func mailBody(n int64) string {
	const line = "blah blah blah blah blah blah blah blah blah blah blah blah blah blah\r\n"
	var b strings.Builder
	for rest := n; rest > 0; {
		switch k := int64(len(line)); {
		case rest >= k+2 || rest == k:
			b.WriteString(line)
			rest -= k
		case rest == k+1:
			b.WriteString("b" + line)
			rest = 0
		default: // 2 ≤ rest < k
			b.WriteString(line[:rest-2] + "\r\n")
			rest = 0
		}
	}
	return b.String()
}
