package kinds

import (
	"flag"
	"strings"
	"testing"

	"netsim/scenarios"
)

var printErrors = flag.Bool("print-errors", false, "print the error of every bad scenario")

// star2 is a star of a server and two peers, for the cases below.
const star2 = `topology:
  star:
    hosts:
      - {name: server, upload: 10Mbps, download: 10Mbps}
      - {name: peer, count: 2, upload: 1Mbps, download: 10Mbps}
`

// dumbbell is an explicit dumbbell: browser and server across routers l and r.
const dumbbell = `topology:
  nodes: [browser, l, r, server]
  links:
    - {from: browser, to: l, capacity: 1Gbps, duplex: true}
    - {name: wan, from: l, to: r, capacity: 10Mbps, delay: 20ms, duplex: true}
    - {from: r, to: server, capacity: 1Gbps, duplex: true}
`

// badPlatforms are scenarios that the wiring of the kinds to their platform refuses
// before anything runs (issue 7, acceptance 6), each with its whole message.
var badPlatforms = []struct{ name, file, want string }{
	{"filedist without a server", `kind: filedist
topology:
  star:
    hosts:
      - {name: peer, count: 3, upload: 1Mbps, download: 10Mbps}
`, `bad.yaml:2: topology: kind filedist needs a host named server, the file's source
    2 | topology:
      | ^`},
	{"filedist without peers", `kind: filedist
topology:
  star:
    hosts:
      - {name: server, upload: 10Mbps}
      - {name: client, upload: 1Mbps}
`, `bad.yaml:2: topology: kind filedist needs peers: hosts named peer0, peer1, ...
    2 | topology:
      | ^`},
	{"filedist with an unconstrained server", `kind: filedist
topology:
  star:
    hosts:
      - {name: server, download: 10Mbps}
      - {name: peer, count: 2, upload: 1Mbps, download: 10Mbps}
`, `bad.yaml:2: topology: kind filedist needs the server's upload rate, u_s: its links out are unconstrained
    2 | topology:
      | ^`},
	{"filedist p2p with an unconstrained peer", `kind: filedist
params:
  mode: p2p
topology:
  star:
    hosts:
      - {name: server, upload: 10Mbps}
      - {name: peer, count: 2, download: 10Mbps}
`, `bad.yaml:4: topology: kind filedist in p2p mode needs each peer's upload rate, at which it relays: peer0's links out are unconstrained
    4 | topology:
      | ^`},
	{"filedist platform param beside a topology", `kind: filedist
params:
  peers: 30
` + star2, `bad.yaml:3: params.peers: describes kind filedist's default platform, which the file's topology: section replaces: give it there
    3 |   peers: 30
      |          ^`},
	{"filedist platform param swept beside a topology", `kind: filedist
sweep:
  delay: [10ms, 20ms]
` + star2, `bad.yaml:3: sweep.delay: describes kind filedist's default platform, which the file's topology: section replaces: give it there
    3 |   delay: [10ms, 20ms]
      |           ^`},
	{"filedist platform param in a variant beside a topology", `kind: filedist
variants:
  slow: {server_upload: 1Mbps}
  fast: {mode: client-server}
` + star2, `bad.yaml:3: variants.slow.server_upload: describes kind filedist's default platform, which the file's topology: section replaces: give it there
    3 |   slow: {server_upload: 1Mbps}
      |                         ^`},
	{"filedist on an institution", `kind: filedist
topology:
  institution: {hosts: 3}
`, `bad.yaml:2: topology: kind filedist needs a host named server, the file's source
    2 | topology:
      | ^`},
	{"filedist schedule crashing the core", `kind: filedist
` + star2 + `schedule:
  events:
    - {at: 1s, crash: core}
`, `bad.yaml:9: schedule.events[0].crash: unknown host "core" (hosts: server, peer0, peer1)
    9 |     - {at: 1s, crash: core}
      |                       ^`},
	{"http without its browser", `kind: http
params:
  server_host: server
topology:
  nodes: [client, server]
  links: [{from: client, to: server, capacity: 1Gbps, duplex: true}]
`, `bad.yaml:4: topology: kind http needs a host named browser for its browser (params.browser_host)
    4 | topology:
      | ^`},
	{"http disconnected", `kind: http
params:
  server_host: server
topology:
  nodes: [browser, server]
  links: [{from: browser, to: server, capacity: 1Gbps}]
`, `bad.yaml:6: topology.links: not connected: no route from server to browser (every host must reach every other; a link one way needs duplex: true or a link back)
    6 |   links: [{from: browser, to: server, capacity: 1Gbps}]
      |   ^`},
	{"http schedule crashing a router", `kind: http
params:
  server_host: server
` + dumbbell + `schedule:
  events:
    - {at: 1s, crash: l}
`, `bad.yaml:12: schedule.events[0].crash: host l runs no program of kind http (its hosts: browser, server)
    12 |     - {at: 1s, crash: l}
       |                       ^`},
	{"http churn of a router", `kind: http
params:
  server_host: server
` + dumbbell + `schedule:
  horizon: 1h
  churn:
    - {hosts: [server, r], rate: 1/s, lifetime: 10s}
`, `bad.yaml:13: schedule.churn[0].hosts: host r runs no program of kind http (its hosts: browser, server)
    13 |     - {hosts: [server, r], rate: 1/s, lifetime: 10s}
       |        ^`},
	{"http bulk from an unknown host", `kind: http
params:
  server_host: server
  bulk: [{from: nowhere, to: browser, size: 1MB}]
` + dumbbell, `bad.yaml:4: params.bulk[0].from: unknown host "nowhere"
    4 |   bulk: [{from: nowhere, to: browser, size: 1MB}]
      |                 ^`},
	{"http bulk on the default platform", `kind: http
params:
  bulk:
    - {from: www.someschool.edu, to: client, size: 1MB}
`, `bad.yaml:4: params.bulk[0].to: unknown host "client"
    4 |     - {from: www.someschool.edu, to: client, size: 1MB}
      |                                      ^`},
	{"http bulk to itself", `kind: http
params:
  bulk: [{from: browser, to: browser, size: 1MB}]
`, `bad.yaml:3: params.bulk[0].to: a transfer joins two different hosts, not "browser" to itself
    3 |   bulk: [{from: browser, to: browser, size: 1MB}]
      |                              ^`},
	{"http bulk of nothing", `kind: http
params:
  bulk: [{from: www.someschool.edu, to: browser}]
`, `bad.yaml:3: params.bulk[0].size: must be positive, got 0B
    3 |   bulk: [{from: www.someschool.edu, to: browser}]
      |         ^`},
	{"http server and browser on one host", `kind: http
params:
  browser_host: www.someschool.edu
`, `bad.yaml:3: params.browser_host: must differ from server_host, "www.someschool.edu"
    3 |   browser_host: www.someschool.edu
      |                 ^`},
	{"http theory beside a topology", `kind: http
params:
  server_host: server
sweep:
  objects: [1, 2]
` + dumbbell + `plots:
  - {name: load, x: objects, y: page_load_s, theory: [rtt_formula]}
`, `bad.yaml:13: plots[0].theory: rtt_formula is a closed form of kind http's default platform, which the file's topology: section replaces
    13 |   - {name: load, x: objects, y: page_load_s, theory: [rtt_formula]}
       |                                                       ^`},
	{"webcache on a star", `kind: webcache
topology:
  star:
    hosts:
      - {name: host, count: 3, upload: 100Mbps, download: 100Mbps}
      - {name: server0}
`, `bad.yaml:2: topology: kind webcache needs a link named access, whose load it measures
    2 | topology:
      | ^`},
	{"webcache without origins", `kind: webcache
topology:
  nodes: [host0, host1, r]
  links:
    - {name: access, from: host0, to: r, capacity: 1Gbps, duplex: true}
    - {from: host1, to: r, capacity: 1Gbps, duplex: true}
`, `bad.yaml:2: topology: kind webcache needs origins: hosts named server0, server1, ...
    2 | topology:
      | ^`},
	{"webcache crashing a browser", `kind: webcache
topology:
  institution: {hosts: 3}
schedule:
  events:
    - {at: 10s, crash: host2}
`, `bad.yaml:6: schedule.events[0].crash: host host2 is a browser of kind webcache, which the schedule may not take down: the request workload drives it
    6 |     - {at: 10s, crash: host2}
      |                        ^`},
	{"webcache churn of browsers", `kind: webcache
topology:
  institution: {hosts: 3, servers: 2}
schedule:
  horizon: 1h
  churn:
    - {hosts: server, rate: 1/min, lifetime: 10min}
    - {hosts: [host1], rate: 1/min, lifetime: 10min}
`, `bad.yaml:8: schedule.churn[1].hosts: host host1 is a browser of kind webcache, which the schedule may not take down: the request workload drives it
    8 |     - {hosts: [host1], rate: 1/min, lifetime: 10min}
      |        ^`},
	{"webcache crashing the cache it does not run", `kind: webcache
params:
  cache: false
topology:
  institution: {hosts: 3}
schedule:
  events:
    - {at: 10s, crash: host0}
`, `bad.yaml:8: schedule.events[0].crash: host host0 runs no program of kind webcache (its hosts: host1, host2, server0)
    8 |     - {at: 10s, crash: host0}
      |                        ^`},
}

func TestBadPlatforms(t *testing.T) {
	for _, tc := range badPlatforms {
		t.Run(tc.name, func(t *testing.T) {
			_, err := scenarios.Parse("bad.yaml", []byte(tc.file))
			if err == nil {
				t.Fatal("parsed")
			}
			if *printErrors {
				t.Logf("\n%s", err)
			}
			if got := strings.TrimSpace(err.Error()); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

// A --set of a parameter of the default platform is refused beside a topology: too,
// wherever it comes from, and the scenario is left as it was.
func TestSetPlatformParamBesideTopology(t *testing.T) {
	s, err := scenarios.Parse("t.yaml", []byte("kind: filedist\n"+star2))
	if err != nil {
		t.Fatal(err)
	}
	for _, arg := range []string{"delay=20ms", "server_upload=1Mbps"} {
		err := s.Set(arg)
		key := strings.SplitN(arg, "=", 2)[0]
		want := "--set " + arg + ": " + key + ": describes kind filedist's default platform, which the file's topology: section replaces: give it there"
		if err == nil || err.Error() != want {
			t.Errorf("--set %s: got %v, want %s", arg, err, want)
		}
	}
	if err := s.Check(); err != nil {
		t.Errorf("the refused --set stayed: %v", err)
	}
}
