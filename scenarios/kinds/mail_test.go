package kinds

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/scenarios"
	"netsim/scenarios/campaign"
	"netsim/scenarios/units"
	"netsim/sim"
)

// mailHostsRTT40 is the three hosts of the mail kind 10 ms from the core on links
// with no rate: any two are 40 ms apart, the kind's default rtt, and transmission
// takes no time.
const mailHostsRTT40 = `topology:
  star:
    hosts:
      - {name: alice-pc, delay: 10ms}
      - {name: crepes.fr, delay: 10ms}
      - {name: hamburger.edu, delay: 10ms}
`

// Issue 14, acceptance 3, through the kind (Kurose & Ross §2.4; RFC 5321 §4.5.4.1):
// with hamburger.edu down from time 0, the message lands exactly at the closed form
// first_retry — the first SYN of crepes.fr's 30-minute attempts to find the server
// up, then the SMTP dialogue — submitted by SMTP or by web mail; and the submission
// takes exactly its RTT formula (7 RTTs for SMTP's first message and r + 3 for each
// further one, web mail's 2 then 1). Nothing is lost or bounced.
func TestMailDeliveryIsTheClosedFormExactly(t *testing.T) {
	runPoints(t, "kind: mail\nsweep: {submit: [smtp, webmail], outage: [0s, 20min, 2h, 121min], messages: [1, 3]}\n"+mailHostsRTT40,
		func(p *mailParams, out scenarios.Outcome) {
			k := kindNamed(t, "mail")
			require.InDelta(t, theoryOf(t, k, "first_retry", p), out.Values["delivery_s"], 1e-9, "%s outage %v k=%d", p.Submit, p.Outage, p.Messages)
			require.InDelta(t, theoryOf(t, k, "submit_formula", p), out.Values["submit_s"], 1e-9, "%s k=%d", p.Submit, p.Messages)
			require.Equal(t, float64(p.Messages), out.Values["delivered"])
			require.Zero(t, out.Values["lost"])
			require.Zero(t, out.Values["bounced"])
		})
	p := &mailParams{Submit: "smtp", Messages: 1, Recipients: 1, RTT: units.Duration(40 * sim.Millisecond),
		RetryInterval: units.Duration(30 * sim.Minute), Outage: units.Duration(2 * sim.Hour)}
	require.InDelta(t, 0.26+4*1800+0.26, theoryOf(t, kindNamed(t, "mail"), "first_retry", p), 1e-9,
		"the fifth attempt, at t0 + 2 h, finds the server up: t0 = 6.5 RTTs, then 6.5 RTTs more")
}

// Down past the give-up time (here 2 h, the server never back in the run's 3 h):
// crepes.fr bounces the message to Alice; it is neither delivered nor lost.
func TestMailBouncesPastTheGiveUpTime(t *testing.T) {
	runPoints(t, "kind: mail\nparams: {outage: 3h, give_up: 2h, recipients: 2}\n"+mailHostsRTT40, func(p *mailParams, out scenarios.Outcome) {
		require.Zero(t, out.Values["delivered"])
		require.Equal(t, 2.0, out.Values["bounced"])
		require.Zero(t, out.Values["lost"])
		require.Equal(t, 5.0, out.Values["attempts"], "at t0, t0 + 30 min, ..., t0 + 2 h")
	})
}

// The built-ins mail-delivery and mail-push-pull at 1 Gbps: every point within a
// millisecond of its closed form (transmission of a few kB), none lost.
func TestBuiltinMail(t *testing.T) {
	for _, c := range []struct {
		name, metric, theory string
		runs                 int
	}{{"mail-delivery", "delivery_s", "first_retry", 25}, {"mail-push-pull", "submit_s", "submit_formula", 16}} {
		s, err := scenarios.Load(c.name)
		require.NoError(t, err)
		res, err := campaign.Run(context.Background(), s, campaign.RunOptions{Workers: 2})
		require.NoError(t, err)
		require.Len(t, res.Runs, c.runs)
		for _, r := range res.Runs {
			pt := s.Point(r.Point)
			want := theoryOf(t, s.Kind, c.theory, pt.Params)
			require.GreaterOrEqual(t, r.Values[c.metric], want, "%s %v", c.name, pt.Assign)
			require.InDelta(t, want, r.Values[c.metric], 1e-3, "%s %v", c.name, pt.Assign)
			require.Zero(t, r.Values["lost"])
		}
	}
}

// mailDNSStar is mailHostsRTT40 with dns.on's hosts at the section's default delays.
const mailDNSStar = mailHostsRTT40 + `      - {name: local-dns, delay: 2ms}
      - {name: a.root-servers.net, delay: 20ms}
      - {name: a.nic.fr, delay: 30ms}
      - {name: a.nic.edu, delay: 30ms}
      - {name: ns.crepes.fr, delay: 40ms}
      - {name: ns.hamburger.edu, delay: 40ms}
`

// Issue 14: with dns.on, crepes.fr finds hamburger.edu through DNS (RFC 5321 §5.1),
// and the message lands exactly the MX lookup later than with the fixed table: the
// resolution's RTTs with the caches empty (crepes.fr ↔ local 24 ms, local ↔ root 44,
// the edu TLD server 64 and ns.hamburger.edu 84, iterative; 24 + 44 + 100 + 140
// recursive), then 24 ms for the exchanger's A record, which the local server has
// from the MX reply's additional section.
func TestMailWithDNSCostsTheMXLookup(t *testing.T) {
	static := map[string]float64{}
	runPoints(t, "kind: mail\nsweep: {submit: [smtp, webmail]}\n"+mailHostsRTT40, func(p *mailParams, out scenarios.Outcome) {
		static[p.Submit] = out.Values["delivery_s"]
	})
	runPoints(t, "kind: mail\nparams: {dns: {on: true}}\nsweep: {submit: [smtp, webmail], dns.mode: [iterative, recursive]}\n"+mailDNSStar,
		func(p *mailParams, out scenarios.Outcome) {
			lookup := map[string]float64{"iterative": 0.216 + 0.024, "recursive": 0.308 + 0.024}[p.DNS.Mode]
			want := theoryOf(t, kindNamed(t, "mail"), "first_retry", p)
			require.InDelta(t, static[p.Submit]+lookup, want, 1e-12, "%s %s", p.Submit, p.DNS.Mode)
			require.Equal(t, want, out.Values["delivery_s"], "%s %s", p.Submit, p.DNS.Mode)
			require.Equal(t, 1.0, out.Values["delivered"])
			require.Zero(t, out.Values["bounced"])
		})
}

// On the kind's own platform, with hamburger.edu down for 2 h, every attempt looks
// hamburger.edu up again (the later ones from the local server's cache) and the
// message lands at the fifth, as without DNS: nothing lost, nothing bounced.
func TestMailWithDNSRetries(t *testing.T) {
	runPoints(t, "kind: mail\nparams: {outage: 2h, dns: {on: true}}\n", func(p *mailParams, out scenarios.Outcome) {
		require.Equal(t, 1.0, out.Values["delivered"])
		require.Equal(t, 5.0, out.Values["attempts"])
		require.Zero(t, out.Values["lost"])
		require.Zero(t, out.Values["bounced"])
		require.Greater(t, out.Values["delivery_s"], 2*3600.0)
	})
}
