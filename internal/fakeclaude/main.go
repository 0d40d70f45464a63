// Command fakeclaude stands in for the Claude Code CLI in tests. It speaks enough of the
// headless stream-json protocol (claude -p --input-format stream-json --output-format
// stream-json --verbose --include-partial-messages) for package agent and the party: it answers
// the initialize, interrupt and set_permission_mode control requests, and for each user message writes system/init,
// the reply as stream_event text deltas (only with --include-partial-messages), the complete
// assistant message, and a result line.
//
// The default reply is "echo: " followed by the prompt. Words in the prompt change that:
//
//	FAKE_ERROR         the turn fails: a synthetic API error message, result with is_error
//	FAKE_CRASH         exit with status 3 after the first delta, unless FAKECLAUDE_CRASH_ONCE
//	                   names a file that exists (the crash creates it: a retry then succeeds)
//	FAKE_CRASH_ALWAYS  exit with status 3 after the first delta, every time
//	FAKE_SLOW=<ms>     sleep that long after the first delta (an interrupt cuts it short)
//	FAKE_HANG          after system/init write nothing at all until interrupted
//	FAKE_STREAM=<n>:<ms>[:<bytes>]
//	                   a long reply that streams: n deltas, <ms> apart, each
//	                   "[piece i/n]" padded with '.' to <bytes> (default 64); an interrupt
//	                   cuts it short
//	FAKE_STAMPS=<n>:<per-second>[:<bytes>]
//	                   n deltas at that rate on an absolute schedule, each a stamp
//	                   "#i@<CLOCK_MONOTONIC ns>;" taken just before its line is written,
//	                   padded to <bytes> (default 32): what the fan-out bench streams, here
//	                   from a real agent process (package stamp)
//	FAKE_ORPHAN        after the first delta start `sleep 60` holding our stdout and stderr,
//	                   log {"orphan": pid}, and exit with status 3
//	FAKE_DETACH        start `sleep 300` in a session of its own with /dev/null for its stdio,
//	                   as the real CLI runs a tool's shell (a background job it starts is in
//	                   neither claude's process group nor its session); log {"detached": pid}
//	                   and reply "detached PID"
//	FAKE_TOOL          text, a Bash tool call and its result, then the reply in a second message
//	FAKE_BLOCKS        the reply as two text blocks of one message
//	FAKE_BIG=<n>       the reply is n bytes, sent only in the assistant message (no deltas)
//	FAKE_RETRY         a system/api_retry line before the reply
//	FAKE_ASK[=<n>]     ask for tool permission over stdout (control_request can_use_tool) n
//	                   times (default once), each for a Bash call, and put the answers into the
//	                   tool results; an interrupt while asking withdraws the request
//	                   (control_cancel_request), writes a result of its own for the tool
//	                   use (an error: "The user doesn't want to proceed with this tool
//	                   use…") and "[Request interrupted by user for tool use]", and ends the
//	                   turn, as the real CLI does (2.1.197)
//	FAKE_PAR           with FAKE_ASK=<n>: the n requests are sent at once, before any answer,
//	                   as for parallel tool calls
//	FAKE_ASK_WRITE=<path>
//	                   the same, for one Write of "FAKE-WRITE-TEXT\n" to path (not written)
//
//	FAKE_FS=<ops>      change files in the working directory as tools would: w:PATH,
//	                   a:PATH, mv:FROM>TO, rm:PATH, ln:LINK>TARGET, comma-separated
//
// A user message whose content string starts with "/" is an agent command, as with the real
// CLI: it never becomes a reply; it is logged as {"command"} and answered with a synthetic
// message and a result; /clear starts a new session id.
//
// Environment:
//
//	FAKECLAUDE_LOG=<file>               append {"text","session","args","claudecode","mode"} per
//	                                    user message (claudecode: whether CLAUDECODE was set;
//	                                    mode: the permission mode, from --permission-mode or
//	                                    the last set_permission_mode, "" for none), {"set_mode"}
//	                                    per set_permission_mode, and {"signal","ignored"} per
//	                                    signal received
//	FAKECLAUDE_REFUSE_MODE=1            answer set_permission_mode with an error
//	FAKECLAUDE_MODE_DELAY_MS=<ms>       take a set_permission_mode (and answer it) only that
//	                                    long after it came; lines read meanwhile go on as usual
//	FAKECLAUDE_IGNORE_STDIN_CLOSE=1     keep running when stdin closes (a stop must signal)
//	FAKECLAUDE_IGNORE_SIGNALS=1         log SIGINT and SIGTERM but keep running (needs SIGKILL)
//	FAKECLAUDE_IGNORE_INTERRUPT=1       answer interrupt control requests but never stop the
//	                                    turn (a wedged agent: only killing it ends the turn)
//	FAKECLAUDE_NEW_SESSION_ON_RESUME=1  start a new session id even with --resume
//	FAKECLAUDE_PIDFILE=<file>           write this process's pid there at start
//	FAKECLAUDE_NO_PARTIAL=1             no stream_event lines even with --include-partial-messages
//	FAKECLAUDE_SESSIONS=<dir>           keep the sessions there, one file each, as the real CLI
//	                                    keeps them under ~/.claude: --resume of one not there
//	                                    says "No conversation found with session ID: …" on
//	                                    stderr and exits 1, as the real CLI does
//	FAKECLAUDE_FAIL_START_ONCE=<file>   when the file exists: remove it, say "something else
//	                                    went wrong" on stderr and exit 1 (a start that fails
//	                                    once, for another reason than its session)
//
// Closing stdin lets queued turns finish and exits 0; SIGINT exits 130, SIGTERM 143. A line
// on stdin that is not JSON exits 1, as the real CLI does.
package main

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/concordia-party/concordia/internal/stamp"
)

