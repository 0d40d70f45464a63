// Package credential recognises credentials in text by their names and shapes: a variable
// whose name says it holds one (API_KEY, GITHUB_TOKEN), a value that looks like one (a URL
// with a password, a token with a known prefix, a private key). The agent uses it to keep
// back tool output that shows one; the party to blank one out of a command line it shows.
// It reads text, not what a program does: it is a guard against the common cases.
package credential

import (
	"regexp"
	"strings"
)

var (
	// namePart: a segment of a name (split at _) that says it holds a credential:
	// API_KEY, GITHUB_TOKEN, DB_PASSWORD, SENTRY_DSN, DATABASE_URL. Not GOAUTH, KEYWORDS,
	// AUTHOR, SSH_AUTH_SOCK or SESSION_TIMEOUT (a reviewer's).
	namePart = regexp.MustCompile(`(?:^|_)(?:API_?KEY|KEY|TOKEN|SECRET|PASS|PASSWORD|PASSWD|PWD|CREDENTIALS?|PRIVATE_?KEY|DSN|DATABASE_URL|ACCESS_?KEY)S?(?:_|$)`)
	// shape: a value that is a credential by its shape: a URL with a password, a token with
	// a known prefix, a private key.
	shape = regexp.MustCompile(`\b[a-z][a-z0-9+.-]*://[^\s/:@]+:[^\s/@]+@|https://[^\s/@:]{20,}@|` + aloneShapes() + `|-----BEGIN [A-Z ]*PRIVATE KEY-----`)
	// token: a token with a known prefix, alone (for Redact).
	token = regexp.MustCompile(aloneShapes())
	// tokenWithin: a token with a known prefix anywhere, glued to other text too (each
	// shape's within).
	tokenWithin = regexp.MustCompile(withinShapes())
	// urlPassword: a URL's user and password, the password apart.
	urlPassword = regexp.MustCompile(`(\b[a-z][a-z0-9+.-]*://[^\s/:@]+:)([^\s/@]+)(@)`)
	// authHeader: an HTTP Authorization header's credential.
	authHeader = regexp.MustCompile(`(?i)(authorization:\s*(?:bearer|basic|token)\s+)([^\s'"]+)`)
	// assignment: NAME=value on a command line, its value quoted or not.
	assignment = regexp.MustCompile(`\b([A-Z_][A-Z0-9_]*)=(['"]?)([^\s'"]+)`)
)

// tokenShape: a token with a known prefix. alone finds it as a word of its own (for
// Shaped and Redact); within finds it glued to the text before it too (for HoldsToken), and
// is alone's pattern unless the shape says otherwise.
type tokenShape struct {
	alone, within string
}

// tokenShapes: the tokens with a known prefix, each written once. Two differ when found
// within other text:
//   - sk- is too short a prefix to find inside a word ("helpdesk-infrastructure-teams" is
//     a name: a reviewer's), so within still needs a word's start before it;
//   - a Gemini key is taken from 30 characters after AIza: a user tester's key with its
//     last character lost was kept as a name.
var tokenShapes = []tokenShape{
	{alone: `gh[pousr]_[A-Za-z0-9]{20,}`},
	{alone: `github_pat_[A-Za-z0-9_]{20,}`},
	{alone: `sk-[A-Za-z0-9_-]{20,}`, within: `\bsk-[A-Za-z0-9_-]{20,}`},
	{alone: `sk_live_[A-Za-z0-9]{10,}`},
	{alone: `xox[abprs]-[A-Za-z0-9-]{10,}`},
	{alone: `A[KS]IA[0-9A-Z]{16}`},
	{alone: `eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.`},
	{alone: `AIza[0-9A-Za-z_-]{35}`, within: `AIza[0-9A-Za-z_-]{30,}`},
	{alone: `ya29\.[0-9A-Za-z_-]{20,}`},
	{alone: `glpat-[0-9A-Za-z_-]{20,}`},
	{alone: `npm_[A-Za-z0-9]{30,}`},
}

// aloneShapes is the pattern of a token with a known prefix at a word's start.
func aloneShapes() string {
	alts := make([]string, len(tokenShapes))
	for i, ts := range tokenShapes {
		alts[i] = ts.alone
	}
	return `\b(?:` + strings.Join(alts, "|") + `)`
}

// withinShapes is the pattern of a token with a known prefix anywhere in the text.
func withinShapes() string {
	alts := make([]string, len(tokenShapes))
	for i, ts := range tokenShapes {
		alts[i] = ts.alone
		if ts.within != "" {
			alts[i] = ts.within
		}
	}
	return `(?:` + strings.Join(alts, "|") + `)`
}

// Blank stands for what Redact took out.
const Blank = "•••"

// Name reports whether a variable's name says it holds a credential: upper case, by its
// segments (PWD alone is the working directory), or one of the names tools read a
// password from that have none (knownNames).
func Name(name string) bool {
	return name != "PWD" && name == strings.ToUpper(name) && (namePart.MatchString(name) || knownNames[name])
}

