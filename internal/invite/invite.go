// Package invite makes and parses concordia:// invite links (PROTOCOL.md §2).
//
// An invite names the host's listener, carries the party token, and, for TLS
// parties, pins the SHA-256 fingerprint of the host certificate:
//
//	concordia://HOST:PORT/TOKEN            plain WebSocket (--insecure only)
//	concordia://HOST:PORT/TOKEN?fp=FPR     TLS, certificate pinned
//
// Invites are pasted by people, so Parse is strict and says exactly what is
// wrong: a link that is almost right must not be half-understood. Everything
// here is pure and safe for concurrent use.
package invite

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/concordia-party/concordia/internal/wire"
)

// Scheme is the URL scheme of invites.
const Scheme = "concordia"

// Token limits. MinTokenLen base64url characters carry at least 128 bits
// (22 × 6 = 132); MaxTokenLen only stops absurd input.
const (
	MinTokenLen = 22
	MaxTokenLen = 256
)

// fingerprintLen is the length of a hex SHA-256 digest.
const fingerprintLen = 64

// The lengths of the tokens Concordia's hosts make: NewToken's 43 base64url characters,
// and 32 hex digits after Party.rotateInvite (and for a viewer token made by the party).
const (
	madeTokenLen    = 43
	rotatedTokenLen = 32
)

// ErrInvalid is wrapped by every error of Parse and Validate; the rest of the
// message says what is wrong ("invalid invite: missing token").
var ErrInvalid = errors.New("invalid invite")

// ErrCutShort is wrapped (with ErrInvalid) by CheckComplete's errors: the link parses, but
// its token is not as long as the tokens Concordia makes, so it was most likely cut short
// when it was copied.
var ErrCutShort = errors.New("the link looks cut short")

// Invite is a parsed invite. The zero value is not valid.
type Invite struct {
	// Host is a DNS name, an IPv4 address or an IPv6 address, never bracketed.
	Host string
	// Port is the listener's TCP port, 1–65535.
	Port int
	// Token is the party secret; see PROTOCOL.md §2.
	Token string
	// Fingerprint is the lower-case hex SHA-256 of the host certificate (DER);
	// "" means a plain, insecure WebSocket.
	Fingerprint string
}

// String formats the invite as concordia://HOST:PORT/TOKEN[?fp=FPR], with an
// IPv6 host in brackets. It does not validate; call Validate for that.
func (i Invite) String() string {
	s := Scheme + "://" + i.hostPort() + "/" + i.Token
	if i.Fingerprint != "" {
		s += "?fp=" + i.Fingerprint
	}
	return s
}

// Secure reports whether the invite is for a TLS party with a pinned certificate.
func (i Invite) Secure() bool { return i.Fingerprint != "" }

// WebSocketURL is the address to dial: wss://HOST:PORT/rpc for a secure
// invite, ws://HOST:PORT/rpc otherwise (IPv6 hosts bracketed).
func (i Invite) WebSocketURL() string {
	scheme := "ws"
	if i.Secure() {
		scheme = "wss"
	}
	return scheme + "://" + i.hostPort() + wire.RPCPath
}

func (i Invite) hostPort() string {
	return net.JoinHostPort(i.Host, strconv.Itoa(i.Port))
}

// CheckHost checks an invite's host as Validate does: a host name, or an IP address
// without brackets.
func CheckHost(h string) error {
	if h == "" {
		return invalid("missing host")
	}
	if strings.ContainsAny(h, "[]") {
		return invalid("host %q must not be bracketed", h)
	}
	if strings.Contains(h, ":") {
		return checkIPv6(h)
	}
	return checkHost(h)
}

// Validate checks every field as Parse would, so that an Invite built in code
// round-trips through String and Parse. The fingerprint must be lower-case.
func (i Invite) Validate() error {
	if err := CheckHost(i.Host); err != nil {
		return err
	}
	if i.Port < 1 || i.Port > 65535 {
		return invalid("port %d out of range 1-65535", i.Port)
	}
	if err := checkToken(i.Token); err != nil {
		return err
	}
	if i.Fingerprint != "" {
		if err := checkFingerprint(i.Fingerprint); err != nil {
			return err
		}
		if strings.ToLower(i.Fingerprint) != i.Fingerprint {
			return invalid("fingerprint must be lower-case hex")
		}
	}
	return nil
}

