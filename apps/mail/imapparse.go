package mail

import (
	"errors"
	"strconv"
	"strings"
)

// IMAP's command syntax (RFC 9051 §9): a tag, a command name and its arguments —
// atoms, quoted strings, literals ({n} then n octets) and parenthesized lists.

// imapArg is one argument of a command.
type imapArg struct {
	kind byte // 'a' atom, 's' string (quoted or literal), 'l' list
	s    string
	list []imapArg
}

var errIMAPSyntax = errors.New("syntax error")

// maxIMAPDepth bounds the nesting of lists a command may have.
const maxIMAPDepth = 8

// parseIMAP splits a command into its tag, its name (upper case) and its arguments.
func parseIMAP(cmd string) (tag, name string, args []imapArg, err error) {
	sp := strings.IndexByte(cmd, ' ')
	if sp < 0 {
		return cmd, "", nil, errIMAPSyntax
	}
	tag = cmd[:sp]
	if !validTag(tag) {
		return "", "", nil, errIMAPSyntax
	}
	p := &imapParser{s: cmd[sp+1:]}
	first, err := p.args(0)
	if err != nil || len(first) == 0 || first[0].kind != 'a' {
		return tag, "", nil, errIMAPSyntax
	}
	return tag, strings.ToUpper(first[0].s), first[1:], nil
}

// validTag: one or more ASTRING-CHARs other than "+" (RFC 9051 §9, tag).
func validTag(t string) bool {
	if t == "" || len(t) > 64 {
		return false
	}
	for i := 0; i < len(t); i++ {
		if c := t[i]; c <= 0x20 || c >= 0x7f || strings.IndexByte(`+(){%*"\]`, c) >= 0 {
			return false
		}
	}
	return true
}

type imapParser struct {
	s string
	i int
}

// args reads arguments up to the end, or up to a ")" when inside a list.
func (p *imapParser) args(depth int) ([]imapArg, error) {
	if depth > maxIMAPDepth {
		return nil, errIMAPSyntax
	}
	var out []imapArg
	for p.i < len(p.s) {
		switch c := p.s[p.i]; {
		case c == ' ':
			p.i++
		case c == ')':
			if depth == 0 {
				return nil, errIMAPSyntax
			}
			return out, nil
		case c == '(':
			p.i++
			list, err := p.args(depth + 1)
			if err != nil || p.i >= len(p.s) || p.s[p.i] != ')' {
				return nil, errIMAPSyntax
			}
			p.i++
			out = append(out, imapArg{kind: 'l', list: list})
		case c == '"':
			s, err := p.quoted()
			if err != nil {
				return nil, err
			}
			out = append(out, imapArg{kind: 's', s: s})
		case c == '{':
			s, err := p.literal()
			if err != nil {
				return nil, err
			}
			out = append(out, imapArg{kind: 's', s: s})
		default:
			a, err := p.atom()
			if err != nil {
				return nil, err
			}
			out = append(out, imapArg{kind: 'a', s: a})
		}
	}
	if depth > 0 {
		return nil, errIMAPSyntax
	}
	return out, nil
}

func (p *imapParser) quoted() (string, error) {
	var b strings.Builder
	for p.i++; p.i < len(p.s); p.i++ {
		switch c := p.s[p.i]; c {
		case '"':
			p.i++
			return b.String(), nil
		case '\\':
			p.i++
			if p.i >= len(p.s) || (p.s[p.i] != '"' && p.s[p.i] != '\\') {
				return "", errIMAPSyntax
			}
			b.WriteByte(p.s[p.i])
		case '\r', '\n', 0:
			return "", errIMAPSyntax
		default:
			b.WriteByte(c)
		}
	}
	return "", errIMAPSyntax
}

// literal reads {n}CRLF and the n octets after it.
func (p *imapParser) literal() (string, error) {
	end := strings.IndexByte(p.s[p.i:], '}')
	if end < 0 {
		return "", errIMAPSyntax
	}
	num := strings.TrimSuffix(p.s[p.i+1:p.i+end], "+")
	n, err := strconv.Atoi(num)
	start := p.i + end + 1
	if err != nil || n < 0 || !strings.HasPrefix(p.s[start:], "\r\n") || len(p.s)-(start+2) < n {
		return "", errIMAPSyntax
	}
	start += 2
	p.i = start + n
	return p.s[start:p.i], nil
}

// atom reads an atom; a "[" in it opens a section, which runs to its "]" (FETCH's
// BODY[HEADER], BODY.PEEK[1]).
func (p *imapParser) atom() (string, error) {
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '[':
			end := strings.IndexByte(p.s[p.i:], ']')
			if end < 0 {
				return "", errIMAPSyntax
			}
			p.i += end + 1
			continue
		case c == ' ' || c == '(' || c == ')':
			return p.s[start:p.i], nil
		case c <= 0x1f || c >= 0x7f || c == '"' || c == '{' || c == ']':
			return "", errIMAPSyntax
		}
		p.i++
	}
	return p.s[start:p.i], nil
}

// imapQuote writes s as a quoted string.
func imapQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// seqSet reads a sequence set (RFC 9051 §9: "1", "2:4", "3:*", "1,5:7") over n
// messages into ascending numbers, each once; false if it is malformed or names a
// message that does not exist.
func seqSet(s string, n int) ([]int, bool) {
	if s == "" {
		return nil, false
	}
	seen := map[int]bool{}
	num := func(x string) (int, bool) {
		if x == "*" {
			return n, n > 0
		}
		v, err := strconv.Atoi(x)
		if err != nil || v < 1 || v > n || len(x) > 10 || x[0] == '+' {
			return 0, false
		}
		return v, true
	}
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, ":")
		a, ok := num(lo)
		if !ok {
			return nil, false
		}
		b := a
		if isRange {
			if b, ok = num(hi); !ok {
				return nil, false
			}
		}
		if a > b {
			a, b = b, a
		}
		for i := a; i <= b; i++ {
			seen[i] = true
		}
	}
	out := make([]int, 0, len(seen))
	for i := 1; i <= n; i++ {
		if seen[i] {
			out = append(out, i)
		}
	}
	return out, true
}

// formatSeqSet writes ascending numbers compactly: "1:3,5".
func formatSeqSet(nums []int) string {
	var b strings.Builder
	for i := 0; i < len(nums); {
		j := i
		for j+1 < len(nums) && nums[j+1] == nums[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(nums[i]))
		if j > i {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(nums[j]))
		}
		i = j + 1
	}
	return b.String()
}