func main() {
	f := newFake(os.Args[1:], os.Stdout, os.Stderr)
	go f.signals()
	os.Exit(f.run(os.Stdin))
}

// fake is one run. Its stdout is written by the stdin reader (control responses) and the turn
// loop: out serialises them, one whole line per write.
type fake struct {
	args    []string
	partial bool
	session string
	resumed string // --resume's session, "" without it
	logPath string

	outMu sync.Mutex
	out   io.Writer
	errw  io.Writer

	// mu guards the fields below, shared by the stdin reader and the turn loop.
	mu        sync.Mutex
	interrupt chan struct{}                   // the running turn's interrupt signal, nil when idle
	answers   map[string]chan json.RawMessage // control requests we sent, waiting for answers
	nextReq   int
	mode      string // the permission mode: --permission-mode, then set_permission_mode
	unknown   string // an option it refuses at start, as claude does an unknown one ("--bogus…")
}

func newFake(args []string, out, errw io.Writer) *fake {
	f := &fake{
		args:    args,
		out:     out,
		errw:    errw,
		logPath: os.Getenv("FAKECLAUDE_LOG"),
		answers: map[string]chan json.RawMessage{},
	}
	resume := ""
	for i, a := range args {
		switch {
		case a == "--include-partial-messages":
			f.partial = os.Getenv("FAKECLAUDE_NO_PARTIAL") == ""
		case a == "--resume" && i+1 < len(args):
			resume = args[i+1]
		case strings.HasPrefix(a, "--resume="):
			resume = strings.TrimPrefix(a, "--resume=")
		case a == "--permission-mode" && i+1 < len(args):
			f.mode = args[i+1]
		case strings.HasPrefix(a, "--bogus"):
			// Refused as Claude Code's option parser does (stderr, exit 1, nothing read).
			f.unknown = a
		}
	}
	f.session, f.resumed = resume, resume
	if resume == "" || os.Getenv("FAKECLAUDE_NEW_SESSION_ON_RESUME") != "" {
		f.session = newID()
	}
	return f
}

// signals exits on SIGINT or SIGTERM, logging which one came (or only logs it when told to
// ignore signals).
func (f *fake) signals() {
	ch := make(chan os.Signal, 4)
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM)
	ignore := os.Getenv("FAKECLAUDE_IGNORE_SIGNALS") != ""
	for sig := range ch {
		name := "interrupt"
		code := 130
		if sig == syscall.SIGTERM {
			name, code = "terminated", 143
		}
		f.logJSON(map[string]any{"signal": name, "ignored": ignore})
		if !ignore {
			os.Exit(code)
		}
	}
}

// run reads stdin and runs turns one after another; it returns the exit status.
func (f *fake) run(stdin io.Reader) int {
	if f.unknown != "" {
		fmt.Fprintf(f.errw, "error: unknown option '%s'\n", f.unknown)
		return 1
	}
	if marker := os.Getenv("FAKECLAUDE_FAIL_START_ONCE"); marker != "" && os.Remove(marker) == nil {
		fmt.Fprintln(f.errw, "something else went wrong")
		return 1
	}
	if dir := os.Getenv("FAKECLAUDE_SESSIONS"); dir != "" {
		if _, err := os.Stat(filepath.Join(dir, f.resumed)); f.resumed != "" && err != nil {
			fmt.Fprintf(f.errw, "No conversation found with session ID: %s\n", f.resumed)
			return 1
		}
		_ = os.WriteFile(filepath.Join(dir, f.session), nil, 0o600)
	}
	fmt.Fprintln(f.errw, "fake claude ready")
	if path := os.Getenv("FAKECLAUDE_PIDFILE"); path != "" {
		_ = os.WriteFile(path, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600)
	}
	queue := make(chan string, 64)
	go f.readStdin(stdin, queue)
	for text := range queue {
		f.turn(text)
	}
	if os.Getenv("FAKECLAUDE_IGNORE_STDIN_CLOSE") != "" {
		select {} // only a signal ends us now
	}
	return 0
}

