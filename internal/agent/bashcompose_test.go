package agent

import (
	"testing"

	"github.com/concordia-party/concordia/internal/testkit"
)

// A name built of pieces in the command line is read as the shell would build it: a
// security tester's commands each read .env unasked under an "always" for Bash, and its
// output went to every member.
func TestBashSecretComposedNames(t *testing.T) {
	dir := dirWith(t, ".env", "main.go", "README.md")
	testkit.WriteFile(t, dir, "config/secrets.yml", "k: v")
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
		{"find . -iname \"?env\"", ".env"},
		// What names nothing: a word that is only an expansion, an unknown folder, text
		// that matches no secret, and patterns of find's that match none.
		{"for f in *.go; do wc -l $f; done", ""},
		{"cat \"$(ls | head -1)\"", ""},
		{"cat $dir/main.go", ""},
		{"go build -o ${OUT}/app .", ""},
		{"echo ${name}.md", ""},
		{"x=main; cat $x.go", ""},
		{"find . -name '*.go' | xargs wc -l", ""},
		{"git log --format='%h %s' -n $(( 3 + 2 ))", ""},
	} {
		if got := bashSecretOf(c.command, dir); got != c.want {
			t.Errorf("bashSecret(%q) = %q, want %q", c.command, got, c.want)
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
		got = append(got, w.resolve(map[string][]string{"x": {"X"}})...)
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
	if v := cmds[0][0].resolve(nil); len(v) != 1 || v[0] != "x=a b" {
		t.Errorf("assignment = %q, want [x=a b]", v)
	}
}
