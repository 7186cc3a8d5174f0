package main

import (
	"context"
	"fmt"
	"time"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/signals"
)

// demoServices are administrative services the Municipality of Perushtitsa provides.
var demoServices = [][2]string{
	{"grazhdanska-registratsiya", "Гражданска регистрация и удостоверения"},
	{"mestni-danatsi", "Местни данъци и такси"},
	{"ustroystvo", "Устройство на територията и строителни разрешения"},
	{"sotsialni-uslugi", "Социални услуги"},
	{"obshtinska-sobstvenost", "Общинска собственост и земеделски земи"},
	{"chistota", "Чистота, озеленяване и улично осветление"},
	{"obrazovanie", "Детска градина и образование"},
}

// demoSignal is one resident's signal of the demo, sent daysAgo, answered after answerDays
// (negative: not yet) with the status and text given.
type demoSignal struct {
	kind, service, title, body, name, email string
	daysAgo                                 int
	answerDays                              int
	status, answer                          string
	public, publish                         bool
}

var demoSignals = []demoSignal{
	{model.KindComplaint, "mestni-danatsi", "Два часа опашка за плащане на данък сгради",
		"В края на април на гишето за местни данъци имаше само един служител. Чаках два часа с малко дете. Може ли да се плаща и с карта на място или онлайн?",
		"Иван Георгиев", "ivan@perushtitsa.example", 320, 12, model.SignalResolved,
		"Благодарим за сигнала. От юни в залата има второ гише и ПОС терминал, а данъците могат да се платят и през Системата за електронни плащания.", true, true},
	{model.KindSignal, "chistota", "Не свети уличното осветление на ул. „Отец Паисий“",
		"От две седмици три лампи в горния край на улицата не светят. Вечер е тъмно, а там минават деца.",
		"", "", 290, 5, model.SignalResolved, "Лампите са подменени на 14-и. Благодарим, че ни казахте.", true, true},
	{model.KindPraise, "grazhdanska-registratsiya", "Бързо удостоверение за наследници",
		"Искам да благодаря на служителката в гражданска регистрация — удостоверението беше готово още същия ден и тя ми обясни всичко търпеливо.",
		"Елена Димитрова", "", 260, 3, model.SignalAnswered, "Благодарим за добрите думи! Предадохме ги на колегите.", true, true},
	{model.KindProposal, "ustroystvo", "Образци на заявленията на сайта на общината",
		"Предлагам всички образци на заявления за строителни книжа да се публикуват на сайта, за да не се идва два пъти.",
		"Петър Стоянов", "business@perushtitsa.example", 220, 20, model.SignalAnswered,
		"Образците се публикуват в раздел „Услуги“ до края на месеца.", true, true},
	{model.KindComplaint, "sotsialni-uslugi", "Не получих отговор за асистентска подкрепа",
		"Подадох заявление за асистентска подкрепа за майка ми преди шест седмици и никой не ми се обади.",
		"", "resident1@example.org", 180, 41, model.SignalAnswered, "Извиняваме се за забавянето. Служител ще се свърже с Вас тази седмица.", false, false},
	{model.KindSignal, "obshtinska-sobstvenost", "Сметище край полския път към Кричим",
		"На полския път на изхода към Кричим има изхвърлени строителни отпадъци и стари гуми.",
		"", "", 150, 9, model.SignalForwarded, "Сигналът е препратен на кметския наместник и на РИОСВ – Пловдив.", true, true},
	{model.KindProposal, "grazhdanska-registratsiya", "Записване на час за гражданска регистрация",
		"Би било удобно да се записваме за час по телефона или онлайн, както в Пловдив.",
		"Надежда Колева", "npo@perushtitsa.example", 120, -1, "", "", false, false},
	{model.KindComplaint, "obrazovanie", "Класиране за детската градина",
		"Не е ясно по какви критерии се класират децата за яслената група. Списъкът не е публикуван.",
		"", "parent@example.org", 95, 16, model.SignalRejected, "Критериите са в Наредбата за прием, публикувана на сайта; класирането се обявява на таблото в градината.", true, false},
	{model.KindSignal, "chistota", "Препълнени контейнери на площада",
		"След събота контейнерите на площад „Лютеранов“ са препълнени до вторник.",
		"", "", 60, 2, model.SignalInReview, "Проверяваме графика за извозване с фирмата по чистотата.", true, false},
	{model.KindProposal, "mestni-danatsi", "Напомняне по SMS за данъците",
		"Предлагам общината да изпраща SMS напомняне преди крайния срок за плащане с отстъпка.",
		"Даниела Христова", "", 30, -1, "", "", false, false},
	{model.KindComplaint, "ustroystvo", "Бавно издаване на скица",
		"Скица за имот в регулация се издава вече трети седмица.",
		"", "", 12, -1, "", "", false, false},
	{model.KindPraise, "chistota", "Новите пейки в парка",
		"Новите пейки и осветлението в парка са чудесни. Благодарим!",
		"", "", 4, 1, model.SignalAnswered, "Радваме се, че ви харесват!", true, true},
}

