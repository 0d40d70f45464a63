// Package settings owns the desktop window's settings: display name, working directory,
// batching window, min prompts, merger, Claude Code path and extra arguments, the permission
// mode, approval default and tool request timeout (PROTOCOL.md §7), listen address and
// public host, and the size of the window's text.
// They are checked here, and kept as JSON in the OS config directory
// (os.UserConfigDir()/concordia/settings.json, mode 0600, written atomically).
//
// The Gemini key is never a setting: it lives in the OS keyring (package secrets).
//
// Settings is a plain value; Store serialises its own file access with a mutex, so one
// Store may be shared by goroutines.
package settings

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/concordia-party/concordia/internal/atomicfile"
	"github.com/concordia-party/concordia/internal/term"
)

// Limits of the values a person can choose.
const (
	MinWindowMS   = 100     // a shorter window cuts a batch per keystroke burst
	MaxWindowMS   = 600_000 // ten minutes
	MaxMinPrompts = 100
	MaxNameRunes  = 64 // the party's limit for a display name
	maxPathBytes  = 4096
)

// Limits of the tool request timeout: an undecided tool request is denied after it, as
// `concordia host --permission-timeout` (default 2 minutes). Under 15 seconds a host has
// no time to notice a request (a desktop notification), read what the tool would do and
// decide; it is also 0.25 minutes, the smallest value the window's minutes field reads
// well with. Over a day the party, which does nothing else meanwhile, looks stuck rather
// than waiting (the turn timeout does not run while a decision is awaited, so nothing
// else ends the wait); a host away longer can deny and ask again.
const (
	MinPermissionTimeoutMS     = 15_000
	MaxPermissionTimeoutMS     = 24 * 60 * 60 * 1000
	DefaultPermissionTimeoutMS = 2 * 60 * 1000
)

// Limits of the window's text size, in percent (Settings.Zoom): below 80 % the smallest
// text (11 px at the usual size) is under 9 px; above 150 % the header's controls no longer
// fit on one row in an 800 px window.
const (
	MinZoom     = 80
	MaxZoom     = 150
	DefaultZoom = 100
)

// Merge modes, as in `concordia host --merge`.
const (
	MergerAuto   = "auto"
	MergerGemini = "gemini"
	MergerLocal  = "local"
)

// DefaultListen is the listen address when none is set (the CLI's default).
const DefaultListen = ":8765"

// Permission modes, as in `concordia host --permission-mode` (wire.Permission*).
const (
	PermissionAsk   = "ask"
	PermissionEdits = "edits"
	PermissionPlan  = "plan"
	PermissionAll   = "all"
)

// Workspace sharing levels, as in `concordia host --share-workspace` (PROTOCOL.md §9):
// nothing, the files the agent changed and their diffs, or the whole folder (files such
// as .env included).
const (
	ShareOff     = "off"
	ShareChanges = "changes"
	ShareTree    = "tree"
)

// maxClaudeArgsBytes bounds the extra Claude Code arguments.
const maxClaudeArgsBytes = 4096

// DefaultClaudePath is the Claude Code executable looked up on PATH.
const DefaultClaudePath = "claude"

// FileName is the settings file's name inside the concordia config directory.
const FileName = "settings.json"

// Settings are the window's settings. The JSON names are the window's (docs/app-api.md).
type Settings struct {
	Name       string `json:"name"`
	Workdir    string `json:"workdir"`
	WindowMS   int64  `json:"window_ms"`
	MinPrompts int    `json:"min_prompts"`
	Merger     string `json:"merger"`
	ClaudePath string `json:"claude_path"`
	// ClaudeArgs are extra Claude Code arguments as one line of shell-like words
	// (e.g. `--model opus`); SplitArgs parses them.
	ClaudeArgs string `json:"claude_args"`
	// PermissionMode is what the agent may do without asking: ask, edits, plan or all.
	PermissionMode string `json:"permission_mode"`
	// Approve is the default of approval mode: each merged prompt waits for a host.
	Approve bool `json:"approve"`
	// PermissionTimeoutMS denies a tool request no host decided after this many
	// milliseconds (`concordia host --permission-timeout`). A settings file from before
	// this field keeps the default, 2 minutes.
	PermissionTimeoutMS int64 `json:"permission_timeout_ms"`
	// ShareWorkspace is what new parties show of the working directory: off, changes or tree.
	ShareWorkspace string `json:"share_workspace"`
	Listen         string `json:"listen"`
	PublicHost     string `json:"public_host"`
	// Notifications turns the desktop notifications on: the window shows one when it is
	// hidden or unfocused and the agent finished or failed, a tool request or a batch waits
	// for a host, someone joined, or the party ended. On unless a person turned it off (a
	// settings file from before this field keeps the default).
	Notifications bool `json:"notifications"`
	// Zoom is the size of the window's text, in percent of the usual size (MinZoom to
	// MaxZoom; Ctrl+plus, Ctrl+minus and Ctrl+0, or Settings). A settings file from before
	// this field keeps the usual size.
	Zoom int `json:"zoom"`
}

