package kinds

import "netsim/scenarios"

// httpSizeHelp says how httpSize counts, for show-config.
const httpSizeHelp = `hosts: 2; requests: sessions × (objects + 1); flows: 4 × (objects + 1), a request,
a response and a connection's control segments for every object of a page, as a
pipelined load has them at once; the run's length: 2 × sessions ×
(objects + 1) × rtt (non-persistent, serial) + (sessions − 1) × session_gap +
idle_timeout + the page's bytes over download, upload and window / rtt (object sizes
at their mean).`

// httpSize is what one http run creates: one browser and one server, a request for
// the base file and each object in every session.
func httpSize(p *httpParams) scenarios.RunSize {
	sessions, objects := float64(p.Sessions), float64(p.Objects)
	key := "objects"
	if sessions > objects {
		key = "sessions"
	}
	requests := sessions * (objects + 1)
	pageBits := float64(p.BaseSize.Bits()) + objects*p.ObjectSize.Mean()
	spans := []scenarios.Span{
		{Keys: []string{"rtt", "objects", "sessions"}, Of: "2 × sessions × (objects + 1) × rtt", Seconds: 2 * requests * p.RTT.Seconds()},
		{Keys: []string{"session_gap", "sessions"}, Of: "(sessions − 1) × session_gap", Seconds: (sessions - 1) * p.SessionGap.Seconds()},
		{Keys: []string{"idle_timeout"}, Of: "idle_timeout", Seconds: p.IdleTimeout.Seconds()},
		{Keys: []string{"download", "object_size", "objects", "base_size", "sessions"}, Of: "sessions × the page's bits / download", Seconds: sessions * pageBits / p.Download.Bps()},
		{Keys: []string{"upload", "objects", "sessions"}, Of: "requests × 8 kbit / upload", Seconds: requests * 8e3 / p.Upload.Bps()},
	}
	if w := float64(p.Window.Bits()); w > 0 {
		spans = append(spans, scenarios.Span{Keys: []string{"window", "rtt", "object_size", "objects", "sessions"}, Of: "sessions × the page's bits × rtt / window", Seconds: sessions * pageBits * p.RTT.Seconds() / w})
	}
	return scenarios.RunSize{
		Hosts:    scenarios.Count{N: 2, Key: "objects", Of: "a browser and a server"},
		Requests: scenarios.Count{N: requests, Key: key, Of: "sessions × (objects + 1)"},
		Flows:    scenarios.Count{N: 4 * (objects + 1), Key: "objects", Of: "4 × (objects + 1), a pipelined page at once"},
		Spans:    spans,
	}
}
