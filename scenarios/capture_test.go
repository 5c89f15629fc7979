package scenarios_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/scenarios"
	"netsim/scenarios/units"
)

// A capture: section decodes with units, and its mistakes are one located error each.
func TestCaptureSection(t *testing.T) {
	s, err := scenarios.Parse("ok.yaml", []byte(`kind: toy
capture:
  pcap: [a, b]
  msc: [b, c]
  snaplen: 128B
  from: 10ms
  to: 1s
  messages: ^GET
`))
	require.NoError(t, err)
	require.Equal(t, &scenarios.Capture{Pcap: []string{"a", "b"}, MSC: []string{"b", "c"}, SnapLen: units.Size(128 * 8),
		From: units.Duration(10e6), To: units.Duration(1e9), Messages: "^GET"}, s.Capture)
	require.Equal(t, []string{"a", "b", "c"}, s.Capture.Hosts())
	h1, _ := s.Hash()
	require.NoError(t, s.SetCapture(nil, []string{"a"}))
	h2, _ := s.Hash()
	require.Equal(t, h1, h2, "a capture changes no run")
	require.Equal(t, []string{"a"}, s.Capture.MSC)

	for _, c := range []struct{ file, want string }{
		{"capture:\n  pcap: [a]\n  messages: '(GET'\n", "bad.yaml:4: capture.messages: not a regular expression: error parsing regexp: missing closing ): `(GET`"},
		{"capture:\n  pcap: [a]\n  snaplen: 20B\n", "bad.yaml:4: capture.snaplen: must be 0 or keep at least the 54 bytes of Ethernet, IPv4 and TCP headers, got 20B"},
		{"capture:\n  pcap: [a, a]\n", "bad.yaml:3: capture.pcap: host \"a\" is named twice"},
		{"capture:\n  pcp: [a]\n", "bad.yaml:3: capture.pcp: unknown key; did you mean \"pcap\"? (known keys: pcap, msc, snaplen, max_file, from, to, messages)"},
		{"capture:\n  msc: [a]\n  from: 2s\n  to: 1s\n", "bad.yaml:5: capture.to: must be after from (2s)"},
	} {
		_, err := scenarios.Parse("bad.yaml", []byte("kind: toy\n"+c.file))
		require.Error(t, err)
		require.Contains(t, err.Error(), c.want)
	}
}
