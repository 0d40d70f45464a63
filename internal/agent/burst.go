package agent

import "github.com/concordia-party/concordia/internal/wire"

// burstMax bounds the assistant text one merged Output carries.
const burstMax = 16 << 10

// burst merges the assistant text deltas of claude's lines that were already read when
// the one before them was handled: when the host falls behind the agent (claude writes
// faster than one line's fan-out, or the host was kept off the CPU for a while), the
// lines waiting in the reader's buffer go out as one Output instead of one each — one
// event, one frame per participant — and the host catches up; when it keeps up, every
// delta goes out as soon as its line is read, as before. Only assistant text is held;
// any other Output, and any line that is not a stream event, sends what is held first, so
// the order of what claude wrote never changes. It belongs to the stdout reader.
type burst struct {
	out  func(Output)
	text []byte // held assistant text
}

// emit holds assistant text and passes everything else on.
func (b *burst) emit(o Output) {
	if o.Stream == wire.StreamAssistant {
		b.text = append(b.text, o.Text...)
		return
	}
	b.flush()
	b.out(o)
}

// flush sends the held text.
func (b *burst) flush() {
	if len(b.text) == 0 {
		return
	}
	b.out(Output{Text: string(b.text), Stream: wire.StreamAssistant})
	b.text = b.text[:0]
	if cap(b.text) > 4*burstMax {
		b.text = nil // one long burst must not pin its buffer
	}
}

// full says the held text should go now whatever is still waiting.
func (b *burst) full() bool { return len(b.text) >= burstMax }
