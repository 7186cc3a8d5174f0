package main

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// layers is what each package of ours may import of ours (docs/architecture.md draws it):
// dependencies point one way, from the HTTP surface through the rules to the store, and the
// shared vocabulary (model) imports nothing. A package not listed here must be added, with
// its place in the picture.
var layers = map[string][]string{
	"schema":          {},
	"realtime":        {},
	"server/model":    {},
	"server/markdown": {},
	"server/netlimit": {},
	"server/events":   {"server/model"},
	"server/record":   {"server/model", "server/events"},
	"server/store":    {"server/model", "schema"},
	"server/mail":     {"server/model", "server/store", "server/events", "web"},
	"server/council":  {"server/model", "server/store", "server/events", "server/record", "server/markdown", "server/mail", "server/bytecache"},
	"server/surveys":  {"server/model", "server/store", "server/council"},
	"server/signals":  {"server/model", "server/store", "server/council"},
	"web":             {"server/model"},
	"server/httpapi":  {"server/model", "server/council", "server/surveys", "server/signals", "server/events", "realtime", "web", "server/bytecache"},
	"server":          {"server/model", "server/council", "server/surveys", "server/signals", "server/store", "server/events", "server/httpapi", "server/netlimit", "realtime", "server/mail"},

	// A leaf beside the layers: a byte-bounded cache for httpapi's pages and council's records.
	"server/bytecache": {},

	// Test helpers: they build worlds and drive the built program.
	"server/testenv":  {"server/model", "server/council", "server/store", "server/mail"},
	"web/browsertest": {},
}

// TestLayers reads the imports of every package's non-test files and fails on one that the
// picture does not allow.
func TestLayers(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		pkg := filepath.ToSlash(rel)
		if pkg == "." || strings.Contains(pkg, "testdata") {
			return nil
		}
		allowed, ok := layers[pkg]
		if !ok {
			t.Errorf("package %s has no place in the layers: add it to docs/architecture.md and to this test", pkg)
			return nil
		}
		seen[pkg] = true
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			ours, isOurs := strings.CutPrefix(p, "github.com/perushtitsa/council/")
			if isOurs && !slices.Contains(allowed, ours) {
				t.Errorf("%s imports %s, which its layer does not allow (%s)", rel+"/"+filepath.Base(path), p, strings.Join(allowed, ", "))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for pkg := range layers {
		if !seen[pkg] {
			t.Errorf("the layers name %s, which has no code", pkg)
		}
	}
}
