package merge

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// Classes of Gemini failure. Every error Gemini.Merge returns (other than a
// cancelled context) wraps exactly one of them; compare with errors.Is.
var (
	// ErrInvalidKey: Google refused the API key (400 API_KEY_INVALID, 401, and every
	// ErrKeyDenied). Retrying cannot help: the key must be replaced, or (ErrKeyDenied)
	// its project or restrictions changed on Google's side.
	ErrInvalidKey = errors.New("gemini refused the API key")
	// ErrKeyDenied: Google knows the key but refuses this use of it (403
	// PERMISSION_DENIED with one of the reasons KeyAdvice knows; any other 403, such as a
	// key reported as leaked, is ErrInvalidKey): the Generative Language API is not enabled in the key's Google
	// Cloud project (SERVICE_DISABLED), the key's restrictions leave the API out
	// (API_KEY_SERVICE_BLOCKED) or refuse this computer (API_KEY_IP_ADDRESS_BLOCKED,
	// API_KEY_HTTP_REFERRER_BLOCKED, ..._APP_BLOCKED), or the project is suspended. The
	// key may well be whole and right: the fix is on Google's side (KeyAdvice says
	// which). Every such error matches ErrInvalidKey too, so that whatever stops using a
	// refused key stops using this one; what remembers a key as refused, or asks for
	// another, must test ErrKeyDenied first.
	ErrKeyDenied = errors.New("gemini refused this use of the API key")
	// ErrTransient: timeout, rate limit (429), server error (5xx) or network
	// failure. The next batch may well succeed.
	ErrTransient = errors.New("gemini temporarily unavailable")
	// ErrBadAnswer: Gemini answered, but not with usable JSON matching the
	// schema that accounts for every prompt.
	ErrBadAnswer = errors.New("gemini gave an unusable answer")
	// ErrRejected: Google refused the request for a reason other than the key
	// (an unknown model, a malformed request: 400, 404 ...). Retrying the same
	// request cannot help, but another batch may differ.
	ErrRejected = errors.New("gemini rejected the request")
)

// geminiError is a classified Gemini failure. Its text never contains the API
// key: detail is redacted where it is made.
type geminiError struct {
	class  error  // one of the Err* values above
	reason string // short, for people: "rate limited (429)", "timed out"
	detail string // technical, for logs
	// retryAfter is the server's requested wait (429 RetryInfo), if any.
	retryAfter time.Duration
	// timedOut: the attempt used its whole timeout. It is not tried again within the
	// batch, and Fallback rests Gemini for a while (timedOut).
	timedOut bool
	// said is Google's own message (redacted, one line, bounded), "" when none.
	said string
	// denial is the ErrorInfo reason of an ErrKeyDenied ("SERVICE_DISABLED"), "" when
	// Google gave none; label its status ("403 PERMISSION_DENIED, SERVICE_DISABLED").
	denial, label string
	// spent says why Google will never take an ErrInvalidKey again, whole or not
	// (spentLeaked, spentExpired): copying it again cannot help. "" when it may.
	spent string
}

// Why a refused key cannot be used again (geminiError.spent).
const (
	spentLeaked  = "leaked"
	spentExpired = "expired"
)

// APIKeysPage is where Gemini API keys are made, for people.
const APIKeysPage = "Google AI Studio's API keys page (https://aistudio.google.com/apikey)"

// timedOut says whether err is an attempt that used its whole timeout: a Gemini that
// hangs held every batch twice the timeout (40 s), batch after batch (a tester's).
func timedOut(err error) bool {
	var ge *geminiError
	return errors.As(err, &ge) && ge.timedOut
}

func (e *geminiError) Error() string {
	if e.detail == "" {
		return "gemini merge: " + e.class.Error()
	}
	return "gemini merge: " + e.class.Error() + ": " + e.detail
}

// Unwrap is the class; an ErrKeyDenied is an ErrInvalidKey as well.
func (e *geminiError) Unwrap() []error {
	if e.class == ErrKeyDenied {
		return []error{ErrKeyDenied, ErrInvalidKey}
	}
	return []error{e.class}
}

// Said is what Google said of a failure, in its own words ("Generative Language API has
// not been used in project 123 before or it is disabled. ..."), the key redacted; "" when
// it said nothing or was not asked.
func Said(err error) string {
	var ge *geminiError
	if errors.As(err, &ge) {
		return ge.said
	}
	return ""
}

// deniedLabel is the status Google gave an ErrKeyDenied ("403 PERMISSION_DENIED,
// SERVICE_DISABLED").
func deniedLabel(err error) string {
	var ge *geminiError
	if errors.As(err, &ge) {
		return ge.label
	}
	return ""
}

// KeyAdvice is what the key's owner can do about an ErrKeyDenied, fitting Google's
// reason, in a few words for people ("enable the Generative Language API in the key's
// Google Cloud project, ..."); "" for any other error. None of it is "copy the key
// again": the key itself was taken. Only the reasons known here are ErrKeyDenied
// (knownDenial), so each has its own advice. KeyWords says it with the rest.
func KeyAdvice(err error) string {
	var ge *geminiError
	if !errors.As(err, &ge) || ge.class != ErrKeyDenied {
		return ""
	}
	return denialAdvice(ge.denial)
}

// denialAdvice is KeyAdvice for the ErrorInfo reason Google gave ("SERVICE_DISABLED");
// "" for a reason not known here. WithKeyHint finds it again from a party's event, which
// names the reason but leaves the advice to the host.
func denialAdvice(denial string) string { return denials[denial] }

// credentials is where a key's restrictions are changed, as denials says it.
const credentials = "in Google Cloud Console (APIs & Services, Credentials)"

