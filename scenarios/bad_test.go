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
`, `bad.yaml:2: sed: unknown key; did you mean "seed"? (known keys: kind, name, description, seed, replications, params, sweep, variants, topology, schedule, plots, capture)
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

	// Variants (issue 7).
	{"variant naming an unknown key", `kind: toy
variants:
  a: {peers: 2}
  b: {peerz: 3}
`, `bad.yaml:4: variants.b.peerz: not a parameter of kind toy (parameters: peers, upload, file, delay, ratio, tags, server.upload, server.slots, think, mode)
    4 |   b: {peerz: 3}
      |       ^`},
	{"variant overriding a swept key", `kind: toy
sweep:
  peers: [5, 10]
variants:
  a: {ratio: 0.1}
  b: {peers: 20}
plots:
  - name: p
    x: peers
    y: time_s
    series: variant
`, `bad.yaml:6: variants.b.peers: "peers" is swept: a variant cannot set it too, or runs would repeat
    6 |   b: {peers: 20}
      |       ^`},
	{"duplicate variant names", `kind: toy
variants:
  a: {peers: 2}
  a: {peers: 3}
`, `bad.yaml:4: variants.a: duplicate key (first at line 3)
    4 |   a: {peers: 3}
      |   ^`},
	{"variants that repeat each other", `kind: toy
variants:
  two: {peers: 2, server.slots: 1}
  also-two: {server.slots: 1, peers: 2}
`, `bad.yaml:4: variants.also-two: sets the same values as variant "two": their runs would repeat
    4 |   also-two: {server.slots: 1, peers: 2}
      |   ^`},
	{"variant value with a bad unit", `kind: toy
variants:
  slow: {upload: 3Mbs}
`, `bad.yaml:3: variants.slow.upload: invalid rate "3Mbs": unknown unit "Mbs": want bps, kbps, Mbps, Gbps or Tbps (or kbit/s, Mbit/s, ...)
    3 |   slow: {upload: 3Mbs}
      |                  ^`},
	{"variant value out of range", `kind: toy
variants:
  none: {peers: 0, server.slots: 0}
`, `bad.yaml:3: variants.none.peers: must be at least 1, got 0
    3 |   none: {peers: 0, server.slots: 0}
      |                 ^`},
	{"variants not a mapping", `kind: toy
variants: [a, b]
`, `bad.yaml:2: variants: want a mapping of variant names to their overrides, got a list
    2 | variants: [a, b]
      |           ^`},
	{"variant overrides not a mapping", `kind: toy
variants:
  a: 3
`, `bad.yaml:3: variants.a: want a mapping of parameters to values, e.g. {mode: parallel, parallel: 5}, got "3"
    3 |   a: 3
      |      ^`},
	{"bad variant name", `kind: toy
variants:
  "fast one": {peers: 3}
`, `bad.yaml:3: variants.fast one: "fast one" is not a variant name: use letters, digits, '.', '_' and '-'
    3 |   "fast one": {peers: 3}
      |   ^`},
	{"plot leaves the variant free", `kind: toy
variants:
  a: {peers: 20}
  b: {peers: 30}
sweep:
  ratio: [0.1, 0.2]
plots:
  - name: p
    x: ratio
    y: time_s
`, `bad.yaml:8: plots[0]: the variants are neither the plot's x, nor its series, nor fixed by only (e.g. only: {variant: a})
    8 |   - name: p
      |     ^`},
	{"only names no variant", `kind: toy
variants:
  a: {peers: 20}
  b: {peers: 30}
sweep:
  ratio: [0.1, 0.2]
plots:
  - name: p
    x: ratio
    y: time_s
    only: {variant: c}
`, `bad.yaml:11: plots[0].only.variant: c is not one of the variants (a, b)
    11 |     only: {variant: c}
       |                     ^`},
	{"series variant without variants", `kind: toy
sweep:
  ratio: [0.1, 0.2]
plots:
  - name: p
    x: ratio
    y: time_s
    series: variant
`, `bad.yaml:8: plots[0].series: "variant" is not a swept parameter (swept: ratio)
    8 |     series: variant
      |             ^`},

	// Distributions.
	{"distribution where the kind allows none", `kind: toy
params:
  file: {exponential: 1MB}
`, `bad.yaml:3: params.file: takes one value, not a distribution (in kind toy only think may be one)
    3 |   file: {exponential: 1MB}
      |         ^`},
	{"unknown distribution", `kind: toy
params:
  think: {gamma: 1s}
`, `bad.yaml:3: params.think.gamma: unknown distribution "gamma" (want exponential, uniform, pareto, lognormal, weibull or empirical)
    3 |   think: {gamma: 1s}
      |           ^`},
	{"distribution with a bad unit", `kind: toy
params:
  think: {exponential: 100mss}
`, `bad.yaml:3: params.think.exponential: invalid duration "100mss": unknown unit "mss": want ns, us, ms, s, min, h or d
    3 |   think: {exponential: 100mss}
      |                        ^`},
	{"distribution without a unit", `kind: toy
params:
  think: {exponential: 100}
`, `bad.yaml:3: params.think.exponential: invalid duration 100: missing unit: write e.g. 40ms
    3 |   think: {exponential: 100}
      |                        ^`},
	{"exponential of mean zero", `kind: toy
params:
  think: {exponential: 0s}
`, `bad.yaml:3: params.think.exponential: the mean must be positive
    3 |   think: {exponential: 0s}
      |                        ^`},
	{"uniform low above high", `kind: toy
params:
  think: {uniform: [2s, 1s]}
`, `bad.yaml:3: params.think.uniform: want [low, high] with low < high, got [2s, 1s]
    3 |   think: {uniform: [2s, 1s]}
      |                    ^`},
	{"uniform not a pair", `kind: toy
params:
  think: {uniform: 1s}
`, `bad.yaml:3: params.think.uniform: want [low, high], got "1s"
    3 |   think: {uniform: 1s}
      |                    ^`},
	{"pareto with alpha at most 1", `kind: toy
params:
  think:
    pareto:
      mean: 1s
      alpha: 1
`, `bad.yaml:6: params.think.pareto.alpha: must be greater than 1 (with alpha <= 1 the mean is infinite), got 1
    6 |       alpha: 1
      |              ^`},
	{"pareto without alpha", `kind: toy
params:
  think: {pareto: {mean: 1s}}
`, `bad.yaml:3: params.think.pareto: missing alpha
    3 |   think: {pareto: {mean: 1s}}
      |                   ^`},
	{"pareto with a misspelt key", `kind: toy
params:
  think: {pareto: {mean: 1s, alpah: 2}}
`, `bad.yaml:3: params.think.pareto.alpah: unknown key; did you mean "alpha"? (known keys: mean, alpha)
    3 |   think: {pareto: {mean: 1s, alpah: 2}}
      |                              ^`},
	{"lognormal with sigma zero", `kind: toy
params:
  think: {lognormal: {mean: 1s, sigma: 0}}
`, `bad.yaml:3: params.think.lognormal.sigma: must be positive
    3 |   think: {lognormal: {mean: 1s, sigma: 0}}
      |                                        ^`},
	{"weibull shape not a number", `kind: toy
params:
  think: {weibull: {mean: 1h, shape: abc}}
`, `bad.yaml:3: params.think.weibull.shape: want a number, got "abc"
    3 |   think: {weibull: {mean: 1h, shape: abc}}
      |                                      ^`},
	{"empirical file missing", `kind: toy
params:
  think: {empirical: testdata/nosuch.txt}
`, `bad.yaml:3: params.think.empirical: cannot read the values: open testdata/nosuch.txt: no such file or directory
    3 |   think: {empirical: testdata/nosuch.txt}
      |                      ^`},
	{"empirical file with a bad value", `kind: toy
params:
  think: {empirical: testdata/bad-think.txt}
`, `bad.yaml:3: params.think.empirical: testdata/bad-think.txt:4: invalid duration "2 seconds": unknown unit "seconds": want ns, us, ms, s, min, h or d
    3 |   think: {empirical: testdata/bad-think.txt}
      |                      ^`},
	{"empirical empty list", `kind: toy
params:
  think: {empirical: []}
`, `bad.yaml:3: params.think.empirical: no values to draw from
    3 |   think: {empirical: []}
      |                      ^`},
	{"two distributions at once", `kind: toy
params:
  think: {exponential: 1s, uniform: [1s, 2s]}
`, `bad.yaml:3: params.think: want a value or one distribution (exponential, uniform, pareto, lognormal, weibull or empirical), got a mapping of 2 keys
    3 |   think: {exponential: 1s, uniform: [1s, 2s]}
      |          ^`},
	{"distribution outside the range", `kind: sampler
params:
  size: {uniform: [0B, 1kB]}
`, `bad.yaml:3: params.size: {uniform: [0B, 1kB]} draws values down to 0B, and the parameter must be positive
    3 |   size: {uniform: [0B, 1kB]}
      |         ^`},

	{"x swept over a distribution", `kind: toy
sweep:
  think: [1s, {exponential: 2s}]
plots:
  - name: p
    x: think
    y: time_s
`, `bad.yaml:6: plots[0].x: "think" is swept over the distribution {exponential: 2s}, which is no point on an axis
    6 |     x: think
      |        ^`},

	// Plots of samples and time series.
	{"cdf of a scalar metric", `kind: sampler
plots:
  - name: p
    type: cdf
    y: mean_delay_s
`, `bad.yaml:5: plots[0].y: "mean_delay_s" is a scalar metric, one value per run: plot it against a swept x (no type), or pick a sample set for cdf, pdf and histogram
    5 |     y: mean_delay_s
      |        ^`},
	{"timeseries of a sample set", `kind: sampler
plots:
  - name: p
    type: timeseries
    y: delay_s
`, `bad.yaml:5: plots[0].y: "delay_s" is a sample set: draw it with type: cdf, pdf or histogram
    5 |     y: delay_s
      |        ^`},
	{"unknown plot type", `kind: sampler
plots:
  - name: p
    type: scatter
    y: delay_s
`, `bad.yaml:4: plots[0].type: unknown plot type "scatter" (want cdf, pdf, histogram or timeseries; without type, a metric against a swept x)
    4 |     type: scatter
      |           ^`},
	{"cdf with an x", `kind: sampler
sweep:
  rate: [1, 2]
plots:
  - name: p
    type: cdf
    x: rate
    y: delay_s
    series: rate
`, `bad.yaml:7: plots[0].x: a cdf plot's x axis is the sample's values; remove x
    7 |     x: rate
      |        ^`},
	{"bins on a cdf", `kind: sampler
plots:
  - name: p
    type: cdf
    y: delay_s
    bins: 10
`, `bad.yaml:6: plots[0].bins: bins are for pdf and histogram plots
    6 |     bins: 10
      |           ^`},
	{"theory on a cdf", `kind: sampler
plots:
  - name: p
    type: cdf
    y: delay_s
    theory: [mean]
`, `bad.yaml:6: plots[0].theory: theory curves are drawn against a swept x, not on a cdf plot
    6 |     theory: [mean]
      |              ^`},
	{"sample set against a swept x", `kind: sampler
sweep:
  rate: [1, 2]
plots:
  - name: p
    x: rate
    y: delay_s
`, `bad.yaml:7: plots[0].y: "delay_s" is a sample set: draw it with type: cdf, pdf or histogram
    7 |     y: delay_s
      |        ^`},
	{"only list on a key that is not shown", `kind: sampler
sweep:
  rate: [1, 2]
  n: [10, 20]
plots:
  - name: p
    x: rate
    y: mean_delay_s
    only: {n: [10, 20]}
`, `bad.yaml:9: plots[0].only.n: only the plot's x or series may keep a list of values; fix "n" to one
    9 |     only: {n: [10, 20]}
      |               ^`},
	{"cdf pooling over a swept key", `kind: sampler
sweep:
  rate: [1, 2]
plots:
  - name: p
    type: cdf
    y: delay_s
`, `bad.yaml:5: plots[0]: swept parameter "rate" is neither the plot's series, nor fixed by only (e.g. only: {rate: 1})
    5 |   - name: p
      |     ^`},

	// The topology: section.
	{"topology for a kind without a network", `kind: ladder
topology:
  dumbbell: {left: 2}
`, `bad.yaml:2: topology: kind ladder runs on no network and takes no topology: section
    2 | topology:
      | ^`},
	{"two builders at once", `kind: toy
topology:
  star: {hosts: [{name: a}]}
  dumbbell: {left: 2}
`, `bad.yaml:3: topology: want one of star:, institution:, dumbbell:, nodes: and links:, or file:; got star and dumbbell
    3 |   star: {hosts: [{name: a}]}
      |   ^`},
	{"topology with no builder", `kind: toy
topology: {}
`, `bad.yaml:2: topology: want one of star:, institution:, dumbbell:, nodes: and links:, or file:; got none
    2 | topology: {}
      |           ^`},
	{"unknown builder", `kind: toy
topology:
  ring: {nodes: 5}
`, `bad.yaml:3: topology.ring: unknown key (known keys: star, institution, dumbbell, nodes, links, file)
    3 |   ring: {nodes: 5}
      |   ^`},
	{"link to an unknown node", `kind: toy
topology:
  nodes: [a, b]
  links:
    - {from: a, to: c, duplex: true}
`, `bad.yaml:5: topology.links[0].to: unknown node "c" (nodes: a, b)
    5 |     - {from: a, to: c, duplex: true}
      |                     ^`},
	{"link to itself", `kind: toy
topology:
  nodes: [a, b]
  links:
    - {from: a, to: b, duplex: true}
    - {from: b, to: b}
`, `bad.yaml:6: topology.links[1].to: a link joins two different nodes, not "b" to itself
    6 |     - {from: b, to: b}
      |                     ^`},
	{"disconnected topology", `kind: toy
topology:
  nodes: [a, b, c]
  links:
    - {from: a, to: b, duplex: true}
    - {from: b, to: c}
`, `bad.yaml:4: topology.links: not connected: no route from c to a (every host must reach every other; a link one way needs duplex: true or a link back)
    4 |   links:
      |   ^`},
	{"duplicate node names", `kind: toy
topology:
  nodes: [a, b, a]
  links:
    - {from: a, to: b, duplex: true}
`, `bad.yaml:3: topology.nodes[2]: duplicate node "a" (also nodes[0])
    3 |   nodes: [a, b, a]
      |                 ^`},
	{"negative capacity", `kind: toy
topology:
  nodes: [a, b]
  links:
    - {from: a, to: b, capacity: -1Mbps, duplex: true}
`, `bad.yaml:5: topology.links[0].capacity: invalid rate "-1Mbps": must not be negative
    5 |     - {from: a, to: b, capacity: -1Mbps, duplex: true}
      |                                  ^`},
	{"zero capacity", `kind: toy
topology:
  nodes: [a, b]
  links:
    - {from: a, to: b, capacity: 0bps, duplex: true}
`, `bad.yaml:5: topology.links[0].capacity: must be positive, got 0bps
    5 |     - {from: a, to: b, capacity: 0bps, duplex: true}
      |                                  ^`},
	{"loss outside [0, 1]", `kind: toy
topology:
  nodes: [a, b]
  links:
    - {from: a, to: b, loss: 1.5, duplex: true}
`, `bad.yaml:5: topology.links[0].loss: must be in [0, 1], got 1.5
    5 |     - {from: a, to: b, loss: 1.5, duplex: true}
      |                              ^`},
	{"duplicate link names", `kind: toy
topology:
  nodes: [a, b]
  links:
    - {name: l, from: a, to: b}
    - {name: l, from: b, to: a}
`, `bad.yaml:6: topology.links[1].name: duplicate link name "l" (also links[0]); name one with name:
    6 |     - {name: l, from: b, to: a}
      |       ^`},
	{"link without its to", `kind: toy
topology:
  nodes: [a, b]
  links:
    - {from: a, duplex: true}
`, `bad.yaml:5: topology.links[0].to: missing: a link joins two nodes, from: and to:
    5 |     - {from: a, duplex: true}
      |       ^`},
	{"star hosts that clash", `kind: toy
topology:
  star:
    hosts:
      - {name: peer, count: 3}
      - {name: peer1}
`, `bad.yaml:6: topology.star.hosts[1].name: "peer1" is also hosts[0]
    6 |       - {name: peer1}
      |                ^`},
	{"star host named core", `kind: toy
topology:
  star:
    hosts:
      - {name: core}
`, `bad.yaml:5: topology.star.hosts[0].name: "core" is also the core router
    5 |       - {name: core}
      |                ^`},
	{"institution without hosts", `kind: toy
topology:
  institution: {hosts: 0}
`, `bad.yaml:3: topology.institution.hosts: must be at least 1, got 0
    3 |   institution: {hosts: 0}
      |                        ^`},
	{"dumbbell rate with a bad unit", `kind: toy
topology:
  dumbbell: {bottleneck_rate: 10Mbs}
`, `bad.yaml:3: topology.dumbbell.bottleneck_rate: invalid rate "10Mbs": unknown unit "Mbs": want bps, kbps, Mbps, Gbps or Tbps (or kbit/s, Mbit/s, ...)
    3 |   dumbbell: {bottleneck_rate: 10Mbs}
      |                               ^`},
	{"topology file with an unknown node", `kind: toy
topology:
  file: testdata/bad-campus.yaml
`, `testdata/bad-campus.yaml:4: links[0].to: unknown node "c" (nodes: a, b)
    4 |   - {from: a, to: c, duplex: true}
      |                   ^`},
	{"topology file missing", `kind: toy
topology:
  file: testdata/nosuch.yaml
`, `bad.yaml:3: topology.file: cannot read it: open testdata/nosuch.yaml: no such file or directory
    3 |   file: testdata/nosuch.yaml
      |         ^`},

	// The schedule: section.
	{"schedule without a topology", `kind: toy
schedule:
  events:
    - {at: 1s, crash: peer0}
`, `bad.yaml:3: schedule: needs a topology: section, whose hosts and links it names
    3 |   events:
      |   ^`},
	{"schedule for a kind that takes none", `kind: ladder
schedule:
  events:
    - {at: 1s, crash: peer0}
`, `bad.yaml:2: schedule: kind ladder runs on no network and takes no schedule: section
    2 | schedule:
      | ^`},
	{"event naming an unknown host", `kind: toy
topology:
  star:
    hosts:
      - {name: server}
      - {name: peer, count: 3}
schedule:
  events:
    - {at: 1s, crash: peer7}
`, `bad.yaml:9: schedule.events[0].crash: unknown host "peer7" (hosts: server, peer0, peer1, peer2)
    9 |     - {at: 1s, crash: peer7}
      |                       ^`},
	{"event naming an unknown link", `kind: toy
topology:
  dumbbell: {left: 2}
schedule:
  events:
    - {at: 1s, fail: wan}
`, `bad.yaml:6: schedule.events[0].fail: unknown link "wan" (links: bottleneck, left0, left1, right0)
    6 |     - {at: 1s, fail: wan}
      |                      ^`},
	{"event beyond the horizon", `kind: toy
topology:
  star:
    hosts:
      - {name: server}
      - {name: peer, count: 3}
schedule:
  horizon: 1h
  events:
    - {at: 2h, crash: server}
`, `bad.yaml:10: schedule.events[0].at: 2h is beyond the horizon, 1h
    10 |     - {at: 2h, crash: server}
       |            ^`},
	{"event with two actions", `kind: toy
topology:
  star:
    hosts:
      - {name: server}
      - {name: peer, count: 3}
schedule:
  events:
    - {at: 1s, crash: server, recover: server}
`, `bad.yaml:9: schedule.events[0]: want one action of join, leave, crash, recover, fail, restore or loss, got crash and recover
    9 |     - {at: 1s, crash: server, recover: server}
      |       ^`},
	{"event with no action", `kind: toy
topology:
  star:
    hosts:
      - {name: server}
      - {name: peer, count: 3}
schedule:
  events:
    - {at: 1s}
`, `bad.yaml:9: schedule.events[0]: want one action of join, leave, crash, recover, fail, restore or loss, got none
    9 |     - {at: 1s}
      |       ^`},
	{"crash of a host already down", `kind: toy
topology:
  star:
    hosts:
      - {name: server}
      - {name: peer, count: 3}
schedule:
  events:
    - {at: 1s, crash: server}
    - {at: 2s, leave: server}
`, `bad.yaml:10: schedule.events[1]: at 2s host server is already down (crash at 1s)
    10 |     - {at: 2s, leave: server}
       |       ^`},
	{"recover of a host that never crashed", `kind: toy
topology:
  star:
    hosts:
      - {name: server}
      - {name: peer, count: 3}
schedule:
  events:
    - {at: 1s, leave: server}
    - {at: 2s, recover: server}
`, `bad.yaml:10: schedule.events[1]: at 2s host server has not crashed (leave at 1s)
    10 |     - {at: 2s, recover: server}
       |       ^`},
	{"join of a crashed host", `kind: toy
topology:
  star:
    hosts:
      - {name: server}
      - {name: peer, count: 3}
schedule:
  events:
    - {at: 1s, crash: server}
    - {at: 2s, join: server}
`, `bad.yaml:10: schedule.events[1]: at 2s host server crashed: it recovers, it does not join (crash at 1s)
    10 |     - {at: 2s, join: server}
       |       ^`},
	{"loss outside [0, 1] in an event", `kind: toy
topology:
  dumbbell: {left: 2}
schedule:
  events:
    - {at: 1s, loss: bottleneck, p: -0.1}
`, `bad.yaml:6: schedule.events[0].p: must be in [0, 1], got -0.1
    6 |     - {at: 1s, loss: bottleneck, p: -0.1}
      |                                     ^`},
	{"grace on a crash", `kind: toy
topology:
  star:
    hosts:
      - {name: server}
      - {name: peer, count: 3}
schedule:
  events:
    - {at: 1s, crash: server, grace: 1s}
`, `bad.yaml:9: schedule.events[0].grace: a grace time is for leave events
    9 |     - {at: 1s, crash: server, grace: 1s}
      |                                      ^`},
	{"negative lifetime", `kind: toy
topology:
  star:
    hosts:
      - {name: server}
      - {name: peer, count: 3}
schedule:
  horizon: 1h
  churn:
    - {hosts: peer, rate: 1/min, lifetime: {exponential: -1s}}
`, `bad.yaml:10: schedule.churn[0].lifetime.exponential: invalid duration "-1s": must not be negative
    10 |     - {hosts: peer, rate: 1/min, lifetime: {exponential: -1s}}
       |                                                          ^`},
	{"zero lifetime", `kind: toy
topology:
  star:
    hosts:
      - {name: server}
      - {name: peer, count: 3}
schedule:
  horizon: 1h
  churn:
    - {hosts: peer, rate: 1/min, lifetime: 0s}
`, `bad.yaml:10: schedule.churn[0].lifetime: must be positive, got 0s
    10 |     - {hosts: peer, rate: 1/min, lifetime: 0s}
       |                                            ^`},
	{"churn rate with a bad unit", `kind: toy
topology:
  star:
    hosts:
      - {name: server}
      - {name: peer, count: 3}
schedule:
  horizon: 1h
  churn:
    - {hosts: peer, rate: 1/sec, lifetime: 10min}
`, `bad.yaml:10: schedule.churn[0].rate: invalid frequency "1/sec": unknown unit "sec": want /ms, /s, /min, /h or /d
    10 |     - {hosts: peer, rate: 1/sec, lifetime: 10min}
       |                           ^`},
	{"churn rate without a unit", `kind: toy
topology:
  star:
    hosts:
      - {name: server}
      - {name: peer, count: 3}
schedule:
  horizon: 1h
  churn:
    - {hosts: peer, rate: 0.5, lifetime: 10min}
`, `bad.yaml:10: schedule.churn[0].rate: invalid frequency 0.5: missing unit: write e.g. 0.5/s
    10 |     - {hosts: peer, rate: 0.5, lifetime: 10min}
       |                           ^`},
	{"churn without a horizon", `kind: toy
topology:
  star:
    hosts:
      - {name: server}
      - {name: peer, count: 3}
schedule:
  churn:
    - {hosts: peer, rate: 1/min, lifetime: 10min}
`, `bad.yaml:9: schedule.churn[0]: churn needs schedule.horizon, the time up to which it is generated
    9 |     - {hosts: peer, rate: 1/min, lifetime: 10min}
      |       ^`},
	{"churn of an unknown group", `kind: toy
topology:
  star:
    hosts:
      - {name: server}
      - {name: peer, count: 3}
schedule:
  horizon: 1h
  churn:
    - {hosts: seed, rate: 1/min, lifetime: 10min}
`, `bad.yaml:10: schedule.churn[0].hosts: unknown host "seed" (hosts: server, peer0, peer1, peer2)
    10 |     - {hosts: seed, rate: 1/min, lifetime: 10min}
       |               ^`},
	{"churned host with events of its own", `kind: toy
topology:
  star:
    hosts:
      - {name: server}
      - {name: peer, count: 3}
schedule:
  horizon: 1h
  events:
    - {at: 1s, crash: peer1}
  churn:
    - {hosts: peer, rate: 1/min, lifetime: 10min}
`, `bad.yaml:10: schedule.events[0].crash: host peer1 comes and goes by schedule.churn[0]; it takes no events of its own
    10 |     - {at: 1s, crash: peer1}
       |                       ^`},
	{"churn departure neither crash nor leave", `kind: toy
topology:
  star:
    hosts:
      - {name: server}
      - {name: peer, count: 3}
schedule:
  horizon: 1h
  churn:
    - {hosts: peer, rate: 1/min, lifetime: 10min, departure: vanish}
`, `bad.yaml:10: schedule.churn[0].departure: must be crash or leave, got "vanish"
    10 |     - {hosts: peer, rate: 1/min, lifetime: 10min, departure: vanish}
       |                                                              ^`},
	{"churn without a lifetime", `kind: toy
topology:
  star:
    hosts:
      - {name: server}
      - {name: peer, count: 3}
schedule:
  horizon: 1h
  churn:
    - {hosts: peer, rate: 1/min}
`, `bad.yaml:10: schedule.churn[0].lifetime: missing: how long a host stays, a duration or a distribution, e.g. {exponential: 30min}
    10 |     - {hosts: peer, rate: 1/min}
       |       ^`},
	{"churn starting more hosts than its pool", `kind: toy
topology:
  star:
    hosts:
      - {name: server}
      - {name: peer, count: 3}
schedule:
  horizon: 1h
  churn:
    - {hosts: peer, rate: 1/min, lifetime: 10min, initial: 4}
`, `bad.yaml:10: schedule.churn[0].initial: must be in [0, 3], the hosts of the pool, got 4
    10 |     - {hosts: peer, rate: 1/min, lifetime: 10min, initial: 4}
       |                                                            ^`},
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

