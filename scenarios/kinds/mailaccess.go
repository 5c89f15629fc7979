package kinds

import (
	"errors"
	"fmt"

	"netsim/apps/mail"
	"netsim/scenarios"
	"netsim/scenarios/units"
	"netsim/sim"
	"netsim/topology"
)

// mailaccess: Bob reads his mailbox at hamburger.edu over a slow access link (Kurose &
// Ross §2.4.4): POP3 download-and-delete or download-and-keep, IMAP fetching every
// message or only the headers and then the few he opens (or one MIME part of them),
// or web mail over HTTP. With machines: 2 he reads again later from a second machine
// on a link like the first: download-and-delete leaves it nothing, the others find
// everything still there.
type mailAccessParams struct {
	Method     string         `yaml:"method" default:"pop3-delete" oneof:"pop3-delete pop3-keep imap-all imap-headers webmail" help:"POP3 download-and-delete or -keep; IMAP every message whole, or the headers then the opened ones; web mail (the inbox page, then the opened ones)"`
	Messages   int            `yaml:"messages" default:"10" range:"[0,10000]" help:"messages in Bob's INBOX"`
	BodySize   units.Size     `yaml:"body_size" default:"2kB" help:"each message's text, at least 2 bytes"`
	Attachment units.Size     `yaml:"attachment" help:"a file attached to each message, base64-encoded (4/3 of its size and a CRLF per 76 characters); 0: none"`
	Open       int            `yaml:"open" default:"1" range:"[0,)" help:"imap-headers and webmail: the messages Bob opens, the first ones; at most messages"`
	Part       int            `yaml:"part" range:"[0,)" help:"imap-headers: fetch this MIME part of each opened message (1: the text, without the attachment); 0: the whole message"`
	Machines   int            `yaml:"machines" default:"1" range:"[1,2]" help:"machines Bob reads from, one after the other, read_gap apart"`
	ReadGap    units.Duration `yaml:"read_gap" default:"1h" range:"(0,)" help:"time from one machine's start to the next's"`
	RTT        units.Duration `yaml:"rtt" platform:"" default:"100ms" range:"(0,)" help:"round-trip propagation time between Bob's machines and the server"`
	Rate       units.Rate     `yaml:"rate" platform:"" default:"1Mbps" range:"(0,)" help:"each of Bob's machines' access link, each way"`
}

var accessMachines = []string{"bob-pc", "bob-laptop"}

// mailAccessRun is what each machine measured.
type mailAccessRun struct {
	res  []mail.AccessResult
	left int // messages in the INBOX at the end
}

func (r *mailAccessRun) sum(f func(*mail.AccessResult) float64) float64 {
	var s float64
	for i := range r.res {
		s += f(&r.res[i])
	}
	return s
}

var _ = scenarios.Register(scenarios.Decl[mailAccessParams, mailAccessRun]{
	Name:     "mailaccess",
	Summary:  "reading a mailbox on a slow link: POP3 download-and-delete and -keep, IMAP whole or headers first, web mail (K&R §2.4.4)",
	Boot:     bootMailAccess,
	Check:    (*mailAccessParams).check,
	Topology: true,
	Platform: (*mailAccessParams).platform,
	Deploy:   (*mailAccessParams).deploy,
	Metrics: []scenarios.Reading[mailAccessRun]{
		scenarios.Scalar("read_s", "s", "time of the first machine's session, from its dial to the server's last answer", func(r *mailAccessRun) float64 { return (r.res[0].Done - r.res[0].Start).Seconds() }),
		scenarios.Scalar("bytes_down", "B", "protocol bytes from the server to Bob's machines, framing included, all machines", func(r *mailAccessRun) float64 {
			return r.sum(func(a *mail.AccessResult) float64 { return float64(a.BytesIn) })
		}),
		scenarios.Scalar("bytes_up", "B", "protocol bytes from Bob's machines to the server, all machines", func(r *mailAccessRun) float64 {
			return r.sum(func(a *mail.AccessResult) float64 { return float64(a.BytesOut) })
		}),
		scenarios.Scalar("content_bytes", "B", "bytes of mail downloaded (messages, headers or parts), without the protocol's framing, all machines", func(r *mailAccessRun) float64 {
			return r.sum(func(a *mail.AccessResult) float64 { return float64(a.ContentBytes) })
		}),
		scenarios.Scalar("last_machine_messages", "", "messages or parts the last machine downloaded", func(r *mailAccessRun) float64 { return float64(len(r.res[len(r.res)-1].Messages)) }),
		scenarios.Scalar("commands", "", "commands or requests sent, all machines", func(r *mailAccessRun) float64 {
			return r.sum(func(a *mail.AccessResult) float64 { return float64(a.Commands) })
		}),
		scenarios.Scalar("left_on_server", "", "messages in the INBOX at the end", func(r *mailAccessRun) float64 { return float64(r.left) }),
	},
	Theory: []scenarios.TheoryOf[mailAccessParams]{
		{Name: "rtt_formula", Label: "RTT formula", Metric: "read_s", Value: func(p *mailAccessParams) (float64, error) {
			return float64(p.readRTTs()) * p.RTT.Seconds(), nil
		}},
	},
})

// readRTTs is the first machine's session in RTTs when transmission takes no time:
// the handshake and the greeting (2; web mail has no greeting), then a round trip per
// command. POP3 (RFC 1939): user, pass, list, retr (and dele) per message, quit.
// IMAP (RFC 9051): LOGIN, SELECT, a FETCH per message or one FETCH of every header
// and one per opened message, LOGOUT. Web mail: the inbox page and each message.
func (p *mailAccessParams) readRTTs() int {
	n := p.Messages
	switch p.Method {
	case "pop3-delete":
		return 2 + 3 + 2*n + 1
	case "pop3-keep":
		return 2 + 3 + n + 1
	case "imap-all":
		return 2 + 2 + n + 1
	case "imap-headers":
		return 2 + 2 + min(n, 1) + p.Open + 1
	}
	return 1 + 1 + p.Open
}

