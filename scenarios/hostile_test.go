package scenarios_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	. "netsim/scenarios"
	_ "netsim/scenarios/kinds" // the hostile files are of real kinds
)

// The hostile inputs of issue 8, by class: virtual times that overflow, sizes that
// cannot fit, campaigns too large to count, names that would leave the output folder
// or overwrite its files, and text YAML would misread. Each is refused before
// anything runs, with its exact message; resource_test.go holds validation of every
// one of them to a second and 100 MB.
var hostileFiles = []struct {
	name, file, want string
	filename         string // "" for bad.yaml
}{
	{name: "filedist delay of 30000 days", file: "kind: filedist\nparams:\n  delay: 30000d\n", want: `bad.yaml:3: params.delay: 20 × delay (five round trips) comes to 1.64e+03 years, beyond the 146 years a run's virtual times may reach (int64 nanoseconds count 292 years, and half is kept so that two times add without overflow)
    3 |   delay: 30000d
      |          ^`},
	{name: "filedist download rate of 1e-300 bit/s", file: "kind: filedist\nparams:\n  peer_download: 1e-300bps\n", want: `bad.yaml:3: params.peer_download: file / the slowest peer_download comes to more time than a float64 can count, beyond the 146 years a run's virtual times may reach (int64 nanoseconds count 292 years, and half is kept so that two times add without overflow)
    3 |   peer_download: 1e-300bps
      |                  ^`},
	{name: "filedist server upload of 1e-300 bit/s", file: "kind: filedist\nparams:\n  server_upload: 1e-300bps\n", want: `bad.yaml:3: params.server_upload: peers × file / server_upload comes to more time than a float64 can count, beyond the 146 years a run's virtual times may reach (int64 nanoseconds count 292 years, and half is kept so that two times add without overflow)
    3 |   server_upload: 1e-300bps
      |                  ^`},
	{name: "filedist a terabyte over 1 bit/s", file: "kind: filedist\nparams:\n  file: 1TB\n  server_upload: 1bps\n", want: `bad.yaml:4: params.server_upload: peers × file / server_upload comes to 2.54e+06 years, beyond the 146 years a run's virtual times may reach (int64 nanoseconds count 292 years, and half is kept so that two times add without overflow)
    4 |   server_upload: 1bps
      |                  ^`},
	{name: "filedist swept delay past the range", file: "kind: filedist\nsweep:\n  delay: [1ms, 20000d]\n", want: `bad.yaml:3: sweep.delay[1]: 20 × delay (five round trips) comes to 1.1e+03 years, beyond the 146 years a run's virtual times may reach (int64 nanoseconds count 292 years, and half is kept so that two times add without overflow)
    3 |   delay: [1ms, 20000d]
      |                ^`},
	{name: "filedist variant with a server of 1e-9 bit/s", file: "kind: filedist\nvariants:\n  fast: {server_upload: 1Gbps}\n  slow: {server_upload: 1e-9bps}\n", want: `bad.yaml:4: variants.slow.server_upload: peers × file / server_upload comes to 1.14e+12 years, beyond the 146 years a run's virtual times may reach (int64 nanoseconds count 292 years, and half is kept so that two times add without overflow)
    4 |   slow: {server_upload: 1e-9bps}
      |                         ^`},
	{name: "filedist uniform download down to 1e-200 bit/s", file: "kind: filedist\nparams:\n  peer_download: {uniform: [1e-200bps, 1Mbps]}\n", want: `bad.yaml:3: params.peer_download: file / the slowest peer_download comes to 1.14e+202 years, beyond the 146 years a run's virtual times may reach (int64 nanoseconds count 292 years, and half is kept so that two times add without overflow)
    3 |   peer_download: {uniform: [1e-200bps, 1Mbps]}
      |                  ^`},
	{name: "filedist download spread near 1", file: "kind: filedist\nparams:\n  peer_download: 1kbps\n  download_spread: 0.999999999\n  file: 1TB\n", want: `bad.yaml:3: params.peer_download: file / the slowest peer_download comes to 2.54e+11 years, beyond the 146 years a run's virtual times may reach (int64 nanoseconds count 292 years, and half is kept so that two times add without overflow)
    3 |   peer_download: 1kbps
      |                  ^`},
	{name: "http rtt of 100000 days", file: "kind: http\nparams:\n  rtt: 100000d\n", want: `bad.yaml:3: params.rtt: 2 × sessions × (objects + 1) × rtt comes to 6.02e+03 years, beyond the 146 years a run's virtual times may reach (int64 nanoseconds count 292 years, and half is kept so that two times add without overflow)
    3 |   rtt: 100000d
      |        ^`},
	{name: "http session gap of 100000 days", file: "kind: http\nparams:\n  sessions: 2\n  session_gap: 100000d\n", want: `bad.yaml:4: params.session_gap: (sessions − 1) × session_gap comes to 274 years, beyond the 146 years a run's virtual times may reach (int64 nanoseconds count 292 years, and half is kept so that two times add without overflow)
    4 |   session_gap: 100000d
      |                ^`},
	{name: "http idle timeout of 60000 days", file: "kind: http\nparams:\n  idle_timeout: 60000d\n", want: `bad.yaml:3: params.idle_timeout: idle_timeout comes to 164 years, beyond the 146 years a run's virtual times may reach (int64 nanoseconds count 292 years, and half is kept so that two times add without overflow)
    3 |   idle_timeout: 60000d
      |                 ^`},
	{name: "http download of 1e-20 bit/s", file: "kind: http\nparams:\n  download: 1e-20bps\n", want: `bad.yaml:3: params.download: sessions × the page's bits / download comes to 2.71e+18 years, beyond the 146 years a run's virtual times may reach (int64 nanoseconds count 292 years, and half is kept so that two times add without overflow)
    3 |   download: 1e-20bps
      |             ^`},
	{name: "http upload of 1e-20 bit/s", file: "kind: http\nparams:\n  upload: 1e-20bps\n", want: `bad.yaml:3: params.upload: requests × 8 kbit / upload comes to 2.79e+17 years, beyond the 146 years a run's virtual times may reach (int64 nanoseconds count 292 years, and half is kept so that two times add without overflow)
    3 |   upload: 1e-20bps
      |           ^`},
	{name: "http one-byte window over a long rtt", file: "kind: http\nparams:\n  objects: 1000000\n  window: 1B\n  rtt: 100s\n", want: `bad.yaml:4: params.window: sessions × the page's bits × rtt / window comes to 3.17e+04 years, beyond the 146 years a run's virtual times may reach (int64 nanoseconds count 292 years, and half is kept so that two times add without overflow)
    4 |   window: 1B
      |           ^`},
	{name: "http spans each short whose sum is not", file: "kind: http\nparams:\n  objects: 0\n  sessions: 2\n  session_gap: 36500d\n  rtt: 9000d\n", want: `bad.yaml:5: params.session_gap: the run's length, 2 × sessions × (objects + 1) × rtt + (sessions − 1) × session_gap + idle_timeout + sessions × the page's bits / download + requests × 8 kbit / upload, comes to 198 years, beyond the 146 years a run's virtual times may reach (int64 nanoseconds count 292 years, and half is kept so that two times add without overflow)
    5 |   session_gap: 36500d
      |                ^`},
	{name: "webcache requests at 0.001 per second", file: "kind: webcache\nparams:\n  requests: 10000000\n  warmup: 0\n  rate: 0.001\n", want: `bad.yaml:5: params.rate: requests / rate comes to 317 years, beyond the 146 years a run's virtual times may reach (int64 nanoseconds count 292 years, and half is kept so that two times add without overflow)
    5 |   rate: 0.001
      |         ^`},
	{name: "webcache internet delay of 60000 days", file: "kind: webcache\nparams:\n  internet_delay: 60000d\n", want: `bad.yaml:3: params.internet_delay: internet_delay comes to 164 years, beyond the 146 years a run's virtual times may reach (int64 nanoseconds count 292 years, and half is kept so that two times add without overflow)
    3 |   internet_delay: 60000d
      |                   ^`},
	{name: "webcache access link of 1e-10 bit/s", file: "kind: webcache\nparams:\n  access_rate: 1e-10bps\n", want: `bad.yaml:3: params.access_rate: requests × object_size / access_rate comes to 6.34e+12 years, beyond the 146 years a run's virtual times may reach (int64 nanoseconds count 292 years, and half is kept so that two times add without overflow)
    3 |   access_rate: 1e-10bps
      |                ^`},
	{name: "webcache lan of 1e-10 bit/s", file: "kind: webcache\nparams:\n  lan_rate: 1e-10bps\n", want: `bad.yaml:3: params.lan_rate: requests × object_size / lan_rate comes to 6.34e+12 years, beyond the 146 years a run's virtual times may reach (int64 nanoseconds count 292 years, and half is kept so that two times add without overflow)
    3 |   lan_rate: 1e-10bps
      |             ^`},
	{name: "webcache lan delay of 20000 days", file: "kind: webcache\nparams:\n  lan_delay: 20000d\n", want: `bad.yaml:3: params.lan_delay: 4 × lan_delay comes to 219 years, beyond the 146 years a run's virtual times may reach (int64 nanoseconds count 292 years, and half is kept so that two times add without overflow)
    3 |   lan_delay: 20000d
      |              ^`},
	{name: "toy star host delay of 20000 days", file: "kind: toy\ntopology:\n  star:\n    hosts:\n      - {name: server, delay: 1ms}\n      - {name: peer, count: 3, delay: 20000d}\n", want: `bad.yaml:6: topology.star.hosts[1].delay: the longest round trip over the topology, 4 × the largest host delay, host to core and back to host, comes to 219 years, beyond the 146 years a run's virtual times may reach (int64 nanoseconds count 292 years, and half is kept so that two times add without overflow)
    6 |       - {name: peer, count: 3, delay: 20000d}
      |                                       ^`},
	{name: "toy institution internet delay of 60000 days", file: "kind: toy\ntopology:\n  institution: {hosts: 2, internet_delay: 60000d}\n", want: `bad.yaml:3: topology.institution.internet_delay: the longest round trip over the topology, 2 × (lan_delay + access_delay) + internet_delay, comes to 164 years, beyond the 146 years a run's virtual times may reach (int64 nanoseconds count 292 years, and half is kept so that two times add without overflow)
    3 |   institution: {hosts: 2, internet_delay: 60000d}
      |                                           ^`},
	{name: "toy dumbbell bottleneck delay of 30000 days", file: "kind: toy\ntopology:\n  dumbbell: {left: 1, right: 1, bottleneck_delay: 30000d}\n", want: `bad.yaml:3: topology.dumbbell.bottleneck_delay: the longest round trip over the topology, 2 × (2 × access_delay + bottleneck_delay), comes to 164 years, beyond the 146 years a run's virtual times may reach (int64 nanoseconds count 292 years, and half is kept so that two times add without overflow)
    3 |   dumbbell: {left: 1, right: 1, bottleneck_delay: 30000d}
      |                                                   ^`},
	{name: "toy explicit links whose delays add past the range", file: "kind: toy\ntopology:\n  nodes: [a, b, c]\n  links:\n    - {from: a, to: b, delay: 20000d, duplex: true}\n    - {from: b, to: c, delay: 20000d, duplex: true}\n", want: `bad.yaml:5: topology.links[0].delay: the longest round trip over the topology, twice the sum of the links' delays, comes to 219 years, beyond the 146 years a run's virtual times may reach (int64 nanoseconds count 292 years, and half is kept so that two times add without overflow)
    5 |     - {from: a, to: b, delay: 20000d, duplex: true}
      |                               ^`},
	{name: "schedule horizon of 60000 days", file: "kind: toy\ntopology:\n  star: {hosts: [{name: server}, {name: peer, count: 2}]}\nschedule:\n  horizon: 60000d\n  events:\n    - {at: 1s, crash: peer0}\n", want: `bad.yaml:5: schedule.horizon: 60000d is 164 years, beyond the 146 years a run's virtual times may reach (int64 nanoseconds count 292 years, and half is kept so that two times add without overflow)
    5 |   horizon: 60000d
      |            ^`},
	{name: "schedule event at 60000 days", file: "kind: toy\ntopology:\n  star: {hosts: [{name: server}, {name: peer, count: 2}]}\nschedule:\n  events:\n    - {at: 60000d, crash: peer0}\n", want: `bad.yaml:6: schedule.events[0].at: 60000d is 164 years, beyond the 146 years a run's virtual times may reach (int64 nanoseconds count 292 years, and half is kept so that two times add without overflow)
    6 |     - {at: 60000d, crash: peer0}
      |            ^`},
	{name: "schedule leave with a grace of 60000 days", file: "kind: toy\ntopology:\n  star: {hosts: [{name: server}, {name: peer, count: 2}]}\nschedule:\n  events:\n    - {at: 1s, leave: peer0, grace: 60000d}\n", want: `bad.yaml:6: schedule.events[0].grace: 60000d is 164 years, beyond the 146 years a run's virtual times may reach (int64 nanoseconds count 292 years, and half is kept so that two times add without overflow)
    6 |     - {at: 1s, leave: peer0, grace: 60000d}
      |                                     ^`},
	{name: "churn with a grace of 60000 days", file: "kind: toy\ntopology:\n  star: {hosts: [{name: server}, {name: peer, count: 2}]}\nschedule:\n  horizon: 1h\n  churn:\n    - {hosts: peer, rate: 1/min, lifetime: 10min, departure: leave, grace: 60000d}\n", want: `bad.yaml:7: schedule.churn[0].grace: 60000d is 164 years, beyond the 146 years a run's virtual times may reach (int64 nanoseconds count 292 years, and half is kept so that two times add without overflow)
    7 |     - {hosts: peer, rate: 1/min, lifetime: 10min, departure: leave, grace: 60000d}
      |                                                                            ^`},
	{name: "toy file over an upload of 1e-300 bit/s", file: "kind: toy\nparams:\n  upload: 1e-300bps\n", want: `bad.yaml:3: params.upload: file / upload comes to 2.54e+299 years, beyond the 146 years a run's virtual times may reach (int64 nanoseconds count 292 years, and half is kept so that two times add without overflow)
    3 |   upload: 1e-300bps
      |           ^`},
	{name: "toy delay default overflowing through a sweep of files", file: "kind: toy\nsweep:\n  file: [1MB, 100000TB]\n  upload: [1bps]\n", want: `bad.yaml:4: sweep.upload[0]: file / upload comes to 2.54e+10 years, beyond the 146 years a run's virtual times may reach (int64 nanoseconds count 292 years, and half is kept so that two times add without overflow)
    4 |   upload: [1bps]
      |            ^`},
	{name: "filedist peers 2^63-1", file: "kind: filedist\nparams:\n  peers: 9223372036854775807\n", want: `bad.yaml:3: params.peers: a run would create 9.22e+18 hosts (peers + 1, the server), over limits.hosts = 1000000, and 8.51e+37 flows (peers² + 3 × peers: every peer relays its part to every other), over limits.flows = 5000000, and 9.22e+18 requests (a request or hello from each peer), over limits.requests = 10000000: raise them (--limit hosts=N --limit flows=N --limit requests=N, or limits: in the file) if the machine can hold them
    3 |   peers: 9223372036854775807
      |          ^`},
	{name: "filedist ten million peers", file: "kind: filedist\nparams:\n  peers: 10000000\n", want: `bad.yaml:3: params.peers: a run would create 10000001 hosts (peers + 1, the server), over limits.hosts = 1000000, and 100000030000000 flows (peers² + 3 × peers: every peer relays its part to every other), over limits.flows = 5000000: raise them (--limit hosts=N --limit flows=N, or limits: in the file) if the machine can hold them
    3 |   peers: 10000000
      |          ^`},
	{name: "filedist P2P swarm of 3000 peers", file: "kind: filedist\nparams:\n  mode: p2p\n  peers: 3000\n", want: `bad.yaml:4: params.peers: a run would create 9009000 flows (peers² + 3 × peers: every peer relays its part to every other), over limits.flows = 5000000: raise it (--limit flows=N, or limits: {flows: N} in the file) if the machine can hold them
    4 |   peers: 3000
      |          ^`},
	{name: "filedist swept peers, the last too many", file: "kind: filedist\nsweep:\n  peers: [10, 100, 5000]\n", want: `bad.yaml:3: sweep.peers[2]: a run would create 25015000 flows (peers² + 3 × peers: every peer relays its part to every other), over limits.flows = 5000000: raise it (--limit flows=N, or limits: {flows: N} in the file) if the machine can hold them
    3 |   peers: [10, 100, 5000]
      |                    ^`},
	{name: "webcache 10^12 requests", file: "kind: webcache\nparams:\n  requests: 1000000000000\n", want: `bad.yaml:3: params.requests: a run would create 1000000000000 requests (requests), over limits.requests = 10000000: raise it (--limit requests=N, or limits: {requests: N} in the file) if the machine can hold them
    3 |   requests: 1000000000000
      |             ^`},
	{name: "webcache two million browsers", file: "kind: webcache\nparams:\n  browsers: 2000000\n", want: `bad.yaml:3: params.browsers: a run would create 2000005 hosts (browsers + origins + 1, the cache), over limits.hosts = 1000000: raise it (--limit hosts=N, or limits: {hosts: N} in the file) if the machine can hold them
    3 |   browsers: 2000000
      |             ^`},
	{name: "webcache a zipf catalogue of 10^8", file: "kind: webcache\nparams:\n  workload: zipf\n  catalogue: 100000000\n", want: `bad.yaml:4: params.catalogue: a run would create 500000000 objects (catalogue × (origins + 1): each origin's table of the catalogue, and the cache's names), over limits.objects = 20000000: raise it (--limit objects=N, or limits: {objects: N} in the file) if the machine can hold them
    4 |   catalogue: 100000000
      |              ^`},
	{name: "webcache 10^12 hot objects", file: "kind: webcache\nparams:\n  hot_objects: 1000000000000\n", want: `bad.yaml:3: params.hot_objects: a run would create 5000000000000 objects (hot_objects × (origins + 1): each origin's table of the catalogue, and the cache's names), over limits.objects = 20000000: raise it (--limit objects=N, or limits: {objects: N} in the file) if the machine can hold them
    3 |   hot_objects: 1000000000000
      |                ^`},
	{name: "http 10^9 objects", file: "kind: http\nparams:\n  objects: 1000000000\n", want: `bad.yaml:3: params.objects: a run would create 4000000004 flows (4 × (objects + 1), a pipelined page at once), over limits.flows = 5000000, and 1000000001 requests (sessions × (objects + 1)), over limits.requests = 10000000: raise them (--limit flows=N --limit requests=N, or limits: in the file) if the machine can hold them
    3 |   objects: 1000000000
      |            ^`},
	{name: "http 10^8 sessions", file: "kind: http\nparams:\n  sessions: 100000000\n", want: `bad.yaml:3: params.sessions: a run would create 1100000000 requests (sessions × (objects + 1)), over limits.requests = 10000000: raise it (--limit requests=N, or limits: {requests: N} in the file) if the machine can hold them
    3 |   sessions: 100000000
      |             ^`},
	{name: "filedist P2P swarm of 3000 peers on a topology", file: "kind: filedist\ntopology:\n  star:\n    hosts:\n      - {name: server, upload: 10Mbps}\n      - {name: peer, count: 3000, upload: 1Mbps}\n", want: `bad.yaml:2: topology: a run would create 9009000 flows (peers² + 3 × peers: every peer relays its part to every other), over limits.flows = 5000000: raise it (--limit flows=N, or limits: {flows: N} in the file) if the machine can hold them
    2 | topology:
      | ^`},
	{name: "filedist on a topology whose server uploads at 1e-9 bit/s", file: "kind: filedist\ntopology:\n  star:\n    hosts:\n      - {name: server, upload: 1e-9bps}\n      - {name: peer, count: 3, upload: 1Mbps}\n", want: `bad.yaml:2: topology: peers × file / the server's upload comes to 3.42e+11 years, beyond the 146 years a run's virtual times may reach (int64 nanoseconds count 292 years, and half is kept so that two times add without overflow)
    2 | topology:
      | ^`},
	{name: "http on a topology of a 10000-day delay", file: "kind: http\ntopology:\n  star:\n    hosts:\n      - {name: browser, delay: 10000d}\n      - {name: www.someschool.edu}\n", want: `bad.yaml:2: topology: 2 × sessions × (objects + 1) × the topology's longest round trip comes to 2.41e+03 years, beyond the 146 years a run's virtual times may reach (int64 nanoseconds count 292 years, and half is kept so that two times add without overflow)
    2 | topology:
      | ^`},
	{name: "http on a topology whose browser downloads at 1e-20 bit/s", file: "kind: http\ntopology:\n  star:\n    hosts:\n      - {name: browser, download: 1e-20bps}\n      - {name: www.someschool.edu}\n", want: `bad.yaml:2: topology: sessions × the page's bits / the browser's download comes to 2.71e+18 years, beyond the 146 years a run's virtual times may reach (int64 nanoseconds count 292 years, and half is kept so that two times add without overflow)
    2 | topology:
      | ^`},
	{name: "http bulk transfer of a million terabytes", file: "kind: http\nparams:\n  bulk:\n    - {from: www.someschool.edu, to: browser, size: 1Gbit, start: 1s}\n    - {from: www.someschool.edu, to: browser, size: 1000000TB, start: 1s}\n", want: `bad.yaml:5: params.bulk[1].size: the sum of each bulk size over its hosts' slower rate comes to 254 years, beyond the 146 years a run's virtual times may reach (int64 nanoseconds count 292 years, and half is kept so that two times add without overflow)
    5 |     - {from: www.someschool.edu, to: browser, size: 1000000TB, start: 1s}
      |                                                     ^`},
	{name: "http bulk transfer starting after 60000 days", file: "kind: http\nparams:\n  bulk:\n    - {from: browser, to: www.someschool.edu, size: 1Gbit, start: 60000d}\n", want: `bad.yaml:4: params.bulk[0].start: the latest bulk start comes to 164 years, beyond the 146 years a run's virtual times may reach (int64 nanoseconds count 292 years, and half is kept so that two times add without overflow)
    4 |     - {from: browser, to: www.someschool.edu, size: 1Gbit, start: 60000d}
      |                                                                   ^`},
	{name: "http bulk transfers over a lowered flows limit", file: "kind: http\nlimits: {flows: 30}\nparams:\n  objects: 0\n  bulk:\n    - {from: www.someschool.edu, to: browser, size: 1kB, start: 1s}\n    - {from: www.someschool.edu, to: browser, size: 1kB, start: 2s}\n    - {from: www.someschool.edu, to: browser, size: 1kB, start: 3s}\n    - {from: www.someschool.edu, to: browser, size: 1kB, start: 4s}\n    - {from: www.someschool.edu, to: browser, size: 1kB, start: 5s}\n    - {from: www.someschool.edu, to: browser, size: 1kB, start: 6s}\n    - {from: www.someschool.edu, to: browser, size: 1kB, start: 7s}\n    - {from: www.someschool.edu, to: browser, size: 1kB, start: 8s}\n    - {from: www.someschool.edu, to: browser, size: 1kB, start: 9s}\n    - {from: www.someschool.edu, to: browser, size: 1kB, start: 10s}\n    - {from: www.someschool.edu, to: browser, size: 1kB, start: 11s}\n    - {from: www.someschool.edu, to: browser, size: 1kB, start: 12s}\n    - {from: www.someschool.edu, to: browser, size: 1kB, start: 13s}\n    - {from: www.someschool.edu, to: browser, size: 1kB, start: 14s}\n    - {from: www.someschool.edu, to: browser, size: 1kB, start: 15s}\n    - {from: www.someschool.edu, to: browser, size: 1kB, start: 16s}\n    - {from: www.someschool.edu, to: browser, size: 1kB, start: 17s}\n    - {from: www.someschool.edu, to: browser, size: 1kB, start: 18s}\n    - {from: www.someschool.edu, to: browser, size: 1kB, start: 19s}\n    - {from: www.someschool.edu, to: browser, size: 1kB, start: 20s}\n", want: `bad.yaml:6: params.bulk: a run would create 44 flows (4 × (objects + 1), a pipelined page at once, + 2 × the bulk transfers), over limits.flows = 30: raise it (--limit flows=N, or limits: {flows: N} in the file) if the machine can hold them
    6 |     - {from: www.someschool.edu, to: browser, size: 1kB, start: 1s}
      |     ^`},
	{name: "webcache on an institution of 20000 origins", file: "kind: webcache\nparams:\n  hot_objects: 1000\ntopology:\n  institution: {hosts: 3, servers: 20000}\n", want: `bad.yaml:4: topology: a run would create 20001000 objects (hot_objects × (origins + 1): each origin's table of the catalogue, and the cache's names), over limits.objects = 20000000: raise it (--limit objects=N, or limits: {objects: N} in the file) if the machine can hold them
    4 | topology:
      | ^`},
	{name: "webcache on an institution whose access link is 1e-10 bit/s", file: "kind: webcache\ntopology:\n  institution: {hosts: 3, servers: 2, access_rate: 1e-10bps}\n", want: `bad.yaml:2: topology: requests × object_size / the access link's rate comes to 6.34e+12 years, beyond the 146 years a run's virtual times may reach (int64 nanoseconds count 292 years, and half is kept so that two times add without overflow)
    2 | topology:
      | ^`},
	{name: "star of a billion hosts", file: "kind: toy\ntopology:\n  star:\n    hosts:\n      - {name: server}\n      - {name: peer, count: 1000000000}\n", want: `bad.yaml:6: topology.star.hosts[1].count: the topology has 1000000001 hosts (one for each host, count for each group), over limits.hosts = 1000000: raise it (--limit hosts=N, or limits: {hosts: N} in the file) if the machine can hold them
    6 |       - {name: peer, count: 1000000000}
      |                             ^`},
	{name: "star whose groups add past the limit", file: "kind: toy\ntopology:\n  star:\n    hosts:\n      - {name: a, count: 600000}\n      - {name: b, count: 600000}\n", want: `bad.yaml:5: topology.star.hosts[0].count: the topology has 1200000 hosts (one for each host, count for each group), over limits.hosts = 1000000: raise it (--limit hosts=N, or limits: {hosts: N} in the file) if the machine can hold them
    5 |       - {name: a, count: 600000}
      |                          ^`},
	{name: "institution of two million hosts", file: "kind: toy\ntopology:\n  institution: {hosts: 2000000}\n", want: `bad.yaml:3: topology.institution.hosts: the topology has 2000001 hosts (hosts + servers), over limits.hosts = 1000000: raise it (--limit hosts=N, or limits: {hosts: N} in the file) if the machine can hold them
    3 |   institution: {hosts: 2000000}
      |                        ^`},
	{name: "dumbbell of two million on the right", file: "kind: toy\ntopology:\n  dumbbell: {left: 1, right: 2000000}\n", want: `bad.yaml:3: topology.dumbbell.right: the topology has 2000001 hosts (left + right), over limits.hosts = 1000000: raise it (--limit hosts=N, or limits: {hosts: N} in the file) if the machine can hold them
    3 |   dumbbell: {left: 1, right: 2000000}
      |                              ^`},
	{name: "explicit nodes over a lowered limit", file: "kind: toy\nlimits: {hosts: 3}\ntopology:\n  nodes: [a, b, c, d]\n  links:\n    - {from: a, to: b, duplex: true}\n    - {from: b, to: c, duplex: true}\n    - {from: c, to: d, duplex: true}\n", want: `bad.yaml:4: topology.nodes: the topology has 4 hosts (the nodes listed), over limits.hosts = 3: raise it (--limit hosts=N, or limits: {hosts: N} in the file) if the machine can hold them
    4 |   nodes: [a, b, c, d]
      |          ^`},
	{name: "churn of a thousand arrivals a second for a day", file: "kind: toy\ntopology:\n  star: {hosts: [{name: server}, {name: peer, count: 100}]}\nschedule:\n  horizon: 1d\n  churn:\n    - {hosts: peer, rate: 1000/s, lifetime: 10min}\n", want: `bad.yaml:7: schedule.churn[0].rate: the schedule would make about 172800000 changes in a run (its events, and 2 × rate × horizon + 2 × initial for each churn process), over limits.schedule_events = 1000000: raise it (--limit schedule_events=N, or limits: {schedule_events: N} in the file) if the machine can hold them
    7 |     - {hosts: peer, rate: 1000/s, lifetime: 10min}
      |                           ^`},
	{name: "filedist over a lowered hosts limit", file: "kind: filedist\nlimits: {hosts: 5}\n", want: `bad.yaml: params.peers: a run would create 11 hosts (peers + 1, the server), over limits.hosts = 5: raise it (--limit hosts=N, or limits: {hosts: N} in the file) if the machine can hold them (default)`},
	{name: "toy peers over a lowered flows limit", file: "kind: toy\nlimits:\n  flows: 10\nparams:\n  peers: 4\n  server:\n    slots: 1\n", want: `bad.yaml:5: params.peers: a run would create 16 flows (peers²), over limits.flows = 10: raise it (--limit flows=N, or limits: {flows: N} in the file) if the machine can hold them
    5 |   peers: 4
      |          ^`},
	{name: "replications 2^63-1", file: "kind: filedist\nreplications: 9223372036854775807\n", want: `bad.yaml:2: replications: the campaign has 9223372036854775807 runs (9223372036854775807 replications), over limits.runs = 100000: raise it (--max-runs N, or limits: {runs: N} in the file) if the machine can hold them
    2 | replications: 9223372036854775807
      |               ^`},
	{name: "replications a billion", file: "kind: toy\nreplications: 1000000000\n", want: `bad.yaml:2: replications: the campaign has 1000000000 runs (1000000000 replications), over limits.runs = 100000: raise it (--max-runs N, or limits: {runs: N} in the file) if the machine can hold them
    2 | replications: 1000000000
      |               ^`},
	{name: "a sweep of more points than int64 counts", file: "GEN_OVERFLOW", want: `bad.yaml:3: sweep.peers: the campaign has more runs than netsim can count (over 2^63): 1000 × 1000 × 1000 × 1000 × 1000 × 1000 × 1000 sweep values × 1 replication
    3 |   peers: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,...
      |   ^`},
	{name: "a sweep of 10^9 points", file: "GEN_BILLION", want: `bad.yaml:3: sweep.peers: the campaign has 1000000000 runs (1000 × 1000 × 1000 sweep values × 1 replication), over limits.runs = 100000: raise it (--max-runs N, or limits: {runs: N} in the file) if the machine can hold them
    3 |   peers: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,...
      |   ^`},
	{name: "variants × sweep × replications over the limit", file: "kind: toy\nreplications: 100\nvariants:\n  a: {mode: a}\n  b: {mode: b}\nGEN_SWEEP_PEERS\n", want: `bad.yaml:7: sweep.peers: the campaign has 200000 runs (2 variants × 1000 sweep values × 100 replications), over limits.runs = 100000: raise it (--max-runs N, or limits: {runs: N} in the file) if the machine can hold them
    7 |   peers: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,...
      |   ^`},
	{name: "filedist campaign over a lowered runs limit", file: "kind: filedist\nlimits: {runs: 10}\nsweep:\n  peers: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]\n", want: `bad.yaml:4: sweep.peers: the campaign has 11 runs (11 sweep values × 1 replication), over limits.runs = 10: raise it (--max-runs N, or limits: {runs: N} in the file) if the machine can hold them
    4 |   peers: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
      |   ^`},
	{name: "a sweep list of five million values", file: "GEN_FIVE_MILLION", want: `bad.yaml: larger than 256 KiB, the most netsim reads as one file`},
	{name: "name ../x", file: "kind: toy\nname: ../x\n", want: `bad.yaml:2: name: "../x" is not a file name: use letters, digits, '.', '_' and '-', starting with a letter or digit (it names the output folder, out/<name>)
    2 | name: ../x
      |       ^`},
	{name: "name /etc", file: "kind: toy\nname: /etc\n", want: `bad.yaml:2: name: "/etc" is not a file name: use letters, digits, '.', '_' and '-', starting with a letter or digit (it names the output folder, out/<name>)
    2 | name: /etc
      |       ^`},
	{name: "name ..", file: "kind: toy\nname: ..\n", want: `bad.yaml:2: name: ".." is not a file name: use letters, digits, '.', '_' and '-', starting with a letter or digit (it names the output folder, out/<name>)
    2 | name: ..
      |       ^`},
	{name: "name empty", file: "kind: toy\nname: \"\"\n", want: `bad.yaml:2: name: empty: a name becomes a file or folder name (it names the output folder, out/<name>)
    2 | name: ""
      |       ^`},
	{name: "name with a newline", file: "kind: toy\nname: \"a\\nb\"\n", want: `bad.yaml:2: name: "a\nb" is not a file name: use letters, digits, '.', '_' and '-', starting with a letter or digit (it names the output folder, out/<name>)
    2 | name: "a\nb"
      |       ^`},
	{name: "name runs", file: "kind: toy\nname: runs\n", want: `bad.yaml:2: name: "runs" is reserved: the campaign writes runs.csv and runs.jsonl itself (reserved: runs, summary, samples, series, manifest) (it names the output folder, out/<name>)
    2 | name: runs
      |       ^`},
	{name: "name Summary", file: "kind: toy\nname: Summary\n", want: `bad.yaml:2: name: "Summary" is reserved: the campaign writes summary.csv itself (reserved: runs, summary, samples, series, manifest) (it names the output folder, out/<name>)
    2 | name: Summary
      |       ^`},
	{name: "name of 101 bytes", file: "kind: toy\nname: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", want: `bad.yaml:2: name: 101 bytes long: a name becomes a file or folder name, of at most 100 bytes (it names the output folder, out/<name>)
    2 | name: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
      |       ^`},
	{name: "name .hidden", file: "kind: toy\nname: .hidden\n", want: `bad.yaml:2: name: ".hidden" is not a file name: use letters, digits, '.', '_' and '-', starting with a letter or digit (it names the output folder, out/<name>)
    2 | name: .hidden
      |       ^`},
	{name: "name -rf", file: "kind: toy\nname: -rf\n", want: `bad.yaml:2: name: "-rf" is not a file name: use letters, digits, '.', '_' and '-', starting with a letter or digit (it names the output folder, out/<name>)
    2 | name: -rf
      |       ^`},
	{name: "name a/b", file: "kind: toy\nname: a/b\n", want: `bad.yaml:2: name: "a/b" is not a file name: use letters, digits, '.', '_' and '-', starting with a letter or digit (it names the output folder, out/<name>)
    2 | name: a/b
      |       ^`},
	{name: "name with a space", file: "kind: toy\nname: my experiment\n", want: `bad.yaml:2: name: "my experiment" is not a file name: use letters, digits, '.', '_' and '-', starting with a letter or digit (it names the output folder, out/<name>)
    2 | name: my experiment
      |       ^`},
	{name: "name a backslash", file: "kind: toy\nname: 'a\\b'\n", want: `bad.yaml:2: name: "a\\b" is not a file name: use letters, digits, '.', '_' and '-', starting with a letter or digit (it names the output folder, out/<name>)
    2 | name: 'a\b'
      |       ^`},
	{name: "plot named runs", file: "kind: toy\nsweep:\n  peers: [2, 3]\nplots:\n  - {name: runs, x: peers, y: time_s}\n", want: `bad.yaml:5: plots[0].name: "runs" is reserved: the campaign writes runs.csv and runs.jsonl itself (reserved: runs, summary, samples, series, manifest) (the plot writes <name>.png, .svg and .csv)
    5 |   - {name: runs, x: peers, y: time_s}
      |            ^`},
	{name: "plot named SUMMARY", file: "kind: toy\nsweep:\n  peers: [2, 3]\nplots:\n  - {name: SUMMARY, x: peers, y: time_s}\n", want: `bad.yaml:5: plots[0].name: "SUMMARY" is reserved: the campaign writes summary.csv itself (reserved: runs, summary, samples, series, manifest) (the plot writes <name>.png, .svg and .csv)
    5 |   - {name: SUMMARY, x: peers, y: time_s}
      |            ^`},
	{name: "plot named samples", file: "kind: toy\nsweep:\n  peers: [2, 3]\nplots:\n  - {name: samples, x: peers, y: time_s}\n", want: `bad.yaml:5: plots[0].name: "samples" is reserved: the campaign writes samples.csv itself (reserved: runs, summary, samples, series, manifest) (the plot writes <name>.png, .svg and .csv)
    5 |   - {name: samples, x: peers, y: time_s}
      |            ^`},
	{name: "plot named series", file: "kind: toy\nsweep:\n  peers: [2, 3]\nplots:\n  - {name: series, x: peers, y: time_s}\n", want: `bad.yaml:5: plots[0].name: "series" is reserved: the campaign writes series.csv itself (reserved: runs, summary, samples, series, manifest) (the plot writes <name>.png, .svg and .csv)
    5 |   - {name: series, x: peers, y: time_s}
      |            ^`},
	{name: "plot named manifest", file: "kind: toy\nsweep:\n  peers: [2, 3]\nplots:\n  - {name: manifest, x: peers, y: time_s}\n", want: `bad.yaml:5: plots[0].name: "manifest" is reserved: the campaign writes manifest.json itself (reserved: runs, summary, samples, series, manifest) (the plot writes <name>.png, .svg and .csv)
    5 |   - {name: manifest, x: peers, y: time_s}
      |            ^`},
	{name: "two plots of one name", file: "kind: toy\nsweep:\n  peers: [2, 3]\nplots:\n  - {name: time, x: peers, y: time_s}\n  - {name: time, x: peers, y: draw}\n", want: `bad.yaml:6: plots[1].name: "time" is also the name of plots[0]: the two would write the same files
    6 |   - {name: time, x: peers, y: draw}
      |            ^`},
	{name: "two plots whose names differ in case", file: "kind: toy\nsweep:\n  peers: [2, 3]\nplots:\n  - {name: time, x: peers, y: time_s}\n  - {name: Time, x: peers, y: draw}\n", want: `bad.yaml:6: plots[1].name: "Time" is also the name of plots[0]: the two would write the same files
    6 |   - {name: Time, x: peers, y: draw}
      |            ^`},
	{name: "plot named ../../x", file: "kind: toy\nsweep:\n  peers: [2, 3]\nplots:\n  - {name: ../../x, x: peers, y: time_s}\n", want: `bad.yaml:5: plots[0].name: "../../x" is not a file name: use letters, digits, '.', '_' and '-', starting with a letter or digit (the plot writes <name>.png, .svg and .csv)
    5 |   - {name: ../../x, x: peers, y: time_s}
      |            ^`},
	{name: "plot named empty", file: "kind: toy\nsweep:\n  peers: [2, 3]\nplots:\n  - {name: \"\", x: peers, y: time_s}\n", want: `bad.yaml:5: plots[0].name: empty: a name becomes a file or folder name (the plot writes <name>.png, .svg and .csv)
    5 |   - {name: "", x: peers, y: time_s}
      |            ^`},
	{name: "plot named with an accent", file: "kind: toy\nsweep:\n  peers: [2, 3]\nplots:\n  - {name: d\xc3\xa9bit, x: peers, y: time_s}\n", want: `bad.yaml:5: plots[0].name: "débit" is not a file name: use letters, digits, '.', '_' and '-', starting with a letter or digit (the plot writes <name>.png, .svg and .csv)
    5 |   - {name: débit, x: peers, y: time_s}
      |            ^`},
	{name: "no name and a file name that makes none", file: "kind: toy\n", filename: "my scenario.yaml", want: `my scenario.yaml: name: missing, and the file's name "my scenario.yaml" makes none: give the scenario a name:, which names its output folder`},
	{name: "binary garbage", file: "GEN_BINARY", want: `bad.yaml:1: control character U+007F: YAML allows none but tab, LF and CR
    1 | \x7fELF\x02\x01\x01\x00\x00\x00\xff\xfe\x03\x00>\x00`},
	{name: "invalid UTF-8 on line 3", file: "GEN_INVALID_UTF8", want: `bad.yaml:3: invalid UTF-8 (byte 0xe9): a scenario file is UTF-8 text
    3 |   tags: [caf\xe9]`},
	{name: "a NUL byte", file: "kind: toy\nname: a\x00b\n", want: `bad.yaml:2: a NUL byte: a scenario file is text, not binary
    2 | name: a\x00b`},
	{name: "a control character", file: "kind: toy\ndescription: bell \x07 here\n", want: `bad.yaml:2: control character U+0007: YAML allows none but tab, LF and CR
    2 | description: bell \a here`},
	{name: "a DEL character", file: "kind: toy\ndescription: x\x7f\n", want: `bad.yaml:2: control character U+007F: YAML allows none but tab, LF and CR
    2 | description: x\x7f`},
	{name: "a byte-order mark inside", file: "kind: toy\ndescription: \xef\xbb\xbfx\n", want: `bad.yaml:2: a byte-order mark inside the file: YAML allows one only at the start
    2 | description: \ufeffx`},
	{name: "a second YAML document", file: "kind: toy\n---\nkind: filedist\n", want: `bad.yaml:2: a second YAML document: a scenario file holds one (put each scenario in a file of its own)
    2 | ---`},
	{name: "a second, empty document", file: "kind: toy\n---\n", want: `bad.yaml:2: a second YAML document: a scenario file holds one (put each scenario in a file of its own)
    2 | ---`},
	{name: "a custom tag", file: "kind: toy\nparams:\n  peers: !include peers.yaml\n", want: `bad.yaml:3: params.peers: the YAML tag !include is not one netsim reads: write the plain value
    3 |   peers: !include peers.yaml
      |          ^`},
	{name: "a !!binary value", file: "kind: toy\ndescription: !!binary aGk=\n", want: `bad.yaml:2: description: the YAML tag !!binary is not one netsim reads: write the plain value
    2 | description: !!binary aGk=
      |              ^`},
	{name: "a !!timestamp seed", file: "kind: toy\nseed: !!timestamp 2001-12-14\n", want: `bad.yaml:2: seed: the YAML tag !!timestamp is not one netsim reads: write the plain value
    2 | seed: !!timestamp 2001-12-14
      |       ^`},
	{name: "a custom tag in a sweep list", file: "kind: toy\nsweep:\n  peers: [1, !big 2]\n", want: `bad.yaml:3: sweep.peers[1]: the YAML tag !big is not one netsim reads: write the plain value
    3 |   peers: [1, !big 2]
      |              ^`},
	{name: "duplicate sweep values", file: "kind: toy\nsweep:\n  peers: [1, 2, 1]\n", want: `bad.yaml:3: sweep.peers[2]: 1 is also sweep.peers[0]: a value swept twice would repeat its runs
    3 |   peers: [1, 2, 1]
      |                 ^`},
	{name: "duplicate sweep values in other spellings", file: "kind: toy\nsweep:\n  upload: [1Mbps, 1000kbps]\n", want: `bad.yaml:3: sweep.upload[1]: 1Mbps is also sweep.upload[0]: a value swept twice would repeat its runs
    3 |   upload: [1Mbps, 1000kbps]
      |                   ^`},
	{name: "duplicate float sweep values", file: "kind: toy\nsweep:\n  ratio: [0.5, 0.25, 0.50]\n", want: `bad.yaml:3: sweep.ratio[2]: 0.5 is also sweep.ratio[0]: a value swept twice would repeat its runs
    3 |   ratio: [0.5, 0.25, 0.50]
      |                      ^`},
	{name: "a sweep type error and its plot", file: "kind: toy\nsweep:\n  peers: [a, b]\nplots:\n  - {name: p, x: peers, y: time_s}\n", want: `bad.yaml:3: sweep.peers[0]: want an integer, got "a"
    3 |   peers: [a, b]
      |           ^
bad.yaml:3: sweep.peers[1]: want an integer, got "b"
    3 |   peers: [a, b]
      |              ^`},
	{name: "an empty sweep list and its plot", file: "kind: toy\nsweep:\n  peers: []\nplots:\n  - {name: p, x: peers, y: time_s, series: peers}\n", want: `bad.yaml:3: sweep.peers: empty list: sweep at least one value
    3 |   peers: []
      |          ^`},
	{name: "a file over 256 KiB", file: "GEN_LARGE", want: `bad.yaml: larger than 256 KiB, the most netsim reads as one file`},
	{name: "ten thousand bad values", file: "GEN_MANY_ERRORS", want: `bad.yaml:3: sweep.peers[0]: want an integer, got "x"
    3 |   peers: [x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x,...
      |           ^
bad.yaml:3: sweep.peers[1]: want an integer, got "x"
    3 |   peers: [x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x,...
      |              ^
bad.yaml:3: sweep.peers[2]: want an integer, got "x"
    3 |   peers: [x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x,...
      |                 ^
bad.yaml:3: sweep.peers[3]: want an integer, got "x"
    3 |   peers: [x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x,...
      |                    ^
bad.yaml:3: sweep.peers[4]: want an integer, got "x"
    3 |   peers: [x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x,...
      |                       ^
bad.yaml:3: sweep.peers[5]: want an integer, got "x"
    3 |   peers: [x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x,...
      |                          ^
bad.yaml:3: sweep.peers[6]: want an integer, got "x"
    3 |   peers: [x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x,...
      |                             ^
bad.yaml:3: sweep.peers[7]: want an integer, got "x"
    3 |   peers: [x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x,...
      |                                ^
bad.yaml:3: sweep.peers[8]: want an integer, got "x"
    3 |   peers: [x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x,...
      |                                   ^
bad.yaml:3: sweep.peers[9]: want an integer, got "x"
    3 |   peers: [x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x,...
      |                                      ^
bad.yaml:3: sweep.peers[10]: want an integer, got "x"
    3 |   peers: [x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x,...
      |                                         ^
bad.yaml:3: sweep.peers[11]: want an integer, got "x"
    3 |   peers: [x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x,...
      |                                            ^
bad.yaml:3: sweep.peers[12]: want an integer, got "x"
    3 |   peers: [x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x,...
      |                                               ^
bad.yaml:3: sweep.peers[13]: want an integer, got "x"
    3 |   peers: [x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x,...
      |                                                  ^
bad.yaml:3: sweep.peers[14]: want an integer, got "x"
    3 |   peers: [x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x,...
      |                                                     ^
bad.yaml:3: sweep.peers[15]: want an integer, got "x"
    3 |   peers: [x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x,...
      |                                                        ^
bad.yaml:3: sweep.peers[16]: want an integer, got "x"
    3 |   peers: [x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x,...
      |                                                           ^
bad.yaml:3: sweep.peers[17]: want an integer, got "x"
    3 | ... peers: [x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, ...
      |                                                                ^
bad.yaml:3: sweep.peers[18]: want an integer, got "x"
    3 | ...ers: [x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, ...
      |                                                                ^
bad.yaml:3: sweep.peers[19]: want an integer, got "x"
    3 | ...: [x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, ...
      |                                                                ^
bad.yaml: and 9980 more problems`},
	{name: "a long line with an error far along", file: "GEN_LONG_LINE", want: `bad.yaml:3: sweep.peers[5000]: want an integer, got "oops"
    3 | ...4991, 4992, 4993, 4994, 4995, 4996, 4997, 4998, 4999, 5000, oops]
      |                                                                ^`},
	{name: "an exponent of a million", file: "kind: toy\nparams:\n  upload: 1e1000000Mbps\n", want: `bad.yaml:3: params.upload: invalid rate "1e1000000Mbps": the exponent of "1e1000000" is beyond ±400
    3 |   upload: 1e1000000Mbps
      |           ^`},
	{name: "an exponent of a million in a frequency", file: "kind: toy\ntopology:\n  star: {hosts: [{name: server}, {name: peer, count: 2}]}\nschedule:\n  horizon: 1h\n  churn:\n    - {hosts: peer, rate: 1e1000000/s, lifetime: 10min}\n", want: `bad.yaml:7: schedule.churn[0].rate: invalid frequency "1e1000000/s": the exponent of "1e1000000" is beyond ±400
    7 |     - {hosts: peer, rate: 1e1000000/s, lifetime: 10min}
      |                           ^`},
	{name: "a frequency past float64", file: "kind: toy\ntopology:\n  star: {hosts: [{name: server}, {name: peer, count: 2}]}\nschedule:\n  horizon: 1h\n  churn:\n    - {hosts: peer, rate: 1e306/ms, lifetime: 10min}\n", want: `bad.yaml:7: schedule.churn[0].rate: invalid frequency "1e306/ms": too large
    7 |     - {hosts: peer, rate: 1e306/ms, lifetime: 10min}
      |                           ^`},
	{name: "lognormal sigma 50", file: "kind: toy\nparams:\n  think: {lognormal: {mean: 1s, sigma: 50}}\n", want: `bad.yaml:3: params.think.lognormal.sigma: must be at most 10 (beyond it, draws of e^(mu + sigma·Z) with the mean kept fall to 0 or overflow), got 50
    3 |   think: {lognormal: {mean: 1s, sigma: 50}}
      |                                        ^`},
	{name: "weibull shape 0.01", file: "kind: toy\nparams:\n  think: {weibull: {mean: 1s, shape: 0.01}}\n", want: `bad.yaml:3: params.think.weibull.shape: must be at least 0.1 (below it, Γ(1 + 1/shape) overflows and draws fall to 0), got 0.01
    3 |   think: {weibull: {mean: 1s, shape: 0.01}}
      |                                      ^`},
	{name: "an empty file", file: "", want: `bad.yaml: empty scenario: a file needs at least kind:, e.g. kind: filedist`},
	{name: "only a comment", file: "# nothing here\n", want: `bad.yaml: empty scenario: a file needs at least kind:, e.g. kind: filedist`},
	{name: "nesting 20000 deep", file: "GEN_DEEP", want: `bad.yaml:2: invalid YAML: exceeded max depth of 10000
    2 | tags: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[...`},
	{name: "star with a negative count", file: "kind: toy\ntopology:\n  star:\n    hosts:\n      - {name: server}\n      - {name: peer, count: -5}\n", want: `bad.yaml:6: topology.star.hosts[1].count: must not be negative, got -5
    6 |       - {name: peer, count: -5}
      |                             ^`},
	{name: "limits: hosts 0", file: "kind: toy\nlimits:\n  hosts: 0\n", want: `bad.yaml:3: limits.hosts: must be at least 1, got 0
    3 |   hosts: 0
      |          ^`},
	{name: "limits: an unknown key", file: "kind: toy\nlimits:\n  cpus: 4\n", want: `bad.yaml:3: limits.cpus: unknown key (known keys: runs, hosts, flows, requests, objects, schedule_events, sim_time, events, wall_time)
    3 |   cpus: 4
      |   ^`},
	{name: "limits: runs not a number", file: "kind: toy\nlimits:\n  runs: abc\n", want: `bad.yaml:3: limits.runs: want an integer, got "abc"
    3 |   runs: abc
      |         ^`},
	{name: "limits: sim_time without a unit", file: "kind: toy\nlimits:\n  sim_time: 5\n", want: `bad.yaml:3: limits.sim_time: invalid duration 5: missing unit: write e.g. 40ms
    3 |   sim_time: 5
      |             ^`},
	{name: "limits: events negative", file: "kind: toy\nlimits:\n  events: -1\n", want: `bad.yaml:3: limits.events: must not be negative, got -1
    3 |   events: -1
      |           ^`},
	{name: "limits: a list", file: "kind: toy\nlimits: [1]\n", want: `bad.yaml:2: limits: want a mapping of keys to values, got a list
    2 | limits: [1]
      |         ^`},
	{name: "limits: wall_time negative", file: "kind: toy\nlimits:\n  wall_time: -1s\n", want: `bad.yaml:3: limits.wall_time: invalid duration "-1s": must not be negative
    3 |   wall_time: -1s
      |              ^`},
	{name: "limits: runs as a float", file: "kind: toy\nlimits:\n  runs: 1e6\n", want: `bad.yaml:3: limits.runs: want an integer, got "1e6"
    3 |   runs: 1e6
      |         ^`},
}