// readStdin parses stdin lines: user messages go to queue, control lines are handled here so
// that an interrupt reaches a running turn.
func (f *fake) readStdin(stdin io.Reader, queue chan<- string) {
	defer close(queue)
	br := bufio.NewReader(stdin)
	for {
		line, err := br.ReadBytes('\n')
		if len(strings.TrimSpace(string(line))) > 0 {
			f.handleInput(line, queue)
		}
		if err != nil {
			return
		}
	}
}

type inLine struct {
	Type      string          `json:"type"`
	RequestID string          `json:"request_id"`
	Request   json.RawMessage `json:"request"`
	Response  json.RawMessage `json:"response"`
	Message   struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	} `json:"message"`
}

func (f *fake) handleInput(line []byte, queue chan<- string) {
	var in inLine
	if err := json.Unmarshal(line, &in); err != nil {
		fmt.Fprintf(f.errw, "fake claude: stdin line is not JSON: %v\n", err)
		os.Exit(1)
	}
	switch in.Type {
	case "user":
		text := contentText(in.Message.Content)
		var raw string
		if json.Unmarshal(in.Message.Content, &raw) == nil && strings.HasPrefix(raw, "/") {
			f.logJSON(map[string]any{"command": raw, "session": f.session})
			queue <- "\x00command " + raw
			return
		}
		_, nested := os.LookupEnv("CLAUDECODE")
		f.mu.Lock()
		mode := f.mode
		f.mu.Unlock()
		f.logJSON(map[string]any{"text": text, "session": f.session, "args": f.args, "claudecode": nested, "mode": mode})
		queue <- text
	case "control_request":
		var req struct {
			Subtype string `json:"subtype"`
			Mode    string `json:"mode"`
		}
		_ = json.Unmarshal(in.Request, &req)
		switch req.Subtype {
		case "set_permission_mode":
			if os.Getenv("FAKECLAUDE_REFUSE_MODE") != "" {
				f.emit(map[string]any{"type": "control_response", "response": map[string]any{
					"subtype": "error", "request_id": in.RequestID, "error": "refused (FAKECLAUDE_REFUSE_MODE)",
				}})
				return
			}
			take := func() {
				f.mu.Lock()
				f.mode = req.Mode
				f.mu.Unlock()
				f.logJSON(map[string]any{"set_mode": req.Mode})
				f.emit(map[string]any{"type": "control_response", "response": map[string]any{
					"subtype": "success", "request_id": in.RequestID,
				}})
			}
			if ms, _ := strconv.Atoi(os.Getenv("FAKECLAUDE_MODE_DELAY_MS")); ms > 0 {
				time.AfterFunc(time.Duration(ms)*time.Millisecond, take)
				return
			}
			take()
		case "initialize":
			f.emit(map[string]any{"type": "control_response", "response": map[string]any{
				"subtype": "success", "request_id": in.RequestID,
				"response": map[string]any{"commands": []any{}, "models": []any{}},
			}})
		case "interrupt":
			f.mu.Lock()
			if f.interrupt != nil && os.Getenv("FAKECLAUDE_IGNORE_INTERRUPT") == "" {
				select {
				case f.interrupt <- struct{}{}:
				default:
				}
			}
			f.mu.Unlock()
			f.emit(map[string]any{"type": "control_response", "response": map[string]any{
				"subtype": "success", "request_id": in.RequestID,
			}})
		default:
			f.emit(map[string]any{"type": "control_response", "response": map[string]any{
				"subtype": "error", "request_id": in.RequestID, "error": "unsupported: " + req.Subtype,
			}})
		}
	case "control_response":
		var resp struct {
			RequestID string          `json:"request_id"`
			Response  json.RawMessage `json:"response"`
		}
		_ = json.Unmarshal(in.Response, &resp)
		f.mu.Lock()
		ch := f.answers[resp.RequestID]
		delete(f.answers, resp.RequestID)
		f.mu.Unlock()
		if ch != nil {
			ch <- resp.Response
		}
	}
}

// contentText reads message content: a string or an array of text blocks.
func contentText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var blocks []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	_ = json.Unmarshal(raw, &blocks)
	var parts []string
	for _, b := range blocks {
		if b.Type == "text" {
			parts = append(parts, b.Text)
		}
	}
	return strings.Join(parts, "\n")
}