func (p *mailAccessParams) check() error {
	var errs []error
	if p.BodySize.Bytes() < 2 {
		errs = append(errs, scenarios.Errorf("body_size", "must be at least 2 bytes, a line's CRLF"))
	}
	if p.Open > p.Messages {
		errs = append(errs, scenarios.Errorf("open", "%d is more than the %d messages", p.Open, p.Messages))
	}
	if p.Part > 0 && p.Method != "imap-headers" {
		errs = append(errs, scenarios.Errorf("part", "only imap-headers fetches parts"))
	}
	if p.Part > 2 || (p.Part == 2 && p.Attachment.Bytes() == 0) {
		errs = append(errs, scenarios.Errorf("part", "a message has part 1 (its text) and, with an attachment, part 2"))
	}
	return errors.Join(errs...)
}

func (p *mailAccessParams) platform(*scenarios.RunEnv) *scenarios.Topology {
	quarter := p.RTT / 4
	hosts := []scenarios.StarHost{{Name: "hamburger.edu", Upload: scenarios.Unconstrained, Download: scenarios.Unconstrained, Delay: p.RTT/2 - quarter}}
	for _, m := range accessMachines[:p.Machines] {
		hosts = append(hosts, scenarios.StarHost{Name: m, Upload: p.Rate, Download: p.Rate, Delay: quarter})
	}
	return &scenarios.Topology{Star: &scenarios.StarTopology{Hosts: hosts}}
}

func (p *mailAccessParams) deploy(t *scenarios.Topology) (scenarios.Deployment, error) {
	dep := scenarios.Deployment{{Host: "hamburger.edu", Role: "Bob's mail server"}}
	return dep.Place(scenarios.Placement{Role: "Bob's user agent"}, accessMachines[:p.Machines]...), nil
}

func bootMailAccess(p *mailAccessParams, pl *scenarios.Platform) (func() (mailAccessRun, error), error) {
	store := mail.NewStore()
	store.AddUser("bob", "hungry", 0)
	rng := pl.Env.Streams().Stream("mailaccess/attachments")
	body := mailBody(p.BodySize.Bytes())
	for i := range p.Messages {
		d := mail.Draft{From: "alice@crepes.fr", To: []string{"bob@hamburger.edu"}, Subject: fmt.Sprintf("Searching for the meaning of life, part %d", i+1),
			Date: sim.Time(i) * sim.Hour, MessageID: fmt.Sprintf("<%d@crepes.fr>", i+1), Body: body}
		if n := p.Attachment.Bytes(); n > 0 {
			data := make([]byte, n)
			for j := range data {
				data[j] = byte(rng.Uint32())
			}
			d.Attachments = []mail.Attachment{{Name: fmt.Sprintf("picture%d.jpg", i+1), ContentType: "image/jpeg", Data: data}}
		}
		msg, err := mail.Compose(d)
		if err != nil {
			return nil, err
		}
		store.Deposit("bob", msg, 0, false)
	}
	web := 0
	if p.Method == "webmail" {
		web = mail.WebPort
	}
	pl.Boot("hamburger.edu", func(h topology.Host) error {
		_, err := mail.NewServer(h, mail.ServerConfig{Domain: "hamburger.edu", Store: store, WebPort: web}, nil)
		return err
	})
	open := []int{} // not nil: WebmailConfig opens every message for nil
	for i := range p.Open {
		open = append(open, i+1)
	}
	var all []int
	for i := range p.Messages {
		all = append(all, i+1)
	}
	r := mailAccessRun{res: make([]mail.AccessResult, p.Machines)}
	server := topology.Addr{Node: pl.Node("hamburger.edu")}
	for i, m := range accessMachines[:p.Machines] {
		start := sim.Time(i) * p.ReadGap.Time()
		res := &r.res[i]
		var prog func(topology.Host) error
		switch p.Method {
		case "pop3-delete", "pop3-keep":
			prog = mail.POP3Reader(mail.POP3Config{Server: topology.Addr{Node: server.Node, Port: mail.POP3Port}, User: "bob", Pass: "hungry",
				Keep: p.Method == "pop3-keep", Start: start}, res)
		case "imap-all", "imap-headers":
			cfg := mail.IMAPConfig{Server: topology.Addr{Node: server.Node, Port: mail.IMAPPort}, User: "bob", Pass: "hungry", Open: all, Start: start}
			if p.Method == "imap-headers" {
				cfg.HeadersOnly, cfg.Open, cfg.Part = true, open, p.Part
			}
			prog = mail.IMAPReader(cfg, res)
		case "webmail":
			prog = mail.WebmailUser(mail.WebmailConfig{Server: topology.Addr{Node: server.Node, Port: mail.WebPort}, ServerName: "hamburger.edu",
				User: "bob", Read: true, Open: open, Start: start}, res)
		}
		pl.Boot(m, prog)
	}
	return func() (mailAccessRun, error) {
		for i := range r.res {
			if err := r.res[i].Err; err != nil {
				return mailAccessRun{}, fmt.Errorf("%s: %w", accessMachines[i], err)
			}
			if r.res[i].Done == 0 {
				return mailAccessRun{}, fmt.Errorf("%s: the session did not end", accessMachines[i])
			}
		}
		if a, ok := store.Account("bob"); ok {
			f, _ := a.Folder(mail.Inbox)
			r.left = len(f.Msgs)
		}
		return r, nil
	}, nil
}