// badSets are --set arguments that must be refused, with the exact message of each;
// they are applied to setBase.
var badSets = []struct {
	name string
	args []string
	want string
}{
	{"list for a key that is not swept", []string{"upload=[1Mbps, 2Mbps]"},
		"--set upload=[1Mbps, 2Mbps]: upload: not swept: a list of values is for a swept key (sweep it in the file)"},
	{"empty list for a swept key", []string{"ratio=[]"}, "--set ratio=[]: ratio: empty list: sweep at least one value"},
	{"list value with a bad unit", []string{"file=[1MB, 2Mbs]"},
		`--set file=[1MB, 2Mbs]: file[1]: invalid size "2Mbs": unknown unit "Mbs": want bit, kbit, Mbit, Gbit, Tbit, B, kB, MB, GB, TB, KiB, MiB, GiB or TiB`},
	{"list value out of range", []string{"ratio=[0.5, 2]"}, "--set ratio=[0.5, 2]: ratio: must be in [0, 1], got 2"},
	{"key set by the variants", []string{"ratio=[0.5]", "peers=3"},
		"--set peers=3: peers: set by the variants small, big; --set cannot override it (edit the variants in the file)"},
	{"distribution where the kind allows none", []string{"upload={uniform: [1Mbps, 2Mbps]}"},
		"--set upload={uniform: [1Mbps, 2Mbps]}: upload: takes one value, not a distribution (in kind toy only think may be one)"},
	{"unknown distribution", []string{"think={gamma: 1s}"},
		`--set think={gamma: 1s}: think.gamma: unknown distribution "gamma" (want exponential, uniform, pareto, lognormal, weibull or empirical)`},
	{"no value", []string{"ratio"}, "--set ratio: want key=value, e.g. --set peers=100"},
}

const setBase = `kind: toy
variants:
  small: {peers: 5, server.slots: 1}
  big: {peers: 50}
sweep:
  file: [1MB, 2MB]
  ratio: [0.1, 0.2]
plots:
  - name: p
    x: ratio
    y: time_s
    series: variant
    only: {file: 1MB}
`

func TestBadSets(t *testing.T) {
	for _, tc := range badSets {
		t.Run(tc.name, func(t *testing.T) {
			s := mustParse(t, setBase)
			before, _ := s.Resolved()
			err := s.Set(tc.args...)
			if err == nil || err.Error() != tc.want {
				t.Errorf("error:\n%v\nwant:\n%s", err, tc.want)
			}
			if after, _ := s.Resolved(); string(after) != string(before) {
				t.Error("a refused --set changed the scenario")
			}
		})
	}
}
