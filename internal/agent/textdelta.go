package agent

import (
	"bytes"
	"reflect"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// This file reads the one line claude writes most: a streamed text delta,
//
//	{"type":"stream_event","event":{"type":"content_block_delta","index":0,
//	 "delta":{"type":"text_delta","text":"…"}},"session_id":"…","parent_tool_use_id":null,"uuid":"…"}
//
// in one pass over its bytes, without encoding/json's reflection and allocations: every
// delta of a reply costs the host this decoding, and at a typical pace the typed decoding
// was a seventh of the host's CPU. It only says yes to a line it is sure of — valid JSON
// of exactly that shape, keys spelled exactly, each once, the text valid UTF-8 — and
// leaves anything else to the typed decoding (fastStreamEvent), so it never reads a line
// differently from it (FuzzTextDeltaLine checks that).

// maxSkipDepth is how deeply nested a value the scanner steps over before it gives up on
// the line (the typed decoding then reads it).
const maxSkipDepth = 32

// textDeltaLine reports the block index and text of a main-agent text_delta stream_event
// line, and whether line is one.
func textDeltaLine(line []byte) (index int, text string, ok bool) {
	s := scanner{b: line}
	var sawType, sawEvent, sawParent, eventOK bool
	read := s.object(func(key []byte) bool {
		switch string(key) {
		case "type":
			if !first(&sawType) {
				return false
			}
			return s.literalString("stream_event")
		case "parent_tool_use_id":
			if !first(&sawParent) {
				return false
			}
			return s.nullOrEmpty()
		case "event":
			if !first(&sawEvent) {
				return false
			}
			index, text, eventOK = s.deltaEvent()
			return eventOK
		}
		return plainKey(key) && s.skip(0)
	})
	if !read || !sawType || !sawEvent || !s.end() {
		return 0, "", false
	}
	return index, text, true
}

// first marks a key as read and reports whether it was not before: a key given twice is
// left to the typed decoding.
func first(seen *bool) bool {
	if *seen {
		return false
	}
	*seen = true
	return true
}

// scanner walks a JSON text; every method moves past what it read and reports false for
// anything it is not sure of.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// end reports whether only white space is left.
func (s *scanner) end() bool {
	s.ws()
	return s.i == len(s.b)
}

func (s *scanner) byte(c byte) bool {
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// object reads an object, calling member with each key when the scanner is at its value;
// member reads the value.
func (s *scanner) object(member func(key []byte) bool) bool {
	if !s.byte('{') {
		return false
	}
	if s.byte('}') {
		return true
	}
	for {
		s.ws()
		key, ok := s.rawString()
		if !ok || !s.byte(':') || !member(key) {
			return false
		}
		if s.byte('}') {
			return true
		}
		if !s.byte(',') {
			return false
		}
	}
}

// plainKey reports whether key is one the typed decoding ignores for certain: it has no
// escape, and it is not one of the typed decoding's keys in another case (encoding/json
// matches keys without regard to case) or one this scanner does not read.
func plainKey(key []byte) bool {
	if bytes.IndexByte(key, '\\') >= 0 {
		return false
	}
	for _, k := range typedKeys {
		if bytes.EqualFold(key, []byte(k)) {
			return false
		}
	}
	return true
}

// typedKeys are the JSON keys of the structs the typed decoding fills at the three levels
// this scanner reads (the line, its event, the event's delta): taken from their tags, so
// that a field added there is never skipped here.
var typedKeys = func() []string {
	delta, _ := reflect.TypeFor[streamEvent]().FieldByName("Delta")
	var keys []string
	for _, t := range []reflect.Type{reflect.TypeFor[eventLine](), reflect.TypeFor[streamEvent](), delta.Type.Elem()} {
		for i := range t.NumField() {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			if name == "" {
				name = t.Field(i).Name
			}
			keys = append(keys, name)
		}
	}
	return keys
}()

// rawString reads a string and returns its bytes between the quotes, escapes as written;
// it checks the escapes and that no control character is in it.
func (s *scanner) rawString() ([]byte, bool) {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return nil, false
	}
	start := s.i + 1
	for j := start; j < len(s.b); j++ {
		switch c := s.b[j]; {
		case c == '"':
			s.i = j + 1
			return s.b[start:j], true
		case c < 0x20:
			return nil, false
		case c == '\\':
			j++
			if j >= len(s.b) {
				return nil, false
			}
			switch s.b[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if j+4 >= len(s.b) || !isHex4(s.b[j+1:j+5]) {
					return nil, false
				}
				j += 4
			default:
				return nil, false
			}
		}
	}
	return nil, false
}

func isHex4(b []byte) bool {
	for _, c := range b[:4] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// literalString reads a string that must be want, written without escapes.
func (s *scanner) literalString(want string) bool {
	s.ws()
	raw, ok := s.rawString()
	return ok && string(raw) == want
}

// nullOrEmpty reads null or "" (a main-agent line's parent_tool_use_id).
func (s *scanner) nullOrEmpty() bool {
	s.ws()
	if bytes.HasPrefix(s.b[s.i:], []byte("null")) {
		s.i += 4
		return true
	}
	raw, ok := s.rawString()
	return ok && len(raw) == 0
}

// deltaEvent reads the event object of a text delta.
func (s *scanner) deltaEvent() (index int, text string, ok bool) {
	var sawType, sawIndex, sawDelta bool
	read := s.object(func(key []byte) bool {
		switch string(key) {
		case "type":
			if !first(&sawType) {
				return false
			}
			return s.literalString("content_block_delta")
		case "index":
			if !first(&sawIndex) {
				return false
			}
			n, isInt := s.smallInt()
			index = n
			return isInt
		case "delta":
			if !first(&sawDelta) {
				return false
			}
			t, isText := s.textDelta()
			text = t
			return isText
		}
		return plainKey(key) && s.skip(0)
	})
	if !read || !sawType || !sawIndex || !sawDelta {
		return 0, "", false
	}
	return index, text, true
}

// textDelta reads a delta object of type text_delta.
func (s *scanner) textDelta() (text string, ok bool) {
	var sawType, sawText bool
	read := s.object(func(key []byte) bool {
		switch string(key) {
		case "type":
			if !first(&sawType) {
				return false
			}
			return s.literalString("text_delta")
		case "text":
			if !first(&sawText) {
				return false
			}
			s.ws()
			raw, isString := s.rawString()
			if !isString {
				return false
			}
			t, decoded := unquote(raw)
			text = t
			return decoded
		}
		return plainKey(key) && s.skip(0)
	})
	if !read || !sawType || !sawText {
		return "", false
	}
	return text, true
}

// smallInt reads a non-negative integer of up to 9 digits, written plainly.
func (s *scanner) smallInt() (int, bool) {
	s.ws()
	n, j := 0, s.i
	for ; j < len(s.b) && j-s.i < 10 && '0' <= s.b[j] && s.b[j] <= '9'; j++ {
		n = n*10 + int(s.b[j]-'0')
	}
	digits := j - s.i
	if digits == 0 || digits > 9 || (digits > 1 && s.b[s.i] == '0') {
		return 0, false
	}
	if j < len(s.b) {
		switch s.b[j] {
		case '.', 'e', 'E':
			return 0, false
		}
	}
	s.i = j
	return n, true
}

// skip steps over one value, checking its syntax.
func (s *scanner) skip(depth int) bool {
	if depth > maxSkipDepth {
		return false
	}
	s.ws()
	if s.i >= len(s.b) {
		return false
	}
	switch c := s.b[s.i]; {
	case c == '"':
		_, ok := s.rawString()
		return ok
	case c == '{':
		return s.object(func([]byte) bool { return s.skip(depth + 1) })
	case c == '[':
		s.i++
		if s.byte(']') {
			return true
		}
		for {
			if !s.skip(depth + 1) {
				return false
			}
			if s.byte(']') {
				return true
			}
			if !s.byte(',') {
				return false
			}
		}
	case c == '-' || '0' <= c && c <= '9':
		return s.number()
	}
	for _, lit := range [...]string{"true", "false", "null"} {
		if bytes.HasPrefix(s.b[s.i:], []byte(lit)) {
			s.i += len(lit)
			return true
		}
	}
	return false
}

// number steps over a number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) number() bool {
	b, i := s.b, s.i
	digits := func() int {
		start := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		return i - start
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	if i < len(b) && b[i] == '0' {
		i++
	} else if digits() == 0 {
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	s.i = i
	return true
}

// unquote decodes a string's escapes (rawString has checked them). It reports false for
// text that is not valid UTF-8, or a \u escape of half a surrogate pair, which
// encoding/json would replace: the typed decoding reads those lines.
func unquote(raw []byte) (string, bool) {
	if bytes.IndexByte(raw, '\\') < 0 {
		if !utf8.Valid(raw) {
			return "", false
		}
		return string(raw), true
	}
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		switch raw[i] {
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
			r := hex4(raw[i+1 : i+5])
			i += 4
			if utf16.IsSurrogate(r) {
				if i+6 >= len(raw) || raw[i+1] != '\\' || raw[i+2] != 'u' {
					return "", false
				}
				r = utf16.DecodeRune(r, hex4(raw[i+3:i+7]))
				if r == utf8.RuneError {
					return "", false
				}
				i += 6
			}
			out = utf8.AppendRune(out, r)
		default: // " \ /
			out = append(out, raw[i])
		}
	}
	if !utf8.Valid(out) {
		return "", false
	}
	return string(out), true
}

func hex4(b []byte) rune {
	var r rune
	for _, c := range b[:4] {
		r <<= 4
		switch {
		case c <= '9':
			r |= rune(c - '0')
		case c >= 'a':
			r |= rune(c - 'a' + 10)
		default:
			r |= rune(c - 'A' + 10)
		}
	}
	return r
}
