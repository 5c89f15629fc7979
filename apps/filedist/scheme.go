package filedist

import "math"

// Scheme is the rate allocation of the textbook's constructive P2P scheme, extended
// to the case where the slowest download is the limit. The server sends peer i a part
// of the file at rate PartBps[i], which peer i relays to each of the other N−1 peers
// at the same rate; and it sends every peer one more part, the direct share, at
// DirectBps. Every peer then receives at ReceiveBps = Σ PartBps + DirectBps, so all
// finish after F/ReceiveBps.
//
// Kurose & Ross (§2.5, homework problem on D_P2P) give two cases. With
// R = min{u_s, (u_s+u)/N, d_min} and u = Σu_i:
//   - if R ≤ u/(N−1): PartBps[i] = R·u_i/u and no direct share. When R = u_s this is
//     the textbook's first case; peer i's upload (N−1)·R·u_i/u ≤ u_i holds because
//     R ≤ u/(N−1).
//   - otherwise: PartBps[i] = u_i/(N−1), each peer's whole upload, and the server
//     sends the rest of R directly, DirectBps = R − u/(N−1); the server then uploads
//     N·R − u ≤ u_s because R ≤ (u_s+u)/N. With R = (u_s+u)/N this is the second case.
//
// Every link carries at most its capacity, and each peer receives R ≤ d_min, so the
// scheme achieves exactly D_P2P = F/R: the lower bound is attained.
type Scheme struct {
	ReceiveBps float64
	PartBps    []float64
	DirectBps  float64
}

// PlanScheme computes the scheme for a server upload rate and the peers' upload and
// download rates (bit/s). There must be at least one peer.
func PlanScheme(serverUploadBps float64, uploadBps, downloadBps []float64) Scheme {
	n := float64(len(uploadBps))
	u := 0.0
	for _, x := range uploadBps {
		u += x
	}
	dmin := math.Inf(1)
	for _, d := range downloadBps {
		dmin = math.Min(dmin, d)
	}
	r := math.Min(serverUploadBps, math.Min((serverUploadBps+u)/n, dmin))
	s := Scheme{ReceiveBps: r, PartBps: make([]float64, len(uploadBps))}
	switch {
	case u == 0:
		// Nobody can relay: the server sends everything directly.
		s.DirectBps = r
	case n == 1 || r <= u/(n-1):
		for i, ui := range uploadBps {
			s.PartBps[i] = r * ui / u
		}
	default:
		for i, ui := range uploadBps {
			s.PartBps[i] = ui / (n - 1)
		}
		s.DirectBps = r - u/(n-1)
	}
	return s
}

// splitBytes divides total bytes into parts proportional to weights, exactly: the
// largest-remainder method, ties to the lower index, so the parts always sum to total.
func splitBytes(total int64, weights []float64) []int64 {
	sum := 0.0
	for _, w := range weights {
		sum += w
	}
	parts := make([]int64, len(weights))
	if sum <= 0 {
		return parts
	}
	type rem struct {
		i    int
		frac float64
	}
	var rems []rem
	var given int64
	for i, w := range weights {
		exact := float64(total) * w / sum
		parts[i] = int64(math.Floor(exact))
		given += parts[i]
		rems = append(rems, rem{i, exact - float64(parts[i])})
	}
	// Hand out the bytes left by rounding down, largest remainder first.
	for left := total - given; left > 0; left-- {
		best := -1
		for j, r := range rems {
			if r.frac >= 0 && (best < 0 || r.frac > rems[best].frac) {
				best = j
			}
		}
		parts[rems[best].i]++
		rems[best].frac = -1
	}
	return parts
}
