package mail

import (
	"fmt"

	"netsim/apps/transcript"
	"netsim/sim"
	"netsim/topology"
)

// SenderConfig is a user agent that sends mail (Kurose & Ross §2.4.1, steps 1–2): it
// pushes each message to the user's own mail server over SMTP, which queues it for
// the recipient's server. Messages due at the same time go on one connection, one
// transaction each.
type SenderConfig struct {
	Server     topology.Addr // the user's mail server
	ServerName string        // its name, for the transcript
	Hello      string        // the agent's host name in HELO ("" for the host's)
	From       string        // the envelope sender, the user's address
	Messages   []Outgoing
	EHLO       bool
	Trace      *transcript.Recorder
}

// Outgoing is one message to send, at time At.
type Outgoing struct {
	At   sim.Time
	To   []string
	Data string // RFC 5322 text (Compose)
}

// SendResult is what a sending agent saw.
type SendResult struct {
	Submissions []Submission
	Stats       ClientStats
}

// Submission is one message's submission.
type Submission struct {
	MessageID string   // its Message-ID field, "" if none
	Sent      sim.Time // when the agent began to send it (the user clicked send)
	Done      sim.Time // when its server answered the message
	Results   []RcptResult
}

// Accepted reports whether the server took the message for every recipient.
func (s Submission) Accepted() bool {
	for _, r := range s.Results {
		if r.Code/100 != 2 {
			return false
		}
	}
	return len(s.Results) > 0
}

// Sender is the sending agent's program; res collects its submissions. A message
// whose submission fails (the server is down, or refuses it) is reported, not tried
// again: the user would see the error.
func Sender(cfg SenderConfig, res *SendResult) func(topology.Host) error {
	return func(h topology.Host) error {
		if cfg.Hello == "" {
			cfg.Hello = h.Name()
		}
		a := &sender{h: h, cfg: cfg, res: res}
		byTime := map[sim.Time][]Outgoing{}
		var times []sim.Time
		for _, m := range cfg.Messages {
			if _, ok := byTime[m.At]; !ok {
				times = append(times, m.At)
			}
			byTime[m.At] = append(byTime[m.At], m)
		}
		for _, at := range times {
			batch := byTime[at]
			h.After(max(at-h.Now(), 0), func() { a.send(batch) })
		}
		return nil
	}
}

type sender struct {
	h   topology.Host
	cfg SenderConfig
	res *SendResult
	cl  *smtpClient
}

func (a *sender) send(batch []Outgoing) {
	subs := make([]*Submission, len(batch))
	for i, m := range batch {
		id := ""
		if hd, err := Header(m.Data); err == nil {
			id = hd.Get("Message-Id")
		}
		subs[i] = &Submission{MessageID: id, Sent: a.h.Now()}
	}
	add := func(cl *smtpClient) bool {
		for i, m := range batch {
			s := subs[i]
			env := &Envelope{From: a.cfg.From, To: m.To, Data: m.Data}
			if !cl.add(env, func(rs []RcptResult) {
				s.Done, s.Results = a.h.Now(), rs
				a.res.Submissions = append(a.res.Submissions, *s)
			}) {
				return false
			}
		}
		return true
	}
	if a.cl != nil && add(a.cl) {
		return
	}
	a.h.Dial(a.cfg.Server, topology.TCPOptions{}, func(c topology.Conn, err error) {
		if err != nil {
			for i, m := range batch {
				s := subs[i]
				s.Done = a.h.Now()
				for _, r := range m.To {
					s.Results = append(s.Results, RcptResult{Rcpt: r, Reply: fmt.Sprint(err)})
				}
				a.res.Submissions = append(a.res.Submissions, *s)
			}
			return
		}
		cfg := smtpClientConfig{Hello: a.cfg.Hello, EHLO: a.cfg.EHLO, Proto: ProtoSMTP, Trace: a.cfg.Trace, ServerName: a.cfg.ServerName}
		var cl *smtpClient
		cl = newSMTPClient(a.h, c, cfg, &a.res.Stats, func(error) {
			if a.cl == cl {
				a.cl = nil
			}
		})
		a.cl = cl
		add(cl)
	})
}
