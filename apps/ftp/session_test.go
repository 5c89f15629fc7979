package ftp

import (
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/apps/transcript"
	"netsim/sim"
	"netsim/topology"
)

var update = flag.Bool("update", false, "rewrite the golden transcripts under testdata/")

// Host names of the test star.
const (
	clientHost = "client"
	serverHost = "ftp.someschool.edu"
)

// net2 is an FTP client and server on a two-host access-link star with unconstrained
// links (transmission takes no time), the RTT split evenly.
type net2 struct {
	k              *sim.Kernel
	stack          *topology.Stack
	client, server topology.Host
	rtt            sim.Time
}

func newNet(t *testing.T, rtt sim.Time) net2 {
	t.Helper()
	k := sim.NewKernel()
	inf := math.Inf(1)
	n, err := topology.BuildStar(k, []topology.StarHost{
		{Name: clientHost, UploadBps: inf, DownloadBps: inf, Delay: rtt / 4},
		{Name: serverHost, UploadBps: inf, DownloadBps: inf, Delay: rtt / 4},
	})
	require.NoError(t, err)
	st := topology.NewStack(n, sim.NewStreams(1))
	c, _ := st.HostNamed(clientHost)
	s, _ := st.HostNamed(serverHost)
	return net2{k, st, c, s, rtt}
}

// testFS is the server's tree: /pub with two files and a directory.
func testFS() *FS {
	fs := NewFS()
	fs.Put("/pub/ketchup.txt", 1000)
	fs.Put("/pub/pickles.gif", 25000)
	fs.Mkdir("/pub/old")
	return fs
}

func (n net2) session(t *testing.T, cfg ClientConfig, scfg ServerConfig) (*Session, ServerStats) {
	t.Helper()
	if scfg.Users == nil {
		scfg.Users = map[string]string{"alice": "wonderland"}
	}
	if scfg.FS == nil {
		scfg.FS = testFS()
	}
	srv, err := NewServer(n.server, scfg, nil)
	require.NoError(t, err)
	cfg.Server = topology.Addr{Node: n.server.Node(), Port: ControlPort}
	cfg.ServerName = serverHost
	if cfg.User == "" {
		cfg.User, cfg.Password = "alice", "wonderland"
	}
	res := &Session{}
	require.NoError(t, Client(cfg, res)(n.client))
	n.k.Run()
	require.Equal(t, 0, n.stack.Live().ConnEnds, "every connection closed both ways")
	return res, srv.Stats()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, string(want), got, "golden %s (go test -update to rewrite)", path)
}

// Kurose & Ross §2.3: the control connection stays open for the session, and each
// file, and the listing, goes on a new data connection that the server opens (active
// mode) and closes after it. One LIST and two RETRs: 1 control + 2 + 1 data
// connections, and the session's lines byte for byte (golden). With RTT = 100 ms
// and no transmission time, each step takes the RTTs SessionRTTs counts: logged in
// after 4, the CWD after 5, each transfer 3 more, the 221 one after the last.
func TestGoldenSessionOneListTwoRetrs(t *testing.T) {
	for _, c := range []struct {
		file    string
		passive bool
	}{{"session-active.txt", false}, {"session-passive.txt", true}} {
		t.Run(c.file, func(t *testing.T) {
			n := newNet(t, 100*sim.Millisecond)
			var tr transcript.Recorder
			res, stats := n.session(t, ClientConfig{Passive: c.passive, Dir: "pub", List: true,
				Get: []string{"ketchup.txt", "pickles.gif"}, Trace: &tr}, ServerConfig{})
			require.NoError(t, res.Err)
			golden(t, c.file, tr.String())

			require.Equal(t, 1+2+1, tr.Conns(), "1 control + k + 1 data connections")
			require.Equal(t, 1, res.ControlConns)
			require.Equal(t, 3, res.DataConns)
			require.Equal(t, int64(3), stats.DataConns)
			require.Equal(t, int64(1), stats.Sessions)
			rtt := n.rtt
			require.Equal(t, 4*rtt, res.LoggedIn-res.Start)
			require.Equal(t, sim.Time(SessionRTTs(3, true))*rtt, res.FilesDone-res.Start)
			require.Equal(t, res.FilesDone+rtt, res.Done)
			require.Len(t, res.Transfers, 3)
			for _, x := range res.Transfers {
				require.Equal(t, 226, x.Reply)
				require.Equal(t, 3*rtt, x.Done-x.Start, "%s %s", x.Verb, x.Name)
			}
			listing := testFS().Listing("/pub")
			require.Equal(t, listing, res.Listing)
			require.Equal(t, []int64{int64(len(listing)), 1000, 25000},
				[]int64{res.Transfers[0].Bytes, res.Transfers[1].Bytes, res.Transfers[2].Bytes})
			require.Equal(t, int64(len(listing))+26000, res.DataBytes)
			// Commands: USER, PASS, CWD, then PORT or PASV and the transfer's own, three
			// times, and QUIT; replies: those and the greeting, and a 150 and a 226 each.
			require.Equal(t, 3+2*3+1, res.Commands)
			require.Equal(t, 1+3+3*3+1, res.Replies)
		})
	}
}

