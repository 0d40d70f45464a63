// Package stamp is the format of the stamped deltas that the benchmarks stream through a
// party: "#SEQ@NS;" followed by filler, NS being CLOCK_MONOTONIC when the fake agent wrote
// the delta. The fan-out bench (internal/bench) writes them in-process; fakeclaude writes
// them from a separate process (FAKE_STAMPS), so that the real binary can be measured the
// same way. A participant that reads a stamp knows the delta's age.
package stamp

import (
	"strconv"
	"time"
)

// A stamp is "#SEQ@NS;": the delta's sequence number (0-based) and the monotonic time at
// which the fake agent wrote it. None of these characters is escaped by JSON, so a stamp
// reads the same in a relay frame and inside a Client.event's text, and an output event
// that merges several deltas carries each of their stamps in order.
const (
	stampOpen = '#'
	stampAt   = '@'
	stampEnd  = ';'
)

// filler pads a delta to a typical streamed-token size.
const filler = " lorem ipsum dolor sit amet, consectetur adipiscing elit sed do eiusmod"

// Append appends one delta of at least size bytes: its stamp, then filler.
func Append(b []byte, seq int, at int64, size int) []byte {
	start := len(b)
	b = append(b, stampOpen)
	b = strconv.AppendInt(b, int64(seq), 10)
	b = append(b, stampAt)
	b = strconv.AppendInt(b, at, 10)
	b = append(b, stampEnd)
	for pad := size - (len(b) - start); pad > 0; {
		n := min(pad, len(filler))
		b = append(b, filler[:n]...)
		pad -= n
	}
	return b
}

// Scan calls f for every well-formed stamp in data, in order.
func Scan(data []byte, f func(seq int, at int64)) {
	for i := 0; i < len(data); i++ {
		if data[i] != stampOpen {
			continue
		}
		seq, j, ok := digits(data, i+1)
		if !ok || j >= len(data) || data[j] != stampAt {
			continue
		}
		at, k, ok := digits(data, j+1)
		if !ok || k >= len(data) || data[k] != stampEnd {
			continue
		}
		f(int(seq), at)
		i = k
	}
}

// digits reads a decimal number at data[i:]; it returns the index after it.
func digits(data []byte, i int) (int64, int, bool) {
	var n int64
	start := i
	for ; i < len(data) && data[i] >= '0' && data[i] <= '9'; i++ {
		if i-start >= 19 {
			return 0, i, false
		}
		n = n*10 + int64(data[i]-'0')
	}
	return n, i, i > start
}

// Stream writes n stamped deltas of at least size bytes at rate per second on an absolute
// schedule (a late tick is followed by quicker ones, as a real stream's would). Each stamp
// is taken immediately before its write; first and last are the first and last stamps.
func Stream(n, rate, size int, write func([]byte)) (first, last int64) {
	every := time.Second / time.Duration(max(rate, 1))
	start := time.Now()
	var buf []byte
	for i := range n {
		if d := time.Until(start.Add(time.Duration(i) * every)); d > 0 {
			time.Sleep(d)
		}
		at := Monotonic()
		if i == 0 {
			first = at
		}
		last = at
		buf = Append(buf[:0], i, at, size)
		write(buf)
	}
	return first, last
}
