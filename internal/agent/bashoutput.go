// What the output of a Bash command that named no secret shows: a secret file's lines, a
// credential by its shape, a secret file's values (secretOutput).

package agent

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/concordia-party/concordia/internal/credential"
	"github.com/concordia-party/concordia/internal/workspace"
)

var (
	// grepLine: a line of grep -r's, rg's or git grep's output, "file:…", and its file
	// (a drive letter's colon included).
	grepLine = regexp.MustCompile(`^((?:[A-Za-z]:)?[^\s:]+):`)
	// secretSetting: a setting of a variable or a key, as .env, a shell, JSON, YAML, a
	// Python dict, grep's "file:line:" or a diff's "+" write it (API_KEY=…, 'TOKEN': …):
	// its name and its value.
	secretSetting = regexp.MustCompile(`(?:^|[\s{,'":+-])(?:export\s+)?['"]?([A-Za-z_][A-Za-z0-9_]*)['"]?\s*[=:]\s*['"]?([^\s'",}]*)`)
	// sourceFile: a file name of program source, which grep output names but which is
	// rarely a credentials file (secrets.go, credentials.py: a reviewer's build log).
	sourceFile = regexp.MustCompile(`\.(?:go|py|js|ts|tsx|jsx|rb|java|kt|rs|c|h|cc|cpp|hpp|cs|swift|php|scala|md|txt|html|css)$`)
)

// secretOutput says what the output of a Bash command that named no secret shows that the
// party keeps back: a file that usually holds credentials, by a line of grep's (file:…);
// workspace.Environment for a credential by its shape (a URL with a password, a known
// token, a private key), a line that sets one (API_KEY=…, with a value that looks like
// one; password: …, in lower case, with a value that looks random), or an environment's
// PATH and HOME both. "" for anything else.
//
// A secret file named by a path outside workdir (absolute, from ~, with ..) is never
// shown (workspace.Environment): $HOME/.aws/credentials was once taken for a file of the
// working directory. An absolute path inside workdir is that file, relative (Claude
// Code's Grep names files by absolute paths: a reviewer's Grep with no path showed
// .env's lines to every member).
func secretOutput(text, workdir string) string {
	path, home := false, false
	var inside string // workdir and a separator: a line's path may hold spaces after it
	if workdir != "" && filepath.IsAbs(workdir) {
		inside = strings.TrimSuffix(workdir, string(filepath.Separator)) + string(filepath.Separator)
	}
	for _, line := range strings.Split(text, "\n") {
		if rest, ok := strings.CutPrefix(line, inside); ok && inside != "" {
			// A path inside the working folder, up to the first colon after it: the
			// folder's own name may have spaces (a reviewer's "My Project/.env:3:…" was
			// not taken for a grep line, and shown).
			if f, _, ok := strings.Cut(rest, ":"); ok && workspace.IsSecret(filepath.ToSlash(f)) && !sourceFile.MatchString(f) && filepath.IsLocal(f) {
				return f
			}
		}
		if m := grepLine.FindStringSubmatch(line); m != nil {
			if f := filepath.ToSlash(m[1]); workspace.IsSecret(f) && !sourceFile.MatchString(f) {
				if !filepath.IsAbs(m[1]) && !strings.HasPrefix(f, "/") && !strings.HasPrefix(f, "~") && !strings.Contains(f, "..") {
					return m[1]
				}
				if rel, err := filepath.Rel(workdir, m[1]); workdir != "" && filepath.IsAbs(m[1]) && err == nil && filepath.IsLocal(rel) {
					return rel
				}
				return workspace.Environment
			}
		}
		if credential.Shaped(line) {
			return workspace.Environment
		}
		for _, m := range secretSetting.FindAllStringSubmatch(line, -1) {
			switch {
			case m[1] == "PATH":
				path = true
			case m[1] == "HOME":
				home = true
			case credential.Name(m[1]) && credential.Value(m[2]):
				return workspace.Environment
			case credential.LooseName(m[1]) && credential.Random(m[2]):
				return workspace.Environment // password: …, api_key: "…" (YAML, JSON)
			}
		}
	}
	if path && home {
		return workspace.Environment
	}
	if showsSecretValue(text, workdir) {
		return workspace.Credential
	}
	return ""
}

// showsSecretValue says whether text shows a value that one of the working directory's
// secret files holds (its top folder and the folders just under it): a command that reads
// one by another name (`cat $(printf .en)v`, a tester's, once Bash was always allowed)
// neither asks nor names it, and its output went to every member. Values of 8 characters
// or more that read as a credential's (credential.Value), and a key file's long lines; a
// file of more than 64 KiB is not read.
func showsSecretValue(text, workdir string) bool {
	if workdir == "" || len(text) < 8 {
		return false
	}
	for _, v := range secretValues(workdir) {
		if strings.Contains(text, v) {
			return true
		}
	}
	return false
}

// secretValues are the values showsSecretValue looks for.
func secretValues(workdir string) []string {
	var files []string
	dirs := []string{workdir}
	if entries, err := os.ReadDir(workdir); err == nil {
		for _, e := range entries {
			if e.IsDir() && !strings.HasPrefix(e.Name(), ".git") {
				dirs = append(dirs, filepath.Join(workdir, e.Name()))
			}
			if len(dirs) > maxSecretDirs {
				break
			}
		}
	}
	for _, d := range dirs {
		entries, err := os.ReadDir(d)
		if err != nil {
			continue
		}
		for _, e := range entries {
			p := filepath.Join(d, e.Name())
			if rel, err := filepath.Rel(workdir, p); err == nil && e.Type().IsRegular() && workspace.IsSecret(filepath.ToSlash(rel)) {
				files = append(files, p)
			}
		}
	}
	var values []string
	for _, f := range files {
		if fi, err := os.Stat(f); err != nil || fi.Size() > maxSecretFile {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			if _, v, ok := strings.Cut(strings.TrimPrefix(line, "export "), "="); ok && !strings.HasPrefix(line, "#") {
				if v = strings.Trim(strings.TrimSpace(v), `"'`); credential.Value(v) {
					values = append(values, v)
				}
				continue
			}
			if len(line) >= 16 && !strings.HasPrefix(line, "-----") {
				values = append(values, line) // a key's body
			}
		}
	}
	return values
}

// maxSecretDirs and maxSecretFile bound what secretValues reads for one tool result.
const (
	maxSecretDirs = 64
	maxSecretFile = 64 << 10
)
