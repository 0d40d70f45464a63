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
	// ErrInvalidKey: Google refused the API key (400 API_KEY_INVALID, 401, 403).
	// Retrying cannot help; the key must be replaced.
	ErrInvalidKey = errors.New("gemini refused the API key")
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
}

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

func (e *geminiError) Unwrap() error { return e.class }

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
