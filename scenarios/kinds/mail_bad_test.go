package kinds

import (
	"strings"
	"testing"

	"netsim/scenarios"
)

// badMailScenarios are scenarios of the mail, mailaccess, ftp and echo kinds refused
// before anything runs, each with its file:line: key: reason (the first line of
// the error; a caret under the key follows).
var badMailScenarios = []struct{ name, file, want string }{
	{"mail without Bob's server", `kind: mail
topology:
  star:
    hosts:
      - {name: alice-pc}
      - {name: crepes.fr}
`, "bad.yaml:2: topology: kind mail needs a host named hamburger.edu for its Bob's mail server"},
	{"mail retrying faster than a dial fails", `kind: mail
params: {retry_interval: 1min}
`, "bad.yaml:2: params.retry_interval: 1min must be longer than a failing dial's 2m7s"},
	{"mail with a one-byte body", `kind: mail
params: {body_size: 1B}
`, "bad.yaml:2: params.body_size: must be at least 2 bytes, a line's CRLF"},
	{"mailaccess opening more than there is", `kind: mailaccess
params: {method: imap-headers, messages: 3, open: 4}
`, "bad.yaml:2: params.open: 4 is more than the 3 messages"},
	{"mailaccess part of a POP3 session", `kind: mailaccess
params: {method: pop3-keep, part: 1}
`, "bad.yaml:2: params.part: only imap-headers fetches parts"},
	{"echo timeout within the RTT", `kind: echo
params: {rtt: 2s, timeout: 1s}
`, "bad.yaml:2: params.timeout: 1s must exceed the rtt, 2s: a late answer would be taken for the next line's"},
	{"echo with a line of control characters", "kind: echo\nparams: {line: \"a\\tb\"}\n", "bad.yaml:2: params.line: must be printable ASCII"},
	{"ftp without a server", `kind: ftp
topology:
  star:
    hosts:
      - {name: client}
      - {name: srv}
`, "bad.yaml:2: topology: kind ftp needs a host named server for its server"},
	{"ftp of an unknown protocol", `kind: ftp
params: {protocol: gopher}
`, `bad.yaml:2: params.protocol: must be ftp-active, ftp-passive, http-nonpersistent, http-persistent or http-pipelined, got "gopher"`},
}

func TestBadMailScenarios(t *testing.T) {
	for _, tc := range badMailScenarios {
		t.Run(tc.name, func(t *testing.T) {
			_, err := scenarios.Parse("bad.yaml", []byte(tc.file))
			if err == nil {
				t.Fatal("parsed")
			}
			if *printErrors {
				t.Logf("\n%s", err)
			}
			if got := strings.SplitN(err.Error(), "\n", 2)[0]; got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", err, tc.want)
			}
		})
	}
}
