package dns

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"

	"netsim/topology"
	"netsim/topology/hosttest"
)

// fakeNet plays the network between several programs, each on a fake host of
// topology/hosttest, for scripts that show a resolution message by message: every
// datagram a program sends waits in a queue until the script delivers it (or withholds
// it), and each is printed with its hosts, ports, size and decoded content. The local
// server's host is the script's own (hosttest.Host.Run), so its timers print and
// `advance` moves its clock; the others' clocks stand still, which is all a script
// of one resolution needs.
type fakeNet struct {
	t     *testing.T
	main  *hosttest.Host
	hosts map[string]*fakeHost
	names []string // by node
	queue []datagram
	sent  int
}

type datagram struct {
	from, to topology.Addr
	m        topology.Message
}

// fakeHost is one program's host: a hosttest.Host for the clock, timers and random
// stream, with UDP sockets of the fakeNet.
type fakeHost struct {
	*hosttest.Host
	net   *fakeNet
	id    topology.NodeID
	socks map[int]func(topology.Addr, topology.Message)
	port  int
}

func (f *fakeHost) Node() topology.NodeID { return f.id }

func (f *fakeHost) BindUDP(port int, recv func(topology.Addr, topology.Message)) (topology.UDPSocket, error) {
	if port == 0 {
		f.port++
		port = 49151 + f.port
	}
	if f.socks[port] != nil {
		return nil, topology.ErrPortInUse
	}
	f.socks[port] = recv
	return &fakeSock{f: f, port: port}, nil
}

type fakeSock struct {
	f    *fakeHost
	port int
}

func (s *fakeSock) Local() topology.Addr { return topology.Addr{Node: s.f.id, Port: s.port} }
func (s *fakeSock) Close() error         { delete(s.f.socks, s.port); return nil }
func (s *fakeSock) SendTo(to topology.Addr, m topology.Message) error {
	s.f.net.queue = append(s.f.net.queue, datagram{s.Local(), to, m})
	return nil
}

func newFakeNet(t *testing.T, local string) *fakeNet {
	n := &fakeNet{t: t, hosts: map[string]*fakeHost{}}
	n.main = hosttest.New(trimDot(local), 1)
	n.add(local)
	return n
}

// add makes the host called name, node len(names).
func (n *fakeNet) add(name string) *fakeHost {
	if h := n.hosts[name]; h != nil {
		return h
	}
	h := &fakeHost{net: n, id: topology.NodeID(len(n.names)), socks: map[int]func(topology.Addr, topology.Message){}}
	if len(n.names) == 0 {
		h.Host = n.main
	} else {
		h.Host = hosttest.New(trimDot(name), uint64(len(n.names))+1)
	}
	n.hosts[name] = h
	n.names = append(n.names, name)
	return h
}

func (n *fakeNet) addr(a topology.Addr) string {
	return fmt.Sprintf("%s:%d", trimDot(n.names[a.Node]), a.Port)
}

// print shows one datagram as the texts' figures number them.
func (n *fakeNet) print(d datagram, verb string) {
	text := fmt.Sprintf("(%d B)", d.m.SizeBytes)
	if m, err := Parse(payload(d.m)); m != nil {
		text += " " + strings.ReplaceAll(m.Text(), "\n", "\n   ")
		if err != nil {
			text += "\n    (" + err.Error() + ")"
		}
	}
	n.main.Printf("%s %s → %s %s", verb, n.addr(d.from), n.addr(d.to), text)
}

// deliver delivers queued datagrams in the order they were sent, and those their
// delivery makes, until none is left or `withhold` says to keep one back.
func (n *fakeNet) deliver(withhold func(datagram) bool) {
	for len(n.queue) > 0 {
		d := n.queue[0]
		n.queue = n.queue[1:]
		if withhold != nil && withhold(d) {
			n.print(d, "lost")
			withhold = nil
			continue
		}
		n.sent++
		n.print(d, fmt.Sprintf("%d", n.sent))
		dst := n.hosts[n.names[d.to.Node]]
		if recv := dst.socks[d.to.Port]; recv != nil {
			recv(d.from, d.m)
		} else {
			n.main.Printf("   (nothing bound to %s)", n.addr(d.to))
		}
	}
}

