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

// Pack encodes m, with name compression (RFC 1035 §4.1.4).
func (m *Msg) Pack() ([]byte, error) {
	dm := dnsmessage.Message{Header: dnsmessage.Header{
		ID: m.ID, Response: m.Response, Authoritative: m.Authoritative, Truncated: m.Truncated,
		RecursionDesired: m.RecursionDesired, RecursionAvailable: m.RecursionAvailable, RCode: m.RCode,
	}}
	if m.hasQuestion {
		n, err := dnsmessage.NewName(m.Question.Name)
		if err != nil {
			return nil, err
		}
		dm.Questions = []dnsmessage.Question{{Name: n, Type: m.Question.Type, Class: dnsmessage.ClassINET}}
	}
	for _, sec := range []struct {
		rrs []RR
		out *[]dnsmessage.Resource
	}{{m.Answer, &dm.Answers}, {m.Authority, &dm.Authorities}, {m.Additional, &dm.Additionals}} {
		for _, rr := range sec.rrs {
			res, err := rr.resource()
			if err != nil {
				return nil, err
			}
			*sec.out = append(*sec.out, res)
		}
	}
	return dm.Pack()
}

func (r RR) resource() (dnsmessage.Resource, error) {
	n, err := dnsmessage.NewName(r.Name)
	if err != nil {
		return dnsmessage.Resource{}, err
	}
	h := dnsmessage.ResourceHeader{Name: n, Type: r.Type, Class: dnsmessage.ClassINET, TTL: r.TTL}
	name := func(s string) (dnsmessage.Name, error) { return dnsmessage.NewName(s) }
	var body dnsmessage.ResourceBody
	switch r.Type {
	case TypeA:
		body = &dnsmessage.AResource{A: r.Addr.As4()}
	case TypeAAAA:
		body = &dnsmessage.AAAAResource{AAAA: r.Addr.As16()}
	case TypeNS:
		t, err := name(r.Target)
		if err != nil {
			return dnsmessage.Resource{}, err
		}
		body = &dnsmessage.NSResource{NS: t}
	case TypeCNAME:
		t, err := name(r.Target)
		if err != nil {
			return dnsmessage.Resource{}, err
		}
		body = &dnsmessage.CNAMEResource{CNAME: t}
	case TypeMX:
		t, err := name(r.Target)
		if err != nil {
			return dnsmessage.Resource{}, err
		}
		body = &dnsmessage.MXResource{Pref: r.Pref, MX: t}
	case TypeSOA:
		s := r.SOA
		if s == nil {
			return dnsmessage.Resource{}, fmt.Errorf("dns: SOA record %s without a value", r.Name)
		}
		mn, err := name(s.MName)
		if err != nil {
			return dnsmessage.Resource{}, err
		}
		rn, err := name(s.RName)
		if err != nil {
			return dnsmessage.Resource{}, err
		}
		body = &dnsmessage.SOAResource{NS: mn, MBox: rn, Serial: s.Serial, Refresh: s.Refresh, Retry: s.Retry, Expire: s.Expire, MinTTL: s.MinimumTTLs}
	default:
		return dnsmessage.Resource{}, fmt.Errorf("dns: record type %v is not modelled", r.Type)
	}
	return dnsmessage.Resource{Header: h, Body: body}, nil
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
	qs, err := p.AllQuestions()
	if err != nil {
		return m, fmt.Errorf("dns: question: %w", err)
	}
	switch {
	case len(qs) == 0 && h.Response:
		// A FORMERR may come back with no question (RFC 1035 §4.1.1).
	case len(qs) != 1:
		return m, fmt.Errorf("dns: %d questions, want 1", len(qs))
	}
	if len(qs) == 0 {
		return m, parseRecords(&p, m)
	}
	m.Question = Question{Name: strings.ToLower(qs[0].Name.String()), Type: qs[0].Type}
	m.hasQuestion = true
	return m, parseRecords(&p, m)
}

func parseRecords(p *dnsmessage.Parser, m *Msg) error {
	for _, sec := range []struct {
		what string
		all  func() ([]dnsmessage.Resource, error)
		out  *[]RR
	}{{"answer", p.AllAnswers, &m.Answer}, {"authority", p.AllAuthorities, &m.Authority}, {"additional", p.AllAdditionals, &m.Additional}} {
		res, err := sec.all()
		if err != nil {
			return fmt.Errorf("dns: %s: %w", sec.what, err)
		}
		for _, r := range res {
			if rr, ok := rrOf(r); ok {
				*sec.out = append(*sec.out, rr)
			}
		}
	}
	return nil
}

func rrOf(r dnsmessage.Resource) (RR, bool) {
	rr := RR{Name: strings.ToLower(r.Header.Name.String()), Type: r.Header.Type, TTL: r.Header.TTL}
	low := func(n dnsmessage.Name) string { return strings.ToLower(n.String()) }
	switch b := r.Body.(type) {
	case *dnsmessage.AResource:
		rr.Addr = netip.AddrFrom4(b.A)
	case *dnsmessage.AAAAResource:
		rr.Addr = netip.AddrFrom16(b.AAAA)
	case *dnsmessage.NSResource:
		rr.Target = low(b.NS)
	case *dnsmessage.CNAMEResource:
		rr.Target = low(b.CNAME)
	case *dnsmessage.MXResource:
		rr.Target, rr.Pref = low(b.MX), b.Pref
	case *dnsmessage.SOAResource:
		rr.SOA = &SOA{MName: low(b.NS), RName: low(b.MBox), Serial: b.Serial, Refresh: b.Refresh,
			Retry: b.Retry, Expire: b.Expire, MinimumTTLs: b.MinTTL}
	default:
		return RR{}, false
	}
	return rr, true
}

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
