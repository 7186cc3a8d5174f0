package web

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func TestPluralForms(t *testing.T) {
	tr := translations(t)
	cases := []struct {
		lang string
		n    int
		want string
	}{
		{"bg", 0, "0 членове"},
		{"bg", 1, "1 член"},
		{"bg", 2, "2 членове"},
		{"bg", 11, "11 членове"},
		{"bg", 21, "21 членове"},
		{"en", 0, "0 members"},
		{"en", 1, "1 member"},
		{"en", 5, "5 members"},
	}
	for _, c := range cases {
		t.Run(c.lang+"/"+c.want, func(t *testing.T) {
			if got := tr.N(c.lang, "council.members", c.n); got != c.want {
				t.Errorf("N(%s, council.members, %d) = %q, want %q", c.lang, c.n, got, c.want)
			}
		})
	}
}

func TestPluralWithIndexedArguments(t *testing.T) {
	tr := translations(t)
	if got, want := tr.N("en", "outcomes.adopted_of", 3, 2), "2 of 3 proposals adopted."; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := tr.N("bg", "outcomes.adopted_of", 1, 1), "Прието: 1 от 1 предложение."; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestTranslateFallsBack(t *testing.T) {
	tr := translations(t)
	if got := tr.T("xx", "nav.home"); got != "Начало" {
		t.Errorf("unknown language: got %q, want the default language's text", got)
	}
	if got := tr.T("en", "no.such.key"); got != "no.such.key" {
		t.Errorf("missing key: got %q, want the key", got)
	}
	if got := tr.T("en", "me.hello", "Мария"); got != "Hello, Мария." {
		t.Errorf("got %q", got)
	}
	if Lang("en") != "en" || Lang("de") != "bg" || Lang("") != "bg" {
		t.Error("Lang does not pick supported languages only")
	}
}

// Every language has exactly the same keys, with plural forms where the other has them.
func TestLanguagesHaveTheSameKeys(t *testing.T) {
	tr := translations(t)
	bg := tr.Keys("bg")
	en := tr.Keys("en")
	if strings.Join(bg, "\n") != strings.Join(en, "\n") {
		missing := func(a, b []string) []string {
			have := map[string]bool{}
			for _, k := range b {
				have[k] = true
			}
			var out []string
			for _, k := range a {
				if !have[k] {
					out = append(out, k)
				}
			}
			return out
		}
		t.Fatalf("keys differ: only in bg %v, only in en %v", missing(bg, en), missing(en, bg))
	}
	for _, k := range bg {
		if tr.IsPlural("bg", k) != tr.IsPlural("en", k) {
			t.Errorf("%s is plural in one language only", k)
		}
		if tr.IsPlural("bg", k) {
			for _, lang := range Langs {
				m := tr.msgs[lang][k]
				if m.plural["one"] == "" || m.plural["other"] == "" {
					t.Errorf("%s/%s lacks the one or other form", lang, k)
				}
			}
		}
	}
}

// Every key the templates name exists, and every dynamic family (status.%s …) is complete.
func TestTemplatesUseKnownKeys(t *testing.T) {
	tr := translations(t)
	re := regexp.MustCompile(`\{\{-?\s*(?:t|plural) "([^"]+)"|\((?:t|plural) "([^"]+)"`)
	files, _ := fs.Glob(templateFS, "templates/*.html")
	for _, f := range files {
		b, _ := fs.ReadFile(templateFS, f)
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			key := m[1] + m[2]
			for _, lang := range Langs {
				if _, ok := tr.msgs[lang][key]; !ok {
					t.Errorf("%s: key %q missing in %s", f, key, lang)
				}
			}
		}
	}
	families := map[string][]string{
		"status.%s":          {"draft", "open", "closed"},
		"ballot.%s":          {"open", "secret"},
		"group.%s":           {"citizen", "ngo", "business"},
		"group.plural.%s":    {"citizen", "ngo", "business"},
		"role.%s":            {"member", "moderator"},
		"outcome.%s":         {"adopted", "rejected", "no_quorum"},
		"vote.%s":            {"for", "against", "abstain"},
		"constituency.%s":    {"citizens", "ngos", "business", "mixed"},
		"errorpage.title_%s": {"400", "403", "404", "500", "503"},
		"month.%s":           {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"},
	}
	for format, values := range families {
		for _, v := range values {
			key := strings.Replace(format, "%s", v, 1)
			for _, lang := range Langs {
				if _, ok := tr.msgs[lang][key]; !ok {
					t.Errorf("key %q missing in %s", key, lang)
				}
			}
		}
	}
}

func TestDatesInSofia(t *testing.T) {
	tr := translations(t)
	summer := time.Date(2025, 6, 12, 21, 30, 0, 0, time.UTC) // 00:30 next day in Sofia (UTC+3)
	winter := time.Date(2025, 1, 5, 9, 5, 0, 0, time.UTC)    // 11:05 in Sofia (UTC+2)
	cases := []struct {
		lang string
		at   time.Time
		want string
	}{
		{"bg", summer, "13 юни 2025 г., 00:30 ч."},
		{"en", summer, "13 June 2025, 00:30"},
		{"bg", winter, "5 януари 2025 г., 11:05 ч."},
		{"en", winter, "5 January 2025, 11:05"},
	}
	for _, c := range cases {
		if got := FormatDateTime(tr, c.lang, c.at); got != c.want {
			t.Errorf("FormatDateTime(%s, %s) = %q, want %q", c.lang, c.at, got, c.want)
		}
	}
	if got, want := FormatDate(tr, "bg", summer), "13 юни 2025 г."; got != want {
		t.Errorf("FormatDate = %q, want %q", got, want)
	}
	if got := string(timeTag(tr, "en", &winter, true)); got != `<time datetime="2025-01-05T09:05:00Z">5 January 2025, 11:05</time>` {
		t.Errorf("timeTag = %s", got)
	}
	if got := timeTag(tr, "en", (*time.Time)(nil), true); got != "" {
		t.Errorf("timeTag(nil) = %q, want empty", got)
	}
}

func TestTimeLeft(t *testing.T) {
	tr := translations(t)
	now := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		lang string
		d    time.Duration
		want string
	}{
		{"bg", 2*24*time.Hour + 3*time.Hour, "2 дни и 3 часа"},
		{"bg", 1*time.Hour + 1*time.Minute, "1 час и 1 минута"},
		{"en", 90 * time.Second, "2 minutes"},
		{"en", 24 * time.Hour, "1 day"},
		{"en", 3 * time.Hour, "3 hours"},
		{"en", -time.Minute, ""},
	}
	for _, c := range cases {
		if got := FormatLeft(tr, c.lang, now, now.Add(c.d)); got != c.want {
			t.Errorf("FormatLeft(%s, %s) = %q, want %q", c.lang, c.d, got, c.want)
		}
	}
}

