// Package crlftest drives one server session of a text protocol without a network:
// a connection that keeps the lines the server sends, fed a client's bytes cut into
// messages anywhere, as the fuzz targets of the SMTP, POP3, IMAP and FTP servers do.
package crlftest

import (
	"netsim/apps/crlf"
	"netsim/sim"
	"netsim/topology"
)

// Conn is a server's side of a connection that keeps what the server sends, whole
// texts in order. A message whose size is not its text's length panics: a text
// protocol's messages are their bytes.
type Conn struct {
	LocalAddr topology.Addr
	Sent      []string
	Ended     bool // the server closed or aborted it
	h         *topology.ConnHandler
}

func (c *Conn) Local() topology.Addr               { return c.LocalAddr }
func (c *Conn) Remote() topology.Addr              { return topology.Addr{Node: 1, Port: 49152} }
func (c *Conn) RTT() sim.Time                      { return sim.Millisecond }
func (c *Conn) SetHandler(h *topology.ConnHandler) { c.h = h }
func (c *Conn) Unsend(topology.SendID) bool        { return false }
func (c *Conn) Queued() (int, int64)               { return 0, 0 }
func (c *Conn) Close() error                       { c.Ended = true; return nil }
func (c *Conn) Abort() error                       { c.Ended = true; return nil }
func (c *Conn) Send(m topology.Message) (topology.SendID, error) {
	s, _ := crlf.Text(m)
	if int64(len(s)) != m.SizeBytes {
		panic("a reply's size is not its length")
	}
	c.Sent = append(c.Sent, s)
	return topology.SendID(len(c.Sent)), nil
}

// Feed hands data to the session in messages of cut%64+1 bytes, until it is all in or
// the server has ended the connection.
func (c *Conn) Feed(data []byte, cut uint8) {
	step := int(cut)%64 + 1
	for i := 0; i < len(data) && !c.Ended; i += step {
		c.h.OnMessage(c, crlf.Message(string(data[i:min(i+step, len(data))])))
	}
}
