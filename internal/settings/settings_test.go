package settings

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// valid returns settings that pass Validate, with the working folder in a temp dir.
func valid(t *testing.T) Settings {
	t.Helper()
	return Settings{
		Name: "ada", Workdir: t.TempDir(), WindowMS: 3000, MinPrompts: 1,
		Merger: MergerAuto, ClaudePath: "claude", PermissionMode: PermissionAsk, ShareWorkspace: ShareChanges, Listen: ":8765",
		PermissionTimeoutMS: 120_000, Zoom: DefaultZoom,
	}
}

func TestDefaultsAreValid(t *testing.T) {
	d := Defaults()
	if err := d.Normalized().Validate(); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
	if d.WindowMS != 3000 || d.MinPrompts != 1 || d.Merger != MergerAuto || d.ClaudePath != "claude" || d.Listen != ":8765" || d.ShareWorkspace != ShareChanges ||
		d.PermissionTimeoutMS != 120_000 { // the CLI's --permission-timeout default, 2m
		t.Fatalf("defaults = %+v", d)
	}
}

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		change func(*Settings)
		field  string // "" = valid
		want   string // part of the sentence
	}{
		{"valid", func(*Settings) {}, "", ""},
		{"empty name", func(s *Settings) { s.Name = "" }, "name", "display name is empty"},
		{"name with newline", func(s *Settings) { s.Name = "a\nb" }, "name", "one line"},
		{"long name", func(s *Settings) { s.Name = strings.Repeat("x", 65) }, "name", "at most 64"},
		{"64-rune name", func(s *Settings) { s.Name = strings.Repeat("é", 64) }, "", ""},
		{"empty workdir means home", func(s *Settings) { s.Workdir = "" }, "", ""},
		{"relative workdir", func(s *Settings) { s.Workdir = "src" }, "workdir", "not an absolute path"},
		{"missing workdir", func(s *Settings) { s.Workdir = filepath.Join(dir, "nope") }, "workdir", "does not exist"},
		{"workdir is a file", func(s *Settings) { s.Workdir = file }, "workdir", "not a folder"},
		{"window too short", func(s *Settings) { s.WindowMS = 99 }, "window_ms", "between 0.1 and 600 seconds"},
		{"window shortest", func(s *Settings) { s.WindowMS = 100 }, "", ""},
		{"window longest", func(s *Settings) { s.WindowMS = 600_000 }, "", ""},
		{"window too long", func(s *Settings) { s.WindowMS = 600_001 }, "window_ms", "between"},
		{"min prompts zero", func(s *Settings) { s.MinPrompts = 0 }, "min_prompts", "from 1 to 100"},
		{"min prompts 100", func(s *Settings) { s.MinPrompts = 100 }, "", ""},
		{"min prompts 101", func(s *Settings) { s.MinPrompts = 101 }, "min_prompts", "from 1 to 100"},
		{"merger gemini", func(s *Settings) { s.Merger = "gemini" }, "", ""},
		{"merger local", func(s *Settings) { s.Merger = "local" }, "", ""},
		{"merger unknown", func(s *Settings) { s.Merger = "openai" }, "merger", `not "openai"`},
		{"claude path multi-line", func(s *Settings) { s.ClaudePath = "a\nb" }, "claude_path", "one line"},
		{"claude absolute path", func(s *Settings) { s.ClaudePath = "/opt/claude/bin/claude" }, "", ""},
		{"permission mode edits", func(s *Settings) { s.PermissionMode = "edits" }, "", ""},
		{"permission mode plan", func(s *Settings) { s.PermissionMode = "plan" }, "", ""},
		{"permission mode all", func(s *Settings) { s.PermissionMode = "all" }, "", ""},
		{"permission mode unknown", func(s *Settings) { s.PermissionMode = "bypassPermissions" }, "permission_mode", "ask, edits, plan or all"},
		{"permission mode empty", func(s *Settings) { s.PermissionMode = "" }, "permission_mode", "ask, edits, plan or all"},
		{"permission timeout too short", func(s *Settings) { s.PermissionTimeoutMS = 14_999 }, "permission_timeout_ms", "The tool request timeout must be between 0.25 and 1440 minutes (15 seconds to 24 hours)."},
		{"permission timeout shortest", func(s *Settings) { s.PermissionTimeoutMS = 15_000 }, "", ""},
		{"permission timeout an hour", func(s *Settings) { s.PermissionTimeoutMS = 3_600_000 }, "", ""},
		{"permission timeout longest", func(s *Settings) { s.PermissionTimeoutMS = 86_400_000 }, "", ""},
		{"permission timeout too long", func(s *Settings) { s.PermissionTimeoutMS = 86_400_001 }, "permission_timeout_ms", "between"},
		{"permission timeout zero", func(s *Settings) { s.PermissionTimeoutMS = 0 }, "permission_timeout_ms", "between"},
		{"permission timeout negative", func(s *Settings) { s.PermissionTimeoutMS = -1 }, "permission_timeout_ms", "between"},
		{"share tree", func(s *Settings) { s.ShareWorkspace = "tree" }, "", ""},
		{"share off", func(s *Settings) { s.ShareWorkspace = "off" }, "", ""},
		{"share unknown", func(s *Settings) { s.ShareWorkspace = "everything" }, "share_workspace", "off, changes or tree"},
		{"claude args model", func(s *Settings) { s.ClaudeArgs = "--model opus" }, "", ""},
		{"claude args quoted", func(s *Settings) { s.ClaudeArgs = `--append-system-prompt "be brief"` }, "", ""},
		{"claude args unclosed quote", func(s *Settings) { s.ClaudeArgs = `--model "opus` }, "claude_args", "without its closing"},
		{"claude args permission mode", func(s *Settings) { s.ClaudeArgs = "--permission-mode acceptEdits" }, "claude_args", "permission mode in its own setting"},
		{"claude args permission mode =", func(s *Settings) { s.ClaudeArgs = "--permission-mode=plan" }, "claude_args", "permission mode in its own setting"},
		{"claude args skip permissions", func(s *Settings) { s.ClaudeArgs = "--dangerously-skip-permissions" }, "claude_args", "Allow everything"},
		{"claude args print", func(s *Settings) { s.ClaudeArgs = "-p" }, "claude_args", "remove -p"},
		{"claude args newline", func(s *Settings) { s.ClaudeArgs = "--model\nopus" }, "claude_args", "one line"},
		// A flag that takes a value, without one: Claude Code would not start (a tester's).
		{"claude args model without a value", func(s *Settings) { s.ClaudeArgs = "--model" }, "claude_args", "--model needs a value after it (e.g. --model opus)"},
		{"claude args a flag where the value goes", func(s *Settings) { s.ClaudeArgs = "--fallback-model --verbose" }, "claude_args", "--fallback-model needs a value"},
		{"claude args value with =", func(s *Settings) { s.ClaudeArgs = "--append-system-prompt=-be-brief --verbose" }, "", ""},
		{"claude args tools then a flag", func(s *Settings) { s.ClaudeArgs = "--allowedTools Read Grep --verbose" }, "", ""},
		{"claude args -r", func(s *Settings) { s.ClaudeArgs = "-r abc" }, "claude_args", "remove -r"},
		{"claude args -n without a value", func(s *Settings) { s.ClaudeArgs = "-n" }, "claude_args", "goes as --name=VALUE"},
		{"claude args too long", func(s *Settings) { s.ClaudeArgs = strings.Repeat("x", 4097) }, "claude_args", "too long"},
		{"listen loopback free port", func(s *Settings) { s.Listen = "127.0.0.1:0" }, "", ""},
		{"listen ipv6", func(s *Settings) { s.Listen = "[::1]:9000" }, "", ""},
		{"listen no port", func(s *Settings) { s.Listen = "8765" }, "listen", "not HOST:PORT"},
		{"listen bad port", func(s *Settings) { s.Listen = ":70000" }, "listen", "0 to 65535"},
		// The part that is wrong is named (a tester's was told to use HOST:PORT).
		{"listen port out of range", func(s *Settings) { s.Listen = "127.0.0.1:99999" }, "listen", "The listen port 99999 is out of range: use one from 0 to 65535 (0 for any free port)."},
		{"listen port not a number", func(s *Settings) { s.Listen = "127.0.0.1:http" }, "listen", `The listen port "http" is not a number`},
		{"listen port missing", func(s *Settings) { s.Listen = "127.0.0.1:" }, "listen", `The listen address "127.0.0.1:" has no port`},
		{"listen bad host", func(s *Settings) { s.Listen = "a b:80" }, "listen", "neither an IP"},
		{"public host name", func(s *Settings) { s.PublicHost = "party.example.org" }, "", ""},
		{"public host ipv6", func(s *Settings) { s.PublicHost = "fd00::1" }, "", ""},
		{"public host bracketed ipv6", func(s *Settings) { s.PublicHost = "[fd00::1]" }, "", ""},
		{"public host with scheme", func(s *Settings) { s.PublicHost = "https://x.org" }, "public_host", "without a scheme or port"},
		{"public host with port", func(s *Settings) { s.PublicHost = "x.org:80" }, "public_host", "without a scheme or port"},
		{"public host with space", func(s *Settings) { s.PublicHost = "my host" }, "public_host", "not a valid host name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := valid(t)
			tt.change(&s)
			err := s.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Validate() = %v, want ErrInvalid", err)
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field {
				t.Fatalf("Validate() = %#v, want a problem with field %q", err, tt.field)
			}
			if !strings.Contains(fe.Problem, tt.want) {
				t.Fatalf("problem = %q, want it to contain %q", fe.Problem, tt.want)
			}
		})
	}
}

