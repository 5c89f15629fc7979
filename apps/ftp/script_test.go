package ftp

import (
	"fmt"
	"testing"

	"github.com/cockroachdb/datadriven"

	"netsim/topology/hosttest"
)

// The server of RFC 959 driven line by line from testdata/server.txt: every reply to
// a malformed or out-of-place command (500, 501, 502, 503, 504, 530), a command cut
// across two messages and two in one, PORT to a third host refused (RFC 2577), and
// the two data-connection modes. Regenerate with -rewrite.
func TestServerScript(t *testing.T) {
	h := hosttest.New(serverHost, 1)
	var srv *Server
	h.Handle("start", func(d *datadriven.TestData) string {
		var err error
		srv, err = NewServer(h, ServerConfig{Users: map[string]string{"alice": "wonderland"}, FS: testFS()}, nil)
		if err != nil {
			return err.Error()
		}
		return ""
	})
	h.Handle("stats", func(d *datadriven.TestData) string {
		s := srv.Stats()
		return fmt.Sprintf("sessions %d, commands %d, replies %d, data conns %d, by code %v\n%s",
			s.Sessions, s.Commands, s.Replies, s.DataConns, s.ByCode, h.Summary())
	})
	h.Run(t, "testdata/server.txt")
}
