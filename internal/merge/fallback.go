package merge

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/concordia-party/concordia/internal/wire"
)

// Fallback is the party's merger: Gemini while it is usable, the local merger
// otherwise (DESIGN.md, "A bad Gemini key is not a transient error").
//
//   - One prompt goes through verbatim, without a call.
//   - A transient failure (429, 5xx, network), an unusable answer or a rejected
//     request: this batch is merged locally, with a system notice; the next batch
//     tries Gemini again.
//   - A time-out: this batch and those of the next geminiRest are merged locally,
//     said once; then Gemini is tried again.
//   - A refused key: this batch and every later one are merged locally, with an
//     error notice, until SetGemini supplies a new client. The key itself is
//     not touched: deleting it is the key owner's decision. A key Google refuses
//     for this use only (ErrKeyDenied) is stopped alike in this party, but not
//     reported to OnRefused; its notice says what to change on Google's side
//     instead of asking for the key again.
//
// Safe for concurrent use: mu guards gemini and off; the network call runs
// without the lock.
type Fallback struct {
	local *Local

	mu     sync.Mutex
	gemini *Gemini // nil: no key
	off    bool    // gemini's key was refused

	// rekey finds a key set since (window Settings, `concordia key set`); guarded by mu.
	rekey     Rekey
	rekeyNow  func(keyID string) bool // SetRekeyNow's; nil: every decides alone
	keyID     string                  // rekey's id of the key in use or refused
	every     time.Duration
	lastCheck time.Time
	keyHint   string // where the host replaces a refused key ("" = `concordia key set`)
	onRefused func(keyID string)
	// onAccepted is told the id of the key in use when Gemini merged a batch with it.
	onAccepted func(keyID string)

	// restUntil: after a time-out, batches until then are merged locally without asking
	// Gemini (each would wait the whole timeout); guarded by mu. now is the clock.
	restUntil time.Time
	now       func() time.Time

	log *slog.Logger // why Gemini was not used, in full (the notice says it in a few words)
}

// SetLogger logs each Gemini failure with its detail (redacted of the key): the notice
// everyone reads says "gave an unusable answer", and a tester's --verbose log had no
// word of why.
func (f *Fallback) SetLogger(l *slog.Logger) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log = l
}

// geminiRest is how long Gemini is left alone after a time-out.
const geminiRest = time.Minute

// Rekey reads the Gemini key the host has now, given the id of the one the merger knows
// (ids are opaque, e.g. a hash of the key; "" = none). It returns a client for it and its
// id when it is another key, or the same key found working since (a check Google
// accepted: a merger that stopped using it takes it up again); nil and current when it is
// the same key or cannot be read now; nil and "" when there is no key any more; nil and
// another id when there is a new key for which no client can be made. It must respect ctx.
type Rekey func(ctx context.Context, current string) (*Gemini, string)

// SetRekey makes the merger follow the host's key: before every batch that Gemini would
// merge (a key removed in Settings must not be sent another batch, a tester's was), and
// at most once per every while Gemini is off (a refused key) or absent (no key at the
// start), so that a key set while the party runs is used from the next batch on. current
// is the id of the key in use now.
func (f *Fallback) SetRekey(r Rekey, current string, every time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rekey, f.keyID, f.every = r, current, every
}

// SetRekeyNow has the merger follow the host's key before a batch, even within every of
// the last look, when now says so of the id of the key it knows (a check just found the
// key works: Settings says Gemini merges from the next batch). now must be quick.
func (f *Fallback) SetRekeyNow(now func(keyID string) bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rekeyNow = now
}

// KeyHint is where the host replaces a refused key (SetKeyHint; "concordia key set" when
// none was set): the host's own view adds it to the party's error event (WithKeyHint).
func (f *Fallback) KeyHint() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.keyHint == "" {
		return "concordia key set"
	}
	return f.keyHint
}