// Defaults are the settings before anyone changed them: the OS user's name, the home
// directory, a 3 s window, one prompt, the auto merger, "claude" on PATH, port 8765 on
// every interface, and the detected LAN address in invites; the agent asks before each
// tool use, no extra arguments, approval off, an undecided tool request denied after 2
// minutes; the party sees the files the agent changed; desktop notifications on.
func Defaults() Settings {
	home, _ := os.UserHomeDir()
	return Settings{
		Name:           defaultName(),
		Workdir:        home,
		WindowMS:       3000,
		MinPrompts:     1,
		Merger:         MergerAuto,
		ClaudePath:     DefaultClaudePath,
		PermissionMode: PermissionAsk,
		ShareWorkspace: ShareChanges,
		Listen:         DefaultListen,
		Notifications:  true,
		Zoom:           DefaultZoom,

		PermissionTimeoutMS: DefaultPermissionTimeoutMS,
	}
}

func defaultName() string {
	if u, err := user.Current(); err == nil {
		if n := cleanName(u.Username); n != "" {
			return n
		}
	}
	for _, k := range []string{"USER", "USERNAME"} {
		if n := cleanName(os.Getenv(k)); n != "" {
			return n
		}
	}
	return "host"
}

// cleanName trims a name and drops a Windows domain prefix ("DOMAIN\\user").
func cleanName(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\\'); i >= 0 {
		s = s[i+1:]
	}
	if checkName(s) != nil {
		return ""
	}
	return s
}

// Normalized trims surrounding white space from the text fields and fills an empty
// listen address, Claude Code path, permission mode and workspace sharing, and a zero tool
// request timeout, with their defaults.
func (s Settings) Normalized() Settings {
	s.Name = strings.TrimSpace(s.Name)
	s.Workdir = strings.TrimSpace(s.Workdir)
	s.Merger = strings.ToLower(strings.TrimSpace(s.Merger))
	s.ClaudePath = strings.TrimSpace(s.ClaudePath)
	s.Listen = strings.TrimSpace(s.Listen)
	s.PublicHost = strings.TrimSpace(s.PublicHost)
	s.ClaudeArgs = strings.TrimSpace(s.ClaudeArgs)
	s.PermissionMode = strings.ToLower(strings.TrimSpace(s.PermissionMode))
	if s.PermissionMode == "" {
		s.PermissionMode = PermissionAsk
	}
	if s.ShareWorkspace = strings.ToLower(strings.TrimSpace(s.ShareWorkspace)); s.ShareWorkspace == "" {
		s.ShareWorkspace = ShareChanges
	}
	if s.ClaudePath == "" {
		s.ClaudePath = DefaultClaudePath
	}
	if s.Listen == "" {
		s.Listen = DefaultListen
	}
	if s.PermissionTimeoutMS == 0 {
		s.PermissionTimeoutMS = DefaultPermissionTimeoutMS
	}
	if s.Zoom == 0 {
		s.Zoom = DefaultZoom
	}
	return s
}

// FieldError says what is wrong with one field, as a sentence for a person.
type FieldError struct {
	Field   string // the JSON name
	Problem string
}

// Error is the problem, a sentence.
func (e *FieldError) Error() string { return e.Problem }

