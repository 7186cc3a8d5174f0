package council

import "testing"

func TestOutcome(t *testing.T) {
	cases := []struct {
		name     string
		c        Counts
		eligible int
		quorum   int
		want     string
	}{
		{"no votes, no quorum needed", Counts{}, 10, 0, OutcomeRejected},
		{"no votes, quorum needed", Counts{}, 10, 1, OutcomeNoQuorum},
		{"exactly at quorum", Counts{For: 5, Voters: 5}, 10, 50, OutcomeAdopted},
		{"one short of quorum", Counts{For: 4, Voters: 4}, 10, 50, OutcomeNoQuorum},
		{"tie is rejected", Counts{For: 3, Against: 3, Voters: 6}, 10, 50, OutcomeRejected},
		{"abstentions count for quorum only", Counts{For: 1, Abstain: 5, Voters: 6}, 10, 60, OutcomeAdopted},
		{"more against", Counts{For: 2, Against: 3, Voters: 5}, 5, 100, OutcomeRejected},
		{"quorum 100 needs everyone", Counts{For: 4, Voters: 4}, 5, 100, OutcomeNoQuorum},
		{"rounding: 1 of 3 at 34%", Counts{For: 1, Voters: 1}, 3, 34, OutcomeNoQuorum},
		{"rounding: 1 of 3 at 33%", Counts{For: 1, Voters: 1}, 3, 33, OutcomeAdopted},
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
