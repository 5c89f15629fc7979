package kinds

import (
	"netsim/scenarios"
)

// webcacheSizeHelp says how webcacheSize counts, for show-config.
const webcacheSizeHelp = `hosts: browsers + origins + 1 (the cache); requests: requests; flows: 4 × the
requests in flight (browser to cache to origin and back): rate × a request's latency,
and, when the arrivals' bits outpace access_rate, the share of all requests that
queues; objects: the catalogue (catalogue, or
hot_objects) × (origins + 1); the run's length: requests / rate + requests ×
object_size over access_rate and over lan_rate (every object across each, as in an
overload) + internet_delay + 4 × (lan_delay + access_delay). On a file's topology: its
hosts, its servers<j> as the origins, the link named access, host0's own rate as the
LAN's, and 2 × its longest round trip.`

// inFlight estimates the most requests a run has in flight at once: those a Poisson
// stream of rate keeps under way for a request's latency (Little's law), and, when the
// arrivals' bits outpace the access link (the cache's hits left out, as if none), the
// share 1 − access_rate/(rate × object_size) of all requests, which queue.
// A request's latency is its round trips (delay seconds) and an object's time across
// the access link and the LAN.
func inFlight(p *webcacheParams, delay, accessBps, lanBps float64) float64 {
	bits := float64(p.ObjectSize.Bits())
	latency := delay + bits/accessBps + bits/lanBps
	queued := 0.0
	if offered := p.Rate * bits; offered > accessBps {
		queued = float64(p.Requests) * (1 - accessBps/offered)
	}
	return min(float64(p.Requests), p.Rate*latency+queued)
}

// webcacheSize is what one webcache run creates: the institution's hosts and, for
// each request, its messages to the cache and on to an origin.
func webcacheSize(p *webcacheParams, t *scenarios.Topology) scenarios.RunSize {
	if t != nil {
		return webcacheTopologySize(p, t)
	}
	hostsKey := "browsers"
	if p.Origins > p.Browsers {
		hostsKey = "origins"
	}
	requests := float64(p.Requests)
	catalogueKey := "hot_objects"
	if p.Workload == "zipf" {
		catalogueKey = "catalogue"
	}
	bits := requests * float64(p.ObjectSize.Bits())
	return scenarios.RunSize{
		Hosts:    scenarios.Count{N: float64(p.Browsers) + float64(p.Origins) + 1, Key: hostsKey, Of: "browsers + origins + 1, the cache"},
		Requests: scenarios.Count{N: requests, Key: "requests", Of: "requests"},
		Flows: scenarios.Count{N: 4 * inFlight(p, p.InternetDelay.Seconds()+4*(p.LANDelay.Seconds()+p.AccessDelay.Seconds()), p.AccessRate.Bps(), p.LANRate.Bps()),
			Key: "requests", Of: "4 × the requests in flight"},
		Objects: scenarios.Count{N: float64(p.catalogue()) * (float64(p.Origins) + 1), Key: catalogueKey, Of: catalogueKey + " × (origins + 1): each origin's table of the catalogue, and the cache's names"},
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

// webcacheTopologySize is webcacheSize on the file's topology: its origins are the
// hosts server<j> (deployWebcache), the access link is the link named access, the
// cache's own link stands for the LAN, and a request's round trips, browser to cache
// to origin and back, are at most twice the topology's longest.
func webcacheTopologySize(p *webcacheParams, t *scenarios.Topology) scenarios.RunSize {
	const key = "topology"
	origins := float64(len(t.Group("server")))
	access := t.LinkCapacity("access")
	lan := min(t.Capacities(true)["host0"], t.Capacities(false)["host0"])
	delay := 2 * t.RoundTripBound()
	requests, catalogue := float64(p.Requests), float64(p.catalogue())
	catalogueKey := "hot_objects"
	if p.Workload == "zipf" {
		catalogueKey = "catalogue"
	}
	objectsKey := catalogueKey
	if origins+1 > catalogue {
		objectsKey = key
	}
	bits := requests * float64(p.ObjectSize.Bits())
	return scenarios.RunSize{
		Hosts:    scenarios.Count{N: float64(t.NumHosts()), Key: key, Of: "the topology's hosts"},
		Requests: scenarios.Count{N: requests, Key: "requests", Of: "requests"},
		Flows:    scenarios.Count{N: 4 * inFlight(p, delay, access, lan), Key: "requests", Of: "4 × the requests in flight"},
		Objects:  scenarios.Count{N: catalogue * (origins + 1), Key: objectsKey, Of: catalogueKey + " × (origins + 1): each origin's table of the catalogue, and the cache's names"},
		Spans: []scenarios.Span{
			{Keys: []string{"rate", "requests"}, Of: "requests / rate", Seconds: requests / p.Rate},
			{Keys: []string{key, "object_size", "requests"}, Of: "requests × object_size / the access link's rate", Seconds: bits / access},
			{Keys: []string{key, "object_size", "requests"}, Of: "requests × object_size / host0's rate", Seconds: bits / lan},
			{Keys: []string{key}, Of: "2 × the topology's longest round trip", Seconds: delay},
		},
	}
}
