package kinds

import (
	"errors"
	"fmt"

	"netsim/apps/ftp"
	"netsim/apps/http"
	"netsim/scenarios"
	"netsim/scenarios/units"
	"netsim/sim"
	"netsim/topology"
)

// ftp: a client fetches K files from a server, over FTP (RFC 959: a control
// connection for the session, a new data connection for every file, active or
// passive) or over HTTP (one GET per file, non-persistent, persistent or pipelined):
// the chapter's question of what FTP's per-file data connections cost against one
// persistent HTTP connection (Kurose & Ross §2.2.2, §2.3 of earlier editions).
type ftpParams struct {
	Protocol string         `yaml:"protocol" default:"ftp-passive" oneof:"ftp-active ftp-passive http-nonpersistent http-persistent http-pipelined" help:"FTP with active (PORT) or passive (PASV) data connections, or HTTP/1.1 GETs non-persistent, persistent or pipelined"`
	Files    int            `yaml:"files" default:"5" range:"[1,10000]" help:"K, the files fetched, one after another"`
	FileSize units.Size     `yaml:"file_size" default:"10kB" help:"each file's size"`
	RTT      units.Duration `yaml:"rtt" platform:"" default:"100ms" range:"(0,)" help:"round-trip propagation time between client and server"`
	Rate     units.Rate     `yaml:"rate" platform:"" default:"1Gbps" range:"(0,)" help:"the client's access link, each way"`
}

// ftpRun is what the client measured.
type ftpRun struct {
	start, done  sim.Time // the first dial; the last file whole
	conns        int      // TCP connections opened, control and data
	overhead     int64    // bytes that are not the files': commands, replies, HTTP headers
	files, bytes int64    // files received whole and their bytes
	rtt          sim.Time
}

func (r *ftpRun) seconds() float64 { return (r.done - r.start).Seconds() }

var _ = scenarios.Register(scenarios.Decl[ftpParams, ftpRun]{
	Name:     "ftp",
	Summary:  "K files over FTP (a data connection each, RFC 959) or HTTP non-persistent, persistent and pipelined",
	Boot:     bootFTP,
	Topology: true,
	Platform: (*ftpParams).platform,
	Deploy:   (*ftpParams).deploy,
	Metrics: []scenarios.Reading[ftpRun]{
		scenarios.Scalar("transfer_s", "s", "time from the client's first dial to the last file received whole (FTP: login included, QUIT not)", (*ftpRun).seconds),
		scenarios.Scalar("transfer_rtts", "RTT", "transfer_s in round-trip times client-server", func(r *ftpRun) float64 { return float64(r.done-r.start) / float64(r.rtt) }),
		scenarios.Scalar("conns_opened", "", "TCP connections opened: FTP's control connection and one per file, or HTTP's", func(r *ftpRun) float64 { return float64(r.conns) }),
		scenarios.Scalar("files", "", "files received whole", func(r *ftpRun) float64 { return float64(r.files) }),
		scenarios.Scalar("overhead_bytes", "B", "bytes that are not the files' own: FTP's commands and replies, HTTP's request and response headers", func(r *ftpRun) float64 { return float64(r.overhead) }),
	},
	Theory: []scenarios.TheoryOf[ftpParams]{
		{Name: "rtt_formula", Label: "RTT formula", Metric: "transfer_s", Value: func(p *ftpParams) (float64, error) {
			return float64(ftpRTTs(p.Protocol, p.Files)) * p.RTT.Seconds(), nil
		}},
	},
})

// ftpRTTs is the RTTs to fetch k small files: FTP's ftp.SessionRTTs (2 to connect
// and be greeted, 2 to log in, 3 per file), or HTTP's (Kurose & Ross §2.2.2):
// non-persistent 2 per file, persistent 1 per file after the handshake's, pipelined
// the handshake's and one for all.
func ftpRTTs(protocol string, k int) int {
	switch protocol {
	case "http-nonpersistent":
		return 2 * k
	case "http-persistent":
		return 1 + k
	case "http-pipelined":
		return 2
	}
	return ftp.SessionRTTs(k, false)
}

