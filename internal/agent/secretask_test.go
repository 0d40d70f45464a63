package agent

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// askRules is the ask list of the --settings among args, and that --settings' other keys.
func askRules(t *testing.T, args []string) (ask []string, settings map[string]any) {
	t.Helper()
	i := slices.Index(args, "--settings")
	if i < 0 || i+1 >= len(args) || slices.Contains(args[i+1:], "--settings") {
		t.Fatalf("want one --settings with a value: %q", args)
	}
	if err := json.Unmarshal([]byte(args[i+1]), &settings); err != nil {
		t.Fatalf("--settings %q: %v", args[i+1], err)
	}
	perms, _ := settings["permissions"].(map[string]any)
	list, _ := perms["ask"].([]any)
	for _, r := range list {
		ask = append(ask, r.(string))
	}
	return ask, settings
}

func TestSecretAskMergedIntoTheHostsSettings(t *testing.T) {
	work := t.TempDir()
	file := filepath.Join(work, "mine.json")
	if err := os.WriteFile(file, []byte(`{"permissions":{"allow":["Bash(touch:*)"],"ask":["WebFetch"]},"model":"opus"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		args      []string
		wantOwn   []string // rules of the host's kept in the list
		wantOther string   // a key of the host's settings kept
	}{
		{name: "none", args: []string{"--model", "opus"}},
		{name: "inline", args: []string{"--settings", `{"permissions":{"allow":["Bash(touch:*)"]},"env":{"A":"1"}}`, "--model", "opus"}, wantOther: "env"},
		{name: "inline with =", args: []string{`--settings={"permissions":{"ask":["WebFetch"]}}`}, wantOwn: []string{"WebFetch"}},
		{name: "a file", args: []string{"--settings", "mine.json"}, wantOwn: []string{"WebFetch"}, wantOther: "model"},
		{name: "the last of two", args: []string{"--settings", `{"x":1}`, "--settings", file}, wantOwn: []string{"WebFetch"}, wantOther: "model"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := withSecretAsk(c.args, work)
			ask, settings := askRules(t, lastSettings(got))
			for _, want := range append(c.wantOwn, "Read(**/.[eE][nN][vV])", "Read(**/.[eE][nN][vV]*)", "Read(**/.[sS][sS][hH]/**)", "Read(**/.[dD][oO][cC][kK][eE][rR]/[cC][oO][nN][fF][iI][gG].[jJ][sS][oO][nN])",
				"Bash(*.env*)", "Bash(*.ENV*)", "Bash(*id_rsa*)", "Bash(*.pem*)", "Bash(*.ssh/*)", "Bash(*.docker/config.json*)") {
				if !slices.Contains(ask, want) {
					t.Errorf("the ask rules %q lack %q", ask, want)
				}
			}
			if c.wantOther != "" && settings[c.wantOther] == nil {
				t.Errorf("the host's %q was dropped: %v", c.wantOther, settings)
			}
			if perms := settings["permissions"].(map[string]any); c.name != "none" && c.name != "inline with =" && perms["allow"] == nil {
				t.Errorf("the host's allow rules were dropped: %v", perms)
			}
			if slices.Contains(c.args, "--model") && !slices.Contains(got, "--model") {
				t.Errorf("the other arguments were dropped: %q", got)
			}
		})
	}
}

// lastSettings is args from its last --settings on, as one "--settings VALUE" pair.
func lastSettings(args []string) []string {
	for i := len(args) - 1; i >= 0; i-- {
		if args[i] == "--settings" && i+1 < len(args) {
			return args[i : i+2]
		}
	}
	return nil
}

// Settings Claude Code could not use are left as they are: the rules are not given then.
func TestSecretAskLeavesUnreadableSettings(t *testing.T) {
	work := t.TempDir()
	for _, args := range [][]string{
		{"--settings", "missing.json"},
		{"--settings", `{"permissions":`},
		{"--settings", `{"permissions":["x"]}`},
		{"--settings", `{"permissions":{"ask":"Read"}}`},
		{"--settings"},
	} {
		if got := withSecretAsk(args, work); !slices.Equal(got, args) {
			t.Errorf("%q became %q", args, got)
		}
	}
}
