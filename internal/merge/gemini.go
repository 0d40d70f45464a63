package merge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"google.golang.org/genai"

	"github.com/concordia-party/concordia/internal/wire"
)

// DefaultGeminiModel is the model used when GeminiConfig.Model is empty:
// Google's alias for its current Flash model (the one the genai SDK's own
// README uses), so that a retired model version never breaks merging.
// Merging is a small, latency-sensitive task: Flash, not Pro.
const DefaultGeminiModel = "gemini-flash-latest"

// DefaultGeminiBaseURL is Google's Gemini API endpoint. It is always passed to
// the SDK explicitly: left empty, the SDK would honour GOOGLE_GEMINI_BASE_URL.
const DefaultGeminiBaseURL = "https://generativelanguage.googleapis.com/"

// BaseURLEnv names the environment variable with which the caller may point
// the merger at another endpoint (tests, proxies); NewGemini does not read it.
const BaseURLEnv = "CONCORDIA_GEMINI_BASE_URL"

// Defaults of GeminiConfig.
const (
	DefaultGeminiTimeout = 20 * time.Second
	DefaultGeminiRetries = 1
)

// GeminiConfig configures the Gemini merger.
type GeminiConfig struct {
	// APIKey is required. It travels only in the x-goog-api-key header.
	APIKey string
	// Model defaults to DefaultGeminiModel.
	Model string
	// BaseURL defaults to DefaultGeminiBaseURL (see BaseURLEnv).
	BaseURL string
	// Timeout bounds one attempt; default DefaultGeminiTimeout.
	Timeout time.Duration
	// Retries is how many times a transient failure is retried within one
	// batch, after a short backoff: 0 means DefaultGeminiRetries, negative none.
	Retries int
	// HTTPClient is optional (tests, proxies).
	HTTPClient *http.Client
}

// Gemini merges a batch with Google's Gemini: the prompts go to the model as
// JSON data, the instructions as the system instruction, and the answer is
// structured JSON that is checked (every prompt accounted for, authors right)
// before the merged text is composed from it. Safe for concurrent use.
type Gemini struct {
	client  *genai.Client
	model   string
	key     string // only for redacting error text
	timeout time.Duration
	retries int
	backoff time.Duration // first retry delay; doubles per retry
}

var _ Merger = (*Gemini)(nil)

// EnvConfig is the configuration of a Gemini client for key and model ("" = the default)
// at the endpoint getenv gives for BaseURLEnv (Google's when unset): what every caller
// that merges or checks a key builds.
func EnvConfig(key, model string, getenv func(string) string) GeminiConfig {
	return GeminiConfig{APIKey: key, Model: model, BaseURL: getenv(BaseURLEnv)}
}

// Answered reports whether err is Google's answer (or its absence: a timeout, no route) as
// Merge and Check classify it, rather than a failure before asking.
func Answered(err error) bool {
	return errors.Is(err, ErrInvalidKey) || errors.Is(err, ErrTransient) || errors.Is(err, ErrRejected) || errors.Is(err, ErrBadAnswer)
}

// NewGemini makes a Gemini merger. It does not call the network.
func NewGemini(ctx context.Context, cfg GeminiConfig) (*Gemini, error) {
	if strings.TrimSpace(cfg.APIKey) == "" {
		return nil, errors.New("new gemini merger: no API key")
	}
	if cfg.Model == "" {
		cfg.Model = DefaultGeminiModel
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultGeminiBaseURL
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultGeminiTimeout
	}
	switch {
	case cfg.Retries == 0:
		cfg.Retries = DefaultGeminiRetries
	case cfg.Retries < 0:
		cfg.Retries = 0
	}
	// APIKey and Backend are always explicit: with an empty key the SDK reads
	// GEMINI_API_KEY, and without a backend GOOGLE_GENAI_USE_VERTEXAI decides.
	client, err := genai.NewClient(ctx, &genai.ClientConfig{
		APIKey:     cfg.APIKey,
		Backend:    genai.BackendGeminiAPI,
		HTTPClient: cfg.HTTPClient,
		HTTPOptions: genai.HTTPOptions{
			BaseURL:    cfg.BaseURL,
			APIVersion: "v1beta",
		},
	})
	if err != nil {
		// Not wrapped: some NewClient errors print the whole configuration,
		// key included, and a wrapped error would carry that text along.
		return nil, fmt.Errorf("new gemini merger: create client: %s", redact(err.Error(), cfg.APIKey))
	}
	return &Gemini{
		client:  client,
		model:   cfg.Model,
		key:     cfg.APIKey,
		timeout: cfg.Timeout,
		retries: cfg.Retries,
		backoff: 500 * time.Millisecond,
	}, nil
}

