package kinds

import (
	"errors"
	"fmt"
	"math"

	"netsim/apps/bittorrent"
	"netsim/scenarios"
	"netsim/scenarios/units"
	"netsim/sim"
)

// btFluid is Qiu & Srikant's fluid model of a BitTorrent swarm ("Modeling and
// performance analysis of BitTorrent-like peer-to-peer networks", SIGCOMM 2004, the
// simple fluid model and its steady state): x(t) leechers and y(t) seeds, with
//
//	dx/dt = λ − θx − min(cx, μ(ηx + y))
//	dy/dt = min(cx, μ(ηx + y)) − γy
//
// Rates are per second, μ and c in files per second (a peer's upload and download
// rate over the file's size).
type btFluid struct {
	Lambda float64 // λ: leechers arriving per second
	Theta  float64 // θ: the rate at which a leecher aborts
	Gamma  float64 // γ: the rate at which a seed leaves (1/γ: the mean seeding time)
	Mu     float64 // μ: a peer's upload rate, files per second
	C      float64 // c: a leecher's download rate, files per second
	Eta    float64 // η ∈ (0, 1]: the share of the leechers' upload capacity that is used
}

// The regimes of the steady state.
const (
	btDownloadLimited = "download-limited" // 1/c > (1/η)(1/μ − 1/γ): leechers get all c
	btUploadLimited   = "upload-limited"   // 1/c < (1/η)(1/μ − 1/γ): the uploads are all used
	btBoundary        = "boundary"         // equal: both at once
)

// flow is the rate at which leechers become seeds: min(cx, μ(ηx + y)).
func (f btFluid) flow(x, y float64) float64 { return math.Min(f.C*x, f.Mu*(f.Eta*x+y)) }

// deriv is (dx/dt, dy/dt) at (x, y).
func (f btFluid) deriv(x, y float64) (dx, dy float64) {
	v := f.flow(x, y)
	return f.Lambda - f.Theta*x - v, v - f.Gamma*y
}

// nu is the steady state's per-leecher service rate ν, 1/ν = max{1/c, (1/η)(1/μ −
// 1/γ)}, and which term is the larger (the two equal to a part in 10^9: the boundary).
func (f btFluid) nu() (nu float64, regime string) {
	down, up := 1/f.C, (1/f.Mu-1/f.Gamma)/f.Eta
	switch {
	case math.Abs(down-up) <= 1e-9*down:
		return f.C, btBoundary
	case down > up:
		return f.C, btDownloadLimited
	}
	return 1 / up, btUploadLimited
}

// steady is the fixed point of the model: x̄ = λ/(ν + θ) leechers, ȳ = νx̄/γ seeds,
// and by Little's law a leecher's mean time in the swarm T = x̄/λ = 1/(ν + θ) (the
// paper's average download time; the same for those that finish, since every leecher
// leaves its state at the rate ν + θ).
//
// Download-limited, the leechers become seeds at cx̄, so λ = (θ + c)x̄ and ν = c.
// Upload-limited, the seeds are fed by all the upload there is: γȳ = μ(ηx̄ + ȳ), so ȳ
// = μηx̄/(γ − μ) and λ = θx̄ + γȳ gives ν = ημγ/(γ − μ), the second term of 1/ν. The
// regime is the one whose conversion rate is the smaller at the fixed point.
func (f btFluid) steady() (x, y, t float64, regime string) {
	nu, regime := f.nu()
	x = f.Lambda / (nu + f.Theta)
	return x, nu * x / f.Gamma, 1 / (nu + f.Theta), regime
}