// denials is the advice for each ErrorInfo reason of a 403 known here (denialAdvice,
// knownDenial), the one list of them: the window's copy (frontend/src/state/shown-words.ts
// DENIAL_ADVICE) is pinned to it by TestTheWindowKnowsTheKeyWasRefused.
var denials = map[string]string{
	"SERVICE_DISABLED":              "enable the Generative Language API in the key's Google Cloud project (Google Cloud Console, APIs & Services), wait a few minutes, then check again",
	"BILLING_DISABLED":              "enable billing for the key's Google Cloud project, then check again",
	"API_KEY_SERVICE_BLOCKED":       "the key's API restrictions leave out the Generative Language API: add it to the key's allowed APIs " + credentials + ", then check again",
	"API_KEY_IP_ADDRESS_BLOCKED":    "the key's IP address restrictions refuse this computer: add this computer's public address to the key " + credentials + ", or lift the restriction, then check again",
	"API_KEY_HTTP_REFERRER_BLOCKED": "the key is restricted to websites, which refuses an app like this one: set its application restriction to None or IP addresses " + credentials + ", then check again",
	"API_KEY_ANDROID_APP_BLOCKED":   "the key is restricted to phone apps: set its application restriction to None or IP addresses " + credentials + ", then check again",
	"API_KEY_IOS_APP_BLOCKED":       "the key is restricted to phone apps: set its application restriction to None or IP addresses " + credentials + ", then check again",
	"CONSUMER_SUSPENDED":            "the key's Google Cloud project is suspended: ask Google why, or make a key in another project on " + APIKeysPage,
}

// knownDenial says whether a 403's ErrorInfo reason is one KeyAdvice knows (denials):
// Google refusing this use of a whole key, fixed on Google's side. Any other 403 (none,
// or a key reported as leaked) is not taken as such.
func knownDenial(reason string) bool { return denialAdvice(reason) != "" }

// KeyWords is what follows a sentence saying that Google refused a key (ErrInvalidKey,
// ErrKeyDenied): Google's own words, put in quotes by quote (the window's typographic
// ones; the terminal's must escape control characters), then what helps. For an
// ErrKeyDenied, what to change on Google's side, the key itself kept (KeyAdvice). For a
// key Google will never take again (reported as leaked, expired), to make a new one on
// Google AI Studio's API keys page: copying it again cannot help. For any other refused
// key, to copy it again, whole, or make a new one there. give is how a key is given where
// the words are read ("paste it here", "run \"concordia key set\" again"): it ends each
// piece of advice that asks for a key. The window and the terminal both say a refusal
// with it, so that they say the same. No final stop: each edge ends it its own way. ""
// for an error that is not a refused key and carries no words of Google's.
func KeyWords(err error, quote func(string) string, give string) string {
	var words []string
	if w := Said(err); w != "" {
		words = append(words, "Google said: "+quote(w))
	}
	if a := keyHelp(err, give); a != "" {
		words = append(words, a)
	}
	return strings.Join(words, " ")
}

// RefusedWhen says that Google refused a key as a key (ErrInvalidKey) when it was last
// checked, at at (local time, to the minute), so that parties merge locally until it is
// replaced, then how: give ("run \"concordia key set\" with a working key"). It is what a
// refusal noted on disk (secrets.Store.MarkRefused) says, where no words of Google's are
// left to say with KeyWords. `concordia key status` and the window's key status both say
// it with this, so that they say the same. No final stop: each edge ends it its own way.
func RefusedWhen(at time.Time, give string) string {
	return "Google refused this key when it was last checked (" + at.Local().Format("2006-01-02 15:04") + "); parties merge locally until it is replaced: " + give
}

// keyHelp is what helps with a refused key (KeyWords), one sentence without its stop;
// "" when err is not one.
func keyHelp(err error, give string) string {
	var ge *geminiError
	if !errors.As(err, &ge) {
		return ""
	}
	switch {
	case ge.class == ErrKeyDenied && ge.denial == "CONSUMER_SUSPENDED":
		// The project, not the key, is refused; a key in another project is a new key.
		return capitalize(KeyAdvice(err)) + ", then " + give
	case ge.class == ErrKeyDenied:
		if a := KeyAdvice(err); a != "" {
			return "The key itself need not change: " + a
		}
		return ""
	case ge.class != ErrInvalidKey:
		return ""
	case ge.spent == spentLeaked:
		return "A key reported as leaked is never taken again, so pasting it again cannot help: make a new one on " + APIKeysPage + ", then " + give
	case ge.spent == spentExpired:
		return "An expired key is never taken again, so pasting it again cannot help: make a new one on " + APIKeysPage + ", then " + give
	}
	return "Copy the key again, whole, from " + APIKeysPage + ", or make a new one there, then " + give
}

// capitalize upper-cases s's first letter (ASCII: advice written here).
func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// reasonOf is the short, human reason of a Gemini failure, for a notice.
func reasonOf(err error) string {
	var ge *geminiError
	if errors.As(err, &ge) && ge.reason != "" {
		return ge.reason
	}
	return "failed"
}

// maxDetail bounds how much of a server's message an error carries.
const maxDetail = 300

// redact removes every occurrence of key (as is and as Go would quote it) from
// s, puts it on one line and bounds its length. Library errors may print a
// whole configuration, key included, or a whole response body.
func redact(s, key string) string {
	if key != "" {
		s = strings.ReplaceAll(s, key, "[redacted]")
		if q := strconv.Quote(key); len(q) > 2 {
			s = strings.ReplaceAll(s, q[1:len(q)-1], "[redacted]")
		}
	}
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > maxDetail {
		cut := maxDetail
		for cut > 0 && !isRuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
