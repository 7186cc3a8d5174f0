package web

import (
	"fmt"
	"html/template"
	"time"
	_ "time/tzdata" // Europe/Sofia must load on machines without system time zone data
)

// Sofia is the time zone every date and time on the pages is shown in.
var Sofia = mustLoad("Europe/Sofia")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// asTime accepts a time.Time or a *time.Time; ok is false for nil or the zero time.
func asTime(v any) (time.Time, bool) {
	switch t := v.(type) {
	case time.Time:
		return t, !t.IsZero()
	case *time.Time:
		if t == nil || t.IsZero() {
			return time.Time{}, false
		}
		return *t, true
	}
	return time.Time{}, false
}

// FormatDate writes t's calendar day in Sofia, in the words of lang: "5 юни 2025 г.".
func FormatDate(tr *Translator, lang string, t time.Time) string {
	t = t.In(Sofia)
	return tr.T(lang, "format.date", t.Day(), tr.T(lang, fmt.Sprintf("month.%d", int(t.Month()))), t.Year())
}

// FormatDateTime writes t's day and clock time in Sofia: "5 юни 2025 г., 14:30".
func FormatDateTime(tr *Translator, lang string, t time.Time) string {
	t = t.In(Sofia)
	return tr.T(lang, "format.datetime", t.Day(), tr.T(lang, fmt.Sprintf("month.%d", int(t.Month()))), t.Year(), t.Format("15:04"))
}

// FormatLeft writes how long remains from now until t, coarsely: days and hours, or hours
// and minutes, or minutes. It returns "" once t has passed.
func FormatLeft(tr *Translator, lang string, now, t time.Time) string {
	d := t.Sub(now)
	if d <= 0 {
		return ""
	}
	mins := int((d + time.Minute - 1) / time.Minute)
	days, hours, m := mins/(24*60), mins/60%24, mins%60
	switch {
	case days > 0 && hours == 0:
		return tr.T(lang, "left.format1", tr.N(lang, "unit.days", days))
	case days > 0:
		return tr.T(lang, "left.format2", tr.N(lang, "unit.days", days), tr.N(lang, "unit.hours", hours))
	case hours > 0 && m == 0:
		return tr.T(lang, "left.format1", tr.N(lang, "unit.hours", hours))
	case hours > 0:
		return tr.T(lang, "left.format2", tr.N(lang, "unit.hours", hours), tr.N(lang, "unit.minutes", m))
	default:
		return tr.T(lang, "left.format1", tr.N(lang, "unit.minutes", m))
	}
}

// timeTag renders t as a <time> element with a machine-readable datetime attribute.
func timeTag(tr *Translator, lang string, v any, withClock bool) template.HTML {
	t, ok := asTime(v)
	if !ok {
		return ""
	}
	text := FormatDate(tr, lang, t)
	if withClock {
		text = FormatDateTime(tr, lang, t)
	}
	return template.HTML(`<time datetime="` + template.HTMLEscapeString(t.UTC().Format(time.RFC3339)) + `">` +
		template.HTMLEscapeString(text) + `</time>`)
}
