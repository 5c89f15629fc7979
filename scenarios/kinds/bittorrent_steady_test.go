package kinds

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/scenarios"
)

// steadyCommon is the swarm of issue 12's acceptance item 4: Poisson arrivals (λ =
// 0.1/s) of leechers of an 8 MiB file in 256 pieces of two 16 KiB blocks, on 128 kbps
// uplinks (F/u = 524 s, fifty choking rounds), with a 1280 kbps initial seed that
// leaves at 1200 s, so that the measured swarm (from the warm-up on, ≈ 600 arrivals)
// lives on its own seeds, as the fluid model's does. End game and redundant haves are
// off (libtorrent's defaults); a pipeline of 2 requests covers a connection's
// bandwidth-delay product many times over at these rates (a block takes 5 s at a fifth
// of an uplink), where 5 would queue 25 s of blocks at one slow uploader and hold a
// leecher's last pieces there (at the boundary of a 2 MiB swarm: +19% in T with 5,
// +14% with 2).
//
// Why this file and not a smaller one (512 KiB in 32 pieces, as before): a leecher's
// start — announce, connections, an optimistic unchoke, its first block at a fifth of
// an uplink — costs tens of seconds whatever F, and its first pieces come slower than
// d; the fluid model has no start. With F/u = 131 s that was 10–15% of a download, η
// was 0.76, and at the boundary the swarm sat 36% above the model (and +34% with four
// times the arrivals, so not for want of peers). The excess falls as F grows: at the
// boundary +36% (512 KiB, 32 pieces), +19% (2 MiB, 128), +10% (4 MiB, 256 at 64 kbps),
// +9% (8 MiB, 256 or 512 at 128 kbps).
//
// η = 0.965: the share of its uplink a leecher of the upload-limited swarm below uses
// while it downloads (leecher_upload_utilization 0.9651 ± 0.0010 over 6 seeds; 0.98
// with 512 pieces of one block), as Qiu & Srikant's η → 1 for many pieces; the test
// checks that the swarm still has it. The boundary swarm's 1/γ puts it at the model's
// kink for that η.
const steadyCommon = `kind: bittorrent
params:
  file: 8MiB
  piece: 32KiB
  seed_upload: 1280kbps
  initial_seed_time: 1200s
  peer_upload: 128kbps
  seeding: exponential
  end_game: false
  redundant_haves: false
  pipeline: 2
  eta: 0.965
  peers: 1100
  arrival_rate: 0.1/s
  warmup: %s
  limit: %s
  peer_download: %s
  seed_time: %s
  abort_rate: %s
`

// steadyRegimes: the three regimes, and a fourth swarm with aborts, 6000 s measured
// each. The test runs each once (seed 1); the comments give the means over 6 other
// seeds (netsim run of the same parameters, seed 7) with their 95% intervals,
// compared as the test compares.
var steadyRegimes = []struct {
	name, regime                         string
	warmup, limit, down, seedTime, abort string
}{
	// 1/c = 52.4 s, (1/η)(1/μ − 1/γ) = (524.3 − 200)/0.965 = 336.0 s: T = 336.0 s. Six
	// seeds: T +0.5 ± 0.6%, x̄ −0.1 ± 0.9%, ȳ −2.4 ± 2.1%.
	{"upload-limited", btUploadLimited, "1500s", "7500s", "1280kbps", "200s", "0/s"},
	// The kink for η = 0.965: 1/c = 419.43 s = (524.288 − 119.537664)/0.965. Six seeds:
	// T +8.5 ± 0.5%, x̄ +7.9 ± 0.6%, ȳ −1.4 ± 2.5%, the leechers using 0.906 of their
	// uplinks. Where both limits bind, a leecher's start is time the model does not
	// have (its first 64 pieces come ≈ 30 s later than at d); and a finite swarm's
	// fluctuations cost throughput at the kink, since the min is concave: a swarm of
	// perfect sharing — every leecher at min(c, μ(ηx + y)/x), Poisson arrivals,
	// exponential seeding, simulated apart — sits 3.6% above the model in T at these
	// populations (x̄ ≈ 42), 11% at the old 512 KiB boundary's (x̄ ≈ 16).
	{"boundary", btBoundary, "1500s", "7500s", "160kbps", "119.537664s", "0/s"},
	// 1/c = 524.3 s against (524.3 − 200)/0.965 = 336.0 s: T = 524.3 s. Six seeds: T
	// +2.4 ± 0.1% (the start), x̄ +2.8 ± 1.0%, ȳ +0.9 ± 2.7%.
	{"download-limited", btDownloadLimited, "2000s", "8000s", "128kbps", "200s", "0/s"},
	// The upload-limited swarm with aborts, θ = 3·10^-4/s (θ/ν ≈ 0.1): x̄ = λ/(ν + θ),
	// ȳ = νx̄/γ, a share θ/(ν + θ) = 9.2% of the leechers giving up. The model's
	// leechers leave at the rate ν + θ, as if download times were exponential; a real
	// download takes about 1/ν, so that an arrival's time as a leecher,
	// E min(1/ν, Exp(θ)) = (1 − e^(−θ/ν))/θ, is 4.7% above 1/(ν + θ), and so are x̄ and
	// the share that gives up. Six seeds: x̄ (and x̄/λ̂) +6.8 ± 1.0%, ȳ −2.7 ± 1.6%, those
	// that finish +2.6 ± 0.7% above 1/ν, the share that gives up +6.3 ± 9.2% (≈ 65
	// aborts a run).
	{"upload-limited, aborting", btUploadLimited, "1500s", "7500s", "1280kbps", "200s", "0.0003/s"},
}