var (
	slowRe   = regexp.MustCompile(`FAKE_SLOW=(\d+)`)
	streamRe = regexp.MustCompile(`FAKE_STREAM=(\d+):(\d+)(?::(\d+))?`)
	stampsRe = regexp.MustCompile(`FAKE_STAMPS=(\d+):(\d+)(?::(\d+))?`)
	askRe    = regexp.MustCompile(`FAKE_ASK(?:=(\d+))?`)
	writeRe  = regexp.MustCompile(`FAKE_ASK_WRITE=(\S+)`)
	bigRe    = regexp.MustCompile(`FAKE_BIG=(\d+)`)
	fsRe     = regexp.MustCompile(`FAKE_FS=(\S+)`)
)

// fsTurn carries out FAKE_FS operations in the working directory, each as a tool call
// and its result (as the real CLI's Write/Edit/Bash tools would), and returns the reply.
// Operations, comma-separated: w:PATH (write "hello from the agent\n"), a:PATH (append a
// line), mv:FROM>TO, rm:PATH, ln:PATH>TARGET (a symlink). Paths are used as given, so a
// test can make the agent try to escape with .. or an absolute path.
func (f *fake) fsTurn(spec string) string {
	var done []string
	for _, op := range strings.Split(spec, ",") {
		kind, arg, _ := strings.Cut(op, ":")
		var err error
		switch kind {
		case "w":
			if err = os.MkdirAll(filepathDir(arg), 0o755); err == nil {
				err = os.WriteFile(arg, []byte("hello from the agent\n"), 0o644)
			}
		case "a":
			var fh *os.File
			if fh, err = os.OpenFile(arg, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
				_, err = fh.WriteString("one more line\n")
				fh.Close()
			}
		case "mv":
			from, to, _ := strings.Cut(arg, ">")
			err = os.Rename(from, to)
		case "rm":
			err = os.Remove(arg)
		case "ln":
			link, target, _ := strings.Cut(arg, ">")
			err = os.Symlink(target, link)
		default:
			err = errors.New("unknown operation")
		}
		toolID := "toolu_" + newID()[:8]
		f.emit(map[string]any{"type": "assistant", "parent_tool_use_id": nil, "session_id": f.session,
			"message": message(newID(), map[string]any{"type": "tool_use", "id": toolID, "name": "Bash", "input": map[string]any{"command": op}})})
		result, isError := "ok", false
		if err != nil {
			result, isError = err.Error(), true
		}
		f.emit(map[string]any{"type": "user", "parent_tool_use_id": nil, "session_id": f.session,
			"message": map[string]any{"role": "user", "content": []any{map[string]any{
				"type": "tool_result", "tool_use_id": toolID, "content": result, "is_error": isError,
			}}}})
		done = append(done, op+" "+result)
	}
	return "files: " + strings.Join(done, "; ")
}

func filepathDir(p string) string {
	if i := strings.LastIndex(p, "/"); i > 0 {
		return p[:i]
	}
	return "."
}

// errInterrupted ends a turn early.
var errInterrupted = errors.New("interrupted")

// turn answers one user message.
func (f *fake) turn(text string) {
	start := time.Now()
	interrupt := make(chan struct{}, 1)
	f.mu.Lock()
	f.interrupt = interrupt
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.interrupt = nil
		f.mu.Unlock()
	}()

	if cmd, ok := strings.CutPrefix(text, "\x00command "); ok {
		f.command(start, cmd)
		return
	}
	f.emit(map[string]any{
		"type": "system", "subtype": "init", "session_id": f.session, "model": "fake",
		"tools": []string{"Bash", "Read", "Edit"}, "claude_code_version": "fake",
	})
	if strings.Contains(text, "FAKE_RETRY") {
		f.emit(map[string]any{"type": "system", "subtype": "api_retry", "attempt": 1, "max_retries": 2,
			"retry_delay_ms": 500.0, "error_status": 529, "error": "overloaded", "session_id": f.session})
	}
	if strings.Contains(text, "FAKE_ERROR") {
		msg := "API Error: 500 fake failure"
		f.emit(map[string]any{"type": "assistant", "error": "server_error", "parent_tool_use_id": nil,
			"session_id": f.session, "message": message(newID(), textBlock(msg))})
		f.result(start, true, "success", msg)
		return
	}

	reply := "echo: " + text
	var err error
	switch {
	case strings.Contains(text, "FAKE_HANG"):
		<-interrupt
		f.emit(map[string]any{"type": "user", "parent_tool_use_id": nil, "session_id": f.session,
			"message": map[string]any{"role": "user", "content": []any{textBlock("[Request interrupted by user]")}}})
		err = errInterrupted
	case streamRe.MatchString(text):
		reply, err = f.stream(interrupt, streamRe.FindStringSubmatch(text))
	case stampsRe.MatchString(text):
		reply = f.stamps(stampsRe.FindStringSubmatch(text))
	case bigRe.MatchString(text):
		n, _ := strconv.Atoi(bigRe.FindStringSubmatch(text)[1])
		reply = strings.Repeat("x", n)
		f.emit(map[string]any{"type": "assistant", "parent_tool_use_id": nil, "session_id": f.session,
			"message": message(newID(), textBlock(reply))})
	case fsRe.MatchString(text):
		reply = f.fsTurn(fsRe.FindStringSubmatch(text)[1])
		err = f.message(interrupt, text, reply)
	case strings.Contains(text, "FAKE_DETACH"):
		reply = fmt.Sprintf("detached %d", f.detach())
		err = f.message(interrupt, text, reply)
	case strings.Contains(text, "FAKE_TOOL"), strings.Contains(text, "FAKE_ASK"):
		err = f.toolTurn(text, reply, interrupt)
	case strings.Contains(text, "FAKE_BLOCKS"):
		err = f.message(interrupt, text, "first block", reply)
	default:
		err = f.message(interrupt, text, reply)
	}
	if err != nil {
		f.result(start, true, "error_during_execution", "")
		return
	}
	f.result(start, false, "success", reply)
}

