package kinds

import (
	"math"

	"netsim/scenarios"
	"netsim/scenarios/units"
)

// filedistSizeHelp says how filedistSize counts, for show-config.
const filedistSizeHelp = `hosts: peers + 1; flows: 2 × peers client-server, peers² + 3 × peers P2P (every peer
relays its part to every other); requests: peers; the run's length: 20 × delay (five
round trips) + peers × file / server_upload + file / the slowest peer_download, the
client-server time, which P2P never exceeds (drawn rates at their least, or their mean
where a distribution has no least but 0). On a file's topology: its hosts, its hosts
named peer<i> as the peers, 5 × its longest round trip, and the server's and peers'
own rates.`

// filedistSize is what one filedist run creates: the star of peers + 1 hosts, or the
// file's topology, and the flows of the scheme in filedist.PlanScheme.
func filedistSize(p *filedistParams, t *scenarios.Topology) scenarios.RunSize {
	n, key := float64(p.Peers), "peers"
	fileBits := float64(p.File.Bits())
	hosts := scenarios.Count{N: n + 1, Key: "peers", Of: "peers + 1, the server"}
	spans := []scenarios.Span{
		{Keys: []string{"delay"}, Of: "20 × delay (five round trips)", Seconds: 20 * p.Delay.Seconds()},
		{Keys: []string{"server_upload", "file", "peers"}, Of: "peers × file / server_upload", Seconds: n * fileBits / p.ServerUpload.Bps()},
		{Keys: []string{"peer_download", "download_spread", "file"}, Of: "file / the slowest peer_download", Seconds: fileBits / slowest(p.PeerDownload, p.DownloadSpread)},
	}
	if t != nil {
		// The peers are the topology's hosts peer<i> (deployFiledist), each announcing
		// its own links' rates; the server plans with its upload.
		peers, down := t.Group("peer"), t.Capacities(false)
		n, key = float64(len(peers)), "topology"
		hosts = scenarios.Count{N: float64(t.NumHosts()), Key: key, Of: "the topology's hosts"}
		least := math.Inf(1)
		for _, h := range peers {
			least = min(least, down[h])
		}
		spans = []scenarios.Span{
			{Keys: []string{key}, Of: "5 × the topology's longest round trip", Seconds: 5 * t.RoundTripBound()},
			{Keys: []string{key, "file"}, Of: "peers × file / the server's upload", Seconds: n * fileBits / t.Capacities(true)["server"]},
			{Keys: []string{key, "file"}, Of: "file / the slowest peer's download", Seconds: fileBits / least},
		}
	}
	flows := scenarios.Count{N: 2 * n, Key: key, Of: "2 × peers, a request and a copy of the file each"}
	if p.Mode == "p2p" {
		flows = scenarios.Count{N: n*n + 3*n, Key: key, Of: "peers² + 3 × peers: every peer relays its part to every other"}
	}
	return scenarios.RunSize{
		Hosts:    hosts,
		Flows:    flows,
		Requests: scenarios.Count{N: n, Key: key, Of: "a request or hello from each peer"},
		Spans:    spans,
	}
}

// slowest is the least rate a peer gets: the mean less the spread for a constant, the
// least a distribution can draw, or, for one that can draw down to 0, its mean.
func slowest(r scenarios.Random[units.Rate], spread float64) float64 {
	if mean, ok := r.Const(); ok {
		return mean.Bps() * (1 - spread)
	}
	if least := r.Least(); least > 0 {
		return least
	}
	return r.Mean()
}
