package host

import (
	"os"
	"strings"
	"testing"
	"time"
)

// A resume times the turn a killed host cut by the journal's last sign of it: its last
// alive record after the last event (a tool request waited ten minutes for a host, and the
// cut turn was said to have run for none of them). A journal written before alive records
// (no such line) still resumes, its cut turn timed to its last event as before; and an
// alive record that an event followed says nothing more than that event.
func TestResumeTimesTheCutTurnByItsLastAliveRecord(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	ts := func(d time.Duration) string { return `"ts":"` + t0.Add(d).Format(time.RFC3339Nano) + `"` }
	alive := func(d time.Duration) string {
		return `{"type":"alive","at":"` + t0.Add(d).Format(time.RFC3339Nano) + `"}` + "\n"
	}
	event := func(body string) string { return `{"type":"event","event":` + body + "}\n" }
	turn := event(`{"seq":1,`+ts(0)+`,"kind":"prompt","prompt":{"id":"p1","user":"bob","text":"deploy"}}`) +
		event(`{"seq":2,`+ts(time.Second)+`,"kind":"batch","batch":{"id":"b2","prompts":["p1"],"merged":"deploy","merger":"local"}}`) +
		event(`{"seq":3,`+ts(time.Second)+`,"kind":"phase","phase":"running"}`) +
		event(`{"seq":4,`+ts(2*time.Second)+`,"kind":"permission","permission":{"id":"t3","batch":"b2","tool":"Bash","summary":"make deploy","status":"pending"}}`)
	for _, tc := range []struct {
		name string
		tail string // what follows the tool request
		ran  time.Duration
	}{
		{"written before alive records", "", time.Second},
		{"alive records after the request", alive(7*time.Second) + alive(5*time.Minute) + alive(10*time.Minute), 10*time.Minute - time.Second},
		{"an event after the last alive record", alive(7*time.Second) + event(`{"seq":5,`+ts(8*time.Second)+`,"kind":"system","text":"bob joined"}`), 7 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dataDir := t.TempDir()
			path := newJournal(t, dataDir, "pa", t0)
			f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.WriteString(turn + tc.tail); err != nil {
				t.Fatal(err)
			}
			f.Close()

			r, err := OpenResume(dataDir, "pa", 0)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			rs := r.Restore
			if rs.Unfinished == nil || rs.Unfinished.ID != "b2" || len(rs.Open) != 1 || r.Summary.Skipped != 0 {
				t.Fatalf("resume found unfinished %+v, open %+v, %d lines skipped", rs.Unfinished, rs.Open, r.Summary.Skipped)
			}
			if rs.UnfinishedRan != tc.ran {
				t.Errorf("the cut turn ran at least %v, want %v", rs.UnfinishedRan, tc.ran)
			}
			if strings.Contains(tc.name, "before") && !r.Summary.Alive.IsZero() {
				t.Errorf("alive %v in a journal without alive records", r.Summary.Alive)
			}
		})
	}
}