// toolTurn is text, a Bash call, its result (asking for permission first with FAKE_ASK), and
// then the reply in a second message.
func (f *fake) toolTurn(text, reply string, interrupt chan struct{}) error {
	if err := f.message(interrupt, text, "Let me check."); err != nil {
		return err
	}
	calls := 1
	if m := askRe.FindStringSubmatch(text); m != nil && m[1] != "" {
		calls, _ = strconv.Atoi(m[1])
	}
	if strings.Contains(text, "FAKE_PAR") {
		return f.parallelAsks(text, calls, interrupt)
	}
	var results []string
	for i := 0; i < calls; i++ {
		toolID := "toolu_" + newID()[:8]
		tool, input := "Bash", map[string]any{"command": "ls -la", "description": "list files"}
		if strings.Contains(text, "FAKE_ASK") {
			input = map[string]any{"command": fmt.Sprintf("touch file-%d", i+1), "description": "make a file"}
		}
		if m := writeRe.FindStringSubmatch(text); m != nil {
			tool, input = "Write", map[string]any{"file_path": m[1], "content": "FAKE-WRITE-TEXT\n"}
		}
		f.emit(map[string]any{"type": "assistant", "parent_tool_use_id": nil, "session_id": f.session,
			"message": message(newID(), map[string]any{"type": "tool_use", "id": toolID, "name": tool, "input": input})})
		result, isError := "file-a\nfile-b\nfile-c", false
		if strings.Contains(text, "FAKE_ASK") {
			answer, err := f.ask(canUseTool(tool, input, toolID, text), interrupt)
			if err != nil {
				f.rejected(toolID)
				return err
			}
			result, isError = toolResult(answer)
		}
		results = append(results, replyOf(result, isError))
		f.emit(map[string]any{"type": "user", "parent_tool_use_id": nil, "session_id": f.session,
			"message": map[string]any{"role": "user", "content": []any{map[string]any{
				"type": "tool_result", "tool_use_id": toolID, "content": result, "is_error": isError,
			}}}})
	}
	if strings.Contains(text, "FAKE_ASK") {
		reply = "tools: " + strings.Join(results, " | ")
	}
	return f.message(interrupt, text, reply)
}

// parallelAsks is FAKE_ASK=n FAKE_PAR: n Bash calls in one message, their n permission
// requests sent at once, as Claude Code asks for parallel tool calls, then each answer in
// its tool's result.
func (f *fake) parallelAsks(text string, calls int, interrupt chan struct{}) error {
	type call struct {
		toolID, id string
		input      map[string]any
		ch         chan json.RawMessage
	}
	cs := make([]call, calls)
	for i := range cs {
		cs[i].toolID = "toolu_" + newID()[:8]
		cs[i].input = map[string]any{"command": fmt.Sprintf("touch file-%d", i+1), "description": "make a file"}
		f.emit(map[string]any{"type": "assistant", "parent_tool_use_id": nil, "session_id": f.session,
			"message": message(newID(), map[string]any{"type": "tool_use", "id": cs[i].toolID, "name": "Bash", "input": cs[i].input})})
	}
	for i := range cs {
		cs[i].id, cs[i].ch = f.sendRequest(canUseTool("Bash", cs[i].input, cs[i].toolID, text))
	}
	var results []string
	for i, c := range cs {
		answer, err := f.await(c.id, c.ch, interrupt)
		if err != nil {
			// The requests after it are withdrawn too, and each tool use has its result.
			ids := []string{c.toolID}
			for _, o := range cs[i+1:] {
				f.withdraw(o.id)
				ids = append(ids, o.toolID)
			}
			f.rejected(ids...)
			return err
		}
		result, isError := toolResult(answer)
		results = append(results, replyOf(result, isError))
		f.emit(map[string]any{"type": "user", "parent_tool_use_id": nil, "session_id": f.session,
			"message": map[string]any{"role": "user", "content": []any{map[string]any{
				"type": "tool_result", "tool_use_id": c.toolID, "content": result, "is_error": isError,
			}}}})
	}
	return f.message(interrupt, text, "tools: "+strings.Join(results, " | "))
}

