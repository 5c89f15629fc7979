package kinds

import (
	"fmt"
	"math"

	"netsim/scenarios"
)

// httpSizeHelp says how httpSize counts, for show-config.
const httpSizeHelp = `hosts: 2; requests: sessions × (objects + 1); flows: 4 × (objects + 1), a request,
a response and a connection's control segments for every object of a page, as a
pipelined load has them at once, + 2 × the bulk transfers (each a connection's data
and control segments); the run's length: 2 × sessions × (objects + 1) × rtt
(non-persistent, serial) + (sessions − 1) × session_gap + idle_timeout + the page's
bytes over download, upload and window / rtt (object sizes at their mean) + the
latest bulk start + each bulk size over the slower of its sender's upload and its
receiver's download. On a file's topology: its hosts, its longest round trip as the
rtt, and the browser's and the bulk hosts' own rates.`

// httpSize is what one http run creates: one browser and one server, or the file's
// topology, a request for the base file and each object in every session, and the
// bulk transfers beside them.
func httpSize(p *httpParams, t *scenarios.Topology) scenarios.RunSize {
	sessions, objects := float64(p.Sessions), float64(p.Objects)
	key := "objects"
	if sessions > objects {
		key = "sessions"
	}
	// The platform's round trip and the rates each host sends and receives at: the
	// default star's (the server unconstrained), or the topology's.
	hosts := scenarios.Count{N: 2, Key: "objects", Of: "a browser and a server"}
	rttKey, rttOf, rtt := "rtt", "rtt", p.RTT.Seconds()
	downKey, downOf, upKey, upOf := "download", "download", "upload", "upload"
	rate := func(host string, out bool) float64 {
		switch {
		case host != p.BrowserHost:
			return math.Inf(1)
		case out:
			return p.Upload.Bps()
		}
		return p.Download.Bps()
	}
	if t != nil {
		hosts = scenarios.Count{N: float64(t.NumHosts()), Key: "topology", Of: "the topology's hosts"}
		rttKey, rttOf, rtt = "topology", "the topology's longest round trip", t.RoundTripBound()
		downKey, downOf, upKey, upOf = "topology", "the browser's download", "topology", "the browser's upload"
		ups, downs := t.Capacities(true), t.Capacities(false)
		rate = func(host string, out bool) float64 {
			if out {
				return ups[host]
			}
			return downs[host]
		}
	}
	requests := sessions * (objects + 1)
	pageBits := float64(p.BaseSize.Bits()) + objects*p.ObjectSize.Mean()
	spans := []scenarios.Span{
		{Keys: []string{rttKey, "objects", "sessions"}, Of: "2 × sessions × (objects + 1) × " + rttOf, Seconds: 2 * requests * rtt},
		{Keys: []string{"session_gap", "sessions"}, Of: "(sessions − 1) × session_gap", Seconds: (sessions - 1) * p.SessionGap.Seconds()},
		{Keys: []string{"idle_timeout"}, Of: "idle_timeout", Seconds: p.IdleTimeout.Seconds()},
		{Keys: []string{downKey, "object_size", "objects", "base_size", "sessions"}, Of: "sessions × the page's bits / " + downOf, Seconds: sessions * pageBits / rate(p.BrowserHost, false)},
		{Keys: []string{upKey, "objects", "sessions"}, Of: "requests × 8 kbit / " + upOf, Seconds: requests * 8e3 / rate(p.BrowserHost, true)},
	}
	if w := float64(p.Window.Bits()); w > 0 {
		spans = append(spans, scenarios.Span{Keys: []string{"window", rttKey, "object_size", "objects", "sessions"}, Of: "sessions × the page's bits × " + rttOf + " / window", Seconds: sessions * pageBits * rtt / w})
	}
	flows := scenarios.Count{N: 4 * (objects + 1), Key: "objects", Of: "4 × (objects + 1), a pipelined page at once"}
	if len(p.Bulk) > 0 {
		// Cross traffic (apps/bulk): a connection each, its data and its control
		// segments, all at once; the run lasts until the last is in, which is no later
		// than the latest start and then every transfer one after another, each at the
		// slower of its sender's upload and its receiver's download.
		bulk := float64(len(p.Bulk))
		flows.N += 2 * bulk
		flows.Of = "4 × (objects + 1), a pipelined page at once, + 2 × the bulk transfers"
		if 2*bulk > 4*(objects+1) {
			flows.Key = "bulk"
		}
		latest, sum, largest, largestS := 0, 0.0, 0, -1.0
		for i, b := range p.Bulk {
			if b.Start > p.Bulk[latest].Start {
				latest = i
			}
			s := float64(b.Size.Bits()) / min(rate(b.From, true), rate(b.To, false))
			sum += s
			if s > largestS {
				largest, largestS = i, s
			}
		}
		spans = append(spans,
			scenarios.Span{Keys: []string{fmt.Sprintf("bulk[%d].start", latest)}, Of: "the latest bulk start", Seconds: p.Bulk[latest].Start.Seconds()},
			scenarios.Span{Keys: []string{fmt.Sprintf("bulk[%d].size", largest)}, Of: "the sum of each bulk size over its hosts' slower rate", Seconds: sum})
	}
	return scenarios.RunSize{
		Hosts:    hosts,
		Requests: scenarios.Count{N: requests, Key: key, Of: "sessions × (objects + 1)"},
		Flows:    flows,
		Spans:    spans,
	}
}
