package bench

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"
)

// agentSource is the relay-bin system's agent: fakeclaude, started as `concordia host`
// starts its agent, whose stamped deltas reach the relay through a pipe and a stream-json
// line each. The relay then pays for the same hop as the real program — another process,
// its pipe, a wake-up per line — and the two can be compared for what they do after it.
type agentSource struct {
	spec childSpec
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *bufio.Reader
	done chan struct{} // closed when the process has exited
}

// The relay's whole understanding of stream-json: a text delta's line holds its text
// after this, up to the next quote (a stamp and its filler need no escaping). A real relay
// would decode the line; the bench's does the least that can be done, so that the
// baseline is as cheap as a relay fed by an agent can be.
var (
	deltaTextAt = []byte(`"text_delta","text":"`)
	resultLine  = []byte(`"type":"result"`)
)

func startAgentSource(spec childSpec) (*agentSource, error) {
	if spec.FakeAgent == "" {
		return nil, errors.New("the relay-bin system needs -fake-agent")
	}
	cmd := exec.Command(spec.FakeAgent, "-p", "--input-format", "stream-json", "--output-format", "stream-json",
		"--verbose", "--include-partial-messages")
	cmd.Stderr = io.Discard
	cmd.SysProcAttr = hostProcAttr() // it ends with this child
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("agent stdin: %w", err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("agent stdout: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", spec.FakeAgent, err)
	}
	a := &agentSource{spec: spec, cmd: cmd, in: in, out: bufio.NewReaderSize(out, 64<<10), done: make(chan struct{})}
	go func() { cmd.Wait(); close(a.done) }()
	return a, nil
}

// stream asks the agent for the stamped stream and hands write each delta's text as it
// arrives, until the turn's result line.
func (a *agentSource) stream(write func([]byte)) sentReport {
	rep := sentReport{Deltas: a.spec.Deltas} // first and last: the participants read them in the stamps
	prompt, _ := json.Marshal(map[string]any{"type": "user", "message": map[string]any{"role": "user",
		"content": fmt.Sprintf("FAKE_STAMPS=%d:%d:%d", a.spec.Deltas, a.spec.Rate, a.spec.DeltaBytes)}})
	if _, err := a.in.Write(append(prompt, '\n')); err != nil {
		fmt.Fprintln(os.Stderr, "bench child: agent prompt:", err)
		return rep
	}
	// A line longer than the buffer (the whole reply, or the result that repeats it) comes
	// in pieces; it is never a delta, and whether it is the result is read across them
	// (the marker can straddle two pieces: seen keeps the end of the last one).
	var seen []byte
	long, result := false, false
	for {
		line, err := a.out.ReadSlice('\n')
		full := errors.Is(err, bufio.ErrBufferFull)
		if err != nil && !full {
			fmt.Fprintln(os.Stderr, "bench child: agent output:", err)
			return rep
		}
		if full || long {
			seen = append(seen, line...)
			result = result || bytes.Contains(seen, resultLine)
			seen = append(seen[:0], seen[max(0, len(seen)-len(resultLine)+1):]...)
			if long = full; !long {
				if result {
					return rep
				}
				seen, result = seen[:0], false
			}
			continue
		}
		if i := bytes.Index(line, deltaTextAt); i >= 0 {
			text := line[i+len(deltaTextAt):]
			if j := bytes.IndexByte(text, '"'); j >= 0 {
				write(text[:j])
			}
			continue
		}
		if bytes.Contains(line, resultLine) {
			return rep
		}
	}
}

func (a *agentSource) close() {
	a.in.Close() // fakeclaude exits when its stdin closes
	select {
	case <-a.done:
	case <-time.After(5 * time.Second):
		a.cmd.Process.Kill()
		<-a.done
	}
}
