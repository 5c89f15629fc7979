package crlf

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func read(r *Reader, pieces ...string) []string {
	var out []string
	for _, p := range pieces {
		r.Feed(p, func(line string, tooLong bool) bool {
			if tooLong {
				line = "<too long>"
			}
			out = append(out, line)
			if line == "{5}" {
				r.Literal(5)
			}
			return true
		})
	}
	return out
}

// Lines come whole whatever the cuts; only CRLF ends one; an over-long line is
// reported once and skipped to its end; a literal passes its CRLFs through.
func TestReader(t *testing.T) {
	r := &Reader{}
	require.Equal(t, []string{"HELO crepes.fr", "MAIL FROM:<a@b>", "bare\nLF and\rCR"},
		read(r, "HE", "LO crepes.fr\r", "\nMAIL FROM:<a@b>\r\nbare\nLF and\rCR\r\nRC"))
	require.Equal(t, 2, r.Buffered())
	r = &Reader{Max: 10}
	require.Equal(t, []string{"12345678", "<too long>", "ok", "<too long>", "x"},
		read(r, "12345678\r\n123456789\r\nok\r\n", strings.Repeat("y", 30), strings.Repeat("y", 30)+"\r", "\nx\r\n"))
	r = &Reader{}
	require.Equal(t, []string{"* 1 FETCH (BODY[] {5}", "{5}", "a\r\nb\r", ")"},
		read(r, "* 1 FETCH (BODY[] {5}\r\n{5}\r\na\r\nb", "\r)\r\n"))
}
