package scenarios_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	. "netsim/scenarios"
	"netsim/scenarios/internal/testkinds"
	"netsim/scenarios/units"
)

func think(t *testing.T, value string) Random[units.Duration] {
	t.Helper()
	s, err := Parse("testdata/dist.yaml", []byte("kind: toy\nparams:\n  think: "+value+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	return s.Params.(*testkinds.ToyParams).Think
}

// Each distribution draws with the mean it was given: the mean of 20,000 draws lies
// within 4 standard errors of it (σ/√n, σ from the distribution's closed form), and
// reads back from its canonical form.
func TestDistributionMeans(t *testing.T) {
	const n = 20000
	g := math.Gamma
	for _, tc := range []struct {
		value, canonical string
		mean, sd         float64 // seconds
	}{
		{"{exponential: 2s}", "{exponential: 2s}", 2, 2},
		{"{uniform: [1s, 3s]}", "{uniform: [1s, 3s]}", 2, 2 / math.Sqrt(12)},
		// Pareto, α = 3: x_m = mean·(α−1)/α = 4/3, variance x_m²·α/((α−1)²(α−2)) = 4/3.
		{"{pareto: {mean: 2s, alpha: 3}}", "{pareto: {mean: 2s, alpha: 3}}", 2, math.Sqrt(4.0 / 3)},
		// Lognormal: variance (e^(σ²) − 1)·mean².
		{"{lognormal: {mean: 2s, sigma: 0.5}}", "{lognormal: {mean: 2s, sigma: 0.5}}", 2, 2 * math.Sqrt(math.Exp(0.25)-1)},
		// Weibull, k = 2: λ = mean/Γ(1.5), variance λ²·(Γ(2) − Γ(1.5)²).
		{"{weibull: {mean: 2s, shape: 2}}", "{weibull: {mean: 2s, shape: 2}}", 2, 2 / g(1.5) * math.Sqrt(g(2)-g(1.5)*g(1.5))},
		{"{empirical: [1s, 2s, 3s]}", "{empirical: [1s, 2s, 3s]}", 2, math.Sqrt(2.0 / 3)},
		{"{empirical: think.txt}", "{empirical: [500ms, 1s, 2s]}", 3.5 / 3, math.Sqrt((0.25+1+4)/3 - 3.5*3.5/9)},
	} {
		r := think(t, tc.value)
		if r.String() != tc.canonical {
			t.Errorf("%s formats as %s, want %s", tc.value, r, tc.canonical)
		}
		if back := think(t, r.String()); back.String() != r.String() {
			t.Errorf("%s does not read back: %s", r, back)
		}
		if math.Abs(r.Mean()-tc.mean) > 1e-12 {
			t.Errorf("%s: Mean() = %g, want %g", tc.value, r.Mean(), tc.mean)
		}
		draw := r.Sampler(rand.New(rand.NewPCG(1, 2)))
		sum := 0.0
		for range n {
			sum += draw()
		}
		if got := sum / n; math.Abs(got-tc.mean) > 4*tc.sd/math.Sqrt(n) {
			t.Errorf("%s: mean of %d draws %g, want %g ± %g", tc.value, n, got, tc.mean, 4*tc.sd/math.Sqrt(n))
		}
	}
}

// A constant draws nothing: a kind that makes a parameter Random changes no run of a
// file that gives it one value.
func TestConstantDrawsNothing(t *testing.T) {
	r := think(t, "1.5s")
	if v, ok := r.Const(); !ok || v != units.Duration(1.5e9) || r.String() != "1.5s" {
		t.Fatalf("1.5s: %v %v %s", v, ok, r)
	}
	a, b := rand.New(rand.NewPCG(7, 7)), rand.New(rand.NewPCG(7, 7))
	draw := r.Sampler(a)
	first, second := draw(), draw()
	if first != 1.5 || second != 1.5 || a.Uint64() != b.Uint64() {
		t.Error("a constant drew from its stream")
	}
}

// A distribution's resolved form lists an empirical file's values, so that the
// manifest parses again anywhere.
func TestResolvedDistribution(t *testing.T) {
	s, err := Parse("testdata/dist.yaml", []byte("kind: toy\nparams:\n  think: {empirical: think.txt}\n"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.Resolved()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "  think: {empirical: [500ms, 1s, 2s]}\n") {
		t.Errorf("resolved:\n%s", out)
	}
}
