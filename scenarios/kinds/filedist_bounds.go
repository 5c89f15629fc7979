package kinds

import (
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"netsim/apps/filedist"
	"netsim/scenarios"
	"netsim/scenarios/units"
)

// boundsTool is `netsim bounds`, filedist's closed forms on the command line. They come
// from the filedist model itself, so the command and the theory curves of filedist
// scenarios cannot disagree.
var boundsTool = scenarios.Tool{
	Name:    "bounds",
	Args:    "-F SIZE --us RATE --d RATE [--d ...] [--u RATE [--u ...]] -N PEERS",
	Summary: "compute the lower bounds D_cs and D_P2P on file distribution time",
	Detail: `Bounds computes the minimum time to distribute a file of size F to N peers
(Kurose & Ross, section 2.5): D_cs for client-server, where the server sends every copy,
and D_P2P, where peers also upload what they have received. It prints each bound in
seconds and as a duration, and which term of the bound dominates.

Rates and sizes take units: -F 15Gbit, --us 30Mbps, --u 700kbps. One --u or --d applies
to every peer; otherwise give N of them, one per peer. Without --u only D_cs is computed.

Example (the textbook's homework problem P22: F = 15 Gbits, u_s = 30 Mbps, d_i = 2 Mbps;
N = 10, 100, 1000 and u = 300 kbps, 700 kbps, 2 Mbps):
  netsim bounds -F 15Gbit --us 30Mbps --u 700kbps --d 2Mbps -N 100`,
	Setup: func(fs *flag.FlagSet) func([]string, io.Writer) error {
		var (
			file, us string
			up, down []string
			n        int
		)
		fs.StringVar(&file, "F", "", "file `SIZE`, e.g. 15Gbit or 1.5GB")
		fs.StringVar(&us, "us", "", "the server's upload `RATE`, e.g. 30Mbps")
		fs.Func("u", "a peer's upload `RATE` (repeatable: one for all peers, or N)", func(s string) error {
			up = append(up, s)
			return nil
		})
		fs.Func("d", "a peer's download `RATE` (repeatable: one for all peers, or N)", func(s string) error {
			down = append(down, s)
			return nil
		})
		fs.IntVar(&n, "N", 0, "the number of `PEERS`")
		return func(args []string, stdout io.Writer) error {
			if len(args) > 0 {
				return scenarios.Usagef("takes only flags, got %q", args[0])
			}
			in, err := parseBoundsInput(fs, file, us, up, down, n)
			if err != nil {
				return fmt.Errorf("bounds: %w", err)
			}
			printBounds(stdout, in)
			return nil
		}
	},
}

// maxBoundsPeers bounds -N: each peer's rates are held (160 MB at 10^7), and -N 10^12
// would otherwise ask for 16 TB.
const maxBoundsPeers = 10_000_000

// boundsInput is the problem `netsim bounds` solves, in bits and bit/s.
type boundsInput struct {
	file         units.Size
	serverUpload units.Rate
	upload, down []units.Rate // one per peer; upload is nil without --u
}

func parseBoundsInput(fs *flag.FlagSet, file, us string, up, down []string, n int) (boundsInput, error) {
	var in boundsInput
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, name := range []string{"F", "us", "d", "N"} {
		if !set[name] {
			return in, fmt.Errorf("-%s is required", name)
		}
	}
	switch {
	case n < 1:
		return in, fmt.Errorf("-N: want at least 1 peer, got %d", n)
	case n > maxBoundsPeers:
		return in, fmt.Errorf("-N: at most %d peers, got %d (the bounds are computed peer by peer, 16 bytes each)", maxBoundsPeers, n)
	}
	var err error
	if in.file, err = units.ParseSize(file); err != nil {
		return in, fmt.Errorf("-F: %w", err)
	}
	if in.file <= 0 {
		return in, fmt.Errorf("-F: the file must not be empty")
	}
	if in.serverUpload, err = units.ParseRate(us); err != nil {
		return in, fmt.Errorf("--us: %w", err)
	}
	if in.serverUpload <= 0 {
		// With no server upload the file never leaves the server: no finite bound.
		return in, fmt.Errorf("--us: the server's upload rate must be positive, got %s", us)
	}
	if in.down, err = perPeer("d", down, n); err != nil {
		return in, err
	}
	for i, d := range in.down {
		if d <= 0 {
			return in, fmt.Errorf("--d: peer %d's download rate must be positive, got %s", i+1, d)
		}
	}
	if len(up) > 0 {
		if in.upload, err = perPeer("u", up, n); err != nil {
			return in, err
		}
	}
	return in, nil
}

