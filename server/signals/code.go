package signals

import (
	"crypto/rand"
	"strings"

	"github.com/perushtitsa/council/server/council"
)

// codeAlphabet is Crockford's base32: digits and letters without I, L, O and U, so that a code
// read aloud or copied by hand from paper cannot be mistaken.
const codeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// codeLength is the number of characters of a tracking code: 16 × 5 = 80 random bits, far
// beyond guessing (the contract asks for at least 60), written as four groups of four.
const codeLength = 16

// newCode returns a fresh tracking code, e.g. "7K3M-QX9P-2HWR-TB4N".
func newCode() string {
	b := make([]byte, codeLength)
	if _, err := rand.Read(b); err != nil {
		panic("signals: no randomness: " + err.Error())
	}
	var out strings.Builder
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			out.WriteByte('-')
		}
		out.WriteByte(codeAlphabet[c&31]) // 256 is a multiple of 32: every character equally likely
	}
	return out.String()
}

// NormaliseCode reads a tracking code as a person may type it — any case, with or without
// dashes and spaces, O for 0, I or L for 1 — and writes it in its canonical form; ok is false
// for anything that cannot be a code.
func NormaliseCode(s string) (string, bool) {
	if len(s) > 64 {
		return "", false
	}
	var raw []byte
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == '-' || r == ' ':
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		}
		if r > 127 || !strings.ContainsRune(codeAlphabet, r) {
			return "", false
		}
		raw = append(raw, byte(r))
	}
	if len(raw) != codeLength {
		return "", false
	}
	var out strings.Builder
	for i, c := range raw {
		if i > 0 && i%4 == 0 {
			out.WriteByte('-')
		}
		out.WriteByte(c)
	}
	return out.String(), true
}

// codeHash is what the database keeps of a tracking code.
func codeHash(code string) string { return council.HashToken("signal:" + code) }