// Name returns wire.MergerGemini.
func (*Gemini) Name() string { return wire.MergerGemini }

// Merge merges prompts with Gemini. One prompt comes back verbatim without a
// call (Result.Merger is then wire.MergerLocal: nothing was merged). Errors
// wrap ErrInvalidKey, ErrTransient, ErrBadAnswer or ErrRejected, or the
// context's error when ctx ends; none contains the API key.
func (g *Gemini) Merge(ctx context.Context, prompts []wire.Prompt) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, fmt.Errorf("gemini merge: %w", err)
	}
	if len(prompts) <= 1 {
		return Result{Text: mergeLocal(prompts), Merger: wire.MergerLocal}, nil
	}
	data, err := json.Marshal(promptData(prompts))
	if err != nil {
		return Result{}, fmt.Errorf("gemini merge: encode prompts: %w", err)
	}
	var lastErr error
	for attempt := 0; attempt <= g.retries; attempt++ {
		if attempt > 0 {
			delay := g.backoff << (attempt - 1)
			if d, ok := retryDelay(lastErr); ok {
				if d > maxRetryDelay {
					break // the server asks for more patience than a batch has
				}
				delay = max(delay, d)
			}
			t := time.NewTimer(delay)
			select {
			case <-ctx.Done():
				t.Stop()
				return Result{}, fmt.Errorf("gemini merge: %w", ctx.Err())
			case <-t.C:
			}
		}
		res, err := g.attempt(ctx, prompts, data)
		if err == nil {
			return res, nil
		}
		if ctx.Err() != nil {
			return Result{}, fmt.Errorf("gemini merge: %w", ctx.Err())
		}
		lastErr = err
		if !errors.Is(err, ErrTransient) || timedOut(err) {
			break // a time-out again would hold the batch as long once more
		}
	}
	return Result{}, lastErr
}

// Check asks Google whether the key may use the model: a models.get, which costs no
// tokens. nil when it may; otherwise an error of the classes Merge's errors have
// (ErrInvalidKey, ErrTransient, ErrRejected), or the context's error when ctx ends.
func (g *Gemini) Check(ctx context.Context) error {
	actx, cancel := context.WithTimeout(ctx, g.timeout)
	defer cancel()
	if _, err := g.client.Models.Get(actx, g.model, nil); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("gemini check: %w", ctx.Err())
		}
		return g.classify(err)
	}
	return nil
}

// CheckKey makes a client for cfg and checks its key (Gemini.Check).
func CheckKey(ctx context.Context, cfg GeminiConfig) error {
	g, err := NewGemini(ctx, cfg)
	if err != nil {
		return err
	}
	return g.Check(ctx)
}

// Reason is a Gemini failure's short reason for people: "refused the API key (400
// INVALID_ARGUMENT)", "refused this use of the API key (403 PERMISSION_DENIED,
// SERVICE_DISABLED)", "unreachable", "rate limited (429)"; "failed" when it has none.
func Reason(err error) string { return reasonOf(err) }

// maxRetryDelay is the longest server-requested wait (429 RetryInfo) worth
// spending within one batch; beyond it the batch is merged locally at once.
const maxRetryDelay = 2 * time.Second

// promptDatum is how one prompt is shown to the model: data, never instructions.
type promptDatum struct {
	ID   string `json:"id"`
	User string `json:"user"`
	Text string `json:"text"`
}

func promptData(prompts []wire.Prompt) []promptDatum {
	out := make([]promptDatum, len(prompts))
	for i, p := range prompts {
		out[i] = promptDatum{ID: p.ID, User: p.User, Text: p.Text} // data for the model: no member ids
	}
	return out
}

