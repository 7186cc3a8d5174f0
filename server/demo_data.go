package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
)

// demoAccount is one sign-in the demo prints.
type demoAccount struct {
	Email, Password, What string
}

type demoPerson struct {
	email, name, org, group, role string
}

const demoPassword = "perushtitsa-2026"

var demoPeople = []demoPerson{
	{"moderator@perushtitsa.example", "Мария Петрова", "Община Перущица", model.GroupCitizen, model.RoleModerator},
	{"ivan@perushtitsa.example", "Иван Георгиев", "", model.GroupCitizen, model.RoleMember},
	{"elena@perushtitsa.example", "Елена Димитрова", "", model.GroupCitizen, model.RoleMember},
	{"ngo@perushtitsa.example", "Стоян Иванов", "Фондация „Коренях“", model.GroupNGO, model.RoleMember},
	{"npo@perushtitsa.example", "Надежда Колева", "Читалище „Отец Паисий 1873“", model.GroupNGO, model.RoleMember},
	{"business@perushtitsa.example", "Петър Стоянов", "Стоянов и син ООД", model.GroupBusiness, model.RoleMember},
	{"firma@perushtitsa.example", "Даниела Христова", "Лозарска изба „Перущица“ ЕООД", model.GroupBusiness, model.RoleMember},
}

// loadDemo fills the database with three Perushtitsa councils, one open round in the middle
// of its debate and one closed round with its published outcome. Everything goes through the
// service, so the record holds every step as it would in real use.
func loadDemo(ctx context.Context, svc *council.Service) ([]demoAccount, error) {
	admin, err := svc.CreateAdmin(ctx, "admin@perushtitsa.example", "Администратор на платформата", demoPassword)
	if err != nil {
		if ce, ok := council.AsError(err); ok && ce.Code == council.CodeConflict {
			return nil, errors.New("the demo is already loaded in this database (admin@perushtitsa.example exists)")
		}
		return nil, err
	}
	accounts := []demoAccount{{admin.Email, demoPassword, "site admin"}}

	citizens, err := svc.CreateCouncil(ctx, admin, council.CouncilInput{Slug: "grazhdani", Name: "Граждански съвет за административно обслужване",
		Description: "Жители на Перущица обсъждат качеството на административните услуги и предлагат подобрения.", Constituency: "citizens"})
	if err != nil {
		return nil, err
	}
	ngos, err := svc.CreateCouncil(ctx, admin, council.CouncilInput{Slug: "npo", Name: "Съвет на неправителствените организации",
		Description: "Сдружения, фондации и читалища следят изпълнението на местните мерки за гражданско участие.", Constituency: "ngos"})
	if err != nil {
		return nil, err
	}
	business, err := svc.CreateCouncil(ctx, admin, council.CouncilInput{Slug: "biznes", Name: "Бизнес съвет",
		Description: "Местните фирми обсъждат административната тежест и електронните услуги за бизнеса.", Constituency: "business"})
	if err != nil {
		return nil, err
	}

	users := map[string]*model.User{}
	for _, p := range demoPeople {
		u, err := demoJoin(ctx, svc, admin, citizens.ID, p)
		if err != nil {
			return nil, err
		}
		users[p.email] = u
		accounts = append(accounts, demoAccount{p.email, demoPassword, fmt.Sprintf("%s, %s (%s)", p.name, p.role, p.group)})
	}
	for _, p := range demoPeople {
		switch {
		case p.group == model.GroupNGO || p.role == model.RoleModerator:
			if _, err := demoJoin(ctx, svc, admin, ngos.ID, p); err != nil {
				return nil, err
			}
		}
		if p.group == model.GroupBusiness || p.role == model.RoleModerator {
			if _, err := demoJoin(ctx, svc, admin, business.ID, p); err != nil {
				return nil, err
			}
		}
	}
	if err := demoClosedRound(ctx, svc, users, citizens.ID); err != nil {
		return nil, err
	}
	if err := demoOpenRound(ctx, svc, users, citizens.ID); err != nil {
		return nil, err
	}
	if err := demoSurveys(ctx, svc, admin); err != nil {
		return nil, err
	}
	if err := loadDemoSignals(ctx, svc, admin, &accounts); err != nil {
		return nil, err
	}
	return accounts, nil
}

