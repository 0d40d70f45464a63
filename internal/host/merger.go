package host

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/concordia-party/concordia/internal/merge"
	"github.com/concordia-party/concordia/internal/secrets"
)

// Merge modes (--merge).
const (
	MergeAuto   = "auto"
	MergeGemini = "gemini"
	MergeLocal  = "local"
)

// MergerOptions says how to pick the party's merger.
type MergerOptions struct {
	Mode   string // MergeAuto, MergeGemini or MergeLocal
	Model  string // Gemini model ("" = merge.DefaultGeminiModel)
	Store  *secrets.Store
	Getenv func(string) string // for CONCORDIA_GEMINI_BASE_URL; nil = os.Getenv
	Logger *slog.Logger
	// RekeyEvery is how often a party whose key was refused (or absent) looks for a new
	// one, at a batch (default 10s).
	RekeyEvery time.Duration
	// Window: the party is hosted from the window, whose person sets a key in Settings;
	// the notices say so instead of `concordia key set` (the terminal's way).
	Window bool
	// Refused is the keys Google refused in this process (nil: none known): a party whose
	// key is one of them merges locally from the start, and a key refused during the
	// party is added. A key Google refuses for this use only (merge.ErrKeyDenied: fixed on
	// Google's side) is not: the next party asks Google again (merge.Fallback.OnRefused).
	Refused *RefusedKeys
}

// RefusedKeys remembers the Gemini keys Google refused, by id (keyID), for the parties a
// process starts later: a window tester's Check said Google refused the key, Home said
// "merging locally", and the next party announced Gemini and sent its first batch of the
// members' prompts there. Safe for concurrent use; the zero value is empty.
type RefusedKeys struct {
	mu  sync.Mutex
	ids map[string]bool
	// accepts counts, by id, the checks Google accepted (Accepted): a running party that
	// stopped using its key takes it up again when the count moves.
	accepts map[string]uint64
}

// Accepted records that Google accepted key when the host checked or saved it: it is not
// refused, and a party running with it that stopped using it (refused, or denied for this
// use and fixed on Google's side since) merges with Gemini again from its next batch (a
// window tester's Check said "Prompts are merged with Gemini" and the party went on
// merging locally).
func (r *RefusedKeys) Accepted(key string) {
	if r == nil || key == "" {
		return
	}
	id := keyID(key)
	r.setID(id, false)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.accepts == nil {
		r.accepts = map[string]uint64{}
	}
	r.accepts[id]++
}

