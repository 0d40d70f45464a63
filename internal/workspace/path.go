package workspace

import (
	"errors"
	"fmt"
	"maps"
	"path"
	"runtime"
	"slices"
	"strings"
	"unicode/utf8"
)

// ErrPath is a path a member may not read: outside the working directory, under .git,
// ignored, a symlink on the way, or a secret in "changes" mode. Its message says why.
var ErrPath = errors.New("path refused")

// CleanPath checks a path a member sent (PROTOCOL.md §9: relative to the working
// directory, "/" separators) and returns it cleaned. "" and "." are the directory itself.
// It refuses, without touching the disk, anything that could leave the directory or
// reach git's own files. Symlinks and ignored files are checked against the disk later.
func CleanPath(p string) (string, error) {
	switch {
	case len(p) > 4096:
		return "", fmt.Errorf("%w: too long", ErrPath)
	case !utf8.ValidString(p) || strings.ContainsRune(p, 0):
		return "", fmt.Errorf("%w: not valid text", ErrPath)
	case strings.Contains(p, `\`):
		return "", fmt.Errorf("%w: use / between folders", ErrPath)
	case strings.HasPrefix(p, "/") || (len(p) >= 2 && p[1] == ':'):
		return "", fmt.Errorf("%w: %q is absolute; paths are relative to the working directory", ErrPath, p)
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == ".." {
			return "", fmt.Errorf("%w: %q has a \"..\" in it; name the file from the working directory down, without \"..\"", ErrPath, p)
		}
		if isGitDir(seg) {
			return "", fmt.Errorf("%w: git's own files are not shared", ErrPath)
		}
		if onWindows && strings.Contains(seg, ":") {
			// NTFS reads "name:stream" as a stream of name: ".git::$INDEX_ALLOCATION"
			// opens .git (git's CVE-2019-1352; a reviewer's).
			return "", fmt.Errorf("%w: %q has a \":\" in a name, which Windows reads as a stream of a file", ErrPath, p)
		}
	}
	c := path.Clean(p)
	if c == "." {
		return "", nil
	}
	return c, nil
}

// isGitDir says whether a path's part names .git: in any case, and with the dots and
// spaces at its end that Windows drops (".git." and ".git " open .git there), or as its
// short name ("GIT~1"): a security reviewer's.
func isGitDir(seg string) bool {
	s := NameAsOpened(seg)
	return s == ".git" || onWindows && strings.HasPrefix(s, "git~")
}

// NameAsOpened is a file's or folder's name as the file systems that are most lenient
// open it: in lower case (macOS's, Windows'), without the dots and spaces at its end that
// Windows drops (".git." opens .git there). Names compared with a list go through it.
func NameAsOpened(seg string) string {
	return strings.ToLower(strings.TrimRight(seg, ". "))
}

// onWindows: the names Windows reads otherwise (short names, streams) are refused; a
// variable for the tests.
var onWindows = runtime.GOOS == "windows"

// secretNames are files that hold credentials; in "changes" mode they are never listed or
// diffed (a host who shares the whole tree chose to show them). Matched against the
// file's name in lower case. A tester found .pgpass, .env~, .env-prod, shell histories and
// key.pem.bak shown (and, in "edits", written unasked). A reviewer's viewer read a
// Google client_secret.json through Party.diff: OAuth clients and tokens, Kerberos
// keytabs, Vault's token, Composer's auth.json, armoured keys and kubeconfigs too.
var secretNames = []string{
	".env", ".env*", "*.env", "*.pem", "*.pem.*", "*.key", "*.key.*", "*.p12", "*.pfx", "*.keystore",
	"*.jks", "*.ppk", "*.gpg", "*.asc", "*.kdbx", "id_rsa*", "id_dsa*", "id_ecdsa*", "id_ed25519*",
	".npmrc", ".yarnrc.yml", ".pypirc", ".netrc", "_netrc", ".pgpass", ".my.cnf", ".s3cfg", ".boto", ".dockercfg",
	".git-credentials", "credentials", "credentials.*", "*credentials.json", "service-account*.json",
	"*serviceaccount*.json", "client_secret*.json", "token.json", "token.pickle", "auth.json",
	"*.keytab", ".vault-token", "kubeconfig", "*.kubeconfig", ".terraformrc", "terraform.rc", ".claude.json",
	"*.secret", "*.secrets", "secrets.*", ".htpasswd", "*.tfvars", "*.tfstate", "*.tfstate.*",
	"*_history", ".histfile",
}

// secretDirs are folders of credentials: every file under one is a secret (.ssh, .aws,
// gh's hosts.yml). secretFiles are the credentials files of folders that projects also use
// for other things (a repository's .docker/ of Dockerfiles, .kube/ of manifests: a
// reviewer's).
var (
	secretDirs = map[string]bool{
		".ssh": true, ".gnupg": true, ".aws": true, ".config/gcloud": true, ".config/gh": true,
	}
	secretFiles = map[string]bool{
		".docker/config.json": true, ".kube/config": true, ".azure/accesstokens.json": true,
		".azure/msal_token_cache.json": true, ".azure/msal_token_cache.bin": true, ".azure/service_principal_entries.json": true,
		".config/hub": true,
	}
)

// Environment stands, where a tool's output is named by the file it shows (the agent's
// Output.File), for output that may show the host's environment variables (env, printenv):
// keys and tokens. No party ever shows it, whatever it shares.
const Environment = "(the environment)"

// Credential stands, in the same way, for a file's text that holds a credential by its
// shape (a private key, a known token) whatever the file's name: a Read of deploy_key
// made by ssh-keygen. No party shows it either.
const Credential = "(a credential)"

// SecretPatterns are the files IsSecret names, as gitignore patterns that match at any
// depth ("**/.env*", "**/.ssh/**", "**/.docker/config.json"), for tools that take such
// patterns. Like IsSecret's names they are in lower case; IsSecret ignores case.
func SecretPatterns() []string {
	var out []string
	for _, n := range secretNames {
		out = append(out, "**/"+n)
	}
	for _, d := range slices.Sorted(maps.Keys(secretDirs)) {
		out = append(out, "**/"+d+"/**")
	}
	for _, f := range slices.Sorted(maps.Keys(secretFiles)) {
		out = append(out, "**/"+f)
	}
	return out
}

// IsSecret reports whether p names a file that usually holds credentials: by its name,
// or by a folder it is in.
func IsSecret(p string) bool {
	lower := strings.ToLower(p)
	base := path.Base(lower)
	for _, pat := range secretNames {
		if ok, _ := path.Match(pat, base); ok {
			return true
		}
	}
	dirs := strings.Split(path.Dir(lower), "/")
	for i, d := range dirs {
		if secretDirs[d] || i > 0 && secretDirs[dirs[i-1]+"/"+d] {
			return true
		}
	}
	return secretFiles[dirs[len(dirs)-1]+"/"+base]
}
