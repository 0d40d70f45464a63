package host

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/concordia-party/concordia/internal/merge"
	"github.com/concordia-party/concordia/internal/secrets"
)

// MinKeyRunes is the shortest key SaveKey sends to Google: Gemini API keys are 39
// characters ("AIza" and 35 more); anything much shorter was cut when copied, or is not a
// key at all (a window tester's "abc" was stored and shown as working).
const MinKeyRunes = 20

// SaveKeyTimeout bounds SaveKey's question to Google: a person waits for it.
const SaveKeyTimeout = 10 * time.Second

// ErrKeyTooShort: the key given is far shorter than any Gemini API key.
var ErrKeyTooShort = fmt.Errorf("that is too short to be a Gemini API key (they are about 40 characters); copy it again, whole")

// ErrKeyRefused: Google refused the key SaveKey was given, which was not stored. It wraps
// merge.ErrInvalidKey's error, whose Reason says what Google answered.
var ErrKeyRefused = errors.New("Google refused the key; it was not stored")

// SavedKey is what SaveKey did with a key it stored.
type SavedKey struct {
	// Unchecked is why Google could not say whether the key works (unreachable, timed
	// out, 5xx, the model rejected): the key is stored and noted as unchecked
	// (secrets.Status.KeyringUnchecked). nil when Google accepted it.
	Unchecked error
}

// SaveKey checks key with Google (config makes a client's configuration for it: the
// model and endpoint a party would use) under SaveKeyTimeout, then stores it in store's
// keyring. A key Google refuses is not stored: the error matches ErrKeyRefused and
// merge.ErrInvalidKey. When Google cannot be asked, the key is stored all the same and
// noted as unchecked until a check or a party's merge finds it works. A key that is empty,
// not one line, or far too short is refused before anything is asked. The keyring is
// asked first: no point asking Google about a key that cannot be kept.
func SaveKey(ctx context.Context, store *secrets.Store, key string, config func(key string) merge.GeminiConfig) (SavedKey, error) {
	key, err := secrets.Normalize(key)
	if err != nil {
		return SavedKey{}, err
	}
	if utf8.RuneCountInString(key) < MinKeyRunes {
		return SavedKey{}, fmt.Errorf("store key: %w", ErrKeyTooShort)
	}
	if err := store.Available(ctx); err != nil {
		return SavedKey{}, fmt.Errorf("store key: %w", err)
	}
	cctx, cancel := context.WithTimeout(ctx, SaveKeyTimeout)
	checked := merge.CheckKey(cctx, config(key))
	cancel()
	switch {
	case errors.Is(checked, merge.ErrInvalidKey):
		return SavedKey{}, fmt.Errorf("store key: %w: %w", ErrKeyRefused, checked)
	case checked != nil && ctx.Err() != nil:
		return SavedKey{}, fmt.Errorf("store key: %w", ctx.Err())
	}
	if err := store.Set(ctx, key); err != nil {
		return SavedKey{}, err
	}
	if checked == nil {
		// A note left behind would only show the key as unchecked: not worth a failure.
		_ = store.MarkChecked("")
		return SavedKey{}, nil
	}
	if err := store.MarkUnchecked(key); err != nil {
		// Stored: only the note that it is unchecked is missing, which would show it as
		// working. Said, as a failure of the note.
		return SavedKey{Unchecked: checked}, fmt.Errorf("the key is stored, but not the note that Google has not checked it: %w", err)
	}
	return SavedKey{Unchecked: checked}, nil
}
