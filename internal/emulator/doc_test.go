package emulator

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// doc.go's "Where things are" names every file and sub-package of the
// emulator, and nothing that is not there.
func TestDocMapsEveryFile(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "// # Where things are")
	if !ok {
		t.Fatal(`doc.go has no "Where things are"`)
	}
	mapped := regexp.MustCompile(`[a-z_]+\.go\b|[a-z]+/`).FindAllString(section, -1)
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, e := range entries {
		name := e.Name()
		switch {
		case e.IsDir() && name != "testdata":
			files = append(files, name+"/")
		case strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") && name != "doc.go":
			files = append(files, name)
		}
	}
	for _, f := range files {
		if !slices.Contains(mapped, f) {
			t.Errorf("doc.go does not say what %s holds", f)
		}
	}
	for _, m := range mapped {
		if !slices.Contains(files, m) {
			t.Errorf("doc.go names %s, which is not there", m)
		}
	}
}
