// What a line the journal may lose says of the party's rules. A resume takes its rules
// from the journal (its last settings, roles, kicks, invites): losing a line that loosened
// them (approval turned off, a tool always allowed, a promotion) resumes the party stricter
// than its hosts left it, which is safe; losing one that tightened them resumes it looser —
// an old invite working again, a removed member's session alive, a revoked tool always
// allowed — which the cut mark says with "-control" (cutmark.go). Such lines are also made
// durable before they are sent, so that a power loss cannot take them either.

package journal

import (
	"slices"

	"github.com/concordia-party/concordia/internal/wire"
)

// rules is what the Writer knows of the party's rules as its lines went by: the last
// settings and each member's role.
type rules struct {
	settings *wire.Settings
	roles    map[string]string
}

// start takes a run's settings (the header's, or a resumed record's): they are what the
// next settings event is compared with, unless a settings event came after them.
func (r *rules) start(s Settings) {
	r.settings = &wire.Settings{Approval: s.Approval, PermissionMode: s.PermissionMode, Workspace: s.Workspace}
}

// event takes an event and says whether it tightened the rules.
func (r *rules) event(ev wire.Event) bool {
	switch ev.Kind {
	case wire.KindSettings:
		if ev.Settings == nil {
			return false
		}
		was := r.settings
		next := *ev.Settings
		r.settings = &next
		return was == nil || tightens(*was, next)
	case wire.KindParticipants:
		if r.roles == nil {
			r.roles = map[string]string{}
		}
		switch {
		case ev.Joined != nil:
			r.roles[ev.Joined.ID] = ev.Joined.Role
		case ev.Changed != nil:
			was, known := r.roles[ev.Changed.ID]
			r.roles[ev.Changed.ID] = ev.Changed.Role
			return !known || roleRank(ev.Changed.Role) < roleRank(was)
		}
	}
	return false
}

// tightens says whether next is stricter than was in any way: approval turned on, a
// stricter permission mode, less of the folder shared, a tool no longer always allowed.
// A level or mode not known is taken as stricter, and any level after one not known.
func tightens(was, next wire.Settings) bool {
	if next.Approval && !was.Approval {
		return true
	}
	if next.PermissionMode != "" && modeRank(next.PermissionMode) < modeRank(was.PermissionMode) {
		return true
	}
	if next.Workspace != "" && next.ShareError == "" && next.Workspace != was.Workspace && (was.Workspace == "" || wsRank(next.Workspace) < wsRank(was.Workspace)) {
		// From a level not known (a journal older than levels): taken as less. Not a level a
		// failed snapshot forced (share_error): no host chose it, and a resume does not
		// take it either (journal.Summary.Workspace).
		return true
	}
	if next.Always != nil {
		for _, tool := range was.Always {
			if !slices.Contains(next.Always, tool) {
				return true
			}
		}
	}
	return false
}

// modeRank orders permission modes from the strictest; one not known ranks below all.
func modeRank(m string) int {
	switch m {
	case wire.PermissionPlan:
		return 1
	case wire.PermissionAsk, "":
		return 2
	case wire.PermissionEdits:
		return 3
	case wire.PermissionAll:
		return 4
	}
	return 0
}

// wsRank orders sharing levels from the least shared; one not known ranks below all.
func wsRank(l string) int {
	switch l {
	case wire.WorkspaceOff:
		return 1
	case wire.WorkspaceChanges:
		return 2
	case wire.WorkspaceTree:
		return 3
	}
	return 0
}

// roleRank orders roles from the least trusted; one not known ranks below all.
func roleRank(r string) int {
	switch r {
	case wire.RoleViewer:
		return 1
	case wire.RoleParticipant:
		return 2
	case wire.RoleHost:
		return 3
	}
	return 0
}

// tightensRecord says whether a record tightened the rules: new invites (the old links
// stop working), or a member a host removed (its session must stay dead). A member the
// party only forgot (too many away) is not a host's rule.
func tightensRecord(rec Record) bool {
	switch rec.Type {
	case TypeInvites:
		return true
	case TypeMember:
		return rec.Member != nil && rec.Member.Kicked && !rec.Member.Forgotten
	}
	return false
}
