package http

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"netsim/sim"
	"netsim/topology"
)

// Versions this model speaks. A request whose version is well formed (HTTP/x.y) but
// not one of these gets 505 (RFC 7231 §6.6.6).
const (
	Version11 = "HTTP/1.1"
	Version10 = "HTTP/1.0"
)

// Methods the server implements (Kurose & Ross §2.2.3 lists GET, POST, HEAD, PUT and
// DELETE).
const (
	MethodGet    = "GET"
	MethodHead   = "HEAD"
	MethodPost   = "POST"
	MethodPut    = "PUT"
	MethodDelete = "DELETE"
)

// Status codes the model uses (Kurose & Ross §2.2.3; RFC 7231 §6, RFC 7232 §4.1).
const (
	StatusOK                      = 200
	StatusMovedPermanently        = 301
	StatusNotModified             = 304
	StatusBadRequest              = 400
	StatusNotFound                = 404
	StatusNotImplemented          = 501
	StatusBadGateway              = 502 // a proxy got no valid answer from the origin
	StatusGatewayTimeout          = 504 // a proxy got no answer from the origin in time
	StatusHTTPVersionNotSupported = 505
)

// StatusText returns the reason phrase RFC 7231 §6.1 gives for code, or "" if the
// model does not know it.
func StatusText(code int) string {
	switch code {
	case StatusOK:
		return "OK"
	case StatusMovedPermanently:
		return "Moved Permanently"
	case StatusNotModified:
		return "Not Modified"
	case StatusBadRequest:
		return "Bad Request"
	case StatusNotFound:
		return "Not Found"
	case StatusNotImplemented:
		return "Not Implemented"
	case StatusBadGateway:
		return "Bad Gateway"
	case StatusGatewayTimeout:
		return "Gateway Timeout"
	case StatusHTTPVersionNotSupported:
		return "HTTP Version Not Supported"
	}
	return ""
}

// Epoch is the wall-clock instant at virtual time 0, used to print and parse the
// HTTP dates (Date, Last-Modified, If-Modified-Since): Monday, 1 January 2024,
// 00:00:00 GMT. Any fixed instant would do; a fixed one makes message text, and so
// wire sizes, a pure function of the run. Virtual times before 0 are dates before it.
var Epoch = time.Date(2024, time.January, 1, 0, 0, 0, 0, time.UTC)

// dateLayout is the IMF-fixdate of RFC 7231 §7.1.1.1, e.g.
// "Sun, 06 Nov 1994 08:49:37 GMT": always 29 characters.
const dateLayout = "Mon, 02 Jan 2006 15:04:05 GMT"

// FormatDate returns t as an IMF-fixdate (RFC 7231 §7.1.1.1), counting from Epoch.
// HTTP dates have a resolution of one second; the fraction is dropped (rounded
// towards the past).
func FormatDate(t sim.Time) string {
	return Epoch.Add(time.Duration(TruncateToSecond(t))).Format(dateLayout)
}

// ParseDate reads an IMF-fixdate back into virtual time. A date further from Epoch
// than the Horizon (1877 to 2170) is refused: time.Sub would saturate it, and the
// next TruncateToSecond wrap it into another century.
func ParseDate(s string) (sim.Time, error) {
	w, err := time.Parse(dateLayout, s)
	if err != nil {
		return 0, fmt.Errorf("bad HTTP date %q", s)
	}
	d := w.Sub(Epoch)
	if d < -time.Duration(sim.Horizon) || d > time.Duration(sim.Horizon) {
		return 0, fmt.Errorf("bad HTTP date %q: beyond the virtual time of a run", s)
	}
	return sim.Time(d), nil
}

// maxDeltaSeconds is what a cache takes a larger delta-seconds for, 2^31 (RFC 7234
// §1.2.1: a value greater than it can represent, or whose calculations overflow).
const maxDeltaSeconds = 1 << 31

