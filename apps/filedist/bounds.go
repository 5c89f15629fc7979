// Package filedist models the distribution of one file from a server to N peers
// (Kurose & Ross §2.5, "Peer-to-Peer File Distribution"): client-server, where the
// server sends the whole file to every peer, and P2P, the textbook's constructive
// scheme in which every peer relays a part of the file to all the others as it
// arrives. Each is a program on its host, talking over simulated TCP: Server and
// Peer return them, to be started on the hosts of a platform the caller builds.
package filedist

import (
	"math"
	"slices"
)

// The textbook's lower bounds on the distribution time, in seconds, with the term that
// attains each. F is in bits and rates in bit/s; N is the number of peers.

// ClientServerBound returns D_cs = max{N·F/u_s, F/d_min} (Kurose & Ross eq. 2.1): the
// server must upload N copies, and the slowest peer must download one.
func ClientServerBound(fileBits, serverUploadBps float64, downloadBps []float64) (float64, string) {
	n := float64(len(downloadBps))
	byServer := n * fileBits / serverUploadBps
	byDownload := fileBits / slices.Min(downloadBps)
	if byDownload > byServer {
		return byDownload, "F/d_min"
	}
	return byServer, "N·F/u_s"
}

// P2PBound returns D_P2P = max{F/u_s, F/d_min, N·F/(u_s + Σu_i)} (Kurose & Ross eq.
// 2.2): the server must upload the file once, the slowest peer must download it, and
// the system as a whole must upload N copies at its total upload rate.
func P2PBound(fileBits, serverUploadBps float64, uploadBps, downloadBps []float64) (float64, string) {
	terms := P2PTerms(fileBits, serverUploadBps, uploadBps, downloadBps)
	best, name := terms.Server, "F/u_s"
	if terms.Download > best {
		best, name = terms.Download, "F/d_min"
	}
	if terms.Aggregate > best {
		best, name = terms.Aggregate, "N·F/(u_s+Σu_i)"
	}
	return best, name
}

// P2PBoundTerms are the three terms of D_P2P, in seconds.
type P2PBoundTerms struct {
	Server    float64 // F/u_s
	Download  float64 // F/d_min
	Aggregate float64 // N·F/(u_s + Σu_i)
}

// P2PTerms returns the three terms of D_P2P separately.
func P2PTerms(fileBits, serverUploadBps float64, uploadBps, downloadBps []float64) P2PBoundTerms {
	sum := 0.0
	for _, u := range uploadBps {
		sum += u
	}
	return P2PBoundTerms{
		Server:    fileBits / serverUploadBps,
		Download:  fileBits / slices.Min(downloadBps),
		Aggregate: float64(len(uploadBps)) * fileBits / (serverUploadBps + sum),
	}
}

// Max returns the largest term: D_P2P.
func (t P2PBoundTerms) Max() float64 { return math.Max(t.Server, math.Max(t.Download, t.Aggregate)) }
