package rpc

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestEncodeDecodeRoundTrip(t *testing.T) {
	tests := []struct {
		name   string
		id     json.RawMessage
		method string
		params json.RawMessage
		kind   kind
	}{
		{"request", json.RawMessage("7"), "Party.prompt", json.RawMessage(`{"text":"hi"}`), kindRequest},
		{"request null id", jsonNull, "Party.ping", nil, kindRequest},
		{"request string id", json.RawMessage(`"abc"`), "x", json.RawMessage(`[1,2]`), kindRequest},
		{"notification", nil, "Client.event", json.RawMessage(`{"seq":1}`), kindNotification},
		{"method needing escapes", json.RawMessage("1"), "a\"b\\c\n<é>", nil, kindRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := encodeRequest(tt.id, tt.method, tt.params)
			if !json.Valid(data) {
				t.Fatalf("encoded %s is not JSON", data)
			}
			m := decode(data)
			if m.kind != tt.kind || m.method != tt.method || !bytes.Equal(m.id, tt.id) || !bytes.Equal(m.params, tt.params) {
				t.Fatalf("decode(%s) = %+v", data, m)
			}
		})
	}

	t.Run("result", func(t *testing.T) {
		m := decode(encodeResult(json.RawMessage(`"x"`), json.RawMessage(`{"a":[]}`)))
		if m.kind != kindResponse || string(m.id) != `"x"` || string(m.result) != `{"a":[]}` || m.err != nil {
			t.Fatalf("got %+v", m)
		}
	})
	t.Run("error", func(t *testing.T) {
		data, err := encodeError(json.RawMessage("3"), &Error{Code: -32001, Message: "unauthorized", Data: []int{1}})
		if err != nil {
			t.Fatal(err)
		}
		m := decode(data)
		if m.kind != kindResponse || string(m.id) != "3" || m.err == nil || m.err.Code != -32001 || m.err.Message != "unauthorized" {
			t.Fatalf("got %+v", m)
		}
		if raw, _ := m.err.Data.(json.RawMessage); string(raw) != "[1]" {
			t.Fatalf("data %#v", m.err.Data)
		}
	})
	t.Run("error with unencodable data", func(t *testing.T) {
		data, err := encodeError(jsonNull, &Error{Code: 1, Message: "m", Data: func() {}})
		if err == nil {
			t.Fatal("no error reported for dropped data")
		}
		if m := decode(data); m.kind != kindResponse || m.err == nil || m.err.Code != 1 || m.err.Data != nil {
			t.Fatalf("got %+v from %s", m, data)
		}
	})
}

// FuzzDecode feeds arbitrary frames to the inbound decoder: it must never
// panic, every refusal must carry a sendable reply, and everything accepted
// must survive re-encoding.
func FuzzDecode(f *testing.F) {
	seeds := []string{
		`{"jsonrpc":"2.0","id":1,"method":"Party.hello","params":{"name":"a","token":"t"}}`,
		`{"jsonrpc":"2.0","method":"Client.event","params":{"seq":1,"kind":"system"}}`,
		`{"jsonrpc":"2.0","id":"x","result":{"you":{}}}`,
		`{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error","data":[1]}}`,
		`{"jsonrpc":"2.0","id":1,`, ``, `[]`, `[{"jsonrpc":"2.0"}]`, `null`, `"s"`, `1`,
		`{"jsonrpc":"1.0","id":1,"method":"m"}`, `{"jsonrpc":"2.0","id":{},"method":"m"}`,
		`{"jsonrpc":"2.0","id":1,"method":5}`, `{"jsonrpc":"2.0","id":1,"method":"m","params":"x"}`,
		`{"jsonrpc":"2.0","id":1}`, `{"jsonrpc":"2.0","id":1,"result":1,"error":{}}`,
		`{"jsonrpc":"2.0","id":1,"error":{"code":1.5,"message":"m"}}`,
		` {"jsonrpc" : "2.0" , "id" : -1.5e3 , "method" : "m" , "params" : [ ] } `,
		"{\"jsonrpc\":\"2.0\",\"id\":\"\xff\",\"method\":\"m\"}",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m := decode(data)
		switch m.kind {
		case kindFault:
			if m.fault == nil || (m.fault.Code != CodeParseError && m.fault.Code != CodeInvalidRequest) {
				t.Fatalf("fault without a proper error: %+v", m)
			}
			if !validID(m.id) {
				t.Fatalf("fault reply id %q is not a valid id", m.id)
			}
			reply, err := encodeError(m.id, m.fault)
			if err != nil || !json.Valid(reply) {
				t.Fatalf("fault reply %s: %v", reply, err)
			}
			if r := decode(reply); r.kind != kindResponse || r.err == nil || r.err.Code != m.fault.Code {
				t.Fatalf("fault reply %s decodes as %+v", reply, r)
			}
		case kindRequest, kindNotification:
			if (m.kind == kindRequest) != (m.id != nil) || m.id != nil && !validID(m.id) {
				t.Fatalf("bad id %q for kind %d", m.id, m.kind)
			}
			if m.params != nil && m.params[0] != '{' && m.params[0] != '[' {
				t.Fatalf("params %s accepted", m.params)
			}
			again := decode(encodeRequest(m.id, m.method, m.params))
			if again.kind != m.kind || again.method != m.method || !bytes.Equal(again.id, m.id) || !bytes.Equal(again.params, m.params) {
				t.Fatalf("re-encoded %+v decodes as %+v", m, again)
			}
		case kindResponse:
			if !validID(m.id) || (m.err == nil) == (m.result == nil) {
				t.Fatalf("bad response %+v", m)
			}
		default:
			t.Fatalf("unknown kind %d", m.kind)
		}
	})
}
