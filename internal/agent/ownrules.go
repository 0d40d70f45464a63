package agent

// What Claude Code lets itself do without asking anyone. A tool use that an allow rule in
// its settings files (or an --allowedTools argument) permits never reaches can_use_tool,
// so no member of the party is asked about it, whatever the party's permission mode; a
// PreToolUse hook may allow one the same way. ReadOwnRules finds them, so that the party
// can say so at its start (the host's own configuration is the host's to keep or change).

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
)

// OwnRules is what Claude Code, as cfg starts it, lets the agent do without asking.
type OwnRules struct {
	// Allow is every allow rule, in the order found, each once ("Bash(npm test:*)", "WebFetch").
	Allow []string
	// AllowFrom says where the allow rules are: "~/.claude/settings.json", ".claude/settings.json in
	// the working folder", "--allowedTools".
	AllowFrom []string
	// HooksIn says where PreToolUse hooks are set.
	HooksIn []string
	// Mode is a --permission-mode among the extra arguments ("bypassPermissions" also for
	// --dangerously-skip-permissions): it replaces the one the party gives Claude Code.
	Mode string
}

// Empty says there is nothing to tell.
func (r OwnRules) Empty() bool {
	return len(r.Allow) == 0 && len(r.HooksIn) == 0 && r.Mode == ""
}

// settingsFile is one of Claude Code's settings files and how to name it to people.
type settingsFile struct{ path, name string }

// ReadOwnRules reads Claude Code's settings files as the process cfg starts would (managed,
// user, the working folder's shared and local ones) and cfg.Args. A file that is missing or
// not valid JSON adds nothing: Claude Code skips it too.
func ReadOwnRules(cfg Config) OwnRules {
	env := childEnv(cfg.Env)
	workdir := cfg.WorkDir
	if workdir == "" {
		workdir, _ = os.Getwd()
	}
	var r OwnRules
	for _, f := range settingsFiles(env, workdir) {
		b, err := readSettings(f.path)
		if err != nil {
			continue
		}
		r.addSettings(b, f.name)
	}
	r.addArgs(cfg.Args, workdir)
	return r
}

// maxSettings is the most of a settings file read: a real one is a few KB.
const maxSettings = 1 << 20

// settingsArg is what a --settings value gives Claude Code, run in workdir: the value
// itself when it is inline JSON, else the file it names (relative to workdir).
func settingsArg(value, workdir string) ([]byte, error) {
	if strings.HasPrefix(strings.TrimSpace(value), "{") {
		return []byte(value), nil
	}
	if !filepath.IsAbs(value) {
		value = filepath.Join(workdir, value) // claude's working directory
	}
	return readSettings(value)
}

// readSettings reads a settings file if it is a regular file of at most maxSettings: the
// working folder's .claude/settings.json comes with a cloned repository, and a FIFO there
// held the party's start, a link to /dev/zero would have filled its memory (a reviewer's).
func readSettings(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() || fi.Size() > maxSettings {
		return nil, fmt.Errorf("%s is not a settings file of at most %d bytes", path, maxSettings)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, maxSettings))
}

// settingsFiles are the files Claude Code reads its settings from, lowest precedence first
// (for permission rules the order does not matter: they add up).
func settingsFiles(env []string, workdir string) []settingsFile {
	home := lookupEnv(env, "HOME")
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	userDir := lookupEnv(env, "CLAUDE_CONFIG_DIR")
	if userDir == "" && home != "" {
		userDir = filepath.Join(home, ".claude")
	}
	var files []settingsFile
	if userDir != "" {
		p := filepath.Join(userDir, "settings.json")
		files = append(files, settingsFile{p, tildePath(p, home)})
	}
	if workdir != "" {
		files = append(files,
			settingsFile{filepath.Join(workdir, ".claude", "settings.json"), ".claude/settings.json in the working folder"},
			settingsFile{filepath.Join(workdir, ".claude", "settings.local.json"), ".claude/settings.local.json in the working folder"})
	}
	if p := managedSettingsPath(); p != "" {
		files = append(files, settingsFile{p, p})
	}
	return files
}

