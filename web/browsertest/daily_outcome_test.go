package browsertest

import (
	"fmt"
	"strings"
	"testing"
)

// longSummary is an outcome summary whose 220th character falls just after a full stop, where
// a cut excerpt would read ".…".
var longSummary = "Съветът прие предложението за приемно време в сряда до 19 ч. и за кратка анкета на гишето след всяка услуга. " +
	"Общината ще въведе двете мерки до края на годината и ще отчете резултатите пред съвета на следващото заседание. " +
	"Годишното онлайн проучване се отлага за следващата година, когато ще има и електронни услуги."

// rollCall reads a proposal's roll call on the outcome page: "name: choice (reason)" per voter.
func rollCall(proposalTitle string) string {
	return fmt.Sprintf(`[...%s.querySelectorAll("[data-roll-call] li")].map(li => li.querySelector(".voter").textContent + ": " + li.querySelector("[data-choice]").textContent + (li.querySelector("q") ? " (" + li.querySelector("q").textContent + ")" : "")).join("; ")`, proposalWith2(proposalTitle))
}

// proposalWith2 finds a proposal on the outcome page by its title.
func proposalWith2(title string) string {
	return fmt.Sprintf(`[...document.querySelectorAll(".proposal")].find(p => p.querySelector("h3").textContent === %q)`, title)
}

// The outcome page of an open ballot: the roll call with names, choices and reasons; the split
// by group whole at a phone's width; the record as CSV with a byte-order mark and as a real
// xlsx; the site's icon. A round closed without topics says none were opened; the home page's
// excerpt of a long summary is cut between words and never reads ".…".
func TestDailyOutcomePage(t *testing.T) {
	w := seed(t)
	closed := w.closedRound(t)
	bare, _ := w.newRound(t, "Табели с работното време", "open", "", 50, "Табела на входа")
	w.admin.call("POST", fmt.Sprintf("/api/v1/rounds/%d/close", bare), map[string]string{"outcome_summary": longSummary}, nil)
	browser := newBrowser(t)
	v := newSession(t, browser, w.srv.URL)
	for _, width := range widths {
		v.viewport(width)
		v.open(w.path("rounds", closed))
		if got := eval[string](v, rollCall("Кратка анкета на гишето")); got != "Иван Георгиев: За (Три въпроса отнемат минута.); Стоян Иванов: За (Кратко и на място, докато услугата е прясна.)" {
			t.Errorf("%d px: the roll call: %q", width, got)
		}
		if got := eval[string](v, rollCall("Годишно онлайн проучване")); got != "Иван Георгиев: Против; Стоян Иванов: Въздържал се" {
			t.Errorf("%d px: the second roll call: %q", width, got)
		}
		fit := eval[map[string]any](v, js(`(() => {
			const boxes = [...document.querySelectorAll(".result .table-scroll")];
			const cells = [...document.querySelectorAll("table.groups td.num")];
			const cut = cells.filter(td => { const r = td.getBoundingClientRect(), b = td.closest(".table-scroll").getBoundingClientRect();
				return r.width === 0 || r.left < b.left - 0.5 || r.right > b.right + 0.5 || r.right > innerWidth; });
			return {page: document.documentElement.scrollWidth <= document.documentElement.clientWidth, boxes: boxes.length,
				scroll: boxes.filter(b => b.scrollWidth > b.clientWidth).length, cells: cells.length, cut: cut.map(td => td.textContent.trim())};
		})()`))
		if fit["page"] != true || fit["boxes"] != float64(2) || fit["scroll"] != float64(0) || fit["cells"] != float64(16) || len(fit["cut"].([]any)) != 0 {
			t.Errorf("%d px: the split by group does not fit: %v", width, fit)
		}
	}

	dl := eval[map[string]any](v, js(`(async () => {
		const head = async (sel, n) => { const a = document.querySelector(sel); const r = await fetch(a.href);
			return {status: r.status, type: r.headers.get("content-type"), bytes: [...new Uint8Array(await r.arrayBuffer())].slice(0, n), download: a.hasAttribute("download")}; };
		return {csv: await head('a[href$="/record.csv"]', 3), xlsx: await head('a[href$="/record.xlsx"]', 4), icon: await head('link[rel="icon"]', 4)};
	})()`))
	csv, xlsx, icon := dl["csv"].(map[string]any), dl["xlsx"].(map[string]any), dl["icon"].(map[string]any)
	if fmt.Sprint(csv["bytes"]) != "[239 187 191]" || csv["status"] != float64(200) {
		t.Errorf("record.csv does not start with a UTF-8 byte-order mark: %v", csv)
	}
	if xlsx["status"] != float64(200) || xlsx["type"] != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" ||
		fmt.Sprint(xlsx["bytes"]) != "[80 75 3 4]" || xlsx["download"] != true {
		t.Errorf("record.xlsx is not a spreadsheet: %v", xlsx)
	}
	if icon["status"] != float64(200) || icon["type"] != "image/x-icon" || fmt.Sprint(icon["bytes"]) != "[0 0 1 0]" {
		t.Errorf("the icon: %v", icon)
	}

	for lang, want := range map[string]string{"bg": "В тази консултация не бяха открити теми.", "en": "No topics were opened in this consultation."} {
		v.open(w.path("rounds", bare) + "?lang=" + lang)
		if got := v.text(".debate .empty"); got != want {
			t.Errorf("%s: a round closed without topics says %q", lang, got)
		}
	}
	v.open("/?lang=bg")
	for _, width := range widths {
		v.viewport(width)
		v.open("/")
		ex := eval[map[string]any](v, `(() => { const e = [...document.querySelectorAll(".summary-excerpt")].find(p => p.textContent.startsWith("Съветът прие предложението"));
			return {text: e.textContent, clipped: e.scrollHeight > e.clientHeight + 1}; })()`)
		text := ex["text"].(string)
		if !strings.HasSuffix(text, "…") || strings.HasSuffix(text, ".…") || len([]rune(text)) > 221 {
			t.Errorf("%d px: the excerpt %q", width, text)
		}
		if ex["clipped"] != false {
			t.Errorf("%d px: the excerpt is cut again by the page, where it may read \".…\"", width)
		}
	}
}
