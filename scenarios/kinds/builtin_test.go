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
