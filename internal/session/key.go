package session

import (
	"context"
	"errors"
	"fmt"
	"os"

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
	case errors.Is(err, merge.ErrInvalidKey):
		m.refused.Set(key, true)
	case err == nil:
		m.refused.Set(key, false)
	}
	return src, model, err
}
