package kinds

import (
	"strings"
	"testing"

	"netsim/scenarios"
)

// Every built-in scenario parses with the kinds registered.
func TestBuiltinsParse(t *testing.T) {
	bs := scenarios.Builtins()
	if len(bs) < 7 {
		t.Fatalf("%d built-ins", len(bs))
	}
	for _, b := range bs {
		if strings.HasPrefix(b.Description, "invalid:") {
			t.Errorf("built-in %s: %s", b.Name, b.Description)
		}
	}
}

// Every built-in's resolved file, which manifest.json holds for netsim merge and plot,
// parses back into the same campaign (the same hash). A file with a topology: section
// leaves out the default platform's parameters, which such a file may not set.
func TestBuiltinsResolvedRoundTrip(t *testing.T) {
	for _, b := range scenarios.Builtins() {
		s, err := scenarios.Load(b.Name)
		if err != nil {
			t.Fatalf("%s: %v", b.Name, err)
		}
		text, err := s.Resolved()
		if err != nil {
			t.Fatalf("%s: %v", b.Name, err)
		}
		back, err := scenarios.Parse(b.Name+"-resolved.yaml", text)
		if err != nil {
			t.Errorf("%s: its resolved file does not parse: %v", b.Name, err)
			continue
		}
		h1, _ := s.Hash()
		h2, _ := back.Hash()
		if h1 != h2 || back.NumRuns() != s.NumRuns() {
			t.Errorf("%s: resolved and parsed back, hash %.12s and %d runs, want %.12s and %d", b.Name, h2, back.NumRuns(), h1, s.NumRuns())
		}
	}
}
