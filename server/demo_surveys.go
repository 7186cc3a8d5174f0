package main

import (
	"context"
	"fmt"

	"github.com/perushtitsa/council/server/council"
	"github.com/perushtitsa/council/server/model"
	"github.com/perushtitsa/council/server/surveys"
)

// demoCounterQuestions are the questions of the survey the citizens' council decided on: a
// short survey at the counter after each service.
var demoCounterQuestions = []surveys.QuestionInput{
	{Kind: model.QuestionSingle, Text: "Коя услуга ползвахте днес?", Required: true, Options: []string{
		"Местни данъци и такси", "Гражданска регистрация и удостоверения", "Устройство на територията", "Социални услуги", "Друга"}},
	{Kind: model.QuestionSingle, Text: "Колко време чакахте?", Required: true, Options: []string{
		"до 5 минути", "от 5 до 15 минути", "от 15 до 30 минути", "повече от 30 минути"}},
	{Kind: model.QuestionScale, Text: "Как оценявате обслужването?", Required: true},
	{Kind: model.QuestionSingle, Text: "Служителят обясни ли ясно какво трябва да направите?", Options: []string{"Да", "Отчасти", "Не"}},
	{Kind: model.QuestionMultiple, Text: "Какво бихте искали да правите онлайн?", Options: []string{
		"Да плащам местни данъци", "Да заявявам удостоверения", "Да проверявам докъде е преписката ми", "Да си запазвам час за гишето"}},
	{Kind: model.QuestionText, Text: "Какво да подобрим?"},
}

var demoCounterTexts = []string{
	"Повече места за сядане в чакалнята, особено за възрастните хора.",
	"Табела с работното време и на входа, не само вътре.",
	"Служителката беше много любезна и ми помогна с формуляра.",
	"Да може да се плаща с карта на всяко гише.",
	"Записването на час по телефона би спестило чакането сутрин.",
	"Формулярите да са и на сайта, за да ги попълня у дома.",
}

// demoSurveys adds the counter survey of Perushtitsa's services, open and answered from the
// slips a few dozen times, and a closed survey of the public with its results.
func demoSurveys(ctx context.Context, svc *council.Service, admin *model.User) error {
	sv := surveys.NewService(surveys.Config{Store: svc.Store(), Clock: svc.Now})
	counter, err := demoSurvey(ctx, sv, admin, "Как ви обслужихме? Анкета на гишето",
		"Кратка анкета след всяка услуга в центъра за административно обслужване. Служителят ви дава талон с код; отговорът е анонимен.",
		model.AudienceCodes, model.ResultsLive, demoCounterQuestions)
	if err != nil {
		return err
	}
	const answered = 36
	codes, err := sv.IssueCodes(ctx, admin, counter.ID, answered+14)
	if err != nil {
		return err
	}
	for i := 0; i < answered; i++ {
		if _, err := sv.Respond(ctx, nil, counter.ID, surveys.ResponseInput{Code: codes[i], Answers: demoCounterAnswers(i)}); err != nil {
			return fmt.Errorf("demo survey answer %d: %w", i, err)
		}
	}
	online, err := demoSurvey(ctx, sv, admin, "Електронни услуги: кои да са първи?",
		"Проучване сред жителите преди решението на съвета за първите електронни услуги.", model.AudiencePublic, model.ResultsAfterClose,
		demoCounterQuestions[4:5])
	if err != nil {
		return err
	}
	for i := 0; i < 24; i++ {
		choices := []int{i % 4}
		if i%3 == 0 {
			choices = append(choices, (i+1)%4)
		}
		in := surveys.ResponseInput{Browser: fmt.Sprint("demo-browser-", i), Address: fmt.Sprint("demo-address-", i),
			Answers: []surveys.AnswerInput{{Question: 1, Choices: choices}}}
		if _, err := sv.Respond(ctx, nil, online.ID, in); err != nil {
			return err
		}
	}
	_, err = sv.Close(ctx, admin, online.ID)
	return err
}

func demoSurvey(ctx context.Context, sv *surveys.Service, admin *model.User, title, description, audience, results string, qs []surveys.QuestionInput) (*model.Survey, error) {
	s, err := sv.Create(ctx, admin, surveys.Input{Title: &title, Description: &description, Audience: &audience, Results: &results, Questions: &qs})
	if err != nil {
		return nil, err
	}
	return sv.Open(ctx, admin, s.ID)
}

// demoCounterAnswers varies the answers with i: mostly content, a long wait now and then.
func demoCounterAnswers(i int) []surveys.AnswerInput {
	pick := func(n int) *int { return &n }
	service := []int{0, 0, 1, 1, 1, 2, 3, 0, 1, 4}[i%10]
	wait := []int{0, 1, 1, 0, 2, 1, 0, 3, 1, 0, 2, 1}[i%12]
	rating := []int{5, 4, 5, 3, 4, 5, 2, 4, 5, 4, 3, 5}[i%12]
	as := []surveys.AnswerInput{
		{Question: 1, Choice: pick(service)},
		{Question: 2, Choice: pick(wait)},
		{Question: 3, Value: pick(rating)},
		{Question: 4, Choice: pick([]int{0, 0, 1, 0, 2, 0}[i%6])},
		{Question: 5, Choices: []int{i % 4, (i + 2) % 4}},
	}
	if i%6 == 0 {
		text := demoCounterTexts[(i/6)%len(demoCounterTexts)]
		as = append(as, surveys.AnswerInput{Question: 6, Text: &text})
	}
	return as
}
