package council

import (
	"testing"

	"github.com/perushtitsa/council/server/model"
)

func TestOutcome(t *testing.T) {
	cases := []struct {
		name     string
		c        model.Counts
		eligible int
		quorum   int
		want     string
	}{
		{"no votes, no quorum needed", model.Counts{}, 10, 0, model.OutcomeRejected},
		{"no votes, quorum needed", model.Counts{}, 10, 1, model.OutcomeNoQuorum},
		{"exactly at quorum", model.Counts{For: 5, Voters: 5}, 10, 50, model.OutcomeAdopted},
		{"one short of quorum", model.Counts{For: 4, Voters: 4}, 10, 50, model.OutcomeNoQuorum},
		{"tie is rejected", model.Counts{For: 3, Against: 3, Voters: 6}, 10, 50, model.OutcomeRejected},
		{"abstentions count for quorum only", model.Counts{For: 1, Abstain: 5, Voters: 6}, 10, 60, model.OutcomeAdopted},
		{"more against", model.Counts{For: 2, Against: 3, Voters: 5}, 5, 100, model.OutcomeRejected},
		{"quorum 100 needs everyone", model.Counts{For: 4, Voters: 4}, 5, 100, model.OutcomeNoQuorum},
		{"rounding: 1 of 3 at 34%", model.Counts{For: 1, Voters: 1}, 3, 34, model.OutcomeNoQuorum},
		{"rounding: 1 of 3 at 33%", model.Counts{For: 1, Voters: 1}, 3, 33, model.OutcomeAdopted},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := outcome(tc.c, tc.eligible, tc.quorum); got != tc.want {
				t.Fatalf("outcome(%+v, %d, %d) = %s, want %s", tc.c, tc.eligible, tc.quorum, got, tc.want)
			}
		})
	}
}

func TestCheckText(t *testing.T) {
	long := make([]rune, MaxTitle+1)
	for i := range long {
		long[i] = 'ж'
	}
	cases := []struct {
		value string
		ok    bool
	}{
		{"Приемно време", true},
		{"   ", false},
		{"", false},
		{string(long[:MaxTitle]), true},
		{string(long), false},
		{"a\x00b", false},
		{"bad \xff byte", false},
		{"\u202eRTL", true},
	}
	for _, tc := range cases {
		v := Validation{}
		checkText(v, "title", tc.value, true, MaxTitle)
		if (len(v) == 0) != tc.ok {
			t.Errorf("checkText(%q): problems %v, want ok=%v", tc.value, v, tc.ok)
		}
	}
}
