package wire

import "strings"

// SaidTo is a system event's text as the member with id you reads it: its own act is
// "you …" ("you turned approval on", "you made yourself a participant"), and an act on it
// says "you" and "your" ("hana made you a co-host", "hana edited and sent your prompt").
// Whose act and on whom are told by the event's member ids (ByMember, AboutMember), never
// by name: a name is one member's at a time, and a newcomer may have the name of one who
// has gone. A text without them (a host from before 2026-12-07) is returned as it is.
func (e Event) SaidTo(you string) string {
	text := e.Text
	if you == "" || e.Kind != KindSystem {
		return text
	}
	head, rest := "", text
	if e.By != "" {
		if r, ok := strings.CutPrefix(text, e.By+" "); ok {
			head, rest = e.By+" ", r
		}
	}
	byYou := head != "" && e.ByMember == you
	if byYou {
		head = "you "
		rest = strings.Replace(rest, " themselves ", " yourself ", 1)
		if r, ok := strings.CutPrefix(rest, "made themselves "); ok {
			rest = "made yourself " + r
		}
		rest = strings.Replace(rest, " their own ", " your own ", 1)
		// The host's acts said in the present: "you run", not "you runs".
		for _, verb := range [][2]string{{"runs ", "run "}, {"now shares ", "now share "}} {
			if r, ok := strings.CutPrefix(rest, verb[0]); ok {
				rest = verb[1] + r
			}
		}
	}
	if e.AboutMember == you && e.About != "" && e.AboutMember != e.ByMember {
		name := e.About
		// Only where the name stands as a word: after a space or "(", before a space or
		// "'s" (not inside a longer name that starts with it).
		for _, pair := range [][2]string{
			{" " + name + "'s ", " your "},
			{"(" + name + "'s ", "(your "},
			{" " + name + " ", " you "},
		} {
			rest = strings.ReplaceAll(rest, pair[0], pair[1])
		}
	}
	return head + rest
}