// hostileText returns the text of a hostile file: its file, or for the cases too large
// or too odd to write inline (GEN_...), the text a generator makes.
func hostileText(file string) string {
	switch file {
	case "GEN_OVERFLOW":
		// Seven axes of 1000 distinct values: 10^21 points, past 2^63.
		var b strings.Builder
		b.WriteString("kind: toy\nsweep:\n")
		for _, ax := range []struct{ key, format string }{
			{"peers", "%d"}, {"upload", "%dkbps"}, {"file", "%dkB"}, {"delay", "%dms"},
			{"ratio", "0.%04d"}, {"server.upload", "%dMbps"}, {"server.slots", "%d"},
		} {
			fmt.Fprintf(&b, "  %s: [%s]\n", ax.key, values(ax.format, 1000))
		}
		return b.String()
	case "GEN_BILLION":
		return "kind: toy\nsweep:\n  peers: [" + values("%d", 1000) + "]\n  upload: [" + values("%dkbps", 1000) + "]\n  file: [" + values("%dkB", 1000) + "]\n"
	case "GEN_FIVE_MILLION":
		return "kind: toy\nsweep:\n  peers: [" + values("%d", 5_000_000) + "]\n"
	case "GEN_LARGE":
		return "kind: toy\ndescription: " + strings.Repeat("x", MaxFileBytes) + "\n"
	case "GEN_MANY_ERRORS":
		return "kind: toy\nsweep:\n  peers: [" + strings.TrimSuffix(strings.Repeat("x, ", 10000), ", ") + "]\n"
	case "GEN_LONG_LINE":
		return "kind: toy\nsweep:\n  peers: [" + values("%d", 5000) + ", oops]\n"
	case "GEN_BINARY":
		return "\x7fELF\x02\x01\x01\x00\x00\x00\xff\xfe\x03\x00>\x00"
	case "GEN_INVALID_UTF8":
		return "kind: toy\nparams:\n  tags: [caf\xe9]\n"
	case "GEN_DEEP":
		return "kind: toy\ntags: " + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + "\n"
	}
	if rest, ok := strings.CutSuffix(file, "GEN_SWEEP_PEERS\n"); ok {
		return rest + "sweep:\n  peers: [" + values("%d", 1000) + "]\n"
	}
	return file
}

