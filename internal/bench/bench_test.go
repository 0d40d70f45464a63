package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"image/png"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/testkit"
)

// TestMain lets the test binary be the host child, as the concordia-bench program is.
func TestMain(m *testing.M) {
	if spec, ok := os.LookupEnv(ChildEnv); ok {
		if err := RunChild(spec, os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "bench child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestWriteSectionKeepsTheRest(t *testing.T) {
	path := filepath.Join(t.TempDir(), "PERF.md")
	os.WriteFile(path, []byte("# Perf\n\nintro\n"), 0o644)
	if err := writeSection(path, "first\n"); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	os.WriteFile(path, append(b, "\n## Later\n\nkept\n"...), 0o644)
	if err := writeSection(path, "second\n"); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	want := "# Perf\n\nintro\n\n" + mdBegin + "\n\nsecond\n\n" + mdEnd + "\n\n## Later\n\nkept\n"
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// TestSmoke runs the whole harness small (a few participants, a few deltas) so that it
// cannot rot: both systems, a stalled participant, the idle run with its cap check, the
// report and the plot.
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("starts host processes")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	samples := filepath.Join(t.TempDir(), "samples")
	o := Options{Exe: exe, Participants: []int{3}, Rates: []int{1000}, Deltas: 30, Reps: 1,
		StallAt: []int{3}, IdleAt: 3, Drain: 20 * time.Second, Samples: samples}
	results := runChecked(t, o)
	checkSamples(t, samples, results)

	dir := t.TempDir()
	md, pngPath := filepath.Join(dir, "PERFORMANCE.md"), filepath.Join(dir, "p99.png")
	rep := NewReport(o, results)
	if err := rep.WriteFiles(md, pngPath, filepath.Join(dir, "r.json")); err != nil {
		t.Fatal(err)
	}
	text, _ := os.ReadFile(md)
	for _, want := range []string{mdBegin, mdEnd, "| 3 | 1000 | relay |", "p99 ≤ 1.0× relay", "-32005 one past"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("the Markdown lacks %q:\n%s", want, text)
		}
	}
	b, _ := os.ReadFile(pngPath)
	if _, err := png.Decode(bytes.NewReader(b)); err != nil {
		t.Errorf("the plot is not a PNG: %v", err)
	}
}

// checkSamples checks that -samples wrote every streamed run's deliveries: a header, then
// one line per delivery counted, each of a participant, a delta and a latency that is there.
func checkSamples(t *testing.T, dir string, results []Result) {
	t.Helper()
	for _, r := range results {
		if r.Idle {
			continue
		}
		stall := ""
		if r.Stalled {
			stall = "-stalled"
		}
		name := fmt.Sprintf("%s-n%d-r%d%s-rep%d.tsv", r.System, r.Participants, r.Rate, stall, r.Rep+1)
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("samples of %s: %v", r.line(), err)
			continue
		}
		lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		if lines[0] != "participant\tdelta\tlatency_ns" || len(lines)-1 != r.Samples {
			t.Errorf("%s: %d sample lines under %q, want %d", name, len(lines)-1, lines[0], r.Samples)
			continue
		}
		for _, l := range lines[1:] {
			var p, d int
			var ns int64
			if n, _ := fmt.Sscanf(l, "%d\t%d\t%d", &p, &d, &ns); n != 3 || p < 0 || p >= r.Participants || d < 0 || ns <= 0 {
				t.Errorf("%s: line %q", name, l)
				break
			}
		}
	}
}

// runChecked runs o (within two minutes) and fails the test unless every scenario ran and
// every delta arrived.
func runChecked(t *testing.T, o Options) []Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	results, err := Run(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	checkResults(t, o, results)
	return results
}

// checkResults fails the test unless every scenario ran and every delta arrived.
func checkResults(t *testing.T, o Options, results []Result) {
	t.Helper()
	if len(results) != len(o.Scenarios()) {
		t.Fatalf("%d results for %d scenarios", len(results), len(o.Scenarios()))
	}
	for _, r := range results {
		t.Log(r.line())
		switch {
		case r.Err != "":
			t.Errorf("%s: %s", r.line(), r.Err)
		case r.Idle:
			if r.Joined != o.IdleAt {
				t.Errorf("%s: %d held, want %d", r.System, r.Joined, o.IdleAt)
			}
			if r.System == SystemConcordia && r.RefusedCode != -32005 {
				t.Errorf("one past the cap got %d, want -32005", r.RefusedCode)
			}
		default:
			if r.Lost != 0 || r.Samples != r.Participants*o.Deltas {
				t.Errorf("%s: %d of %d deltas received", r.line(), r.Samples, r.Expected)
			}
			if r.P99MS <= 0 || r.MaxMS < r.P99MS || r.P99MS < r.P50MS {
				t.Errorf("%s: latencies out of order", r.line())
			}
			if r.Frames == 0 || (r.WireB == 0 && !realProgram(r.System)) {
				t.Errorf("%s: no frames or bytes counted", r.line())
			}
			if r.CPUms <= 0 || r.HWMKiB <= 0 {
				t.Errorf("%s: no host CPU or memory measured", r.line())
			}
		}
	}
}