// managedSettingsPath is where an organisation's policy for Claude Code lives on this system.
func managedSettingsPath() string {
	switch runtime.GOOS {
	case "linux":
		return "/etc/claude-code/managed-settings.json"
	case "darwin":
		return "/Library/Application Support/ClaudeCode/managed-settings.json"
	case "windows":
		return `C:\Program Files\ClaudeCode\managed-settings.json`
	}
	return ""
}

// addSettings adds what one settings document (JSON) allows; name says where it is.
func (r *OwnRules) addSettings(b []byte, name string) {
	var s struct {
		Permissions struct {
			Allow []string `json:"allow"`
		} `json:"permissions"`
		Hooks map[string]json.RawMessage `json:"hooks"`
	}
	if json.Unmarshal(b, &s) != nil {
		return
	}
	r.addAllow(s.Permissions.Allow, name)
	if h, ok := s.Hooks["PreToolUse"]; ok && !emptyJSON(h) && !slices.Contains(r.HooksIn, name) {
		r.HooksIn = append(r.HooksIn, name)
	}
}

func (r *OwnRules) addAllow(rules []string, from string) {
	added := false
	for _, rule := range rules {
		rule = strings.TrimSpace(rule)
		if rule == "" || slices.Contains(r.Allow, rule) {
			continue
		}
		r.Allow = append(r.Allow, rule)
		added = true
	}
	if added && !slices.Contains(r.AllowFrom, from) {
		r.AllowFrom = append(r.AllowFrom, from)
	}
}

// addArgs adds what Claude Code's extra arguments allow: --allowedTools, --settings, and a
// --permission-mode or --dangerously-skip-permissions that replaces the party's mode.
func (r *OwnRules) addArgs(args []string, workdir string) {
	for i := 0; i < len(args); i++ {
		name, value, hasValue := strings.Cut(args[i], "=")
		switch name {
		case "--allowedTools", "--allowed-tools":
			var values []string
			if hasValue {
				values = []string{value}
			} else {
				for i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
					i++
					values = append(values, args[i])
				}
			}
			for _, v := range values {
				r.addAllow(splitRules(v), "--allowedTools")
			}
		case "--settings":
			if !hasValue && i+1 < len(args) {
				i++
				value = args[i]
			}
			b, err := settingsArg(value, workdir)
			if err != nil {
				continue
			}
			r.addSettings(b, "--settings")
		case "--permission-mode":
			if !hasValue && i+1 < len(args) {
				i++
				value = args[i]
			}
			r.Mode = value
		case "--dangerously-skip-permissions":
			r.Mode = "bypassPermissions"
		}
	}
}

// splitRules splits one --allowedTools value into rules: they are separated by commas or
// spaces, except inside a rule's parentheses ("Bash(git log:*)").
func splitRules(s string) []string {
	var rules []string
	depth, start := 0, 0
	for i, c := range s {
		switch {
		case c == '(':
			depth++
		case c == ')' && depth > 0:
			depth--
		case (c == ',' || c == ' ') && depth == 0:
			rules = append(rules, s[start:i])
			start = i + 1
		}
	}
	return append(rules, s[start:])
}

func emptyJSON(b json.RawMessage) bool {
	s := strings.TrimSpace(string(b))
	return s == "" || s == "null" || s == "[]" || s == "{}"
}

// lookupEnv is key's value in env (KEY=VALUE pairs; the last one wins), "" when absent.
func lookupEnv(env []string, key string) string {
	v := ""
	for _, kv := range env {
		if k, val, ok := strings.Cut(kv, "="); ok && k == key {
			v = val
		}
	}
	return v
}

// tildePath writes p with home as "~", as people write it.
func tildePath(p, home string) string {
	if home != "" {
		if rel, err := filepath.Rel(home, p); err == nil && rel != "." && !strings.HasPrefix(rel, "..") {
			return "~/" + filepath.ToSlash(rel)
		}
	}
	return p
}
