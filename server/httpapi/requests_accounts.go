package httpapi

import "github.com/perushtitsa/council/server/council"

// The bodies of the accounts' endpoints (docs/api.md, "Accounts, mail and notifications").

type emailBody struct {
	Email string `json:"email"`
}

type passwordBody struct {
	Password string `json:"password"`
}

type passwordChangeBody struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

type profileBody struct {
	Name         *string         `json:"name"`
	Organisation *string         `json:"organisation"`
	Language     *string         `json:"language"`
	Notify       map[string]bool `json:"notify"`
}

func (b profileBody) input() council.ProfileInput {
	return council.ProfileInput{Name: b.Name, Organisation: b.Organisation, Language: b.Language, Notify: b.Notify}
}

type emailChangeBody struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}
