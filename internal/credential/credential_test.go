package credential

import (
	"strings"
	"testing"
)

func TestName(t *testing.T) {
	for name, want := range map[string]bool{
		"API_KEY": true, "GITHUB_TOKEN": true, "DB_PASSWORD": true, "DB_PASS": true, "SENTRY_DSN": true,
		"DATABASE_URL": true, "AWS_SECRET_ACCESS_KEY": true, "MYSQL_PWD": true, "OPENAI_API_KEY": true,
		"PWD": false, "GOAUTH": false, "KEYWORDS": false, "AUTHOR": false, "SSH_AUTH_SOCK": false,
		"SESSION_TIMEOUT": false, "MAX_TOKENS": true, "PATH": false, "api_key": false,
		"PGPASSWORD": true, "SSHPASS": true, "REDISCLI_AUTH": true, "PGPASSFILE": false, "PGHOST": false,
	} {
		if got := Name(name); got != want {
			t.Errorf("Name(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestRedact(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`psql "postgres://app:hunter2@db/app" -c '\dt'`, `psql "postgres://app:•••@db/app" -c '\dt'`},
		{`curl -H "Authorization: Bearer abc.def.ghi" https://api.x`, `curl -H "Authorization: Bearer •••" https://api.x`},
		{"export STRIPE_KEY=sk_live_abcdefghij1234 && npm run dev", "export STRIPE_KEY=••• && npm run dev"},
		{"OPENAI_API_KEY='sk-proj-abcdefghijklmnopqrstuv' python app.py", "OPENAI_API_KEY='•••' python app.py"},
		{"git push https://ghp_abcdefghijklmnopqrstuvwxyz0123@github.com/o/r", "git push https://•••@github.com/o/r"},
		// Nothing to blank.
		{"go test ./...", "go test ./..."},
		{"MAX_TOKENS=4096 python run.py", "MAX_TOKENS=4096 python run.py"},
		{"API_KEY=$API_KEY make", "API_KEY=$API_KEY make"},
		{"git clone https://github.com/o/r", "git clone https://github.com/o/r"},
	} {
		got, changed := Redact(c.in)
		if got != c.want || changed != (c.in != c.want) {
			t.Errorf("Redact(%q) = %q, %v; want %q", c.in, got, changed, c.want)
		}
	}
}

func TestLooseNameAndRandom(t *testing.T) {
	for name, want := range map[string]bool{
		"password": true, "api_key": true, "apiKey": true, "Token": true, "client_secret": true,
		"pwd": false, "keyboard": false, "author": false, "API_KEY": true,
		"accessToken": true, "clientSecret": true, "SecretAccessKey": true, "SessionToken": true, "keyboardLayout": false,
		// A page's token, a record's or a request's key (a reviewer's false alarms).
		"NextToken": false, "ContinuationToken": false, "nextPageToken": false, "idempotency_key": false,
		"cache_key": false, "partitionKey": false, "next_token_secret": true, "page_access_token": true,
		"primaryKey": true, "hash_key": true, // Azure's keys list, securecookie's signing key
	} {
		if got := LooseName(name); got != want {
			t.Errorf("LooseName(%q) = %v, want %v", name, got, want)
		}
	}
	for v, want := range map[string]bool{
		"hunter2hunter2": true, "a1b2c3d4e5f6g7h8": true, "dGhpcyBpcyBzZWNyZXQx0/+=": true,
		"hunter2": false, "correcthorsebattery": false, "123456789012345": false,
		"/home/rene/project1": false, "this.tokenService1": false, "https://x1.example.com": false,
		"Optional[str]": false, "user_profile_v2x": false,
		"deploy-key-2023": false, "node-modules-v2": false, "homepage-title-2": false, "Fq8zKwJ9xLm2-abc": true,
		// A UUID and a hyphenated password are secrets' shapes (Heroku keys, ACL tokens).
		"3f1c2a9e-4b5d-4e6f-8a7b-9c0d1e2f3a4b": true, "beef1234-dead-4e6f-8a7b-9c0d1e2f3a4b": true, "x7k2-m9q4-z8w3-p5n1": true,
	} {
		if got := Random(v); got != want {
			t.Errorf("Random(%q) = %v, want %v", v, got, want)
		}
	}
}

// Every token shape is found alone and glued to the text before it, but for sk- (inside a
// word it is a name); a Gemini key is found glued with a character lost. Each shape has a
// sample here, so a shape added without one, or a within that no longer finds its own
// shape's sample, fails.
func TestHoldsToken(t *testing.T) {
	samples := map[string]string{
		`gh[pousr]_[A-Za-z0-9]{20,}`:                     "ghp_" + strings.Repeat("a1", 12),
		`github_pat_[A-Za-z0-9_]{20,}`:                   "github_pat_" + strings.Repeat("B2_", 8),
		`sk-[A-Za-z0-9_-]{20,}`:                          "sk-proj-" + strings.Repeat("c3", 12),
		`sk_live_[A-Za-z0-9]{10,}`:                       "sk_live_" + strings.Repeat("d4", 6),
		`xox[abprs]-[A-Za-z0-9-]{10,}`:                   "xoxb-1234-5678-abcdef",
		`A[KS]IA[0-9A-Z]{16}`:                            "AKIA" + strings.Repeat("E5", 8),
		`eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.`: "eyJhbGciOiJIUzI1.eyJzdWIiOiIxMjM0.sig",
		`AIza[0-9A-Za-z_-]{35}`:                          "AIza" + strings.Repeat("Xy9_", 8) + "abc",
		`ya29\.[0-9A-Za-z_-]{20,}`:                       "ya29." + strings.Repeat("f6", 12),
		`glpat-[0-9A-Za-z_-]{20,}`:                       "glpat-" + strings.Repeat("g7", 12),
		`npm_[A-Za-z0-9]{30,}`:                           "npm_" + strings.Repeat("h8", 16),
	}
	for _, ts := range tokenShapes {
		sample, ok := samples[ts.alone]
		if !ok {
			t.Errorf("no sample for the token shape %q", ts.alone)
			continue
		}
		if !Shaped("token " + sample) {
			t.Errorf("Shaped(%q) = false, want true", "token "+sample)
		}
		if !HoldsToken(sample) || !HoldsToken("bob "+sample) {
			t.Errorf("HoldsToken(%q) = false, want true", sample)
		}
		glued := !strings.HasPrefix(sample, "sk-")
		if got := HoldsToken("root" + sample); got != glued {
			t.Errorf("HoldsToken(%q) = %v, want %v", "root"+sample, got, glued)
		}
	}
	gemini := samples[`AIza[0-9A-Za-z_-]{35}`]
	if !HoldsToken("root" + gemini[:len(gemini)-1]) {
		t.Errorf("HoldsToken of a Gemini key with its last character lost = false, want true")
	}
	for _, s := range []string{"AIza", "Aizawa", "bob-sk", "helpdesk-infrastructure-teams", "helpdesk-" + strings.Repeat("x", 30)} {
		if HoldsToken(s) {
			t.Errorf("HoldsToken(%q) = true, want false", s)
		}
	}
}
