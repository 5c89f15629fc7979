package mail

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/capture"
	"netsim/capture/capturetest"
	"netsim/plots/msc"
	"netsim/sim"
)

// The texts' SMTP transcript (Kurose & Ross §2.4.1) as Wireshark and a sequence
// chart show it: crepes.fr's client sends Alice's message to hamburger.edu. Every
// frame decodes (tshark's SMTP and IMF dissectors), each stream reassembles to the
// model's bytes, the commands are the texts' five and the replies their seven codes;
// and the chart (testdata/smtp-transcript.svg, reviewed by eye, in the README) has
// the texts' lines as its arrows, below the handshake (its third segment drawn: the server speaks first): 2 RTTs of 100 ms from the SYN
// to the 220's arrival, HELO's round trip bracketed, and the message one arrow, its
// first line its label.
func TestPcapAndChartOfTheTextsSMTPTranscript(t *testing.T) {
	var store *Store
	c := capturetest.Run(t, []string{"crepes.fr", "hamburger.edu"}, func(attach capturetest.Attach) error {
		w := newWorld(t, map[string]sim.Time{"crepes.fr": 25 * sim.Millisecond, "hamburger.edu": 25 * sim.Millisecond}, "crepes.fr", "hamburger.edu")
		if err := attach(w.stack); err != nil {
			return err
		}
		store = NewStore()
		store.AddUser("bob", "hungry", 0)
		if _, err := NewServer(w.host(t, "hamburger.edu"), ServerConfig{Domain: "hamburger.edu", Store: store}, nil); err != nil {
			return err
		}
		var res SendResult
		if err := Sender(SenderConfig{Server: w.addr(t, "hamburger.edu", SMTPPort), ServerName: "hamburger.edu", Hello: "crepes.fr",
			From: "alice@crepes.fr", Messages: []Outgoing{{To: []string{"bob@hamburger.edu"}, Data: ketchup}}}, &res)(w.host(t, "crepes.fr")); err != nil {
			return err
		}
		w.k.Run()
		return nil
	})
	c.Check(t)
	require.Equal(t, [][]string{{"HELO", "crepes.fr"}, {"MAIL", "FROM: <alice@crepes.fr>"}, {"RCPT", "TO: <bob@hamburger.edu>"}, {"DATA", ""}, {"QUIT", ""}},
		c.Fields(t, "crepes.fr", "smtp.req", "smtp.req.command", "smtp.req.parameter"))
	require.Equal(t, [][]string{{"220"}, {"250"}, {"250"}, {"250"}, {"354"}, {"250"}, {"221"}},
		c.Fields(t, "hamburger.edu", "smtp.response", "smtp.response.code"))
	require.Len(t, c.Fields(t, "hamburger.edu", "imf", "frame.number"), 1, "the message decodes as an Internet Message")

	chart, err := c.Recorder.Chart([]string{"crepes.fr", "hamburger.edu"}, capture.ChartOptions{
		Title: "SMTP: crepes.fr sends Alice's message to hamburger.edu (K&R §2.4.1)"})
	require.NoError(t, err)
	var labels []string
	for _, m := range chart.Messages {
		labels = append(labels, m.Label)
	}
	require.Equal(t, []string{"SYN", "SYN-ACK", "ACK", "220 hamburger.edu", "HELO crepes.fr", "250 Hello crepes.fr, pleased to meet you",
		"MAIL FROM: <alice@crepes.fr>", "250 alice@crepes.fr ... Sender ok", "RCPT TO: <bob@hamburger.edu>", "250 bob@hamburger.edu ... Recipient ok",
		"DATA", `354 Enter mail, end with "." on a line by itself`, "Do you like ketchup?", "250 Message accepted for delivery",
		"QUIT", "221 hamburger.edu closing connection", "FIN", "FIN"}, labels)
	greeting := chart.Messages[3]
	require.InDelta(t, 200.0, greeting.SentMs+greeting.DelayMs, 1e-9, "the 220 arrives 2 RTTs after the SYN")
	golden(t, "smtp-transcript.svg", svgOf(t, chart))
	if *update {
		require.NoError(t, msc.Save(chart, filepath.Join("testdata", "smtp-transcript")))
	}
}

func svgOf(t *testing.T, c *msc.Chart) string {
	var b bytes.Buffer
	require.NoError(t, c.Encode(&b, "svg"))
	return b.String()
}
