package scenarios_test

import (
	. "netsim/scenarios"
	"netsim/scenarios/internal/testkinds"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestResolvedRoundTrip(t *testing.T) {
	s := mustParse(t, campaign)
	if err := s.Set("ratio=0.25"); err != nil {
		t.Fatal(err)
	}
	out, err := s.Resolved()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse("resolved.yaml", out)
	if err != nil {
		t.Fatalf("resolved file does not parse: %v\n%s", err, out)
	}
	if back.Kind != s.Kind || back.Name != s.Name || back.Seed != s.Seed || back.Replications != s.Replications {
		t.Errorf("top level differs:\n%s", out)
	}
	if !reflect.DeepEqual(back.Params, s.Params) {
		t.Errorf("params %+v, want %+v", back.Params, s.Params)
	}
	if !reflect.DeepEqual(back.Points(), s.Points()) {
		t.Error("sweep points differ")
	}
	if !reflect.DeepEqual(back.Plots, s.Plots) {
		t.Errorf("plots %+v, want %+v", back.Plots, s.Plots)
	}
	h1, _ := s.Hash()
	h2, _ := back.Hash()
	if h1 != h2 {
		t.Error("hash changed")
	}
	for _, want := range []string{
		"# number of peers, at least 1\n  peers: 20\n",
		"  # the server\n  server:\n    # server upload rate\n    upload: 10Mbps\n",
		"  ratio: 0.25\n",
		"  delay: 40ms\n",
		"  tags: []\n",
		"sweep:\n  upload: [1Mbps, 2Mbps]\n  file: [1Mbit, 4Mbit, 1MB]\n",
		"    only: {upload: 2Mbps}\n",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("resolved file lacks %q:\n%s", want, out)
		}
	}
}

func TestSet(t *testing.T) {
	s := mustParse(t, campaign)
	for _, arg := range []string{"seed=9", "replications=2", "name=other", "peers=30", "params.server.slots=3", "upload=5Mbps", "tags=[a, b]"} {
		if err := s.Set(arg); err != nil {
			t.Fatalf("Set(%q): %v", arg, err)
		}
	}
	p := s.Params.(*testkinds.ToyParams)
	if s.Seed != 9 || s.Replications != 2 || s.Name != "other" || p.Peers != 30 || p.Server.Slots != 3 ||
		!reflect.DeepEqual(p.Tags, []string{"a", "b"}) {
		t.Errorf("after Set: %+v %+v", s, p)
	}
	if len(s.Sweep[0].Values) != 1 || s.Sweep[0].Values[0] != any(testkinds.ToyParams{Upload: 5e6}.Upload) || s.NumPoints() != 3 {
		t.Errorf("upload sweep = %v", s.Sweep[0].Values)
	}
}

// A --set that replaces a sweep without the value a plot's only: keeps drops that plot,
// and says so, and keeps what is left of a list (found by FuzzSet: the resolved file
// named a value its sweep lacked, and did not parse).
func TestSetDropsAPlotItsSweepNoLongerHas(t *testing.T) {
	s := mustParse(t, campaign)
	require.NoError(t, s.Set("upload=5Mbps", "file=[1Mbit, 8Mbit]"))
	require.Len(t, s.Plots, 1)
	require.Equal(t, "time", s.Plots[0].Name)
	require.Equal(t, []string{"plot draws not drawn: it shows upload = 2Mbps, which --set took out of the sweep"}, s.DroppedPlots)
	out, err := s.Resolved()
	require.NoError(t, err)
	back, err := Parse("resolved.yaml", out)
	require.NoError(t, err)
	require.Len(t, back.Plots, 1)
}

func TestSetErrors(t *testing.T) {
	for _, tc := range []struct{ arg, want string }{
		{"bandwidth=3Mbps", "--set bandwidth=3Mbps: bandwidth: unknown key: want seed, replications, name, description or a parameter of kind toy (parameters: peers, upload, file, delay, ratio, tags, server.upload, server.slots, think, mode)"},
		{"peers=abc", `--set peers=abc: peers: want an integer, got "abc"`},
		{"upload=30Mbs", `--set upload=30Mbs: upload: invalid rate "30Mbs": unknown unit "Mbs": want bps, kbps, Mbps, Gbps or Tbps (or kbit/s, Mbit/s, ...)`},
		{"file=15", `--set file=15: file: invalid size 15: missing unit: write e.g. 15Gbit or 256KiB`},
		{"peers=0", "--set peers=0: peers: must be at least 1, got 0\n" +
			"test.yaml:5: params.server.slots: must be at most peers (0), got 4 (default)\n" +
			"    5 | params:\n" +
			"      | ^"},
		{"server.slots=99", "--set server.slots=99: server.slots: must be at most peers (20), got 99"},
		{"replications=0", "--set replications=0: replications: must be at least 1, got 0"},
		{"seed=-1", "--set seed=-1: seed: must not be negative, got -1"},
		{"peers", "--set peers: want key=value, e.g. --set peers=100"},
		{"server.nope=1", "--set server.nope=1: server.nope: unknown key: want seed, replications, name, description or a parameter of kind toy (parameters: peers, upload, file, delay, ratio, tags, server.upload, server.slots, think, mode)"},
	} {
		s := mustParse(t, campaign)
		before, _ := s.Resolved()
		err := s.Set(tc.arg)
		if err == nil || err.Error() != tc.want {
			t.Errorf("Set(%q) error:\n%v\nwant\n%s", tc.arg, err, tc.want)
		}
		if after, _ := s.Resolved(); string(after) != string(before) {
			t.Errorf("Set(%q) changed the scenario although it failed", tc.arg)
		}
	}
}

// A value set on the command line that a later Check rejects is blamed on the --set.
func TestSetThenCheckBlamesSet(t *testing.T) {
	s := mustParse(t, campaign)
	if err := s.Set("server.slots=20"); err != nil {
		t.Fatal(err)
	}
	err := s.Set("peers=10")
	if want := "--set server.slots=20: server.slots: must be at most peers (10), got 20"; err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
}
