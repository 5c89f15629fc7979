// Package capturetest checks a simulation's pcap files with tshark, Wireshark's
// command-line dissector, as a student would open them: every frame decodes, every
// checksum is right, each TCP stream reassembles to exactly the bytes the model sent,
// and TCP's analysis finds no retransmission, reordering or loss in a loss-free run.
//
// A protocol's pcap test is one short function: run the kind with the capture's
// attach as its RunEnv.Attach (scenarios.NewPlatform hands it the stack), as
// scenarios/kinds/capture_test.go's captureOf does:
//
//	func TestPcapDNS(t *testing.T) {
//		c := capturetest.Run(t, []string{"client"}, func(attach capturetest.Attach) error {
//			_, err := kind.Run(ctx, params, scenarios.RunEnv{Seed: 1, Attach: attach})
//			return err
//		})
//		c.Check(t) // decodes, checksums, streams, analysis
//		names := c.Fields(t, "client", "dns.flags.response == 0", "dns.qry.name", "dns.qry.type")
//		require.Equal(t, [][]string{{"gaia.cs.umass.edu", "1"}}, names)
//	}
//
// tshark must be installed (Debian's tshark package; .ci/run installs it): a test
// fails without it, it never skips.
package capturetest

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"netsim/capture"
	"netsim/topology"
)

// Attach is what a run calls with its stack once the network is built and before
// anything runs: scenarios.RunEnv.Attach.
type Attach = func(*topology.Stack) error

// Capture is one run's capture, written as a pcap file per host.
type Capture struct {
	Recorder *capture.Recorder
	Files    map[string]string // host name -> pcap path
	st       *topology.Stack
	sent     []*topology.Transmission // every transmission, as the tap reported it
}

// tee hands each transmission to the recorder and keeps it for the checks.
type tee struct {
	rec  *capture.Recorder
	keep *[]*topology.Transmission
}

func (t tee) Transmitted(tr *topology.Transmission) {
	t.rec.Transmitted(tr)
	*t.keep = append(*t.keep, tr)
}

// Run runs sim, which builds a simulation, calls attach with its stack and runs it,
// capturing the hosts named; it writes their pcap files to a temporary folder.
func Run(t testing.TB, hosts []string, sim func(attach Attach) error) *Capture {
	return RunWith(t, hosts, capture.Options{}, sim)
}