func TestSplitArgs(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
		err      string
	}{
		{"empty", "", nil, ""},
		{"spaces only", "  \t ", nil, ""},
		{"model", "--model opus", []string{"--model", "opus"}, ""},
		{"extra spaces", "  --model   opus  ", []string{"--model", "opus"}, ""},
		{"single quotes keep all", `--x 'a "b" \c'`, []string{"--x", `a "b" \c`}, ""},
		{"double quotes", `--x "a 'b' \"c\" \\ \n"`, []string{"--x", `a 'b' "c" \ \n`}, ""},
		{"empty quoted word", `--x ""`, []string{"--x", ""}, ""},
		{"adjacent parts join", `a'b'"c"d`, []string{"abcd"}, ""},
		{"backslash space", `a\ b c`, []string{"a b", "c"}, ""},
		{"unicode", "--name Zoë", []string{"--name", "Zoë"}, ""},
		{"unclosed single", "'abc", nil, "closing '"},
		{"unclosed double", `"abc`, nil, `closing "`},
		{"lone backslash", `abc\`, nil, "lone backslash"},
		{"control", "a\x00b", nil, "one line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SplitArgs(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("SplitArgs(%q) = %q, %v; want an error with %q", tt.in, got, err, tt.err)
				}
				return
			}
			if err != nil || strings.Join(got, "\x00") != strings.Join(tt.want, "\x00") || len(got) != len(tt.want) {
				t.Fatalf("SplitArgs(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestValidateListsEveryProblem(t *testing.T) {
	s := valid(t)
	s.Name, s.WindowMS, s.Merger = "", 0, "x"
	got := Problems(s.Validate())
	if len(got) != 3 || !strings.Contains(got[0], "name") || !strings.Contains(got[1], "window") || !strings.Contains(got[2], "merger") {
		t.Fatalf("Problems = %q", got)
	}
	if Problems(nil) != nil {
		t.Fatal("Problems(nil) is not empty")
	}
}

func TestNormalized(t *testing.T) {
	got := Settings{Name: "  ada ", Merger: " Local ", ClaudePath: " ", ClaudeArgs: " --model opus ", PermissionMode: " ", ShareWorkspace: " Tree ", Listen: "", PublicHost: " h "}.Normalized()
	want := Settings{Name: "ada", Merger: "local", ClaudePath: "claude", ClaudeArgs: "--model opus", PermissionMode: "ask", ShareWorkspace: "tree", Listen: ":8765", PublicHost: "h",
		PermissionTimeoutMS: DefaultPermissionTimeoutMS, Zoom: DefaultZoom} // 0: the default, as an empty mode is
	if got != want {
		t.Fatalf("Normalized = %+v, want %+v", got, want)
	}
	// A timeout chosen stays, even an invalid one (Validate says so).
	if got := (Settings{PermissionTimeoutMS: 5}).Normalized(); got.PermissionTimeoutMS != 5 {
		t.Fatalf("Normalized changed a chosen timeout to %d", got.PermissionTimeoutMS)
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "concordia", FileName)
	st := NewStore(path)
	s := valid(t)
	s.Name, s.WindowMS, s.MinPrompts, s.Merger, s.ClaudePath, s.Listen, s.PublicHost = " bob ", 1500, 2, "local", "/usr/bin/claude", "127.0.0.1:0", "10.0.0.5"
	s.PermissionTimeoutMS = 600_000
	saved, err := st.Save(s)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Name != "bob" {
		t.Fatalf("saved name %q, want it trimmed", saved.Name)
	}
	got, err := st.Load()
	if err != nil {
		t.Fatal(err)
	}
	if got != saved {
		t.Fatalf("Load = %+v, want %+v", got, saved)
	}
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Fatalf("file mode %v, want 0600", fi.Mode().Perm())
		}
		di, err := os.Stat(filepath.Dir(path))
		if err != nil {
			t.Fatal(err)
		}
		if di.Mode().Perm() != 0o700 {
			t.Fatalf("dir mode %v, want 0700", di.Mode().Perm())
		}
	}
	// No temporary files are left behind.
	ents, _ := os.ReadDir(filepath.Dir(path))
	if len(ents) != 1 {
		t.Fatalf("config dir holds %d entries, want only %s", len(ents), FileName)
	}
}

func TestSaveRejectsInvalidAndKeepsOldFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	st := NewStore(path)
	good := valid(t)
	if _, err := st.Save(good); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	bad := good
	bad.MinPrompts = 0
	if _, err := st.Save(bad); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Save(bad) = %v, want ErrInvalid", err)
	}
	after, _ := os.ReadFile(path)
	if string(before) != string(after) {
		t.Fatal("an invalid Save changed the file")
	}
}

func TestSaveNeverWritesAKey(t *testing.T) {
	// The settings have no field for a key; an unknown field in input is not kept.
	path := filepath.Join(t.TempDir(), FileName)
	var s Settings
	if err := json.Unmarshal([]byte(`{"name":"ada","window_ms":3000,"min_prompts":1,"merger":"auto","gemini_key":"AIzaSECRET"}`), &s); err != nil {
		t.Fatal(err)
	}
	if _, err := NewStore(path).Save(s); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if strings.Contains(string(b), "SECRET") {
		t.Fatalf("settings file holds the key: %s", b)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	d := Defaults()
	tests := []struct {
		name    string
		content string // "" = no file
		wantErr bool
		check   func(t *testing.T, s Settings)
	}{
		{"missing file gives defaults", "", false, func(t *testing.T, s Settings) {
			if s != d {
				t.Fatalf("got %+v, want defaults %+v", s, d)
			}
		}},
		{"corrupt file gives defaults and an error", "{not json", true, func(t *testing.T, s Settings) {
			if s != d {
				t.Fatalf("got %+v, want defaults", s)
			}
		}},
		{"missing fields take defaults", `{"name":"zoe"}`, false, func(t *testing.T, s Settings) {
			want := d
			want.Name = "zoe"
			if s != want {
				t.Fatalf("got %+v, want %+v", s, want)
			}
		}},
		{"notifications: on by default (a file from before the setting), off when turned off", `{"name":"zoe"}`, false, func(t *testing.T, s Settings) {
			if !s.Notifications {
				t.Fatal("notifications off without anyone turning them off")
			}
		}},
		// A file from before the tool request timeout existed loads with the CLI's 2 minutes;
		// one that says 0 (or nonsense) does too, and a chosen one stays.
		{"permission timeout: 2 minutes in a file from before the setting", `{"name":"zoe","window_ms":1500,"approve":true}`, false, func(t *testing.T, s Settings) {
			if s.PermissionTimeoutMS != 120_000 || s.WindowMS != 1500 || !s.Approve {
				t.Fatalf("got %+v, want the default timeout and the file's other values", s)
			}
		}},
		{"permission timeout: zero or out of range takes the default", `{"permission_timeout_ms":0}`, false, func(t *testing.T, s Settings) {
			if s.PermissionTimeoutMS != 120_000 {
				t.Fatalf("timeout %d, want 120000", s.PermissionTimeoutMS)
			}
		}},
		{"permission timeout: too long takes the default", `{"permission_timeout_ms":999999999999}`, false, func(t *testing.T, s Settings) {
			if s.PermissionTimeoutMS != 120_000 {
				t.Fatalf("timeout %d, want 120000", s.PermissionTimeoutMS)
			}
		}},
		{"permission timeout: a chosen one stays", `{"permission_timeout_ms":1800000}`, false, func(t *testing.T, s Settings) {
			if s.PermissionTimeoutMS != 1_800_000 {
				t.Fatalf("timeout %d, want 1800000", s.PermissionTimeoutMS)
			}
		}},
		{"notifications turned off stay off", `{"notifications":false}`, false, func(t *testing.T, s Settings) {
			if s.Notifications {
				t.Fatal("notifications turned off came back on")
			}
		}},
		{"invalid fields take defaults, valid ones stay", `{"name":"zoe","window_ms":-4,"merger":"nope","workdir":"` + filepath.ToSlash(filepath.Join(dir, "gone")) + `","min_prompts":3}`, false, func(t *testing.T, s Settings) {
			if s.Name != "zoe" || s.MinPrompts != 3 {
				t.Fatalf("valid fields lost: %+v", s)
			}
			if s.WindowMS != d.WindowMS || s.Merger != d.Merger || s.Workdir != d.Workdir {
				t.Fatalf("invalid fields kept: %+v", s)
			}
		}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, "case", string(rune('a'+i)), FileName)
			if tt.content != "" {
				if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			s, err := NewStore(path).Load()
			if (err != nil) != tt.wantErr {
				t.Fatalf("Load err = %v, wantErr %v", err, tt.wantErr)
			}
			tt.check(t, s)
			if tt.content == "{not json" {
				if b, _ := os.ReadFile(path); string(b) != tt.content {
					t.Fatal("Load rewrote a broken file")
				}
			}
		})
	}
}

func TestDefaultPath(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", "/tmp/xdg-test")
	t.Setenv("HOME", "/tmp/home-test")
	p, err := DefaultPath()
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS == "linux" && p != "/tmp/xdg-test/concordia/settings.json" {
		t.Fatalf("DefaultPath = %q", p)
	}
}

// TestRememberRoundTrip: what was typed on Create party is written to the settings file
// and read back by a new Store (a restarted app); the other settings stay; an invalid or
// empty value keeps the saved one; a missing file starts from the defaults.
func TestRememberRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "concordia", FileName)
	st := NewStore(path)
	s := valid(t)
	s.WindowMS, s.Merger, s.ClaudeArgs = 2500, MergerLocal, "--model opus"
	if _, err := st.Save(s); err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	got, err := st.Remember(Chosen{Name: " grace ", Workdir: work, ClaudePath: "/opt/claude/bin/claude", PermissionMode: "Edits", ShareWorkspace: ShareOff, Approve: true,
		WindowMS: 2000, MinPrompts: 2, Merger: "Gemini", PermissionTimeoutMS: 900_000})
	if err != nil {
		t.Fatal(err)
	}
	want := s // the extra arguments too: they wait for Claude Code to take them
	want.Name, want.Workdir, want.ClaudePath, want.PermissionMode, want.ShareWorkspace, want.Approve = "grace", work, "/opt/claude/bin/claude", PermissionEdits, ShareOff, true
	want.WindowMS, want.MinPrompts, want.Merger, want.PermissionTimeoutMS = 2000, 2, MergerGemini, 900_000
	if got != want {
		t.Fatalf("Remember = %+v\nwant %+v", got, want)
	}
	// Once Claude Code started with them (RememberClaudeArgs).
	got, err = st.RememberClaudeArgs(" --verbose ")
	if err != nil {
		t.Fatal(err)
	}
	want.ClaudeArgs = "--verbose"
	if got != want {
		t.Fatalf("Remember = %+v\nwant %+v", got, want)
	}
	if again, err := NewStore(path).Load(); err != nil || again != want {
		t.Fatalf("a new Store loads %+v, %v\nwant %+v", again, err, want)
	}
	// The whole folder is shared only when chosen for that party: never remembered.
	if got, err := st.Remember(Chosen{Approve: true, ShareWorkspace: ShareTree}); err != nil || got != want {
		t.Fatalf("Remember(tree) = %+v, %v\nwant %+v (sharing %s)", got, err, want, want.ShareWorkspace)
	}
	// Invalid and empty values keep what was saved; approval is what was chosen.
	got, err = st.Remember(Chosen{Name: "", Workdir: filepath.Join(work, "gone"), ClaudePath: "a\nb", PermissionMode: "sometimes", ShareWorkspace: "all",
		WindowMS: 5, MinPrompts: -1, Merger: "best", PermissionTimeoutMS: 1000})
	if err != nil {
		t.Fatal(err)
	}
	want.Approve = false
	if got != want {
		t.Fatalf("Remember with bad values = %+v\nwant %+v", got, want)
	}
	// Invalid extra arguments keep the saved ones; cleared ones are not wanted any more.
	if got, err = st.RememberClaudeArgs(`--model "opus`); err != nil || got != want {
		t.Fatalf("RememberClaudeArgs(invalid) = %+v, %v\nwant %+v", got, err, want)
	}
	want.ClaudeArgs = ""
	if got, err = st.RememberClaudeArgs(" "); err != nil || got != want {
		t.Fatalf("RememberClaudeArgs(\" \") = %+v, %v\nwant %+v", got, err, want)
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 && runtime.GOOS != "windows" {
		t.Fatalf("settings file: %v, %v", info, err)
	}

	// No file yet: the defaults plus what was chosen.
	fresh := NewStore(filepath.Join(t.TempDir(), FileName))
	got, err = fresh.Remember(Chosen{Name: "lin", Workdir: work})
	if err != nil || got.Name != "lin" || got.Workdir != work || got.WindowMS != Defaults().WindowMS || got.PermissionTimeoutMS != DefaultPermissionTimeoutMS {
		t.Fatalf("Remember without a file = %+v, %v", got, err)
	}
}

// TestRememberKeepsABrokenFile: an unreadable settings file is not replaced.
func TestRememberKeepsABrokenFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := NewStore(path).Remember(Chosen{Name: "x"}); err == nil {
		t.Fatal("Remember over a broken file succeeded")
	}
	if b, _ := os.ReadFile(path); string(b) != "{not json" {
		t.Fatalf("the broken file was replaced: %q", b)
	}
}

