package kinds

import (
	"netsim/scenarios"
	"netsim/scenarios/units"
)

// filedistSizeHelp says how filedistSize counts, for show-config.
const filedistSizeHelp = `hosts: peers + 1; flows: 2 × peers client-server, peers² + 3 × peers P2P (every peer
relays its part to every other); requests: peers; the run's length: 20 × delay (five
round trips) + peers × file / server_upload + file / the slowest peer_download, the
client-server time, which P2P never exceeds (drawn rates at their least, or their mean
where a distribution has no least but 0).`

// filedistSize is what one filedist run creates: the star of peers + 1 hosts, and the
// flows of the scheme in filedist.PlanScheme.
func filedistSize(p *filedistParams) scenarios.RunSize {
	n := float64(p.Peers)
	flows := scenarios.Count{N: 2 * n, Key: "peers", Of: "2 × peers, a request and a copy of the file each"}
	if p.Mode == "p2p" {
		flows = scenarios.Count{N: n*n + 3*n, Key: "peers", Of: "peers² + 3 × peers: every peer relays its part to every other"}
	}
	fileBits := float64(p.File.Bits())
	return scenarios.RunSize{
		Hosts:    scenarios.Count{N: n + 1, Key: "peers", Of: "peers + 1, the server"},
		Flows:    flows,
		Requests: scenarios.Count{N: n, Key: "peers", Of: "a request or hello from each peer"},
		Spans: []scenarios.Span{
			{Keys: []string{"delay"}, Of: "20 × delay (five round trips)", Seconds: 20 * p.Delay.Seconds()},
			{Keys: []string{"server_upload", "file", "peers"}, Of: "peers × file / server_upload", Seconds: n * fileBits / p.ServerUpload.Bps()},
			{Keys: []string{"peer_download", "download_spread", "file"}, Of: "file / the slowest peer_download", Seconds: fileBits / slowest(p.PeerDownload, p.DownloadSpread)},
		},
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
