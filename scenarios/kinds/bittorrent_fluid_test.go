package kinds

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// The closed-form steady state of Qiu & Srikant's fluid model (SIGCOMM 2004) is where
// the ODE goes: integrated from an empty swarm for 60 of its slowest time constants,
// x(t) and y(t) settle within 10^-6 of x̄ = λ/(ν + θ) and ȳ = νx̄/γ in each regime, with
// and without aborts, and at the end the derivatives vanish.
func TestFluidSteadyStateIsTheODEsLimit(t *testing.T) {
	for _, tc := range []struct {
		name   string
		f      btFluid
		regime string
	}{
		// 1/c = 10 s against (1/η)(1/μ − 1/γ) = (20 − 5)/1 = 15 s: upload-limited.
		{"upload", btFluid{Lambda: 2, Gamma: 0.2, Mu: 0.05, C: 0.1, Eta: 1}, btUploadLimited},
		{"upload, aborts, η < 1", btFluid{Lambda: 2, Theta: 0.01, Gamma: 0.2, Mu: 0.05, C: 0.1, Eta: 0.8}, btUploadLimited},
		// 1/c = 10 s against 20 − 50 < 0: download-limited whatever η.
		{"download", btFluid{Lambda: 1, Gamma: 0.02, Mu: 0.05, C: 0.1, Eta: 1}, btDownloadLimited},
		{"download, aborts", btFluid{Lambda: 1, Theta: 0.05, Gamma: 0.02, Mu: 0.05, C: 0.1, Eta: 0.5}, btDownloadLimited},
		// 1/c = 15 s = (20 − 5)/1: the boundary.
		{"boundary", btFluid{Lambda: 1, Gamma: 0.2, Mu: 0.05, C: 1.0 / 15, Eta: 1}, btBoundary},
		{"boundary, aborts", btFluid{Lambda: 1, Theta: 0.02, Gamma: 0.2, Mu: 0.05, C: 1.0 / 15, Eta: 1}, btBoundary},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x, y, tt, regime := tc.f.steady()
			require.Equal(t, tc.regime, regime)
			nu, _ := tc.f.nu()
			require.InDelta(t, 1/(nu+tc.f.Theta), tt, 1e-12)
			// The slowest rate of the linearised system is at least min(γ, ν+θ, ...);
			// run well past it.
			slow := math.Min(math.Min(tc.f.Gamma, tc.f.C+tc.f.Theta), tc.f.Gamma-tc.f.Mu+tc.f.Theta)
			if slow <= 0 {
				slow = math.Min(tc.f.Gamma, tc.f.C+tc.f.Theta)
			}
			_, xs, ys := tc.f.trajectory(60/slow, 0.01)
			xe, ye := xs[len(xs)-1], ys[len(ys)-1]
			require.InDelta(t, x, xe, 1e-6*x, "x")
			require.InDelta(t, y, ye, 1e-6*y, "y")
			dx, dy := tc.f.deriv(xe, ye)
			require.InDelta(t, 0, dx, 1e-6)
			require.InDelta(t, 0, dy, 1e-6)
		})
	}
}
