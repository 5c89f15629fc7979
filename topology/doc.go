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
// The package knows nothing of messages or protocols: the simulated sockets built on it
// add connection set-up, propagation delay to delivery and message framing.
package topology
