package dns

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"golang.org/x/net/dns/dnsmessage"

	"netsim/topology"
)

// Port is the DNS port, UDP and TCP (RFC 1035 §4.2).
const Port = 53

// MaxUDPBytes is the largest message UDP carries without EDNS (RFC 1035 §2.3.4, §4.2.1):
// a longer response is truncated and the asker retries over TCP.
const MaxUDPBytes = 512

// Type is a record type (RFC 1035 §3.2.2).
type Type = dnsmessage.Type

// Record types, as dnsmessage names them.
const (
	TypeA     = dnsmessage.TypeA
	TypeAAAA  = dnsmessage.TypeAAAA
	TypeNS    = dnsmessage.TypeNS
	TypeCNAME = dnsmessage.TypeCNAME
	TypeMX    = dnsmessage.TypeMX
	TypeSOA   = dnsmessage.TypeSOA
)

// Response codes (RFC 1035 §4.1.1).
const (
	RCodeSuccess  = dnsmessage.RCodeSuccess
	RCodeFormErr  = dnsmessage.RCodeFormatError
	RCodeServFail = dnsmessage.RCodeServerFailure
	RCodeNXDomain = dnsmessage.RCodeNameError
	RCodeRefused  = dnsmessage.RCodeRefused
)

// RR is a resource record: the texts' (Name, Value, Type, TTL), with the value in the
// field its type uses. Names are fully qualified and lower case ("gaia.cs.umass.edu.").
type RR struct {
	Name   string
	Type   dnsmessage.Type
	TTL    uint32     // seconds
	Addr   netip.Addr // A, AAAA
	Target string     // NS: a server's name; CNAME: the canonical name; MX: the exchange
	Pref   uint16     // MX preference
	SOA    *SOA       // SOA
}

// SOA is a start-of-authority record's value (RFC 1035 §3.3.13). Minimum is the TTL
// of negative answers (RFC 2308 §4).
type SOA struct {
	MName, RName                                string
	Serial, Refresh, Retry, Expire, MinimumTTLs uint32
}

// Value is the record's value as the texts write it.
func (r RR) Value() string {
	switch r.Type {
	case TypeA, TypeAAAA:
		return r.Addr.String()
	case TypeMX:
		return fmt.Sprintf("%d %s", r.Pref, r.Target)
	case TypeSOA:
		if s := r.SOA; s != nil {
			return fmt.Sprintf("%s %s %d %d %d %d %d", s.MName, s.RName, s.Serial, s.Refresh, s.Retry, s.Expire, s.MinimumTTLs)
		}
	}
	return r.Target
}

func (r RR) String() string {
	return fmt.Sprintf("%s %d %s %s", r.Name, r.TTL, typeName(r.Type), r.Value())
}

func typeName(t dnsmessage.Type) string { return strings.TrimPrefix(t.String(), "Type") }

// Question is what a query asks: a name and a type, class IN.
type Question struct {
	Name string
	Type dnsmessage.Type
}

func (q Question) String() string { return q.Name + " " + typeName(q.Type) }

// Msg is a DNS message (RFC 1035 §4.1): its header's fields, one question, and the
// three sections of records.
type Msg struct {
	ID                                   uint16
	Response, Authoritative, Truncated   bool
	RecursionDesired, RecursionAvailable bool
	RCode                                dnsmessage.RCode
	Question                             Question
	Answer, Authority, Additional        []RR
	hasQuestion                          bool
}

// NewQuery returns a query for q with id, asking for recursion if rd.
func NewQuery(id uint16, q Question, rd bool) *Msg {
	return &Msg{ID: id, Question: q, RecursionDesired: rd, hasQuestion: true}
}

// Reply returns a response to m: its ID, question and RD flag copied (RFC 1035 §4.1.1).
func (m *Msg) Reply() *Msg {
	return &Msg{ID: m.ID, Response: true, RecursionDesired: m.RecursionDesired, Question: m.Question, hasQuestion: m.hasQuestion}
}