// trajectory integrates the model from an empty swarm (x = y = 0) with the classical
// fourth-order Runge–Kutta method in steps of dt, returning x and y at every step to
// end. The right-hand side is only piecewise smooth (the min), where RK4 is first
// order; the step is a small fraction of every time constant, 1/(c + θ), 1/γ, 1/μ.
func (f btFluid) trajectory(end, dt float64) (ts, xs, ys []float64) {
	x, y := 0.0, 0.0
	n := int(math.Ceil(end / dt))
	for i := 0; ; i++ {
		ts, xs, ys = append(ts, float64(i)*dt), append(xs, x), append(ys, y)
		if i == n {
			return ts, xs, ys
		}
		k1x, k1y := f.deriv(x, y)
		k2x, k2y := f.deriv(x+dt/2*k1x, y+dt/2*k1y)
		k3x, k3y := f.deriv(x+dt/2*k2x, y+dt/2*k2y)
		k4x, k4y := f.deriv(x+dt*k3x, y+dt*k3y)
		x += dt / 6 * (k1x + 2*k2x + 2*k3x + k4x)
		y += dt / 6 * (k1y + 2*k2y + 2*k3y + k4y)
	}
}

// fluid is the model for a swarm of the kind's parameters: λ the arrival rate, θ the
// abort rate, γ = 1/seed_time, μ and c the leechers' mean upload and download rates
// over F, and η the file's effectiveness (the eta parameter).
func (p *bittorrentParams) fluid() btFluid {
	f := float64(p.File.Bits())
	return btFluid{Lambda: p.ArrivalRate.PerSecond(), Theta: p.AbortRate.PerSecond(), Gamma: 1 / p.SeedTime.Time().Seconds(),
		Mu: p.PeerUpload.Bps() / f, C: p.PeerDownload.Bps() / f, Eta: p.Eta}
}

// fluidTheory is the model's steady state as theory lines of the kind: of arrivals
// with seeding: exponential (whose seeds leave at the rate γ the model has).
func fluidTheory(metric, label string, pick func(x, y, t float64) float64) scenarios.TheoryOf[bittorrentParams] {
	return scenarios.TheoryOf[bittorrentParams]{Name: "fluid_" + metric, Label: label, Metric: metric,
		Value: func(p *bittorrentParams) (float64, error) {
			if err := p.fluidApplies(); err != nil {
				return 0, err
			}
			x, y, t, _ := p.fluid().steady()
			return pick(x, y, t), nil
		}}
}

// fluidApplies says why the fluid model is not the kind's swarm, if it is not: the
// model has leechers arriving at λ and seeds leaving at γ.
func (p *bittorrentParams) fluidApplies() error {
	switch {
	case p.ArrivalRate <= 0:
		return errors.New("the fluid model's leechers arrive at a rate: give arrival_rate")
	case p.Seeding != "exponential":
		return errors.New("the fluid model's seeds leave at a rate γ: give seeding: exponential")
	}
	return nil
}

// arrivals is the schedule of a run with arrival_rate: the leechers' hosts join as a
// Poisson process (a churn process whose hosts outlive the run: a leecher leaves by
// itself, when it has seeded its time), none at time 0, until limit.
func (p *bittorrentParams) arrivals(hosts []string) (*scenarios.Schedule, error) {
	var life scenarios.Random[units.Duration]
	if err := yamlRandom(&life, (2 * p.Limit).String()); err != nil {
		return nil, err
	}
	return &scenarios.Schedule{Horizon: p.Limit.Time(), Churn: []scenarios.ChurnProcess{{
		Hosts: hosts, Rate: p.ArrivalRate, Lifetime: life, Departure: scenarios.Leave,
	}}}, nil
}

// poolLasted is an error if every host of the pool had a leecher arrive: then later
// arrivals may have found none and been lost, and the run is of a lower rate than λ.
func poolLasted(leechers []bittorrent.Record, hosts []string) error {
	for i := range leechers {
		if leechers[i].Starts == 0 {
			return nil
		}
	}
	return fmt.Errorf("bittorrent: all %d leecher hosts had arrived before the end, so arrivals may have been lost: raise peers above arrival_rate × limit", len(hosts))
}

