package scenarios

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"text/tabwriter"
)

// Reference describes kind k from its declaration: every parameter with its default,
// unit, allowed values and help, then every metric, sample set, time series and theory.
// It is what `netsim show-config KIND` prints, so that nothing a file can set or get is
// hidden (as ns-3 prints its attributes).
func Reference(k Kind) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "kind %s: %s\n", k.Name(), k.Summary())
	tw := tabwriter.NewWriter(&b, 0, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "\nParameters (params: in a scenario file; * may also be a distribution):\n")
	fmt.Fprintf(tw, "  key\ttype\tdefault\tallowed\thelp\n")
	platform := false
	for _, p := range k.Params() {
		key := p.Key
		if p.Type.Implements(randomType) {
			key += " *"
		}
		if p.Platform {
			key += " (p)"
			platform = true
		}
		allowed := ""
		switch {
		case p.Choices != nil:
			allowed = strings.Join(p.Choices, " | ")
		case p.Range != nil:
			allowed = p.Range.String(p.Type)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", key, typeName(p), FormatValue(p.Default), dash(allowed), p.Help)
	}
	if platform {
		fmt.Fprintf(tw, "  (p): the kind's default platform is built from it; not with a topology: section\n")
	}
	section := func(title string, ms []Metric) {
		if len(ms) == 0 {
			return
		}
		fmt.Fprintf(tw, "\n%s\n  name\tunit\thelp\n", title)
		for _, m := range ms {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", m.Name, dash(m.Unit), m.Help)
		}
	}
	section("Metrics (one value per run: columns of runs.csv and summary.csv, a plot's y):", k.Metrics())
	section("Sample sets (samples.csv; y of plots of type cdf, pdf or histogram):", k.Samples())
	section("Time series (series.csv; y of plots of type timeseries):", k.Series())
	if th := k.Theory(); len(th) > 0 {
		fmt.Fprintf(tw, "\nTheory (a plot's theory:, drawn beside its metric):\n  name\tof\tlabel\n")
		for _, t := range th {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", t.Name, t.Metric, t.Label)
		}
	}
	tw.Flush()
	return b.String()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// TypeName says what a parameter's values are, as a user writes them: "rate",
// "size", "duration", "integer", ...
func TypeName(p Param) string { return typeName(p) }

// typeName says what a parameter's values are, as a user writes them.
func typeName(p Param) string {
	t := plainType(p.Type)
	switch t {
	case rateType:
		return "rate"
	case sizeType:
		return "size"
	case durationType:
		return "duration"
	}
	name := typeWant(t)
	name = strings.TrimPrefix(strings.TrimPrefix(name, "an "), "a ")
	if p.Unit != "" && t.Kind() != reflect.String {
		name += " (" + p.Unit + ")"
	}
	return name
}
