/*
 * format.c — short renderings shared by the views: ages and SLA countdowns in
 * at most four columns, sizes, and the stale-write message.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "console.h"

/* 45s, 12m, 3h, 5d, 7w, 2y: what fits in an index column. */
char *
format_age(long long s)
{
	char *out;

	if (s < 0)
		s = 0;
	if (s < 60)
		xasprintf(&out, "%llds", s);
	else if (s < 3600)
		xasprintf(&out, "%lldm", s / 60);
	else if (s < 86400)
		xasprintf(&out, "%lldh", s / 3600);
	else if (s < 86400 * 14)
		xasprintf(&out, "%lldd", s / 86400);
	else if (s < 86400 * 365)
		xasprintf(&out, "%lldw", s / (86400 * 7));
	else
		xasprintf(&out, "%lldy", s / (86400 * 365));
	return out;
}

/* Time left before a due time; late is shown with a minus sign. */
char *
format_countdown(long long left)
{
	char *age, *out;

	age = format_age(left < 0 ? -left : left);
	xasprintf(&out, "%s%s", left < 0 ? "-" : "", age);
	free(age);
	return out;
}

char *
format_size(long long bytes)
{
	char *out;

	if (bytes < 1024)
		xasprintf(&out, "%lld B", bytes);
	else if (bytes < 1024 * 1024)
		xasprintf(&out, "%lld kB", (bytes + 512) / 1024);
	else
		xasprintf(&out, "%.1f MB", bytes / (1024.0 * 1024.0));
	return out;
}

/* "2026-11-23T10:40:05.123456Z" (UTC) shown as local "HH:MM". */
static char *
local_hhmm(const char *iso)
{
	struct tm tm;
	time_t t;
	char buf[16];

	memset(&tm, 0, sizeof tm);
	if (iso == NULL ||
	    sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		&tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return xstrdup("?");
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm);
	localtime_r(&t, &tm);
	strftime(buf, sizeof buf, "%H:%M", &tm);
	return xstrdup(buf);
}

char *
stale_message(const char *detail)
{
	char *login, *bar, *hhmm, *out;

	login = xstrdup(detail != NULL ? detail : "?");
	bar = strchr(login, '|');
	if (bar != NULL)
		*bar++ = '\0';
	hhmm = local_hhmm(bar);
	xasprintf(
	    &out, _("changed by %s at %s — review (your text is kept as a draft)"), login, hhmm);
	free(login);
	free(hhmm);
	return out;
}

char *
format_time(const char *iso)
{
	return xstrndup(iso != NULL ? iso : "", 16);
}

const char *
format_ctx(const char *ctx, const char *msgid)
{
	char key[256];
	const char *t;

	/* As gettext.h's pgettext: "context\004msgid", the msgid itself when untranslated. */
	if (snprintf(key, sizeof key, "%s\004%s", ctx, msgid) >= (int)sizeof key)
		return msgid;
	t = gettext(key);
	return t == key ? msgid : t;
}

/* The database's names of statuses and channels, as the agent's language says them. */
static const char *const status_names[][2] = {
	{ "new", NC_("status", "new") },
	{ "open", NC_("status", "open") },
	{ "pending", NC_("status", "pending") },
	{ "resolved", NC_("status", "resolved") },
	{ "closed", NC_("status", "closed") },
	{ "merged", NC_("status", "merged") },
	{ "mail", NC_("channel", "mail") },
	{ "phone", NC_("channel", "phone") },
	{ "desk", NC_("channel", "desk") },
	{ "web", NC_("channel", "web") },
	{ "internal", NC_("channel", "internal") },
};

const char *
format_name(const char *name)
{
	size_t i;

	if (name == NULL)
		return "";
	for (i = 0; i < nitems(status_names); i++)
		if (strcmp(status_names[i][0], name) == 0)
			return format_ctx(i < 6 ? "status" : "channel", status_names[i][1]);
	return name;
}