func TestPercent(t *testing.T) {
	for _, c := range []struct{ n, total, want int }{{0, 0, 0}, {1, 3, 33}, {2, 3, 67}, {5, 5, 100}, {7, 5, 100}} {
		if got := Percent(c.n, c.total); got != c.want {
			t.Errorf("Percent(%d, %d) = %d, want %d", c.n, c.total, got, c.want)
		}
	}
}

func translations(t *testing.T) *Translator {
	t.Helper()
	tr, err := Translations()
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// An area keeps its words in a file of its own (i18n/<lang>.<area>.json); the files of a
// language merge, and a key given twice is an error.
func TestAreaFilesMerge(t *testing.T) {
	fsys := fstest.MapFS{
		"i18n/bg.json":         {Data: []byte(`{"a": "а"}`)},
		"i18n/bg.signals.json": {Data: []byte(`{"signals.title": "Сигнали"}`)},
		"i18n/en.json":         {Data: []byte(`{"a": "a"}`)},
	}
	tr, err := LoadTranslator(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if got := tr.T("bg", "signals.title"); got != "Сигнали" {
		t.Fatalf("an area's word: %q", got)
	}
	fsys["i18n/bg.twice.json"] = &fstest.MapFile{Data: []byte(`{"a": "пак"}`)}
	if _, err := LoadTranslator(fsys); err == nil {
		t.Fatal("a key given twice was taken")
	}
}
