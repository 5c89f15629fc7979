package kinds

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/scenarios"
	"netsim/scenarios/campaign"
)

// bobsMachinesRTT100 is hamburger.edu and Bob's two machines, 25 ms from the core on
// links with no rate: an RTT of 100 ms, the kind's default, and no transmission time.
const bobsMachinesRTT100 = `topology:
  star:
    hosts:
      - {name: hamburger.edu, delay: 25ms}
      - {name: bob-pc, delay: 25ms}
      - {name: bob-laptop, delay: 25ms}
`

// Kurose & Ross §2.4.4 through the kind, with no transmission time: each session
// takes exactly its RTT formula (a round trip per command; POP3 download-and-delete
// 6 + 2n, download-and-keep 5 + n, IMAP whole 5 + n or headers first 6 + opened, web
// mail 2 + opened). Download-and-delete leaves the second machine nothing and the
// server empty; download-and-keep lets it download everything again, the same bytes;
// IMAP's whole fetch downloads exactly POP3's content; IMAP's headers-then-one and its
// text part alone download less, by the bodies and the attachments not fetched.
func TestMailAccessMethods(t *testing.T) {
	got := map[string]scenarios.Outcome{}
	runPoints(t, `kind: mailaccess
params: {messages: 4, attachment: 3000B, machines: 2}
variants:
  pop3-delete: {method: pop3-delete}
  pop3-keep: {method: pop3-keep}
  imap-all: {method: imap-all}
  imap-headers: {method: imap-headers}
  imap-text: {method: imap-headers, part: 1}
  webmail: {method: webmail}
`+bobsMachinesRTT100, func(p *mailAccessParams, out scenarios.Outcome) {
		want := theoryOf(t, kindNamed(t, "mailaccess"), "rtt_formula", p)
		require.InDelta(t, want, out.Values["read_s"], 1e-12, "%s part %d", p.Method, p.Part)
		name := p.Method
		if p.Part > 0 {
			name = "imap-text"
		}
		got[name] = out
	})
	require.Len(t, got, 6)
	require.InDelta(t, 1.4, got["pop3-delete"].Values["read_s"], 1e-12)
	require.Zero(t, got["pop3-delete"].Values["last_machine_messages"])
	require.Zero(t, got["pop3-delete"].Values["left_on_server"])
	require.Equal(t, 4.0, got["pop3-keep"].Values["last_machine_messages"])
	require.Equal(t, 4.0, got["pop3-keep"].Values["left_on_server"])
	all := got["pop3-keep"].Values["content_bytes"]
	require.Equal(t, all, got["imap-all"].Values["content_bytes"])
	require.Equal(t, all/2, got["pop3-delete"].Values["content_bytes"], "the first machine took it all, the second nothing")
	headers, text := got["imap-headers"].Values["content_bytes"], got["imap-text"].Values["content_bytes"]
	require.Less(t, text, headers)
	require.Less(t, headers, all/2)
	require.Less(t, got["webmail"].Values["content_bytes"], all/2)
}

// The built-in mail-access: at every attachment size, the two machines of
// download-and-keep download exactly twice what IMAP's whole fetch does, and
// download-and-delete's exactly once; the text part alone costs the same whatever the
// attachment (if there is one, and so a multipart message); and on the 1 Mbps link the headers-first sessions are the quicker, the
// text part quickest.
func TestBuiltinMailAccess(t *testing.T) {
	s, err := scenarios.Load("mail-access")
	require.NoError(t, err)
	res, err := campaign.Run(context.Background(), s, campaign.RunOptions{Workers: 2})
	require.NoError(t, err)
	require.Len(t, res.Runs, 6*5)
	by := map[string]map[int64]map[string]float64{}
	for _, r := range res.Runs {
		pt := s.Point(r.Point)
		p := pt.Params.(*mailAccessParams)
		if by[pt.VariantName(s)] == nil {
			by[pt.VariantName(s)] = map[int64]map[string]float64{}
		}
		by[pt.VariantName(s)][p.Attachment.Bytes()] = r.Values
	}
	text := by["imap-text-part"][10_000]["content_bytes"] // a message without an attachment is not multipart
	for a, all := range by["imap-all"] {
		require.Equal(t, 2*all["content_bytes"], by["pop3-keep"][a]["content_bytes"], "attachment %d", a)
		require.Equal(t, all["content_bytes"], by["pop3-delete"][a]["content_bytes"], "attachment %d", a)
		if a > 0 {
			require.Equal(t, text, by["imap-text-part"][a]["content_bytes"], "attachment %d", a)
		}
		require.Less(t, by["imap-text-part"][a]["read_s"], by["imap-headers-one"][a]["read_s"], "attachment %d", a)
		require.Less(t, by["imap-headers-one"][a]["read_s"], all["read_s"], "attachment %d", a)
	}
}
