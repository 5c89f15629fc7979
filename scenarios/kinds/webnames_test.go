package kinds

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/scenarios"
)

// unitOf is the unit a reading's name promises: seconds for _s, bytes for a name about
// bytes, round trips for _rtts, none (a count or a ratio) otherwise.
func unitOf(name string) string {
	switch {
	case strings.HasSuffix(name, "_s"):
		return "s"
	case strings.Contains(name, "bytes"):
		return "B"
	case strings.HasSuffix(name, "_rtts") || strings.HasSuffix(name, "_rtts_total"):
		return "RTT"
	}
	return ""
}

// Issue 9, acceptance 6: every reading of the three Web kinds has a one-line help and
// the unit its name says, which netsim show-config prints; the metrics the issue found
// misnamed carry their honest names (access_utilization measured as busy time beside
// access_offered_load, handshakes on the critical path beside their total), and the
// load times of a page that may not have loaded whole are optional, never a number.
func TestWebReadingsSayWhatTheyAre(t *testing.T) {
	names := map[string]map[string]scenarios.Metric{}
	for _, kind := range []string{"http", "webcache", "filedist"} {
		k, ok := scenarios.LookupKind(kind)
		require.True(t, ok, kind)
		names[kind] = map[string]scenarios.Metric{}
		for _, m := range append(append(k.Metrics(), k.Samples()...), k.Series()...) {
			require.NotEmpty(t, m.Help, "%s: %s", kind, m.Name)
			require.NotContains(t, m.Help, "\n", "%s: %s", kind, m.Name)
			require.Equal(t, unitOf(m.Name), m.Unit, "%s: %s's unit", kind, m.Name)
			names[kind][m.Name] = m
		}
	}
	for _, m := range []string{"access_offered_load", "access_utilization", "errors", "collapsed"} {
		require.Contains(t, names["webcache"], m)
	}
	require.Contains(t, names["webcache"]["access_utilization"].Help, "busy time")
	for _, m := range []string{"handshake_rtts", "handshake_rtts_total", "complete", "errors", "retries", "objects_fetched"} {
		require.Contains(t, names["http"], m)
	}
	require.Contains(t, names["http"]["handshake_rtts"].Help, "critical path")
	for _, m := range []string{"page_load_s", "base_time_s", "page_load_rtts"} {
		require.True(t, names["http"][m].Optional, m)
	}
}
