package agent

// Reading a file that usually holds credentials asks a host. Claude Code reads the files of
// its working folder without asking anyone. The party keeps a secret file's text out of
// what members see, but the agent could then repeat it in its reply, to everyone, and a
// participant's prompt was enough to have it do so (a reviewer's). An ask rule for each
// such file, given with --settings, makes its Read a can_use_tool request: a card that a
// host decides, in every party mode but "all". Claude Code applies Read rules to Grep and
// Glob as best it can; what they find in a secret file is still kept from members.
//
// A shell command that reads a file is the same read: Claude Code runs the ones it takes
// for read-only (cat, head, grep) without asking, and a tester's `cat .env` gave the agent
// the secret unasked. An ask rule for each secret name anywhere in a Bash command makes
// such a command a request too (secretBashRules).

import (
	"encoding/json"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/concordia-party/concordia/internal/workspace"
)

// secretAskRules are the ask rules: a Read of each file workspace.IsSecret names, in any
// case. On a file system that ignores case (macOS's, Windows'), a Read of .ENV opens .env.
// Claude Code 2.1.197 matched .ENV with the lower-case rule here (measured), but a
// reviewer cites versions that match rules with case; each letter is a class of both
// ("**/.[eE][nN][vV]"), which 2.1.197 takes.
func secretAskRules() []any {
	var ask []any
	for _, p := range workspace.SecretPatterns() {
		ask = append(ask, "Read("+anyCase(p)+")")
	}
	return append(ask, secretBashRules()...)
}

// secretBashRules are ask rules for a Bash command that names a secret file anywhere in
// it: "Bash(*.env*)", "Bash(*id_rsa*)", "Bash(*.ssh/*)". Claude Code 2.1.197 matches a
// Bash rule's "*" anywhere in the command, each part of a compound one too, but takes "["
// as itself (measured: "Bash(*.[eE][nN][vV]*)" did not ask of cat .env), so each name is
// given in lower and in upper case; a name in mixed case (.Env) is not matched. The rules
// ask of more than reads (a grep for "credentials", a name ending in .keyboard.js): a
// command asks a host once more, which every other command than a read does already.
func secretBashRules() []any {
	var ask []any
	seen := map[string]bool{}
	for _, p := range workspace.SecretPatterns() {
		p = strings.TrimPrefix(p, "**/")
		if dir, ok := strings.CutSuffix(p, "/**"); ok {
			p = dir + "/"
		}
		p = strings.Trim(p, "*")
		for _, v := range []string{p, strings.ToUpper(p)} {
			if r := "Bash(*" + v + "*)"; !seen[r] {
				seen[r] = true
				ask = append(ask, r)
			}
		}
	}
	return ask
}

// anyCase is a glob pattern that matches p's letters in either case.
func anyCase(p string) string {
	var b strings.Builder
	for _, r := range p {
		if lo, up := unicode.ToLower(r), unicode.ToUpper(r); r < utf8.RuneSelf && lo != up {
			b.WriteString("[" + string(lo) + string(up) + "]")
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// withSecretAsk is args (Claude Code's extra arguments, run in workdir) with the ask rules
// given too. Claude Code takes only the last of several --settings (measured with
// 2.1.197: a host's own --settings dropped ours), so the rules are merged into the host's
// one, inline, when it can be read; one that cannot is left as it is, and the rules are
// then not given (Claude Code would not read it either).
func withSecretAsk(args []string, workdir string) []string {
	at := -1
	for i, a := range args {
		if a == "--settings" || strings.HasPrefix(a, "--settings=") {
			at = i
		}
	}
	if at < 0 {
		return append([]string{"--settings", settingsWithAsk(nil)}, args...)
	}
	value, inline := strings.CutPrefix(args[at], "--settings=")
	end := at + 1
	if !inline {
		if at+1 >= len(args) {
			return args
		}
		value, end = args[at+1], at+2
	}
	b, err := settingsArg(value, workdir)
	if err != nil {
		return args
	}
	var settings map[string]any
	if err := json.Unmarshal(b, &settings); err != nil || settings == nil {
		return args
	}
	merged := settingsWithAsk(settings)
	if merged == "" {
		return args
	}
	return slices.Concat(args[:at], []string{"--settings", merged}, args[end:])
}

// settingsWithAsk is settings (nil: none) as JSON with the ask rules added to its
// permissions; "" when its permissions are not what Claude Code reads (not an object, an
// "ask" that is not a list).
func settingsWithAsk(settings map[string]any) string {
	if settings == nil {
		settings = map[string]any{}
	}
	perms, ok := settings["permissions"].(map[string]any)
	if !ok {
		if settings["permissions"] != nil {
			return ""
		}
		perms = map[string]any{}
		settings["permissions"] = perms
	}
	ask, ok := perms["ask"].([]any)
	if !ok && perms["ask"] != nil {
		return ""
	}
	perms["ask"] = append(ask, secretAskRules()...)
	b, err := json.Marshal(settings)
	if err != nil {
		return ""
	}
	return string(b)
}
