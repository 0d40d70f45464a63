package wire

import (
	"bytes"
	"encoding/json"
)

// Two event kinds reuse a key with another type: a retry event's "batch" is a batch id
// (a batch event's is an object), and a settings event's "approval" is a bool (an approval
// event's is an object). Event's JSON methods handle those two; every other kind is the
// plain struct.

// eventFields is Event without its JSON methods.
type eventFields Event

// MarshalJSON encodes the event as PROTOCOL.md §5 and §7 say.
func (e Event) MarshalJSON() ([]byte, error) {
	switch e.Kind {
	case KindRetry:
		return json.Marshal(struct {
			eventFields
			Batch string `json:"batch"`
		}{eventFields(e), e.RetryBatch})
	case KindSettings:
		var s Settings
		if e.Settings != nil {
			s = *e.Settings
		}
		return json.Marshal(struct {
			eventFields
			Approval       bool   `json:"approval"`
			PermissionMode string `json:"permission_mode"`
			Workspace      string `json:"workspace,omitempty"`
		}{eventFields(e), s.Approval, s.PermissionMode, s.Workspace})
	case KindChanges:
		files := e.Files
		if files == nil {
			files = []FileChange{}
		}
		return json.Marshal(struct {
			eventFields
			Files []FileChange `json:"files"`
		}{eventFields(e), files})
	}
	return json.Marshal(eventFields(e))
}

// UnmarshalJSON decodes any event; a "batch" or "approval" value of the wrong shape for
// its kind is ignored, as unknown fields are.
func (e *Event) UnmarshalJSON(b []byte) error {
	var aux struct {
		eventFields
		Batch          json.RawMessage `json:"batch"`
		Approval       json.RawMessage `json:"approval"`
		PermissionMode string          `json:"permission_mode"`
		Workspace      string          `json:"workspace"`
		Files          []FileChange    `json:"files"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	*e = Event(aux.eventFields)
	if present(aux.Batch) {
		if e.Kind == KindRetry {
			_ = json.Unmarshal(aux.Batch, &e.RetryBatch)
		} else {
			var bt Batch
			if json.Unmarshal(aux.Batch, &bt) == nil {
				e.Batch = &bt
			}
		}
	}
	if e.Kind == KindSettings {
		s := Settings{PermissionMode: aux.PermissionMode, Workspace: aux.Workspace}
		_ = json.Unmarshal(aux.Approval, &s.Approval)
		e.Settings = &s
	} else if present(aux.Approval) {
		var ap Approval
		if json.Unmarshal(aux.Approval, &ap) == nil {
			e.Approval = &ap
		}
	}
	if e.Kind == KindChanges {
		e.Files = aux.Files
		if e.Files == nil {
			e.Files = []FileChange{}
		}
	}
	return nil
}

func present(raw json.RawMessage) bool {
	return len(raw) > 0 && !bytes.Equal(raw, []byte("null"))
}
