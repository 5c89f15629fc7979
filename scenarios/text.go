package scenarios

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Before a file is YAML it is text: what yaml.v3 refuses without a line (binary
// garbage, invalid UTF-8, a NUL byte) is found here first and located, and what it
// accepts and ignores (a second document, a tag netsim does not read) is refused, so
// that nothing a file says is silently dropped.

// MaxFileBytes is the largest file validation reads: a scenario file, a topology file
// or a file of empirical values. Validation reads a file whole and yaml.v3 holds every
// node of it, about a hundred bytes for each two bytes of a dense flow list, so this
// keeps validating any file under a second and 100 MB; the largest built-in scenario
// is 3 KB.
const MaxFileBytes = 256 << 10

// ReadFile reads the file at path, refusing one over MaxFileBytes without reading more
// than that: every file netsim reads as a scenario, or part of one, is read by it.
func ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileBytes {
		return nil, errTooLarge
	}
	return data, nil
}

var errTooLarge = fmt.Errorf("larger than %d KiB, the most netsim reads as one file", MaxFileBytes>>10)

// checkText finds the first thing in data that is not YAML text, at its line and
// column: a file too large, invalid UTF-8, a NUL byte or another control character
// YAML does not allow (YAML 1.2 §5.1: tab, LF and CR are the only C0 controls).
func (s *source) checkText(data []byte) *Error {
	if len(data) > MaxFileBytes {
		return s.errorAt(0, 0, "", "%s", errTooLarge.Error())
	}
	line := 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return s.textError(line, "invalid UTF-8 (byte 0x%02x): a scenario file is UTF-8 text", data[i])
		case r == 0:
			return s.textError(line, "a NUL byte: a scenario file is text, not binary")
		case r == '\n':
			line++
		case r < 0x20 && r != '\t' && r != '\r', r == 0x7f, r >= 0x80 && r < 0xa0 && r != 0x85, r == 0xfffe, r == 0xffff:
			return s.textError(line, "control character %U: YAML allows none but tab, LF and CR", r)
		case r == 0xfeff && i > 0:
			return s.textError(line, "a byte-order mark inside the file: YAML allows one only at the start")
		}
		i += size
	}
	return nil
}

// textError is an error at a line whose text may not be printable: the line is shown
// with Go's escapes, so that the message itself stays text, and with no caret, which
// the escapes would misplace.
func (s *source) textError(line int, format string, args ...any) *Error {
	e := s.errorAt(line, 0, "", format, args...)
	e.Source = strings.Trim(fmt.Sprintf("%+q", e.Source), `"`)
	return e
}

// parseYAML parses data as exactly one YAML document. A second one (after ---) is an
// error at its line: yaml.Unmarshal would read the first and drop the rest.
func (s *source) parseYAML(data []byte) (*yaml.Node, *Error) {
	if e := s.checkText(data); e != nil {
		return nil, e
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var root yaml.Node
	if err := dec.Decode(&root); err != nil && err != io.EOF {
		return nil, yamlSyntaxError(s, err)
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == io.EOF:
	case err != nil:
		return nil, yamlSyntaxError(s, err)
	default:
		return nil, s.errorAt(next.Line, 0, "", "a second YAML document: a scenario file holds one (put each scenario in a file of its own)")
	}
	return &root, nil
}

// coreTags are the YAML tags a file may write out (as in `!!str 10`): those of the
// core schema, which decoding reads as any untagged value.
var coreTags = map[string]bool{"!!str": true, "!!int": true, "!!float": true, "!!bool": true, "!!null": true, "!!map": true, "!!seq": true}

// checkTags reports every node below n that carries a tag netsim does not read, such
// as `!include x` or `!!binary`: decoding would otherwise take its text as a plain
// value and drop the tag.
func (d *decoder) checkTags(n *yaml.Node, path string) {
	if n.Style&yaml.TaggedStyle != 0 && !coreTags[n.ShortTag()] {
		d.fail(n, path, "the YAML tag %s is not one netsim reads: write the plain value", n.Tag)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			d.checkTags(c, path)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			d.checkTags(c, fmt.Sprintf("%s[%d]", path, i))
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			d.checkTags(n.Content[i], joinKey(path, n.Content[i].Value))
			d.checkTags(n.Content[i+1], joinKey(path, n.Content[i].Value))
		}
	}
}