// parseDeltaSeconds reads RFC 7234 §1.2.1's delta-seconds, 1*DIGIT, capped at
// maxDeltaSeconds.
func parseDeltaSeconds(s string) (int64, error) {
	if s == "" || strings.Trim(s, "0123456789") != "" {
		return 0, fmt.Errorf("bad delta-seconds %q", s)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n > maxDeltaSeconds {
		return maxDeltaSeconds, nil // only overflow fails here: all digits
	}
	return n, nil
}

// TruncateToSecond returns t rounded down to a whole second: the resolution of an
// HTTP date.
func TruncateToSecond(t sim.Time) sim.Time {
	s := t / sim.Second * sim.Second
	if s > t { // negative t: round towards the past
		s -= sim.Second
	}
	return s
}

// NotModified reports whether a representation last modified at lastModified counts
// as unmodified for a conditional GET carrying If-Modified-Since: ims. RFC 7232 §3.3:
// the condition fails (304) when the last modification date is earlier than or equal
// to the date given; dates are compared at their one-second resolution, as a real
// server compares the text it received.
func NotModified(lastModified, ims sim.Time) bool {
	return TruncateToSecond(lastModified) <= TruncateToSecond(ims)
}

// Request is an HTTP/1.1 request message (Kurose & Ross §2.2.3; RFC 7230 §3). Text
// is its exact wire text; the body is not modelled byte by byte, only its length.
type Request struct {
	Method, Target, Version string // "GET", "/index.html", "HTTP/1.1"
	// Header fields; an empty string omits the field.
	Host, Connection, UserAgent, Cookie string
	// IfModifiedSince makes the GET conditional (RFC 7232 §3.3) when
	// HasIfModifiedSince is set.
	IfModifiedSince    sim.Time
	HasIfModifiedSince bool
	// BodyBytes is the entity body's length (POST, PUT); it is sent as Content-Length.
	BodyBytes int64
	// Body is the body's bytes, for a model that carries them (web mail posts the
	// message it sends); "" when only BodyBytes counts it. When set, BodyBytes is its
	// length.
	Body string
}

// Text returns the request's wire text: the request line, the header fields in a
// fixed order (Host, Connection, User-Agent, Cookie, If-Modified-Since,
// Content-Length), each ended by CRLF, and the blank line that ends the header.
func (r *Request) Text() string {
	var b strings.Builder
	b.Grow(128)
	b.WriteString(r.Method)
	b.WriteByte(' ')
	b.WriteString(r.Target)
	b.WriteByte(' ')
	b.WriteString(r.Version)
	b.WriteString("\r\n")
	field(&b, "Host", r.Host)
	field(&b, "Connection", r.Connection)
	field(&b, "User-Agent", r.UserAgent)
	field(&b, "Cookie", r.Cookie)
	if r.HasIfModifiedSince {
		field(&b, "If-Modified-Since", FormatDate(r.IfModifiedSince))
	}
	if r.BodyBytes > 0 || r.Method == MethodPost || r.Method == MethodPut {
		field(&b, "Content-Length", strconv.FormatInt(r.BodyBytes, 10))
	}
	b.WriteString("\r\n")
	return b.String()
}

// WireBytes is the request's size on the wire: its text and its body.
func (r *Request) WireBytes() int64 { return int64(len(r.Text())) + r.BodyBytes }

// Encode is the request's real bytes as far as the model carries them: its text, and
// its Body if it carries one (web mail's posted message); a body only counted in
// BodyBytes follows as filler in a capture (topology.Encoder).
func (r *Request) Encode() []byte { return encode(r.Text(), r.Body, r.BodyBytes) }

// Response is an HTTP/1.1 response message (Kurose & Ross §2.2.3; RFC 7230 §3).
type Response struct {
	Version string // "HTTP/1.1"
	Status  int
	Reason  string // "" means StatusText(Status)
	// Header fields. Date, Server, Content-Type, Set-Cookie, Location and Connection
	// are omitted when empty or unset; Last-Modified when !HasLastModified.
	Date               sim.Time
	Server             string
	LastModified       sim.Time
	HasLastModified    bool
	ContentLength      int64
	ContentType        string
	SetCookie          string
	Location           string
	Connection         string
	CacheControlMaxAge sim.Time // sent as "Cache-Control: max-age=N", N in whole seconds
	HasMaxAge          bool
	// BodyBytes is the body actually sent: ContentLength, except for a response to
	// HEAD and for 304, which carry none (RFC 7230 §3.3.3).
	BodyBytes int64
	// Body is the body's bytes, for a response a program builds (web mail's mailbox
	// page, a message); "" when only BodyBytes counts it. When set, BodyBytes is its
	// length.
	Body string
	// Links are the URLs the body references (an HTML page's images), which a browser
	// finds by parsing it. They travel inside the body, counted in BodyBytes; Text
	// does not show them.
	Links []string
}

// Text returns the response's wire text: the status line and the header fields in the
// textbook's order (Kurose & Ross §2.2.3: Connection, Date, Server, Last-Modified,
// Content-Length, Content-Type), then Cache-Control, Set-Cookie and Location, and the
// blank line. Date is always sent (RFC 7231 §7.1.1.2: an origin server with a clock
// must send it). Content-Length is sent on every status but 304, which describes a
// body it does not carry.
func (r *Response) Text() string {
	var b strings.Builder
	b.Grow(192)
	b.WriteString(r.Version)
	b.WriteByte(' ')
	b.WriteString(strconv.Itoa(r.Status))
	b.WriteByte(' ')
	if r.Reason != "" {
		b.WriteString(r.Reason)
	} else {
		b.WriteString(StatusText(r.Status))
	}
	b.WriteString("\r\n")
	field(&b, "Connection", r.Connection)
	field(&b, "Date", FormatDate(r.Date))
	field(&b, "Server", r.Server)
	if r.HasLastModified {
		field(&b, "Last-Modified", FormatDate(r.LastModified))
	}
	if r.Status != StatusNotModified {
		field(&b, "Content-Length", strconv.FormatInt(r.ContentLength, 10))
	}
	field(&b, "Content-Type", r.ContentType)
	if r.HasMaxAge {
		field(&b, "Cache-Control", "max-age="+strconv.FormatInt(int64(r.CacheControlMaxAge/sim.Second), 10))
	}
	field(&b, "Set-Cookie", r.SetCookie)
	field(&b, "Location", r.Location)
	b.WriteString("\r\n")
	return b.String()
}

// WireBytes is the response's size on the wire: its text and its body.
func (r *Response) WireBytes() int64 { return int64(len(r.Text())) + r.BodyBytes }

// Encode is the response's text: its status line and header, and its Body if it
// carries one (a page a program built); a body only counted in BodyBytes follows as
// filler in a capture (topology.Encoder).
func (r *Response) Encode() []byte { return encode(r.Text(), r.Body, r.BodyBytes) }

// encode is a message's text and, if it fits the body's length, its body's bytes.
func encode(text, body string, bodyBytes int64) []byte {
	if body == "" || int64(len(body)) > bodyBytes {
		return []byte(text)
	}
	return []byte(text + body)
}

func field(b *strings.Builder, name, value string) {
	if value == "" {
		return
	}
	b.WriteString(name)
	b.WriteString(": ")
	b.WriteString(value)
	b.WriteString("\r\n")
}

// MessageOfRequest wraps r for a socket: the payload is r itself, the size its wire
// bytes. The receiver must not modify it.
func MessageOfRequest(r *Request) topology.Message {
	return topology.Message{SizeBytes: r.WireBytes(), Payload: r}
}

// MessageOfResponse wraps r for a socket, like MessageOfRequest.
func MessageOfResponse(r *Response) topology.Message {
	return topology.Message{SizeBytes: r.WireBytes(), Payload: r}
}

// ParseError is a request the server cannot serve as sent. Status is the response it
// deserves: 400 (malformed), 501 (unknown method) or 505 (unsupported version).
type ParseError struct {
	Status int
	Reason string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("%d %s: %s", e.Status, StatusText(e.Status), e.Reason)
}

func badRequest(format string, args ...any) *ParseError {
	return &ParseError{Status: StatusBadRequest, Reason: fmt.Sprintf(format, args...)}
}

// StatusOf returns the status a server answers to a request that failed with err:
// the ParseError's status, or 400.
func StatusOf(err error) int {
	var pe *ParseError
	if errors.As(err, &pe) {
		return pe.Status
	}
	return StatusBadRequest
}

// ParseRequest reads the header text of a request (what Text returns). A malformed
// request line or header field is a ParseError with status 400; a well-formed version
// other than HTTP/1.1 and HTTP/1.0 gives 505; a method the server does not implement
// gives 501. Content-Length sets BodyBytes. Lines may end in CRLF or, leniently, in a
// bare LF (RFC 7230 §3.5). A header field the model does not use is skipped; an
// If-Modified-Since that is not a valid date is ignored (RFC 7232 §3.3).
func ParseRequest(text string) (*Request, error) {
	head, _, _ := strings.Cut(text, "\r\n\r\n")
	lines := strings.Split(strings.ReplaceAll(head, "\r\n", "\n"), "\n")
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) == 0 {
		return nil, badRequest("empty request")
	}
	parts := strings.Split(lines[0], " ")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" {
		return nil, badRequest("malformed request line %q", lines[0])
	}
	r := &Request{Method: parts[0], Target: parts[1], Version: parts[2]}
	for _, line := range lines[1:] {
		name, value, ok := strings.Cut(line, ":")
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return nil, badRequest("malformed header field %q", line)
		}
		value = strings.TrimSpace(value)
		switch strings.ToLower(name) {
		case "host":
			r.Host = value
		case "connection":
			r.Connection = value
		case "user-agent":
			r.UserAgent = value
		case "cookie":
			r.Cookie = value
		case "if-modified-since":
			if t, err := ParseDate(value); err == nil {
				r.IfModifiedSince, r.HasIfModifiedSince = t, true
			}
		case "content-length":
			n, err := strconv.ParseInt(value, 10, 64)
			if err != nil || n < 0 {
				return nil, badRequest("bad Content-Length %q", value)
			}
			r.BodyBytes = n
		}
	}
	if err := r.Check(); err != nil {
		return nil, err
	}
	return r, nil
}