// The session time against the number of files K, in both modes: (4 + 3(K + 1)) RTT
// for a LIST and K RETRs, exactly, whatever the RTT.
func TestSessionTimeIsTheRTTFormula(t *testing.T) {
	for _, passive := range []bool{false, true} {
		for _, k := range []int{0, 1, 5, 20} {
			for _, rtt := range []sim.Time{10 * sim.Millisecond, 123456788} {
				n := newNet(t, rtt)
				fs := NewFS()
				var get []string
				for i := range k {
					name := string(rune('a'+i%26)) + strings.Repeat("x", i/26) + ".bin"
					fs.Put("/"+name, int64(1000*(i+1)))
					get = append(get, name)
				}
				res, _ := n.session(t, ClientConfig{Passive: passive, List: true, Get: get}, ServerConfig{FS: fs})
				require.NoError(t, res.Err)
				require.Equal(t, sim.Time(SessionRTTs(k+1, false))*rtt, res.FilesDone-res.Start, "K=%d passive=%v", k, passive)
				require.Equal(t, 1+k+1, 1+res.DataConns)
			}
		}
	}
}

// STOR puts a file in the user's current directory; one that would pass the server's
// quota is aborted with 452 (the texts' "Error writing file") and not stored; a RETR
// of a missing file gets 550 and opens no data connection, and the session goes on.
func TestStorQuotaAndMissingFile(t *testing.T) {
	n := newNet(t, 10*sim.Millisecond)
	fs := testFS()
	res, stats := n.session(t, ClientConfig{Passive: true, Dir: "/pub/old", Get: []string{"nothing.txt"},
		Put: []File{{"small.txt", 500}, {"big.iso", 100_000}}}, ServerConfig{FS: fs, QuotaBytes: 30_000})
	require.NoError(t, res.Err)
	require.Len(t, res.Transfers, 3)
	require.Equal(t, []int{550, 226, 452}, []int{res.Transfers[0].Reply, res.Transfers[1].Reply, res.Transfers[2].Reply})
	size, ok := fs.Size("/pub/old/small.txt")
	require.True(t, ok)
	require.Equal(t, int64(500), size)
	_, ok = fs.Size("/pub/old/big.iso")
	require.False(t, ok)
	require.Equal(t, int64(1), stats.ByCode[550])
	require.Equal(t, int64(1), stats.ByCode[452])
	require.NotZero(t, res.Done, "the session quit normally")
}

// RFC 959's bad input: a wrong password gets 530 and the session ends there.
func TestWrongPassword(t *testing.T) {
	n := newNet(t, 10*sim.Millisecond)
	res, stats := n.session(t, ClientConfig{User: "alice", Password: "rabbit", List: true}, ServerConfig{})
	require.ErrorIs(t, res.Err, ErrUnexpectedReply)
	require.EqualError(t, res.Err, "unexpected reply: 530 Login incorrect.")
	require.Equal(t, int64(1), stats.ByCode[530])
	require.Equal(t, 0, res.DataConns)
}
