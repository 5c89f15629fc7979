package mail

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	netmail "net/mail"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"netsim/sim"
)

// Epoch is the wall-clock instant at virtual time 0, for the dates a message carries
// (Date:, Received:): 1 January 2024, 00:00:00 UTC, the same instant apps/http dates
// from. A fixed one makes a message's text, and so its size, a pure function of the run.
var Epoch = time.Date(2024, time.January, 1, 0, 0, 0, 0, time.UTC)

// FormatDate returns t as RFC 5322 §3.3's date-time, "Mon, 01 Jan 2024 00:00:00 +0000",
// counting from Epoch and dropping the fraction of a second.
func FormatDate(t sim.Time) string {
	s := t / sim.Second * sim.Second
	if s > t {
		s -= sim.Second
	}
	return Epoch.Add(time.Duration(s)).Format("Mon, 02 Jan 2006 15:04:05 -0700")
}

// MaxLineBytes is the longest line a message may have, CRLF excluded (RFC 5322
// §2.1.1: 998 characters).
const MaxLineBytes = 998

// ErrNot7Bit is a message SMTP cannot carry as it is (Kurose & Ross §2.4.1: SMTP
// restricts the body, not just the headers, to 7-bit ASCII): a byte outside 7-bit
// ASCII, a NUL, a bare CR or LF, or a line longer than 998 characters. Binary data
// travels as a MIME attachment instead, base64-encoded.
var ErrNot7Bit = errors.New("not 7-bit ASCII text")

// Draft is a message as a user writes it.
type Draft struct {
	From      string   // an address, "alice@crepes.fr" (or "Alice <alice@crepes.fr>")
	To, Cc    []string // at least one recipient between them
	Subject   string
	Date      sim.Time
	MessageID string // "<id@domain>", or "" to leave the field out
	// Body is the text; its lines may be ended by "\n" or "\r\n".
	Body        string
	Attachments []Attachment
}

// Attachment is a file sent with a message: MIME (RFC 2045, 2046) encodes its bytes
// in base64, 76 characters a line, so it grows by 4/3 and a CRLF per line.
type Attachment struct {
	Name        string
	ContentType string // "" for application/octet-stream
	Data        []byte
}

// Compose writes d as an RFC 5322 message: the header fields From, To, Cc, Subject,
// Date and Message-ID (those that are not empty), a blank line, and the body, every line ended by CRLF. With
// attachments the message is multipart/mixed (RFC 2046 §5.1.3): the text as the first
// part, then each attachment, base64-encoded by encoding/base64. It fails with
// ErrNot7Bit (wrapped) for text SMTP cannot carry.
func Compose(d Draft) (string, error) {
	if d.From == "" || len(d.To)+len(d.Cc) == 0 {
		return "", errors.New("mail: a message needs From and a recipient")
	}
	var b strings.Builder
	field := func(name, value string) error {
		if strings.ContainsAny(value, "\r\n") {
			return fmt.Errorf("mail: %s: %w", name, ErrNot7Bit)
		}
		b.WriteString(name)
		b.WriteString(": ")
		b.WriteString(value)
		b.WriteString("\r\n")
		return nil
	}
	fields := []struct{ name, value string }{
		{"From", d.From}, {"To", strings.Join(d.To, ", ")}, {"Cc", strings.Join(d.Cc, ", ")},
		{"Subject", d.Subject}, {"Date", FormatDate(d.Date)}, {"Message-ID", d.MessageID},
	}
	for _, f := range fields {
		if f.value == "" {
			continue
		}
		if err := field(f.name, f.value); err != nil {
			return "", err
		}
	}
	body := normalize(d.Body)
	if len(d.Attachments) == 0 {
		b.WriteString("\r\n")
		b.WriteString(body)
		return check7Bit(b.String())
	}
	boundary := "=_netsim_mixed"
	for n := 1; strings.Contains(body, boundary); n++ {
		boundary = "=_netsim_mixed_" + strconv.Itoa(n)
	}
	var parts bytes.Buffer
	w := multipart.NewWriter(&parts)
	if err := w.SetBoundary(boundary); err != nil {
		return "", err
	}
	b.WriteString("MIME-Version: 1.0\r\n")
	b.WriteString("Content-Type: " + mime.FormatMediaType("multipart/mixed", map[string]string{"boundary": boundary}) + "\r\n\r\n")
	text, _ := w.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {"text/plain; charset=us-ascii"},
		"Content-Transfer-Encoding": {"7bit"},
	})
	io.WriteString(text, body)
	for _, a := range d.Attachments {
		ct := a.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		part, err := w.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {mime.FormatMediaType(ct, map[string]string{"name": a.Name})},
			"Content-Transfer-Encoding": {"base64"},
			"Content-Disposition":       {mime.FormatMediaType("attachment", map[string]string{"filename": a.Name})},
		})
		if err != nil {
			return "", err
		}
		io.WriteString(part, Base64Lines(a.Data))
	}
	w.Close()
	b.Write(parts.Bytes())
	return check7Bit(b.String())
}

