package http

import (
	"fmt"
	"testing"

	"github.com/cockroachdb/datadriven"

	"netsim/sim"
	"netsim/topology/hosttest"
)

// The server of Kurose & Ross §2.2.3 driven line by line from testdata/server.txt:
// the textbook's request and response, a persistent connection closed by the idle
// timeout, a conditional GET, a malformed request. Regenerate with -rewrite.
func TestServerScript(t *testing.T) {
	h := hosttest.New(ServerHost, 1)
	var srv *Server
	h.Handle("start", func(d *datadriven.TestData) string {
		var err error
		srv, err = NewServer(h, ServerConfig{Objects: map[string]Object{
			"/somedir/page.html": {SizeBytes: 6821, ContentType: "text/html", LastModified: -24 * sim.Hour},
		}})
		if err != nil {
			return err.Error()
		}
		return ""
	})
	h.Handle("stats", func(d *datadriven.TestData) string {
		s := srv.Stats()
		return fmt.Sprintf("requests %d, by status %v, accepted %d, closed idle %d\n%s",
			s.Requests, s.ByStatus, s.ConnsAccepted, s.ConnsClosedIdle, h.Summary())
	})
	h.Run(t, "testdata/server.txt")
}

// The failure story of a client whose server crashes mid-response, from
// testdata/crash.txt: the response's first bits arrive, then nothing — a crashed
// server sends no reset — and the browser finds out only through its own response
// timeout. Regenerate with -rewrite.
func TestBrowserServerCrashScript(t *testing.T) {
	h := hosttest.New(BrowserHost, 1)
	var br *Browser
	h.Handle("start", func(d *datadriven.TestData) string {
		var err error
		br, err = NewBrowser(h, BrowserConfig{Mode: Persistent, Resolve: h.Resolve})
		if err != nil {
			return err.Error()
		}
		return ""
	})
	h.Handle("load", func(d *datadriven.TestData) string {
		var raw string
		d.ScanArgs(t, "url", &raw)
		u, err := ParseURL(raw, URL{})
		if err != nil {
			return err.Error()
		}
		br.Load(u, func(r PageResult) {
			h.Printf("page %s: objects %d, errors %d, retries %d, requests %d, responses %d, load time %v",
				r.URL.Path, r.Objects, r.Errors, r.Retries, r.Requests, r.Responses, r.LoadTime())
		})
		return ""
	})
	h.Handle("summary", func(d *datadriven.TestData) string { return h.Summary() })
	h.Run(t, "testdata/crash.txt")
}
