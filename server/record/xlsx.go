package record

import (
	"bytes"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/perushtitsa/council/server/model"
)

// Workbook writes a round's record as a spreadsheet: the results with the split by group, the
// named votes of an open ballot (with their reasons), and the debate, each on a sheet of its
// own, with the same column names as the CSV. Text goes into string cells, which a spreadsheet
// never evaluates, so it needs none of the CSV's guard against formulas.
func Workbook(in Input) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	sheets := []struct {
		name string
		rows [][]any
	}{
		{"results", resultRows(in)},
		{"votes", voteRows(in)},
		{"debate", debateRows(in)},
	}
	for i, sh := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sh.name); err != nil {
				return nil, err
			}
		} else if _, err := f.NewSheet(sh.name); err != nil {
			return nil, err
		}
		if err := writeRows(f, sh.name, sh.rows); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeRows(f *excelize.File, sheet string, rows [][]any) error {
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	return sw.Flush()
}

func resultRows(in Input) [][]any {
	header := []any{"round_id", "round_title", "proposal_id", "proposal_title", "for", "against", "abstain", "voters", "eligible", "outcome"}
	for _, g := range model.Groups {
		header = append(header, g+"_for", g+"_against", g+"_abstain", g+"_voters", g+"_eligible")
	}
	rows := [][]any{header}
	results := map[int64]model.Result{}
	for _, res := range in.Round.Results {
		results[res.ProposalID] = res
	}
	for _, p := range in.Proposals {
		if p.WithdrawnAt != nil {
			continue
		}
		res, ok := results[p.ID]
		if !ok && p.Tally != nil {
			res = model.Result{Counts: *p.Tally}
		}
		row := []any{in.Round.ID, in.Round.Title, p.ID, p.Title, res.For, res.Against, res.Abstain, res.Voters, res.Eligible, res.Outcome}
		for _, g := range model.Groups {
			gr := res.ByGroup[g]
			row = append(row, gr.For, gr.Against, gr.Abstain, gr.Voters, gr.Eligible)
		}
		rows = append(rows, row)
	}
	return rows
}

func voteRows(in Input) [][]any {
	rows := [][]any{{"proposal_id", "proposal_title", "voter_id", "voter", "organisation", "choice", "reason", "cast_at"}}
	for _, p := range in.Proposals {
		for _, v := range in.Votes[p.ID] {
			rows = append(rows, []any{p.ID, p.Title, v.Voter.ID, v.Voter.Name, v.Voter.Organisation, v.Choice,
				v.Reason, stamp(v.CastAt)})
		}
	}
	return rows
}

func debateRows(in Input) [][]any {
	rows := [][]any{{"topic_id", "topic_title", "post_no", "post_id", "reply_to", "author", "written_at", "edited_at", "state", "text"}}
	for _, t := range in.Topics {
		rows = append(rows, []any{t.ID, t.Title, 0, "", "", t.Author.Name, stamp(t.CreatedAt), "", "", t.Body})
		for i, p := range t.Posts {
			state := ""
			switch {
			case p.DeletedAt != nil:
				state = "deleted"
			case p.Hidden:
				state = "hidden: " + p.HiddenReason
			}
			reply := ""
			if p.ReplyTo != nil {
				reply = strconv.FormatInt(*p.ReplyTo, 10)
			}
			edited := ""
			if p.EditedAt != nil {
				edited = stamp(*p.EditedAt)
			}
			rows = append(rows, []any{t.ID, t.Title, i + 1, p.ID, reply, p.Author.Name, stamp(p.CreatedAt), edited, state, p.Body})
		}
	}
	return rows
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