// Base64Lines encodes data in base64 (RFC 2045 §6.8) in lines of at most 76
// characters, each ended by CRLF: 4 characters per 3 bytes, and 2 more per line.
func Base64Lines(data []byte) string {
	enc := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	b.Grow(len(enc) + 2*(len(enc)/76+1))
	for len(enc) > 76 {
		b.WriteString(enc[:76])
		b.WriteString("\r\n")
		enc = enc[76:]
	}
	if enc != "" {
		b.WriteString(enc)
		b.WriteString("\r\n")
	}
	return b.String()
}

// normalize ends every line of s with CRLF, the last one included (unless s is "").
func normalize(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\n", "\r\n")
	if s != "" && !strings.HasSuffix(s, "\r\n") {
		s += "\r\n"
	}
	return s
}

func check7Bit(msg string) (string, error) {
	if err := Check7Bit(msg); err != nil {
		return "", err
	}
	return msg, nil
}

// Check7Bit reports whether msg is text SMTP can carry (ErrNot7Bit, wrapped, if not):
// 7-bit ASCII without NUL, lines ended by CRLF and no longer than 998 characters.
func Check7Bit(msg string) error {
	lineStart := 0
	for i := 0; i < len(msg); i++ {
		switch c := msg[i]; {
		case c == 0 || c >= 0x80:
			return fmt.Errorf("mail: byte %#02x at offset %d: %w", c, i, ErrNot7Bit)
		case c == '\r':
			if i+1 >= len(msg) || msg[i+1] != '\n' {
				return fmt.Errorf("mail: bare CR at offset %d: %w", i, ErrNot7Bit)
			}
			if i-lineStart > MaxLineBytes {
				return fmt.Errorf("mail: a line of %d characters: %w", i-lineStart, ErrNot7Bit)
			}
			i++
			lineStart = i + 1
		case c == '\n':
			return fmt.Errorf("mail: bare LF at offset %d: %w", i, ErrNot7Bit)
		}
	}
	if len(msg)-lineStart > MaxLineBytes {
		return fmt.Errorf("mail: a line of %d characters: %w", len(msg)-lineStart, ErrNot7Bit)
	}
	return nil
}

// SplitHeader cuts msg into its header, blank line included (what IMAP's
// BODY[HEADER] returns, RFC 9051 §6.4.5), and its text (BODY[TEXT]); header + text
// is msg. A message without a blank line is all header.
func SplitHeader(msg string) (header, text string) {
	if strings.HasPrefix(msg, "\r\n") {
		return "\r\n", msg[2:]
	}
	if i := strings.Index(msg, "\r\n\r\n"); i >= 0 {
		return msg[:i+4], msg[i+4:]
	}
	return msg, ""
}

// Header parses msg's header fields with net/mail.
func Header(msg string) (netmail.Header, error) {
	m, err := netmail.ReadMessage(strings.NewReader(msg))
	if err != nil {
		return nil, err
	}
	return m.Header, nil
}

// Part returns the body of MIME part n (from 1) of msg as it is in the message, its
// transfer encoding kept (IMAP's BODY[n], RFC 9051 §6.4.5): for a multipart message
// the n-th part's body, for any other message part 1 is its text.
func Part(msg string, n int) (string, bool) {
	header, text := SplitHeader(msg)
	h, err := Header(header)
	if err != nil || n < 1 {
		return "", false
	}
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mt, "multipart/") || params["boundary"] == "" {
		return text, n == 1
	}
	r := multipart.NewReader(strings.NewReader(text), params["boundary"])
	for i := 1; ; i++ {
		p, err := r.NextRawPart()
		if err != nil {
			return "", false
		}
		if i == n {
			body, err := io.ReadAll(p)
			if err != nil {
				return "", false
			}
			return string(body), true
		}
	}
}

// Addresses parses an address list field (To:, Cc:) with net/mail into bare
// addresses.
func Addresses(h netmail.Header, field string) ([]string, error) {
	if h.Get(field) == "" {
		return nil, nil
	}
	list, err := h.AddressList(field)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(list))
	for i, a := range list {
		out[i] = a.Address
	}
	return out, nil
}
