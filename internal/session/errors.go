package session

import "errors"

// Errors of the Manager's methods. The binding layer turns them into sentences.
var (
	// ErrBusy means a party is already running (or starting) in this window.
	ErrBusy = errors.New("already in a party")
	// ErrNoParty means the window is not in a party.
	ErrNoParty = errors.New("not in a party")
	// ErrNotHost means a host-only action was asked of a participant.
	ErrNotHost = errors.New("only the host can do this")
	// ErrClosed means the Manager was closed (the app is quitting).
	ErrClosed = errors.New("session manager closed")
	// ErrEmptyPrompt means a prompt was only white space.
	ErrEmptyPrompt = errors.New("empty prompt")
	// ErrPromptTooLarge means a prompt is over wire.MaxPromptBytes.
	ErrPromptTooLarge = errors.New("prompt too large")
	// ErrBadRequest is wrapped by HostRequest and Join argument problems.
	ErrBadRequest = errors.New("bad request")
	// ErrNoKey means CheckKey found no Gemini key to check.
	ErrNoKey = errors.New("no Gemini key is set")
)
