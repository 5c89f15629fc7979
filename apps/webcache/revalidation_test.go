package webcache

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// Revalidation against its closed form worked by hand (Kurose & Ross §2.2.6; RFC 7234
// §4.2.1, RFC 7232 §3.3). λ = 1/s, μ = 0.01/s, max-age 60 s, d = 0.1 s, D = 0.2 s:
// stale requests 1 + λD = 1.2; cycle 60 + 1 + 0.2 − (1 − e^{−0.2}) + 0.1 = 61.118731 s;
// 304s e^{−0.601} · 1/1.01 · (1 + (1 − e^{−0.002})/0.01) = 0.548263 · 0.990099 · 1.199800
// = 0.651293. Objects that never change are always answered 304; with no delays a
// cycle is max-age plus the wait for the next request, and the one stale request is a
// 304 with probability e^{−μM}·λ/(λ+μ), the Laplace transform of Exp(λ) at μ.
func TestRevalidationClosedForm(t *testing.T) {
	c := Revalidation(1, 0.01, 60, 0.1, 0.2)
	require.InDelta(t, 1.2, c.Stale, 1e-12)
	require.InDelta(t, 61.118731, c.Length, 1e-6)
	require.InDelta(t, 61.118731, c.Requests, 1e-6)
	require.InDelta(t, 0.651293, c.NotModified, 1e-6)

	never := Revalidation(0.5, 0, 60, 0.1, 0.2)
	require.Equal(t, never.Stale, never.NotModified)

	c = Revalidation(0.02, 0.001, 30, 0, 0)
	require.InDelta(t, 1, c.Stale, 1e-12)
	require.InDelta(t, 30+50, c.Length, 1e-9)
	require.InDelta(t, math.Exp(-0.03)*0.02/0.021, c.NotModified, 1e-12)
}