// fluidSeries is the model's x(t) and y(t) from an empty swarm, once a second to end.
func (p *bittorrentParams) fluidSeries(end sim.Time) [2]scenarios.TimeSeries {
	f := p.fluid()
	// A step well under every time constant of the model.
	dt := math.Min(1, 0.01/math.Max(math.Max(f.C, f.Mu), f.Gamma))
	every := max(1, int(math.Round(1/dt)))
	ts, xs, ys := f.trajectory(end.Seconds(), 1/float64(every))
	var out [2]scenarios.TimeSeries
	for i := 0; i < len(ts); i += every {
		out[0].Time, out[0].Value = append(out[0].Time, ts[i]), append(out[0].Value, xs[i])
		out[1].Time, out[1].Value = append(out[1].Time, ts[i]), append(out[1].Value, ys[i])
	}
	return out
}

// timeAverage is the mean of a step series (a value holds until the next point) over
// [from, to].
func timeAverage(ts scenarios.TimeSeries, from, to float64) float64 {
	if to <= from {
		return math.NaN()
	}
	area := 0.0
	for i, t := range ts.Time {
		next := to
		if i+1 < len(ts.Time) {
			next = math.Min(ts.Time[i+1], to)
		}
		if lo := math.Max(t, from); next > lo {
			area += ts.Value[i] * (next - lo)
		}
	}
	return area / (to - from)
}

// steadyDownloads is the download time of every leecher that finished in [warmup,
// end]: in a steady state, as many as arrive, with the arrivals' distribution of
// download times; those of the leechers that arrived late and had not finished are
// not missing from it, as they would be if the leechers were counted by arrival.
func (r *bittorrentRun) steadyDownloads() []float64 {
	var out []float64
	for _, l := range r.leechers {
		if l.Done && l.DoneAt >= r.warmup && l.DoneAt <= r.end {
			out = append(out, (l.DoneAt - l.JoinedAt).Seconds())
		}
	}
	return out
}

// uploadUtilization is, over the leechers that finished between warmup and the end,
// the block bytes they uploaded while leeching (join to completion) over what their
// uplinks could have carried in that time: the fluid model's η, measured.
func (r *bittorrentRun) uploadUtilization() float64 {
	var sent, could float64
	for i, l := range r.leechers {
		if l.Done && l.DoneAt >= r.warmup && l.DoneAt <= r.end {
			sent += float64(l.UpAtDone)
			could += r.classes[i] / 8 * (l.DoneAt - l.JoinedAt).Seconds()
		}
	}
	return sent / could
}

// meanSeedTime is the mean of the seeding times drawn for the leechers that finished
// between warmup and the end, those still seeding at the end included: the sample of
// 1/γ that the run's seeds had (NaN if one stays for ever).
func (r *bittorrentRun) meanSeedTime() float64 {
	var sum float64
	n := 0
	for i, l := range r.leechers {
		if l.Done && l.DoneAt >= r.warmup && l.DoneAt <= r.end {
			if r.seedTimes[i] < 0 {
				return math.NaN()
			}
			sum += r.seedTimes[i].Seconds()
			n++
		}
	}
	return sum / float64(n)
}

// abortedFraction is, of the leechers that left the leecher state between warmup and
// the end (had the whole file, or gave up), the share that gave up: the fluid
// model's θ/(ν + θ) at its steady state.
func (r *bittorrentRun) abortedFraction() float64 {
	var done, gaveUp int
	for _, l := range r.leechers {
		switch {
		case l.Aborted && l.QuitAt >= r.warmup && l.QuitAt <= r.end:
			gaveUp++
		case l.Done && l.DoneAt >= r.warmup && l.DoneAt <= r.end:
			done++
		}
	}
	return float64(gaveUp) / float64(done+gaveUp)
}

// downloadTimeSeries is the mean download time of the leechers that finished in each
// minute, at the minute's end.
func (r *bittorrentRun) downloadTimeSeries() scenarios.TimeSeries {
	const bin = sim.Minute
	sum, n := map[sim.Time]float64{}, map[sim.Time]int{}
	var last sim.Time
	for _, l := range r.leechers {
		if l.Done {
			b := (l.DoneAt/bin + 1) * bin
			sum[b] += (l.DoneAt - l.JoinedAt).Seconds()
			n[b]++
			last = max(last, b)
		}
	}
	var ts scenarios.TimeSeries
	for b := bin; b <= last; b += bin {
		if n[b] > 0 {
			ts.Time, ts.Value = append(ts.Time, b.Seconds()), append(ts.Value, sum[b]/float64(n[b]))
		}
	}
	return ts
}