// perPeer parses the values of a repeatable rate flag into one rate per peer.
func perPeer(name string, values []string, n int) ([]units.Rate, error) {
	if len(values) != 1 && len(values) != n {
		return nil, fmt.Errorf("--%s: got %d rates for N = %d peers; give one, for every peer, or %d", name, len(values), n, n)
	}
	rates := make([]units.Rate, n)
	for i := range rates {
		s := values[min(i, len(values)-1)]
		r, err := units.ParseRate(s)
		if err != nil {
			return nil, fmt.Errorf("--%s: %w", name, err)
		}
		rates[i] = r
	}
	return rates, nil
}

func bps(rates []units.Rate) []float64 {
	out := make([]float64, len(rates))
	for i, r := range rates {
		out[i] = r.Bps()
	}
	return out
}

func printBounds(w io.Writer, in boundsInput) {
	fileBits := float64(in.file.Bits())
	fmt.Fprintf(w, "F = %s, us = %s, N = %d, %s\n\n", in.file, in.serverUpload, len(in.down), describeRates(in))
	t, term := filedist.ClientServerBound(fileBits, in.serverUpload.Bps(), bps(in.down))
	fmt.Fprintf(w, "D_cs  >= %s s (%s), dominated by %s\n", seconds(t), humanDuration(t), term)
	if in.upload == nil {
		fmt.Fprintln(w, "D_P2P: give the peers' upload rates with --u")
		return
	}
	t, term = filedist.P2PBound(fileBits, in.serverUpload.Bps(), bps(in.upload), bps(in.down))
	fmt.Fprintf(w, "D_P2P >= %s s (%s), dominated by %s\n", seconds(t), humanDuration(t), term)
}

// describeRates summarises the peers' rates: "u = 2Mbps, d = 10Mbps" when all are
// equal, their minimum and total otherwise, which is what the bounds depend on.
func describeRates(in boundsInput) string {
	var parts []string
	for _, r := range []struct {
		name  string
		rates []units.Rate
	}{{"u", in.upload}, {"d", in.down}} {
		if r.rates == nil {
			continue
		}
		lo, sum, same := r.rates[0], 0.0, true
		for _, x := range r.rates {
			lo = min(lo, x)
			sum += x.Bps()
			same = same && x == r.rates[0]
		}
		if same {
			parts = append(parts, fmt.Sprintf("%s = %s", r.name, lo))
		} else {
			parts = append(parts, fmt.Sprintf("%s_min = %s, sum of %s = %s", r.name, lo, r.name, units.Rate(sum)))
		}
	}
	return strings.Join(parts, ", ")
}

// seconds formats a time in seconds to the millisecond, without trailing zeros.
func seconds(s float64) string {
	if math.IsInf(s, 0) || math.IsNaN(s) {
		return strconv.FormatFloat(s, 'g', -1, 64)
	}
	return strconv.FormatFloat(math.Round(s*1000)/1000, 'f', -1, 64)
}

// humanDuration formats seconds as "1h23m20s", to the millisecond; spans too long for
// a time.Duration (292 years) in years.
func humanDuration(s float64) string {
	const year = 365.25 * 24 * 3600
	if math.IsInf(s, 0) || math.IsNaN(s) || s*1e9 >= math.MaxInt64 {
		return fmt.Sprintf("%.3g years", s/year)
	}
	return time.Duration(math.Round(s * 1e9)).Round(time.Millisecond).String()
}
