package surveys

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/store"
)

// Answer codes are printed on slips at a counter and typed in by people of every age, or read
// from the slip's QR code. Twelve characters of Crockford's base32 (no I, L, O or U, which
// read as other characters) make 60 random bits: guessing one of even a hundred thousand
// codes takes, on average, more than 5·10^12 tries.
const (
	codeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	codeLength   = 12
	// MaxCodesPerRequest bounds one request, so that printing a batch stays quick.
	MaxCodesPerRequest = 5000
	// MaxCodesPerSurvey bounds the codes of one survey.
	MaxCodesPerSurvey = 100000
)

// newCode returns a fresh code in its printed form, XXXX-XXXX-XXXX.
func newCode() string {
	var b [codeLength]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("surveys: no randomness: " + err.Error())
	}
	var sb strings.Builder
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte(codeAlphabet[c&31])
	}
	return sb.String()
}

// NormaliseCode reads a code as a person may type it: in any case, with spaces or dashes, an
// O for a zero and an I or L for a one. It returns the code in its printed form, or "" when
// it cannot be a code.
func NormaliseCode(s string) string {
	var sb strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == ' ' || r == '-' || r == '\t':
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		}
		if !strings.ContainsRune(codeAlphabet, r) || sb.Len() >= codeLength+2 {
			return ""
		}
		if sb.Len() == 4 || sb.Len() == 9 {
			sb.WriteByte('-')
		}
		sb.WriteRune(r)
	}
	if sb.Len() != codeLength+2 {
		return ""
	}
	return sb.String()
}

// checkCode validates a code as sent with a response.
func checkCode(raw string) (string, error) {
	if strings.TrimSpace(raw) == "" {
		return "", council.FieldError(council.CodeValidation, "This survey is answered with a code from a slip.", "code", council.FieldRequired, "enter the code from your slip")
	}
	code := NormaliseCode(raw)
	if code == "" {
		return "", council.FieldError(council.CodeValidation, "No such answer code for this survey.", "code", council.FieldInvalid, "no such code for this survey")
	}
	return code, nil
}

// IssueCodes makes n new one-time answer codes for a survey of codes, draft or open: its
// creator or an admin. Only their hashes are kept: the codes are shown once, to be printed.
func (s *Service) IssueCodes(ctx context.Context, actor *model.User, id int64, n int) ([]string, error) {
	if n < 1 || n > MaxCodesPerRequest {
		return nil, council.FieldError(council.CodeValidation, "Some fields are not valid.", "count", council.FieldInvalid,
			fmt.Sprintf("must be from 1 to %d", MaxCodesPerRequest))
	}
	var codes []string
	err := s.manage(ctx, actor, id, func(tx *store.SurveyTx, sv *model.Survey) error {
		switch {
		case sv.Audience != model.AudienceCodes:
			return council.Errorf(council.CodeConflict, "Only a survey answered with codes has answer codes.")
		case sv.Status == model.StatusClosed:
			return council.Errorf(council.CodeConflict, "The survey has closed.")
		case sv.CodesIssued+n > MaxCodesPerSurvey:
			return council.FieldError(council.CodeValidation, "Some fields are not valid.", "count", council.FieldTooLong,
				fmt.Sprintf("a survey has at most %d codes; %d are issued", MaxCodesPerSurvey, sv.CodesIssued))
		}
		codes = make([]string, n)
		hashes := make([]string, n)
		for i := range codes {
			codes[i] = newCode()
			hashes[i] = council.HashToken(codes[i])
		}
		return tx.AddCodes(ctx, hashes)
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}
