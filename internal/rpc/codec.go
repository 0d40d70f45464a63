package rpc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
)

// kind is what an inbound message turned out to be.
type kind int

const (
	kindFault        kind = iota // not acceptable: answer with fault, keep the connection
	kindRequest                  // has a method and an id (possibly null)
	kindNotification             // has a method, no id
	kindResponse                 // has an id and exactly one of result and error
)

// message is a decoded inbound message. Fields are set according to kind.
type message struct {
	kind   kind
	method string
	params json.RawMessage
	id     json.RawMessage // exactly as received; for a fault: the id to reply with
	result json.RawMessage
	err    *Error // a response's error
	fault  *Error // why the message was refused
}

var jsonNull = json.RawMessage("null")

// decode classifies one text frame. It never fails: anything unacceptable
// becomes a kindFault message carrying the error reply to send and the id to
// send it with (the message's id when that id is valid, else null).
func decode(data []byte) message {
	if !json.Valid(data) {
		return faultf(CodeParseError, jsonNull, "parse error")
	}
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	switch {
	case len(trimmed) > 0 && trimmed[0] == '[':
		return faultf(CodeInvalidRequest, jsonNull, "invalid request: batches are not supported")
	case len(trimmed) == 0 || trimmed[0] != '{':
		return faultf(CodeInvalidRequest, jsonNull, "invalid request: a message must be a JSON object")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return faultf(CodeInvalidRequest, jsonNull, "invalid request: %v", err)
	}

	id, hasID := fields["id"]
	replyID := jsonNull
	if hasID {
		if !validID(id) {
			return faultf(CodeInvalidRequest, jsonNull, "invalid request: id must be a string, a number or null")
		}
		replyID = id
	}
	if v, ok := rawString(fields["jsonrpc"]); !ok || v != "2.0" {
		return faultf(CodeInvalidRequest, replyID, `invalid request: "jsonrpc" must be "2.0"`)
	}

	if rawMethod, ok := fields["method"]; ok {
		method, ok := rawString(rawMethod)
		if !ok {
			return faultf(CodeInvalidRequest, replyID, "invalid request: method must be a string")
		}
		params, hasParams := fields["params"]
		if hasParams && string(params) == "null" {
			// JSON-RPC 2.0 wants params structured or absent; null is taken as absent, as
			// docs/PROTOCOL.md §3 says (many JSON encoders write a missing value as null).
			params, hasParams = nil, false
		}
		if hasParams && (len(params) == 0 || params[0] != '{' && params[0] != '[') {
			return faultf(CodeInvalidRequest, replyID, "invalid request: params must be an object or an array")
		}
		m := message{kind: kindNotification, method: method, params: params}
		if hasID {
			m.kind, m.id = kindRequest, id
		}
		return m
	}

	result, hasResult := fields["result"]
	rawErr, hasErr := fields["error"]
	if hasResult == hasErr {
		return faultf(CodeInvalidRequest, replyID, "invalid request: need a method (request) or exactly one of result and error (response)")
	}
	if !hasID {
		return faultf(CodeInvalidRequest, jsonNull, "invalid request: a response needs an id")
	}
	m := message{kind: kindResponse, id: id, result: result}
	if hasErr {
		e, err := decodeError(rawErr)
		if err != nil {
			return faultf(CodeInvalidRequest, replyID, "invalid request: %v", err)
		}
		m.err = e
	}
	return m
}

// decodeError reads a response's error object strictly: an integer code and
// a string message are required.
func decodeError(raw json.RawMessage) (*Error, error) {
	if len(raw) == 0 || raw[0] != '{' {
		return nil, errors.New("error must be an object")
	}
	var f struct {
		Code    json.RawMessage `json:"code"`
		Message json.RawMessage `json:"message"`
		Data    json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("error object: %w", err)
	}
	var code int
	if len(f.Code) == 0 || (f.Code[0] != '-' && (f.Code[0] < '0' || f.Code[0] > '9')) || json.Unmarshal(f.Code, &code) != nil {
		return nil, errors.New("error code must be an integer")
	}
	msg, ok := rawString(f.Message)
	if !ok {
		return nil, errors.New("error message must be a string")
	}
	e := &Error{Code: code, Message: msg}
	if len(f.Data) > 0 {
		e.Data = f.Data
	}
	return e, nil
}

// validID accepts the id types JSON-RPC 2.0 allows: string, number, null.
// raw is valid JSON without surrounding space (as json.RawMessage fields are).
func validID(raw json.RawMessage) bool {
	if len(raw) == 0 {
		return false
	}
	switch c := raw[0]; {
	case c == '"', c == 'n', c == '-', c >= '0' && c <= '9':
		return true
	}
	return false
}

// rawString decodes raw only if it is a JSON string (null is not a string).
func rawString(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

func faultf(code int, id json.RawMessage, format string, a ...any) message {
	return message{kind: kindFault, id: id, fault: Errorf(code, format, a...)}
}

// Encoding. Messages are assembled from already-valid JSON pieces rather than
// through a struct with json.RawMessage fields, which would re-validate and
// re-compact large results (a hello reply can be megabytes).

func encodeRequest(id json.RawMessage, method string, params json.RawMessage) []byte {
	m, _ := json.Marshal(method) // a string always marshals
	var b bytes.Buffer
	b.Grow(len(m) + len(params) + len(id) + 48)
	b.WriteString(`{"jsonrpc":"2.0"`)
	if id != nil {
		b.WriteString(`,"id":`)
		b.Write(id)
	}
	b.WriteString(`,"method":`)
	b.Write(m)
	if params != nil {
		b.WriteString(`,"params":`)
		b.Write(params)
	}
	b.WriteByte('}')
	return b.Bytes()
}

func encodeResult(id, result json.RawMessage) []byte {
	var b bytes.Buffer
	b.Grow(len(id) + len(result) + 40)
	b.WriteString(`{"jsonrpc":"2.0","id":`)
	b.Write(id)
	b.WriteString(`,"result":`)
	b.Write(result)
	b.WriteByte('}')
	return b.Bytes()
}

// encodeError builds an error response. If e.Data does not marshal, it is
// dropped so that the code and message still reach the peer.
func encodeError(id json.RawMessage, e *Error) ([]byte, error) {
	eb, err := json.Marshal(e)
	if err != nil {
		eb, _ = json.Marshal(&Error{Code: e.Code, Message: e.Message}) // int and string always marshal
		err = fmt.Errorf("marshal error data: %w", err)
	}
	var b bytes.Buffer
	b.Grow(len(id) + len(eb) + 40)
	b.WriteString(`{"jsonrpc":"2.0","id":`)
	b.Write(id)
	b.WriteString(`,"error":`)
	b.Write(eb)
	b.WriteByte('}')
	return b.Bytes(), err
}

// marshalParams encodes Call and Notify params: nil (or JSON null) omits
// them; anything else must encode to an object or an array.
func marshalParams(params any) (json.RawMessage, error) {
	if params == nil {
		return nil, nil
	}
	raw, err := json.Marshal(params)
	if err != nil {
		return nil, fmt.Errorf("marshal params: %w", err)
	}
	switch raw[0] {
	case '{', '[':
		return raw, nil
	case 'n':
		return nil, nil
	}
	return nil, fmt.Errorf("marshal params: %T encodes to %.20s, not an object or an array", params, raw)
}

// replyFlag records that a request was answered; the first set wins.
type replyFlag struct{ v atomic.Bool }

func (f *replyFlag) set() bool  { return f.v.CompareAndSwap(false, true) }
func (f *replyFlag) done() bool { return f.v.Load() }
