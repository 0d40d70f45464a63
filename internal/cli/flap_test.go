package cli

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/testkit"
	"github.com/concordia-party/concordia/internal/wire"
)

// A member whose connection flaps: a window tester's, killed over and over for 12 s, put 11
// pairs of "bea lost the connection… / bea came back" in every terminal, and a waiting tool
// request went out of view under them. The window folds them into one line that counts;
// the terminal, which cannot rewrite what it printed, prints the first pair as it comes,
// holds the member's further lines, and says them once, as how many more times the member
// came back (the window's count includes the first pair, which it does not show: a
// reviewer read one pair too many), before the next other line, when the connection
// settles, or at the end. Nothing is lost: a member gone for good is still said to be gone.
func TestAFlappingConnectionIsFolded(t *testing.T) {
	bea := &wire.Member{ID: "m2", Name: "bea", Role: wire.RoleParticipant}
	cy := &wire.Member{ID: "m3", Name: "cy", Role: wire.RoleParticipant}
	joined := func(m *wire.Member, n int) wire.Event {
		return wire.Event{Kind: wire.KindParticipants, Joined: m, Count: ptr(n)}
	}
	lost := func(m *wire.Member, n int) wire.Event {
		return wire.Event{Kind: wire.KindParticipants, Left: m, Why: wire.WhyLost, Text: m.Name + " lost the connection: it stopped answering", Count: ptr(n)}
	}
	flaps := func(m *wire.Member, pairs int) []wire.Event {
		var evs []wire.Event
		for range pairs {
			evs = append(evs, lost(m, 2), joined(m, 3))
		}
		return evs
	}
	cat := func(parts ...[]wire.Event) []wire.Event {
		var evs []wire.Event
		for _, p := range parts {
			evs = append(evs, p...)
		}
		return evs
	}
	const (
		beaIn   = "[party] bea joined (3 in the party)\n"
		beaLost = "[party] bea lost the connection: it stopped answering (2 in the party)\n"
		beaBack = "[party] bea came back (3 in the party)\n"
		hello   = "[system] hana turned approval on\n"
	)
	system := wire.Event{Kind: wire.KindSystem, Text: "hana turned approval on"}
	cases := []struct {
		name string
		evs  []wire.Event
		// end: how the run ends after evs: "" not at all (what is printed meanwhile),
		// "finish" the terminal's last word, "settle" a quiet connection.
		end, want string
	}{
		{"one drop and return keeps its two lines", cat([]wire.Event{joined(bea, 3)}, flaps(bea, 1), []wire.Event{system}), "",
			beaIn + beaLost + beaBack + hello},
		{"eleven are the first pair and one line, before the next other line", cat([]wire.Event{joined(bea, 3)}, flaps(bea, 11), []wire.Event{system}), "",
			beaIn + beaLost + beaBack + "[party] bea lost the connection and came back 10 more times (3 in the party)\n" + hello},
		{"held while it flaps", cat([]wire.Event{joined(bea, 3)}, flaps(bea, 11)), "",
			beaIn + beaLost + beaBack},
		{"said when it settles", cat([]wire.Event{joined(bea, 3)}, flaps(bea, 3)), "settle",
			beaIn + beaLost + beaBack + "[party] bea lost the connection and came back 2 more times (3 in the party)\n"},
		{"said at the end", cat([]wire.Event{joined(bea, 3)}, flaps(bea, 2)), "finish",
			beaIn + beaLost + beaBack + "[party] bea lost the connection and came back 1 more time (3 in the party)\n"},
		// Gone for good after flapping: the folded line, then the drop, as it came.
		{"gone for good, before the next line", cat([]wire.Event{joined(bea, 3)}, flaps(bea, 4), []wire.Event{lost(bea, 2), system}), "",
			beaIn + beaLost + beaBack + "[party] bea lost the connection and came back 3 more times (3 in the party)\n" + beaLost + hello},
		{"gone for good, once it settles", cat([]wire.Event{joined(bea, 3)}, flaps(bea, 4), []wire.Event{lost(bea, 2)}), "settle",
			beaIn + beaLost + beaBack + "[party] bea lost the connection and came back 3 more times (3 in the party)\n" + beaLost},
		{"gone for good at the end", cat([]wire.Event{joined(bea, 3)}, flaps(bea, 1), []wire.Event{lost(bea, 2)}), "finish",
			beaIn + beaLost + beaBack + beaLost},
		// Anything else between stops the fold, as in the window.
		{"another line between", cat([]wire.Event{joined(bea, 3)}, flaps(bea, 1), []wire.Event{system}, flaps(bea, 1), []wire.Event{system}), "",
			beaIn + beaLost + beaBack + hello + beaLost + beaBack + hello},
		// Two members on one bad network: each folds, the other's lines between.
		{"two members", cat([]wire.Event{joined(bea, 3)}, flaps(bea, 1), flaps(cy, 1), flaps(bea, 2), flaps(cy, 2), []wire.Event{system}), "",
			beaIn + beaLost + beaBack +
				"[party] cy lost the connection: it stopped answering (2 in the party)\n[party] cy came back (3 in the party)\n" +
				"[party] bea lost the connection and came back 2 more times (3 in the party)\n[party] cy lost the connection and came back 2 more times (3 in the party)\n" + hello},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			p := newPrinter(&b)
			p.flapQuiet = 20 * time.Millisecond
			for _, ev := range c.evs {
				p.event(ev)
			}
			switch c.end {
			case "finish":
				p.finish()
			case "settle":
				deadline := time.Now().Add(5 * time.Second)
				for {
					p.mu.Lock()
					got := b.String()
					p.mu.Unlock()
					if got == c.want || time.Now().After(deadline) {
						break
					}
					time.Sleep(5 * time.Millisecond)
				}
			}
			p.mu.Lock()
			got := b.String()
			p.mu.Unlock()
			if got != c.want {
				t.Fatalf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

// A flapping connection in a history: the lines held of its skipped part go with the skip
// (a reviewer's terminal said a skipped run after "— earlier in this party —"), the ones
// held live wait through a skip to be said, and a replayed run is said above "— live —"
// (it was said under it).
func TestAFlappingConnectionInAHistory(t *testing.T) {
	bea := &wire.Member{ID: "m2", Name: "bea", Role: wire.RoleParticipant}
	joined := wire.Event{Kind: wire.KindParticipants, Joined: bea, Count: ptr(3)}
	lost := wire.Event{Kind: wire.KindParticipants, Left: bea, Why: wire.WhyLost, Text: "bea lost the connection: it stopped answering", Count: ptr(2)}
	run := []wire.Event{joined, lost, joined, lost, joined, lost, joined}
	shown := wire.Event{Kind: wire.KindSystem, Text: "shown history"}
	const (
		pair   = "[party] bea joined (3 in the party)\n[party] bea lost the connection: it stopped answering (2 in the party)\n[party] bea came back (3 in the party)\n"
		folded = "[party] bea lost the connection and came back 2 more times (3 in the party)\n"
	)
	cases := []struct {
		name string
		run  func(p *printer)
		want string
	}{
		{"skipped, it is not said", func(p *printer) {
			p.skip(append(slices.Clone(run), lost))
			p.historyStart(1)
			p.event(shown)
			p.live()
			p.finish()
		}, "— earlier in this party —\n[system] shown history\n— live —\n"},
		{"skipped in parts, it is not said", func(p *printer) {
			var s skipRun
			p.skipSome(&s, run[:4])
			p.skipSome(&s, run[4:])
			p.skipEnd(&s)
			p.event(shown)
			p.finish()
		}, "[system] shown history\n"},
		{"held live, a skip does not take it", func(p *printer) {
			for _, ev := range run {
				p.event(ev)
			}
			p.skip([]wire.Event{shown})
			p.finish()
		}, pair + folded},
		{"replayed, it is said above the live marker", func(p *printer) {
			p.historyStart(1)
			for _, ev := range run {
				p.event(ev)
			}
			p.live()
		}, "— earlier in this party —\n" + pair + folded + "— live —\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			p := newPrinter(&b)
			p.flapQuiet = time.Hour
			c.run(p)
			p.mu.Lock()
			got := b.String()
			p.mu.Unlock()
			if got != c.want {
				t.Fatalf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

// The held lines are said before this terminal's own lines too (a command's answer, a
// /shell command's output, a notice of its own connection), not only before the party's
// next event; and a run held while the agent streams, which does not end it, is said
// after flapMaxHold at the latest: a reviewer's member flapping every 4 s was never said.
func TestAFlappingConnectionIsSaidInTime(t *testing.T) {
	bea := &wire.Member{ID: "m2", Name: "bea", Role: wire.RoleParticipant}
	joined := wire.Event{Kind: wire.KindParticipants, Joined: bea, Count: ptr(3)}
	lost := wire.Event{Kind: wire.KindParticipants, Left: bea, Why: wire.WhyLost, Text: "bea lost the connection: it stopped answering", Count: ptr(2)}
	output := wire.Event{Kind: wire.KindOutput, Stream: wire.StreamAssistant, Text: "working\n"}
	const (
		first  = "[party] bea joined (3 in the party)\n[party] bea lost the connection: it stopped answering (2 in the party)\n[party] bea came back (3 in the party)\n"
		folded = "[party] bea lost the connection and came back 2 more times (3 in the party)\n"
	)
	for _, c := range []struct {
		name string
		then func(p *printer)
		want string
	}{
		{"before an answer", func(p *printer) { p.reply("system", "3 in the party") }, first + folded + "[system] 3 in the party\n"},
		{"before a notice", func(p *printer) { p.notice("system", "lost the host, reconnecting") }, first + folded + "[system] lost the host, reconnecting\n"},
		{"before a shell's line", func(p *printer) { p.local("total 0") }, first + folded + "total 0\n"},
		{"before a diff", func(p *printer) { p.diff("+a", false) }, first + folded + "+a\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			p := newPrinter(&b)
			p.flapQuiet = time.Hour
			for _, ev := range []wire.Event{joined, lost, joined, lost, joined, lost, joined} {
				p.event(ev)
			}
			c.then(p)
			if b.String() != c.want {
				t.Fatalf("got\n%s\nwant\n%s", b.String(), c.want)
			}
		})
	}
	t.Run("at most flapMaxHold", func(t *testing.T) {
		var b testkit.Buffer
		p := newPrinter(&b)
		p.flapQuiet, p.flapMax = time.Hour, 30*time.Millisecond
		for _, ev := range []wire.Event{joined, lost, joined, lost, joined, output, lost, joined} {
			p.event(ev)
		}
		want := first + "working\n" + folded
		for deadline := time.Now().Add(5 * time.Second); b.String() != want && time.Now().Before(deadline); {
			time.Sleep(5 * time.Millisecond)
		}
		if b.String() != want {
			t.Fatalf("got\n%s\nwant\n%s", b.String(), want)
		}
		// A run that goes on starts again: its first pair printed, the rest held.
		for _, ev := range []wire.Event{lost, joined, lost, joined} {
			p.event(ev)
		}
		p.finish()
		want += "[party] bea lost the connection: it stopped answering (2 in the party)\n[party] bea came back (3 in the party)\n" +
			"[party] bea lost the connection and came back 1 more time (3 in the party)\n"
		if b.String() != want {
			t.Fatalf("got\n%s\nwant\n%s", b.String(), want)
		}
	})
}
