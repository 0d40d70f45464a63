package rpc

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
)

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