// ErrInvalid is matched (errors.Is) by every error Validate returns.
var ErrInvalid = errors.New("invalid settings")

// Is makes errors.Is(err, ErrInvalid) hold for a FieldError.
func (e *FieldError) Is(target error) bool { return target == ErrInvalid }

// fieldCheck is one field's rule.
type fieldCheck struct {
	field string
	check func(Settings) error
	reset func(s *Settings, d Settings) // puts the default back (Load)
}

var checks = []fieldCheck{
	{"name", func(s Settings) error { return checkName(s.Name) }, func(s *Settings, d Settings) { s.Name = d.Name }},
	{"workdir", func(s Settings) error { return CheckWorkdir(s.Workdir) }, func(s *Settings, d Settings) { s.Workdir = d.Workdir }},
	{"window_ms", func(s Settings) error { return CheckWindow(s.WindowMS) }, func(s *Settings, d Settings) { s.WindowMS = d.WindowMS }},
	{"min_prompts", func(s Settings) error { return CheckMinPrompts(s.MinPrompts) }, func(s *Settings, d Settings) { s.MinPrompts = d.MinPrompts }},
	{"merger", func(s Settings) error { return CheckMerger(s.Merger) }, func(s *Settings, d Settings) { s.Merger = d.Merger }},
	{"claude_path", func(s Settings) error { return CheckClaudePath(s.ClaudePath) }, func(s *Settings, d Settings) { s.ClaudePath = d.ClaudePath }},
	{"claude_args", func(s Settings) error { return CheckClaudeArgs(s.ClaudeArgs) }, func(s *Settings, d Settings) { s.ClaudeArgs = d.ClaudeArgs }},
	{"permission_mode", func(s Settings) error { return CheckPermissionMode(s.PermissionMode) }, func(s *Settings, d Settings) { s.PermissionMode = d.PermissionMode }},
	{"permission_timeout_ms", func(s Settings) error { return CheckPermissionTimeout(s.PermissionTimeoutMS) }, func(s *Settings, d Settings) { s.PermissionTimeoutMS = d.PermissionTimeoutMS }},
	{"share_workspace", func(s Settings) error { return CheckShareWorkspace(s.ShareWorkspace) }, func(s *Settings, d Settings) { s.ShareWorkspace = d.ShareWorkspace }},
	{"listen", func(s Settings) error { return CheckListen(s.Listen) }, func(s *Settings, d Settings) { s.Listen = d.Listen }},
	{"public_host", func(s Settings) error { return checkPublicHost(s.PublicHost) }, func(s *Settings, d Settings) { s.PublicHost = d.PublicHost }},
	{"zoom", func(s Settings) error { return CheckZoom(s.Zoom) }, func(s *Settings, d Settings) { s.Zoom = d.Zoom }},
}

// Validate checks normalized settings. It returns nil, or every problem joined
// (errors.Join of *FieldError, one per bad field), each a sentence.
func (s Settings) Validate() error {
	var errs []error
	for _, c := range checks {
		if err := c.check(s); err != nil {
			errs = append(errs, &FieldError{Field: c.field, Problem: err.Error()})
		}
	}
	return errors.Join(errs...)
}

// Problems lists Validate's sentences in field order; empty when err is nil.
func Problems(err error) []string {
	if err == nil {
		return nil
	}
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return []string{err.Error()}
	}
	var out []string
	for _, e := range j.Unwrap() {
		out = append(out, e.Error())
	}
	return out
}

func checkName(name string) error {
	switch {
	case name == "":
		return errors.New("The display name is empty.")
	case !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl):
		return errors.New("The display name must be one line of printable characters.")
	case utf8.RuneCountInString(name) > MaxNameRunes:
		return fmt.Errorf("The display name is too long (at most %d characters).", MaxNameRunes)
	}
	if why := term.NameProblem(term.Name(name)); why != "" {
		// The host would refuse it: say so here, not when hosting or joining.
		return fmt.Errorf("The display name cannot be used: %s.", why)
	}
	return nil
}

// CheckName checks a display name (trimmed by the caller).
func CheckName(name string) error { return checkName(name) }

