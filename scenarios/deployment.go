package scenarios

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Deployment places a kind's programs on the hosts of a platform, as SimGrid's
// deployment file does apart from its platform file: one Placement per host that runs
// a program, in the topology's order. A node it does not name (a router) runs nothing,
// so a schedule may not crash it: the flow model forwards through it regardless.
type Deployment []Placement

// Placement is one host's role in a kind ("server", "peer", "browser", ...).
type Placement struct {
	Host, Role string
	// Steady, if not "", is why the schedule may not take this host down.
	Steady string
	// Param, if not "", is the parameter that names the host (http's browser_host),
	// for the error when the topology has no such host.
	Param string
}

// Place appends a placement like p on each of hosts, in their order.
func (d Deployment) Place(p Placement, hosts ...string) Deployment {
	for _, h := range hosts {
		p.Host = h
		d = append(d, p)
	}
	return d
}

// missing returns an error for each host of d that t does not have, in d's order: in
// O(hosts), where asking t.Has of each would be quadratic in a swarm's.
func (d Deployment) missing(kind string, t *Topology) []error {
	var errs []error
	has := map[string]bool{}
	for _, h := range t.Hosts() {
		has[h] = true
	}
	for _, p := range d {
		if !has[p.Host] {
			e := Errorf("topology", "kind %s needs a host named %s for its %s", kind, p.Host, p.Role)
			if p.Param != "" {
				e.Reason += fmt.Sprintf(" (params.%s)", p.Param)
			}
			errs = append(errs, e)
		}
	}
	return errs
}

// Hosts returns the hosts of role, in the deployment's order.
func (d Deployment) Hosts(role string) []string {
	var out []string
	for _, p := range d {
		if p.Role == role {
			out = append(out, p.Host)
		}
	}
	return out
}

func (d Deployment) find(host string) (Placement, bool) {
	for _, p := range d {
		if p.Host == host {
			return p, true
		}
	}
	return Placement{}, false
}

func (d Deployment) hostList() string {
	names := make([]string, 0, len(d))
	for _, p := range d {
		names = append(names, p.Host)
	}
	if len(names) > 12 {
		return strings.Join(names[:12], ", ") + fmt.Sprintf(", ... (%d in all)", len(names))
	}
	return strings.Join(names, ", ")
}

// checkPlatform checks the platform a file's runs will have, before anything runs: no
// parameter of the kind's default platform is set beside a topology: section (it would
// be ignored), the kind can deploy its programs at every point (on the file's topology,
// or its default one), and every host the schedule takes up or down runs one of them.
func (s *Scenario) checkPlatform() Errors {
	var errs Errors
	for _, p := range s.Kind.Params() {
		if p.Platform && s.Topology != nil {
			if e := s.platformParamSet(p.Key); e != nil {
				errs = append(errs, e)
			}
		}
	}
	if len(errs) > 0 {
		return errs
	}
	seen := map[string]bool{}
	for i := range s.NumPoints() {
		dep, err := s.Kind.Deploy(s.Point(i).Params, s.Topology)
		for _, e := range flatten(err) {
			key, reason := "topology", e.Error()
			if fe, ok := e.(*FieldError); ok {
				key, reason = fe.Key, fe.Reason
			}
			if le := s.errorAtKey(key, reason); !seen[le.Error()] {
				seen[le.Error()] = true
				errs = append(errs, le)
			}
		}
		if err != nil || dep == nil || s.Schedule == nil {
			continue
		}
		for _, e := range s.scheduledHosts() {
			if le := s.checkScheduled(dep, e); le != nil && !seen[le.Error()] {
				seen[le.Error()] = true
				errs = append(errs, le)
			}
		}
	}
	return errs
}

// platformParamSet returns an error where key, a parameter of the default platform, is
// set: by --set, in the sweep, in params or by a variant; nil if nowhere.
func (s *Scenario) platformParamSet(key string) *Error {
	reason := fmt.Sprintf("describes kind %s's default platform, which the file's topology: section replaces: give it there", s.Kind.Name())
	if a := s.AxisIndex(key); a >= 0 {
		ax := s.Sweep[a]
		if ax.setArg != "" {
			return &Error{File: "--set " + ax.setArg, Key: key, Reason: reason}
		}
		if n := ax.nodes[0]; s.hasLines {
			return s.src.errorAt(n.Line, n.Column, "sweep."+key, "%s", reason)
		}
		return s.errorAtKey("sweep."+key, reason)
	}
	if arg, ok := s.setArgs[key]; ok {
		return &Error{File: "--set " + arg, Key: key, Reason: reason}
	}
	if _, ok := s.keys["params."+key]; ok {
		return s.errorAtKey("params."+key, reason)
	}
	for _, v := range s.Variants {
		if n, ok := v.nodes[key]; ok && s.hasLines {
			return s.src.errorAt(n.Line, n.Column, "variants."+v.Name+"."+key, "%s", reason)
		}
	}
	return nil
}

// scheduledHosts lists one event per host the schedule takes up or down, at the first
// place in the file that names it.
func (s *Scenario) scheduledHosts() []Event {
	var out []Event
	seen := map[string]bool{}
	add := func(e Event) {
		if !seen[e.Target] {
			seen[e.Target] = true
			out = append(out, e)
		}
	}
	for _, c := range s.Schedule.Churn {
		for _, h := range c.Hosts {
			add(Event{Action: Join, Target: h, src: c.src})
		}
	}
	for _, e := range s.Schedule.Events {
		if e.Action != FailLink && e.Action != RestoreLink && e.Action != SetLoss {
			add(e)
		}
	}
	return out
}

func (s *Scenario) checkScheduled(dep Deployment, e Event) *Error {
	p, ok := dep.find(e.Target)
	switch {
	case !ok:
		return s.errorAtKey(e.src, fmt.Sprintf("host %s runs no program of kind %s (its hosts: %s)", e.Target, s.Kind.Name(), dep.hostList()))
	case p.Steady != "":
		return s.errorAtKey(e.src, fmt.Sprintf("host %s is a %s of kind %s, which the schedule may not take down: %s", e.Target, p.Role, s.Kind.Name(), p.Steady))
	}
	return nil
}

// errorAtKey locates a problem at a dotted key of the file: its value, or its key, or
// the nearest enclosing key the file has.
func (s *Scenario) errorAtKey(key, reason string) *Error {
	for k := key; k != ""; k = parentKey(k) {
		if kv, ok := s.keys[k]; ok {
			which := 1
			if k != key || kv[1] == nil || kv[1].Kind != yaml.ScalarNode {
				which = 0
			}
			return s.at(kv, which, key, reason)
		}
	}
	return &Error{File: s.File, Key: key, Reason: reason}
}
