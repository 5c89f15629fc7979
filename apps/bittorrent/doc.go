// Package bittorrent models a BitTorrent swarm as the texts describe it (Kurose &
// Ross §2.6.1) and BEP 3 specifies it: a tracker (Tracker) answering announces over
// HTTP with apps/http's server, with a bencoded dictionary and a compact peer list
// (BEP 23) of a random numwant subset; and peers (Peer), each a program on its own
// host, that announce (started, completed, stopped, and again every interval, or
// early when short of neighbours), dial the peers they are given, and speak the
// peer wire protocol with every message at its true size: handshake, bitfield,
// have, interested, choke, unchoke, request, piece, cancel, keep-alive.
//
// A peer learns its neighbours' pieces only from their bitfield and have messages.
// It picks blocks by strict priority, then a random first piece or the rarest
// among its neighbours (or random, or sequential, for study), with end-game mode
// at the end; it chokes by tit-for-tat every 10 s (the 4 neighbours that gave it
// the most over 20 s) with an optimistic unchoke rotated every 30 s, or by round
// robin, or by Bharambe et al.'s block-level rule; a seed by upload rate or by
// recency. Its disk (Record) survives a crash: a peer that comes back has its
// pieces. The messages implement topology.Encoder and Labeler, so a capture shows
// them to tshark and on sequence charts.
//
// The package builds no network; scenarios/kinds/bittorrent.go deploys it on a
// platform and reads the Records.
package bittorrent