func demoJoin(ctx context.Context, svc *council.Service, admin *model.User, councilID int64, p demoPerson) (*model.User, error) {
	_, token, err := svc.Invite(ctx, admin, councilID, council.InviteInput{Email: p.email, Name: p.name, Role: p.role, Group: p.group, Organisation: p.org})
	if err != nil {
		return nil, err
	}
	return svc.AcceptInvitation(ctx, token, p.name, demoPassword, "")
}

func str(s string) *string { return &s }
func num(n int) *int       { return &n }

func demoClosedRound(ctx context.Context, svc *council.Service, users map[string]*model.User, councilID int64) error {
	mod := users["moderator@perushtitsa.example"]
	r, err := svc.CreateRound(ctx, mod, councilID, council.RoundInput{
		Title:         str("Приемно време за граждани и организации"),
		Description:   str("Общината въвежда приемно време, в което граждани и организации да се срещат със служителите. Кога и как да бъде то?"),
		Ballot:        str(model.BallotOpen),
		QuorumPercent: num(40),
	})
	if err != nil {
		return err
	}
	if _, err := svc.OpenRound(ctx, mod, r.ID, nil); err != nil {
		return err
	}
	t, err := svc.CreateTopic(ctx, users["ivan@perushtitsa.example"], r.ID, council.TopicInput{
		Title: "Кой ден е удобен за приемно време?",
		Body:  "Повечето от нас работят в Пловдив и се връщат след 17 ч. Предлагам **сряда следобед**.",
	})
	if err != nil {
		return err
	}
	for _, p := range []struct{ who, body string }{
		{"elena@perushtitsa.example", "Сряда е добре, но нека има и възможност за записване по телефона."},
		{"ngo@perushtitsa.example", "Подкрепяме. Фондацията може да помогне с информационна кампания за новото приемно време."},
		{"business@perushtitsa.example", "За фирмите е важно да има и час рано сутрин, преди работа."},
	} {
		if _, err := svc.CreatePost(ctx, users[p.who], t.ID, council.PostInput{Body: p.body}); err != nil {
			return err
		}
	}
	p1, err := svc.CreateProposal(ctx, users["ivan@perushtitsa.example"], r.ID, council.ProposalInput{
		Title: "Приемно време всяка сряда от 17:00 до 19:00 ч.", Body: "Кметът и секретарят приемат граждани всяка сряда след работно време.", TopicID: &t.ID})
	if err != nil {
		return err
	}
	p2, err := svc.CreateProposal(ctx, users["business@perushtitsa.example"], r.ID, council.ProposalInput{
		Title: "Предварително записване по телефона и онлайн", Body: "Гражданите и фирмите се записват за час, за да не чакат."})
	if err != nil {
		return err
	}
	votes := map[string][2]string{
		"moderator@perushtitsa.example": {model.ChoiceFor, model.ChoiceFor},
		"ivan@perushtitsa.example":      {model.ChoiceFor, model.ChoiceAbstain},
		"elena@perushtitsa.example":     {model.ChoiceFor, model.ChoiceFor},
		"ngo@perushtitsa.example":       {model.ChoiceFor, model.ChoiceFor},
		"business@perushtitsa.example":  {model.ChoiceAgainst, model.ChoiceFor},
		"firma@perushtitsa.example":     {model.ChoiceFor, model.ChoiceAgainst},
	}
	reasons := map[string]string{
		"ivan@perushtitsa.example":     "Работя до 17 ч.; сряда вечер ми е удобна.",
		"business@perushtitsa.example": "Предпочитаме събота сутрин, когато фирмите не работят.",
		"firma@perushtitsa.example":    "Записването онлайн ще спести опашките.",
	}
	for email, v := range votes {
		if _, err := svc.CastVote(ctx, users[email], p1.ID, v[0], reasons[email]); err != nil {
			return err
		}
		if _, err := svc.CastVote(ctx, users[email], p2.ID, v[1], ""); err != nil {
			return err
		}
	}
	_, err = svc.CloseRound(ctx, mod, r.ID, "Съветът прие приемно време всяка сряда от 17:00 до 19:00 ч. и предварително записване. "+
		"Общината ще обяви графика на сайта си и в читалището от следващия месец.")
	return err
}

