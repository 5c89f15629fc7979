package scenarios_test

import (
	"flag"
	"fmt"
	. "netsim/scenarios"
	_ "netsim/scenarios/internal/testkinds"
	"strings"
	"testing"
)

var printErrors = flag.Bool("print-errors", false, "print the error of every bad scenario")

// badFiles are scenarios that must not parse, with the exact message each must give.
var badFiles = []struct {
	name, file, want string
}{
	{"unknown top-level key", `kind: toy
sed: 3
`, `bad.yaml:2: sed: unknown key; did you mean "seed"? (known keys: kind, name, description, seed, replications, params, sweep, variants, plots)
    2 | sed: 3
      | ^`},
	{"unknown params key", `kind: toy
params:
  peers: 3
  uplaod: 1Mbps
`, `bad.yaml:4: params.uplaod: unknown key; did you mean "upload"? (known keys: peers, upload, file, delay, ratio, tags, server, think, mode)
    4 |   uplaod: 1Mbps
      |   ^`},
	{"unknown nested key", `kind: toy
params:
  server:
    slotz: 2
`, `bad.yaml:4: params.server.slotz: unknown key; did you mean "slots"? (known keys: upload, slots)
    4 |     slotz: 2
      |     ^`},
	{"string for int", `kind: toy
params:
  peers: abc
`, `bad.yaml:3: params.peers: want an integer, got "abc"
    3 |   peers: abc
      |          ^`},
	{"bad unit", `kind: toy
params:
  upload: 30Mbs
`, `bad.yaml:3: params.upload: invalid rate "30Mbs": unknown unit "Mbs": want bps, kbps, Mbps, Gbps or Tbps (or kbit/s, Mbit/s, ...)
    3 |   upload: 30Mbs
      |           ^`},
	{"missing unit", `kind: toy
params:
  file: 15
`, `bad.yaml:3: params.file: invalid size 15: missing unit: write e.g. 15Gbit or 256KiB
    3 |   file: 15
      |         ^`},
	{"negative rate", `kind: toy
params:
  upload: -1Mbps
`, `bad.yaml:3: params.upload: invalid rate "-1Mbps": must not be negative
    3 |   upload: -1Mbps
      |           ^`},
	{"zero peers via Check", `kind: toy
params:
  peers: 0
  server:
    slots: 0
`, `bad.yaml:3: params.peers: must be at least 1, got 0
    3 |   peers: 0
      |          ^`},
	{"check on default", `kind: toy
params:
  peers: 2
`, `bad.yaml:2: params.server.slots: must be at most peers (2), got 4 (default)
    2 | params:
      | ^`},
	{"replications 0", `kind: toy
replications: 0
`, `bad.yaml:2: replications: must be at least 1, got 0
    2 | replications: 0
      |               ^`},
	{"unknown kind", `kind: toyy
`, `bad.yaml:1: kind: unknown kind "toyy" (kinds: KINDS)
    1 | kind: toyy
      |       ^`},
	{"missing kind", `name: x
params:
  peers: 3
`, `bad.yaml: kind: missing: every scenario names its kind, e.g. kind: filedist (kinds: KINDS)`},
	{"sweep of a non-param", `kind: toy
sweep:
  bandwidth: [1Mbps]
`, `bad.yaml:3: sweep.bandwidth: not a parameter of kind toy (parameters: peers, upload, file, delay, ratio, tags, server.upload, server.slots, think, mode)
    3 |   bandwidth: [1Mbps]
      |   ^`},
	{"sweep value with a bad unit", `kind: toy
sweep:
  upload:
    - 1Mbps
    - 2Mbs
`, `bad.yaml:5: sweep.upload[1]: invalid rate "2Mbs": unknown unit "Mbs": want bps, kbps, Mbps, Gbps or Tbps (or kbit/s, Mbit/s, ...)
    5 |     - 2Mbs
      |       ^`},
	{"sweep value fails Check", `kind: toy
sweep:
  peers: [20, 0, 30]
  server.slots: [0]
`, `bad.yaml:3: sweep.peers[1]: must be at least 1, got 0
    3 |   peers: [20, 0, 30]
      |               ^`},
	{"plot y not a metric", `kind: toy
sweep:
  peers: [20, 30]
plots:
  - name: p
    x: peers
    y: time
`, `bad.yaml:7: plots[0].y: "time" is not a metric of kind toy (metrics: time_s, draw)
    7 |     y: time
      |        ^`},
	{"plot x not swept", `kind: toy
sweep:
  peers: [20, 30]
plots:
  - name: p
    x: upload
    y: time_s
`, `bad.yaml:6: plots[0].x: "upload" is not a swept parameter (swept: peers)
    6 |     x: upload
      |        ^`},
	{"unknown theory", `kind: toy
sweep:
  peers: [20, 30]
plots:
  - name: p
    x: peers
    y: time_s
    theory: [transfer, d_p2p]
`, `bad.yaml:8: plots[0].theory: unknown theory "d_p2p" (kind toy has: transfer, per_peer)
    8 |     theory: [transfer, d_p2p]
      |                        ^`},
	{"plot leaves a swept key free", `kind: toy
sweep:
  peers: [20, 30]
  upload: [1Mbps, 2Mbps]
plots:
  - name: p
    x: peers
    y: time_s
`, `bad.yaml:6: plots[0]: swept parameter "upload" is neither the plot's x, nor its series, nor fixed by only (e.g. only: {upload: 1Mbps})
    6 |   - name: p
      |     ^`},
	{"tab indentation", "kind: toy\nparams:\n\tpeers: 3\n", `bad.yaml:3: invalid YAML: found character that cannot start any token (a tab: YAML indents with spaces only)
    3 | →peers: 3`},
	{"bad indentation", `kind: toy
params:
  peers: 3
   upload: 1Mbps
`, `bad.yaml:4: invalid YAML: mapping values are not allowed in this context
    4 |    upload: 1Mbps`},
	{"duplicate key", `kind: toy
params:
  peers: 3
  peers: 4
`, `bad.yaml:4: params.peers: duplicate key (first at line 3)
    4 |   peers: 4
      |   ^`},
	{"list for a struct", `kind: toy
params:
  server: [1, 2]
`, `bad.yaml:3: params.server: want a mapping of keys to values, got a list
    3 |   server: [1, 2]
      |           ^`},
	{"yunit on a count", `kind: toy
sweep:
  peers: [20, 30]
plots:
  - name: p
    x: peers
    y: draw
    yunit: min
`, `bad.yaml:7: plots[0].y: yunit min is for time metrics (unit s), and "draw" is a count or ratio
    7 |     y: draw
      |        ^`},
	{"xunit of the wrong kind", `kind: toy
sweep:
  upload: [1Mbps, 2Mbps]
plots:
  - name: p
    x: upload
    y: draw
    xunit: MiB
`, `bad.yaml:8: plots[0].xunit: "MiB" is not a unit of x (upload): want a rate unit such as kbps, Mbps or Gbps
    8 |     xunit: MiB
      |            ^`},
	{"plot without name", `kind: toy
sweep:
  peers: [20, 30]
plots:
  - x: peers
    y: draw
`, `bad.yaml:5: plots[0].name: missing: a plot needs a name (the base name of its files)
    5 |   - x: peers
      |     ^`},
	{"empty sweep list", `kind: toy
sweep:
  peers: []
`, `bad.yaml:3: sweep.peers: empty list: sweep at least one value
    3 |   peers: []
      |          ^`},
	{"negative seed", `kind: toy
seed: -3
`, `bad.yaml:2: seed: must not be negative, got -3
    2 | seed: -3
      |       ^`},
	{"only value not swept", `kind: toy
sweep:
  peers: [20, 30]
  ratio: [0.1, 0.2]
plots:
  - name: p
    x: peers
    y: draw
    only: {ratio: 0.3}
`, `bad.yaml:9: plots[0].only.ratio: 0.3 is not one of the swept values (0.1, 0.2)
    9 |     only: {ratio: 0.3}
      |                   ^`},
}

func TestBadFiles(t *testing.T) {
	for _, tc := range badFiles {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("bad.yaml", []byte(tc.file))
			if err == nil {
				t.Fatal("no error")
			}
			if *printErrors {
				fmt.Printf("=== %s\n%s\n", tc.name, err)
			}
			// The list of kinds grows as kinds are registered.
			want := strings.ReplaceAll(tc.want, "KINDS", kindNames())
			if err.Error() != want {
				t.Errorf("error:\n%s\nwant:\n%s", err, want)
			}
		})
	}
}
