package main

import (
	"strings"
	"testing"
)

// Kurose & Ross, section 2.5, and its homework problem P22: F = 15 Gbit, us = 30 Mbps,
// d = 2 Mbps. With N = 100 and u = 700 kbps (netsim bounds -h's example):
//
//	D_cs  = max{N·F/us, F/d_min} = max{100·15e9/30e6, 15e9/2e6} = max{50000, 7500} = 50000 s
//	D_P2P = max{F/us, F/d_min, N·F/(us+Σu)} = max{500, 7500, 1.5e12/(30e6+70e6)} = 15000 s
//
// and, not P22's, with d = 10 Mbps, N = 10, u = 2 Mbps:
//
//	D_cs  = max{10·15e9/30e6, 15e9/10e6} = max{5000, 1500} = 5000 s
//	D_P2P = max{500, 1500, 150e9/(30e6+20e6)} = 3000 s
func TestBounds(t *testing.T) {
	tests := []struct {
		args []string
		want []string // lines of stdout, each a prefix
	}{
		{
			[]string{"-F", "15Gbit", "--us", "30Mbps", "--u", "700kbps", "--d", "2Mbps", "-N", "100"},
			[]string{"F = 15Gbit, us = 30Mbps, N = 100, u = 700kbps, d = 2Mbps", "",
				"D_cs  >= 50000 s (13h53m20s), dominated by ", "D_P2P >= 15000 s (4h10m0s), dominated by "},
		},
		{
			[]string{"-F", "15Gbit", "--us", "30Mbps", "--u", "2Mbps", "--d", "10Mbps", "-N", "10"},
			[]string{"F = 15Gbit, us = 30Mbps, N = 10, u = 2Mbps, d = 10Mbps", "",
				"D_cs  >= 5000 s (1h23m20s), dominated by ", "D_P2P >= 3000 s (50m0s), dominated by "},
		},
		{
			// Slow downloads: F/d_min dominates both. 15e9/1e6 = 15000 s.
			[]string{"-F", "15Gbit", "--us", "30Mbps", "--u", "700kbps", "--d", "1Mbps", "-N", "2"},
			[]string{"F = 15Gbit, us = 30Mbps, N = 2, u = 700kbps, d = 1Mbps", "",
				"D_cs  >= 15000 s (4h10m0s), dominated by ", "D_P2P >= 15000 s (4h10m0s), dominated by "},
		},
		{
			// One peer per flag: d_min = 5 Mbps, Σu = 3 Mbps. D_cs = max{3·8e9/10e6, 8e9/5e6} =
			// max{2400, 1600}; D_P2P = max{800, 1600, 24e9/13e6 = 1846.153…}.
			[]string{"-N", "3", "-F", "1GB", "--us", "10Mbps", "--d", "5Mbps", "--d", "20Mbps", "--d", "8Mbps",
				"--u", "1Mbps", "--u", "0bps", "--u", "2Mbps"},
			[]string{"F = 1GB, us = 10Mbps, N = 3, u_min = 0bps, sum of u = 3Mbps, d_min = 5Mbps, sum of d = 33Mbps", "",
				"D_cs  >= 2400 s (40m0s), dominated by ", "D_P2P >= 1846.154 s (30m46.154s), dominated by "},
		},
		{
			// Without --u, only D_cs.
			[]string{"-F", "15Gbit", "--us", "30Mbps", "--d", "10Mbps", "-N", "10"},
			[]string{"F = 15Gbit, us = 30Mbps, N = 10, d = 10Mbps", "",
				"D_cs  >= 5000 s (1h23m20s), dominated by ", "D_P2P: give the peers' upload rates with --u"},
		},
	}
	for _, tt := range tests {
		code, stdout, stderr := exec(t, backend{}, append([]string{"bounds"}, tt.args...)...)
		lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
		ok := code == 0 && stderr == "" && len(lines) == len(tt.want)
		for i := 0; ok && i < len(lines); i++ {
			ok = strings.HasPrefix(lines[i], tt.want[i]) && (tt.want[i] != "" || lines[i] == "")
		}
		if !ok {
			t.Errorf("netsim bounds %s: exit %d, stderr %q, stdout:\n%s\nwant lines starting:\n%s",
				strings.Join(tt.args, " "), code, stderr, stdout, strings.Join(tt.want, "\n"))
		}
	}
}

func TestBoundsErrors(t *testing.T) {
	base := []string{"bounds", "-F", "15Gbit", "--us", "30Mbps", "--d", "10Mbps", "-N", "10"}
	tests := []struct {
		args   []string
		stderr string
	}{
		{[]string{"bounds", "--us", "30Mbps", "--d", "10Mbps", "-N", "10"}, "netsim: bounds: -F is required\n"},
		{append(base[:len(base):len(base)], "-N", "0"), "netsim: bounds: -N: want at least 1 peer, got 0\n"},
		{append(base[:len(base):len(base)], "-N", "1000000000000"), "netsim: bounds: -N: at most 10000000 peers, got 1000000000000 (the bounds are computed peer by peer, 16 bytes each)\n"},
		{[]string{"bounds", "-F", "15Gb", "--us", "30Mbps", "--d", "10Mbps", "-N", "10"},
			`netsim: bounds: -F: invalid size "15Gb": ambiguous unit "Gb": write Gbit for bits or GB for bytes` + "\n"},
		{[]string{"bounds", "-F", "15Gbit", "--us", "0Mbps", "--d", "10Mbps", "-N", "10"},
			"netsim: bounds: --us: the server's upload rate must be positive, got 0Mbps\n"},
		{append(base[:len(base):len(base)], "--u", "1Mbps", "--u", "2Mbps"),
			"netsim: bounds: --u: got 2 rates for N = 10 peers; give one, for every peer, or 10\n"},
		{append(base[:len(base):len(base)], "--d", "0bps"),
			"netsim: bounds: --d: got 2 rates for N = 10 peers; give one, for every peer, or 10\n"},
		{[]string{"bounds", "-F", "15Gbit", "--us", "30Mbps", "--d", "0bps", "-N", "1"},
			"netsim: bounds: --d: peer 1's download rate must be positive, got 0bps\n"},
	}
	for _, tt := range tests {
		code, stdout, stderr := exec(t, backend{}, tt.args...)
		if code != exitError || stderr != tt.stderr || stdout != "" {
			t.Errorf("netsim %s: exit %d, stderr %q; want 1, %q", strings.Join(tt.args, " "), code, stderr, tt.stderr)
		}
	}
}

// run is what main runs: the same output through the real entry point.
func TestRunEntryPoint(t *testing.T) {
	var stdout, stderr strings.Builder
	code := run([]string{"bounds", "-F", "15Gbit", "--us", "30Mbps", "--u", "2Mbps", "--d", "10Mbps", "-N", "10"}, &stdout, &stderr)
	if code != 0 || !strings.Contains(stdout.String(), "\nD_cs  >= 5000 s (1h23m20s), dominated by ") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
	stdout.Reset()
	if code := run([]string{"bounds", "-x"}, &stdout, &stderr); code != exitUsage {
		t.Errorf("bad flag: exit %d, want %d", code, exitUsage)
	}
}
