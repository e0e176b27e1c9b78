package record

import (
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// This file is a small strict JSON scanner. Validate runs on every record of
// the pipeline (100k/s target on 2 cores), and encoding/json's reflection plus
// its separate validity pass cost several times more than one pass over the
// bytes that only keeps slices of the fields it needs. The scanner accepts
// exactly RFC 8259 JSON; scan_test.go checks it against encoding/json.

// kind is the JSON type of a value seen by the scanner.
type kind uint8

const (
	kindAbsent kind = iota // the member is not in the object
	kindNull
	kindBool
	kindNumber
	kindString
	kindObject
	kindArray
)

func (k kind) String() string {
	return [...]string{"absent", "null", "boolean", "number", "string", "object", "array"}[k]
}

// value is one top-level member's value, not yet interpreted.
type value struct {
	kind kind
	// raw is the number text, or a string's bytes between the quotes with
	// escapes still encoded (escaped says whether there are any).
	raw     []byte
	escaped bool
}

// text returns a string value's content with escapes decoded.
func (v value) text() string {
	if !v.escaped {
		return string(v.raw)
	}
	return string(unescape(v.raw))
}

// bytes returns a string value's content with escapes decoded: raw itself
// when there are none, which is not to be kept beyond the message.
func (v value) bytes() []byte {
	if !v.escaped {
		return v.raw
	}
	return unescape(v.raw)
}

// maxDepth bounds nesting so that hostile input cannot exhaust the stack.
const maxDepth = 1000

type syntaxError struct {
	off int
	msg string
}

func (e *syntaxError) Error() string { return fmt.Sprintf("%s at byte %d", e.msg, e.off) }

type scanner struct {
	b []byte
	i int
}

func (s *scanner) fail(msg string) error { return &syntaxError{off: s.i, msg: msg} }

func (s *scanner) skipSpace() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// object scans an object whose '{' is at s.i, calling member for each member
// (member may be nil to only check syntax).
func (s *scanner) object(depth int, member func(key value, val value) error) error {
	if depth > maxDepth {
		return s.fail("nesting too deep")
	}
	s.i++ // '{'
	s.skipSpace()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		return nil
	}
	for {
		if s.i >= len(s.b) || s.b[s.i] != '"' {
			return s.fail("expected object key")
		}
		key, err := s.str()
		if err != nil {
			return err
		}
		s.skipSpace()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return s.fail("expected ':' after object key")
		}
		s.i++
		s.skipSpace()
		val, err := s.value(depth + 1)
		if err != nil {
			return err
		}
		if member != nil {
			if err := member(key, val); err != nil {
				return err
			}
		}
		s.skipSpace()
		if s.i >= len(s.b) {
			return s.fail("unterminated object")
		}
		switch s.b[s.i] {
		case ',':
			s.i++
			s.skipSpace()
		case '}':
			s.i++
			return nil
		default:
			return s.fail("expected ',' or '}' in object")
		}
	}
}

func (s *scanner) array(depth int) error {
	if depth > maxDepth {
		return s.fail("nesting too deep")
	}
	s.i++ // '['
	s.skipSpace()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		return nil
	}
	for {
		if _, err := s.value(depth + 1); err != nil {
			return err
		}
		s.skipSpace()
		if s.i >= len(s.b) {
			return s.fail("unterminated array")
		}
		switch s.b[s.i] {
		case ',':
			s.i++
			s.skipSpace()
		case ']':
			s.i++
			return nil
		default:
			return s.fail("expected ',' or ']' in array")
		}
	}
}

