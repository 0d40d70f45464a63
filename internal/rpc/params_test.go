package rpc

import (
	"encoding/json"
	"fmt"
	"strings"
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

// A whole number written as a float is taken where the protocol says int: Python's json
// writes 10.0 for a float ten, and a client that did could not page (the last note's
// Left item). A fraction, or a number past int64, is still refused.
func TestDecodeTakesWholeFloats(t *testing.T) {
	type page struct {
		Text  string  `json:"text"`
		Since int64   `json:"since"`
		Limit *int    `json:"limit"`
		Seqs  []int64 `json:"seqs"`
	}
	took := []struct {
		params string
		want   page
	}{
		{`{"since":10.0}`, page{Since: 10}},
		{`{"since":1e3,"text":"2.0"}`, page{Since: 1000, Text: "2.0"}},
		{`{"since":-4.00,"seqs":[1.0,2,3e0]}`, page{Since: -4, Seqs: []int64{1, 2, 3}}},
		{`{"since":9007199254740993.0}`, page{Since: 1<<53 + 1}}, // read exactly, not through a float
		{`{"since":1500e-2}`, page{Since: 15}},
		{`{"since":7}`, page{Since: 7}},
		{`null`, page{}},
	}
	for _, c := range took {
		var got page
		if err := Decode(json.RawMessage(c.params), &got); err != nil {
			t.Errorf("%s: %v", c.params, err)
			continue
		}
		if got.Since != c.want.Since || got.Text != c.want.Text || fmt.Sprint(got.Seqs) != fmt.Sprint(c.want.Seqs) {
			t.Errorf("%s: got %+v, want %+v", c.params, got, c.want)
		}
	}
	var limited page
	if err := Decode(json.RawMessage(`{"limit":5.0}`), &limited); err != nil || limited.Limit == nil || *limited.Limit != 5 {
		t.Errorf("limit 5.0: %v %v", err, limited.Limit)
	}
	refused := []struct{ params, want string }{
		{`{"since":10.5}`, "invalid params: since must be a whole number, not 10.5"},
		{`{"since":1e30}`, "invalid params: since must be a whole number, not 1e30"},
		{`{"since":1500e-3}`, "invalid params: since must be a whole number, not 1500e-3"},
		{`{"since":1e19}`, "invalid params: since must be a whole number, not 1e19"}, // past int64
		{`{"since":1e999999999}`, "invalid params: since must be a whole number, not 1e999999999"},
		{`{"since":1` + strings.Repeat("0", 70) + `.0}`, "invalid params: since must be a whole number, not 1" + strings.Repeat("0", 70) + ".0"},
		{`{"text":1.0}`, "invalid params: text must be a string, not a number"},
	}
	for _, c := range refused {
		var got page
		err := Decode(json.RawMessage(c.params), &got)
		if err == nil || err.Code != CodeInvalidParams || err.Message != c.want {
			t.Errorf("%s: %v, want %q", c.params, err, c.want)
		}
	}
}

// A whole number of many digits is refused before it is read exactly, which takes time in
// the square of its digits (a reviewer's million zeros took 2.6 s of the host's CPU).
func BenchmarkDecodeALongNumber(b *testing.B) {
	params := json.RawMessage(`{"since":1` + strings.Repeat("0", 1_000_000) + `.0}`)
	for b.Loop() {
		var v struct {
			Since int64 `json:"since"`
		}
		if Decode(params, &v) == nil {
			b.Fatal("a million-digit number taken")
		}
	}
}
