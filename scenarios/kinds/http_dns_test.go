package kinds

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/scenarios"
)

// httpDNSStar is the http kind's platform with dns.on and links of no rate, so that
// transmission takes no time: the browser and the server 25 ms from the core (the
// 100 ms RTT), and the DNS hosts at the dns section's default delays.
const httpDNSStar = `topology:
  star:
    hosts:
      - {name: browser, delay: 25ms}
      - {name: www.someschool.edu, delay: 25ms}
      - {name: local-dns, delay: 2ms}
      - {name: a.root-servers.net, delay: 20ms}
      - {name: a.nic.edu, delay: 30ms}
      - {name: ns.someschool.edu, delay: 40ms}
`

// Issue 11, "the Web rides on it": with dns.on a page load is the resolution of
// www.someschool.edu with the caches empty — the sum of the RTTs of its exchanges
// (K&R §2.5.2): browser ↔ local 54 ms, then local ↔ root 44, TLD 64 and
// authoritative 84 (iterative, 246 ms), or local → root → TLD → authoritative and
// back (recursive, 44 + 100 + 140: 338 ms) — plus the RTT formula of §2.2.2 for the
// mode, to the nanosecond. A second load finds the name in the browser's host's
// cache and costs the HTTP part alone (the mean of two loads, to a femtosecond).
func TestHTTPWithDNSIsResolutionPlusTheRTTFormula(t *testing.T) {
	runPoints(t, "kind: http\nparams: {objects: 3, dns: {on: true}}\nsweep: {mode: [nonpersistent, parallel, persistent, pipelined], dns.mode: [iterative, recursive], sessions: [1, 2]}\n"+httpDNSStar,
		func(p *httpParams, out scenarios.Outcome) {
			want := theoryOf(t, kindNamed(t, "http"), "rtt_formula", p)
			dns := map[string]float64{"iterative": 0.246, "recursive": 0.338}[p.DNS.Mode]
			formula := map[string]float64{"nonpersistent": 8, "parallel": 4, "persistent": 5, "pipelined": 3}[p.Mode] * 0.1
			require.InDelta(t, (dns+float64(p.Sessions)*formula)/float64(p.Sessions), want, 1e-12, "theory, %s %s", p.Mode, p.DNS.Mode)
			if p.Sessions == 1 {
				require.Equal(t, want, out.Values["page_load_s"], "%s %s", p.Mode, p.DNS.Mode)
			} else { // the metric's mean adds seconds, the theory nanoseconds
				require.InDelta(t, want, out.Values["page_load_s"], 1e-15, "%s %s sessions 2", p.Mode, p.DNS.Mode)
			}
		})
}

// On the kind's own platform (the browser's 1 Gbps access link), dns.on adds the DNS
// hosts, and a load is the same sum plus the transmission of its messages: within
// 1% of the formula, never under it.
func TestHTTPWithDNSOnTheDefaultPlatform(t *testing.T) {
	runPoints(t, "kind: http\nparams: {dns: {on: true}}\n", func(p *httpParams, out scenarios.Outcome) {
		want := theoryOf(t, kindNamed(t, "http"), "rtt_formula", p)
		require.GreaterOrEqual(t, out.Values["page_load_s"], want)
		require.InEpsilon(t, want, out.Values["page_load_s"], 1e-2)
	})
}

// A server name DNS cannot hold (one label, no TLD) is refused before anything runs.
func TestHTTPWithDNSNeedsADomainName(t *testing.T) {
	_, err := scenarios.Parse("bad.yaml", []byte("kind: http\nparams: {server_host: server, dns: {on: true}}\n"))
	require.Error(t, err)
	first, _, _ := strings.Cut(err.Error(), "\n")
	require.Equal(t, `bad.yaml:2: params.server_host: with dns.on: dns: host "server" is not a name under a TLD`, first)
}

// With a topology: section, dns.on needs the DNS hosts in it: each missing one is
// named before anything runs.
func TestHTTPWithDNSNeedsItsHostsInTheTopology(t *testing.T) {
	_, err := scenarios.Parse("bad.yaml", []byte("kind: http\nparams: {dns: {on: true}}\ntopology:\n  star:\n    hosts:\n"+
		"      - {name: browser, delay: 25ms}\n      - {name: www.someschool.edu, delay: 25ms}\n      - {name: local-dns, delay: 2ms}\n"))
	require.Error(t, err)
	var firsts []string
	for _, line := range strings.Split(err.Error(), "\n") {
		if strings.HasPrefix(line, "bad.yaml:") {
			firsts = append(firsts, line)
		}
	}
	require.Equal(t, []string{
		"bad.yaml:3: topology: kind http needs a host named a.root-servers.net for its root DNS server",
		"bad.yaml:3: topology: kind http needs a host named a.nic.edu for its TLD DNS server",
		"bad.yaml:3: topology: kind http needs a host named ns.someschool.edu for its authoritative DNS server",
	}, firsts)
}
