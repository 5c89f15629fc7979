package http

import (
	"fmt"
	"maps"

	"netsim/sim"
	"netsim/topology"
)

// VisitConfig is a user at a browser who loads one page several times (Kurose & Ross
// §2.2.4's returning user): Sessions loads (0 means 1), each SessionGap after the
// previous one ended.
type VisitConfig struct {
	Browser    BrowserConfig
	URL        URL
	Sessions   int
	SessionGap sim.Time
}

// Visits returns the program of the browser's host: it loads the page of cfg, session
// after session, and appends each finished load to pages. The cookie file is on the
// host's disk: it survives a crash. A load that a crash cuts off is lost, and the user
// starts it again when the host comes back.
func Visits(cfg VisitConfig, pages *[]PageResult) func(topology.Host) error {
	sessions := max(cfg.Sessions, 1)
	jar := maps.Clone(cfg.Browser.CookieFile)
	return func(h topology.Host) error {
		bc := cfg.Browser
		bc.CookieFile = jar
		b, err := NewBrowser(h, bc)
		if err != nil {
			return err
		}
		var load func()
		load = func() {
			b.Load(cfg.URL, func(r PageResult) {
				*pages = append(*pages, r)
				jar = b.CookieFile()
				if len(*pages) < sessions {
					h.After(cfg.SessionGap, load)
				}
			})
		}
		if len(*pages) < sessions {
			load()
		}
		return nil
	}
}

// Page returns a server's catalogue for a page of a base HTML file of baseBytes at
// /index.html linking objects /img/1.jpg … /img/K.jpg of objectBytes each: the page of
// §2.2.2. Every object was last modified a day before the run starts.
func Page(baseBytes int64, objectBytes []int64) map[string]Object {
	links := make([]string, len(objectBytes))
	objs := map[string]Object{}
	for i, s := range objectBytes {
		links[i] = fmt.Sprintf("/img/%d.jpg", i+1)
		objs[links[i]] = Object{SizeBytes: s, ContentType: "image/jpeg", LastModified: -24 * sim.Hour}
	}
	objs["/index.html"] = Object{SizeBytes: baseBytes, ContentType: "text/html", LastModified: -24 * sim.Hour, Links: links}
	return objs
}
