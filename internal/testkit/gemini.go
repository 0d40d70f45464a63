package testkit

import (
	"encoding/json"
	"io"
	"net/http"
)

// GeminiPrompt is one prompt as the Gemini merger sends it (the JSON array in the first
// part of the request's contents).
type GeminiPrompt struct{ ID, User, Text string }

// GeminiPrompts reads the prompts out of a generateContent request body.
func GeminiPrompts(body []byte) []GeminiPrompt {
	var req struct {
		Contents []struct {
			Parts []struct{ Text string } `json:"parts"`
		} `json:"contents"`
	}
	_ = json.Unmarshal(body, &req)
	var prompts []GeminiPrompt
	if len(req.Contents) > 0 && len(req.Contents[0].Parts) > 0 {
		_ = json.Unmarshal([]byte(req.Contents[0].Parts[0].Text), &prompts)
	}
	return prompts
}

// WriteGeminiMerge answers a generateContent request the way the merger's response schema
// asks: merged as the merged prompt, one request per prompt, attributed to its author.
func WriteGeminiMerge(w http.ResponseWriter, body []byte, merged string) {
	type item struct {
		Summary   string   `json:"summary"`
		Authors   []string `json:"authors"`
		PromptIDs []string `json:"prompt_ids"`
	}
	ans := struct {
		Merged    string `json:"merged_prompt"`
		Requests  []item `json:"requests"`
		Conflicts []item `json:"conflicts"`
	}{Merged: merged, Requests: []item{}, Conflicts: []item{}}
	for _, p := range GeminiPrompts(body) {
		ans.Requests = append(ans.Requests, item{Summary: p.Text, Authors: []string{p.User}, PromptIDs: []string{p.ID}})
	}
	text, _ := json.Marshal(ans)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"candidates": []any{map[string]any{
		"content":      map[string]any{"role": "model", "parts": []any{map[string]any{"text": string(text)}}},
		"finishReason": "STOP",
	}}})
}

// WriteGeminiKeyRefused answers as Gemini does for an invalid API key.
func WriteGeminiKeyRefused(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(400)
	_, _ = io.WriteString(w, `{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID"}]}}`)
}

// GeminiServiceDisabled is Google's message when the key's project has not enabled the
// Generative Language API (project 123 here).
const GeminiServiceDisabled = "Generative Language API has not been used in project 123 before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/generativelanguage.googleapis.com/overview?project=123 then retry."

// WriteGeminiServiceDisabled answers as Gemini does for a key whose Google Cloud project
// has not enabled the Generative Language API: 403 PERMISSION_DENIED, SERVICE_DISABLED.
// The key itself is valid.
func WriteGeminiServiceDisabled(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(403)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"code": 403, "status": "PERMISSION_DENIED", "message": GeminiServiceDisabled,
		"details": []any{map[string]any{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "SERVICE_DISABLED", "domain": "googleapis.com",
			"metadata": map[string]any{"consumer": "projects/123", "service": "generativelanguage.googleapis.com"}}},
	}})
}

// GeminiKeyLeaked is Google's message for a key reported as leaked.
const GeminiKeyLeaked = "Your API key was reported as leaked. Please use another API key."

// WriteGeminiKeyLeaked answers as Gemini does for a key reported as leaked: 403
// PERMISSION_DENIED with no reason, a key that must be replaced.
func WriteGeminiKeyLeaked(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(403)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": 403, "status": "PERMISSION_DENIED", "message": GeminiKeyLeaked}})
}