// SetKeyHint says where the host replaces a refused key (KeyHint; default: "concordia key
// set"; the window's host does it "in Settings"). The party's error event does not say
// it: every member reads that event, and the way is the host's alone (a tester's
// participant read "it comes from GEMINI_API_KEY: set it…").
func (f *Fallback) SetKeyHint(hint string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.keyHint = hint
}

// current is the Gemini client to merge with now (nil: merge locally), after following
// the host's key when a check is due (SetRekey), with the notice of a change found just
// now ("" when none).
func (f *Fallback) current(ctx context.Context) (*Gemini, string) {
	f.mu.Lock()
	g := f.gemini
	if f.off {
		g = nil
	}
	r, id, now := f.rekey, f.keyID, f.rekeyNow
	due := r != nil && (g != nil || time.Since(f.lastCheck) >= f.every)
	f.mu.Unlock()
	if !due && r != nil && now != nil && now(id) {
		due = true
	}
	if !due {
		return g, ""
	}
	f.mu.Lock()
	f.lastCheck = time.Now()
	hadKey := f.gemini != nil // a client now, or a refused one
	f.mu.Unlock()
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	ng, nid := r(cctx, id)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.keyID != id {
		// Another batch followed the key meanwhile: what it found stands.
		if f.off {
			return nil, ""
		}
		return f.gemini, ""
	}
	switch {
	case ng != nil && nid == id:
		// The same key, found working by a check since it stopped being used (refused, or
		// denied for this use): taken up again. One in use goes on as it was.
		if g != nil {
			return g, ""
		}
		f.gemini, f.off, f.restUntil = ng, false, time.Time{}
		return ng, noticeKeyWorks
	case ng != nil:
		f.gemini, f.off, f.keyID, f.restUntil = ng, false, nid, time.Time{} // a new key is tried at once
		switch {
		case g != nil:
			return ng, noticeReplacedKey
		case !hadKey:
			return ng, noticeFirstKey
		}
		return ng, noticeNewKey
	case nid == id:
		if f.off { // refused by a batch merged meanwhile
			return nil, ""
		}
		return f.gemini, ""
	case nid == "":
		f.gemini, f.off, f.keyID = nil, false, ""
		if g == nil {
			return nil, "" // already merging locally, and said so
		}
		return nil, noticeKeyRemoved
	}
	f.gemini, f.off, f.keyID = nil, false, nid
	return nil, noticeKeyUnusable
}

var _ Merger = (*Fallback)(nil)

// KeyRefusedPrefix begins the party's error event when Google refused the host's Gemini
// key: the window knows by it that the key needs replacing (frontend/src/state/party.ts
// writes it too, pinned by a test here).
const KeyRefusedPrefix = "Gemini refused the host's API key"

// KeyDeniedPrefix begins it when Google refused only this use of the key (ErrKeyDenied):
// the window then says what to change on Google's side, not to replace the key
// (frontend/src/state/party.ts writes it too, pinned by a test here).
const KeyDeniedPrefix = KeyRefusedPrefix + " for this use"

// The ends of those events as the party sends them, to every member: the host's own view
// adds where it replaces the key after them (WithKeyHint; the window's shown-words.ts
// writes them too, pinned by a test here).
const (
	keyRefusedEnd = "until the host replaces it"
	// A key refused for this use: what to change on Google's side is the host's to know,
	// and its own view adds it (WithKeyHint).
	keyDeniedEnd = "until the host fixes it"
	// How such an event ended when it said Google's advice to every member (journaled
	// before 2026-12-08): its host's view adds where the host replaces the key, as it did.
	keyDeniedEndBefore = "until the host replaces the key"
)

