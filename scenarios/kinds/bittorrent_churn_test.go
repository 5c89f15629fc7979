package kinds

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/scenarios"
	"netsim/sim"
)

// Peers that crash mid-download and rejoin later keeping their pieces (Kurose & Ross
// §2.6.1: a peer may "leave the torrent at any time with only a subset of chunks, and
// later rejoin"; issue 12's churn): three of eight leechers of a 4 MiB flash crowd
// crash at 12–15 s, a third to a half of the way through, and recover at 40–50 s,
// when the others are done. Every leecher ends with the file; a crashed one resumes: what it
// fetched after its recovery is less than F, by at least the pieces it had verified
// before the crash; and the block bytes are conserved — every byte received was
// uploaded; a leecher that never crashed received exactly F new bytes, one that crashed
// F and the blocks of the pieces it had half when it crashed (its disk keeps verified
// pieces only); and the bytes uploaded and not received are no more than the blocks
// the crashes cut off in flight.
func TestBittorrentCrashedLeechersResumeWithTheirPieces(t *testing.T) {
	s, err := scenarios.Parse("rejoin.yaml", []byte(`kind: bittorrent
params: {file: 4MiB, piece: 64KiB, end_game: false}
topology:
  star:
    hosts:
      - {name: tracker, upload: 1Gbps, download: 1Gbps, delay: 10ms}
      - {name: seed0, upload: 4Mbps, download: 4Mbps, delay: 10ms}
      - {name: peer, count: 8, upload: 1Mbps, download: 8Mbps, delay: 10ms}
schedule:
  events:
    - {at: 12s, crash: peer1}
    - {at: 14s, crash: peer4}
    - {at: 15s, crash: peer6}
    - {at: 40s, recover: peer1}
    - {at: 45s, recover: peer4}
    - {at: 50s, recover: peer6}
`))
	require.NoError(t, err)
	pt := s.Point(0)
	p := pt.Params.(*bittorrentParams)
	dep, err := s.Kind.Deploy(pt.Params, s.Topology)
	require.NoError(t, err)
	r, err := runBittorrent(context.Background(), p, scenarios.RunEnv{Seed: 1, Topology: s.Topology, Deployment: dep, Schedule: s.Schedule})
	require.NoError(t, err)
	crashes := map[int][2]sim.Time{1: {12 * sim.Second, 40 * sim.Second}, 4: {14 * sim.Second, 45 * sim.Second}, 6: {15 * sim.Second, 50 * sim.Second}}
	file, piece := p.File.Bytes(), p.Piece.Bytes()
	var up, down int64
	for i := range r.seeds {
		up += r.seeds[i].UpBytes
	}
	for i, l := range r.leechers {
		up += l.UpBytes
		down += l.DownBytes
		require.True(t, l.Done, "leecher %d unfinished", i)
		cr, crashed := crashes[i]
		if !crashed {
			require.Equal(t, 1, l.Starts)
			require.Equal(t, file, l.DownBytes-l.DupBytes, "leecher %d's new bytes", i)
			continue
		}
		require.Equal(t, 2, l.Starts, "leecher %d", i)
		before, after := 0, 0
		for _, at := range l.PieceAt {
			switch {
			case at <= cr[0]:
				before++
			case at >= cr[1]:
				after++
			default:
				t.Fatalf("leecher %d verified a piece at %v, while it was down", i, at)
			}
		}
		require.Equal(t, r.pieces, before+after)
		require.Greater(t, before, 0, "leecher %d had nothing when it crashed", i)
		require.Greater(t, l.DoneAt, cr[1])
		// What it fetched after its recovery is at most all it fetched, less the pieces
		// it had verified before the crash: less than F.
		fetchedAfter := l.DownBytes - int64(before)*piece
		t.Logf("leecher %d: %d of %d pieces before its crash at %v; after its recovery at %v it fetched at most %d B (F = %d B), done at %v; down %d dup %d",
			i, before, r.pieces, cr[0], cr[1], fetchedAfter, file, l.DoneAt, l.DownBytes, l.DupBytes)
		require.Less(t, fetchedAfter, file)
		// New bytes: F, plus the blocks of the pieces it had half when it crashed, which
		// the crash lost: less than a piece on each of its 8 connections.
		require.GreaterOrEqual(t, l.DownBytes-l.DupBytes, file)
		require.Less(t, l.DownBytes-l.DupBytes-file, 8*piece)
	}
	// A peer has at most one block in a connection's socket (serve), so a crash cuts
	// off at most one block on each of the crashed host's connections, each way: 8
	// neighbours, 3 crashes.
	t.Logf("block bytes: %d uploaded, %d received: %d blocks cut off by the crashes", up, down, (up-down)/p.Block.Bytes())
	require.GreaterOrEqual(t, up, down, "received more than was uploaded")
	require.LessOrEqual(t, up-down, int64(len(crashes)*2*8)*p.Block.Bytes())
}

