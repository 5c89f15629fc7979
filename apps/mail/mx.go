package mail

import (
	"errors"
	"sort"
	"strings"

	"netsim/topology"
)

// MX is one mail exchanger of a domain (RFC 5321 §5.1; Kurose & Ross §2.5.1, mail
// server aliasing): a host, its preference (lower first) and its address.
type MX struct {
	Host string
	Pref int
	Node topology.NodeID
}

// MXResolver finds a domain's mail exchangers: what a mail server asks DNS for its MX
// records (and the A records of their hosts). A server tries them in order of
// preference.
type MXResolver interface {
	// LookupMX calls done once, now or later, with the domain's exchangers sorted by
	// preference, or an error: ErrNoDomain (wrapped) when the domain has no mail
	// exchanger (NXDOMAIN, or no MX nor A record), which bounces the message at once;
	// any other error is temporary (the resolver timed out), and the server tries
	// again at its next retry.
	LookupMX(domain string, done func([]MX, error))
}

// ErrNoDomain is the permanent failure of an MX lookup.
var ErrNoDomain = errors.New("no mail exchanger for the domain")

// StaticMX is a fixed table of exchangers by domain: how a mail server finds the
// others when DNS is not in the scenario. Domains are case-insensitive.
type StaticMX map[string][]MX

// LookupMX answers from the table, at once.
func (m StaticMX) LookupMX(domain string, done func([]MX, error)) {
	list, ok := m[strings.ToLower(domain)]
	if !ok || len(list) == 0 {
		done(nil, ErrNoDomain)
		return
	}
	out := append([]MX(nil), list...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Pref < out[j].Pref })
	done(out, nil)
}
