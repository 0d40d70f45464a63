package journal

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/concordia-party/concordia/internal/wire"
)

// FuzzRead: no input makes the reader panic or deliver an event twice or out of order; a
// real journal cut anywhere yields exactly the events of its complete lines.
func FuzzRead(f *testing.F) {
	dir := f.TempDir()
	w := writeParty(f, dir, 12, 40)
	w.Invites(Tokens{"t2", "v2", "h2"})
	w.AgentSession("s")
	w.End(t0)
	w.Close()
	good, err := os.ReadFile(Path(dir, "p1"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good, uint16(len(good)))
	f.Add(good, uint16(len(good)-7))
	f.Add(good, uint16(200))
	f.Add([]byte(`{"type":"header","header":{"party":"x"}}`+"\n"+`{"type":"event","event":{"seq":"1"}}`+"\n"), uint16(0))
	f.Add([]byte("\n\n{}\n[]\nnull\n"), uint16(0))
	f.Fuzz(func(t *testing.T, data []byte, cut uint16) {
		check := func(in []byte) (*Summary, []int64) {
			var got []int64
			s, err := ReadFrom(bytes.NewReader(in), func(ev wire.Event, raw json.RawMessage) {
				if n := len(got); n > 0 && ev.Seq <= got[n-1] {
					t.Fatalf("seq %d after %d", ev.Seq, got[n-1])
				}
				got = append(got, ev.Seq)
			})
			if err == nil && (s.Events != len(got) || s.Size > int64(len(in))) {
				t.Fatalf("summary %d events, %d delivered; size %d of %d", s.Events, len(got), s.Size, len(in))
			}
			return s, got
		}
		check(data)
		// The real journal cut at an arbitrary byte: complete lines are all read.
		n := int(cut) % (len(good) + 1)
		s, got := check(good[:n])
		complete := bytes.Count(good[:n], []byte{'\n'})
		if complete == 0 {
			return
		}
		if s == nil {
			t.Fatalf("cut at %d: header lost", n)
		}
		want := 0
		for _, line := range bytes.SplitAfter(good[:n], []byte{'\n'}) {
			if _, _, ok := eventLine(line); ok && bytes.HasSuffix(line, []byte{'\n'}) {
				want++
			}
		}
		if len(got) != want {
			t.Fatalf("cut at %d: %d events, want %d", n, len(got), want)
		}
	})
}