// steadyReadings are the kind's readings of a swarm in its steady state.
var steadyReadings = []scenarios.Reading[bittorrentRun]{
	scenarios.Scalar("mean_leechers", "", "time-average of the leechers in the swarm from warmup to the end", func(r *bittorrentRun) float64 {
		return timeAverage(r.population[0], r.warmup.Seconds(), r.end.Seconds())
	}),
	scenarios.Scalar("mean_seeds", "", "time-average of the seeds (leechers that finished and stay; not the initial seeds) from warmup to the end", func(r *bittorrentRun) float64 {
		return timeAverage(r.population[1], r.warmup.Seconds(), r.end.Seconds())
	}),
	scenarios.Scalar("mean_download_s", "s", "mean download time, join to completion, of the leechers that finished between warmup and the end", func(r *bittorrentRun) float64 {
		return meanOf(r.steadyDownloads())
	}).Optional(),
	scenarios.Scalar("arrivals_per_s", "1/s", "leechers that joined between warmup and the end, per second: the λ the run had, against which the fluid model's populations are to be read", func(r *bittorrentRun) float64 {
		n := 0
		for _, l := range r.leechers {
			if l.Starts > 0 && l.JoinedAt >= r.warmup && l.JoinedAt <= r.end {
				n++
			}
		}
		return float64(n) / (r.end - r.warmup).Seconds()
	}).Optional(),
	scenarios.Scalar("mean_seed_time_s", "s", "mean seeding time drawn for the leechers that finished between warmup and the end: the 1/γ the run had, against which the fluid model is to be read (seeding: exponential)", (*bittorrentRun).meanSeedTime).Optional(),
	scenarios.Scalar("aborted", "", "leechers that gave up before they had the whole file (abort_rate)", func(r *bittorrentRun) float64 {
		n := 0
		for _, l := range r.leechers {
			if l.Aborted {
				n++
			}
		}
		return float64(n)
	}),
	scenarios.Scalar("aborted_fraction", "", "of the leechers that finished or gave up between warmup and the end, the share that gave up", (*bittorrentRun).abortedFraction).Optional(),
	scenarios.Scalar("leecher_upload_utilization", "", "of the uplinks of the leechers that finished between warmup and the end, the share they used while leeching (the fluid model's η, measured)", (*bittorrentRun).uploadUtilization).Optional(),
	scenarios.Series("download_time_s", "s", "mean download time of the leechers that finished in each minute", (*bittorrentRun).downloadTimeSeries),
	scenarios.Series("fluid_leechers", "", "the fluid model's x(t) from an empty swarm (Qiu & Srikant 2004); with arrivals and exponential seeding", func(r *bittorrentRun) scenarios.TimeSeries { return r.fluid[0] }),
	scenarios.Series("fluid_seeds", "", "the fluid model's y(t) from an empty swarm; with arrivals and exponential seeding", func(r *bittorrentRun) scenarios.TimeSeries { return r.fluid[1] }),
}

// fluidTheories are the steady state's theory lines.
var fluidTheories = []scenarios.TheoryOf[bittorrentParams]{
	fluidTheory("mean_leechers", "fluid model x̄ = λ/(ν + θ) (Qiu & Srikant)", func(x, _, _ float64) float64 { return x }),
	fluidTheory("mean_seeds", "fluid model ȳ = νx̄/γ", func(_, y, _ float64) float64 { return y }),
	fluidTheory("mean_download_s", "fluid model T = 1/(ν + θ), 1/ν = max(1/c, (1/η)(1/μ − 1/γ))", func(_, _, t float64) float64 { return t }),
	{Name: "fluid_aborted_fraction", Label: "fluid model θ/(ν + θ)", Metric: "aborted_fraction", Value: func(p *bittorrentParams) (float64, error) {
		if err := p.fluidApplies(); err != nil {
			return 0, err
		}
		f := p.fluid()
		nu, _ := f.nu()
		return f.Theta / (nu + f.Theta), nil
	}},
}