// CheckWorkdir checks the agent's working directory: an absolute path of an existing
// folder. Empty means the home directory and is allowed.
func CheckWorkdir(dir string) error {
	if dir == "" {
		return nil
	}
	if len(dir) > maxPathBytes || strings.ContainsFunc(dir, unicode.IsControl) {
		return errors.New("The working folder is not a valid path.")
	}
	if !filepath.IsAbs(dir) {
		return fmt.Errorf("The working folder %q is not an absolute path; choose it with the folder button.", dir)
	}
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("The working folder %q does not exist.", dir)
	case err != nil:
		return fmt.Errorf("The working folder %q cannot be used: %v.", dir, err)
	case !st.IsDir():
		return fmt.Errorf("%q is a file, not a folder.", dir)
	}
	return nil
}

// CheckWindow checks the batching window in milliseconds.
func CheckWindow(ms int64) error {
	if ms < MinWindowMS || ms > MaxWindowMS {
		return fmt.Errorf("The batching window must be between %s and %d seconds.", strconv.FormatFloat(MinWindowMS/1000.0, 'f', -1, 64), MaxWindowMS/1000)
	}
	return nil
}

// CheckMinPrompts checks the number of prompts a batch waits for.
func CheckMinPrompts(n int) error {
	if n < 1 || n > MaxMinPrompts {
		return fmt.Errorf("Min prompts must be a whole number from 1 to %d.", MaxMinPrompts)
	}
	return nil
}

// CheckMerger checks the merge mode.
func CheckMerger(m string) error {
	switch m {
	case MergerAuto, MergerGemini, MergerLocal:
		return nil
	}
	return fmt.Errorf("The merger must be auto, gemini or local, not %q.", m)
}

// CheckClaudePath checks the Claude Code executable setting: a command name or a path,
// one line. Whether it exists is checked when a party starts (it may be installed later).
func CheckClaudePath(p string) error {
	switch {
	case p == "":
		return errors.New("The Claude Code path is empty; use \"claude\" to find it on PATH.")
	case len(p) > maxPathBytes || strings.ContainsFunc(p, unicode.IsControl):
		return errors.New("The Claude Code path must be one line.")
	}
	return nil
}

// CheckPermissionMode checks the permission mode: ask, edits, plan or all.
func CheckPermissionMode(m string) error {
	switch m {
	case PermissionAsk, PermissionEdits, PermissionPlan, PermissionAll:
		return nil
	}
	return fmt.Errorf("The permission mode must be ask, edits, plan or all, not %q.", m)
}

// CheckPermissionTimeout checks the tool request timeout in milliseconds.
func CheckPermissionTimeout(ms int64) error {
	if ms < MinPermissionTimeoutMS || ms > MaxPermissionTimeoutMS {
		return fmt.Errorf("The tool request timeout must be between %s and %d minutes (15 seconds to 24 hours).",
			strconv.FormatFloat(MinPermissionTimeoutMS/60_000.0, 'f', -1, 64), MaxPermissionTimeoutMS/60_000)
	}
	return nil
}

// CheckShareWorkspace checks the workspace sharing level: off, changes or tree.
func CheckShareWorkspace(level string) error {
	switch level {
	case ShareOff, ShareChanges, ShareTree:
		return nil
	}
	return fmt.Errorf("Share the working folder off, changes or tree, not %q.", level)
}

// controlledArgs are Claude Code flags Concordia sets itself; the permission mode setting
// replaces the permission flags.
var controlledArgs = map[string]string{
	"--permission-mode":                    "Choose the permission mode in its own setting instead of --permission-mode.",
	"--permission-prompt-tool":             "Concordia asks the party's hosts about tool use itself; remove --permission-prompt-tool.",
	"--dangerously-skip-permissions":       "Use the permission mode \"Allow everything\" instead of --dangerously-skip-permissions.",
	"--allow-dangerously-skip-permissions": "Use the permission mode \"Allow everything\" instead of --allow-dangerously-skip-permissions.",
	"-p":                                   "Concordia runs Claude Code in its own mode; remove -p.",
	"--print":                              "Concordia runs Claude Code in its own mode; remove --print.",
	"--input-format":                       "Concordia sets --input-format itself; remove it.",
	"--output-format":                      "Concordia sets --output-format itself; remove it.",
	"--resume":                             "Concordia resumes Claude Code's session itself; remove --resume.",
	"-r":                                   "Concordia resumes Claude Code's session itself; remove -r.",
}

