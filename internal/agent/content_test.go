package agent

import "testing"

func TestMessageContent(t *testing.T) {
	tests := []struct {
		name    string
		prompt  string
		command bool
		want    string
	}{
		{name: "a participant's slash text gets one space", prompt: "/clear", want: " /clear"},
		{name: "any slash word", prompt: "/compact now", want: " /compact now"},
		{name: "a lone slash", prompt: "/", want: " /"},
		{name: "already text", prompt: " /clear", want: " /clear"},
		{name: "slash later in the text", prompt: "run /clear please", want: "run /clear please"},
		{name: "a host's command goes as it is", prompt: "/compact", command: true, want: "/compact"},
		{name: "a command flag on plain text changes nothing", prompt: "hello", command: true, want: "hello"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := messageContent(tc.prompt, tc.command); got != tc.want {
				t.Errorf("messageContent(%q, %v) = %q, want %q", tc.prompt, tc.command, got, tc.want)
			}
		})
	}
}