// A name the host would refuse is refused here too, so that the window's Settings and
// Create party say so before anyone hosts or joins (a name like "eve (host)").
func TestCheckNameFollowsTheHostsRule(t *testing.T) {
	for name, ok := range map[string]bool{"eve (host)": false, "Sam (Owner)": false, "x [system]": false, "bob (QA)": true, "ann": true} {
		if err := CheckName(name); (err == nil) != ok {
			t.Errorf("CheckName(%q) = %v", name, err)
		}
	}
}

// The listen address's sentences, from a table the window's listenProblem is checked
// against too (frontend/src/state/settings.test.ts): the same words whichever side finds
// it (a reviewer found a bracketed host and a port past 2^53 read differently).
func TestCheckListenAsTheWindowSaysIt(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "listen.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct{ Addr, Want string }
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		got := ""
		if c.Addr != "" { // the default, which Normalized fills in
			if err := CheckListen(c.Addr); err != nil {
				got = err.Error()
			}
		}
		if got != c.Want {
			t.Errorf("CheckListen(%q) = %q, want %q", c.Addr, got, c.Want)
		}
	}
}

// The window's text size (Ctrl+plus, Ctrl+minus, Ctrl+0, or Settings) is kept across
// restarts, alone: the other settings stay as saved. A size out of range is refused.
func TestRememberZoom(t *testing.T) {
	path := filepath.Join(t.TempDir(), "concordia", FileName)
	st := NewStore(path)
	s := valid(t)
	s.WindowMS = 2500
	if _, err := st.Save(s); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		percent int
		want    int // the saved size after it
		wantErr bool
	}{
		{"larger", 125, 125, false},
		{"the largest", MaxZoom, MaxZoom, false},
		{"too large", MaxZoom + 10, MaxZoom, true},
		{"the smallest", MinZoom, MinZoom, false},
		{"too small", MinZoom - 10, MinZoom, true},
		{"zero", 0, MinZoom, true},
		{"back to the usual size", DefaultZoom, DefaultZoom, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := st.RememberZoom(tt.percent)
			if (err != nil) != tt.wantErr {
				t.Fatalf("RememberZoom(%d) err = %v, want an error: %v", tt.percent, err, tt.wantErr)
			}
			if tt.wantErr && !errors.Is(err, ErrInvalid) {
				t.Fatalf("RememberZoom(%d) err = %v, want ErrInvalid", tt.percent, err)
			}
			if got.Zoom != tt.want {
				t.Fatalf("RememberZoom(%d) = %d, want %d", tt.percent, got.Zoom, tt.want)
			}
			loaded, err := NewStore(path).Load()
			if err != nil {
				t.Fatal(err)
			}
			want := s.Normalized()
			want.Zoom = tt.want
			if loaded != want {
				t.Fatalf("after RememberZoom(%d) the file has %+v, want %+v", tt.percent, loaded, want)
			}
		})
	}
}

// A file from before the text size, or with one out of range, gives the usual size.
func TestLoadZoom(t *testing.T) {
	for _, c := range []struct{ content string }{{`{"name":"zoe"}`}, {`{"name":"zoe","zoom":0}`}, {`{"name":"zoe","zoom":400}`}, {`{"name":"zoe","zoom":-5}`}} {
		path := filepath.Join(t.TempDir(), FileName)
		if err := os.WriteFile(path, []byte(c.content), 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := NewStore(path).Load()
		if err != nil {
			t.Fatal(err)
		}
		if s.Zoom != DefaultZoom {
			t.Fatalf("%s: zoom %d, want %d", c.content, s.Zoom, DefaultZoom)
		}
	}
}