// WithKeyHint is a party's error event as its host reads it: when it says that Google
// refused the host's key (KeyRefusedPrefix), with where the host replaces it (hint, as
// Fallback.KeyHint says) after it; when Google refused only this use of the key
// (KeyDeniedPrefix), with what to change on Google's side (KeyAdvice) after it instead,
// found again by the reason the event names. A hint of "" is a member's view: the text as
// it is. So are any other text, and an event that says the way already (journaled before
// 2026-12-07, when every member read it).
func WithKeyHint(text, hint string) string {
	if hint == "" || !strings.HasPrefix(text, KeyRefusedPrefix) {
		return text
	}
	if strings.HasPrefix(text, KeyDeniedPrefix) && strings.HasSuffix(text, keyDeniedEnd) {
		if a := denialAdvice(deniedReason(text)); a != "" {
			return text + ": " + a
		}
		return text
	}
	if strings.HasSuffix(text, keyRefusedEnd) || strings.HasSuffix(text, keyDeniedEndBefore) {
		return text + " (" + hint + ")"
	}
	return text
}

// deniedReason is the ErrorInfo reason a KeyDeniedPrefix event names in its label
// ("… for this use (403 PERMISSION_DENIED, SERVICE_DISABLED); …" gives SERVICE_DISABLED);
// "" when it names none.
func deniedReason(text string) string {
	label, _, ok := strings.Cut(strings.TrimPrefix(text, KeyDeniedPrefix+" ("), ")")
	if !ok {
		return ""
	}
	_, reason, ok := strings.Cut(label, ", ")
	if !ok {
		return ""
	}
	return reason
}

// Notice texts of Fallback.
const (
	// Everyone reads it: "the host's" says whose it is to replace (a tester's participant
	// ran `concordia key set` on its own machine); how is the host's alone (WithKeyHint).
	noticeKeyRefused = KeyRefusedPrefix + "; merging locally " + keyRefusedEnd
	noticeFellBack   = "Gemini %s; merged locally"
	noticeResting    = "Gemini timed out; merging locally for a minute before trying it again"
	noticeNewKey     = "merging with Gemini again: a new API key was set"
	noticeKeyWorks   = "merging with Gemini again: Google accepted the host's API key when the host checked it"
	noticeFirstKey   = "merging with Gemini from now on: a Gemini API key was set"
	// The key in use was replaced or removed while the party ran.
	noticeReplacedKey = "a new Gemini API key was set: merging with it from now on"
	noticeKeyRemoved  = "the Gemini API key was removed: merging locally from now on"
	noticeKeyUnusable = "the host set a new Gemini API key, but it cannot be used; merging locally"

	// A key Google knows but whose project or restrictions refuse this use (ErrKeyDenied):
	// Google's reason, and what is true for every member: the party merges locally until
	// the host puts it right (a check Google accepts, or another key). What to change on
	// Google's side is the host's alone (WithKeyHint): a member read "enable the
	// Generative Language API in the key's Google Cloud project…".
	noticeKeyDenied = KeyDeniedPrefix + " (%s); merging locally " + keyDeniedEnd
)

// StartRefused has the merger start as if g's key had just been refused: merging locally
// until a new key is set (SetRekey), without sending a batch to a key already known to be
// refused.
func (f *Fallback) StartRefused() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.off = f.gemini != nil
}

// OnRefused is called with the id of the key in use (SetRekey's) when Google refuses it as
// a key (ErrInvalidKey); not when Google refuses only this use of it (ErrKeyDenied), which
// stops Gemini for this party alone.
func (f *Fallback) OnRefused(fn func(keyID string)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.onRefused = fn
}

// OnAccepted is called with the id of the key in use (SetRekey's) each time Gemini merges
// a batch with it: the key works (a key stored while Google could not be asked is then
// known to).
func (f *Fallback) OnAccepted(fn func(keyID string)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.onAccepted = fn
}

// NewFallback composes g (nil when there is no key) and local (nil: NewLocal()).
func NewFallback(g *Gemini, local *Local) *Fallback {
	if local == nil {
		local = NewLocal()
	}
	return &Fallback{local: local, gemini: g, now: time.Now}
}

