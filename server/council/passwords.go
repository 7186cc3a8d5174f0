package council

import (
	_ "embed"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MinPassword is the shortest password accepted.
const MinPassword = 10

// commonPasswords are passwords of ten characters or more that appear near the top of every
// list of leaked passwords, plus the local ones an attacker of this platform would try first;
// one per line, lower case.
//
//go:embed common_passwords.txt
var commonPasswordList string

var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	for _, line := range strings.Split(commonPasswordList, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			m[strings.ToLower(line)] = true
		}
	}
	return m
}()

// keyboardRows are runs of keys an easy password follows (Latin and the Bulgarian layouts).
var keyboardRows = []string{
	"1234567890", "0987654321", "qwertyuiop", "asdfghjkl", "zxcvbnm", "qwertzuiop", "azertyuiop",
	"явертъуиопшщ", "асдфгхйкл", "зьцжбнм", "уеишщксдзц", "ьяаожгтнвм", "юйъэфхпрлб",
}

// checkNewPassword validates a password being set: long enough, not too long for bcrypt, and
// not weak — all one character, a run of keys or letters, a short pattern repeated, one of the
// most common passwords, or the account's own email or name.
func checkNewPassword(v Validation, field, password, email, name string) {
	switch {
	case utf8.RuneCountInString(password) < MinPassword:
		v.Add(field, FieldTooShort, "must be at least 10 characters")
	case len(password) > 72:
		v.Add(field, FieldTooLong, "must be at most 72 bytes")
	case !utf8.ValidString(password):
		v.Add(field, FieldInvalid, "must be valid UTF-8")
	case weakPassword(password, email, name):
		v.Add(field, FieldTooWeak, "is too easy to guess: avoid repeated characters, runs of keys, common passwords, your name and your email")
	}
}

// weakPassword reports whether a password of acceptable length is still easy to guess.
func weakPassword(password, email, name string) bool {
	p := strings.ToLower(strings.TrimSpace(password))
	squeezed := strings.ReplaceAll(p, " ", "")
	if squeezed == "" || commonPasswords[p] || commonPasswords[squeezed] {
		return true
	}
	if repeats(squeezed, 4) || monotonic(squeezed) {
		return true
	}
	for _, row := range keyboardRows {
		if strings.Contains(row, squeezed) {
			return true
		}
	}
	email = strings.ToLower(strings.TrimSpace(email))
	local, _, _ := strings.Cut(email, "@")
	for _, own := range []string{email, local, strings.ToLower(name)} {
		if own = strings.ReplaceAll(strings.TrimSpace(own), " ", ""); own != "" && (squeezed == own || repeats2(squeezed, own)) {
			return true
		}
	}
	return false
}

// repeats reports whether s is one block of at most n characters written over and over
// ("aaaaaaaaaa", "1212121212", "abcabcabca").
func repeats(s string, n int) bool {
	r := []rune(s)
	for p := 1; p <= n && p < len(r); p++ {
		same := true
		for i := p; i < len(r); i++ {
			if r[i] != r[i-p] {
				same = false
				break
			}
		}
		if same {
			return true
		}
	}
	return false
}

// repeats2 reports whether s is own written more than once in a row ("ivanivanivan").
func repeats2(s, own string) bool {
	return len(s) > len(own) && strings.Trim(s, own) == "" && strings.HasPrefix(s, own)
}

// monotonic reports whether every character follows the one before by one step up, or every one
// by one step down ("abcdefghij", "9876543210").
func monotonic(s string) bool {
	r := []rune(s)
	up, down := true, true
	for i := 1; i < len(r); i++ {
		if !unicode.IsLetter(r[i]) && !unicode.IsDigit(r[i]) {
			return false
		}
		up = up && r[i] == r[i-1]+1
		down = down && r[i] == r[i-1]-1
	}
	return up || down
}
