/*
 * report-value.c — a value as PostgreSQL sent it, shown to a person: numbers and
 * dates in the locale's format (LC_NUMERIC, LC_TIME), durations in words, text
 * sanitised. csv and json never come here: they print the raw value.
 */
#include "config.h"

#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "report.h"

/* PostgreSQL writes numbers with a dot whatever the locale: parse them in C. */
static locale_t c_locale;
/* The C locale's date format is American; a report there uses ISO 8601. */
static bool iso_dates;

void
value_init_locale(void)
{
	const char *fmt;

	c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	if (c_locale == (locale_t)0)
		fatalx("newlocale C failed");
	fmt = nl_langinfo(D_FMT);
	iso_dates = fmt == NULL || strcmp(fmt, "%m/%d/%y") == 0;
}

double
value_number(const char *raw)
{
	if (raw == NULL)
		return 0;
	return strtod_l(raw, NULL, c_locale);
}

bool
value_right_aligned(enum value_type type)
{
	return type != VT_TEXT && type != VT_DATE && type != VT_MONTH;
}

static char *
date_display(const char *iso, bool month)
{
	struct tm tm;
	char buf[64];

	memset(&tm, 0, sizeof tm);
	if (strptime(iso, "%Y-%m-%d", &tm) == NULL)
		return xstrdup(iso);
	if (iso_dates)
		return xstrndup(iso, month ? 7 : 10);
		/* %x is the locale's own date: its year's width is the locale's choice. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-y2k"
	if (strftime(buf, sizeof buf, month ? "%b %Y" : "%x", &tm) == 0)
		return xstrdup(iso);
#pragma GCC diagnostic pop
	return xstrdup(buf);
}

char *
value_date_display(const char *iso)
{
	return date_display(iso, false);
}

static char *
duration_display(double seconds)
{
	long long s, days, hours, minutes;
	char *out;

	s = llround(seconds);
	days = s / 86400;
	hours = (s % 86400) / 3600;
	minutes = (s % 3600) / 60;
	if (s < 3600)
		/* TRANSLATORS: a duration in minutes */
		xasprintf(&out, _("%lld min"), minutes);
	else if (s < 2 * 86400)
		/* TRANSLATORS: a duration in hours and minutes */
		xasprintf(&out, _("%lld h %02lld"), s / 3600, minutes);
	else
		/* TRANSLATORS: a duration in days and hours */
		xasprintf(&out, _("%lld d %02lld h"), days, hours);
	return out;
}

char *
value_display(enum value_type type, const char *raw)
{
	char *out;
	double d;

	if (raw == NULL)
		return xstrdup("–");
	d = value_number(raw);
	switch (type) {
	case VT_TEXT:
		return sanitize_text(raw, 0);
	case VT_INT:
		xasprintf(&out, "%'lld", llround(d));
		return out;
	case VT_NUMBER:
		xasprintf(&out, "%'.2f", d);
		return out;
	case VT_RATIO:
		xasprintf(&out, "%.1f%%", d * 100);
		return out;
	case VT_CHANGE:
		xasprintf(&out, "%+.0f%%", d * 100);
		return out;
	case VT_DURATION:
		return duration_display(d);
	case VT_DATE:
		return date_display(raw, false);
	case VT_MONTH:
		return date_display(raw, true);
	case VT_ID:
		return xstrdup(raw);
	}
	fatalx("value_display: %d", (int)type);
}