// resting says whether Gemini is left alone now, after a time-out.
func (f *Fallback) resting() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now().Before(f.restUntil)
}

// Name is wire.MergerGemini while Gemini is usable, else wire.MergerLocal.
func (f *Fallback) Name() string {
	if f.usable() != nil {
		return wire.MergerGemini
	}
	return wire.MergerLocal
}

// SetGemini replaces the Gemini client (a new key) and re-enables Gemini;
// nil turns Gemini off.
func (f *Fallback) SetGemini(g *Gemini) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gemini, f.off = g, false
	f.restUntil = time.Time{} // a new client: tried at once, as its notice says
}

func (f *Fallback) usable() *Gemini {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.off {
		return nil
	}
	return f.gemini
}

// disable turns Gemini off after g's key was refused, unless g has been
// replaced meanwhile (a SetGemini during the call wins). OnRefused is told only of a
// key refused as such (refused): a key refused for this use only (ErrKeyDenied) is
// fixed on Google's side, and the next party tries it again.
func (f *Fallback) disable(g *Gemini, refused bool) {
	f.mu.Lock()
	if f.gemini != g {
		f.mu.Unlock()
		return
	}
	f.off = true
	fn, id := f.onRefused, f.keyID
	f.mu.Unlock()
	if fn != nil && refused {
		fn(id)
	}
}

// Merge merges prompts; it fails only when ctx ends. Result.Merger says who
// produced the text; Result.Notices say why Gemini was not used, if it failed.
func (f *Fallback) Merge(ctx context.Context, prompts []wire.Prompt) (Result, error) {
	if len(prompts) <= 1 {
		return f.local.Merge(ctx, prompts)
	}
	g, fresh := f.current(ctx) // fresh: the notice of a key change found just now
	if g == nil || f.resting() {
		res, err := f.local.Merge(ctx, prompts)
		if err == nil && fresh != "" {
			res.Notices = append([]Notice{{Kind: wire.KindSystem, Text: fresh}}, res.Notices...)
		}
		return res, err
	}
	res, err := g.Merge(ctx, prompts)
	if err == nil {
		f.mu.Lock()
		fn, id := f.onAccepted, f.keyID
		if f.gemini != g { // replaced meanwhile: id is another key's
			fn = nil
		}
		f.mu.Unlock()
		if fn != nil && id != "" {
			fn(id)
		}
		if fresh != "" {
			res.Notices = append([]Notice{{Kind: wire.KindSystem, Text: fresh}}, res.Notices...)
		}
		return res, nil
	}
	if ctx.Err() != nil {
		return Result{}, fmt.Errorf("merge: %w", ctx.Err())
	}
	f.mu.Lock()
	log := f.log
	f.mu.Unlock()
	if log != nil {
		log.Warn("gemini merge failed; merging locally", "prompts", len(prompts), "err", err)
	}
	var notice Notice
	switch {
	case errors.Is(err, ErrKeyDenied):
		// Stopped for this party as a refused key is, but not reported to OnRefused: the
		// way out is on Google's side, not a key copied again.
		f.disable(g, false)
		notice = Notice{Kind: wire.KindError, Text: fmt.Sprintf(noticeKeyDenied, deniedLabel(err))}
	case errors.Is(err, ErrInvalidKey):
		f.disable(g, true)
		notice = Notice{Kind: wire.KindError, Text: noticeKeyRefused}
	case timedOut(err):
		f.mu.Lock()
		f.restUntil = f.now().Add(geminiRest)
		f.mu.Unlock()
		notice = Notice{Kind: wire.KindSystem, Text: noticeResting}
	default:
		notice = Notice{Kind: wire.KindSystem, Text: fmt.Sprintf(noticeFellBack, reasonOf(err))}
	}
	res, lerr := f.local.Merge(ctx, prompts)
	if lerr != nil {
		return Result{}, lerr
	}
	res.Notices = append([]Notice{notice}, res.Notices...)
	return res, nil
}