func demoOpenRound(ctx context.Context, svc *council.Service, users map[string]*model.User, councilID int64) error {
	mod := users["moderator@perushtitsa.example"]
	r, err := svc.CreateRound(ctx, mod, councilID, council.RoundInput{
		Title:         str("Електронни услуги и обратна връзка за жалби и сигнали"),
		Description:   str("Как общината да отговаря на жалби, сигнали, предложения и похвали и кои услуги да станат достъпни онлайн първи?"),
		Ballot:        str(model.BallotSecret),
		QuorumPercent: num(50),
	})
	if err != nil {
		return err
	}
	if _, err := svc.OpenRound(ctx, mod, r.ID, nil); err != nil {
		return err
	}
	t1, err := svc.CreateTopic(ctx, users["elena@perushtitsa.example"], r.ID, council.TopicInput{
		Title: "Отговор на сигнали до 14 дни",
		Body:  "Подадох сигнал за уличното осветление преди два месеца и не получих отговор. Нека има срок и проследяване.",
	})
	if err != nil {
		return err
	}
	t2, err := svc.CreateTopic(ctx, users["firma@perushtitsa.example"], r.ID, council.TopicInput{
		Title: "Кои удостоверения първо онлайн?",
		Body:  "За фирмите най-важни са удостоверенията за данъчна оценка и за липса на задължения.",
	})
	if err != nil {
		return err
	}
	for _, p := range []struct {
		who  string
		tid  int64
		body string
	}{
		{"npo@perushtitsa.example", t1.ID, "Периодичният анализ на жалбите трябва да се публикува, за да се вижда какво е направено."},
		{"ivan@perushtitsa.example", t1.ID, "Съгласен. И всеки да получава номер на сигнала си."},
		{"business@perushtitsa.example", t2.ID, "Добавете и разрешенията за търговска дейност."},
	} {
		if _, err := svc.CreatePost(ctx, users[p.who], p.tid, council.PostInput{Body: p.body}); err != nil {
			return err
		}
	}
	p1, err := svc.CreateProposal(ctx, users["elena@perushtitsa.example"], r.ID, council.ProposalInput{
		Title: "Срок от 14 дни за отговор на всеки сигнал", Body: "Всеки сигнал получава входящ номер и отговор до 14 дни.", TopicID: &t1.ID})
	if err != nil {
		return err
	}
	p2, err := svc.CreateProposal(ctx, users["firma@perushtitsa.example"], r.ID, council.ProposalInput{
		Title: "Удостоверения за данъчна оценка онлайн", Body: "Първата електронна услуга е заявяване и получаване на удостоверение за данъчна оценка.", TopicID: &t2.ID})
	if err != nil {
		return err
	}
	for email, c := range map[string]string{"ivan@perushtitsa.example": model.ChoiceFor, "ngo@perushtitsa.example": model.ChoiceFor, "business@perushtitsa.example": model.ChoiceAbstain} {
		if _, err := svc.CastVote(ctx, users[email], p1.ID, c, ""); err != nil {
			return err
		}
	}
	_, err = svc.CastVote(ctx, users["business@perushtitsa.example"], p2.ID, model.ChoiceFor, "")
	return err
}