// Pack encodes m, with name compression (RFC 1035 §4.1.4), into a buffer of the
// size the encoding can take at most, built with dnsmessage's Builder: the bytes are
// Message.Pack's without its 512-byte buffer, its slices of resources and their
// bodies on the heap. A message without records (a query) has nothing to compress: a
// question's name cannot point into itself.
func (m *Msg) Pack() ([]byte, error) {
	b := dnsmessage.NewBuilder(make([]byte, 0, m.sizeBound()), dnsmessage.Header{
		ID: m.ID, Response: m.Response, Authoritative: m.Authoritative, Truncated: m.Truncated,
		RecursionDesired: m.RecursionDesired, RecursionAvailable: m.RecursionAvailable, RCode: m.RCode,
	})
	if len(m.Answer)+len(m.Authority)+len(m.Additional) > 0 {
		b.EnableCompression()
	}
	if m.hasQuestion {
		n, err := dnsmessage.NewName(m.Question.Name)
		if err != nil {
			return nil, err
		}
		if err := b.StartQuestions(); err != nil {
			return nil, err
		}
		if err := b.Question(dnsmessage.Question{Name: n, Type: m.Question.Type, Class: dnsmessage.ClassINET}); err != nil {
			return nil, err
		}
	}
	// Sections by index, not a table of method values: those would escape to the
	// heap on every message.
	for i, rrs := range [3][]RR{m.Answer, m.Authority, m.Additional} {
		if len(rrs) == 0 {
			continue
		}
		var err error
		switch i {
		case 0:
			err = b.StartAnswers()
		case 1:
			err = b.StartAuthorities()
		default:
			err = b.StartAdditionals()
		}
		if err != nil {
			return nil, err
		}
		for _, rr := range rrs {
			if err := rr.build(&b); err != nil {
				return nil, err
			}
		}
	}
	return b.Finish()
}

// sizeBound is the most bytes m can encode to: every name written out whole (a
// name of n characters with its final dot takes n+1 bytes).
func (m *Msg) sizeBound() int {
	name := func(s string) int { return len(s) + 2 }
	n := 12
	if m.hasQuestion {
		n += name(m.Question.Name) + 4
	}
	for _, sec := range [][]RR{m.Answer, m.Authority, m.Additional} {
		for _, r := range sec {
			n += name(r.Name) + 10 + name(r.Target) + 16 + 2
			if r.SOA != nil {
				n += name(r.SOA.MName) + name(r.SOA.RName) + 20
			}
		}
	}
	return n
}

// build appends r to the section b is in.
func (r RR) build(b *dnsmessage.Builder) error {
	n, err := dnsmessage.NewName(r.Name)
	if err != nil {
		return err
	}
	h := dnsmessage.ResourceHeader{Name: n, Type: r.Type, Class: dnsmessage.ClassINET, TTL: r.TTL}
	target := func() (dnsmessage.Name, error) { return dnsmessage.NewName(r.Target) }
	switch r.Type {
	case TypeA:
		return b.AResource(h, dnsmessage.AResource{A: r.Addr.As4()})
	case TypeAAAA:
		return b.AAAAResource(h, dnsmessage.AAAAResource{AAAA: r.Addr.As16()})
	case TypeNS:
		t, err := target()
		if err != nil {
			return err
		}
		return b.NSResource(h, dnsmessage.NSResource{NS: t})
	case TypeCNAME:
		t, err := target()
		if err != nil {
			return err
		}
		return b.CNAMEResource(h, dnsmessage.CNAMEResource{CNAME: t})
	case TypeMX:
		t, err := target()
		if err != nil {
			return err
		}
		return b.MXResource(h, dnsmessage.MXResource{Pref: r.Pref, MX: t})
	case TypeSOA:
		s := r.SOA
		if s == nil {
			return fmt.Errorf("dns: SOA record %s without a value", r.Name)
		}
		mn, err := dnsmessage.NewName(s.MName)
		if err != nil {
			return err
		}
		rn, err := dnsmessage.NewName(s.RName)
		if err != nil {
			return err
		}
		return b.SOAResource(h, dnsmessage.SOAResource{NS: mn, MBox: rn, Serial: s.Serial, Refresh: s.Refresh, Retry: s.Retry, Expire: s.Expire, MinTTL: s.MinimumTTLs})
	}
	return fmt.Errorf("dns: record type %v is not modelled", r.Type)
}

