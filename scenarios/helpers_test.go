package scenarios_test

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	. "netsim/scenarios"
)

const campaign = `kind: toy
name: campaign
seed: 42
replications: 3
params:
  peers: 20
sweep:
  upload: [1Mbps, 2Mbps]
  file: [1Mbit, 4Mbit, 8Mbit]
plots:
  - name: time
    x: file
    y: time_s
    series: upload
    theory: [transfer, per_peer]
  - name: draws
    x: file
    y: [time_s, draw]
    only: {upload: 2Mbps}
`

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
