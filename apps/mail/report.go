package mail

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"
	"strings"
)

// composeReport writes a delivery status notification (RFC 3464) as a
// multipart/report (RFC 6522): the human-readable text, the machine-readable
// message/delivery-status, and the returned message's header (text/rfc822-headers).
func composeReport(d Draft, text, status, returned string) (string, error) {
	const boundary = "=_netsim_report"
	var parts bytes.Buffer
	w := multipart.NewWriter(&parts)
	if err := w.SetBoundary(boundary); err != nil {
		return "", err
	}
	for _, p := range []struct{ ct, body string }{
		{"text/plain; charset=us-ascii", text},
		{"message/delivery-status", status},
		{"text/rfc822-headers", returned},
	} {
		if p.body == "" {
			continue
		}
		part, err := w.CreatePart(textproto.MIMEHeader{"Content-Type": {p.ct}})
		if err != nil {
			return "", err
		}
		io.WriteString(part, p.body)
	}
	w.Close()
	head, err := Compose(Draft{From: d.From, To: d.To, Subject: d.Subject, Date: d.Date, MessageID: d.MessageID, Body: ""})
	if err != nil {
		return "", err
	}
	head = strings.TrimSuffix(head, "\r\n") // Compose ended the header with its blank line
	ct := mime.FormatMediaType("multipart/report", map[string]string{"report-type": "delivery-status", "boundary": boundary})
	msg := head + "MIME-Version: 1.0\r\nContent-Type: " + ct + "\r\n\r\n" + parts.String()
	return check7Bit(msg)
}