// CheckClaudeArgs checks the extra Claude Code arguments: shell-like words (SplitArgs),
// one line, none of the flags Concordia sets itself.
func CheckClaudeArgs(line string) error {
	if len(line) > maxClaudeArgsBytes {
		return fmt.Errorf("The extra Claude Code arguments are too long (at most %d bytes).", maxClaudeArgsBytes)
	}
	args, err := SplitArgs(line)
	if err != nil {
		return err
	}
	for i, a := range args {
		name, _, eq := strings.Cut(a, "=")
		if why, ok := controlledArgs[name]; ok {
			return errors.New(why)
		}
		if valueArgs[name] && !eq && (i+1 == len(args) || strings.HasPrefix(args[i+1], "-")) {
			// Claude Code would refuse to start, and the party with it (a tester saved
			// "--model" alone).
			long := name
			if name == "-n" {
				long = "--name" // -n=VALUE would give the value "=VALUE"
			}
			return fmt.Errorf("The extra Claude Code argument %s needs a value after it (e.g. %s). A value that starts with - goes as %s=VALUE.", name, valueExample(name), long)
		}
	}
	return nil
}

// valueArgs are Claude Code's flags that take a value (claude --help of the pinned
// version, less those in controlledArgs).
var valueArgs = map[string]bool{
	"--add-dir": true, "--agent": true, "--agents": true, "--allowedTools": true, "--allowed-tools": true,
	"--append-system-prompt": true, "--betas": true, "--debug-file": true, "--disallowedTools": true,
	"--disallowed-tools": true, "--effort": true, "--fallback-model": true, "--file": true,
	"--json-schema": true, "--max-budget-usd": true, "--mcp-config": true, "--model": true, "-n": true,
	"--name": true, "--plugin-dir": true, "--plugin-url": true, "--session-id": true,
	"--setting-sources": true, "--settings": true, "--system-prompt": true, "--tools": true,
}

// valueExample is a flag of valueArgs with a value, for the sentence that asks for one.
func valueExample(flag string) string {
	switch flag {
	case "--model", "--fallback-model":
		return flag + " opus"
	case "--add-dir", "--plugin-dir", "--debug-file":
		return flag + " ../shared"
	case "--allowedTools", "--allowed-tools", "--disallowedTools", "--disallowed-tools", "--tools":
		return flag + " Read"
	}
	return flag + " VALUE"
}

// SplitArgs splits one line into words as a POSIX shell would, without expanding
// anything: white space separates words; 'single quotes' keep everything; "double quotes"
// keep everything but \" and \\; a backslash outside quotes keeps the next character.
// An unclosed quote, a trailing backslash or a control character is an error (a sentence).
func SplitArgs(line string) ([]string, error) {
	if !utf8.ValidString(line) || strings.ContainsFunc(line, func(r rune) bool { return unicode.IsControl(r) && r != '\t' }) {
		return nil, errors.New("The extra Claude Code arguments must be one line of printable text.")
	}
	var (
		words []string
		cur   strings.Builder
		in    bool // a word has started (possibly empty: "")
	)
	rs := []rune(line)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == ' ' || r == '\t':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		case r == '\'':
			in = true
			j := i + 1
			for j < len(rs) && rs[j] != '\'' {
				j++
			}
			if j == len(rs) {
				return nil, errors.New("The extra Claude Code arguments have a ' without its closing '.")
			}
			cur.WriteString(string(rs[i+1 : j]))
			i = j
		case r == '"':
			in = true
			j := i + 1
			for ; j < len(rs) && rs[j] != '"'; j++ {
				if rs[j] == '\\' && j+1 < len(rs) && (rs[j+1] == '"' || rs[j+1] == '\\') {
					j++
				}
				cur.WriteRune(rs[j])
			}
			if j == len(rs) {
				return nil, errors.New("The extra Claude Code arguments have a \" without its closing \".")
			}
			i = j
		case r == '\\':
			if i+1 == len(rs) {
				return nil, errors.New("The extra Claude Code arguments end with a lone backslash.")
			}
			in = true
			i++
			cur.WriteRune(rs[i])
		default:
			in = true
			cur.WriteRune(r)
		}
	}
	if in {
		words = append(words, cur.String())
	}
	return words, nil
}

