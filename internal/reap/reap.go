// Package reap stops the processes an agent left running. Claude Code runs each tool's
// shell in a session of its own, so a background job it starts (a dev server, `sleep
// 600 &`) is in neither claude's process group nor its session, and is re-parented to
// init when its shell exits: stopping claude, or the kernel killing it with its host,
// leaves it running with nobody watching. What every descendant keeps is its
// environment, so the agent is started with a marker in it (Marker), and Stop finds the
// processes that carry it.
//
// Stop works on Linux (it reads /proc); elsewhere it finds nothing. A process that
// replaced its environment (env -i, a daemon that scrubs it) is not found.
package reap

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// Var is the environment variable that marks an agent's processes.
const Var = "CONCORDIA_AGENT_RUN"

// Grace is how long Stop gives a process between SIGTERM and SIGKILL (a dev server's
// clean exit).
const Grace = 2 * time.Second

// Proc is a process that carries a marker: one Stop ended, or one Find saw.
type Proc struct {
	PID     int
	Command string // its command line, shortened for a sentence ("sleep 600")
}

// NewID is a fresh marker id: 16 hex digits.
func NewID() string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}

// Marker is the KEY=VALUE pair that marks the processes of the agent run id.
func Marker(id string) string { return Var + "=" + id }

// Describe says how many processes ps are ("1 process", "3 processes") and what they
// run ("sleep 300, npm run dev"; the first five, then "and N more"), for a sentence.
func Describe(ps []Proc) (what, cmds string) {
	list := make([]string, 0, min(len(ps), 6))
	for i, p := range ps {
		if i == 5 {
			list = append(list, fmt.Sprintf("and %d more", len(ps)-i))
			break
		}
		list = append(list, p.Command)
	}
	what = fmt.Sprintf("%d processes", len(ps))
	if len(ps) == 1 {
		what = "1 process"
	}
	return what, strings.Join(list, ", ")
}
