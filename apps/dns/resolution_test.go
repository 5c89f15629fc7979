package dns

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/sim"
)

// textbookDelays gives every host of the texts' example its own one-way delay to the
// core: the root letters 10 ms + i·1 ms, the edu servers 20 and 21 ms, dns.umass.edu
// 30 ms, dns.cs.umass.edu 40 ms, dns.someschool.edu 25 ms, the client 1 ms and its
// local server 3 ms (odd nanoseconds added so that no sum is round by accident).
func textbookDelays() map[string]sim.Time {
	d := map[string]sim.Time{
		TextbookClient: 1*sim.Millisecond + 1, TextbookLocal: 3*sim.Millisecond + 7,
		TextbookTLDServers[0]: 20*sim.Millisecond + 3, TextbookTLDServers[1]: 21 * sim.Millisecond,
		TextbookAuth: 30*sim.Millisecond + 11, TextbookCSAuth: 40*sim.Millisecond + 13,
		TextbookWebAuth: 25 * sim.Millisecond,
	}
	for i, r := range RootLetters(13) {
		d[r] = sim.Time(10+i)*sim.Millisecond + sim.Time(i)
	}
	return d
}

// The five cases of Kurose & Ross §2.5.2 on a real network, each resolution's message
// count and latency exact: the latency is the sum of the RTTs of the exchanges on the
// path — client ↔ local, then local ↔ root, TLD and authoritative (iterative, the
// texts' first figure), or local ↔ root ↔ TLD ↔ authoritative (recursive, the second
// figure) — to the nanosecond, since links are unconstrained and every host's first
// server is asked first (InOrder, so that the path is known).
func TestTextbookResolutionCountsAndLatencies(t *testing.T) {
	root, tld := RootLetters(1)[0], TextbookTLDServers[0]
	inOrder := RetryConfig{Timeout: 2 * sim.Second, Tries: 3, Select: InOrder}
	cases := []struct {
		name                    string
		intermediate, recursive bool
		warm                    string // resolved first: "" none, a name in another edu domain, or the target itself
		messages                int64
		path                    []string // the hops after the client's: each pair is one RTT
	}{
		{"iterative", false, false, "", 8, []string{TextbookLocal, root, TextbookLocal, tld, TextbookLocal, TextbookAuth}},
		{"intermediate", true, false, "", 10, []string{TextbookLocal, root, TextbookLocal, tld, TextbookLocal, TextbookAuth, TextbookLocal, TextbookCSAuth}},
		{"recursive", false, true, "", 8, []string{TextbookLocal, root, tld, TextbookAuth}},
		{"tld-cached", false, false, TextbookWeb, 6, []string{TextbookLocal, tld, TextbookLocal, TextbookAuth}},
		{"answer-cached", false, false, TextbookTarget, 2, []string{TextbookLocal}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ns := TextbookNamespace(c.intermediate, 86400, RR{Type: TypeA, Addr: AddrOfNode(0)}, RR{Type: TypeA, Addr: AddrOfNode(0)})
			w := newWorld(t, ns, textbookDelays(), ServerConfig{Recursive: c.recursive, Retry: inOrder},
				ResolverConfig{Recursive: c.recursive, Retry: inOrder})
			if c.warm != "" {
				r, _ := w.lookup(c.warm, TypeA)
				require.NoError(t, r.Err)
				w.k.RunUntil(w.k.Now() + sim.Hour) // well within every TTL
			}
			r, n := w.lookup(TextbookTarget, TypeA)
			require.NoError(t, r.Err)
			require.Equal(t, RCodeSuccess, r.RCode)
			require.Len(t, r.Addrs(), 1)
			require.Equal(t, c.messages, n, "messages")
			want := w.rtt(TextbookClient, TextbookLocal)
			hops := c.path
			if c.recursive {
				for i := 0; i+1 < len(hops); i++ {
					want += w.rtt(hops[i], hops[i+1])
				}
			} else {
				for i := 1; i < len(hops); i += 2 {
					want += w.rtt(hops[i-1], hops[i])
				}
			}
			require.Equal(t, want, r.Latency(), "latency: %v, want %v", r.Latency(), want)
			fmt.Printf("%-14s %2d messages, %v\n", c.name, n, r.Latency())
		})
	}
}