// textbookScript runs a script of the texts' example on a fakeNet: `start` lays the
// name space and boots every program, `resolve` asks the client's stub, `deliver`
// carries the messages, `deliver withhold=SUFFIX` loses the first datagram to a host whose name ends so, and
// `stats` prints the local server's counts.
func textbookScript(t *testing.T, path string) {
	n := newFakeNet(t, TextbookLocal)
	var local *Resolver
	var stub *Stub
	servers := map[string]*Server{}
	n.main.Handle("start", func(d *datadriven.TestData) string {
		intermediate, recursive := d.HasArg("intermediate"), d.HasArg("recursive")
		ns := TextbookNamespace(intermediate, 86400, RR{Type: TypeA, Addr: AddrOfNode(2)}, RR{Type: TypeA, Addr: AddrOfNode(3)})
		for _, h := range append(append([]string{}, worldHosts...), ns.Servers()...) {
			n.add(h)
		}
		zones, err := ns.Build(func(s string) (RR, bool) {
			h, ok := n.hosts[s]
			if !ok {
				return RR{}, false
			}
			return RR{Type: TypeA, Addr: AddrOfNode(h.id)}, true
		})
		if err != nil {
			return err.Error()
		}
		retry := DefaultResolverRetry()
		for _, s := range ns.Servers() {
			srv, err := StartServer(n.hosts[s], ServerConfig{Zones: zones[s], Recursive: recursive, Retry: retry})
			if err != nil {
				return err.Error()
			}
			servers[s] = srv
		}
		var roots []topology.NodeID
		for _, r := range ns.Zones[0].Servers {
			roots = append(roots, n.hosts[r].id)
		}
		if local, err = StartResolver(n.hosts[TextbookLocal], ResolverConfig{Roots: roots, Recursive: recursive}); err != nil {
			return err.Error()
		}
		if stub, err = NewStub(n.hosts[TextbookClient], StubConfig{Servers: []topology.NodeID{n.hosts[TextbookLocal].id}}); err != nil {
			return err.Error()
		}
		return ""
	})
	n.main.Handle("resolve", func(d *datadriven.TestData) string {
		var name string
		d.ScanArgs(t, "name", &name)
		stub.Lookup(Question{Name: name, Type: TypeA}, func(r Result) {
			if r.Err != nil {
				n.main.Printf("%s: %v", r.Question, r.Err)
				return
			}
			n.main.Printf("%s: %s, %d records: %v", r.Question, rcodeName(r.RCode), len(r.Answer), r.Addrs())
		})
		return ""
	})
	n.main.Handle("deliver", func(d *datadriven.TestData) string {
		var keep func(datagram) bool
		if d.HasArg("withhold") {
			var to string
			d.ScanArgs(t, "withhold", &to)
			keep = func(g datagram) bool { return strings.HasSuffix(trimDot(n.names[g.to.Node]), to) }
		}
		n.deliver(keep)
		return ""
	})
	n.main.Handle("stats", func(d *datadriven.TestData) string {
		s, x := local.Stats(), local.Exchange()
		return fmt.Sprintf("messages delivered %d\nlocal: queries %d, hits %d, resolutions %d, referrals %d, servfail %d\nlocal upstream: sent %d, retries %d, timeouts %d, failures %d",
			n.sent, s.Queries, s.Hits, s.Resolutions, s.Referrals, s.ServFail, x.Sent, x.Retries, x.Timeouts, x.Failures)
	})
	n.main.Run(t, path)
}

// The texts' figures of §2.5.2 as golden transcripts: cis.poly.edu resolves
// gaia.cs.umass.edu through its local server dns.poly.edu with empty caches,
// iteratively (8 messages), with the intermediate server dns.umass.edu delegating
// cs.umass.edu to dns.cs.umass.edu (10), and recursively (8); then again with the
// answer cached (2). Each message is shown with its size, the length of its RFC 1035
// encoding. Regenerate with -rewrite.
func TestTextbookTranscripts(t *testing.T) {
	for _, f := range []string{"iterative", "intermediate", "recursive", "loss"} {
		t.Run(f, func(t *testing.T) { textbookScript(t, "testdata/"+f+".txt") })
	}
}
