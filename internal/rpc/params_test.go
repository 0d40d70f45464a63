package rpc

import (
	"encoding/json"
	"testing"
)

// Params that do not decode are answered in words a client's author can act on, without
// Go's type and field names (a protocol tester's).
func TestInvalidParamsInWords(t *testing.T) {
	type prompt struct {
		Text  string `json:"text"`
		Since int64  `json:"since"`
		On    bool   `json:"on"`
		Inner struct {
			Tools []string `json:"tools"`
		} `json:"inner"`
	}
	cases := []struct{ params, want string }{
		{`{"text":5}`, "invalid params: text must be a string, not a number"},
		{`{"since":"3"}`, "invalid params: since must be a whole number, not a string"},
		{`{"since":1.5}`, "invalid params: since must be a whole number, not 1.5"},
		{`{"on":"yes"}`, "invalid params: on must be true or false, not a string"},
		{`{"text":{}}`, "invalid params: text must be a string, not an object"},
		{`{"inner":{"tools":"Bash"}}`, "invalid params: inner.tools must be an array, not a string"},
		{`["x"]`, "invalid params: they must be an object, not an array"},
	}
	for _, c := range cases {
		var v prompt
		err := json.Unmarshal([]byte(c.params), &v)
		if err == nil {
			t.Fatalf("%s decoded", c.params)
		}
		got := InvalidParams(err)
		if got.Code != CodeInvalidParams || got.Message != c.want {
			t.Errorf("%s: %d %q, want %q", c.params, got.Code, got.Message, c.want)
		}
	}
}