// RunWith is Run with capture options.
func RunWith(t testing.TB, hosts []string, opts capture.Options, sim func(attach Attach) error) *Capture {
	t.Helper()
	c := &Capture{Files: map[string]string{}}
	attached := false
	err := sim(func(st *topology.Stack) error {
		rec, err := capture.New(st, hosts, opts)
		if err != nil {
			return err
		}
		ids := make([]topology.NodeID, len(hosts))
		for i, h := range hosts {
			ids[i], _ = st.Network().Node(h)
		}
		st.SetTap(tee{rec, &c.sent}, ids...)
		c.Recorder, c.st, attached = rec, st, true
		return nil
	})
	if err != nil {
		t.Fatalf("capturetest: the simulation failed: %v", err)
	}
	if !attached {
		t.Fatal("capturetest: the simulation never called attach with its stack")
	}
	dir := t.TempDir()
	for _, h := range hosts {
		path := filepath.Join(dir, h+".pcap")
		var buf bytes.Buffer
		if err := c.Recorder.WritePcap(&buf, h); err != nil {
			t.Fatalf("capturetest: %v", err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		c.Files[h] = path
	}
	return c
}

// IP returns host's IPv4 address, as its frames carry it (topology.NodeID.IPv4).
func (c *Capture) IP(t testing.TB, host string) string {
	t.Helper()
	id, ok := c.st.Network().Node(host)
	if !ok {
		t.Fatalf("capturetest: no host %s", host)
	}
	return id.IPv4().String()
}

// Transmissions returns what the tap reported, in order.
func (c *Capture) Transmissions() []*topology.Transmission { return c.sent }

// Check runs every check on every host's file: Decodes, Streams and Analysis.
func (c *Capture) Check(t testing.TB) {
	t.Helper()
	hosts := make([]string, 0, len(c.Files))
	for h := range c.Files {
		hosts = append(hosts, h)
	}
	slices.Sort(hosts)
	for _, h := range hosts {
		c.Decodes(t, h)
		c.Streams(t, h)
		c.Analysis(t, h)
	}
}

// Tshark runs tshark with args and returns its standard output, failing the test if
// tshark is missing or fails.
func Tshark(t testing.TB, args ...string) string {
	t.Helper()
	path, err := exec.LookPath("tshark")
	if err != nil {
		t.Fatalf("capturetest: tshark is not installed (apt-get install tshark; .ci/run does): %v", err)
	}
	cmd := exec.Command(path, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("capturetest: tshark %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

// Fields returns, for each frame of host's file that matches the display filter,
// the values of the fields named (tshark -T fields), one row per frame.
func (c *Capture) Fields(t testing.TB, host, filter string, fields ...string) [][]string {
	t.Helper()
	args := []string{"-r", c.file(t, host), "-n", "-T", "fields", "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=,"}
	if filter != "" {
		args = append(args, "-Y", filter)
	}
	for _, f := range fields {
		args = append(args, "-e", f)
	}
	var rows [][]string
	for line := range strings.SplitSeq(strings.TrimRight(Tshark(t, args...), "\n"), "\n") {
		if line == "" && len(fields) > 1 {
			continue
		}
		rows = append(rows, strings.Split(line, "|"))
	}
	if len(rows) == 1 && len(rows[0]) == 1 && rows[0][0] == "" {
		return nil
	}
	return rows
}

func (c *Capture) file(t testing.TB, host string) string {
	t.Helper()
	f, ok := c.Files[host]
	if !ok {
		t.Fatalf("capturetest: no capture of %s", host)
	}
	return f
}

// checksums are the options that make tshark verify every checksum it can.
var checksums = []string{"-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE"}

// Wireshark's expert levels (epan/proto.h: PI_WARN, and PI_MALFORMED's group).
const (
	severityWarn   = 0x00600000
	groupMalformed = 0x07000000
)

// Decodes checks that tshark decodes every frame of host's file: no malformed packet,
// and every IPv4, TCP and UDP checksum verified good (a UDP datagram's once its
// fragments are reassembled). It returns the number of frames.
//
// A body that a model only counts is filler (topology.Encoder): where its media type
// has a dissector (image/jpeg), Wireshark notes that the body did not decode as one
// ("HTTP body subdissector failed", a Note of its Malformed group) and shows it as
// bytes. That note is allowed; a malformation of warning level or above is not.
func (c *Capture) Decodes(t testing.TB, host string) int {
	t.Helper()
	args := append([]string{"-r", c.file(t, host), "-n", "-T", "fields", "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=,",
		"-e", "frame.number", "-e", "_ws.expert.group", "-e", "_ws.expert.severity", "-e", "ip.checksum.status",
		"-e", "tcp.checksum.status", "-e", "udp.checksum.status", "-e", "ip.flags.mf", "-e", "ip.frag_offset"}, checksums...)
	frames := 0
	for line := range strings.SplitSeq(strings.TrimRight(Tshark(t, args...), "\n"), "\n") {
		f := strings.Split(line, "|")
		if len(f) != 8 {
			t.Fatalf("capturetest: %s: unexpected tshark line %q", host, line)
		}
		frames++
		fragment := f[6] == "1" || (f[7] != "" && f[7] != "0")
		switch {
		case malformed(f[1], f[2]):
			t.Errorf("%s: frame %s is malformed (expert groups %s, severities %s)", host, f[0], f[1], f[2])
		case f[3] != "1":
			t.Errorf("%s: frame %s: IPv4 checksum status %q, want 1 (good)", host, f[0], f[3])
		case f[4] == "" && f[5] == "" && !fragment:
			t.Errorf("%s: frame %s is neither TCP nor UDP", host, f[0])
		case f[4] != "" && f[4] != "1":
			t.Errorf("%s: frame %s: TCP checksum status %q, want 1 (good)", host, f[0], f[4])
		case f[5] != "" && f[5] != "1":
			t.Errorf("%s: frame %s: UDP checksum status %q, want 1 (good)", host, f[0], f[5])
		}
	}
	if frames == 0 {
		t.Errorf("%s: no frames", host)
	}
	return frames
}

// malformed reports an expert finding of the Malformed group at warning level or
// above, from tshark's aggregated lists of groups and severities.
func malformed(groups, severities string) bool {
	if groups == "" {
		return false
	}
	gs, ss := strings.Split(groups, ","), strings.Split(severities, ",")
	for i, g := range gs {
		var gv, sv int
		fmt.Sscan(g, &gv)
		if i < len(ss) {
			fmt.Sscan(ss[i], &sv)
		}
		if gv == groupMalformed && (sv >= severityWarn || i >= len(ss)) {
			return true
		}
	}
	return false
}

// analysisFlags are TCP analysis's findings that a loss-free run must not have.
var analysisFlags = []string{
	"tcp.analysis.retransmission", "tcp.analysis.fast_retransmission", "tcp.analysis.spurious_retransmission",
	"tcp.analysis.out_of_order", "tcp.analysis.lost_segment", "tcp.analysis.ack_lost_segment",
	"tcp.analysis.duplicate_ack", "tcp.analysis.reused_ports", "tcp.analysis.zero_window",
}

// Analysis checks that tshark's TCP analysis (sequence numbers, acknowledgements)
// flags no retransmission, out-of-order or lost segment, and no unseen segment
// acknowledged, in host's file.
func (c *Capture) Analysis(t testing.TB, host string) {
	t.Helper()
	rows := c.Fields(t, host, strings.Join(analysisFlags, " || "), "frame.number", "tcp.analysis.flags")
	for _, r := range rows {
		t.Errorf("%s: frame %s: TCP analysis flags it: %v", host, r[0], r)
	}
}

// Streams checks that tshark reassembles each TCP connection of host's file, both
// ways, to exactly the bytes the model sent on it: each message's encoding and filler
// for the rest of its size (tshark -z follow,tcp,raw). It returns how many bytes it
// compared.
func (c *Capture) Streams(t testing.TB, host string) int64 {
	t.Helper()
	id, ok := c.st.Network().Node(host)
	if !ok {
		t.Fatalf("capturetest: no host %s", host)
	}
	// What the model sent on each connection of host, by connection, both ways.
	type stream struct {
		client, server topology.Addr
		bytes          [2][]byte // 0: from the end that sent the SYN
	}
	var streams []*stream
	byConn := map[topology.ConnID]*stream{}
	for _, tr := range c.sent {
		if tr.Kind == topology.TapDatagram || (tr.From.Node != id && tr.To.Node != id) {
			continue
		}
		s, ok := byConn[tr.Conn]
		if !ok {
			s = &stream{client: tr.From, server: tr.To}
			byConn[tr.Conn] = s
			streams = append(streams, s)
		}
		if tr.Kind != topology.TapData {
			continue
		}
		dir := 0
		if tr.From != s.client {
			dir = 1
		}
		whole := modelBytes(tr.Message)
		s.bytes[dir] = append(s.bytes[dir], whole[tr.Offset:tr.Offset+tr.Bytes]...)
	}
	// Each of tshark's streams is matched to the model's connection by its first
	// frame's addresses, from the end that sent the SYN; a 4-tuple used again later
	// matches the model's connections in order.
	key := func(a, b string) string { return a + ">" + b }
	byKey := map[string][]*stream{}
	for _, s := range streams {
		k := key(fmt.Sprintf("%s:%d", s.client.Node.IPv4(), s.client.Port), fmt.Sprintf("%s:%d", s.server.Node.IPv4(), s.server.Port))
		byKey[k] = append(byKey[k], s)
	}
	matched := map[int]*stream{}
	var order []int
	for _, r := range c.Fields(t, host, "tcp", "tcp.stream", "ip.src", "tcp.srcport", "ip.dst", "tcp.dstport") {
		var n int
		if _, err := fmt.Sscan(r[0], &n); err != nil {
			t.Fatalf("capturetest: tcp.stream %q: %v", r[0], err)
		}
		if _, ok := matched[n]; ok {
			continue
		}
		k := key(r[1]+":"+r[2], r[3]+":"+r[4])
		if len(byKey[k]) == 0 {
			t.Fatalf("%s: tshark's stream %d (%s) matches no connection the model opened", host, n, k)
		}
		matched[n] = byKey[k][0]
		byKey[k] = byKey[k][1:]
		order = append(order, n)
	}
	if len(order) != len(streams) {
		t.Fatalf("%s: tshark sees %d TCP streams, the model opened %d", host, len(order), len(streams))
	}
	args := []string{"-r", c.file(t, host), "-n", "-q"}
	for _, n := range order {
		args = append(args, "-z", fmt.Sprintf("follow,tcp,raw,%d", n))
	}
	got := parseFollow(t, Tshark(t, args...))
	var compared int64
	for _, n := range order {
		s := matched[n]
		g, ok := got[n]
		if !ok {
			t.Fatalf("%s: tshark did not follow stream %d", host, n)
		}
		for dir := range 2 {
			if !bytes.Equal(g[dir], s.bytes[dir]) {
				t.Errorf("%s: stream %d (%s:%d > %s:%d), direction %d: tshark reassembles %d bytes, the model sent %d; first difference at byte %d",
					host, n, s.client.Node.IPv4(), s.client.Port, s.server.Node.IPv4(), s.server.Port, dir,
					len(g[dir]), len(s.bytes[dir]), firstDiff(g[dir], s.bytes[dir]))
			}
			compared += int64(len(s.bytes[dir]))
		}
	}
	return compared
}

// modelBytes is a message as the model sent it: its payload's encoding, then filler
// to its size (topology.Encoder).
func modelBytes(m topology.Message) []byte {
	var head []byte
	switch p := m.Payload.(type) {
	case topology.Encoder:
		head = p.Encode()
	case []byte:
		head = p
	case string:
		head = []byte(p)
	}
	return append(slices.Clip(head), capture.Filler(m.SizeBytes-int64(len(head)))...)
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// parseFollow reads tshark's follow,tcp,raw reports, by stream number: the bytes from
// node 0 (the first frame's sender: lines without indent) and from node 1 (indented).
func parseFollow(t testing.TB, out string) map[int][2][]byte {
	t.Helper()
	streams := map[int][2][]byte{}
	cur := -1
	for line := range strings.SplitSeq(out, "\n") {
		switch {
		case strings.HasPrefix(line, "Filter: tcp.stream eq "):
			if _, err := fmt.Sscan(strings.TrimPrefix(line, "Filter: tcp.stream eq "), &cur); err != nil {
				t.Fatalf("capturetest: follow output %q: %v", line, err)
			}
			streams[cur] = [2][]byte{}
		case strings.HasPrefix(line, "====="), strings.HasPrefix(line, "Follow:"), strings.HasPrefix(line, "Node "), line == "":
		case cur < 0:
		default:
			dir := 0
			if strings.HasPrefix(line, "\t") {
				dir = 1
			}
			b, err := hex.DecodeString(strings.TrimSpace(line))
			if err != nil {
				t.Fatalf("capturetest: follow output %q: %v", line, err)
			}
			s := streams[cur]
			s[dir] = append(s[dir], b...)
			streams[cur] = s
		}
	}
	return streams
}
