//go:build !unix

package cli

import (
	"io"
	"os"

	"golang.org/x/term"
)

// inForeground says whether f is a terminal (there are no background jobs to stop here).
func inForeground(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// jobControl: there are no background jobs here.
const jobControl = false

// allowBackgroundWrites does nothing: there are no background jobs here.
func allowBackgroundWrites() {}

// inBackground is false: there are no background jobs here.
func inBackground(*os.File) bool { return false }

// editorOutput is out, its frames' rows cleared whole (freshRows) when it is a terminal:
// there are no background jobs here.
func editorOutput(out io.Writer, _ *printedLines, _ *backgroundOut) io.Writer {
	if f, ok := out.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return freshOutput{f}
	}
	return out
}

// freshOutput writes the editor's frames with their rows cleared whole (freshRows); as an
// *os.File, Bubble Tea reads the terminal's size from it.
type freshOutput struct{ *os.File }

func (f freshOutput) Write(b []byte) (int, error) {
	if _, err := f.File.Write(freshRows(b)); err != nil {
		return 0, err
	}
	return len(b), nil
}

// WriteString hides the file's own, which io.WriteString would call instead of Write.
func (f freshOutput) WriteString(s string) (int, error) { return f.Write([]byte(s)) }

// stopsBackgroundWriters is false: there are no background jobs here.
func stopsBackgroundWriters(*os.File) bool { return false }

// editorInput is in: there are no background jobs to stop here.
func editorInput(in io.Reader) io.Reader { return in }

// onForeground does nothing: there are no background jobs here.
func onForeground(io.Reader, func(bool)) (stop func()) { return func() {} }

// quietEnd does nothing: a terminal cannot stop the process here.
type quietEnd struct{ in io.Reader }

func (*quietEnd) begin() {}

// onContinue does nothing: there is no SIGCONT here.
func onContinue(func()) (stop func()) { return func() {} }

// readableSoon cannot tell here: only what is buffered counts as there.
func readableSoon(*os.File) bool { return false }

// retakeInput is never called: there is no SIGCONT here.
func retakeInput(io.Reader, io.Writer) continuedMsg { return continuedMsg{} }