func (p *ftpParams) platform(*scenarios.RunEnv) *scenarios.Topology {
	quarter := p.RTT / 4
	return &scenarios.Topology{Star: &scenarios.StarTopology{Hosts: []scenarios.StarHost{
		{Name: "client", Upload: p.Rate, Download: p.Rate, Delay: quarter},
		{Name: "server", Upload: scenarios.Unconstrained, Download: scenarios.Unconstrained, Delay: p.RTT/2 - quarter},
	}}}
}

func (p *ftpParams) deploy(t *scenarios.Topology) (scenarios.Deployment, error) {
	return scenarios.Deployment{{Host: "client", Role: "client"}, {Host: "server", Role: "server"}}, nil
}

func bootFTP(p *ftpParams, pl *scenarios.Platform) (func() (ftpRun, error), error) {
	size := p.FileSize.Bytes()
	names := make([]string, p.Files)
	for i := range names {
		names[i] = fmt.Sprintf("file%d.bin", i+1)
	}
	server := topology.Addr{Node: pl.Node("server")}
	var r ftpRun
	var finish func() error
	if p.Protocol == "ftp-active" || p.Protocol == "ftp-passive" {
		fs := ftp.NewFS()
		for _, n := range names {
			fs.Put("/"+n, size)
		}
		pl.Boot("server", func(h topology.Host) error {
			_, err := ftp.NewServer(h, ftp.ServerConfig{Users: map[string]string{"alice": "wonderland"}, FS: fs}, nil)
			return err
		})
		server.Port = ftp.ControlPort
		var s ftp.Session
		pl.Boot("client", ftp.Client(ftp.ClientConfig{Server: server, User: "alice", Password: "wonderland",
			Passive: p.Protocol == "ftp-passive", Get: names, ServerName: "server"}, &s))
		finish = func() error {
			if s.Err != nil {
				return s.Err
			}
			r.start, r.done = s.Start, s.FilesDone
			r.conns = s.ControlConns + s.DataConns
			r.overhead = s.ControlBytes
			for _, x := range s.Transfers {
				if x.Reply == 226 {
					r.files++
					r.bytes += x.Bytes
				}
			}
			return nil
		}
	} else {
		objs := map[string]http.Object{}
		for _, n := range names {
			objs["/"+n] = http.Object{SizeBytes: size, ContentType: "application/octet-stream"}
		}
		pl.Boot("server", func(h topology.Host) error {
			_, err := http.NewServer(h, http.ServerConfig{Objects: objs})
			return err
		})
		server.Port = http.DefaultPort
		var xs []http.Exchange
		pl.Boot("client", func(h topology.Host) error {
			cl := http.NewClient(h, http.ClientConfig{NonPersistent: p.Protocol == "http-nonpersistent", Pipelining: p.Protocol == "http-pipelined"})
			r.start = h.Now()
			get := func(i int, then func()) {
				req := &http.Request{Method: http.MethodGet, Target: "/" + names[i], Version: http.Version11, Host: "server"}
				cl.Do(server, req, func(x http.Exchange) { xs = append(xs, x); then() })
			}
			if p.Protocol == "http-pipelined" {
				for i := range names {
					get(i, func() {})
				}
				return nil
			}
			var next func(i int)
			next = func(i int) {
				if i < len(names) {
					get(i, func() { next(i + 1) })
				}
			}
			next(0)
			return nil
		})
		finish = func() error {
			for _, x := range xs {
				if x.Err != nil {
					return x.Err
				}
				if x.NewConn {
					r.conns++
				}
				if x.Resp.Status == http.StatusOK {
					r.files++
					r.bytes += x.Resp.BodyBytes
				}
				r.overhead += x.ReqBytes + x.RespBytes - x.Resp.BodyBytes
				r.done = max(r.done, x.Done)
			}
			return nil
		}
	}
	return func() (ftpRun, error) {
		if err := finish(); err != nil {
			return ftpRun{}, fmt.Errorf("ftp: %w", err)
		}
		if r.files != int64(p.Files) || r.bytes != int64(p.Files)*size {
			return ftpRun{}, errors.New("ftp: not every file arrived whole")
		}
		var err error
		r.rtt, err = pl.Network.RTT(pl.Node("client"), pl.Node("server"))
		return r, err
	}, nil
}