// Parse reads an invite. Surrounding white space is ignored, and so is what a link
// picks up on its way through chat and mail: a message around it ("join me:
// concordia://… thanks!"), brackets or quotes, a sentence's full stop, line breaks a
// terminal put in a long link, one "/" after it, a query written %3Ffp%3D. Anything else that is not exactly an invite is rejected
// with an error wrapping ErrInvalid that says what is wrong. The fingerprint is accepted
// in any case and stored lower-case.
func Parse(s string) (Invite, error) {
	_, inv, err := find(s)
	return inv, err
}

// Find is the invite in text, as Parse reads it, and the link alone ("concordia://…"):
// what a clipboard holding a chat message offers the join dialog.
func Find(text string) (link string, inv Invite, err error) { return find(text) }

// find reads s as a link (what it always did); failing that, the link cut out of the
// text around it (a chat message, more lines after it), or the same with the line breaks
// inside it taken out: a terminal cuts a long line at its width, and a link copied from
// there has a line break wherever it was cut. Which is meant cannot be told before
// parsing: "…/TOKEN" then a line "see you" and a token cut in two by a line break both
// give two links that parse. So the one that has the shape of a whole Concordia invite
// is taken (CheckComplete, and its ?fp= when the text has one), else the first that
// parses. Its error is about the link: the whole text's when it starts with the link,
// else the cut-out link's.
func find(s string) (string, Invite, error) {
	if len(s) > MaxText {
		// A paste of something else (a log, a file): not read, however it ends. A text of
		// 512 KiB took 10 s to read (a security reviewer's).
		return "", Invite{}, invalid("%d bytes of text, too long to look for an invite in (at most %d); copy the link alone", len(s), MaxText)
	}
	whole := unwrap(s)
	inv, err := parse(whole)
	if err == nil {
		return whole, inv, nil
	}
	cut, glued := unwrap(extract(s, false)), unwrap(extract(s, true))
	// A text that has ?fp= after the scheme meant a pinned link: a reading without the
	// pin would connect without TLS and hand the token to whoever answers.
	pinned := false
	if at := schemeAt(s); at >= 0 {
		// Read with its escapes, as decodeQuery reads a link: %3Ffp=, ?fp%3D and %3Ffp%3D
		// are pins too (a reviewer's half-escaped one was read without it).
		pinned = containsFold(queryEscapes.Replace(s[at:]), "?fp=")
	}
	var found string
	var foundInv Invite
	for _, c := range []string{cut, glued} {
		if c == whole {
			continue
		}
		inv, cerr := parse(c)
		if cerr != nil || pinned && inv.Fingerprint == "" {
			continue
		}
		if CheckComplete(inv) == nil {
			return c, inv, nil
		}
		if found == "" {
			found, foundInv = c, inv
		}
	}
	if found != "" {
		return found, foundInv, nil
	}
	switch {
	case pinned:
		// What is wrong with the link and its pin: the reading with its line breaks taken
		// out has both, if anything does.
		if _, err = parse(glued); err == nil {
			err = invalid("the fingerprint (?fp=) is cut off or apart from the link; copy the whole link again")
		}
	case !hasScheme(whole) && hasScheme(cut):
		_, err = parse(cut)
	}
	return "", Invite{}, err
}

// schemeAt is where concordia:// starts in s (in any case), or -1.
func schemeAt(s string) int { return indexFold(s, Scheme+"://") }

// containsFold says whether s contains sub (ASCII), in any case.
func containsFold(s, sub string) bool { return indexFold(s, sub) >= 0 }