// acceptedTimes is how many checks Google accepted the key of this id in (Accepted).
func (r *RefusedKeys) acceptedTimes(id string) uint64 {
	if r == nil {
		return 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.accepts[id]
}

// Set records whether Google refused key (a check's answer: refused, or accepted).
func (r *RefusedKeys) Set(key string, refused bool) { r.setID(keyID(key), refused) }

func (r *RefusedKeys) setID(id string, refused bool) {
	if r == nil || id == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ids == nil {
		r.ids = map[string]bool{}
	}
	if refused {
		r.ids[id] = true
	} else {
		delete(r.ids, id)
	}
}

func (r *RefusedKeys) has(key string) bool {
	if r == nil {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ids[keyID(key)]
}

// NoticeKeyRefusedBefore is SelectMerger's notice of a party that merges locally from its
// start, its key known refused. The window sends it to every member as it is, and its
// owner's view adds how it replaces the key (frontend/src/state/shown-words.ts
// KEY_REFUSED_BEFORE, pinned by a test here); the terminal's host adds it here.
const NoticeKeyRefusedBefore = "Google refused this Gemini key when it was last asked; merging locally until the host replaces it"

// NoticeMergeLocal is SelectMerger's note for a party set to merge locally: the window's
// members read it; the host's terminal says it in its "party created" line instead.
const NoticeMergeLocal = "merging locally (the merger is set to local)"

// ErrNoKey means --merge gemini was asked for but no key is available.
var ErrNoKey = errors.New("no Gemini key is set (run `concordia key set`, or set GEMINI_API_KEY)")

// SelectMerger picks the merger for a party: auto uses Gemini when a key is available,
// gemini without a usable key is an error, local never calls out. It first moves a legacy
// .env key into the keyring. Notices say what was chosen and why; every member reads them
// (a participant read "the OS keyring is unavailable here" as its own machine's, a
// window tester's), so they speak of the host's key and machine, and say what the host
// can do as "the host can".
func SelectMerger(ctx context.Context, o MergerOptions) (merge.Merger, []string, error) {
	local := merge.NewLocal()
	if o.Mode == MergeLocal {
		return local, []string{NoticeMergeLocal}, nil
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.Model == "" {
		o.Model = merge.DefaultGeminiModel
	}
	if o.RekeyEvery == 0 {
		o.RekeyEvery = 10 * time.Second
	}
	var notes []string
	// A failed migration comes with an error and a Reason for the user; the party goes on.
	if m, err := o.Store.MigrateLegacy(ctx); m.Found && m.Migrated && err == nil {
		notes = append(notes, "the host's Gemini key was moved from "+m.Path+" into the host's OS keyring")
	} else if m.Reason != "" {
		notes = append(notes, "the host's Gemini key in "+m.Path+" was not moved into the host's OS keyring: "+m.Reason)
	}
	key, src, err := o.Store.Key(ctx)
	if err != nil || key == "" {
		reason := "the host has no Gemini key (the host can run `concordia key set`, or set " + secrets.EnvKey + ")"
		if o.Window {
			reason = "the host has no Gemini key (the host can add one in Settings)"
		}
		switch {
		case errors.Is(err, secrets.ErrUnavailable):
			// The detail (D-Bus errors) is for the log; people need the way out.
			if o.Logger != nil {
				o.Logger.Info("keyring unavailable", "err", err)
			}
			reason = "the host has no Gemini key: the OS keyring on the host's machine is unavailable (the host can set " + secrets.EnvKey + " to use Gemini)"
		case err != nil:
			reason = "the host's Gemini key could not be read: " + err.Error()
		}
		if o.Mode == MergeGemini {
			if err != nil {
				return nil, notes, fmt.Errorf("--merge gemini: %w", secrets.Cause(err))
			}
			return nil, notes, fmt.Errorf("--merge gemini: %w", ErrNoKey)
		}
		// A key set while the party runs (window Settings, `concordia key set`) is used, and
		// so is one in a keyring that becomes readable (one locked at login, unlocked later:
		// the party merged locally to its end).
		f := merge.NewFallback(nil, local)
		checks := o.checksOf("")
		f.SetRekey(o.rekey(checks), "", o.RekeyEvery)
		f.SetRekeyNow(checks.pending)
		// A key set during the party and refused is remembered too (a reviewer's: the
		// next party announced Gemini with it).
		f.OnRefused(o.refusedKey)
		f.OnAccepted(func(id string) { _ = o.Store.MarkChecked(id) })
		if o.Window {
			f.SetKeyHint("in Settings")
		}
		if errors.Is(err, secrets.ErrUnavailable) {
			return f, append(notes, reason+"; merging locally until the keyring can be read"), nil
		}
		return f, append(notes, reason+"; merging locally until the host sets one"), nil
	}
	g, err := merge.NewGemini(ctx, merge.EnvConfig(key, o.Model, o.Getenv))
	if err != nil {
		if o.Mode == MergeGemini {
			return nil, notes, fmt.Errorf("--merge gemini: %w", err)
		}
		return local, append(notes, "Gemini is unavailable ("+err.Error()+"); merging locally"), nil
	}
	f := merge.NewFallback(g, local)
	checks := o.checksOf(keyID(key))
	f.SetRekey(o.rekey(checks), keyID(key), o.RekeyEvery)
	f.SetRekeyNow(checks.pending)
	if o.Logger != nil {
		f.SetLogger(o.Logger)
	}
	f.OnRefused(o.refusedKey)
	// A key stored while Google could not be asked is known to work now: its status stops
	// saying "not checked".
	f.OnAccepted(func(id string) { _ = o.Store.MarkChecked(id) })
	hint := "concordia key set"
	switch {
	case src == secrets.SourceEnv:
		// GEMINI_API_KEY wins over the keyring, and a running party's cannot change: a
		// key set as the notice said was never used (a tester's).
		hint = "it comes from " + secrets.EnvKey + ": set it to a working key, then resume the party"
		f.SetKeyHint(hint)
	case o.Window:
		hint = "in Settings"
		f.SetKeyHint(hint)
	}
	refused := o.Refused.has(key)
	if _, noted := o.Store.RefusedAt(keyID(key)); noted {
		// Refused when last asked, by another process too (`concordia key check`, an
		// earlier party): a terminal tester's `key check` said so, and the next party
		// would have sent the members' prompts to it. Known here from now on.
		o.Refused.Set(key, true)
		refused = true
	}
	if refused {
		f.StartRefused()
		if o.Window {
			// Every member reads the window's notices: what happens, not how the host
			// replaces the key; the owner's window adds that (shown-words.ts noticeWords).
			return f, append(notes, NoticeKeyRefusedBefore), nil
		}
		return f, append(notes, NoticeKeyRefusedBefore+" ("+hint+")"), nil
	}
	from := "the OS keyring"
	if src == secrets.SourceEnv {
		from = secrets.EnvKey
	}
	where := ""
	if base := o.Getenv(merge.BaseURLEnv); base != "" {
		// The prompts and the key go there, not to Google: said (a tester's pointed at
		// a plain-http address, and the notice named only the model). Its scheme and
		// host only: a proxy's address may carry a password or a token (a reviewer's).
		where = " at " + endpointWords(base) + " (" + merge.BaseURLEnv + ")"
	}
	detail := fmt.Sprintf("merging with Gemini%s (%s; key from %s)", where, o.Model, from)
	if o.Logger != nil {
		o.Logger.Info("merger chosen", "merger", detail)
	}
	if o.Window {
		// The window sends its notices to every member, who need not read the host's
		// endpoint, an environment variable's name or where its key is kept (a window
		// tester's participants did after a resume): plain words for them, the detail
		// in the host's log. The terminal's notices are its host's alone (cli).
		return f, append(notes, fmt.Sprintf("merging with Gemini (%s)", o.Model)), nil
	}
	return f, append(notes, detail), nil
}

// refusedKey remembers that Google refused the key of id during a party (merge.Fallback.
// OnRefused): for this process's next parties (Refused), and for other processes' and
// `concordia key status` (the store's note, dropped when a check or a merge finds that it
// works: secrets.Store.MarkChecked).
func (o MergerOptions) refusedKey(id string) {
	o.Refused.setID(id, true)
	_ = o.Store.MarkRefused(id, time.Now()) // a note missing only leaves other processes to ask Google again
}

// rekey reads the key again (environment, then keyring), as merge.Rekey says: a client
// for another key, the current id for the same key or one that cannot be read now, ""
// for none.
//
// The key is read before every batch Gemini merges; a keyring that cannot be read (one
// waiting on an unlock prompt takes the store's whole time limit, and so does every read
// after it while that one waits) is not read again for RekeyEvery, so that it does not
// hold up every batch (a reviewer's), and for slowRekeyRests times as long after a read
// that took slowKeyring or more: a party that started with its keyring locked looks again
// now and then, a batch waiting for the keyring at most once in that while.
//
// checks (nil: none followed) gives a fresh client for the key in use when a check found
// it works since the party last looked (RefusedKeys.Accepted): the merger takes it up again
// if it had stopped using it.
func (o MergerOptions) rekey(checks *acceptedChecks) merge.Rekey {
	var mu sync.Mutex
	var failed time.Time
	rest := o.RekeyEvery
	return func(ctx context.Context, current string) (*merge.Gemini, string) {
		mu.Lock()
		resting := !failed.IsZero() && time.Since(failed) < rest
		mu.Unlock()
		if resting {
			return nil, current
		}
		began := time.Now()
		key, _, err := o.Store.Key(ctx)
		switch {
		case err != nil:
			mu.Lock()
			failed, rest = time.Now(), o.RekeyEvery
			if time.Since(began) >= slowKeyring {
				rest = slowRekeyRests * o.RekeyEvery
			}
			mu.Unlock()
			if o.Logger != nil {
				o.Logger.Info("Gemini key not read again", "err", err)
			}
			return nil, current
		case key == "":
			return nil, ""
		case keyID(key) == current && !checks.take(current):
			return nil, current
		case keyID(key) != current:
			// A key set while the party runs is followed from now on: a check Google
			// accepts of it later brings it back too (a reviewer's: one set mid-party,
			// denied, then fixed and checked, stayed unused).
			checks.take(keyID(key))
		}
		g, err := merge.NewGemini(ctx, merge.EnvConfig(key, o.Model, o.Getenv))
		if err != nil {
			if o.Logger != nil {
				o.Logger.Info("new Gemini key unusable", "err", "gemini client could not be made")
			}
			return nil, keyID(key)
		}
		return g, keyID(key)
	}
}

// After a failed read of the keyring that took slowKeyring or more (a locked keyring's
// unlock prompt), the key is not read again for slowRekeyRests times RekeyEvery (a
// variable for the tests).
var slowKeyring = time.Second

const slowRekeyRests = 30

// keyID identifies a key without keeping it: a hash.
func keyID(key string) string { return secrets.KeyID(key) }

// endpointWords is a Gemini endpoint as a notice may show it: its scheme and host, without
// a user, password, path or query; "another address" when it does not read as a URL.
func endpointWords(base string) string {
	u, err := url.Parse(base)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "another address"
	}
	return u.Scheme + "://" + u.Host
}

// ownKeyWords turn the merger's notices about the host's Gemini key (SelectMerger), which
// every member reads, into the host's own words: "you have no Gemini key …; add one", not
// "the host has no Gemini key … the host can …" on the host's own screen (a tester's).
var ownKeyWords = strings.NewReplacer(
	"the host has no Gemini key", "you have no Gemini key",
	"the host's Gemini key", "your Gemini key",
	"the OS keyring on the host's machine", "the OS keyring on this machine",
	"into the host's OS keyring", "into this machine's OS keyring",
	"(the host can run `concordia key set`, or set ", "(run `concordia key set`, or set ",
	"(the host can add one in Settings)", "(add one in Settings)",
	"(the host can set ", "(set ",
	"until the host sets one", "until you set one",
)

// OwnKeyNotice is a notice of SelectMerger's as the host itself reads it (ownKeyWords);
// any other text is returned as it is.
func OwnKeyNotice(text string) string {
	if !strings.HasPrefix(text, "the host has no Gemini key") && !strings.HasPrefix(text, "the host's Gemini key") {
		return text
	}
	return ownKeyWords.Replace(text)
}

// acceptedChecks follows the checks Google accepted of a party's key (RefusedKeys.Accepted)
// since the party last looked. Safe for concurrent use; nil follows none.
type acceptedChecks struct {
	refused *RefusedKeys
	mu      sync.Mutex
	id      string // the key the count is of
	seen    uint64 // RefusedKeys.acceptedTimes(id) when last looked
}

// checksOf follows the checks of the key id, from now: a check before the party began is
// not news to it.
func (o MergerOptions) checksOf(id string) *acceptedChecks {
	if o.Refused == nil {
		return nil
	}
	return &acceptedChecks{refused: o.Refused, id: id, seen: o.Refused.acceptedTimes(id)}
}

// pending says whether a check accepted the key of id since take last said so; it does not
// take it (merge.Fallback.SetRekeyNow asks it before every batch).
func (c *acceptedChecks) pending(id string) bool {
	if c == nil || id == "" {
		return false
	}
	n := c.refused.acceptedTimes(id)
	c.mu.Lock()
	defer c.mu.Unlock()
	return id == c.id && n != c.seen
}

// take is pending, and marks the check seen. A key not followed before starts being
// followed from now.
func (c *acceptedChecks) take(id string) bool {
	if c == nil || id == "" {
		return false
	}
	n := c.refused.acceptedTimes(id)
	c.mu.Lock()
	defer c.mu.Unlock()
	if id != c.id {
		c.id, c.seen = id, n
		return false
	}
	if n == c.seen {
		return false
	}
	c.seen = n
	return true
}
