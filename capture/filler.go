package capture

// fillerLine is the filler's period: 62 printable characters and CRLF, so that filler
// is valid text in a line-based protocol (no line starts with SMTP's ".", none is
// longer than RFC 5321's 998 characters) and valid data in a binary one.
const fillerLine = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\r\n"

// Filler returns the n bytes a capture writes for a body that a model counts but does
// not carry byte by byte (topology.Encoder): fillerLine, repeated and cut to length.
func Filler(n int64) []byte { return appendFiller(nil, 0, n) }

// appendFiller appends the filler's bytes [off, off+n) to dst.
func appendFiller(dst []byte, off, n int64) []byte {
	for n > 0 {
		i := off % int64(len(fillerLine))
		k := min(n, int64(len(fillerLine))-i)
		dst = append(dst, fillerLine[i:i+k]...)
		off, n = off+k, n-k
	}
	return dst
}