// canUseTool is a can_use_tool request for a tool_use, as Claude Code sends it: with the
// tool_use's id, unless the prompt says FAKE_NO_TOOL_USE_ID (as an older Claude Code).
func canUseTool(tool string, input map[string]any, toolID, prompt string) map[string]any {
	req := map[string]any{"subtype": "can_use_tool", "tool_name": tool, "display_name": tool, "input": input, "tool_use_id": toolID}
	if strings.Contains(prompt, "FAKE_NO_TOOL_USE_ID") {
		delete(req, "tool_use_id")
	}
	return req
}

// toolResult is the tool result for a permission answer: "allowed", or the denial's
// message as an error, as Claude Code puts it.
func toolResult(answer json.RawMessage) (result string, isError bool) {
	var a struct {
		Behavior string `json:"behavior"`
		Message  string `json:"message"`
	}
	_ = json.Unmarshal(answer, &a)
	if a.Behavior == "allow" {
		return "allowed", false
	}
	return a.Message, true
}

// replyOf is a tool result as the reply quotes it: a denial as "denied: MESSAGE".
func replyOf(result string, isError bool) string {
	if isError {
		return "denied: " + result
	}
	return result
}

// ask sends a control request and waits for its answer; an interrupt withdraws it
// (control_cancel_request) and ends the turn.
func (f *fake) ask(req map[string]any, interrupt chan struct{}) (json.RawMessage, error) {
	id, ch := f.sendRequest(req)
	return f.await(id, ch, interrupt)
}

// sendRequest sends a control request; its answer comes on the channel.
func (f *fake) sendRequest(req map[string]any) (string, chan json.RawMessage) {
	ch := make(chan json.RawMessage, 1)
	f.mu.Lock()
	f.nextReq++
	id := "fake-req-" + strconv.Itoa(f.nextReq)
	f.answers[id] = ch
	f.mu.Unlock()
	f.emit(map[string]any{"type": "control_request", "request_id": id, "request": req})
	return id, ch
}

// await waits for the answer to request id; an interrupt withdraws it.
func (f *fake) await(id string, ch chan json.RawMessage, interrupt chan struct{}) (json.RawMessage, error) {
	select {
	case a := <-ch:
		return a, nil
	case <-interrupt:
		f.withdraw(id)
		return nil, errInterrupted
	}
}

// withdraw withdraws request id: its answer is no longer taken.
func (f *fake) withdraw(id string) {
	f.mu.Lock()
	delete(f.answers, id)
	f.mu.Unlock()
	f.emit(map[string]any{"type": "control_cancel_request", "request_id": id})
}

// rejectedText is the result the real CLI writes of a tool use whose request it withdrew
// when the turn was interrupted (2.1.197).
const rejectedText = "The user doesn't want to proceed with this tool use. The tool use was rejected (eg. if it was a file edit, the new_string was NOT written to the file). STOP what you are doing and wait for the user to tell you how to proceed."

// rejected writes, as the real CLI does after an interrupt withdrew their requests, an error
// result for each of the tool uses, then the interruption's text.
func (f *fake) rejected(toolIDs ...string) {
	for _, id := range toolIDs {
		f.emit(map[string]any{"type": "user", "parent_tool_use_id": nil, "session_id": f.session,
			"message": map[string]any{"role": "user", "content": []any{map[string]any{
				"type": "tool_result", "tool_use_id": id, "content": rejectedText, "is_error": true,
			}}}})
	}
	f.emit(map[string]any{"type": "user", "parent_tool_use_id": nil, "session_id": f.session,
		"message": map[string]any{"role": "user", "content": []any{textBlock("[Request interrupted by user for tool use]")}}})
}

// command answers an agent slash command the way the real CLI does: no model call, a
// synthetic message, a result; /clear starts a new session.
func (f *fake) command(start time.Time, cmd string) {
	if strings.HasPrefix(cmd, "/clear") {
		f.session = newID()
	}
	f.emit(map[string]any{
		"type": "system", "subtype": "init", "session_id": f.session, "model": "fake",
		"tools": []string{"Bash", "Read", "Edit"}, "claude_code_version": "fake",
	})
	text := "ran " + strings.Fields(cmd)[0]
	f.emit(map[string]any{"type": "assistant", "parent_tool_use_id": nil, "session_id": f.session,
		"message": message(newID(), textBlock(text))})
	f.result(start, false, "success", text)
}

