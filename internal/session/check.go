package session

import (
	"fmt"
	"os/exec"

	"github.com/concordia-party/concordia/internal/agent"
)

// CheckHost says what is wrong with a HostRequest before anything starts, as Host would:
// the settings' rules (errors match ErrBadRequest) and whether the Claude Code executable
// is found (an error matching agent.ErrNotInstalled). The window re-checks its Create
// party form with it, so that an error goes away once its field is fixed.
func CheckHost(req HostRequest) error {
	if err := req.check(); err != nil {
		return err
	}
	if _, err := exec.LookPath(req.ClaudePath); err != nil {
		return fmt.Errorf("%w (looked for %q: %w)", agent.ErrNotInstalled, req.ClaudePath, err)
	}
	return nil
}
