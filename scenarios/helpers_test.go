package scenarios_test

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	. "netsim/scenarios"
	"netsim/scenarios/internal/testkinds"
)

// campaign is the toy campaign the tests share.
const campaign = testkinds.Campaign

func mustParse(t *testing.T, text string) *Scenario {
	t.Helper()
	s, err := Parse("test.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// kindNames lists the registered kinds as Parse's messages do.
func kindNames() string {
	var names []string
	for _, k := range Kinds() {
		names = append(names, k.Name())
	}
	return strings.Join(names, ", ")
}

// unmarshal decodes YAML text into v.
func unmarshal(text string, v any) error { return yaml.Unmarshal([]byte(text), v) }
