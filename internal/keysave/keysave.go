// Package keysave takes a Gemini API key a person gives: it asks Google whether the key
// works, with the configuration a party would use, and stores it in the OS keyring
// (internal/secrets) unless Google refused it. The window (app, through
// internal/session) and the terminal (`concordia key set`, internal/keycmd) both save
// keys through Save, so that they check and store alike. It sits beside secrets rather
// than in it: secrets owns the keyring and knows nothing of Gemini; this package joins
// the two.
package keysave

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/concordia-party/concordia/internal/merge"
	"github.com/concordia-party/concordia/internal/secrets"
)

// MinRunes is the shortest key Save sends to Google: Gemini API keys are 39
// characters ("AIza" and 35 more); anything much shorter was cut when copied, or is not a
// key at all (a window tester's "abc" was stored and shown as working).
const MinRunes = 20

// Timeout bounds Save's question to Google: a person waits for it.
const Timeout = 10 * time.Second

// ErrTooShort: the key given is far shorter than any Gemini API key.
var ErrTooShort = fmt.Errorf("that is too short to be a Gemini API key (they are about 40 characters); copy it again, whole")

// ErrRefused: Google refused the key Save was given as not valid, and it was not stored.
// It wraps merge.ErrInvalidKey's error, whose Reason and Said say what Google answered.
var ErrRefused = errors.New("Google refused the key; it was not stored")

// Saved is what Save did with a key it stored.
type Saved struct {
	// Unchecked is why Google did not say that the key works: it could not be asked
	// (unreachable, timed out, 5xx), the model was rejected, or Google refused this use
	// of the key (merge.ErrKeyDenied: merge.KeyAdvice says what to change). The key is
	// stored and noted as unchecked (secrets.Status.KeyringUnchecked). nil when Google
	// accepted it.
	Unchecked error
}

// Save checks key with Google (config makes a client's configuration for it: the
// model and endpoint a party would use) under Timeout, then stores it in store's
// keyring. A key Google refuses as not valid is not stored: the error matches ErrRefused
// and merge.ErrInvalidKey. When Google cannot be asked, or refuses only this use of the key
// (merge.ErrKeyDenied), the key is stored all the same and noted as unchecked until a
// check or a party's merge finds it works. A key that is empty,
// not one line, or far too short is refused before anything is asked. The keyring is
// asked first: no point asking Google about a key that cannot be kept.
func Save(ctx context.Context, store *secrets.Store, key string, config func(key string) merge.GeminiConfig) (Saved, error) {
	key, err := secrets.Normalize(key)
	if err != nil {
		return Saved{}, err
	}
	if utf8.RuneCountInString(key) < MinRunes {
		return Saved{}, fmt.Errorf("store key: %w", ErrTooShort)
	}
	if err := store.Available(ctx); err != nil {
		return Saved{}, fmt.Errorf("store key: %w", err)
	}
	cctx, cancel := context.WithTimeout(ctx, Timeout)
	checked := merge.CheckKey(cctx, config(key))
	cancel()
	switch {
	case errors.Is(checked, merge.ErrKeyDenied):
		// A key Google knows, refused for this use (the API not enabled in its project,
		// its restrictions): the fix is on Google's side, and the person should not have
		// to paste it again after making it. Stored and noted unchecked below, with
		// Google's answer in Saved.Unchecked; a party tries it, and falls back to the
		// local merger with a notice while Google still refuses it.
	case errors.Is(checked, merge.ErrInvalidKey):
		return Saved{}, fmt.Errorf("store key: %w: %w", ErrRefused, checked)
	case checked != nil && ctx.Err() != nil:
		return Saved{}, fmt.Errorf("store key: %w", ctx.Err())
	}
	if err := store.Set(ctx, key); err != nil {
		return Saved{}, err
	}
	if checked == nil {
		// A note left behind would only show the key as unchecked: not worth a failure.
		_ = store.MarkChecked("")
		return Saved{}, nil
	}
	if err := store.MarkUnchecked(key); err != nil {
		// Stored: only the note that it is unchecked is missing, which would show it as
		// working. Said, as a failure of the note.
		return Saved{Unchecked: checked}, fmt.Errorf("the key is stored, but not the note that Google has not checked it: %w", err)
	}
	return Saved{Unchecked: checked}, nil
}
