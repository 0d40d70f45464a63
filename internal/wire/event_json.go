package wire

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"
)

// Two event kinds reuse a key with another type: a retry event's "batch" is a batch id
// (a batch event's is an object), and a settings event's "approval" is a bool (an approval
// event's is an object). Event's JSON methods handle those two; every other kind is the
// plain struct.

// eventFields is Event without its JSON methods.
type eventFields Event

// Encode is the event's JSON, as MarshalJSON; output events (the hot path of a streaming
// reply) skip encoding/json's reflection and its re-validation of a Marshaler's output.
func Encode(e Event) ([]byte, error) {
	if e.Kind == KindOutput {
		return appendOutput(make([]byte, 0, len(e.Text)+96), e), nil
	}
	return json.Marshal(e)
}

// MarshalJSON encodes the event as PROTOCOL.md §5 and §7 say.
func (e Event) MarshalJSON() ([]byte, error) {
	switch e.Kind {
	case KindOutput:
		return appendOutput(make([]byte, 0, len(e.Text)+96), e), nil
	case KindRetry:
		return json.Marshal(struct {
			eventFields
			Batch string `json:"batch"`
			Sent  string `json:"sent,omitempty"`
		}{eventFields(e), e.RetryBatch, e.RetrySent})
	case KindSettings:
		var s Settings
		if e.Settings != nil {
			s = *e.Settings
		}
		return json.Marshal(struct {
			eventFields
			Approval       bool     `json:"approval"`
			PermissionMode string   `json:"permission_mode"`
			Workspace      string   `json:"workspace,omitempty"`
			Always         []string `json:"always"`
			Merger         string   `json:"merger,omitempty"`
			ShareError     string   `json:"share_error,omitempty"`
		}{eventFields(e), s.Approval, s.PermissionMode, s.Workspace, nonNil(s.Always), s.Merger, s.ShareError})
	case KindChanges:
		files := e.Files
		if files == nil {
			files = []FileChange{}
		}
		return json.Marshal(struct {
			eventFields
			Files []FileChange `json:"files"`
		}{eventFields(e), files})
	}
	return json.Marshal(eventFields(e))
}

// UnmarshalJSON decodes any event; a "batch" or "approval" value of the wrong shape for
// its kind is ignored, as unknown fields are, and so is a settings, retry or changes field
// of the wrong shape: another host's event with "sent": true failed to decode whole (a
// reviewer's), where §5 says what a client does not know it ignores.
func (e *Event) UnmarshalJSON(b []byte) error {
	var aux struct {
		eventFields
		Batch          json.RawMessage `json:"batch"`
		Approval       json.RawMessage `json:"approval"`
		PermissionMode json.RawMessage `json:"permission_mode"`
		Workspace      json.RawMessage `json:"workspace"`
		Always         json.RawMessage `json:"always"`
		Merger         json.RawMessage `json:"merger"`
		ShareError     json.RawMessage `json:"share_error"`
		Sent           json.RawMessage `json:"sent"`
		Files          json.RawMessage `json:"files"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	*e = Event(aux.eventFields)
	if present(aux.Batch) {
		if e.Kind == KindRetry {
			_ = json.Unmarshal(aux.Batch, &e.RetryBatch)
			e.RetrySent = loose[string](aux.Sent)
		} else {
			var bt Batch
			if json.Unmarshal(aux.Batch, &bt) == nil {
				e.Batch = &bt
			}
		}
	}
	if e.Kind == KindSettings {
		s := Settings{PermissionMode: loose[string](aux.PermissionMode), Workspace: loose[string](aux.Workspace),
			Always: loose[[]string](aux.Always), Merger: loose[string](aux.Merger), ShareError: loose[string](aux.ShareError)}
		_ = json.Unmarshal(aux.Approval, &s.Approval)
		e.Settings = &s
	} else if present(aux.Approval) {
		var ap Approval
		if json.Unmarshal(aux.Approval, &ap) == nil {
			e.Approval = &ap
		}
	}
	if e.Kind == KindChanges {
		e.Files = loose[[]FileChange](aux.Files)
		if e.Files == nil {
			e.Files = []FileChange{}
		}
	}
	return nil
}

// AppendOutput appends output event e's JSON to b, as Encode would encode it, so that a
// caller can build the frame around it in one buffer.
func AppendOutput(b []byte, e Event) []byte { return appendOutput(b, e) }

// appendOutput encodes an output event without reflection: the hot path of a streaming
// reply (one event per delta, sent to every member).
func appendOutput(b []byte, e Event) []byte {
	b = append(b, `{"seq":`...)
	b = strconv.AppendInt(b, e.Seq, 10)
	if e.FirstSeq != 0 {
		b = append(b, `,"first_seq":`...)
		b = strconv.AppendInt(b, e.FirstSeq, 10)
	}
	b = append(b, `,"ts":"`...)
	b = e.TS.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","kind":"output","text":`...)
	b = appendString(b, e.Text)
	b = append(b, `,"stream":`...)
	b = appendString(b, e.Stream)
	if e.TreeOnly {
		b = append(b, `,"tree_only":true`...)
	}
	return append(b, '}')
}

// appendString appends s as a JSON string: quotes, backslashes and control characters
// escaped, U+2028 and U+2029 too (JavaScript), invalid UTF-8 as U+FFFD.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// MarshalJSON encodes the state; a host's RawEvents are spliced in as they are.
func (s State) MarshalJSON() ([]byte, error) {
	type plain State
	if s.RawEvents == nil || len(s.RawEvents) != len(s.Events) {
		return json.Marshal(plain(s))
	}
	head, err := json.Marshal(struct {
		Seq          int64    `json:"seq"`
		Phase        string   `json:"phase"`
		Participants []Member `json:"participants"`
		Pending      []Prompt `json:"pending"`
		Truncated    bool     `json:"truncated"`
	}{s.Seq, s.Phase, s.Participants, s.Pending, s.Truncated})
	if err != nil {
		return nil, err
	}
	n := len(head) + 12
	for _, r := range s.RawEvents {
		n += len(r) + 1
	}
	b := make([]byte, 0, n)
	b = append(b, head[:len(head)-1]...) // without its closing brace
	b = append(b, `,"events":[`...)
	for i, r := range s.RawEvents {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, r...)
	}
	return append(b, "]}"...), nil
}

// loose is raw as a T, or T's zero value when it is absent or of another shape.
func loose[T any](raw json.RawMessage) T {
	var v T
	if present(raw) && json.Unmarshal(raw, &v) != nil {
		var zero T
		return zero
	}
	return v
}

func present(raw json.RawMessage) bool {
	return len(raw) > 0 && !bytes.Equal(raw, []byte("null"))
}

// nonNil is s, or [] for nil: arrays are always arrays on the wire (§3).
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