// ListenProblem is what is wrong with a listen address (ListenError.Problem).
type ListenProblem int

// The ways a listen address can be wrong, in the order CheckListen looks for them.
const (
	// ListenNotHostPort: not HOST:PORT or :PORT at all ("8765").
	ListenNotHostPort ListenProblem = iota + 1
	// ListenNoPort: a HOST: with nothing after the colon.
	ListenNoPort
	// ListenPortNotNumber: a port that is not digits (":http").
	ListenPortNotNumber
	// ListenPortOutOfRange: a port past 65535.
	ListenPortOutOfRange
	// ListenBadHost: a host that is neither an IP address nor a host name.
	ListenBadHost
)

// ListenError says what is wrong with a listen address. Its Error is the sentence the
// window's Settings and Create party show (frontend listenProblem says the same, from
// the same table: testdata/listen.json); the terminal shows it too.
type ListenError struct {
	Addr    string
	Host    string
	Port    string
	Problem ListenProblem
}

func (e *ListenError) Error() string { return e.Worded("The listen") }

// Worded is Error's sentence with what it is about named by subject ("The listen" there):
// the terminal names its flag, "the --listen", mid-line.
func (e *ListenError) Worded(subject string) string {
	switch e.Problem {
	case ListenNoPort:
		return fmt.Sprintf("%s address %q has no port: add one from 0 to 65535 (0 for any free port).", subject, e.Addr)
	case ListenPortNotNumber:
		return fmt.Sprintf("%s port %q is not a number: use one from 0 to 65535 (0 for any free port).", subject, e.Port)
	case ListenPortOutOfRange:
		return fmt.Sprintf("%s port %s is out of range: use one from 0 to 65535 (0 for any free port).", subject, strings.TrimLeft(e.Port, "0"))
	case ListenBadHost:
		return fmt.Sprintf("%s host %q is neither an IP address nor a host name.", subject, e.Host)
	default:
		return fmt.Sprintf("%s address %q is not HOST:PORT or :PORT (e.g. \":8765\", or \"127.0.0.1:0\" for a free port on this machine only).", subject, e.Addr)
	}
}

// CheckListen checks a listen address, HOST:PORT or :PORT (every interface), PORT from 0
// (any free port) to 65535 and HOST an IP address or a host name. It is the one check
// for the window's settings and `concordia host --listen` alike; what it refuses comes
// back as a *ListenError. The empty address is not checked here: it stands for
// DefaultListen, which Normalized fills in.
func CheckListen(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return &ListenError{Addr: addr, Problem: ListenNotHostPort}
	}
	// The part that is wrong is named (the window's words are the same: frontend
	// listenProblem): a tester's "127.0.0.1:99999" was told to use HOST:PORT, which it did.
	// A service name (":http"), which net.Listen would take, is refused: the window and
	// the terminal take the same addresses.
	e := &ListenError{Addr: addr, Host: host, Port: port}
	switch {
	case port == "":
		e.Problem = ListenNoPort
	case strings.Trim(port, "0123456789") != "":
		e.Problem = ListenPortNotNumber
	default:
		if n, err := strconv.Atoi(port); err != nil || n > 65535 {
			e.Problem = ListenPortOutOfRange
		} else if host != "" && net.ParseIP(host) == nil && checkHostname(host) != nil {
			e.Problem = ListenBadHost
		}
	}
	if e.Problem != 0 {
		return e
	}
	return nil
}

func checkPublicHost(h string) error {
	if h == "" {
		return nil
	}
	bare := strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
	if ip := net.ParseIP(bare); ip != nil {
		return nil
	}
	if strings.Contains(h, "://") || strings.ContainsAny(h, "/:") {
		return fmt.Errorf("The public host %q must be only a host name or an IP address, without a scheme or port.", h)
	}
	if err := checkHostname(h); err != nil {
		return fmt.Errorf("The public host %q is not a valid host name or IP address.", h)
	}
	return nil
}

