package http

import (
	"fmt"
	"strings"
)

// URL is an http URL as the model uses it: a host name (a node's name in the
// topology, as a browser's hosts file would map it) and a path.
type URL struct {
	Host string
	Path string
}

func (u URL) String() string { return "http://" + u.Host + u.Path }

// ParseURL reads "http://host/path", or a path ("/a/b") relative to base's host, as a
// Location or a link may give it.
func ParseURL(s string, base URL) (URL, error) {
	if strings.HasPrefix(s, "/") {
		return URL{Host: base.Host, Path: s}, nil
	}
	rest, ok := strings.CutPrefix(s, "http://")
	if !ok {
		return URL{}, fmt.Errorf("unsupported URL %q (want http://host/path or /path)", s)
	}
	host, path, _ := strings.Cut(rest, "/")
	if host == "" {
		return URL{}, fmt.Errorf("URL %q has no host", s)
	}
	return URL{Host: host, Path: "/" + path}, nil
}
