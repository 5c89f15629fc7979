// Package topology is netsim's network: nodes, directed links with a capacity and a
// propagation delay, shortest-delay routes, and flows whose rates are the max-min fair
// allocation of the links they cross.
//
// Data moves in the fluid model that the textbook's bounds are proven in (Kurose & Ross
// §2.5, the D_cs and D_P2P bounds): a flow is a quantity of bits leaving its sender at a
// rate, and the rates of all flows are the max-min fair allocation over the links
// (Bertsekas & Gallager, "Data Networks", §6.5). The allocation is kept up to date
// incrementally as flows start, finish and change caps: the work done for one event
// grows with the number of flows whose rates really change, not with the number of
// flows in the network.
//
// Links fail and are restored (FailLink, RestoreLink): the flows crossing a link that
// goes down fail with it, their owners hear of it through onDone (Flow.Failed), and
// routes are recomputed around it. Each link also carries a datagram loss probability
// for the socket layer to draw from.
//
// On the flows sits a transport layer, Stack, and the Host interface that protocol
// models see: a host's clock, its own timers and random stream, TCP connections (Conn)
// and UDP sockets. Messages arrive whole, a propagation delay after their last bit
// leaves; every one has the wire size of its real encoding, and TCP's control segments
// (40 bytes by default) are flows too, so they take their transmission time and share
// links like data. A connection's (or a socket's) segments leave one after another on
// one flow while they follow each other back to back on one route (Network.drain), and
// segments up to TCPParams.PacketBytes (UDPParams.PacketBytes for datagrams) may be
// sent as packets, at line rate without a share (packet.go; off by default).
//
// Things fail as on the real Internet:
//   - Conn.Abort sends a reset: the local flows end at once and the peer hears OnReset
//     (ErrReset) when the RST arrives. Calls on a dead socket return errors.
//   - Stack.Crash stops a host as a power cut would: its flows, the TCP flows towards
//     it, its sockets and its timers are gone at once, and nothing already on the wire
//     towards it is delivered, even after it recovers. It sends no reset, so its peers
//     learn of the crash only from their own retransmission timeouts (RFC 6298's
//     backoff: 924.6 s with Linux's tcp_retries2), or from the reset the rebooted host
//     answers to a connection it forgot. A dial to a dead host times out after its
//     SYN retransmissions (127 s with tcp_syn_retries = 6); to a port nobody listens on
//     it is refused after one RTT.
//   - Stack.Recover brings a host back empty and starts its program again (Boot);
//     Stack.Leave runs the program's leave hook, then takes the host down.
//   - A connection whose flow fails with a link retransmits, and resumes over the new
//     route at its first retransmission timeout if there is one.
//
// Package hosttest fakes a Host, so that a model can be tested alone from a script.
package topology