// checkHostname accepts DNS names: dot-separated labels of letters, digits and hyphens,
// the last not all digits (999.1.1.1 is an IP address that is wrong, not a name: a
// tester's was saved, and refused only by the listen's lookup).
func checkHostname(h string) error {
	if len(h) > 253 {
		return errors.New("too long")
	}
	labels := strings.Split(strings.TrimSuffix(h, "."), ".")
	if strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return errors.New("all digits")
	}
	for _, label := range labels {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return errors.New("bad label")
		}
		for _, r := range label {
			if !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
				return errors.New("bad character")
			}
		}
	}
	return nil
}

// DefaultPath is where the settings live: os.UserConfigDir()/concordia/settings.json.
func DefaultPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find the config directory: %w", err)
	}
	return filepath.Join(dir, "concordia", FileName), nil
}

// Store reads and writes one settings file. mu makes Load and Save one at a time.
type Store struct {
	path string
	mu   sync.Mutex
}

// NewStore returns a Store for the file at path.
func NewStore(path string) *Store { return &Store{path: path} }

// Path is the settings file.
func (st *Store) Path() string { return st.path }

// Load reads the settings. A missing file gives the defaults and no error. A field that
// is missing or no longer valid (a folder that was deleted) takes its default. A file
// that cannot be read or parsed gives the defaults and an error saying why; nothing is
// written, so the broken file stays for a person to look at.
func (st *Store) Load() (Settings, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.load()
}

// load is Load with st.mu held.
func (st *Store) load() (Settings, error) {
	d := Defaults()
	b, err := os.ReadFile(st.path)
	if errors.Is(err, os.ErrNotExist) {
		return d, nil
	}
	if err != nil {
		return d, fmt.Errorf("read settings: %w", err)
	}
	s := d
	if err := json.Unmarshal(b, &s); err != nil {
		return d, fmt.Errorf("parse settings %s: %w", st.path, err)
	}
	s = s.Normalized()
	for _, c := range checks {
		if c.check(s) != nil {
			c.reset(&s, d)
		}
	}
	return s, nil
}

// Save validates s (after Normalized) and writes it atomically: a temporary file in the
// same directory, mode 0600, synced, then renamed over the old one. It returns what was
// saved. Invalid settings are not written; the error lists every problem.
func (st *Store) Save(s Settings) (Settings, error) {
	s = s.Normalized()
	if err := s.Validate(); err != nil {
		return s, err
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return s, fmt.Errorf("encode settings: %w", err)
	}
	b = append(b, '\n')
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := writeAtomic(st.path, b); err != nil {
		return s, fmt.Errorf("save settings: %w", err)
	}
	return s, nil
}

// Chosen are the values a person typed on Create party that the window offers again
// next time: every field of the form — display name, working directory, batching window,
// min prompts, merger, Claude Code path, permission mode, approval default, tool request
// timeout and workspace sharing (but for sharing the whole folder, chosen each time).
// (The window and the merger were forgotten while the others were kept, which a tester
// found inconsistent.) The extra arguments are not among them: they are remembered
// (RememberClaudeArgs) only once Claude Code started with them, so that arguments it
// refused are not offered again as the default.
type Chosen struct {
	Name, Workdir, ClaudePath, PermissionMode, ShareWorkspace string
	Approve                                                   bool
	WindowMS                                                  int64
	MinPrompts                                                int
	Merger                                                    string
	PermissionTimeoutMS                                       int64
}

// Remember puts the chosen values into the saved settings and writes them (atomically,
// under the same lock as Load and Save, so nothing saved meanwhile is lost). An empty or
// invalid value keeps the saved one, so remembering never fails on what was typed. An
// unreadable settings file is not overwritten: its error is returned.
func (st *Store) Remember(c Chosen) (Settings, error) {
	return st.update(func(next *Settings) {
		next.remember(c)
	})
}