// loadDemoSignals adds the accountability loop to the demo: an officer, the municipality's
// services, residents' signals over the past year with their answers (sent at the times they
// would have been, so that the analysis has a history), one signal taken to the citizens'
// council's open round and one waiting for the business council's first round, and the
// municipality's follow-up of the closed round's adopted proposals.
func loadDemoSignals(ctx context.Context, svc *council.Service, admin *model.User, accounts *[]demoAccount) error {
	officer, err := svc.CreateAdmin(ctx, "officer@perushtitsa.example", "Гергана Николова", demoPassword)
	if err != nil {
		return err
	}
	if officer, err = svc.SetSiteRole(ctx, admin, officer.ID, model.SiteOfficer); err != nil {
		return err
	}
	*accounts = append(*accounts, demoAccount{officer.Email, demoPassword, "municipal officer: signals desk, follow-ups"})
	now := time.Now()
	at := now
	sig := signals.New(signals.Config{Store: svc.Store(), Councils: svc, Clock: func() time.Time { return at }})
	for _, sv := range demoServices {
		name := sv[1]
		if _, err := sig.CreateService(ctx, admin, signals.ServiceInput{Slug: sv[0], Name: &name}); err != nil {
			return err
		}
	}
	var ids []int64
	for _, d := range demoSignals {
		at = now.AddDate(0, 0, -d.daysAgo)
		sg, _, err := sig.Submit(ctx, nil, signals.Input{Kind: d.kind, Service: d.service, Title: d.title, Body: d.body,
			Name: d.name, Email: d.email}, "")
		if err != nil {
			return fmt.Errorf("demo signal %q: %w", d.title, err)
		}
		ids = append(ids, sg.ID)
		if d.answerDays >= 0 {
			at = at.AddDate(0, 0, d.answerDays)
			if _, err := sig.Answer(ctx, officer, sg.ID, signals.AnswerInput{Body: d.answer, Status: d.status, Public: d.public}); err != nil {
				return err
			}
		}
		if d.publish {
			if _, err := sig.Publish(ctx, officer, sg.ID); err != nil {
				return err
			}
		}
	}
	at = now
	return demoRoutesAndFollowUps(ctx, svc, sig, officer, ids)
}

// demoRoutesAndFollowUps takes two signals to councils and reports on the adopted proposals.
func demoRoutesAndFollowUps(ctx context.Context, svc *council.Service, sig *signals.Service, officer *model.User, ids []int64) error {
	for _, r := range []struct {
		signal int
		slug   string
	}{{6, "grazhdani"}, {9, "biznes"}} {
		cn, err := svc.Council(ctx, r.slug)
		if err != nil {
			return err
		}
		if _, err := sig.Route(ctx, officer, ids[r.signal], signals.RouteInput{CouncilID: cn.ID}); err != nil {
			return err
		}
	}
	decided, _, err := svc.Decisions(ctx, council.DecisionQuery{})
	if err != nil {
		return err
	}
	reports := [][]council.FollowUpInput{
		{{Status: model.FollowUpAccepted, Body: "Кметът прие предложението. Приемното време започва от първата сряда на следващия месец.", ResponsibleUnit: "Секретар на общината"},
			{Status: model.FollowUpInProgress, Body: "Графикът е обявен на сайта и в читалището; първите две срещи се проведоха с 14 посетители.", ResponsibleUnit: "Секретар на общината", DueDate: time.Now().AddDate(0, 3, 0).Format(time.DateOnly)}},
		{{Status: model.FollowUpPlanned, Body: "Записването по телефона започва веднага; онлайн записването ще бъде част от новия сайт.", ResponsibleUnit: "Дирекция „Административно обслужване“", DueDate: time.Now().AddDate(0, 6, 0).Format(time.DateOnly)}},
	}
	for i, d := range decided {
		if i >= len(reports) {
			break
		}
		for _, in := range reports[i] {
			if _, err := svc.AddFollowUp(ctx, officer, d.Proposal.ID, in); err != nil {
				return err
			}
		}
	}
	return nil
}