// value scans any JSON value starting at s.i.
func (s *scanner) value(depth int) (value, error) {
	if s.i >= len(s.b) {
		return value{}, s.fail("unexpected end of input")
	}
	switch c := s.b[s.i]; {
	case c == '"':
		return s.str()
	case c == '{':
		return value{kind: kindObject}, s.object(depth, nil)
	case c == '[':
		return value{kind: kindArray}, s.array(depth)
	case c == '-' || (c >= '0' && c <= '9'):
		end := numberEnd(s.b, s.i)
		if end < 0 {
			return value{}, s.fail("invalid number")
		}
		v := value{kind: kindNumber, raw: s.b[s.i:end]}
		s.i = end
		return v, nil
	case c == 't':
		return value{kind: kindBool}, s.literal("true")
	case c == 'f':
		return value{kind: kindBool}, s.literal("false")
	case c == 'n':
		return value{kind: kindNull}, s.literal("null")
	default:
		return value{}, s.fail(fmt.Sprintf("unexpected character %q", c))
	}
}

func (s *scanner) literal(word string) error {
	if len(s.b)-s.i < len(word) || string(s.b[s.i:s.i+len(word)]) != word {
		return s.fail("invalid literal")
	}
	s.i += len(word)
	return nil
}

// str scans a string whose opening quote is at s.i.
func (s *scanner) str() (value, error) {
	s.i++
	start := s.i
	escaped := false
	for s.i < len(s.b) {
		for s.i < len(s.b) && plainStringByte[s.b[s.i]] { // most of a string
			s.i++
		}
		if s.i >= len(s.b) {
			break
		}
		c := s.b[s.i]
		switch {
		case c == '"':
			v := value{kind: kindString, raw: s.b[start:s.i], escaped: escaped}
			s.i++
			return v, nil
		case c == '\\':
			escaped = true
			if s.i+1 >= len(s.b) {
				return value{}, s.fail("unterminated string")
			}
			switch s.b[s.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.i += 2
			case 'u':
				if s.i+6 > len(s.b) || !isHex4(s.b[s.i+2:s.i+6]) {
					return value{}, s.fail("invalid \\u escape")
				}
				s.i += 6
			default:
				return value{}, s.fail("invalid escape")
			}
		case c < 0x20:
			return value{}, s.fail("control character in string")
		default:
			s.i++
		}
	}
	return value{}, s.fail("unterminated string")
}

// plainStringByte tells the bytes that stand for themselves in a JSON
// string: all but the quote, the backslash and control characters.
var plainStringByte = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// numberEnd returns the end of the JSON number starting at b[i], or -1 when
// the text there is not a JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func numberEnd(b []byte, i int) int {
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = digitsEnd(b, i)
	default:
		return -1
	}
	if i < len(b) && b[i] == '.' {
		j := digitsEnd(b, i+1)
		if j == i+1 {
			return -1
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digitsEnd(b, i)
		if j == i {
			return -1
		}
		i = j
	}
	return i
}

func digitsEnd(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}

func isHex4(b []byte) bool {
	for _, c := range b[:4] {
		if hexVal(c) < 0 {
			return false
		}
	}
	return true
}

func hexVal(c byte) rune {
	switch {
	case c >= '0' && c <= '9':
		return rune(c - '0')
	case c >= 'a' && c <= 'f':
		return rune(c - 'a' + 10)
	case c >= 'A' && c <= 'F':
		return rune(c - 'A' + 10)
	}
	return -1
}

// unescape decodes the escapes of a string the scanner accepted. Lone UTF-16
// surrogates become U+FFFD, as encoding/json does.
func unescape(raw []byte) []byte {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' {
			out = append(out, c)
			i++
			continue
		}
		switch raw[i+1] {
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r := hex4(raw[i+2:])
			i += 6
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if i+6 <= len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
					r2 = hex4(raw[i+2:])
				}
				if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
					i += 6
					r = dec
				} else {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
			continue
		default: // '"', '\\', '/'
			out = append(out, raw[i+1])
		}
		i += 2
	}
	return out
}

func hex4(b []byte) rune {
	return hexVal(b[0])<<12 | hexVal(b[1])<<8 | hexVal(b[2])<<4 | hexVal(b[3])
}
