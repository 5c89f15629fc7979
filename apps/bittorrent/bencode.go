package bittorrent

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
)

// Bencoding (BEP 3, "bencoding"): the encoding of the metainfo file and of the
// tracker's answers. Integers are i<decimal>e, strings <length>:<bytes>, lists
// l<items>e, dictionaries d<key><value>...e with their keys as strings in sorted
// order. A value is an int64, a string or []byte, a []any or a map[string]any.

// Bencode returns v's encoding. A type outside the four is a bug in the caller and
// panics.
func Bencode(v any) []byte {
	var b bytes.Buffer
	bencodeTo(&b, v)
	return b.Bytes()
}

func bencodeTo(b *bytes.Buffer, v any) {
	switch x := v.(type) {
	case int:
		bencodeTo(b, int64(x))
	case int64:
		b.WriteByte('i')
		b.WriteString(strconv.FormatInt(x, 10))
		b.WriteByte('e')
	case string:
		b.WriteString(strconv.Itoa(len(x)))
		b.WriteByte(':')
		b.WriteString(x)
	case []byte:
		b.WriteString(strconv.Itoa(len(x)))
		b.WriteByte(':')
		b.Write(x)
	case []any:
		b.WriteByte('l')
		for _, e := range x {
			bencodeTo(b, e)
		}
		b.WriteByte('e')
	case map[string]any:
		b.WriteByte('d')
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys) // BEP 3: "Keys must be strings and appear in sorted order"
		for _, k := range keys {
			bencodeTo(b, k)
			bencodeTo(b, x[k])
		}
		b.WriteByte('e')
	default:
		panic(fmt.Sprintf("bittorrent: cannot bencode %T", v))
	}
}

// ErrBencode is a malformed bencoded value.
var ErrBencode = errors.New("malformed bencoding")

// Bdecode parses one bencoded value that fills data: int64, string (for byte
// strings), []any or map[string]any.
func Bdecode(data []byte) (any, error) {
	v, rest, err := bdecode(data)
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("%w: %d bytes after the value", ErrBencode, len(rest))
	}
	return v, nil
}

func bdecode(d []byte) (any, []byte, error) {
	if len(d) == 0 {
		return nil, nil, fmt.Errorf("%w: unexpected end", ErrBencode)
	}
	switch c := d[0]; {
	case c == 'i':
		end := bytes.IndexByte(d, 'e')
		if end < 0 {
			return nil, nil, fmt.Errorf("%w: unterminated integer", ErrBencode)
		}
		n, err := strconv.ParseInt(string(d[1:end]), 10, 64)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: integer %q", ErrBencode, d[1:end])
		}
		return n, d[end+1:], nil
	case c >= '0' && c <= '9':
		colon := bytes.IndexByte(d, ':')
		if colon < 0 {
			return nil, nil, fmt.Errorf("%w: string without ':'", ErrBencode)
		}
		n, err := strconv.Atoi(string(d[:colon]))
		if err != nil || n < 0 || n > len(d)-colon-1 {
			return nil, nil, fmt.Errorf("%w: string length %q", ErrBencode, d[:colon])
		}
		s := d[colon+1 : colon+1+n]
		return string(s), d[colon+1+n:], nil
	case c == 'l':
		d = d[1:]
		list := []any{}
		for len(d) > 0 && d[0] != 'e' {
			v, rest, err := bdecode(d)
			if err != nil {
				return nil, nil, err
			}
			list, d = append(list, v), rest
		}
		if len(d) == 0 {
			return nil, nil, fmt.Errorf("%w: unterminated list", ErrBencode)
		}
		return list, d[1:], nil
	case c == 'd':
		d = d[1:]
		dict := map[string]any{}
		for len(d) > 0 && d[0] != 'e' {
			k, rest, err := bdecode(d)
			if err != nil {
				return nil, nil, err
			}
			key, ok := k.(string)
			if !ok {
				return nil, nil, fmt.Errorf("%w: dictionary key is not a string", ErrBencode)
			}
			v, rest, err := bdecode(rest)
			if err != nil {
				return nil, nil, err
			}
			dict[key], d = v, rest
		}
		if len(d) == 0 {
			return nil, nil, fmt.Errorf("%w: unterminated dictionary", ErrBencode)
		}
		return dict, d[1:], nil
	default:
		return nil, nil, fmt.Errorf("%w: unexpected %q", ErrBencode, c)
	}
}