// indexFold is where sub (ASCII) first starts in s, in any case, or -1. It compares bytes,
// not a lower-cased copy: lower-casing changes the length of some text (İ, invalid UTF-8),
// and an index into the copy is not one into s.
func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if equalFoldASCII(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

// equalFoldASCII compares a and b, of the same length, ignoring ASCII case only.
func equalFoldASCII(a, b string) bool {
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

func hasScheme(s string) bool {
	return len(s) >= len(Scheme)+3 && strings.EqualFold(s[:len(Scheme)+3], Scheme+"://")
}

// lineBreak is a line break with no space either side: one a terminal put in a link.
var lineBreak = regexp.MustCompile(`(\S)\r?\n(\S)`)

// extract takes the link out of the text around it: from concordia:// (with a bracket or
// quote just before it) to the first space, and, with glue, with its line breaks taken
// out first. After other text, a closing bracket, quote or mark ends it too ("(see
// concordia://…)!"): none of them can end an invite. Text with no concordia:// in it is
// returned as it is.
func extract(s string, glue bool) string {
	s = strings.TrimSpace(s)
	at := schemeAt(s)
	if at < 0 {
		return s
	}
	inText := at > 0
	if inText && strings.IndexByte(openers, s[at-1]) >= 0 {
		at--
	}
	s = s[at:]
	if glue {
		for prev := ""; prev != s; {
			prev, s = s, lineBreak.ReplaceAllString(s, "$1$2")
		}
	}
	if end := strings.IndexFunc(s, unicode.IsSpace); end >= 0 {
		s = s[:end]
	}
	if inText && s != "" && strings.IndexByte(openers, s[0]) < 0 {
		s = trimEnd(s, ".,;:!?"+closers)
	}
	return s
}

// trimEnd takes the characters of set off the end of s, but not a ] that closes an IPv6
// host's [ ("concordia://[::1]" lacks its port; it must not read as lacking its "]").
func trimEnd(s, set string) string {
	open, closed := strings.Count(s, "["), strings.Count(s, "]") // counted once: s shrinks by one byte a turn
	for s != "" && strings.IndexByte(set, s[len(s)-1]) >= 0 {
		if s[len(s)-1] == ']' {
			if open >= closed {
				break
			}
			closed--
		}
		s = s[:len(s)-1]
	}
	return s
}

// MaxText is the longest text an invite is looked for in: a chat message around a link,
// or a file of one (join --invite-file reads as much), not any file.
const MaxText = 64 << 10

// What a link may be put between in a text: none of them can begin or end an invite (a
// token is base64url and a fingerprint hex; an IPv6 host's brackets are inside it).
const (
	openers = "<([\"'`"
	closers = ")>]\"'`"
)

func parse(s string) (Invite, error) {
	if s == "" {
		return Invite{}, invalid("empty; expected %s://HOST:PORT/TOKEN", Scheme)
	}
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return Invite{}, invalid("missing %s:// at the start; expected %s://HOST:PORT/TOKEN", Scheme, Scheme)
	}
	if !strings.EqualFold(scheme, Scheme) {
		// Text around a link ("join me at https://…"): the scheme is its last word, not
		// the whole sentence before "://" (a tester's message quoted the chat as a scheme).
		word := scheme
		if i := strings.LastIndexFunc(word, unicode.IsSpace); i >= 0 {
			word = strings.TrimLeftFunc(word[i:], unicode.IsSpace)
		}
		switch strings.ToLower(word) {
		case "http", "https", "ws", "wss":
			return Invite{}, invalid("scheme is %q, but an invite starts with %s:// (this looks like a web address)", word, Scheme)
		}
		if word != scheme {
			return Invite{}, invalid("the text has a %s:// link, but no %s:// invite", word, Scheme)
		}
		return Invite{}, invalid("scheme is %q, but an invite starts with %s://", scheme, Scheme)
	}
	if strings.Contains(rest, "#") {
		return Invite{}, invalid("unexpected fragment (#...)")
	}
	rest = decodeQuery(rest)
	rest = trimSlash(rest)

	rest, query, hasQuery := strings.Cut(rest, "?")
	authority, path, hasPath := strings.Cut(rest, "/")
	if strings.Contains(authority, "@") {
		return Invite{}, invalid("user info (...@) is not allowed before the host")
	}

	var inv Invite
	var err error
	if inv.Host, inv.Port, err = parseHostPort(authority); err != nil {
		return Invite{}, err
	}

	if !hasPath || path == "" {
		return Invite{}, invalid("missing token after %s:%d/", bracket(inv.Host), inv.Port)
	}
	if strings.Contains(path, "/") {
		return Invite{}, invalid("unexpected path after the token (only HOST:PORT/TOKEN is allowed)")
	}
	if err := checkToken(path); err != nil {
		return Invite{}, err
	}
	inv.Token = path

	if hasQuery {
		if inv.Fingerprint, err = parseQuery(query); err != nil {
			return Invite{}, err
		}
	}
	return inv, nil
}

// queryEscapes are the percent-escapes of the query's own characters, ? and =, as some chat
// apps write a link's query (concordia://HOST:PORT/TOKEN%3Ffp%3DFPR, a user tester's).
var queryEscapes = strings.NewReplacer("%3F", "?", "%3f", "?", "%3D", "=", "%3d", "=")

// decodeQuery reads %3F and %3D after the host as the ? and = they stand for: a token and a
// fingerprint never hold a %, so they can be nothing else. Any other % is left for the
// token's or the fingerprint's check to name. The host is not touched.
func decodeQuery(rest string) string {
	authority, path, ok := strings.Cut(rest, "/")
	if !ok || !strings.Contains(path, "%") {
		return rest
	}
	return authority + "/" + queryEscapes.Replace(path)
}

// trimSlash takes one "/" off the end of a link that has a token before it (TOKEN/ or
// ?fp=FPR/): some apps add one to a link, and it cannot belong to a token or a fingerprint
// (a user tester's was refused with "fp must be 64 hex characters, got 65"). Only one, and
// only after a token's or a fingerprint's character: HOST:PORT/ still lacks its token, and
// TOKEN// has a second path segment.
func trimSlash(rest string) string {
	n := len(rest)
	if n < 2 || rest[n-1] != '/' || !tokenChar(rune(rest[n-2])) || !strings.Contains(rest[:n-1], "/") {
		return rest
	}
	return rest[:n-1]
}

// CheckComplete reports whether a parsed invite's token has the shape Concordia's hosts
// make (43 base64url characters, or 32 hex digits from hosts before rotated invites were
// made like the first). Parse accepts any token of 22 to 256 characters (PROTOCOL.md §2),
// and another host may make tokens of any such length, so a client still connects with
// one of another shape; if the host refuses it, this says the link was likely cut short.
// The error wraps ErrInvalid and ErrCutShort.
func CheckComplete(inv Invite) error {
	if hint := CutShortHint(inv); hint != "" {
		return fmt.Errorf("%w: %w", ErrInvalid, CutShort(hint))
	}
	return nil
}

// CutShortHint is CheckComplete's finding as a clause for a sentence ("the link looks cut
// short: its token has 38 characters, but a Concordia invite's has 43; copy the whole link
// again"), or "" when the token has the shape of ours.
func CutShortHint(inv Invite) string {
	n := len(inv.Token)
	switch {
	case n == madeTokenLen || n == rotatedTokenLen && isHex(inv.Token):
		return ""
	case n < madeTokenLen:
		return fmt.Sprintf("%s: its token has %d characters, but a Concordia invite's has %d; copy the whole link again", ErrCutShort, n, madeTokenLen)
	}
	return fmt.Sprintf("the link looks longer than an invite: its token has %d characters, more than a Concordia invite's %d; copy the link again, and only it", n, madeTokenLen)
}

// CutShort is CheckComplete's finding: its text is CutShortHint's, and it is ErrCutShort.
// A client that tried such a token and was refused wraps it in the refusal, so that its
// formatter can say why the link most likely failed.
type CutShort string

func (c CutShort) Error() string        { return string(c) }
func (c CutShort) Is(target error) bool { return target == ErrCutShort }

func isHex(s string) bool {
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// parseHostPort splits HOST:PORT, where HOST may be a bracketed IPv6 address.
func parseHostPort(authority string) (string, int, error) {
	if authority == "" {
		return "", 0, invalid("missing host")
	}
	var host, port string
	if strings.HasPrefix(authority, "[") {
		end := strings.Index(authority, "]")
		if end < 0 {
			return "", 0, invalid("missing ] after IPv6 address")
		}
		host = authority[1:end]
		if host == "" {
			return "", 0, invalid("missing host")
		}
		if err := checkIPv6(host); err != nil {
			return "", 0, err
		}
		after := authority[end+1:]
		if after == "" {
			return "", 0, invalid("missing port after [%s]", host)
		}
		if after[0] != ':' {
			return "", 0, invalid("unexpected %q after [%s]; expected :PORT", after, host)
		}
		port = after[1:]
	} else {
		if strings.Count(authority, ":") > 1 {
			return "", 0, invalid("IPv6 address must be in brackets, e.g. [::1]:8765")
		}
		var hasPort bool
		host, port, hasPort = strings.Cut(authority, ":")
		if host == "" {
			return "", 0, invalid("missing host")
		}
		if strings.ContainsAny(host, "[]") {
			return "", 0, invalid("host %q has a stray bracket", host)
		}
		if err := checkHost(host); err != nil {
			return "", 0, err
		}
		if !hasPort {
			return "", 0, invalid("missing port after %s (expected HOST:PORT)", host)
		}
	}
	p, err := parsePort(port)
	if err != nil {
		return "", 0, err
	}
	return host, p, nil
}

func parsePort(s string) (int, error) {
	if s == "" {
		return 0, invalid("missing port number after ':'")
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, invalid("port %q is not a number", s)
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 65535 {
		return 0, invalid("port %s out of range 1-65535", s)
	}
	return n, nil
}

// parseQuery accepts only fp=FPR, once, and returns FPR lower-cased.
func parseQuery(q string) (string, error) {
	if q == "" {
		return "", invalid("empty query after '?'; expected ?fp=FINGERPRINT or nothing (was the link cut off?)")
	}
	fp, seen := "", false
	for _, kv := range strings.Split(q, "&") {
		key, val, _ := strings.Cut(kv, "=")
		if key == "f" && len(q) == 1 {
			return "", invalid("the link ends in ?f; expected ?fp= and 64 hex characters (was the link cut off?)")
		}
		if key != "fp" {
			return "", invalid("unknown parameter %q (only fp is allowed)", key)
		}
		if seen {
			return "", invalid("fp given more than once")
		}
		seen = true
		if val == "" {
			return "", invalid("empty fp; expected 64 hex characters (was the link cut off?)")
		}
		if err := checkFingerprint(val); err != nil {
			return "", err
		}
		fp = strings.ToLower(val)
	}
	return fp, nil
}

// checkHost accepts a DNS name (letters, digits, '-', '_', dot-separated
// labels of 1–63 characters) or a dotted IPv4 address.
func checkHost(h string) error {
	if len(h) > 253 {
		return invalid("host name longer than 253 characters")
	}
	numeric := true
	for _, c := range h {
		switch {
		case c >= '0' && c <= '9', c == '.':
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '-', c == '_':
			numeric = false
		default:
			return invalid("host %q contains invalid character %q", h, c)
		}
	}
	if numeric {
		if ip := net.ParseIP(h); ip == nil || ip.To4() == nil {
			return invalid("host %q is not a valid IPv4 address", h)
		}
		return nil
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" {
			return invalid("host %q has an empty label", h)
		}
		if len(label) > 63 {
			return invalid("host %q has a label longer than 63 characters", h)
		}
	}
	return nil
}

func checkIPv6(h string) error {
	ip := net.ParseIP(h)
	if ip == nil || !strings.Contains(h, ":") {
		return invalid("host %q is not a valid IPv6 address", h)
	}
	return nil
}

func checkToken(t string) error {
	if t == "" {
		return invalid("missing token")
	}
	for _, c := range t {
		if !tokenChar(c) {
			return invalid("token contains invalid character %q (allowed: A-Z a-z 0-9 - _)", c)
		}
	}
	if len(t) < MinTokenLen {
		return invalid("token too short: %d characters, need at least %d (was the link cut off?)", len(t), MinTokenLen)
	}
	if len(t) > MaxTokenLen {
		return invalid("token too long: %d characters, at most %d", len(t), MaxTokenLen)
	}
	return nil
}

func tokenChar(c rune) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

// checkFingerprint accepts 64 hex digits of either case. A character that is not one is
// named, and where it is, before the length is counted: "got 65" did not say that the 65th
// was a stray "/" (a user tester's).
func checkFingerprint(fp string) error {
	if i := strings.IndexFunc(fp, func(c rune) bool { return !isHexDigit(c) }); i >= 0 {
		c, _ := utf8.DecodeRuneInString(fp[i:])
		if i == fingerprintLen {
			return invalid("fp has %q after its %d hex characters; remove it (a fingerprint is %d hex characters, 0-9 and a-f)", fp[i:], fingerprintLen, fingerprintLen)
		}
		return invalid("fp contains non-hex character %q at position %d (a fingerprint is %d hex characters, 0-9 and a-f)", c, utf8.RuneCountInString(fp[:i])+1, fingerprintLen)
	}
	if len(fp) < fingerprintLen {
		return invalid("fp must be %d hex characters (SHA-256), got %d (was the link cut off?)", fingerprintLen, len(fp))
	}
	if len(fp) != fingerprintLen {
		return invalid("fp must be %d hex characters (SHA-256), got %d", fingerprintLen, len(fp))
	}
	return nil
}

func isHexDigit(c rune) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func bracket(host string) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]"
	}
	return host
}

func invalid(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, a...))
}

// NewToken returns a fresh party token: 32 random bytes, base64url without
// padding (43 characters).
func NewToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("read random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// unwrap takes off what a link picks up on its way through chat and mail: surrounding
// space, a pair of <>, (), [] or quotes around it, a closing one alone after a link that
// starts the text (`concordia://…"`), and a sentence's . , ; or : after it ("join
// concordia://…/TOKEN."). None of it can belong to an invite: a token is base64url and a
// fingerprint hex. (A trailing ? or ! is left for Parse to explain.)
func unwrap(s string) string {
	for {
		before := s
		s = strings.TrimRight(strings.TrimSpace(s), ".,;:")
		for _, p := range []string{"<>", "()", "[]", `""`, "''", "``"} {
			if len(s) >= 2 && s[0] == p[0] && s[len(s)-1] == p[1] {
				s = s[1 : len(s)-1]
			}
		}
		if hasScheme(s) {
			s = trimEnd(s, closers)
		}
		if s == before {
			return s
		}
	}
}
