package signals

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/perushtitsa/council/server/model"
)

// countsHeader names the columns of the analysis's table of counts, in CSV and XLSX alike.
var countsHeader = []string{"month", "kind", "service", "service_name", "status", "count"}

// StatsCSV writes the analysis's counts, one row per month, kind, service and status with any
// signal, after a UTF-8 byte-order mark so that spreadsheet programs read Cyrillic right.
func StatsCSV(st *model.SignalStats) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	w := csv.NewWriter(&buf)
	if err := w.Write(countsHeader); err != nil {
		return nil, err
	}
	names := serviceNames(st)
	for _, c := range st.Counts {
		row := []string{c.Month, c.Kind, c.Service, noFormula(names[c.Service]), c.Status, strconv.Itoa(c.Count)}
		if err := w.Write(row); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// noFormula keeps a spreadsheet from running text as a formula.
func noFormula(s string) string {
	if s != "" && strings.ContainsRune("=+-@", rune(s[0])) {
		return "'" + s
	}
	return s
}

func serviceNames(st *model.SignalStats) map[string]string {
	names := map[string]string{}
	for _, t := range st.ByService {
		names[t.Key] = t.Label
	}
	return names
}

// StatsXLSX writes the analysis as a spreadsheet: a summary, the counts, and one sheet per
// dimension (the tables beside the page's charts).
func StatsXLSX(st *model.SignalStats) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", "summary"); err != nil {
		return nil, err
	}
	rows := [][]any{{"metric", "value"},
		{"from", st.From.In(sofia).Format("2006-01-02")},
		{"to", st.To.In(sofia).AddDate(0, 0, -1).Format("2006-01-02")},
		{"answer_days", st.AnswerDays},
		{"total", st.Total},
		{"answered", st.Answered},
		{"median_days_to_first_answer", floatOrEmpty(st.MedianDays)},
		{"due", st.Due},
		{"answered_within_answer_days", st.Within},
		{"share_answered_within_answer_days", floatOrEmpty(st.Share)}}
	if err := writeRows(f, "summary", rows); err != nil {
		return nil, err
	}
	names := serviceNames(st)
	counts := [][]any{anyRow(countsHeader)}
	for _, c := range st.Counts {
		counts = append(counts, []any{c.Month, c.Kind, c.Service, names[c.Service], c.Status, c.Count})
	}
	sheets := []struct {
		name    string
		rows    [][]any
		tallies []model.Tally
	}{{"counts", counts, nil}, {"by_month", nil, st.ByMonth}, {"by_kind", nil, st.ByKind},
		{"by_service", nil, st.ByService}, {"by_status", nil, st.ByStatus}}
	for _, sh := range sheets {
		if sh.rows == nil {
			sh.rows = tallyRows(sh.tallies)
		}
		if _, err := f.NewSheet(sh.name); err != nil {
			return nil, err
		}
		if err := writeRows(f, sh.name, sh.rows); err != nil {
			return nil, err
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func tallyRows(ts []model.Tally) [][]any {
	rows := [][]any{{"key", "name", "count"}}
	for _, t := range ts {
		rows = append(rows, []any{t.Key, t.Label, t.Count})
	}
	return rows
}

func anyRow(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func floatOrEmpty(f *float64) any {
	if f == nil {
		return ""
	}
	return *f
}

func writeRows(f *excelize.File, sheet string, rows [][]any) error {
	for i, row := range rows {
		if err := f.SetSheetRow(sheet, fmt.Sprintf("A%d", i+1), &row); err != nil {
			return err
		}
	}
	return nil
}
