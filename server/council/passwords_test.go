package council

import "testing"

func TestWeakPasswords(t *testing.T) {
	for _, tc := range []struct {
		password string
		weak     bool
	}{
		{"          ", true},
		{"aaaaaaaaaa", true},
		{"AAAAAAAAAAAA", true},
		{"1212121212", true},
		{"abcabcabcabc", true},
		{"abcdefghijk", true},
		{"9876543210", true},
		{"qwertyuiop", true},
		{"Password123", true},
		{"  parola1234  ", true},
		{"Perushtitsa", true},
		{"maria.petrova", true},             // the email's local part
		{"maria.petrova@example.org", true}, // the email
		{"Мария Петрова", true},             // the name, spaces and case aside
		{"мариямариямария", false},          // only part of the name
		{"correct horse battery", false},
		{"Пролетта идва рано", false},
		{"ab12cd34ef56", false},
	} {
		if got := weakPassword(tc.password, "Maria.Petrova@example.org", "Мария Петрова"); got != tc.weak {
			t.Errorf("%q: weak %v, want %v", tc.password, got, tc.weak)
		}
	}
	v := Validation{}
	checkNewPassword(v, "password", "short", "", "")
	checkNewPassword(v, "new_password", "aaaaaaaaaa", "", "")
	if v["password"].Code != FieldTooShort || v["new_password"].Code != FieldTooWeak {
		t.Fatalf("not refused: %v", v)
	}
}
