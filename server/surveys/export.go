package surveys

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/perushtitsa/council/server/model"
)

// Labels are the words of the downloads, in the language asked for: the HTTP surface
// translates them.
type Labels struct {
	Number, Question, Kind, Option, Count, Share, Mean, Response, Hidden string
	Kinds                                                                map[string]string
	ResultsSheet, ResponsesSheet                                         string
}

// byteOrderMark starts every CSV, so that spreadsheet programs read Cyrillic as UTF-8.
const byteOrderMark = "\ufeff"

// resultRows are the results as a table: per option (or scale value) its count and share, a
// scale's mean, each free-text answer on a row of its own.
func resultRows(res *model.SurveyResults, l Labels) [][]string {
	rows := [][]string{{l.Number, l.Question, l.Kind, l.Option, l.Count, l.Share}}
	for _, qr := range res.Questions {
		q := qr.Question
		head := []string{strconv.Itoa(q.ID), q.Text, l.Kinds[q.Kind]}
		for _, o := range qr.Options {
			rows = append(rows, append(head[:3:3], o.Label, strconv.Itoa(o.Count), fmt.Sprintf("%.1f%%", o.Share*100)))
		}
		if qr.Mean != nil {
			rows = append(rows, append(head[:3:3], l.Mean, fmt.Sprintf("%.2f", *qr.Mean), ""))
		}
		for _, t := range qr.Texts {
			text := t.Text
			if t.Hidden {
				text = l.Hidden
			}
			rows = append(rows, append(head[:3:3], text, "", ""))
		}
		if len(qr.Options) == 0 && len(qr.Texts) == 0 {
			rows = append(rows, append(head[:3:3], "", "0", ""))
		}
	}
	return rows
}

// responseRows are the responses as a table: one row each, one column per question, in the
// order of the responses' random ids.
func responseRows(sv *model.Survey, responses []model.Response, l Labels) [][]string {
	head := []string{l.Response}
	for _, q := range sv.Questions {
		head = append(head, fmt.Sprintf("%d. %s", q.ID, q.Text))
	}
	rows := [][]string{head}
	for i, r := range responses {
		row := make([]string, len(sv.Questions)+1)
		row[0] = strconv.Itoa(i + 1)
		for _, a := range r.Answers {
			if a.Question < 1 || a.Question > len(sv.Questions) {
				continue
			}
			row[a.Question] = answerText(sv.Questions[a.Question-1], a, r, l)
		}
		rows = append(rows, row)
	}
	return rows
}

func answerText(q model.Question, a model.Answer, r model.Response, l Labels) string {
	option := func(i int) string {
		if i >= 0 && i < len(q.Options) {
			return q.Options[i]
		}
		return ""
	}
	switch {
	case a.Choice != nil:
		return option(*a.Choice)
	case a.Choices != nil:
		parts := make([]string, 0, len(a.Choices))
		for _, c := range a.Choices {
			parts = append(parts, option(c))
		}
		return strings.Join(parts, "; ")
	case a.Value != nil:
		return strconv.Itoa(*a.Value)
	}
	if _, hidden := r.Hidden[a.Question]; hidden {
		return l.Hidden
	}
	return a.Text
}

// ResultsCSV is the results as CSV.
func ResultsCSV(res *model.SurveyResults, l Labels) ([]byte, error) {
	return writeCSV(resultRows(res, l))
}

// ResponsesCSV is every response as CSV.
func ResponsesCSV(sv *model.Survey, responses []model.Response, l Labels) ([]byte, error) {
	return writeCSV(responseRows(sv, responses, l))
}

func writeCSV(rows [][]string) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(byteOrderMark)
	w := csv.NewWriter(&buf)
	for _, row := range rows {
		for i := range row {
			row[i] = spreadsheetText(row[i])
		}
		if err := w.Write(row); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// spreadsheetText keeps a spreadsheet from reading an answer as a formula.
func spreadsheetText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// ResultsXLSX is a workbook of two sheets: the results and every response. Its cells hold
// text and numbers, never formulas.
func ResultsXLSX(sv *model.Survey, res *model.SurveyResults, responses []model.Response, l Labels) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", l.ResultsSheet); err != nil {
		return nil, err
	}
	if err := fillSheet(f, l.ResultsSheet, resultRows(res, l), []int{4, 5}); err != nil {
		return nil, err
	}
	if _, err := f.NewSheet(l.ResponsesSheet); err != nil {
		return nil, err
	}
	if err := fillSheet(f, l.ResponsesSheet, responseRows(sv, responses, l), nil); err != nil {
		return nil, err
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// fillSheet writes rows into a sheet, with the columns named numeric as numbers where they
// read as numbers.
func fillSheet(f *excelize.File, sheet string, rows [][]string, numeric []int) error {
	for i, row := range rows {
		cells := make([]any, len(row))
		for j, v := range row {
			cells[j] = v
			if i > 0 && contains(numeric, j) {
				if n, err := strconv.ParseFloat(strings.TrimSuffix(v, "%"), 64); err == nil {
					cells[j] = n
				}
			}
		}
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			return err
		}
		if err := f.SetSheetRow(sheet, cell, &cells); err != nil {
			return err
		}
	}
	return nil
}

func contains(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