// ErrHeader is a message too short for a header: nothing can be answered, not even
// FORMERR, since the ID is not known (RFC 1035 §4.1.1).
var ErrHeader = errors.New("dns: message shorter than its header")

// Parse decodes a message. A message whose header parses but whose rest does not — a
// count that says more records than there are, a compression pointer loop, a name
// too long, not exactly one question — returns the header's fields in m with the
// error, so that a server can answer FORMERR (RFC 1035 §4.1.1); a message shorter
// than a header returns ErrHeader and a nil m. Records of types not modelled are
// skipped.
func Parse(b []byte) (m *Msg, err error) {
	var p dnsmessage.Parser
	h, err := p.Start(b)
	if err != nil {
		return nil, ErrHeader
	}
	m = &Msg{ID: h.ID, Response: h.Response, Authoritative: h.Authoritative, Truncated: h.Truncated,
		RecursionDesired: h.RecursionDesired, RecursionAvailable: h.RecursionAvailable, RCode: h.RCode}
	// One question at a time, not AllQuestions: no slice of 260-byte questions.
	q, err := p.Question()
	switch {
	case err == dnsmessage.ErrSectionDone && h.Response:
		// A FORMERR may come back with no question (RFC 1035 §4.1.1).
		return m, parseRecords(&p, m)
	case err == dnsmessage.ErrSectionDone:
		return m, errors.New("dns: 0 questions, want 1")
	case err != nil:
		return m, fmt.Errorf("dns: question: %w", err)
	}
	if _, err := p.Question(); err != dnsmessage.ErrSectionDone {
		if err != nil {
			return m, fmt.Errorf("dns: question: %w", err)
		}
		return m, errors.New("dns: more than 1 question, want 1")
	}
	m.Question = Question{Name: lowerName(q.Name), Type: q.Type}
	m.hasQuestion = true
	return m, parseRecords(&p, m)
}

// parseRecords reads the three sections record by record (dnsmessage's header and
// body calls, each a value): records of types not modelled are skipped.
func parseRecords(p *dnsmessage.Parser, m *Msg) error {
	for i, what := range [3]string{"answer", "authority", "additional"} {
		out := [3]*[]RR{&m.Answer, &m.Authority, &m.Additional}[i]
		for {
			var h dnsmessage.ResourceHeader
			var err error
			switch i {
			case 0:
				h, err = p.AnswerHeader()
			case 1:
				h, err = p.AuthorityHeader()
			default:
				h, err = p.AdditionalHeader()
			}
			if err == dnsmessage.ErrSectionDone {
				break
			}
			if err != nil {
				return fmt.Errorf("dns: %s: %w", what, err)
			}
			rr, ok, err := rrOf(p, h)
			if err != nil {
				return fmt.Errorf("dns: %s: %w", what, err)
			}
			if ok {
				*out = append(*out, rr)
			}
		}
	}
	return nil
}

