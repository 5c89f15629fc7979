package scenarios

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"netsim/scenarios/units"
)

// Capture is a scenario's capture: section: for every run, the hosts whose network
// interfaces are written as pcap files, and the hosts of a message sequence chart
// (package capture). It changes no run's numbers, so a campaign that adds it resumes
// in the same folder, running again only the runs whose captures are missing.
type Capture struct {
	Pcap []string `yaml:"pcap" help:"hosts whose interfaces each run writes as a pcap file (Wireshark reads it)"`
	MSC  []string `yaml:"msc" help:"hosts of each run's message sequence chart, left to right"`
	// SnapLen keeps only the first bytes of each frame (tcpdump's -s), for long runs.
	SnapLen units.Size `yaml:"snaplen" help:"bytes of each frame a pcap keeps; 0 keeps whole frames"`
	// MaxFile bounds each pcap file; 0 means capture.DefaultMaxFileBytes.
	MaxFile  units.Size     `yaml:"max_file" help:"the largest pcap file a run may write; 0 for 1GiB"`
	From     units.Duration `yaml:"from" help:"the chart's time window starts here"`
	To       units.Duration `yaml:"to" help:"the chart's time window ends here; 0 for the end of the run"`
	Messages string         `yaml:"messages" help:"a regular expression: the chart shows only the messages whose label matches (e.g. ^GET|^HTTP)"`
}

// MessageFilter is Messages compiled, nil for none.
func (c *Capture) MessageFilter() *regexp.Regexp {
	if c == nil || c.Messages == "" {
		return nil
	}
	return regexp.MustCompile(c.Messages) // checked when decoded or set
}

// Hosts is every host the capture taps, each once, in the order first named.
func (c *Capture) Hosts() []string {
	var hs []string
	for _, h := range append(slices.Clone(c.Pcap), c.MSC...) {
		if !slices.Contains(hs, h) {
			hs = append(hs, h)
		}
	}
	return hs
}

// check reports the first problem of c as a key below capture and a reason.
func (c *Capture) check() (key, reason string) {
	for _, l := range []struct {
		key   string
		hosts []string
	}{{"pcap", c.Pcap}, {"msc", c.MSC}} {
		for i, h := range l.hosts {
			if strings.TrimSpace(h) == "" {
				return l.key, fmt.Sprintf("host %d has no name", i+1)
			}
			if slices.Index(l.hosts, h) != i {
				return l.key, fmt.Sprintf("host %q is named twice", h)
			}
		}
	}
	switch {
	case c.SnapLen < 0 || c.SnapLen.Bytes() > 262144:
		return "snaplen", fmt.Sprintf("must be in [0, 256KiB], got %s", FormatValue(c.SnapLen))
	case c.SnapLen > 0 && c.SnapLen.Bytes() < 54:
		return "snaplen", fmt.Sprintf("must be 0 or keep at least the 54 bytes of Ethernet, IPv4 and TCP headers, got %s", FormatValue(c.SnapLen))
	case c.MaxFile < 0:
		return "max_file", "must not be negative"
	case c.From < 0 || c.To < 0:
		return "from", "the window's ends must not be negative"
	case c.To > 0 && c.To <= c.From:
		return "to", fmt.Sprintf("must be after from (%s)", FormatValue(c.From))
	case len(c.Pcap) == 0 && len(c.MSC) == 0:
		return "pcap", "a capture names at least one host, in pcap or msc"
	}
	if _, err := regexp.Compile(c.Messages); err != nil {
		return "messages", fmt.Sprintf("not a regular expression: %v", err)
	}
	return "", ""
}

// decodeCapture decodes capture:, if the file has one.
func (d *decoder) decodeCapture(n *yaml.Node, s *Scenario) {
	if n.Kind == 0 {
		return
	}
	var c Capture
	if !d.decode(n, reflect.ValueOf(&c).Elem(), "capture") {
		return
	}
	if key, reason := c.check(); key != "" {
		at := n
		if kv, ok := d.keys["capture."+key]; ok {
			at = kv[1]
		}
		d.fail(at, "capture."+key, "%s", reason)
		return
	}
	s.Capture = &c
}

// SetCapture replaces the hosts the capture writes as pcap files (if pcap is not nil)
// and those on its chart (if msc is not nil), as netsim run's --pcap and --msc do,
// keeping the file's other capture settings.
func (s *Scenario) SetCapture(pcap, msc []string) error {
	var c Capture
	if s.Capture != nil {
		c = *s.Capture
	}
	if pcap != nil {
		c.Pcap = pcap
	}
	if msc != nil {
		c.MSC = msc
	}
	if key, reason := c.check(); key != "" {
		return fmt.Errorf("capture.%s: %s", key, reason)
	}
	s.Capture = &c
	return nil
}
