package agent

import (
	"fmt"
	"strings"
	"testing"

	"github.com/concordia-party/concordia/internal/testkit"
	"github.com/concordia-party/concordia/internal/workspace"
)

// A name built of pieces in the command line is read as the shell would build it: a
// security tester's commands each read .env unasked under an "always" for Bash, and its
// output went to every member.
func TestBashSecretComposedNames(t *testing.T) {
	dir := dirWith(t, ".env", "main.go", "README.md", ".yarnrc.yml")
	testkit.WriteFile(t, dir, "config/secrets.yml", "k: v")
	for i := range 63 {
		testkit.WriteFile(t, dir, fmt.Sprintf("d/%d/x", i), "")
	}
	for _, c := range []bashCase{
		// An expansion whose value the line does not give, beside text of the name's own.
		{"base64 .e$(true)nv", ".env"},
		{"base64 .e`true`nv", ".env"},
		{"base64 .e$@nv", ".env"},
		{"base64 .e${_:0:0}nv", ".env"},
		{"base64 .e$((0))nv | rev", ".env"},
		{`cat "$(printf .en)"v | base64`, ".env"},
		{"cat `echo .e`nv | base64", ".env"},
		{"cat $(printf .en)v | base64", ".env"},
		// What the line assigns.
		{"a=.en; base64 ${a}v", ".env"},
		{"x=e; base64 .${x}nv", ".env"},
		{"f=.e; f=${f}nv; cat $f", ".env"},
		{"export F=.e; cat \"${F}nv\"", ".env"},
		{"for f in .e x; do cat ${f}nv; done", ".env"},
		{"d=config; cat $d/secret$(echo s).yml", "config/secrets.yml"},
		// find's patterns match dotted names.
		{"find . -maxdepth 1 -name '?env' -exec base64 {} \\;", ".env"},
		{"find . -name '*nv' | xargs base64", ".env"},
		{"find . -iname \"?env\" -exec cat {} +", ".env"},
		// A reviewer's: an assignment that may not run does not replace the one before; a
		// cap passed counts as naming a secret; the patterns before it do not spend the
		// budget of what the line builds.
		{"x=e; false && x=q; base64 .${x}nv", ".env"},
		{"x=e; [ -n \"$Z\" ] || x=q; base64 .${x}nv", ".env"},
		{"for f in 1 2 3 4 5 6 7 8 9 .e; do base64 ${f}nv; done", ".env"},
		{"for f in " + manyWords(16) + " .e; do base64 ${f}nv; done", workspace.Environment},
		{strings.Repeat("echo a$(x)b; ", 70) + "true", workspace.Environment},
		{"ls d/*/*; base64 .e$(true)nv", ".env"},
		// A heredoc's text is data, but for a shell's script.
		{"bash <<EOF\nbase64 .e$(true)nv\nEOF", ".env"},
		// A second security tester's: a heredoc piped to a shell, or to a wrapped one, is
		// its script; a word too long to put together counts as naming a secret.
		{"cat <<'EOF' | bash\nx=.e; cat ${x}nv\nEOF", ".env"},
		{"bash -c 'x=.e; cat ${x}nv'", ".env"},
		{"sh -c \"x=.e; cat \\${x}nv\"", ".env"},
		{"eval 'x=.e && cat ${x}nv'", ".env"},
		{"sudo bash <<EOF\nx=.e; cat ${x}nv\nEOF", ".env"},
		{". /dev/stdin <<EOF\nx=.e; cat ${x}nv\nEOF", ".env"},
		{"x=ab; x=cd; echo " + strings.Repeat("$x", 300), workspace.Environment},
		// What names nothing: a word that is only an expansion, an unknown folder, text
		// that matches no secret, and patterns of find's that match none.
		{"for f in *.go; do wc -l $f; done", ""},
		{"cat \"$(ls | head -1)\"", ""},
		{"cat $dir/main.go", ""},
		{"go build -o ${OUT}/app .", ""},
		{"echo ${name}.md", ""},
		{"x=main; cat $x.go", ""},
		{"find . -name '*.go' | xargs wc -l", ""},
		// A reviewer's false positives: a '*' for a whole stem matches no dotted name,
		// text of dots alone is no name, a heredoc's text is the command's data, and find
		// lists names without reading them.
		{"ls *.$ext", ""},
		{`mv "$name.$ext" out/`, ""},
		{`convert "$f" "${f%.*}.$fmt"`, ""},
		{`jq ".$key" main.go`, ""},
		{`find . -name "*.$EXT"`, ""},
		{`echo "${a}.${b}"`, ""},
		{`echo -n $(cat VERSION).$(git rev-parse --short HEAD)`, ""},
		{"git commit -F - <<'EOF'\nrename $name.$ext and .e$(x)nv\nEOF", ""},
		{"cat > ci.yml <<EOF\nname: ${{ matrix.os }}.${{ matrix.arch }}\nEOF", ""},
		{"find . -name '*.yml'", ""},
		{"ls -la ~/.${tool}", ""},
		{"git log --format='%h %s' -n $(( 3 + 2 ))", ""},
	} {
		if got := bashSecretOf(c.command, dir); got != c.want {
			t.Errorf("bashSecret(%q) = %q, want %q", c.command, got, c.want)
		}
	}
}

