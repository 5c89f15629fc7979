package http

import (
	"reflect"
	"strings"
	"testing"

	"netsim/sim"
)

// The message parsers meet every text a peer can send: they must answer each with a
// message or an error, never a panic, and what they accept must read back the same
// after Text writes it again (RFC 7230 §3: the header is the message's wire form).

func FuzzParseRequest(f *testing.F) {
	for _, seed := range []string{
		"GET /somedir/page.html HTTP/1.1\r\nHost: www.someschool.edu\r\nConnection: close\r\nUser-Agent: Mozilla/5.0\r\nCookie: 1678\r\nIf-Modified-Since: Mon, 01 Jan 2024 00:01:30 GMT\r\n\r\n",
		"POST /cgi/form HTTP/1.1\r\nHost: a\r\nContent-Length: 42\r\n\r\n",
		"HEAD /x HTTP/1.0\nIf-Modified-Since: yesterday\n\n",
		"GET / HTTP/2.0\r\n\r\n",
		"BREW /pot HTTP/1.1\r\nHost: t\r\n\r\n",
		"GET /a b HTTP/1.1\r\n\r\n",
		"GET /x HTTP/1.1\r\nHost: h\r\nIf-Modified-Since: Sat, 01 Jan 1000 00:00:00 GMT\r\n\r\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		r, err := ParseRequest(text)
		if err != nil {
			if StatusOf(err) < 400 || StatusOf(err) > 505 {
				t.Fatalf("error %v has status %d", err, StatusOf(err))
			}
			return
		}
		if err := r.Check(); err != nil {
			t.Fatalf("accepted a request that fails its own Check: %v", err)
		}
		back, err := ParseRequest(r.Text())
		if err != nil {
			t.Fatalf("%q parses to %+v, whose text %q does not parse: %v", text, r, r.Text(), err)
		}
		if !reflect.DeepEqual(back, r) {
			t.Fatalf("%q parses to %+v, and its text %q back to %+v", text, r, r.Text(), back)
		}
	})
}

func FuzzParseResponse(f *testing.F) {
	for _, seed := range []string{
		"HTTP/1.1 200 OK\r\nConnection: close\r\nDate: Mon, 01 Jan 2024 03:44:04 GMT\r\nServer: Apache/2.2.3 (CentOS)\r\nLast-Modified: Sun, 31 Dec 2023 22:59:59 GMT\r\nContent-Length: 6821\r\nContent-Type: text/html\r\nCache-Control: max-age=3600\r\nSet-Cookie: 1678\r\n\r\n",
		"HTTP/1.1 304 Not Modified\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\nServer: Apache/1.3.0 (Unix)\r\n\r\n",
		"HTTP/1.1 301 Moved Permanently\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\nContent-Length: 0\r\nLocation: http://b/x\r\n\r\n",
		"HTTP/1.1 200 OK\r\nCache-Control: max-age=9223372036854775807\r\n\r\n",
		"HTTP/1.1 200 OK\r\nDate: Fri, 31 Dec 9999 23:59:59 GMT\r\n\r\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		r, err := ParseResponse(text)
		if err != nil {
			return
		}
		// What the model itself sends has a Date and, but for 304, a Content-Length,
		// which Text always writes; a response without them reads back with their
		// zero values written out, so the round trip starts from r's own text.
		first, err := ParseResponse(r.Text())
		if err != nil {
			t.Fatalf("%q parses to %+v, whose text %q does not parse: %v", text, r, r.Text(), err)
		}
		back, err := ParseResponse(first.Text())
		if err != nil || !reflect.DeepEqual(back, first) {
			t.Fatalf("text %q reads as %+v, and its text %q as %+v (%v)", r.Text(), first, first.Text(), back, err)
		}
		if r.Date < -sim.Horizon || r.Date > sim.Horizon || r.LastModified < -sim.Horizon || r.LastModified > sim.Horizon {
			t.Fatalf("%q: a date beyond the virtual time a run can reach: %+v", text, r)
		}
		if r.CacheControlMaxAge < 0 || r.CacheControlMaxAge > sim.Horizon {
			t.Fatalf("%q: max-age %v", text, r.CacheControlMaxAge)
		}
	})
}

func FuzzParseURL(f *testing.F) {
	for _, seed := range []string{"http://www.someschool.edu/somedir/page.html", "/img/1.jpg", "http://", "ftp://x/y", "http://h", "http:///x"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		base := URL{Host: "base", Path: "/"}
		u, err := ParseURL(s, base)
		if err != nil {
			return
		}
		if u.Host == "" || !strings.HasPrefix(u.Path, "/") {
			t.Fatalf("%q parses to %+v: no host or a path not from the root", s, u)
		}
		back, err := ParseURL(u.String(), base)
		if err != nil || back != u {
			t.Fatalf("%q parses to %+v, and %q back to %+v (%v)", s, u, u.String(), back, err)
		}
	})
}