// Issue 12, acceptance 4: the steady state of a swarm with Poisson arrivals beside Qiu
// & Srikant's (SIGCOMM 2004, §3, the simple fluid model's steady state) in each of its
// regimes: mean download time and mean leechers and seeds within 10%.
func TestBittorrentSteadyStateMatchesTheFluidModel(t *testing.T) {
	for _, rg := range steadyRegimes {
		t.Run(rg.name, func(t *testing.T) {
			t.Parallel()
			s, err := scenarios.Parse("steady.yaml", []byte(fmt.Sprintf(steadyCommon, rg.warmup, rg.limit, rg.down, rg.seedTime, rg.abort)))
			require.NoError(t, err)
			pt := s.Point(0)
			p := pt.Params.(*bittorrentParams)
			x, y, tt, regime := p.fluid().steady()
			require.Equal(t, rg.regime, regime)
			dep, err := s.Kind.Deploy(pt.Params, nil)
			require.NoError(t, err)
			out, err := s.Kind.Run(context.Background(), pt.Params, scenarios.RunEnv{Seed: 1, Topology: p.platform(nil), Deployment: dep})
			require.NoError(t, err)
			v := out.Values
			// The model for the arrivals and seeding times the run had: λ̂ from λ by the
			// Poisson noise of ≈ 600 arrivals (4%), 1/γ̂ from 1/γ by that of ≈ 600
			// exponential seeding times (4%), which are the sample's, not the model's.
			// (At λ and γ, a single run's ȳ misses the model's by ≈ 7%, one sd, with
			// 3000 s measured: the old test's −18% seeds, download-limited, were 170
			// completions for 180 arrivals and a mean seeding time of 86.7 s drawn for
			// 100 s, every seed counted and none leaving early.)
			f := p.fluid()
			f.Lambda, f.Gamma = v["arrivals_per_s"], 1/v["mean_seed_time_s"]
			xh, yh, th, _ := f.steady()
			nu, _ := f.nu()
			t.Logf("%s: T %.1f s (fluid %.1f; at λ̂, γ̂ %.1f), leechers %.2f (%.2f; at λ̂ = %.4f/s, 1/γ̂ = %.1f s %.2f), seeds %.2f (%.2f; %.2f), η measured %.4f",
				rg.name, v["mean_download_s"], tt, th, v["mean_leechers"], x, f.Lambda, 1/f.Gamma, xh, v["mean_seeds"], y, yh, v["leecher_upload_utilization"])
			within := func(what string, got, want float64) {
				t.Logf("  %s: %.4g against %.4g, %+.1f%%", what, got, want, 100*(got/want-1))
				if math.Abs(got-want) > 0.10*want {
					t.Errorf("%s: %.4g, the fluid model's %.4g: %+.1f%%, more than 10%%", what, got, want, 100*(got/want-1))
				}
			}
			within("mean leechers (at λ̂, γ̂)", v["mean_leechers"], xh)
			within("mean seeds (at λ̂, γ̂)", v["mean_seeds"], yh)
			if f.Theta == 0 {
				within("mean download time (at γ̂)", v["mean_download_s"], th)
				require.GreaterOrEqual(t, v["mean_download_s"], 0.97*th, "well below the fluid model")
			} else {
				// With aborts the model's T = 1/(ν + θ) is the time of every leecher as one
				// (Little: x̄/λ), of those that give up too; those that finish take 1/ν.
				within("time as a leecher, x̄/λ̂ (at γ̂)", v["mean_leechers"]/f.Lambda, th)
				within("mean download time of those that finish", v["mean_download_s"], 1/nu)
				// ≈ 65 aborts: the share within three binomial standard deviations of the
				// model's (10% of it is under one: too few aborts to hold it to 10%).
				frac, want := v["aborted_fraction"], f.Theta/(nu+f.Theta)
				n := v["arrivals_per_s"] * (p.Limit.Time() - p.Warmup.Time()).Seconds()
				sd := math.Sqrt(want * (1 - want) / n)
				t.Logf("  aborted: %.4f of those that left, the model's %.4f (%+.1f%%), sd %.4f for %.0f", frac, want, 100*(frac/want-1), sd, n)
				require.InDelta(t, want, frac, 3*sd)
			}
			if rg.regime == btUploadLimited && f.Theta == 0 {
				// The η the model is given is this swarm's own.
				require.InDelta(t, p.Eta, v["leecher_upload_utilization"], 0.01)
			}
		})
	}
}