// knownNames: variables that tools read a password or token from, with no segment that
// says so (a reviewer's echo $PGPASSWORD was shown): libpq's, sshpass -e's, redis-cli's,
// OpenLDAP's, the Heroku CLI's.
var knownNames = map[string]bool{"PGPASSWORD": true, "SSHPASS": true, "REDISCLI_AUTH": true, "LDAPPASSWD": true, "HEROKU_API_KEY": true}

// LooseName reports whether a setting's name in any case says it holds a credential, as
// YAML and JSON write them (password:, api_key:): Name's segments, PWD apart. Its value
// needs to look random to count (Random), where an upper-case name's only needs Value.
// A key or token whose name says what it is for is not a credential: a page's token
// (AWS's NextToken, S3's ContinuationToken, Google's nextPageToken) or a key that names a
// record or a request (idempotency_key, cache_key, partition_key), though their values
// look random (a reviewer's false alarms). Not primaryKey nor hash_key: Azure's keys list
// and securecookie's signing key are secrets (another reviewer's).
func LooseName(name string) bool {
	up := strings.ToUpper(camelHump.ReplaceAllString(name, "${1}_${2}")) // accessToken: ACCESS_TOKEN
	return up != "PWD" && namePart.MatchString(up) && !notCredential.MatchString(up)
}

// notCredential: a name LooseName does not count, by the word before its key or token.
var notCredential = regexp.MustCompile(`(?:^|_)(?:NEXT|PAGE|PAGING|PAGINATION|CONTINUATION|CURSOR|IDEMPOTENCY|DEDUP|DEDUPLICATION|CACHE|PARTITION|SORT|RANGE|ROW|FOREIGN|OBJECT|LOCK)_(?:KEY|TOKEN)S?$`)

// camelHump: where a camelCase or PascalCase name starts a new word.
var camelHump = regexp.MustCompile(`([a-z0-9])([A-Z])`)

// Random reports whether a value looks like a generated secret rather than a word, a
// reference or a path: 12 characters or more of letters, digits and + / = -, with both a
// letter and a digit, not a path, nor a slug: lower-case words and numbers joined by
// hyphens, one of them a word (deploy-key-2023, node-modules-v2: a reviewer's false
// alarms). A UUID, whose parts are hex, is no slug: Heroku keys and ACL tokens are UUIDs.
func Random(v string) bool {
	if len(v) < 12 || strings.HasPrefix(v, "/") || strings.Contains(v, "//") || strings.Trim(v, randomChars) != "" {
		return false
	}
	if slug(v) {
		return false
	}
	return strings.ContainsAny(v, "0123456789") && strings.IndexFunc(v, func(r rune) bool { return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' }) >= 0
}

// slug reports whether v is lower-case parts joined by hyphens, one of them a word: three
// letters or more, not all of them hex digits.
func slug(v string) bool {
	if !strings.Contains(v, "-") || strings.Trim(v, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
		return false
	}
	for part := range strings.SplitSeq(v, "-") {
		if len(part) >= 3 && strings.Trim(part, "abcdefghijklmnopqrstuvwxyz") == "" && strings.Trim(part, "abcdef") != "" {
			return true
		}
	}
	return false
}

const randomChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-"

// Value reports whether a setting's value may be a credential: 8 characters or more, not a
// number or a truth value, not a reference to one kept elsewhere (${{ secrets.X }},
// process.env.X, os.environ[…], $X).
func Value(v string) bool {
	if len(v) < 8 || strings.HasPrefix(v, "$") || strings.HasPrefix(v, "process.env") || strings.HasPrefix(v, "os.environ") ||
		strings.HasPrefix(v, "secrets.") || strings.HasPrefix(v, "os.getenv") {
		return false
	}
	switch strings.ToLower(v) {
	case "true", "false", "null", "none", "undefined":
		return false
	}
	return strings.Trim(v, "0123456789.") != ""
}

// Shaped reports whether s holds a credential by its shape (a URL with a password, a token
// with a known prefix, a private key's first line).
func Shaped(s string) bool {
	return shape.MatchString(s)
}

// HoldsToken reports whether s holds a token with a known prefix anywhere, even glued to
// the text before it (a window tester's Gemini key, pasted into the display name after
// "root", read "rootAIza…").
func HoldsToken(s string) bool {
	return tokenWithin.MatchString(s)
}

// Redact blanks out the credentials a line shows (a command the agent runs, a request a
// host decides): a URL's password, a token with a known prefix, an Authorization header's
// credential, and the value of NAME=value for a credential's name (Name, Value). It
// reports whether it changed anything.
func Redact(s string) (string, bool) {
	if !strings.ContainsAny(s, "=:_-") {
		return s, false // nothing of the kind can be in it
	}
	out := urlPassword.ReplaceAllString(s, "${1}"+Blank+"${3}")
	out = authHeader.ReplaceAllString(out, "${1}"+Blank)
	out = token.ReplaceAllString(out, Blank)
	out = assignment.ReplaceAllStringFunc(out, func(m string) string {
		sub := assignment.FindStringSubmatch(m)
		if !Name(sub[1]) || !Value(sub[3]) {
			return m
		}
		return sub[1] + "=" + sub[2] + Blank
	})
	return out, out != s
}