func (g *Gemini) attempt(ctx context.Context, prompts []wire.Prompt, data []byte) (Result, error) {
	actx, cancel := context.WithTimeout(ctx, g.timeout)
	defer cancel()
	contents := []*genai.Content{genai.NewContentFromText(string(data), genai.RoleUser)}
	resp, err := g.client.Models.GenerateContent(actx, g.model, contents, generateConfig())
	if err != nil {
		return Result{}, g.classify(err)
	}
	text, err := answerText(resp)
	if err != nil {
		return Result{}, &geminiError{class: ErrBadAnswer, reason: "gave an unusable answer", detail: redact(err.Error(), g.key)}
	}
	ans, err := parseAnswer(text, prompts)
	if err != nil {
		return Result{}, &geminiError{class: ErrBadAnswer, reason: "gave an unusable answer", detail: redact(err.Error(), g.key)}
	}
	return Result{Text: composeGemini(ans, prompts), Merger: wire.MergerGemini}, nil
}

// generateConfig is made per call: the SDK fills in defaults in the config it
// is given, so a shared one would be written by concurrent calls.
func generateConfig() *genai.GenerateContentConfig {
	return &genai.GenerateContentConfig{
		SystemInstruction: &genai.Content{Role: genai.RoleUser, Parts: []*genai.Part{{Text: geminiInstruction}}},
		ResponseMIMEType:  "application/json",
		ResponseSchema:    answerSchema,
		CandidateCount:    1,
	}
}

// classify sorts a GenerateContent error into one of the Err* classes.
func (g *Gemini) classify(err error) error {
	detail := redact(err.Error(), g.key)
	var apiErr genai.APIError
	if errors.As(err, &apiErr) {
		code := apiErr.Code
		status := apiErr.Status
		label := strconv.Itoa(code)
		switch {
		case strings.HasPrefix(status, label): // "404 Not Found": an HTTP status line, not Google's
			label = status
		case status != "":
			label += " " + status
		}
		said := redact(apiErr.Message, g.key)
		switch {
		case code == http.StatusForbidden && knownDenial(errorReason(apiErr)):
			// The key is known, but this use of it is not allowed: a project or a
			// restriction to change on Google's side, not a key to copy again.
			denial := errorReason(apiErr)
			label += ", " + denial
			return &geminiError{class: ErrKeyDenied, reason: "refused this use of the API key (" + label + ")", detail: detail, said: said, denial: denial, label: label}
		case code == http.StatusForbidden:
			// Any other 403 may well be the key's own fault: Google answers 403
			// PERMISSION_DENIED for a key reported as leaked ("Please use another API
			// key"), which must be replaced. Refused as a key, Google's words said.
			if denial := errorReason(apiErr); denial != "" {
				label += ", " + denial
			}
			return &geminiError{class: ErrInvalidKey, reason: "refused the API key (" + label + ")", detail: detail, said: said, spent: spentKey(apiErr.Message)}
		case code == http.StatusUnauthorized || keyRefused(apiErr):
			return &geminiError{class: ErrInvalidKey, reason: "refused the API key (" + label + ")", detail: detail, said: said, spent: spentKey(apiErr.Message)}
		case code == http.StatusTooManyRequests:
			return &geminiError{class: ErrTransient, reason: "rate limited (429)", detail: detail, retryAfter: retryInfo(apiErr)}
		case code == http.StatusRequestTimeout || code >= 500:
			return &geminiError{class: ErrTransient, reason: "unavailable (" + strconv.Itoa(code) + ")", detail: detail}
		case code == http.StatusNotFound && status == "NOT_FOUND": // Google's, not a page of another server
			// Of a model name mistyped, said every batch with no word of the model (a
			// tester's --gemini-model gemini-flsh).
			return &geminiError{class: ErrRejected, reason: "rejected the request (" + label + ": it knows no model " + strconv.Quote(g.model) + ")", detail: detail}
		default:
			return &geminiError{class: ErrRejected, reason: "rejected the request (" + label + ")", detail: detail}
		}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		// The caller's context is checked by Merge; here it is the per-attempt timeout.
		return &geminiError{class: ErrTransient, reason: "timed out", detail: detail, timedOut: true}
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return &geminiError{class: ErrTransient, reason: "unreachable" + netCause(err), detail: detail}
	}
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) || strings.Contains(err.Error(), "unmarshal") {
		return &geminiError{class: ErrBadAnswer, reason: "gave an unusable answer", detail: detail}
	}
	return &geminiError{class: ErrTransient, reason: "failed", detail: detail}
}

