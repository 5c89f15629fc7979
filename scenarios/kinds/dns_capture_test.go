package kinds

import (
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/capture"
)

// dnsTextbook is the texts' resolution of gaia.cs.umass.edu from cis.poly.edu with
// empty caches (K&R §2.5.2, the iterative figure), every resolver asking the first
// server of an NS set.
const dnsTextbook = `kind: dns
params: {workload: textbook, select: in-order, client_delay: 1ms, local_delay: 2ms, root_delay: 20ms, tld_delay: 30ms, auth_delay: 40ms}
`

// The texts' iterative resolution as Wireshark shows it at the local server
// dns.poly.edu: eight DNS datagrams to and from UDP port 53 (RFC 1035 §4.2.1), each
// decoding with its real names, types, flags and section counts — the host's
// recursive query (RD), the iterative queries to the root, the edu and the umass.edu
// servers, the root's referral (2 NS, 2 glue A), the TLD's (1 NS, 1 glue A), the
// authoritative answer (AA) and the local server's relay of it (RD, RA) — with the
// sizes of apps/dns/testdata/iterative.txt (UDP length = 8 + the message), and the
// referrals' glue addresses are the ones the servers' own packets carry.
func TestPcapOfTheTextbookResolution(t *testing.T) {
	c, _ := captureOf(t, dnsTextbook, "dns.poly.edu")
	c.Check(t)
	client, local := c.IP(t, "cis.poly.edu"), c.IP(t, "dns.poly.edu")
	root, tld, auth := c.IP(t, "a.root-servers.net"), c.IP(t, "a.edu-servers.net"), c.IP(t, "dns.umass.edu")
	got := c.Fields(t, "dns.poly.edu", "dns", "ip.src", "ip.dst", "udp.dstport", "udp.length",
		"dns.flags.response", "dns.flags.recdesired", "dns.flags.authoritative", "dns.flags.recavail",
		"dns.qry.name", "dns.qry.type", "dns.count.answers", "dns.count.auth_rr", "dns.count.add_rr")
	// tshark writes a response's AA and RA flags, and leaves them empty in a query.
	require.Equal(t, [][]string{
		{client, local, "53", "43", "0", "1", "", "", "gaia.cs.umass.edu", "1", "0", "0", "0"},
		{local, root, "53", "43", "0", "0", "", "", "gaia.cs.umass.edu", "1", "0", "0", "0"},
		{root, local, "49152", "122", "1", "0", "0", "0", "gaia.cs.umass.edu", "1", "0", "2", "2"},
		{local, tld, "53", "43", "0", "0", "", "", "gaia.cs.umass.edu", "1", "0", "0", "0"},
		{tld, local, "49152", "77", "1", "0", "0", "0", "gaia.cs.umass.edu", "1", "0", "1", "1"},
		{local, auth, "53", "43", "0", "0", "", "", "gaia.cs.umass.edu", "1", "0", "0", "0"},
		{auth, local, "49152", "59", "1", "0", "1", "0", "gaia.cs.umass.edu", "1", "1", "0", "0"},
		{local, client, "49152", "59", "1", "1", "0", "1", "gaia.cs.umass.edu", "1", "1", "0", "0"},
	}, got)
	require.Equal(t, [][]string{
		{"edu,edu,a.edu-servers.net,b.edu-servers.net", "a.edu-servers.net,b.edu-servers.net", tld + "," + c.IP(t, "b.edu-servers.net")},
		{"umass.edu,dns.umass.edu", "dns.umass.edu", auth},
	}, c.Fields(t, "dns.poly.edu", "dns.count.auth_rr > 0", "dns.resp.name", "dns.ns", "dns.a"), "the owners of NS and glue, NS, glue")
}

// The chart of the texts' iterative resolution (K&R §2.5.2, "Interaction of the
// various DNS servers"): its eight messages, 1 and 8 between the host and its local
// server, 2–7 between the local server and the root, TLD and authoritative servers in
// turn, each labelled as tcpdump would; the local server waits one RTT on each
// server, 2(2+20), 2(2+30) and 2(2+40) ms, and the host 198 ms, their sum and its own
// 2(1+2) ms.
func TestChartOfTheTextbookResolution(t *testing.T) {
	hosts := []string{"cis.poly.edu", "dns.poly.edu", "a.root-servers.net", "a.edu-servers.net", "dns.umass.edu"}
	c, _ := captureOf(t, dnsTextbook, hosts...)
	chart, err := c.Recorder.Chart(hosts, capture.ChartOptions{
		Title: "Iterative resolution of gaia.cs.umass.edu from cis.poly.edu (K&R §2.5.2)"})
	require.NoError(t, err)
	type arrow struct {
		from, to int
		label    string
	}
	var got []arrow
	for _, m := range chart.Messages {
		got = append(got, arrow{m.From, m.To, m.Label})
	}
	q := "A? gaia.cs.umass.edu"
	a := "gaia.cs.umass.edu A " + c.IP(t, "core") // the textbook's gaia is not a host here
	require.Equal(t, []arrow{
		{0, 1, q}, {1, 2, q}, {2, 1, "edu NS a.edu-servers.net +1"}, {1, 3, q},
		{3, 1, "umass.edu NS dns.umass.edu"}, {1, 4, q}, {4, 1, a}, {1, 0, a},
	}, got)
	var waits []float64
	for _, b := range chart.Brackets {
		waits = append(waits, b.ToMs-b.FromMs)
	}
	require.Equal(t, []float64{198, 44, 64, 84}, waits)
	golden(t, chart, "dns-iterative")
}

// A name with 40 addresses (40 × 16 bytes of answer, past UDP's 512) comes back
// truncated and is asked again over TCP (RFC 1035 §4.2.1, RFC 7766 §5), by the local
// server of the authoritative one and by the client of the local server: at the
// local server tshark sees both TC replies over UDP, and over TCP, each message after
// its two-byte length (RFC 1035 §4.2.2), the two queries and the two whole answers,
// and every stream reassembles to exactly the bytes sent (Check).
func TestPcapOfDNSOverTCPAfterTruncation(t *testing.T) {
	c, _ := captureOf(t, `kind: dns
params: {tlds: 1, domains: 1, hosts: 1, aliases: false, mx_fraction: 0, replicas: 40, clients: 1, queries: 1, warmup: 0}
`, "local")
	c.Check(t)
	require.Equal(t, [][]string{{"1", "0"}, {"1", "0"}}, c.Fields(t, "local", "udp && dns.flags.truncated == 1", "dns.flags.response", "dns.count.answers"))
	require.Equal(t, [][]string{{"0", "0"}, {"1", "40"}, {"0", "0"}, {"1", "40"}}, c.Fields(t, "local", "tcp && dns", "dns.flags.response", "dns.count.answers"))
}
