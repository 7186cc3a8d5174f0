package web

import "testing"

func TestLangOf(t *testing.T) {
	for text, want := range map[string]string{
		"Работно време в събота":                 "bg",
		"Opening hours on Saturday":              "en",
		"Предлагам 9–12 ч. (like Plovdiv's ЦАО)": "bg",
		"12:00":         "",
		"OK":            "",
		"<p>Събота</p>": "bg", // markup letters are few beside the text
	} {
		if got := LangOf(text); got != want {
			t.Errorf("LangOf(%q) = %q, want %q", text, got, want)
		}
	}
	if got := langAttr("en", "Събота и неделя"); got != `lang="bg"` {
		t.Errorf("Bulgarian text on an English page: %q", got)
	}
	if got := langAttr("bg", "Събота и неделя"); got != "" {
		t.Errorf("Bulgarian text on a Bulgarian page: %q", got)
	}
}

func TestExcerpt(t *testing.T) {
	for _, c := range []struct {
		text string
		n    int
		want string
	}{
		{"Кратко.", 20, "Кратко."},
		{"Първо изречение. Второ изречение е дълго", 17, "Първо изречение…"},
		{"Първо  изречение.\n\nВторо", 16, "Първо изречение…"},
		{"Едно две три", 9, "Едно две…"},
		{"Дълга-дума-без-интервали", 5, "Дълга…"},
	} {
		if got := Excerpt(c.text, c.n); got != c.want {
			t.Errorf("Excerpt(%q, %d) = %q, want %q", c.text, c.n, got, c.want)
		}
	}
}

func TestQuorum(t *testing.T) {
	if QuorumVoters(7, 30) != 3 || !QuorumMet(3, 7, 30) || QuorumMet(2, 7, 30) {
		t.Errorf("30 %% of 7 needs 3 voters (2.1 rounded up)")
	}
	if QuorumVoters(10, 50) != 5 || !QuorumMet(5, 10, 50) || QuorumMet(4, 10, 50) {
		t.Errorf("50 %% of 10 needs 5 voters")
	}
}
