package record

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"

	"github.com/perushtitsa/council/server/model"
)

// ResultsCSV writes one row per proposal with its results — or, while the round is open, its
// tally where the round shows it — then the same counts for each member group.
func ResultsCSV(r *model.Round, proposals []model.Proposal) ([]byte, error) {
	results := map[int64]model.Result{}
	for _, res := range r.Results {
		results[res.ProposalID] = res
	}
	header := []string{"round_id", "round_title", "proposal_id", "proposal_title", "for", "against", "abstain", "voters", "eligible", "outcome"}
	for _, g := range model.Groups {
		header = append(header, g+"_for", g+"_against", g+"_abstain", g+"_voters", g+"_eligible")
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(header)
	n := strconv.Itoa
	id := func(v int64) string { return strconv.FormatInt(v, 10) }
	for _, p := range proposals {
		res, ok := results[p.ID]
		if !ok {
			res = model.Result{ProposalID: p.ID}
			if p.Tally != nil {
				res.Counts = *p.Tally
			}
		}
		row := []string{id(r.ID), spreadsheetText(r.Title), id(p.ID), spreadsheetText(p.Title), n(res.For), n(res.Against), n(res.Abstain),
			n(res.Voters), n(res.Eligible), res.Outcome}
		for _, g := range model.Groups {
			gr := res.ByGroup[g]
			row = append(row, n(gr.For), n(gr.Against), n(gr.Abstain), n(gr.Voters), n(gr.Eligible))
		}
		_ = w.Write(row)
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// spreadsheetText keeps a spreadsheet from reading a title as a formula.
func spreadsheetText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
