// Package dns is the Domain Name System as programs on hosts (Kurose & Ross §2.5;
// RFC 1034 and RFC 1035): name servers that answer from zones — the root (13 letters,
// a to m, each its own host), top-level-domain servers, authoritative servers with
// delegations to intermediate servers — a local recursive server with a cache, and a
// stub resolver for hosts.
//
// Every message is a real DNS message (RFC 1035 §4: the header with its ID, flags and
// four counts; question, answer, authority and additional sections; name
// compression), packed and parsed with golang.org/x/net/dns/dnsmessage. Its wire size
// is the length of that encoding (plus the two-byte length prefix over TCP, RFC 1035
// §4.2.2). Queries go over UDP to port 53; a response that does not fit 512 bytes is
// sent truncated (TC) and the asker retries over TCP (RFC 1035 §4.2.1, RFC 7766).
//
// A program learns only from messages: the local server knows the root servers'
// addresses (its hints file, as named.root is a real server's), a stub knows its local
// server's (resolv.conf), and everything else arrives in answers and referrals. A host's
// address in an A record is its node: 10.0.0.0 + NodeID (AddrOfNode), so a name
// resolved through DNS can be dialled.
//
// Resolution is iterative from the local server into the hierarchy by default (the
// texts' first figure), or fully recursive (the second: each server asks the next with
// RD set and relays the answer). The local server caches answers, referrals (NS and
// glue, so the root is bypassed when a TLD server is known) and negative answers (RFC
// 2308), each until its TTL runs out exactly, within a capacity with LRU eviction and a
// TTL cap. It survives loss and crashes as a real resolver does: a timeout per try,
// retries, the next server of an NS set, and a choice among replicas that is random,
// round-robin or by the lowest smoothed RTT (BIND's rule).
package dns