// Past the 4 KB read of a command line, what follows a heredoc's text is still read (a
// second security tester's `cat .env` after 170 lines of heredoc ran unasked), and what
// is too long to read without the heredocs counts as naming a secret.
func TestALongCommandIsReadPastItsHeredoc(t *testing.T) {
	dir := dirWith(t, ".env", "main.go")
	body := strings.Repeat("a line of notes for the file, nothing to run here\n", 170)
	for _, c := range []bashCase{
		{"cat > NOTES.md <<'EOF'\n" + body + "EOF\ncat .env", ".env"},
		{"cat > NOTES.md <<'EOF'\n" + body + "EOF\nx=.e; cat ${x}nv | base64", ".env"},
		{"cat > NOTES.md <<'EOF'\n" + body + "EOF\ngo test ./...", ""},
		{"echo " + strings.Repeat("word ", 1000) + "; cat main.go", workspace.Environment},
	} {
		if got := bashSecretOf(c.command, dir); got != c.want {
			t.Errorf("bashSecret(%.60q…) = %q, want %q", c.command, got, c.want)
		}
	}
}

// The words of a line as the shell splits them: expansions kept whole, quotes taken off.
func TestSplitComposed(t *testing.T) {
	cmds := splitComposed(`x='a b'; cat "$(printf '.e n')"v ${x}y $'\x2e'z <in >out`)
	if len(cmds) != 2 {
		t.Fatalf("commands = %d, want 2: %#v", len(cmds), cmds)
	}
	var got []string
	for _, w := range cmds[1] {
		got = append(got, w.resolve(map[string][]string{"x": {"X"}}, nil)...)
	}
	want := []string{"cat", unknownPart + "v", "Xy", ".z", "in", "out"}
	if len(got) != len(want) {
		t.Fatalf("words = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("word %d = %q, want %q", i, got[i], want[i])
		}
	}
	if v := cmds[0][0].resolve(nil, nil); len(v) != 1 || v[0] != "x=a b" {
		t.Errorf("assignment = %q, want [x=a b]", v)
	}
}

// manyWords is n words, each another: w1 w2 ….
func manyWords(n int) string {
	words := make([]string, n)
	for i := range words {
		words[i] = fmt.Sprintf("w%d", i+1)
	}
	return strings.Join(words, " ")
}

// FuzzBashSecret: no command line makes the reader panic (it runs on the agent's stream
// and on the hook: a slice past an unclosed ${ would end the host).
func FuzzBashSecret(f *testing.F) {
	for _, s := range []string{"cat .e$(true)nv", "x=e; cat .${x}nv", "echo ${", "bash <<EOF\ncat .env\nEOF", "bash -c 'x=.e; cat ${x}nv'", "find . -name '*nv' -exec cat {} +", "a`b", "$'\\x2e'env"} {
		f.Add(s)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, line string) {
		bashSecretOf(line, dir)
	})
}
