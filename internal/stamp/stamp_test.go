package stamp

import (
	"encoding/json"
	"fmt"
	"testing"
)

func TestStamps(t *testing.T) {
	one := func(seq int, at int64) string { return string(Append(nil, seq, at, 32)) }
	merged := one(7, 123456789) + one(8, 123456999) + one(9, 124000000)
	jsonText, _ := json.Marshal(map[string]string{"text": merged})
	type stamp struct {
		seq int
		at  int64
	}
	tests := []struct {
		name string
		data string
		want []stamp
	}{
		{"one delta", one(0, 42), []stamp{{0, 42}}},
		{"padded to size", one(3, 5)[:32], []stamp{{3, 5}}},
		{"merged deltas", merged, []stamp{{7, 123456789}, {8, 123456999}, {9, 124000000}}},
		{"inside a JSON event", string(jsonText), []stamp{{7, 123456789}, {8, 123456999}, {9, 124000000}}},
		{"cut short", "#12@34", nil},
		{"no digits", "#@;#1@;", nil},
		{"noise around", "a#b#5@6;c", []stamp{{5, 6}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []stamp
			Scan([]byte(tt.data), func(seq int, at int64) { got = append(got, stamp{seq, at}) })
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	if n := len(one(1, 2)); n != 32 {
		t.Errorf("delta is %d bytes, want 32", n)
	}
}

// Stream keeps its schedule and stamps in order.
func TestStream(t *testing.T) {
	var seqs []int
	var ats []int64
	first, last := Stream(5, 1000, 32, func(b []byte) {
		Scan(b, func(seq int, at int64) { seqs = append(seqs, seq); ats = append(ats, at) })
	})
	if fmt.Sprint(seqs) != "[0 1 2 3 4]" {
		t.Fatalf("stamps %v, want 0..4", seqs)
	}
	if ats[0] != first || ats[4] != last {
		t.Fatalf("first/last %d/%d, stamps %v", first, last, ats)
	}
	if span := last - first; span < 4e6 {
		t.Fatalf("5 deltas at 1,000/s took %d ns, want at least 4 ms", span)
	}
}
