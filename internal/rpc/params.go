package rpc

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/big"
	"reflect"
	"strconv"
	"strings"
)

// Decode unmarshals params into v; absent or null params leave v untouched. The error is
// an *Error with CodeInvalidParams, ready for a reply.
//
// A whole number written as a float (10.0, 1e3) is taken where a field is an integer:
// JSON has one kind of number, and some encoders (Python's for a float, many for every
// number) write 10.0 for ten. Only when the plain decode fails is the text read again,
// so the common case costs nothing more.
func Decode(params json.RawMessage, v any) *Error {
	if len(params) == 0 || bytes.Equal(params, []byte("null")) {
		return nil
	}
	err := json.Unmarshal(params, v)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && strings.HasPrefix(te.Value, "number ") {
		if whole, ok := wholeNumbers(params); ok && json.Unmarshal(whole, v) == nil {
			return nil
		}
	}
	return InvalidParams(err)
}

// wholeNumbers rewrites every number in params that is whole but written with a fraction
// or an exponent as an integer, and reports whether it changed any.
func wholeNumbers(params json.RawMessage) (json.RawMessage, bool) {
	dec := json.NewDecoder(bytes.NewReader(params))
	dec.UseNumber()
	var tree any
	if dec.Decode(&tree) != nil {
		return nil, false
	}
	changed := false
	var walk func(any) any
	walk = func(x any) any {
		switch x := x.(type) {
		case map[string]any:
			for k, e := range x {
				x[k] = walk(e)
			}
		case []any:
			for i, e := range x {
				x[i] = walk(e)
			}
		case json.Number:
			if !strings.ContainsAny(string(x), ".eE") {
				return x
			}
			if n, ok := wholeNumber(string(x)); ok {
				changed = true
				return json.Number(n)
			}
		}
		return x
	}
	tree = walk(tree)
	if !changed {
		return nil, false
	}
	out, err := json.Marshal(tree)
	return out, err == nil
}

// InvalidParams is the -32602 error for params that did not decode into v's type, in a
// sentence for the person reading the reply: "params: text must be a string, not a
// number". encoding/json's own message names Go types and fields ("cannot unmarshal
// number into Go struct field PromptParams.text of type string"), which mean nothing to
// someone writing a client from the protocol (a tester's).
func InvalidParams(err error) *Error {
	return Errorf(CodeInvalidParams, "invalid params: %s", paramsProblem(err))
}

func paramsProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		want := typeWords(te.Type)
		if te.Field == "" {
			return "they must be " + want + ", not " + article(te.Value)
		}
		return te.Field + " must be " + want + ", not " + article(te.Value)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return "they are not valid JSON"
	}
	// Anything else encoding/json says (a field's own UnmarshalJSON): its words, without
	// the package's prefix.
	return strings.TrimPrefix(err.Error(), "json: ")
}

// typeWords names a Go type as JSON: "a string", "a whole number", "an object".
func typeWords(t reflect.Type) string {
	if t == nil {
		return "something else"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Pointer:
		return typeWords(t.Elem())
	}
	return "something else"
}

// article puts "a" or "an" before encoding/json's name of a JSON value ("number",
// "array", "object", "string", "bool"; "number 1.5" for a number that does not fit).
func article(value string) string {
	switch {
	case value == "bool":
		return "true or false"
	case strings.HasPrefix(value, "number "):
		return strings.TrimPrefix(value, "number ") // the number itself: "not 1.5"
	case value != "" && strings.ContainsRune("aeiou", rune(value[0])):
		return "an " + value
	}
	return "a " + value
}

// wholeNumber reads a JSON number exactly (not through a float, which past 2^53 would
// take 9007199254740993.0 for ...992) and gives it in integer form when it is whole and
// fits an int64.
func wholeNumber(text string) (string, bool) {
	// Read exactly takes time in the square of the digits: a number of a million zeros
	// took 2.6 s (a reviewer's). An int64 has 19 digits; with a fraction of zeros and an
	// exponent, 64 characters are more than any whole one that fits needs.
	if len(text) > 64 {
		return "", false
	}
	if i := strings.IndexAny(text, "eE"); i >= 0 {
		// 1e999999999 would be a number of a billion digits: past int64's 19 it cannot fit.
		exp, err := strconv.Atoi(text[i+1:])
		if err != nil || exp > 19 || exp < -19 {
			return "", false
		}
	}
	r, ok := new(big.Rat).SetString(text)
	if !ok || !r.IsInt() || !r.Num().IsInt64() {
		return "", false
	}
	return r.Num().String(), true
}