// RememberClaudeArgs puts the extra Claude Code arguments a party was created with into
// the saved settings, once Claude Code started with them: "" too (arguments cleared on the
// form are not wanted any more). Invalid ones keep the saved value.
func (st *Store) RememberClaudeArgs(args string) (Settings, error) {
	return st.update(func(next *Settings) {
		if v := strings.TrimSpace(args); CheckClaudeArgs(v) == nil {
			next.ClaudeArgs = v
		}
	})
}

// CheckZoom reports a text size outside MinZoom to MaxZoom percent.
func CheckZoom(percent int) error {
	if percent < MinZoom || percent > MaxZoom {
		return fmt.Errorf("The text size must be from %d%% to %d%%.", MinZoom, MaxZoom)
	}
	return nil
}

// RememberZoom puts the window's text size into the saved settings, and nothing else (it
// changes with a key, not with the settings form). A size out of range is refused with a
// *FieldError and nothing is written.
func (st *Store) RememberZoom(percent int) (Settings, error) {
	if err := CheckZoom(percent); err != nil {
		s, _ := st.Load()
		return s, &FieldError{Field: "zoom", Problem: err.Error()}
	}
	return st.update(func(next *Settings) { next.Zoom = percent })
}

// RememberName puts a display name chosen to join a party into the saved settings, and
// nothing else: a join has no form of the other values (Remember of a Chosen with only
// a name cleared the approval default and the extra arguments, a reviewer's). An empty
// or invalid name keeps the saved one.
func (st *Store) RememberName(name string) (Settings, error) {
	return st.update(func(next *Settings) {
		if v := strings.TrimSpace(name); v != "" && checkName(v) == nil {
			next.Name = v
		}
	})
}

// update changes the saved settings with change and writes them (atomically, under the
// same lock as Load and Save). An unreadable settings file is not overwritten.
func (st *Store) update(change func(*Settings)) (Settings, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	s, err := st.load()
	if err != nil {
		return s, err
	}
	next := s
	change(&next)
	next = next.Normalized()
	if err := next.Validate(); err != nil {
		return s, err
	}
	b, err := json.MarshalIndent(next, "", "  ")
	if err != nil {
		return s, fmt.Errorf("encode settings: %w", err)
	}
	if err := writeAtomic(st.path, append(b, '\n')); err != nil {
		return s, fmt.Errorf("save settings: %w", err)
	}
	return next, nil
}

// remember puts c's values into next (Remember).
func (next *Settings) remember(c Chosen) {
	if v := strings.TrimSpace(c.Name); v != "" && checkName(v) == nil {
		next.Name = v
	}
	if v := strings.TrimSpace(c.Workdir); v != "" && CheckWorkdir(v) == nil {
		next.Workdir = v
	}
	if v := strings.TrimSpace(c.ClaudePath); v != "" && CheckClaudePath(v) == nil {
		next.ClaudePath = v
	}
	if v := strings.ToLower(strings.TrimSpace(c.PermissionMode)); v != "" && CheckPermissionMode(v) == nil {
		next.PermissionMode = v
	}
	if v := strings.ToLower(strings.TrimSpace(c.ShareWorkspace)); v != "" && v != ShareTree && CheckShareWorkspace(v) == nil {
		// The whole folder, .env files and keys included, is shared only when chosen for
		// the party at hand: a tester's one choice of it became every later party's default,
		// unseen (Settings offers nothing and the changes only).
		next.ShareWorkspace = v
	}
	next.Approve = c.Approve
	if c.WindowMS != 0 && CheckWindow(c.WindowMS) == nil {
		next.WindowMS = c.WindowMS
	}
	if c.MinPrompts != 0 && CheckMinPrompts(c.MinPrompts) == nil {
		next.MinPrompts = c.MinPrompts
	}
	if c.PermissionTimeoutMS != 0 && CheckPermissionTimeout(c.PermissionTimeoutMS) == nil {
		next.PermissionTimeoutMS = c.PermissionTimeoutMS
	}
	if v := strings.ToLower(strings.TrimSpace(c.Merger)); v != "" && CheckMerger(v) == nil {
		next.Merger = v
	}
}

// writeAtomic replaces path with data so that a reader sees the old file or the new
// one, never a half-written one; its directory is made first.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("make %s: %w", dir, err)
	}
	return atomicfile.Write(path, data, 0o600)
}
