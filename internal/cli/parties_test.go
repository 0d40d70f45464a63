package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/host"
	"github.com/concordia-party/concordia/internal/journal"
	"github.com/concordia-party/concordia/internal/testkit"
	"github.com/concordia-party/concordia/internal/wire"
)

// TestPartiesSaysWhatAResumeDoes: a stopped party whose last turn was cut short, with no
// prompt left waiting, is listed with what a resume does with it: it runs the turn again
// (it said "takes them up again", with no "them" to take up: a tester's); with a prompt
// left too, it takes them up again.
func TestPartiesSaysWhatAResumeDoes(t *testing.T) {
	dataDir := t.TempDir()
	t0 := time.Date(2026, 12, 4, 1, 0, 0, 0, time.UTC)
	write := func(id string, evs ...wire.Event) {
		t.Helper()
		testkit.WriteJournal(t, dataDir, journal.Header{Party: id, Host: "hosty", Created: t0, Token: "tok",
			Settings: journal.Settings{Listen: "127.0.0.1:0", Merge: "local", PermissionMode: "ask", WorkDir: t.TempDir()}}, evs...)
	}
	prompt := func(id string) wire.Event {
		return wire.Event{Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: id, User: "ann", Text: "do " + id}}
	}
	batch := wire.Event{Kind: wire.KindBatch, Batch: &wire.Batch{ID: "b1", Prompts: []string{"p1"}, Merged: "do p1", Merger: "local"}}
	write("aaaaaaaaaaaa", prompt("p1"), batch)
	write("bbbbbbbbbbbb", prompt("p1"), batch, prompt("p2"))
	turn := wire.Event{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnDone}}
	write("dddddddddddd", prompt("p1"), batch, turn, prompt("p2")) // one prompt alone: "it
	// Its last turn cut by the party's end: not run again, and said (it was not).
	endCut := wire.Event{Kind: wire.KindTurn, Turn: &wire.Turn{Batch: "b1", Status: wire.TurnInterrupted, Error: wire.TurnPartyEnded}}
	write("eeeeeeeeeeee", prompt("p1"), batch, endCut)
	// A journal a failed write cut short (as journal.markIncomplete leaves it): not resumable.
	write("cccccccccccc", prompt("p1"), batch)
	if err := os.Chmod(journal.Path(dataDir, "cccccccccccc"), 0o400); err != nil {
		t.Fatal(err)
	}
	// Cut short with the cut mark a Writer keeps beside it (journal/cutmark.go): resumed
	// past it, running nothing again; and with one that says a change of rules was lost.
	cut := func(id, mark string) {
		t.Helper()
		write(id, prompt("p1"), batch)
		path := journal.Path(dataDir, id)
		if err := os.Chmod(path, 0o400); err != nil {
			t.Fatal(err)
		}
		for _, m := range []string{path + ".incomplete", path + mark} {
			if err := os.WriteFile(m, nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	cut("ffffffffffff", ".cut-4100")
	cut("aaaaaaaaaaab", ".cut-4100-control")
	// Cut, then resumed once (its floor recorded, a resume run): what was unanswered at the
	// cut is not taken up by the next resume either, and parties does not say it is (a
	// reviewer's said "runs it again").
	write("aaaaaaaaaaac", prompt("p1"), batch)
	if f, err := os.OpenFile(journal.Path(dataDir, "aaaaaaaaaaac"), os.O_APPEND|os.O_WRONLY, 0); err != nil {
		t.Fatal(err)
	} else {
		fmt.Fprintf(f, "%s\n%s\n", `{"type":"seq_floor","seq_floor":4100,"lost_end":true}`, `{"type":"resumed","at":"2026-12-04T02:00:00Z"}`)
		f.Close()
	}
	var out, errOut bytes.Buffer
	if code := runParties(context.Background(), []string{"--data-dir", dataDir}, IO{Out: &out, Err: &errOut, Getenv: func(string) string { return "" }}); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	for _, want := range []string{
		"aaaaaaaaaaaa: its last turn was cut short; `concordia host --resume aaaaaaaaaaaa --data-dir " + dataDir + "` runs it again (`concordia host --resume aaaaaaaaaaaa --data-dir " + dataDir + " --without-unanswered` resumes without it)\n",
		"bbbbbbbbbbbb: 1 prompt never reached the agent, and its last turn was cut short; `concordia host --resume bbbbbbbbbbbb --data-dir " + dataDir + "` takes them up again (`concordia host --resume bbbbbbbbbbbb --data-dir " + dataDir + " --without-unanswered` resumes without them)\n",
		"dddddddddddd: 1 prompt never reached the agent; `concordia host --resume dddddddddddd --data-dir " + dataDir + "` takes it up again (`concordia host --resume dddddddddddd --data-dir " + dataDir + " --without-unanswered` resumes without it)\n",
		"eeeeeeeeeeee: the last turn, for ann's prompt, was cut short when the party ended, and a resume does not run it again\n",
		// Read-only alone may be a person's chmod (a tester's): how to undo it, and no
		// full disk asked about first.
		"cccccccccccc: its journal is read-only, which marks a journal that could not be written to its end; if it was made read-only by hand, `chmod u+w " + journal.Path(dataDir, "cccccccccccc") + "` lets it be resumed (if not, members may hold events it lacks, and a resume would number new events as theirs); `concordia export cccccccccccc --data-dir " + dataDir + "` writes what it kept\n",
		"ffffffffffff: its journal could not be written after event 2 (was the disk full?), so what happened after it is not in its history; `concordia host --resume ffffffffffff --data-dir " + dataDir + "` goes on after it, and runs nothing from before it again\n",
		"aaaaaaaaaaab: its journal could not be written to its end (was the disk full?), and what it lost includes a host's change that made the party's rules stricter (who may join, or what the agent may do), so it cannot be resumed; `concordia export aaaaaaaaaaab --data-dir " + dataDir + "` writes what it kept\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("parties said:\n%s\nwant a line %q", out.String(), want)
		}
	}
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(l, "eeeeeeeeeeee:") && strings.Contains(l, "runs it again") || strings.Contains(l, "when the party ended") && !strings.HasPrefix(l, "eeeeeeeeeeee:") {
			t.Errorf("parties says a resume runs the turn the end cut, or says another party's end cut one:\n%s", out.String())
		}
		if strings.HasPrefix(l, "cccccccccccc:") && strings.Contains(l, "disk full") {
			t.Errorf("parties asks about a full disk of a journal that is only read-only:\n%s", out.String())
		}
	}
	for _, id := range []string{"cccccccccccc", "aaaaaaaaaaab"} {
		if strings.Contains(out.String(), "--resume "+id) {
			t.Errorf("parties offers to resume a party cut short:\n%s", out.String())
		}
	}
	if strings.Contains(out.String(), "aaaaaaaaaaac:") {
		t.Errorf("parties says a resume takes up what a cut left:\n%s", out.String())
	}
	if strings.Contains(out.String(), "ffffffffffff: its last turn") {
		t.Errorf("parties says a resume runs again the turn a journal cut short ends in:\n%s", out.String())
	}
	// Its export says so too (a tester's said "it can be resumed").
	out.Reset()
	if code := runExport(context.Background(), []string{"cccccccccccc", "--data-dir", dataDir}, IO{Out: &out, Err: &errOut, Getenv: func(string) string { return "" }}); code != ExitOK {
		t.Fatalf("export: %d %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "so it cannot be resumed") || strings.Contains(out.String(), "it can be resumed") {
		t.Errorf("the export of a party cut short:\n%.600s", out.String())
	}
	out.Reset()
	if code := runExport(context.Background(), []string{"ffffffffffff", "--data-dir", dataDir}, IO{Out: &out, Err: &errOut, Getenv: func(string) string { return "" }}); code != ExitOK {
		t.Fatalf("export: %d %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "could not be written after event 2, so what happened after it is missing here (it can be resumed, past what it lost)") {
		t.Errorf("the export of a party cut short with its cut mark:\n%.600s", out.String())
	}
}

// TestPartiesDelete: --delete removes a stopped party's journal and workspace record, and
// then it is neither listed nor resumable; a running party (its journal held) is refused,
// and so are an unknown id and a malformed one.
func TestPartiesDelete(t *testing.T) {
	dataDir := t.TempDir()
	t0 := time.Date(2026, 12, 4, 1, 0, 0, 0, time.UTC)
	create := func(id string) *journal.Writer {
		t.Helper()
		w, err := journal.Create(dataDir, journal.Header{Party: id, Host: "hosty", Created: t0, Token: "tok",
			Settings: journal.Settings{Listen: "127.0.0.1:0", Merge: "local", PermissionMode: "ask", WorkDir: t.TempDir()}})
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	create("aaaaaaaaaaaa").Close()
	record := host.WorkspaceRecord(dataDir, "aaaaaaaaaaaa")
	if err := os.MkdirAll(filepath.Join(record, "objects"), 0o700); err != nil {
		t.Fatal(err)
	}
	running := create("bbbbbbbbbbbb") // held open: a host has it
	defer running.Close()
	run := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := runParties(context.Background(), append(args, "--data-dir", dataDir), IO{Out: &out, Err: &errOut, Getenv: func(string) string { return "" }})
		return code, out.String(), errOut.String()
	}
	if code, _, errOut := run("--delete", "bbbbbbbbbbbb"); code != ExitError || !strings.Contains(errOut, "party bbbbbbbbbbbb is running; end it first") {
		t.Errorf("deleting a running party: exit %d, %q", code, errOut)
	}
	if code, _, errOut := run("--delete", "cccccccccccc"); code != ExitError || !strings.Contains(errOut, "no party cccccccccccc in") {
		t.Errorf("deleting an unknown party: exit %d, %q", code, errOut)
	}
	if code, _, errOut := run("--delete", "../x"); code != ExitUsage || !strings.Contains(errOut, "is not a party id") {
		t.Errorf("deleting a malformed id: exit %d, %q", code, errOut)
	}
	code, out, errOut := run("--delete", "aaaaaaaaaaaa")
	if code != ExitOK || !strings.Contains(out, "deleted party aaaaaaaaaaaa (hosty's party, created ") {
		t.Fatalf("delete: exit %d, %q %q", code, out, errOut)
	}
	// It was never ended: said, as a window's Forget asks it (it could have been resumed).
	if !strings.Contains(out, "aaaaaaaaaaaa had not ended cleanly: it could have been resumed until now") {
		t.Errorf("delete of a party not ended cleanly does not say so: %q", out)
	}
	if _, err := os.Stat(journal.Path(dataDir, "aaaaaaaaaaaa")); !os.IsNotExist(err) {
		t.Errorf("the journal is still there: %v", err)
	}
	if _, err := os.Stat(record); !os.IsNotExist(err) {
		t.Errorf("the workspace record is still there: %v", err)
	}
	if _, err := os.Stat(journal.Path(dataDir, "bbbbbbbbbbbb")); err != nil {
		t.Errorf("the running party's journal: %v", err)
	}
	if _, out, _ := run(); strings.Contains(out, "aaaaaaaaaaaa") || !strings.Contains(out, "bbbbbbbbbbbb") {
		t.Errorf("the list after the delete:\n%s", out)
	}
}

// TestPartiesSaysWhichJournalsCannotBeRead: a journal that lost its header, or is empty,
// was left out without a word: "no parties in DIR", while --resume named the file (a
// tester's). It is listed under the table as one that cannot be read, with why.
func TestPartiesSaysWhichJournalsCannotBeRead(t *testing.T) {
	dataDir := t.TempDir()
	if err := os.MkdirAll(journal.Dir(dataDir), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(journal.Path(dataDir, "dddddddddddd"), []byte(`{"type":"event","event":{"seq":1,"kind":"system","text":"x"}}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(journal.Path(dataDir, "eeeeeeeeeeee"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	run := func() string {
		var out, errOut bytes.Buffer
		if code := runParties(context.Background(), []string{"--data-dir", dataDir}, IO{Out: &out, Err: &errOut, Getenv: func(string) string { return "" }}); code != ExitOK {
			t.Fatalf("exit %d: %s", code, errOut.String())
		}
		return out.String()
	}
	out := run()
	for _, want := range []string{
		"no parties that can be read in " + dataDir + "\n",
		// Its events are there: export still writes them.
		"dddddddddddd: its journal lost its first line (its header), so it cannot be resumed; `concordia export dddddddddddd --data-dir " + dataDir + "` still writes its 1 event: " + journal.Path(dataDir, "dddddddddddd") + "\n",
		"eeeeeeeeeeee: its journal cannot be read (not a Concordia party journal (no header line)), so it cannot be resumed or exported: " + journal.Path(dataDir, "eeeeeeeeeeee") + "; `concordia parties --delete eeeeeeeeeeee --data-dir " + dataDir + "` removes it\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	// Beside a party that can be read: under the table.
	w, err := journal.Create(dataDir, journal.Header{Party: "aaaaaaaaaaaa", Host: "hosty", Created: time.Now(), Token: "tok",
		Settings: journal.Settings{Listen: "127.0.0.1:0", Merge: "local", PermissionMode: "ask", WorkDir: t.TempDir()}})
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	out = run()
	if !strings.HasPrefix(out, "ID ") || !strings.Contains(out, "\naaaaaaaaaaaa ") || !strings.Contains(out, "\ndddddddddddd: its journal lost its first line") {
		t.Errorf("with a party that can be read:\n%s", out)
	}
	// The export of the one that lost its header writes its events, and says why the rest
	// is missing; of the empty one it is refused.
	for _, format := range []string{"jsonl", "md"} {
		var out, errOut bytes.Buffer
		code := runExport(context.Background(), []string{"dddddddddddd", "--format", format, "--data-dir", dataDir}, IO{Out: &out, Err: &errOut, Getenv: func(string) string { return "" }})
		want := map[string]string{"jsonl": `{"seq":1,"kind":"system","text":"x"}` + "\n", "md": "*x*"}[format]
		if code != ExitOK || !strings.Contains(out.String(), want) || !strings.Contains(errOut.String(), "the journal of dddddddddddd lost its first line (its header), so the party cannot be resumed; its 1 event is written all the same") {
			t.Errorf("export --format %s: exit %d, out %q, err %q", format, code, out.String(), errOut.String())
		}
		if format == "md" && !strings.Contains(out.String(), "**How it ended:** not known: the party's journal lost its first line") {
			t.Errorf("export: %s", out.String())
		}
	}
	var errOut bytes.Buffer
	if code := runExport(context.Background(), []string{"eeeeeeeeeeee", "--data-dir", dataDir}, IO{Out: &bytes.Buffer{}, Err: &errOut, Getenv: func(string) string { return "" }}); code != ExitError || !strings.Contains(errOut.String(), "no header line") {
		t.Errorf("export of an empty journal: exit %d, %q", code, errOut.String())
	}
	// --delete removes it, as it says (a reviewer's could only be removed by hand).
	var delOut bytes.Buffer
	errOut.Reset()
	if code := runParties(context.Background(), []string{"--delete", "eeeeeeeeeeee", "--data-dir", dataDir}, IO{Out: &delOut, Err: &errOut, Getenv: func(string) string { return "" }}); code != ExitOK || !strings.Contains(delOut.String(), "deleted the journal of eeeeeeeeeeee, which could not be read") {
		t.Errorf("--delete of an unreadable journal: exit %d, %q %q", code, delOut.String(), errOut.String())
	}
	if _, err := os.Stat(journal.Path(dataDir, "eeeeeeeeeeee")); !os.IsNotExist(err) {
		t.Errorf("the journal is still there: %v", err)
	}
	if out := run(); strings.Contains(out, "eeeeeeeeeeee") || !strings.Contains(out, "dddddddddddd") {
		t.Errorf("after the delete:\n%s", out)
	}
}

// An export stopped (Ctrl-C) says so and leaves the file it was to write as it was, with
// nothing beside it: it read on to the end, and a second Ctrl-C then left its temporary
// file behind (a reviewer's).
func TestExportStoppedLeavesNothing(t *testing.T) {
	dataDir := t.TempDir()
	w, err := journal.Create(dataDir, journal.Header{Party: "abcabcabcabc", Host: "hosty", Created: time.Now(), Token: "tok",
		Settings: journal.Settings{Listen: "127.0.0.1:0", Merge: "local", PermissionMode: "ask", WorkDir: t.TempDir()}})
	if err != nil {
		t.Fatal(err)
	}
	ev := wire.Event{Seq: 1, Kind: wire.KindSystem, Text: "hello"}
	raw, _ := json.Marshal(ev)
	if err := w.Event(ev, raw); err != nil {
		t.Fatal(err)
	}
	w.Close()
	outDir := t.TempDir()
	target := filepath.Join(outDir, "t.md")
	if err := os.WriteFile(target, []byte("as it was"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut bytes.Buffer
	if code := runExport(ctx, []string{"abcabcabcabc", "--data-dir", dataDir, "-o", target}, IO{Out: &out, Err: &errOut, Getenv: func(string) string { return "" }}); code != ExitError || !strings.Contains(errOut.String(), "stopped") {
		t.Fatalf("a stopped export: exit %d, %q", code, errOut.String())
	}
	if b, _ := os.ReadFile(target); string(b) != "as it was" {
		t.Fatalf("the target after a stopped export: %q", b)
	}
	if left, _ := os.ReadDir(outDir); len(left) != 1 {
		t.Fatalf("left beside it: %v", left)
	}
}

// TestPartiesTellsThemApart: parties of one host in different folders read alike, each row
// "hana's party" (a tester's): under each row, its working directory (home as "~", a long
// one cut from the left) and the start of its first prompt, within 80 columns; the rows
// keep their columns. At a terminal every line fits 80 columns: a row whose STATE read
// "not ended cleanly" was 88 wide with a four-letter host's name (a tester's), so there
// the party's name goes under its row, whole, before where it worked; piped, the rows
// stay as programs read them.
func TestPartiesTellsThemApart(t *testing.T) {
	dataDir, home := t.TempDir(), "/home/hana"
	t0 := time.Date(2026, 12, 7, 19, 0, 0, 0, time.UTC)
	deep := home + "/src/" + strings.Repeat("very-long-folder-name/", 4) + "the-app"
	for i, p := range []struct{ id, dir, prompt string }{
		{"aaaaaaaaaaaa", home + "/src/website", "\n  fix the login bug\nand the rest"},
		{"bbbbbbbbbbbb", deep, strings.Repeat("make the parser faster ", 8)},
		{"cccccccccccc", "/srv/infra", ""},
		{"dddddddddddd", home + "/src/api", "add the endpoint"},
	} {
		var evs []wire.Event
		if p.prompt != "" {
			evs = append(evs, wire.Event{TS: t0.Add(time.Duration(i) * time.Hour), Kind: wire.KindPrompt, Prompt: &wire.Prompt{ID: "p1", User: "ann", Text: p.prompt}})
		}
		host := "hana"
		if p.id == "dddddddddddd" {
			host = "Maximiliana-Konstantinopoulou" // a long name, not cut
		}
		testkit.WriteJournal(t, dataDir, journal.Header{Party: p.id, Host: host, Created: t0.Add(time.Duration(i) * time.Hour), Token: "tok",
			Settings: journal.Settings{Listen: "127.0.0.1:0", Merge: "local", PermissionMode: "ask", WorkDir: p.dir}}, evs...)
	}
	env := func(k string) string { return map[string]string{"HOME": home}[k] }
	// Piped, the rows alone, as a program reads them (awk 'NR>1{print $1}').
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	var errOut bytes.Buffer
	code := runParties(context.Background(), []string{"--data-dir", dataDir}, IO{Out: w, Err: &errOut, Getenv: env})
	w.Close()
	piped, err := io.ReadAll(r)
	r.Close()
	if err != nil || code != ExitOK {
		t.Fatalf("exit %d, %v: %s", code, err, errOut.String())
	}
	if rows := regexp.MustCompile(`(?m)^ID +NAME +CREATED +LAST ACTIVE +TURNS +STATE\ndddddddddddd  Maximiliana-Konstantinopoulou's party  .*\n[0-9a-f]{12} +hana's party  .*\n[0-9a-f]{12} +hana's party  .*\n[0-9a-f]{12} +hana's party  .*\n`); !rows.Match(piped) || strings.Contains(string(piped), "\n ") {
		t.Errorf("piped, want the header and the 4 rows together, with NAME, no line under them:\n%s", piped)
	}
	// At a terminal, a line under each row.
	old := outIsTerminal
	outIsTerminal = func(io.Writer) bool { return true }
	t.Cleanup(func() { outIsTerminal = old })
	var out bytes.Buffer
	if code := runParties(context.Background(), []string{"--data-dir", dataDir}, IO{Out: &out, Err: &errOut, Getenv: env}); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	// The most recently active first; a long prompt cut at the line's end.
	want := []*regexp.Regexp{
		regexp.MustCompile(`^  Maximiliana-Konstantinopoulou's party · ~/src/api · “add the endpoint”$`),
		regexp.MustCompile(`^  hana's party · /srv/infra$`),
		regexp.MustCompile(`^  hana's party · …/very-long-folder-name/the-app · “make the parser faster [a-z ]*…”$`),
		regexp.MustCompile(`^  hana's party · ~/src/website · “fix the login bug”$`),
	}
	if !strings.HasPrefix(lines[0], "ID            CREATED           LAST ACTIVE       TURNS  STATE") {
		t.Errorf("the header at a terminal: %q", lines[0])
	}
	var got []string
	for i, l := range lines {
		if strings.HasPrefix(l, "  ") {
			got = append(got, l)
			if i == 0 || !regexp.MustCompile(`^[0-9a-f]{12}  2026-`).MatchString(lines[i-1]) {
				t.Errorf("%q is not under its party's row:\n%s", l, out.String())
			}
		}
		// The table's lines (the notes under it are sentences, which the terminal wraps).
		table := i == 0 || strings.HasPrefix(l, "  ") || regexp.MustCompile(`^[0-9a-f]{12}  2026-`).MatchString(l)
		if n := len([]rune(l)); table && n > 80 {
			t.Errorf("%q is %d columns wide, more than 80", l, n)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("the lines under the rows:\n%q\nin:\n%s", got, out.String())
	}
	for i, rx := range want {
		if !rx.MatchString(got[i]) {
			t.Errorf("line %d under the rows is %q, want it to match %s", i, got[i], rx)
		}
	}
	// The rows' columns line up as before: each row's STATE starts where the header's does.
	at, rows := strings.Index(lines[0], "STATE"), 0
	for _, l := range lines[1:] {
		if regexp.MustCompile(`^[0-9a-f]{12}  `).MatchString(l) {
			rows++
			if strings.Index(l, "not ended cleanly") != at {
				t.Errorf("a row out of its columns:\n%s", out.String())
			}
		}
	}
	if rows != 4 {
		t.Errorf("%d rows, want 4:\n%s", rows, out.String())
	}
}