// netCause is why a connection failed, in a few words for people (" (connection
// refused)", " (no such host)"), or "" when it is something else.
func netCause(err error) string {
	var dns *net.DNSError
	switch {
	case errors.As(err, &dns) && dns.IsNotFound:
		return " (no such host)"
	case errors.As(err, &dns):
		return " (the name could not be looked up)"
	case errors.Is(err, syscall.ECONNREFUSED):
		return " (connection refused)"
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		return " (no route to it)"
	}
	return ""
}

// keyRefused reports a 400 that is about the key: Google answers a bad key
// with 400 INVALID_ARGUMENT and an ErrorInfo reason API_KEY_INVALID.
func keyRefused(e genai.APIError) bool {
	if e.Code != http.StatusBadRequest {
		return false
	}
	for _, d := range e.Details {
		if r, _ := d["reason"].(string); strings.HasPrefix(r, "API_KEY_") {
			return true
		}
	}
	return strings.Contains(strings.ToLower(e.Message), "api key")
}

// spentKey says from Google's message about a refused key why no copy of it will ever be
// taken (spentLeaked: "Your API key was reported as leaked. Please use another API key.";
// spentExpired: "API key expired. Please renew the API key."), "" when it does not say.
// Google gives these no ErrorInfo reason of their own (a leaked key's 403 has none; an
// expired key's 400 says API_KEY_INVALID as a mistyped one does): its words are all there is.
func spentKey(message string) string {
	m := strings.ToLower(message)
	switch {
	case strings.Contains(m, "leaked"):
		return spentLeaked
	case strings.Contains(m, "api key expired"):
		return spentExpired
	}
	return ""
}

// errorReason is the reason of an error's google.rpc.ErrorInfo detail
// ("SERVICE_DISABLED"), "" when it has none. Only capitals and underscores are taken:
// it is shown to people.
func errorReason(e genai.APIError) string {
	for _, d := range e.Details {
		if t, _ := d["@type"].(string); !strings.HasSuffix(t, "google.rpc.ErrorInfo") {
			continue
		}
		r, _ := d["reason"].(string)
		if r == "" || len(r) > 64 || strings.Trim(r, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789") != "" {
			continue
		}
		return r
	}
	return ""
}

// retryInfo reads the RetryInfo detail of a 429 ("retryDelay": "37s").
func retryInfo(e genai.APIError) time.Duration {
	for _, d := range e.Details {
		if t, _ := d["@type"].(string); !strings.HasSuffix(t, "google.rpc.RetryInfo") {
			continue
		}
		if s, ok := d["retryDelay"].(string); ok {
			if dur, err := time.ParseDuration(s); err == nil && dur > 0 {
				return dur
			}
		}
	}
	return 0
}

func retryDelay(err error) (time.Duration, bool) {
	var ge *geminiError
	if errors.As(err, &ge) && ge.retryAfter > 0 {
		return ge.retryAfter, true
	}
	return 0, false
}

// answerText is the model's answer: the text parts of the first candidate,
// without thoughts.
func answerText(resp *genai.GenerateContentResponse) (string, error) {
	if resp == nil || len(resp.Candidates) == 0 || resp.Candidates[0].Content == nil {
		if resp != nil && resp.PromptFeedback != nil && resp.PromptFeedback.BlockReason != "" {
			return "", fmt.Errorf("prompt blocked: %s", resp.PromptFeedback.BlockReason)
		}
		return "", errors.New("no candidate in the answer")
	}
	var b strings.Builder
	for _, p := range resp.Candidates[0].Content.Parts {
		if p != nil && !p.Thought {
			b.WriteString(p.Text)
		}
	}
	if strings.TrimSpace(b.String()) == "" {
		return "", fmt.Errorf("empty answer (finish reason %q)", resp.Candidates[0].FinishReason)
	}
	return b.String(), nil
}
