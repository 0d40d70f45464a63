package session

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/concordia-party/concordia/internal/keysave"
	"github.com/concordia-party/concordia/internal/merge"
	"github.com/concordia-party/concordia/internal/secrets"
)

// CheckKey asks Google whether the Gemini key a party would use (GEMINI_API_KEY, else the
// OS keyring) works with the merging model (merge.CheckKey: no tokens used). It returns
// where the key came from and the model, and Google's answer as merge's error classes;
// ErrNoKey when there is no key.
func (m *Manager) CheckKey(ctx context.Context) (secrets.Source, string, error) {
	key, src, err := m.cfg.Secrets.Key(ctx)
	if err != nil {
		return src, "", fmt.Errorf("check key: %w", err)
	}
	if key == "" {
		return src, "", ErrNoKey
	}
	getenv := m.cfg.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	model := m.cfg.GeminiModel
	if model == "" {
		model = merge.DefaultGeminiModel
	}
	err = merge.CheckKey(ctx, merge.EnvConfig(key, model, getenv))
	switch {
	case errors.Is(err, merge.ErrKeyDenied):
		// Google knows the key and refuses only this use of it, fixed on Google's side:
		// not remembered as refused, so the next party asks Google again (and says what
		// to change while it still refuses). It matches ErrInvalidKey too, hence first.
		m.refused.Set(key, false)
		if src == secrets.SourceKeyring {
			// No longer known to work, as a key saved while Google refused this use is not
			// (keysave): a party's merge with it then marks it checked again, and the window
			// stops saying refused (it said so beside a party merging with Gemini).
			_ = m.cfg.Secrets.MarkUnchecked(key) // a note missing only leaves it shown as checked
		}
	case errors.Is(err, merge.ErrInvalidKey):
		m.refused.Set(key, true)
		// Noted for other processes too: `concordia key status`, a `concordia host` (a
		// terminal tester's status said "holds a key" after a refusal).
		_ = m.cfg.Secrets.MarkRefused(secrets.KeyID(key), time.Now()) // a note missing only leaves them to ask Google
	case err == nil:
		// Also taken up again by a party this window hosts that stopped using it: Settings
		// then says Gemini merges from the next batch.
		m.refused.Accepted(key)
		// Whichever the source: a refusal noted of this key is over too.
		_ = m.cfg.Secrets.MarkChecked(secrets.KeyID(key)) // a note left shows it amber, or refused
	}
	return src, model, err
}

// SaveKey checks key with Google, with the model and endpoint a party would use, and
// stores it in the OS keyring unless Google refused it as not valid (keysave.Save): such a
// key is not stored (keysave.ErrRefused); one Google could not be asked about, or refused
// for this use only (merge.ErrKeyDenied), is stored, noted as unchecked, and
// Saved.Unchecked says why. The latter is not remembered as refused: a party tries it,
// since its owner may have fixed it on Google's side meanwhile.
func (m *Manager) SaveKey(ctx context.Context, key string) (keysave.Saved, error) {
	getenv := m.cfg.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	model := m.cfg.GeminiModel
	saved, err := keysave.Save(ctx, m.cfg.Secrets, key, func(k string) merge.GeminiConfig {
		return merge.EnvConfig(k, model, getenv)
	})
	if k, nerr := secrets.Normalize(key); nerr == nil {
		switch {
		case errors.Is(err, keysave.ErrRefused):
			m.refused.Set(k, true)
		case err == nil && saved.Unchecked == nil:
			m.refused.Accepted(k) // as CheckKey's
		case err == nil && errors.Is(saved.Unchecked, merge.ErrKeyDenied):
			// Refused for this use only: not a refused key (CheckKey).
			m.refused.Set(k, false)
		}
	}
	return saved, err
}
