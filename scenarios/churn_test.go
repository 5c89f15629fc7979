package scenarios_test

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "netsim/scenarios"
	"netsim/scenarios/units"
	"netsim/sim"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

func pool(n int) []string {
	hs := make([]string, n)
	for i := range hs {
		hs[i] = fmt.Sprintf("peer%d", i)
	}
	return hs
}

func lifetime(t *testing.T, text string) Random[units.Duration] {
	t.Helper()
	var r Random[units.Duration]
	if err := unmarshal(text, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// churnStats measures a generated event list: the time-average number of hosts up over
// [0, horizon], the gaps between arrivals after time 0, and the lifetimes of the hosts
// that joined by horizon − cutoff (so that a long life still going at the horizon,
// which would bias the mean down, is as unlikely as a life longer than cutoff).
func churnStats(events []Event, horizon, cutoff sim.Time) (population float64, gaps, lifetimes []float64) {
	up, area := 0, 0.0
	last, lastArrival := sim.Time(0), sim.Time(-1)
	born := map[string]sim.Time{}
	for _, e := range events {
		area += float64(up) * (e.At - last).Seconds()
		last = e.At
		switch e.Action {
		case Join:
			up++
			if e.At > 0 {
				if lastArrival >= 0 {
					gaps = append(gaps, (e.At - lastArrival).Seconds())
				}
				lastArrival = e.At
			}
			born[e.Target] = e.At
		default:
			up--
			if born[e.Target] <= horizon-cutoff {
				lifetimes = append(lifetimes, (e.At - born[e.Target]).Seconds())
			}
		}
	}
	area += float64(up) * (horizon - last).Seconds()
	return area / horizon.Seconds(), gaps, lifetimes
}

func meanOf(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// Poisson arrivals at λ = 2/s with exponential lifetimes of mean 50 s (an M/M/∞ queue):
// by Little's law the mean population is λ·E[L] = 100. Over T = 50,000 s, started at
// 100 hosts, the time average has standard error √(2·λE[L]·E[L]/T) = 0.447 (the
// population is Poisson(100) and its autocorrelation decays as e^(−t/E[L])), so it lies
// within 1.96·0.447 = 0.88 of 100 with probability 95%; the gaps between arrivals have
// mean 1/λ = 0.5 s and the lifetimes 50 s, each within its own 95% interval.
// Reference: Little, "A proof for the queuing formula L = λW", Operations Research, 1961.
func TestChurnLittlesLaw(t *testing.T) {
	c := ChurnProcess{Hosts: pool(1000), Rate: 2, Lifetime: lifetime(t, "{exponential: 50s}"), Departure: Crash, Initial: 100}
	horizon := 50000 * sim.Second
	events, lost := GenerateChurn(c, rand.New(rand.NewPCG(1, 2)), horizon)
	if lost != 0 {
		t.Fatalf("%d arrivals lost with a pool of 1000", lost)
	}
	// P(L > 1000 s) = e^(−20): no life is cut by the horizon.
	pop, gaps, lives := churnStats(events, horizon, 1000*sim.Second)
	if math.Abs(pop-100) > 1.96*math.Sqrt(2*100*50/50000.0) {
		t.Errorf("mean population %.3f, want 100 ± 0.88 (Little's law)", pop)
	}
	if m, se := meanOf(gaps), 0.5/math.Sqrt(float64(len(gaps))); math.Abs(m-0.5) > 1.96*se {
		t.Errorf("mean gap %.5f s over %d arrivals, want 0.5 ± %.5f", m, len(gaps), 1.96*se)
	}
	if m, se := meanOf(lives), 50/math.Sqrt(float64(len(lives))); math.Abs(m-50) > 1.96*se {
		t.Errorf("mean lifetime %.3f s over %d, want 50 ± %.3f", m, len(lives), 1.96*se)
	}
	for i := 1; i < len(events); i++ {
		if events[i].At < events[i-1].At || events[i].At > horizon {
			t.Fatalf("event %d at %v after %v: not in time order within the horizon", i, events[i].At, events[i-1].At)
		}
	}
}

// Heavy-tailed and aging lifetimes keep their means: Pareto (α = 3, finite variance
// (mean·(α−1)/α)²·α/((α−1)²(α−2)) = mean²/3) and Weibull (k = 2, variance
// λ²(Γ(2) − Γ(1.5)²) with λ = mean/Γ(1.5)); Little's law holds for any lifetime
// distribution (M/G/∞), so the population is λ·E[L] again, within 3 of it here.
func TestChurnLifetimes(t *testing.T) {
	g := math.Gamma
	for _, tc := range []struct {
		dist string
		sd   float64
	}{
		{"{pareto: {mean: 20s, alpha: 3}}", 20 / math.Sqrt(3)},
		{"{weibull: {mean: 20s, shape: 2}}", 20 / g(1.5) * math.Sqrt(g(2)-g(1.5)*g(1.5))},
	} {
		c := ChurnProcess{Hosts: pool(500), Rate: 5, Lifetime: lifetime(t, tc.dist), Departure: Leave, Grace: sim.Second, Initial: 100}
		horizon := 10000 * sim.Second
		events, lost := GenerateChurn(c, rand.New(rand.NewPCG(3, 4)), horizon)
		// P(L > 2000 s) is 3·10^-7 for the Pareto, less for the Weibull.
		pop, _, lives := churnStats(events, horizon, 2000*sim.Second)
		if m, se := meanOf(lives), tc.sd/math.Sqrt(float64(len(lives))); lost != 0 || math.Abs(m-20) > 1.96*se {
			t.Errorf("%s: mean lifetime %.3f over %d (lost %d), want 20 ± %.3f", tc.dist, m, len(lives), lost, 1.96*se)
		}
		if math.Abs(pop-100) > 3 {
			t.Errorf("%s: mean population %.2f, want 100 (Little's law)", tc.dist, pop)
		}
		for _, e := range events {
			if e.Action == Leave && e.Grace != sim.Second {
				t.Fatalf("%s: leave without its grace: %+v", tc.dist, e)
			}
		}
	}
}

// A pool with every host up loses the arrival: two hosts, both up from the start and
// living an hour, lose every arrival of the first hour.
func TestChurnLostArrivals(t *testing.T) {
	c := ChurnProcess{Hosts: pool(2), Rate: units.Frequency(1), Lifetime: lifetime(t, "1h"), Departure: Crash, Initial: 2}
	events, lost := GenerateChurn(c, rand.New(rand.NewPCG(5, 6)), 30*sim.Minute)
	if len(events) != 2 || lost < 1500 || lost > 2100 {
		t.Errorf("%d events, %d lost; want the 2 joins at 0 and about 1800 lost", len(events), lost)
	}
}

// The exact event lists of small churns for fixed seeds, as golden files: a change that
// moves one draw shows up in review. go test -update rewrites them.
func TestChurnGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    ChurnProcess
	}{
		{"exponential-crash", ChurnProcess{Hosts: pool(4), Rate: units.Frequency(1.0 / 60), Lifetime: lifetime(t, "{exponential: 5min}"), Departure: Crash, Initial: 2}},
		{"pareto-leave", ChurnProcess{Hosts: pool(4), Rate: units.Frequency(1.0 / 60), Lifetime: lifetime(t, "{pareto: {mean: 5min, alpha: 1.5}}"), Departure: Leave, Grace: 2 * sim.Second}},
		{"weibull-crash", ChurnProcess{Hosts: pool(3), Rate: units.Frequency(1.0 / 30), Lifetime: lifetime(t, "{weibull: {mean: 2min, shape: 0.5}}"), Departure: Crash, Initial: 1}},
	} {
		events, lost := GenerateChurn(tc.c, sim.NewStreams(42).Stream("schedule/churn/0"), 20*sim.Minute)
		var b strings.Builder
		fmt.Fprintf(&b, "# %s: %d events, %d arrivals lost\n", tc.name, len(events), lost)
		for _, e := range events {
			fmt.Fprintf(&b, "%d %s %s", int64(e.At), e.Action, e.Target)
			if e.Grace > 0 {
				fmt.Fprintf(&b, " grace=%s", units.Duration(e.Grace))
			}
			b.WriteString("\n")
		}
		golden := filepath.Join("testdata", "churn", tc.name+".golden")
		if *update {
			if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (go test -update creates it)", err)
		}
		if b.String() != string(want) {
			t.Errorf("%s differs:\n%s\nwant:\n%s", golden, b.String(), want)
		}
	}
}
