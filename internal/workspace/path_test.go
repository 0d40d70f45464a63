package workspace

import (
	"errors"
	"runtime"
	"strings"
	"testing"
)

func TestCleanPath(t *testing.T) {
	tests := []struct {
		in, want string
		bad      bool
	}{
		{"", "", false},
		{".", "", false},
		{"a/b.go", "a/b.go", false},
		{"./a//b.go", "a/b.go", false},
		{"a/./b", "a/b", false},
		{"../x", "", true},
		{"a/../../x", "", true},
		{"a/..", "", true},
		{"/etc/passwd", "", true},
		{"C:/x", "", true},
		{`a\..\b`, "", true},
		{".git/config", "", true},
		{"sub/.GIT/HEAD", "", true},
		// Windows opens .git by these names (it drops trailing dots and spaces): a security reviewer's.
		{".git./config", "", true},
		{".git /config", "", true},
		{"a/.Git.. ", "", true},
		{".github/workflows/ci.yml", ".github/workflows/ci.yml", false},
		{"a\x00b", "", true},
		{"\xff", "", true},
		{strings.Repeat("a/", 3000), "", true},
	}
	for _, tc := range tests {
		got, err := CleanPath(tc.in)
		if tc.bad {
			if !errors.Is(err, ErrPath) {
				t.Errorf("CleanPath(%q) = %q, %v: want refused", tc.in, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("CleanPath(%q) = %q, %v: want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestIsSecret(t *testing.T) {
	for _, p := range []string{".env", "app/.env.local", "deploy/prod.pem", "id_rsa", "x/.npmrc", "CREDENTIALS", "infra/main.tfvars",
		// A tester's, shown or written unasked: backups and variants of .env, .pgpass, shell
		// histories, a key's backup, cloud tools' configuration.
		".env~", ".env-prod", ".env_local", ".envs", ".pgpass", ".bash_history", ".zsh_history", "key.pem.bak",
		".kube/config", ".docker/config.json", ".config/gh/hosts.yml", "home/.ssh/known_hosts", ".aws/config",
		".config/gcloud/application_default_credentials.json", "keys/service-account-prod.json", "/abs/path/.ENV.LOCAL",
		// A reviewer's, diffed to a viewer: OAuth clients and tokens, keytabs, Vault's
		// and Composer's tokens, armoured keys, kubeconfigs, hub's and yarn's tokens.
		"client_secret.json", "client_secret_1234.apps.googleusercontent.com.json", "serviceAccountKey.json",
		"token.json", "token.pickle", "http.keytab", ".vault-token", "auth.json", "private.asc", "kubeconfig",
		"prod.kubeconfig", ".yarnrc.yml", ".config/hub", ".claude.json", ".terraformrc"} {
		if !IsSecret(p) {
			t.Errorf("%s: want secret", p)
		}
	}
	for _, p := range []string{"main.go", "env.go", "keys.go", "docs/environment.md", "src/docker/Dockerfile", "config/app.yml", "history.go", "monkey.go", "tools/gh/main.go",
		// A project's own .docker/ and .kube/ folders (a reviewer's).
		".docker/Dockerfile", "deploy/.kube/deployment.yaml", ".azure/pipelines.yml",
		"tokenizer.json", "src/auth/token.go", "hub/main.go", "authors.json"} {
		if IsSecret(p) {
			t.Errorf("%s: not a secret", p)
		}
	}
}

// FuzzCleanPath: whatever a member sends, a path that is accepted stays inside the
// working directory and out of .git.
func FuzzCleanPath(f *testing.F) {
	for _, s := range []string{"", "a/b", "../x", "/etc", "a/../b", ".git/x", "a/.git", `a\b`, "a//b/./c", "..", "...", "a/.../b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		c, err := CleanPath(p)
		if err != nil {
			return
		}
		if strings.HasPrefix(c, "/") || c == ".." || strings.HasPrefix(c, "../") || strings.Contains(c, "/../") || strings.HasSuffix(c, "/..") {
			t.Fatalf("%q → %q leaves the directory", p, c)
		}
		for _, seg := range strings.Split(c, "/") {
			if strings.EqualFold(seg, ".git") {
				t.Fatalf("%q → %q reaches .git", p, c)
			}
		}
		if strings.ContainsAny(c, "\x00\\") {
			t.Fatalf("%q → %q", p, c)
		}
	})
}

// On Windows, ".git::$INDEX_ALLOCATION" opens .git (a stream of it: git's CVE-2019-1352)
// and GIT~1 is its short name (a reviewer's): refused there, names elsewhere.
func TestCleanPathOfWindowsNames(t *testing.T) {
	for _, win := range []bool{false, true} {
		onWindows = win
		for _, p := range []string{".git::$INDEX_ALLOCATION/config", "GIT~1/config", "a/b:c.txt"} {
			_, err := CleanPath(p)
			if refused := errors.Is(err, ErrPath); refused != win {
				t.Errorf("windows %v: CleanPath(%q): %v", win, p, err)
			}
		}
	}
	onWindows = runtime.GOOS == "windows"
}
