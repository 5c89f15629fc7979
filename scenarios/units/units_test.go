package units

import (
	"testing"

	"go.yaml.in/yaml/v3"

	"netsim/sim"
)

func TestParseRate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
		str  string
	}{
		{"30Mbps", 30e6, "30Mbps"},
		{"700kbps", 700e3, "700kbps"},
		{"700Kbps", 700e3, "700kbps"},
		{"1.5 Gbps", 1.5e9, "1.5Gbps"},
		{"100bps", 100, "100bps"},
		{"10Mbit/s", 10e6, "10Mbps"},
		{"10 Mb/s", 10e6, "10Mbps"},
		{"2Tbps", 2e12, "2Tbps"},
		{"0.1Mbps", 1e5, "100kbps"},
		{"0bps", 0, "0bps"},
		{"1e3kbps", 1e6, "1Mbps"},
		{"1_000bps", 1000, "1kbps"},
		{"+5Mbps", 5e6, "5Mbps"},
		{"1234567bps", 1234567, "1.234567Mbps"},
		{"0.3bps", 0.3, "0.3bps"},
	} {
		got, err := ParseRate(tc.in)
		if err != nil {
			t.Errorf("ParseRate(%q): %v", tc.in, err)
			continue
		}
		if got.Bps() != tc.want {
			t.Errorf("ParseRate(%q) = %v bit/s, want %v", tc.in, got.Bps(), tc.want)
		}
		if got.String() != tc.str {
			t.Errorf("ParseRate(%q).String() = %q, want %q", tc.in, got.String(), tc.str)
		}
		if back, err := ParseRate(got.String()); err != nil || back != got {
			t.Errorf("round trip of %q: %v, %v", tc.in, back, err)
		}
	}
}

func TestParseRateErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"30", `invalid rate "30": missing unit: write e.g. 30Mbps`},
		{"", `empty rate: write e.g. 30Mbps`},
		{"30mbps", `invalid rate "30mbps": unit "mbps" would be milli-bits per second: write Mbps for megabits per second`},
		{"30Mbs", `invalid rate "30Mbs": unknown unit "Mbs": want bps, kbps, Mbps, Gbps or Tbps (or kbit/s, Mbit/s, ...)`},
		{"-5Mbps", `invalid rate "-5Mbps": must not be negative`},
		{"NaN", `invalid rate "NaN": want a number followed by a unit, e.g. 30Mbps`},
		{"Inf Mbps", `invalid rate "Inf Mbps": want a number followed by a unit, e.g. 30Mbps`},
		{"1e400Gbps", `invalid rate "1e400Gbps": too large`},
		{"3MBps", `invalid rate "3MBps": unit "MBps" is bytes per second; rates are in bits per second, e.g. 8Mbps for 1MB/s`},
		{"1.2.3Mbps", `invalid rate "1.2.3Mbps": "1.2.3" is not a number`},
		{"Mbps", `invalid rate "Mbps": want a number followed by a unit, e.g. 30Mbps`},
	} {
		_, err := ParseRate(tc.in)
		if err == nil || err.Error() != tc.want {
			t.Errorf("ParseRate(%q) error = %v, want %q", tc.in, err, tc.want)
		}
	}
}

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in    string
		bits  int64
		bytes int64
		str   string
	}{
		{"15Gbit", 15_000_000_000, 1_875_000_000, "15Gbit"},
		{"1Mbit", 1_000_000, 125_000, "1Mbit"},
		{"1kbit", 1000, 125, "1kbit"},
		{"1Kbit", 1000, 125, "1kbit"},
		{"9bit", 9, 2, "9bit"},
		{"0bit", 0, 0, "0B"},
		{"1B", 8, 1, "1B"},
		{"1kB", 8000, 1000, "1kB"},
		{"1KB", 8000, 1000, "1kB"},
		{"1MB", 8_000_000, 1_000_000, "1MB"},
		{"2GB", 16_000_000_000, 2_000_000_000, "2GB"},
		{"256KiB", 256 * 1024 * 8, 256 * 1024, "256KiB"},
		{"1.5KiB", 1536 * 8, 1536, "1.5KiB"},
		{"1MiB", 8 << 20, 1 << 20, "1MiB"},
		{"4GiB", 32 << 30, 4 << 30, "4GiB"},
		{"1.5 MB", 12_000_000, 1_500_000, "12Mbit"},
		{"0.125B", 1, 1, "1bit"},
		{"1.875GB", 15_000_000_000, 1_875_000_000, "15Gbit"},
	} {
		got, err := ParseSize(tc.in)
		if err != nil {
			t.Errorf("ParseSize(%q): %v", tc.in, err)
			continue
		}
		if got.Bits() != tc.bits || got.Bytes() != tc.bytes {
			t.Errorf("ParseSize(%q) = %d bit, %d B; want %d bit, %d B", tc.in, got.Bits(), got.Bytes(), tc.bits, tc.bytes)
		}
		if got.String() != tc.str {
			t.Errorf("ParseSize(%q).String() = %q, want %q", tc.in, got.String(), tc.str)
		}
		if back, err := ParseSize(got.String()); err != nil || back != got {
			t.Errorf("round trip of %q: %v, %v", tc.in, back, err)
		}
	}
}

func TestParseSizeErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"15", `invalid size "15": missing unit: write e.g. 15Gbit or 256KiB`},
		{"15Gb", `invalid size "15Gb": ambiguous unit "Gb": write Gbit for bits or GB for bytes`},
		{"3mB", `invalid size "3mB": unit "mB" would be milli-B: write MB`},
		{"3furlongs", `invalid size "3furlongs": unknown unit "furlongs": want bit, kbit, Mbit, Gbit, Tbit, B, kB, MB, GB, TB, KiB, MiB, GiB or TiB`},
		{"-1MB", `invalid size "-1MB": must not be negative`},
		{"0.1B", `invalid size "0.1B": not a whole number of bits`},
		{"1e30TB", `invalid size "1e30TB": too large`},
	} {
		_, err := ParseSize(tc.in)
		if err == nil || err.Error() != tc.want {
			t.Errorf("ParseSize(%q) error = %v, want %q", tc.in, err, tc.want)
		}
	}
}

func TestParseDuration(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want sim.Time
		str  string
	}{
		{"40ms", 40 * sim.Millisecond, "40ms"},
		{"2h", 2 * sim.Hour, "2h"},
		{"1.5s", 1500 * sim.Millisecond, "1.5s"},
		{"10us", 10 * sim.Microsecond, "10us"},
		{"10µs", 10 * sim.Microsecond, "10us"},
		{"7ns", 7, "7ns"},
		{"1min", sim.Minute, "1min"},
		{"90min", 90 * sim.Minute, "90min"},
		{"1.5h", 90 * sim.Minute, "90min"},
		{"1234567ns", 1234567, "1234567ns"},
		{"1d", 24 * sim.Hour, "1d"},
		{"0s", 0, "0s"},
		{"0.1s", 100 * sim.Millisecond, "100ms"},
		{"60s", sim.Minute, "1min"},
		{"100 s", 100 * sim.Second, "100s"},
	} {
		got, err := ParseDuration(tc.in)
		if err != nil {
			t.Errorf("ParseDuration(%q): %v", tc.in, err)
			continue
		}
		if got.Time() != tc.want {
			t.Errorf("ParseDuration(%q) = %d ns, want %d", tc.in, got, tc.want)
		}
		if got.String() != tc.str {
			t.Errorf("ParseDuration(%q).String() = %q, want %q", tc.in, got.String(), tc.str)
		}
		if back, err := ParseDuration(got.String()); err != nil || back != got {
			t.Errorf("round trip of %q: %v, %v", tc.in, back, err)
		}
	}
}

func TestParseDurationErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"40", `invalid duration "40": missing unit: write e.g. 40ms`},
		{"5m", `invalid duration "5m": ambiguous unit "m": write min for minutes or ms for milliseconds`},
		{"-1s", `invalid duration "-1s": must not be negative`},
		{"1.5ns", `invalid duration "1.5ns": finer than a nanosecond`},
		{"3weeks", `invalid duration "3weeks": unknown unit "weeks": want ns, us, ms, s, min, h or d`},
		{"1e9d", `invalid duration "1e9d": too long`},
	} {
		_, err := ParseDuration(tc.in)
		if err == nil || err.Error() != tc.want {
			t.Errorf("ParseDuration(%q) error = %v, want %q", tc.in, err, tc.want)
		}
	}
}

func TestYAML(t *testing.T) {
	type doc struct {
		Rate Rate     `yaml:"rate"`
		Size Size     `yaml:"size"`
		Time Duration `yaml:"time"`
	}
	var d doc
	if err := yaml.Unmarshal([]byte("rate: 30Mbps\nsize: 256KiB\ntime: 40ms\n"), &d); err != nil {
		t.Fatal(err)
	}
	if d.Rate != 30e6 || d.Size != 256*1024*8 || d.Time.Time() != 40*sim.Millisecond {
		t.Fatalf("decoded %+v", d)
	}
	out, err := yaml.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	if want := "rate: 30Mbps\nsize: 256KiB\ntime: 40ms\n"; string(out) != want {
		t.Errorf("Marshal = %q, want %q", out, want)
	}
	for _, tc := range []struct{ in, want string }{
		{"rate: 30\n", "invalid rate 30: missing unit: write e.g. 30Mbps"},
		{"size: [1]\n", "want a size such as 15Gbit or 256KiB, got a list"},
	} {
		var d doc
		err := yaml.Unmarshal([]byte(tc.in), &d)
		if err == nil || err.Error() != tc.want {
			t.Errorf("Unmarshal(%q) error = %v, want %q", tc.in, err, tc.want)
		}
	}
}

func TestUnmarshalNull(t *testing.T) {
	var d Duration
	err := d.UnmarshalYAML(&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: ""})
	if want := "missing value: want a duration such as 40ms"; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}

func TestFrequency(t *testing.T) {
	for _, c := range []struct {
		in, canonical string
		perS          float64
	}{{"0.5/s", "0.5/s", 0.5}, {"2/min", "2/min", 2.0 / 60}, {"30/h", "30/h", 30.0 / 3600}, {"1/d", "1/d", 1.0 / 86400}, {"120/min", "2/s", 2}, {"3/ms", "3000/s", 3000}} {
		f, err := ParseFrequency(c.in)
		if err != nil || f.PerSecond() != c.perS || f.String() != c.canonical {
			t.Errorf("%s: %v (%v), %s; want %v, %s", c.in, f.PerSecond(), err, f, c.perS, c.canonical)
		}
	}
	for in, want := range map[string]string{
		"2":    `invalid frequency "2": want a count per unit of time, e.g. 0.5/s or 2/min`,
		"2/mn": `invalid frequency "2/mn": unknown unit "mn": want /ms, /s, /min, /h or /d`,
		"-1/s": `invalid frequency "-1/s": must not be negative`,
		"x/s":  `invalid frequency "x/s": "x" is not a number`,
		"1/ns": `invalid frequency "1/ns": unknown unit "ns": want /ms, /s, /min, /h or /d`,
	} {
		if _, err := ParseFrequency(in); err == nil || err.Error() != want {
			t.Errorf("%s: %v, want %s", in, err, want)
		}
	}
}