// Leechers that abort (Qiu & Srikant's θ; issue 12's churn): in a flash crowd of 8 on
// 2 Mbps of seed for a 4 MiB file (D_P2P ≈ 27 s), with θ = 0.05/s a leecher gives up at
// its exponential time unless it has the file by then. Those that give up lack pieces,
// leave exactly at their drawn time, say stopped to the tracker, are counted as
// neither leechers nor seeds after, and stay gone when their host crashes and
// recovers; the others finish (and, having left at once, come back on their recovery
// with the whole file, say started, and leave again).
func TestBittorrentLeechersThatAbortLeaveForGood(t *testing.T) {
	const peers, theta = 8, 0.05
	// The abort times the kind draws: the stream bittorrent/aborts, a leecher at a time.
	streams := scenarios.RunEnv{Seed: 3}.Streams()
	rng := streams.Stream("bittorrent/aborts")
	var at []sim.Time
	for range peers {
		at = append(at, max(sim.Time(rng.ExpFloat64()/theta*float64(sim.Second)), 1))
	}
	// Crash and recover every leecher, after it would have given up.
	var events []string
	for i, a := range at {
		events = append(events, fmt.Sprintf("{at: %dms, crash: peer%d}", (a+sim.Second)/sim.Millisecond, i), fmt.Sprintf("{at: %dms, recover: peer%d}", (a+2*sim.Second)/sim.Millisecond, i))
	}
	s, err := scenarios.Parse("abort.yaml", []byte(fmt.Sprintf(`kind: bittorrent
params: {file: 4MiB, abort_rate: %g/s, seeding: leave}
topology:
  star:
    hosts:
      - {name: tracker, upload: 1Gbps, download: 1Gbps, delay: 10ms}
      - {name: seed0, upload: 2Mbps, download: 2Mbps, delay: 10ms}
      - {name: peer, count: %d, upload: 1Mbps, download: 8Mbps, delay: 10ms}
schedule:
  events: [%s]
`, theta, peers, strings.Join(events, ", "))))
	require.NoError(t, err)
	pt := s.Point(0)
	p := pt.Params.(*bittorrentParams)
	dep, err := s.Kind.Deploy(pt.Params, s.Topology)
	require.NoError(t, err)
	env := scenarios.RunEnv{Seed: 3, Topology: s.Topology, Deployment: dep, Schedule: s.Schedule}
	r, err := runBittorrent(context.Background(), p, env)
	require.NoError(t, err)
	gaveUp := 0
	for i, l := range r.leechers {
		if l.Aborted {
			gaveUp++
			require.False(t, l.Done, "leecher %d", i)
			require.Less(t, l.PieceCount(), r.pieces)
			require.Equal(t, at[i], l.QuitAt-l.JoinedAt, "leecher %d left at %v, not its drawn %v", i, l.QuitAt, at[i])
			require.Equal(t, 1, l.Starts, "leecher %d came back", i)
			require.False(t, l.Active)
			continue
		}
		require.True(t, l.Done, "leecher %d neither finished nor gave up", i)
		require.Less(t, l.DoneAt-l.JoinedAt, at[i])
		require.Equal(t, 2, l.Starts, "leecher %d", i)
	}
	finished := int64(len(r.leechers) - gaveUp)
	t.Logf("%d of %d gave up; tracker: %+v", gaveUp, len(r.leechers), r.tracker)
	require.Greater(t, gaveUp, 0)
	require.Greater(t, finished, int64(0))
	// Started: the seed, each that gave up once, each that finished twice; stopped: the
	// same, less the seed, which stays.
	require.Equal(t, 1+int64(gaveUp)+2*finished, r.tracker.Started)
	require.Equal(t, int64(gaveUp)+2*finished, r.tracker.Stopped)
	// At the end no one is counted: the finished left, those that gave up are gone.
	require.Equal(t, 0.0, r.population[0].Value[len(r.population[0].Value)-1])
}