// message writes one assistant message with a text block per element of blocks, the way the
// real CLI does: for each block its stream events, then an assistant line holding only that
// block. The prompt's switches (crash, slow) act after the first delta.
func (f *fake) message(interrupt chan struct{}, prompt string, blocks ...string) error {
	id := "msg_" + newID()
	f.streamEvent(map[string]any{"type": "message_start", "message": map[string]any{
		"id": id, "type": "message", "role": "assistant", "model": "fake", "content": []any{},
	}})
	for i, text := range blocks {
		f.streamEvent(map[string]any{"type": "content_block_start", "index": i,
			"content_block": map[string]any{"type": "text", "text": ""}})
		var sent strings.Builder
		for j, piece := range split(text, 3) {
			f.streamEvent(map[string]any{"type": "content_block_delta", "index": i,
				"delta": map[string]any{"type": "text_delta", "text": piece}})
			sent.WriteString(piece)
			if i == 0 && j == 0 {
				if err := f.midTurn(prompt, interrupt); err != nil {
					// The real CLI writes what it had, then ends the turn.
					f.emit(map[string]any{"type": "assistant", "parent_tool_use_id": nil, "session_id": f.session,
						"message": message(id, textBlock(sent.String()))})
					return err
				}
			}
		}
		f.emit(map[string]any{"type": "assistant", "parent_tool_use_id": nil, "session_id": f.session,
			"message": message(id, textBlock(text))})
		f.streamEvent(map[string]any{"type": "content_block_stop", "index": i})
	}
	f.streamEvent(map[string]any{"type": "message_delta", "delta": map[string]any{"stop_reason": "end_turn"}})
	f.streamEvent(map[string]any{"type": "message_stop"})
	return nil
}

// streamPiece is piece i (from 1) of n of a FAKE_STREAM reply, padded to size bytes; tests
// rebuild the whole reply with it.
func streamPiece(i, n, size int) string {
	s := fmt.Sprintf("[piece %d/%d]", i, n)
	if len(s) < size {
		s += strings.Repeat(".", size-len(s))
	}
	return s
}

// stream writes a FAKE_STREAM reply: n text deltas, ms apart, then the whole message.
func (f *fake) stream(interrupt chan struct{}, m []string) (string, error) {
	n, ms, size := streamArgs(m, 64)
	id := f.openText()
	var sent strings.Builder
	for i := 1; i <= n; i++ {
		piece := streamPiece(i, n, size)
		f.streamEvent(map[string]any{"type": "content_block_delta", "index": 0,
			"delta": map[string]any{"type": "text_delta", "text": piece}})
		sent.WriteString(piece)
		if i == n {
			break
		}
		timer := time.NewTimer(time.Duration(ms) * time.Millisecond)
		select {
		case <-timer.C:
		case <-interrupt:
			timer.Stop()
			f.emit(map[string]any{"type": "assistant", "parent_tool_use_id": nil, "session_id": f.session,
				"message": message(id, textBlock(sent.String()))})
			return sent.String(), errInterrupted
		}
	}
	f.closeText(id, sent.String())
	return sent.String(), nil
}

// streamArgs reads FAKE_STREAM's and FAKE_STAMPS's n:x[:bytes].
func streamArgs(m []string, size int) (n, x, bytes int) {
	n, _ = strconv.Atoi(m[1])
	x, _ = strconv.Atoi(m[2])
	if m[3] != "" {
		size, _ = strconv.Atoi(m[3])
	}
	return n, x, size
}

// openText starts a streamed message with one text block and returns the message's id.
func (f *fake) openText() string {
	id := "msg_" + newID()
	f.streamEvent(map[string]any{"type": "message_start", "message": map[string]any{
		"id": id, "type": "message", "role": "assistant", "model": "fake", "content": []any{},
	}})
	f.streamEvent(map[string]any{"type": "content_block_start", "index": 0,
		"content_block": map[string]any{"type": "text", "text": ""}})
	return id
}

// closeText writes the whole message and ends the stream that openText began.
func (f *fake) closeText(id, text string) {
	f.emit(map[string]any{"type": "assistant", "parent_tool_use_id": nil, "session_id": f.session,
		"message": message(id, textBlock(text))})
	f.streamEvent(map[string]any{"type": "content_block_stop", "index": 0})
	f.streamEvent(map[string]any{"type": "message_delta", "delta": map[string]any{"stop_reason": "end_turn"}})
	f.streamEvent(map[string]any{"type": "message_stop"})
}

