package kinds

import (
	"errors"
	"fmt"
	"math"

	"netsim/apps/echo"
	"netsim/scenarios"
	"netsim/scenarios/units"
	"netsim/sim"
	"netsim/topology"
)

// echo: the texts' first socket programs (Kurose & Ross §2.7): a client sends lines
// one at a time to the upper-casing server, over UDP (one datagram each way: 1 RTT;
// a lost one leaves the client waiting for its timeout) or over TCP (a connection per
// line: the handshake's RTT, then the line's). The client's access link may drop
// datagrams.
type echoParams struct {
	Protocol string         `yaml:"protocol" default:"udp" oneof:"udp tcp" help:"UDPClient/UDPServer or TCPClient/TCPServer"`
	Lines    int            `yaml:"lines" default:"100" range:"[1,100000]" help:"lines the client sends, one after another"`
	Line     string         `yaml:"line" default:"hello from the client" help:"the line sent (7-bit text)"`
	Timeout  units.Duration `yaml:"timeout" default:"1s" range:"(0,)" help:"UDP: how long the client waits for an answer; it must exceed the RTT"`
	RTT      units.Duration `yaml:"rtt" platform:"" default:"100ms" range:"(0,)" help:"round-trip propagation time between client and server"`
	Rate     units.Rate     `yaml:"rate" platform:"" default:"1Gbps" range:"(0,)" help:"the client's access link, each way"`
	Loss     float64        `yaml:"loss" platform:"" range:"[0,1)" help:"probability that the client's access link drops a datagram, each way"`
}

// echoRun is what the client measured, and the RTT along the routes.
type echoRun struct {
	res echo.Result
	rtt sim.Time
}

func (r *echoRun) meanRTT() float64 {
	xs := r.res.Answered()
	if len(xs) == 0 {
		return math.NaN()
	}
	var sum sim.Time
	for _, x := range xs {
		sum += x.RTT()
	}
	return (sum / sim.Time(len(xs))).Seconds()
}

var _ = scenarios.Register(scenarios.Decl[echoParams, echoRun]{
	Name:     "echo",
	Summary:  "the texts' UDP and TCP upper-casing client and server: round trips and lost replies (K&R §2.7)",
	Boot:     bootEcho,
	Check:    (*echoParams).check,
	Topology: true,
	Platform: (*echoParams).platform,
	Deploy:   (*echoParams).deploy,
	Metrics: []scenarios.Reading[echoRun]{
		scenarios.Scalar("rtt_s", "s", "time from socket (UDP) or connect (TCP) to the answer, mean over the answered lines; empty if none was", (*echoRun).meanRTT).Optional(),
		scenarios.Scalar("rtt_rtts", "RTT", "rtt_s in round-trip times client-server", func(r *echoRun) float64 { return r.meanRTT() / r.rtt.Seconds() }).Optional(),
		scenarios.Scalar("answered", "", "lines answered", func(r *echoRun) float64 { return float64(len(r.res.Answered())) }),
		scenarios.Scalar("lost_fraction", "", "share of the lines that got no answer (UDP: within the timeout)", func(r *echoRun) float64 {
			return float64(r.res.Lost()) / float64(len(r.res.Exchanges))
		}),
	},
	Theory: []scenarios.TheoryOf[echoParams]{
		{Name: "rtt_formula", Label: "RTT formula", Metric: "rtt_s", Value: func(p *echoParams) (float64, error) {
			if p.Protocol == "tcp" {
				return echo.TCPTime(p.RTT.Time()).Seconds(), nil
			}
			return echo.UDPTime(p.RTT.Time()).Seconds(), nil
		}},
		{Name: "loss_formula", Label: "1 − (1 − p)²", Metric: "lost_fraction", Value: func(p *echoParams) (float64, error) {
			if p.Protocol == "tcp" {
				return 0, nil // TCP delivers (the fluid model loses no segment)
			}
			return echo.LostFraction(p.Loss, 2), nil // the line's crossing and the answer's
		}},
	},
})

func (p *echoParams) check() error {
	var errs []error
	for i := 0; i < len(p.Line); i++ {
		if p.Line[i] < 0x20 || p.Line[i] > 0x7e {
			errs = append(errs, scenarios.Errorf("line", "must be printable ASCII"))
			break
		}
	}
	if p.Line == "" {
		errs = append(errs, scenarios.Errorf("line", "must not be empty"))
	}
	if p.Protocol == "udp" && p.Timeout <= p.RTT {
		errs = append(errs, scenarios.Errorf("timeout", "%v must exceed the rtt, %v: a late answer would be taken for the next line's", p.Timeout, p.RTT))
	}
	return errors.Join(errs...)
}

// platform is the client a quarter of the RTT from the core on its access link, and
// the server, unconstrained, the rest of the way.
func (p *echoParams) platform(*scenarios.RunEnv) *scenarios.Topology {
	quarter := p.RTT / 4
	return &scenarios.Topology{Star: &scenarios.StarTopology{Hosts: []scenarios.StarHost{
		{Name: "client", Upload: p.Rate, Download: p.Rate, Delay: quarter},
		{Name: "server", Upload: scenarios.Unconstrained, Download: scenarios.Unconstrained, Delay: p.RTT/2 - quarter},
	}}}
}

func (p *echoParams) deploy(t *scenarios.Topology) (scenarios.Deployment, error) {
	return scenarios.Deployment{{Host: "client", Role: "client"}, {Host: "server", Role: "server"}}, nil
}

func bootEcho(p *echoParams, pl *scenarios.Platform) (func() (echoRun, error), error) {
	if p.Loss > 0 {
		for _, l := range pl.Links("client") {
			pl.Network.SetLinkLoss(l, p.Loss)
		}
	}
	var r echoRun
	server, client := echo.UDPServer, echo.UDPClient
	if p.Protocol == "tcp" {
		server, client = echo.TCPServer, echo.TCPClient
	}
	pl.Boot("server", server(echo.DefaultPort, nil))
	lines := make([]string, p.Lines)
	for i := range lines {
		lines[i] = p.Line
	}
	pl.Boot("client", client(echo.ClientConfig{Server: topology.Addr{Node: pl.Node("server"), Port: echo.DefaultPort},
		Lines: lines, Timeout: p.Timeout.Time(), ServerName: "server"}, &r.res))
	return func() (echoRun, error) {
		if len(r.res.Exchanges) != p.Lines {
			return echoRun{}, fmt.Errorf("echo: %d of %d exchanges ended", len(r.res.Exchanges), p.Lines)
		}
		var err error
		r.rtt, err = pl.Network.RTT(pl.Node("client"), pl.Node("server"))
		return r, err
	}, nil
}