// values is n values 1, 2, ..., n in format, comma-separated.
func values(format string, n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		if i > 1 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, format, i)
	}
	return b.String()
}

var printHostile = flag.String("print-hostile", "", "write every hostile file's message to this JSON file")

func TestHostileFiles(t *testing.T) {
	got := map[string]string{}
	for _, tc := range hostileFiles {
		t.Run(tc.name, func(t *testing.T) {
			filename := tc.filename
			if filename == "" {
				filename = "bad.yaml"
			}
			_, err := Parse(filename, []byte(hostileText(tc.file)))
			if err == nil {
				t.Fatal("no error")
			}
			got[tc.name] = err.Error()
			want := strings.ReplaceAll(tc.want, "KINDS", kindNames())
			if *printHostile == "" && err.Error() != want {
				t.Errorf("error:\n%s\nwant:\n%s", err, want)
			}
		})
	}
	if *printHostile != "" {
		data, _ := json.MarshalIndent(got, "", " ")
		os.WriteFile(*printHostile, data, 0o644)
	}
}

// hostileSets are --set arguments of the same classes, applied to setBase; TestBadSets
// checks them with badSets.
var hostileSets = []struct {
	name string
	args []string
	want string
}{
	{"replications 2^63-1", []string{"replications=9223372036854775807"}, `--set replications=9223372036854775807: replications: the campaign has more runs than netsim can count (over 2^63): 2 variants × 2 × 2 sweep values × 9223372036854775807 replications`},
	{"a name that leaves out/", []string{"name=../x"}, `--set name=../x: name: "../x" is not a file name: use letters, digits, '.', '_' and '-', starting with a letter or digit (it names the output folder, out/<name>)`},
	{"a reserved name", []string{"name=runs"}, `--set name=runs: name: "runs" is reserved: the campaign writes runs.csv and runs.jsonl itself (reserved: runs, summary, samples, series, manifest) (it names the output folder, out/<name>)`},
	{"a swept value twice", []string{"ratio=[0.5, 0.5]"}, `--set ratio=[0.5, 0.5]: ratio[1]: 0.5 is also ratio[0]: a value swept twice would repeat its runs`},
	{"a delay past the range", []string{"delay=30000d"}, `--set delay=30000d: delay: 4 × delay comes to 329 years, beyond the 146 years a run's virtual times may reach (int64 nanoseconds count 292 years, and half is kept so that two times add without overflow)`},
	{"a limit through --set", []string{"limits.runs=5"}, `--set limits.runs=5: limits.runs: limits are given with --limit key=value (or --max-runs N), which apply before the file is checked`},
	{"a custom tag", []string{"delay=!later 5s"}, `--set delay=!later 5s: delay: the YAML tag !later is not one netsim reads: write the plain value`},
	{"invalid YAML, said without a line", []string{"ratio=[0.1, 0.2"}, `--set ratio=[0.1, 0.2: ratio: invalid value: did not find expected ',' or ']'`},
	{"replications 0", []string{"replications=0"}, `--set replications=0: replications: must be at least 1, got 0`},
	{"a sweep too long for the runs limit", []string{"replications=20000"}, `--set replications=20000: replications: the campaign has 160000 runs (2 variants × 2 × 2 sweep values × 20000 replications), over limits.runs = 100000: raise it (--max-runs N, or limits: {runs: N} in the file) if the machine can hold them`},
}