// stamps writes a FAKE_STAMPS reply: stamped deltas, then the whole message. Each delta's
// line is built by hand (a stamp needs no JSON escaping), so that the time between the
// stamp and the write is the write alone.
func (f *fake) stamps(m []string) string {
	n, rate, size := streamArgs(m, 32)
	id := f.openText()
	session, _ := json.Marshal(f.session)
	head := `{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"`
	tail := `"}},"session_id":` + string(session) + `,"parent_tool_use_id":null}` + "\n"
	var sent strings.Builder
	var line []byte
	stamp.Stream(n, rate, size, func(delta []byte) {
		if f.partial {
			line = append(append(append(line[:0], head...), delta...), tail...)
			f.outMu.Lock()
			_, err := f.out.Write(line)
			f.outMu.Unlock()
			if err != nil {
				os.Exit(1) // the reader is gone
			}
		}
		sent.Write(delta) // after the write: the stamp times the write alone
	})
	f.closeText(id, sent.String())
	return sent.String()
}

// midTurn applies the crash and slow switches.
func (f *fake) midTurn(prompt string, interrupt chan struct{}) error {
	if strings.Contains(prompt, "FAKE_ORPHAN") {
		f.orphan()
	}
	if strings.Contains(prompt, "FAKE_CRASH") {
		crash := true
		if !strings.Contains(prompt, "FAKE_CRASH_ALWAYS") {
			if marker := os.Getenv("FAKECLAUDE_CRASH_ONCE"); marker != "" {
				if _, err := os.Stat(marker); err == nil {
					crash = false
				} else {
					_ = os.WriteFile(marker, []byte("crashed\n"), 0o600)
				}
			}
		}
		if crash {
			fmt.Fprintln(f.errw, "fake claude: simulated crash")
			os.Exit(3)
		}
	}
	if m := slowRe.FindStringSubmatch(prompt); m != nil {
		ms, _ := strconv.Atoi(m[1])
		timer := time.NewTimer(time.Duration(ms) * time.Millisecond)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-interrupt:
			f.emit(map[string]any{"type": "user", "parent_tool_use_id": nil, "session_id": f.session,
				"message": map[string]any{"role": "user", "content": []any{textBlock("[Request interrupted by user]")}}})
			return errInterrupted
		}
	}
	return nil
}

// orphan starts a process that inherits our stdout and stderr and outlives us (as a tool's
// background job can), logs its pid, and crashes.
func (f *fake) orphan() {
	cmd := exec.Command("sleep", "60")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(f.errw, "fake claude: orphan: %v\n", err)
		os.Exit(4)
	}
	f.logJSON(map[string]any{"orphan": cmd.Process.Pid})
	fmt.Fprintln(f.errw, "fake claude: crashing, leaving an orphan")
	os.Exit(3)
}

// detach starts a background job the way the real CLI's Bash tool leaves one: `sleep 300`
// in a session of its own, not waited for.
func (f *fake) detach() int {
	cmd := exec.Command("sleep", "300")
	newSession(cmd)
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(f.errw, "fake claude: detach: %v\n", err)
		os.Exit(4)
	}
	pid := cmd.Process.Pid
	f.logJSON(map[string]any{"detached": pid})
	go func() { _ = cmd.Wait() }() // reaped if it ends while we run
	return pid
}

func (f *fake) streamEvent(ev map[string]any) {
	if !f.partial {
		return
	}
	f.emit(map[string]any{"type": "stream_event", "event": ev, "session_id": f.session, "parent_tool_use_id": nil})
}

func (f *fake) result(start time.Time, isError bool, subtype, text string) {
	r := map[string]any{
		"type": "result", "subtype": subtype, "is_error": isError, "num_turns": 1,
		"duration_ms": time.Since(start).Milliseconds(), "session_id": f.session,
	}
	if text != "" {
		r["result"] = text
	}
	f.emit(r)
}

// emit writes v as one JSON line on stdout.
func (f *fake) emit(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	f.outMu.Lock()
	defer f.outMu.Unlock()
	if _, err := f.out.Write(append(b, '\n')); err != nil {
		os.Exit(1) // the reader is gone
	}
}

// logJSON appends v as one line to FAKECLAUDE_LOG.
func (f *fake) logJSON(v any) {
	if f.logPath == "" {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	file, err := os.OpenFile(f.logPath, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		fmt.Fprintf(f.errw, "fake claude: log: %v\n", err)
		return
	}
	defer file.Close()
	_, _ = file.Write(append(b, '\n'))
}

func message(id string, blocks ...any) map[string]any {
	return map[string]any{"id": id, "type": "message", "role": "assistant", "model": "fake", "content": blocks}
}

func textBlock(text string) map[string]any {
	return map[string]any{"type": "text", "text": text}
}

// split cuts s into at most n pieces on rune boundaries.
func split(s string, n int) []string {
	r := []rune(s)
	if len(r) < n {
		return []string{s}
	}
	var out []string
	for i := range n {
		out = append(out, string(r[i*len(r)/n:(i+1)*len(r)/n]))
	}
	return out
}

// newID is a random UUID-shaped id.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