// Check validates a request the way a server must before serving it, whether it came
// as text or as a struct: the method a token, the version HTTP/x.y and supported, the
// target an origin-form path, a Host field in HTTP/1.1 (RFC 7230 §5.4).
func (r *Request) Check() error {
	if !isToken(r.Method) {
		return badRequest("bad method %q", r.Method)
	}
	if !strings.HasPrefix(r.Target, "/") || strings.ContainsAny(r.Target, " \t\r\n") {
		return badRequest("bad request target %q", r.Target)
	}
	v := r.Version
	if len(v) != 8 || !strings.HasPrefix(v, "HTTP/") || !isDigit(v[5]) || v[6] != '.' || !isDigit(v[7]) {
		return badRequest("bad HTTP version %q", v)
	}
	if v != Version11 && v != Version10 {
		return &ParseError{Status: StatusHTTPVersionNotSupported, Reason: "version " + v}
	}
	if v == Version11 && r.Host == "" {
		return badRequest("HTTP/1.1 request without Host")
	}
	switch r.Method {
	case MethodGet, MethodHead, MethodPost, MethodPut, MethodDelete:
	default:
		return &ParseError{Status: StatusNotImplemented, Reason: "method " + r.Method}
	}
	if r.BodyBytes < 0 {
		return badRequest("negative body length")
	}
	if r.Body != "" && int64(len(r.Body)) != r.BodyBytes {
		return badRequest("a body of %d bytes sent with Content-Length %d", len(r.Body), r.BodyBytes)
	}
	return nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// isToken reports whether s is an RFC 7230 §3.2.6 token (here: letters, digits and
// the common punctuation), as a method must be.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', isDigit(c):
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// ParseResponse reads the header text of a response (what Text returns); it is the
// inverse of Text for the fields the model uses. BodyBytes is left 0: the caller knows
// whether a body follows (not after HEAD or 304).
func ParseResponse(text string) (*Response, error) {
	head, _, _ := strings.Cut(text, "\r\n\r\n")
	lines := strings.Split(head, "\r\n")
	ver, rest, ok := strings.Cut(lines[0], " ")
	if !ok || !strings.HasPrefix(ver, "HTTP/") {
		return nil, fmt.Errorf("malformed status line %q", lines[0])
	}
	code, reason, _ := strings.Cut(rest, " ")
	// RFC 7230 §3.1.2: status-code = 3DIGIT, of which 1xx to 5xx are defined (RFC 7231
	// §6); the first digit at least 1, so that Text writes it back as three.
	st, err := strconv.Atoi(code)
	if err != nil || len(code) != 3 || strings.Trim(code, "0123456789") != "" || st < 100 {
		return nil, fmt.Errorf("malformed status line %q", lines[0])
	}
	r := &Response{Version: ver, Status: st, Reason: reason}
	for _, line := range lines[1:] {
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("malformed header field %q", line)
		}
		value = strings.TrimSpace(value)
		var err error
		switch strings.ToLower(name) {
		case "connection":
			r.Connection = value
		case "date":
			r.Date, err = ParseDate(value)
		case "server":
			r.Server = value
		case "last-modified":
			r.LastModified, err = ParseDate(value)
			r.HasLastModified = true
		case "content-length":
			if r.ContentLength, err = strconv.ParseInt(value, 10, 64); err == nil && r.ContentLength < 0 {
				err = fmt.Errorf("negative length")
			}
		case "content-type":
			r.ContentType = value
		case "cache-control":
			if n, ok := strings.CutPrefix(value, "max-age="); ok {
				var s int64
				s, err = parseDeltaSeconds(n)
				r.CacheControlMaxAge, r.HasMaxAge = sim.Time(s)*sim.Second, true
			}
		case "set-cookie":
			r.SetCookie = value
		case "location":
			r.Location = value
		}
		if err != nil {
			return nil, fmt.Errorf("header field %q: %w", line, err)
		}
	}
	return r, nil
}