// rrOf reads the body of the record whose header is h.
func rrOf(p *dnsmessage.Parser, h dnsmessage.ResourceHeader) (RR, bool, error) {
	rr := RR{Name: lowerName(h.Name), Type: h.Type, TTL: h.TTL}
	var err error
	switch h.Type {
	case TypeA:
		var b dnsmessage.AResource
		if b, err = p.AResource(); err == nil {
			rr.Addr = netip.AddrFrom4(b.A)
		}
	case TypeAAAA:
		var b dnsmessage.AAAAResource
		if b, err = p.AAAAResource(); err == nil {
			rr.Addr = netip.AddrFrom16(b.AAAA)
		}
	case TypeNS:
		var b dnsmessage.NSResource
		if b, err = p.NSResource(); err == nil {
			rr.Target = lowerName(b.NS)
		}
	case TypeCNAME:
		var b dnsmessage.CNAMEResource
		if b, err = p.CNAMEResource(); err == nil {
			rr.Target = lowerName(b.CNAME)
		}
	case TypeMX:
		var b dnsmessage.MXResource
		if b, err = p.MXResource(); err == nil {
			rr.Target, rr.Pref = lowerName(b.MX), b.Pref
		}
	case TypeSOA:
		var b dnsmessage.SOAResource
		if b, err = p.SOAResource(); err == nil {
			rr.SOA = &SOA{MName: lowerName(b.NS), RName: lowerName(b.MBox), Serial: b.Serial, Refresh: b.Refresh,
				Retry: b.Retry, Expire: b.Expire, MinimumTTLs: b.MinTTL}
		}
	default:
		return RR{}, false, skip(p)
	}
	if err != nil {
		return RR{}, false, err
	}
	return rr, true, nil
}

// skip passes over the body of a record of a type not modelled, in whichever
// section the parser is.
func skip(p *dnsmessage.Parser) error {
	// UnknownResource reads any body: its length is in the header just read.
	_, err := p.UnknownResource()
	return err
}

// lowerName is a name as a string, lower case (names compare case-insensitively,
// RFC 1035 §2.3.3).
func lowerName(n dnsmessage.Name) string { return strings.ToLower(n.String()) }

// Text renders m for transcripts, one line for the header and question, one per
// record:
//
//	response 0x1a2b qr aa NOERROR gaia.cs.umass.edu. A
//	  an gaia.cs.umass.edu. 86400 A 10.0.0.9
func (m *Msg) Text() string {
	var b strings.Builder
	if m.Response {
		b.WriteString("response")
	} else {
		b.WriteString("query")
	}
	fmt.Fprintf(&b, " 0x%04x", m.ID)
	for _, f := range []struct {
		on   bool
		name string
	}{{m.Response, "qr"}, {m.Authoritative, "aa"}, {m.Truncated, "tc"}, {m.RecursionDesired, "rd"}, {m.RecursionAvailable, "ra"}} {
		if f.on {
			b.WriteString(" " + f.name)
		}
	}
	if m.Response {
		b.WriteString(" " + rcodeName(m.RCode))
	}
	if m.hasQuestion {
		b.WriteString(" " + m.Question.String())
	}
	for _, sec := range []struct {
		tag string
		rrs []RR
	}{{"an", m.Answer}, {"ns", m.Authority}, {"ar", m.Additional}} {
		for _, rr := range sec.rrs {
			fmt.Fprintf(&b, "\n  %s %s", sec.tag, rr)
		}
	}
	return b.String()
}

func rcodeName(c dnsmessage.RCode) string {
	switch c {
	case RCodeSuccess:
		return "NOERROR"
	case RCodeFormErr:
		return "FORMERR"
	case RCodeServFail:
		return "SERVFAIL"
	case RCodeNXDomain:
		return "NXDOMAIN"
	case RCodeRefused:
		return "REFUSED"
	}
	return strings.TrimPrefix(c.String(), "RCode")
}

// Wire is a packed message as the socket layer carries it: the payload is the
// encoding itself and the size its length — over TCP plus the two-byte length prefix
// (RFC 1035 §4.2.2), which the payload's Encode gives too, so that a capture holds the
// real bytes.
func Wire(b []byte, tcp bool) topology.Message {
	if tcp {
		return topology.Message{SizeBytes: int64(len(b)) + 2, Payload: framed(b)}
	}
	return topology.Message{SizeBytes: int64(len(b)), Payload: Packet(b)}
}

// Packet is a DNS message's encoding as a UDP datagram carries it. It is its own
// wire encoding (topology.Encoder) and names itself for a sequence chart
// (topology.Labeler).
type Packet []byte

// Encode returns the message's bytes.
func (p Packet) Encode() []byte { return p }

