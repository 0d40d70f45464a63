package agent

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"time"

	"github.com/concordia-party/concordia/internal/wire"
)

// Reading claude's stdout and stderr: lines to outputs, results that end turns, and
// control requests (tool permissions) handed on.

// turnOf is the running turn if it belongs to p.
func (a *Agent) turnOf(p *process) *turn {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.turn != nil && a.turn.proc == p {
		return a.turn
	}
	return nil
}

// emitter sends an Output to p's running turn, or to the log between turns.
func (a *Agent) emitter(p *process) func(Output) {
	return func(o Output) {
		if t := a.turnOf(p); t != nil {
			t.emit(o)
			return
		}
		a.log.Debug("claude output outside a turn", "stream", o.Stream, "text", truncate(o.Text, badLineMax))
	}
}

// readStdout owns p's stdout: every line is handled here, in order (readLines).
func (a *Agent) readStdout(p *process) {
	br := bufio.NewReaderSize(newPipeReader(p.stdout, &p.exited), 64<<10)
	tr := newTranslator(a.cfg.WorkDir)
	tr.mark = func(toolUseID, text string) string { return a.resultMark(p, toolUseID, text) }
	err := readLines(br, tr, a.emitter(p), func(line []byte, emit func(Output)) {
		a.handleOtherLine(p, tr, line, emit)
	})
	if !endOfPipe(err) {
		a.log.Warn("read claude stdout", "err", err)
	}
}

// readLines reads claude's stdout lines until the reader's error, which it returns.
// bufio.Reader, not Scanner: lines have no length limit (a tool result can be megabytes).
// A stream event is translated here; its text is held while more lines are already in the
// buffer (burst) and sent before the reader would wait for more. Any other line goes to
// other, after what is held.
func readLines(br *bufio.Reader, tr *translator, emit func(Output), other func(line []byte, emit func(Output))) error {
	b := &burst{out: emit}
	for {
		line, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			if !tr.fastStreamEvent(line, b.emit) {
				b.flush() // a line that is not a stream event can end the turn: text first
				other(line, emit)
			}
		}
		if br.Buffered() == 0 || b.full() || err != nil {
			b.flush()
		}
		if err != nil {
			return err
		}
	}
}

// handleOtherLine routes a line that is not a stream event.
func (a *Agent) handleOtherLine(p *process, tr *translator, line []byte, emit func(Output)) {
	// One decoding for the lines that fit; only a line that does not is looked at again,
	// to tell a line that is not JSON from one with an odd field.
	var ln outLine
	if err := json.Unmarshal(line, &ln); err != nil {
		var h header
		if json.Unmarshal(line, &h) != nil {
			text := truncate(strings.TrimSpace(string(line)), badLineMax)
			a.log.Warn("claude wrote a line that is not JSON", "line", text)
			emit(Output{Text: text, Stream: wire.StreamStderr})
			return
		}
		a.log.Warn("decode claude line", "type", h.Type, "err", err)
		if h.Type == "result" {
			// Never leave a turn waiting for a result we could not read.
			msg, _ := json.Marshal("unreadable result from claude: " + err.Error())
			a.finishTurn(p, tr, &outLine{Type: "result", IsError: true, Result: msg})
		}
		return
	}
	var err error
	switch ln.Type {
	case "stream_event", "assistant", "user":
		err = tr.translate(&ln, emit)
	case "system":
		switch ln.Subtype {
		case "init":
			a.setSession(ln.SessionID)
		case "api_retry":
			emit(Output{Text: retryNotice(&ln), Stream: wire.StreamStderr})
		}
	case "result":
		a.finishTurn(p, tr, &ln)
	case "control_response":
		a.deliverControl(p, ln.Response)
	case "control_request":
		a.answerControl(p, &ln)
	case "control_cancel_request":
		a.cancelToolRequest(p, ln.RequestID)
	}
	if err != nil {
		a.log.Warn("handle claude line", "type", ln.Type, "err", err)
	}
}

func (a *Agent) setSession(id string) {
	if id == "" {
		return
	}
	a.mu.Lock()
	a.sessionID = id
	a.mu.Unlock()
}

// finishTurn ends p's running turn with a result line.
func (a *Agent) finishTurn(p *process, tr *translator, ln *outLine) {
	tr.reset()
	a.forgetDenials(p)
	a.mu.Lock()
	if ln.SessionID != "" {
		a.sessionID = ln.SessionID
	}
	sid := a.sessionID
	t := a.turn
	if t == nil || t.proc != p {
		a.mu.Unlock()
		a.log.Info("claude result outside a turn", "is_error", ln.IsError, "subtype", ln.Subtype)
		return
	}
	a.turn = nil
	interrupted := t.interrupted
	a.mu.Unlock()

	res := Result{SessionID: sid, Duration: time.Since(t.start)}
	if ln.DurationMS > 0 {
		res.Duration = time.Duration(ln.DurationMS * float64(time.Millisecond))
	}
	if ln.IsError {
		res.IsError = true
		res.Error = resultError(ln)
		if interrupted {
			res.Interrupted = true
			res.Error = wire.TurnInterrupted
		}
	}
	res.Text = t.end()
	if res.Text == "" && !res.IsError {
		_ = json.Unmarshal(ln.Result, &res.Text)
	}
	t.res = res
	close(t.done)
}

// readStderr owns p's stderr: lines go to the running turn (or the log) and to the tail
// that ExitError reports.
func (a *Agent) readStderr(p *process) {
	br := bufio.NewReader(newPipeReader(p.stderr, &p.exited))
	for {
		line, err := br.ReadString('\n')
		line = strings.TrimRight(line, "\r\n")
		if strings.TrimSpace(line) != "" {
			a.mu.Lock()
			p.stderrTail = append(p.stderrTail, truncate(line, stderrTailLineMax))
			if len(p.stderrTail) > stderrTailLines {
				p.stderrTail = p.stderrTail[len(p.stderrTail)-stderrTailLines:]
			}
			a.mu.Unlock()
			if t := a.turnOf(p); t != nil {
				t.emit(Output{Text: line, Stream: wire.StreamStderr})
			} else {
				a.log.Info("claude stderr", "line", truncate(line, stderrTailLineMax))
			}
		}
		if err != nil {
			return
		}
	}
}
