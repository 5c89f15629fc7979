package kinds

import "netsim/scenarios"

// webcacheSizeHelp says how webcacheSize counts, for show-config.
const webcacheSizeHelp = `hosts: browsers + origins + 1 (the cache); requests: requests; flows: 4 × requests
(browser to cache to origin and back); the run's length: requests / rate + requests ×
object_size over access_rate and over lan_rate (every object across each, as in an
overload) + internet_delay + 4 × (lan_delay + access_delay).`

// webcacheSize is what one webcache run creates: the institution's hosts and, for
// each request, its messages to the cache and on to an origin.
func webcacheSize(p *webcacheParams) scenarios.RunSize {
	hostsKey := "browsers"
	if p.Origins > p.Browsers {
		hostsKey = "origins"
	}
	requests := float64(p.Requests)
	bits := requests * float64(p.ObjectSize.Bits())
	return scenarios.RunSize{
		Hosts:    scenarios.Count{N: float64(p.Browsers) + float64(p.Origins) + 1, Key: hostsKey, Of: "browsers + origins + 1, the cache"},
		Requests: scenarios.Count{N: requests, Key: "requests", Of: "requests"},
		Flows:    scenarios.Count{N: 4 * requests, Key: "requests", Of: "4 × requests"},
		Spans: []scenarios.Span{
			{Keys: []string{"rate", "requests"}, Of: "requests / rate", Seconds: requests / p.Rate},
			{Keys: []string{"access_rate", "object_size", "requests"}, Of: "requests × object_size / access_rate", Seconds: bits / p.AccessRate.Bps()},
			{Keys: []string{"lan_rate", "object_size", "requests"}, Of: "requests × object_size / lan_rate", Seconds: bits / p.LANRate.Bps()},
			{Keys: []string{"internet_delay"}, Of: "internet_delay", Seconds: p.InternetDelay.Seconds()},
			{Keys: []string{"access_delay"}, Of: "4 × access_delay", Seconds: 4 * p.AccessDelay.Seconds()},
			{Keys: []string{"lan_delay"}, Of: "4 × lan_delay", Seconds: 4 * p.LANDelay.Seconds()},
		},
	}
}