// Label is the chart's one line for the message (Msg.Label), or "malformed DNS".
func (p Packet) Label() string { return labelOf(p) }

// framed is a DNS message over TCP: its encoding after a two-byte length (RFC 1035
// §4.2.2).
type framed []byte

// Encode returns the length prefix and the message's bytes.
func (f framed) Encode() []byte {
	return append([]byte{byte(len(f) >> 8), byte(len(f))}, f...)
}

// Label is the message's label, as over UDP.
func (f framed) Label() string { return labelOf(f) }

func labelOf(b []byte) string {
	m, err := Parse(b)
	if err != nil {
		return "malformed DNS"
	}
	return m.Label()
}

// payload returns a received message's bytes, or nil if it is not a DNS message.
func payload(m topology.Message) []byte {
	switch b := m.Payload.(type) {
	case Packet:
		return b
	case framed:
		return b
	case []byte:
		return b
	}
	return nil
}

// Encode returns m's wire encoding (topology.Encoder), nil if m cannot be packed.
func (m *Msg) Encode() []byte {
	b, _ := m.Pack()
	return b
}

// Label names m in one line, as a sequence chart labels its arrow and tcpdump its
// packets: a query "A? gaia.cs.umass.edu"; a response its first answer
// ("gaia.cs.umass.edu A 10.0.0.10", "+1" for each further one), else its referral
// ("umass.edu NS dns.umass.edu"), else its RCODE and question; TC for a truncated one.
func (m *Msg) Label() string {
	q := strings.TrimSuffix(m.Question.Name, ".")
	if !m.Response {
		return typeName(m.Question.Type) + "? " + q
	}
	var b strings.Builder
	switch {
	case m.RCode != RCodeSuccess:
		fmt.Fprintf(&b, "%s %s", rcodeName(m.RCode), q)
	case len(m.Answer) > 0:
		b.WriteString(rrLabel(m.Answer[0]))
		if n := len(m.Answer) - 1; n > 0 {
			fmt.Fprintf(&b, " +%d", n)
		}
	case len(m.Authority) > 0 && m.Authority[0].Type == TypeNS:
		b.WriteString(rrLabel(m.Authority[0]))
		if n := len(m.Authority) - 1; n > 0 {
			fmt.Fprintf(&b, " +%d", n)
		}
	default:
		fmt.Fprintf(&b, "NODATA %s %s", typeName(m.Question.Type), q)
	}
	if m.Truncated {
		b.WriteString(" TC")
	}
	return b.String()
}

func rrLabel(r RR) string {
	name := strings.TrimSuffix(r.Name, ".")
	if name == "" {
		name = "."
	}
	return name + " " + typeName(r.Type) + " " + strings.TrimSuffix(r.Value(), ".")
}

// AddrOfNode is the IPv4 address of a simulated host, the one its packets carry in a
// capture (topology.NodeID.IPv4: 10.0.0.1 for node 0), so that an A record names a
// host the network can reach.
func AddrOfNode(n topology.NodeID) netip.Addr { return n.IPv4() }

// NodeOfAddr inverts AddrOfNode; false for an address that is no host's.
func NodeOfAddr(a netip.Addr) (topology.NodeID, bool) {
	if !a.Is4() {
		return 0, false
	}
	b := a.As4()
	n := uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	if b[0] != 10 || n == 0 {
		return 0, false
	}
	return topology.NodeID(n - 1), true
}

// Fqdn returns name lower case with its final dot.
func Fqdn(name string) string {
	name = strings.ToLower(name)
	if !strings.HasSuffix(name, ".") {
		name += "."
	}
	return name
}

// parent returns the name one label up ("cs.umass.edu." → "umass.edu."), "" above
// the root.
func parent(name string) string {
	if name == "." {
		return ""
	}
	_, rest, _ := strings.Cut(name, ".")
	if rest == "" {
		return "."
	}
	return rest
}

// within reports whether name is zone or below it.
func within(name, zone string) bool {
	return zone == "." || name == zone || strings.HasSuffix(name, "."+zone)
}