// The real program runs as the concordia-bin system: `concordia host` with fakeclaude
// streaming stamped deltas through its stdout, the participants on the program's own
// listener, its CPU and memory read from /proc. Its baseline relay-bin gets the same
// stream from its own fakeclaude, and a second build (-binary-b; here the same program)
// runs beside it with a table of the two.
func TestSmokeBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the concordia program")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "concordia")
	build := exec.Command("go", "build", "-tags", "headless", "-o", bin, ".")
	build.Dir = testkit.ModuleRoot(t)
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build concordia: %v\n%s", err, out)
	}
	o := Options{Exe: exe, Systems: []string{SystemBinary, SystemRelayBin}, Binary: bin, BinaryB: bin, FakeAgent: testkit.FakeClaude(t),
		Participants: []int{3}, Rates: []int{1000}, Deltas: 30, Reps: 1, StallAt: []int{3}, Drain: 20 * time.Second}
	results := runChecked(t, o)
	text := NewReport(o, results).Markdown()
	for _, want := range []string{"| 3 | 1000 | concordia-bin | ", "| 3 | 1000 | concordia-bin + 1 stalled |",
		"| 3 | 1000 | relay-bin | ", "| 3 | 1000 | relay-bin + 1 stalled |",
		"| p99 ≤ 1.0× relay | 3 at 1000/s, the real program against relay-bin |",
		"| 3 | 1000 | concordia-bin-b | ", "Build B (`-binary-b`, concordia-bin-b) against build A", "| 3 + 1 stalled | 1000 | "} {
		if !strings.Contains(text, want) {
			t.Errorf("the Markdown lacks %q:\n%s", want, text)
		}
	}
}

// The paired ratio pairs each repetition of one scenario with the same repetition of the
// other: a slow repetition slows both sides of its own ratio only.
func TestPairedRatio(t *testing.T) {
	c := Scenario{System: SystemConcordia, Participants: 10, Rate: 200}
	rl := Scenario{System: SystemRelay, Participants: 10, Rate: 200}
	res := func(sc Scenario, rep int, p99 float64) Result {
		return Result{Scenario: sc, Rep: rep, P99MS: p99}
	}
	r := &Report{Results: []Result{
		res(c, 0, 1.0), res(rl, 0, 1.1), // 0.91
		res(c, 1, 3.0), res(rl, 1, 3.2), // a slow spell: 0.94
		res(c, 2, 1.2), res(rl, 2, 1.0), // 1.2
		res(c, 3, 9.0), // its relay run failed: not paired
		{Scenario: rl, Rep: 3, Err: "boom"},
	}}
	got, n := r.pairedRatio(c, rl, func(x Result) float64 { return x.P99MS })
	if n != 3 || math.Abs(got-3.0/3.2) > 1e-9 {
		t.Fatalf("pairedRatio = %v over %d pairs, want %v over 3", got, n, 3.0/3.2)
	}
	if _, n := r.pairedRatio(c, Scenario{System: "none"}, func(x Result) float64 { return x.P99MS }); n != 0 {
		t.Fatalf("pairs with a scenario that never ran: %d", n)
	}
}

// A system name the bench does not know, or the real program without its parts, stops the
// bench before any run (a typo used to fail every run and still rewrite the document).
func TestRunRejectsUnknownSystems(t *testing.T) {
	for _, o := range []Options{
		{Systems: []string{"relay", "concordia-bn"}},
		{Systems: []string{SystemBinary}},
		{Systems: []string{SystemRelayBin}},
		{Systems: []string{SystemBinaryB}, Binary: "concordia", FakeAgent: "fakeclaude"},
	} {
		o.Participants, o.Rates = []int{1}, []int{200}
		if res, err := Run(context.Background(), o); err == nil || len(res) != 0 {
			t.Errorf("systems %v: %d results, err %v; want an error before any run", o.Systems, len(res), err)
		}
	}
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

// relay-bin reads claude's result line across the pieces of a line longer than its
// buffer, wherever the marker falls between two pieces; such a line is never taken for a
// delta.
func TestRelayBinFindsALongResultLine(t *testing.T) {
	delta := `{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"#0@1;ab"}}}` + "\n"
	for pad := range 200 { // the marker's place against the 200-byte pieces: every offset
		long := `{"is_error":false,"result":"` + strings.Repeat("x", 300+pad) + `","text_delta","text":"no","type":"result"}` + "\n"
		a := &agentSource{spec: childSpec{Deltas: 1}, in: nopWriteCloser{io.Discard},
			out: bufio.NewReaderSize(strings.NewReader(delta+long+delta), 200)}
		var got []string
		done := make(chan struct{})
		go func() { a.stream(func(b []byte) { got = append(got, string(b)) }); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("pad %d: the result line was not found", pad)
		}
		if len(got) != 1 || got[0] != "#0@1;ab" {
			t.Fatalf("pad %d: relayed %q, want the one delta before the result", pad, got)
		}
	}
}
