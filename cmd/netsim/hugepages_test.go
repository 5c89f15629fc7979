package main

import "testing"

// TestParseHugePages: NETSIM_HUGEPAGES's values, as run's help gives them.
func TestParseHugePages(t *testing.T) {
	for _, c := range []struct {
		value       string
		on, verbose bool
		bad         bool
	}{
		{"", true, false, false},
		{"on", true, false, false},
		{"off", false, false, false},
		{"verbose", true, true, false},
		{"Off", true, true, true}, // a typo: the default, and a line that says so
		{"0", true, true, true},
	} {
		got, err := parseHugePages(c.value)
		if got.on != c.on || got.verbose != c.verbose || (err != nil) != c.bad {
			t.Errorf("parseHugePages(%q) = %+v, %v; want on %v, verbose %v, an error %v", c.value, got, err, c.on, c.verbose, c.bad)
		}
	}
}
