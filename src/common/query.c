/*
 * query.c — the search language of the console, compiled to the parameters of
 * the server's search, guichet.ticket_search() (QUERY_TERMS in common.h).
 *
 *   status:open,pending queue:voirie owner:me prio:>=3 district:Nord
 *   created:>2026-01-01 updated:<7d subject:trottoir requester:dupont
 *   level:2 channel:phone service:depot field:quartier=Nord #123 "dépôt sauvage"
 *
 * The text is never spliced into SQL: every term fills one of the fixed
 * parameter slots (enum query_slot, named after the $N that holds it), through
 * the parser its key's row of QUERY_KEYS names, and ticket_search turns an
 * empty (NULL) slot into "true", which PostgreSQL folds away when it plans the
 * statement with the actual values, so the plan uses the indexes that the given
 * terms allow. Free words and "quoted phrases" go to websearch_to_tsquery, which
 * accepts any text (-word excludes, or).
 * A syntax error names its column (1-based, in characters).
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common.h"

static const char *const query_statuses[] = {
	"new",
	"open",
	"pending",
	"resolved",
	"closed",
	"merged",
};
static const char *const query_channels[] = {
	"mail",
	"phone",
	"desk",
	"web",
	"internal",
};

struct parser {
	const char *text;
	const char *p;
	struct query *q;
	const char *login;
	time_t now;
	char **cause;
	struct strbuf words;
	struct strbuf arrays[QUERY_NPARAMS + 1]; /* elements of the array slots, by slot */
	unsigned statuses;			 /* bit i: query_statuses[i] */
	long long prio_min, prio_max;
};

/* Column of a position, counted in characters as the user sees them. */
static int
column_of(const struct parser *ps, const char *at)
{
	const char *s;
	int col = 1;

	for (s = ps->text; s < at && *s != '\0'; s++)
		if ((*s & 0xC0) != 0x80)
			col++;
	return col;
}

static int
fail(struct parser *ps, const char *at, const char *msg, const char *what)
{
	if (what != NULL)
		xasprintf(ps->cause, _("column %d: %s: %s"), column_of(ps, at), msg, what);
	else
		xasprintf(ps->cause, _("column %d: %s"), column_of(ps, at), msg);
	return -1;
}

static void
set_slot(struct query *q, enum query_slot slot, const char *value)
{
	free(q->params[slot - 1]);
	q->params[slot - 1] = xstrdup(value);
}

/* Add an element to a text[] slot: quoted for the array literal, not for SQL. */
static void
array_add(struct parser *ps, enum query_slot slot, const char *value)
{
	struct strbuf *sb = &ps->arrays[slot];
	const char *s;

	if (sb->len > 0)
		strbuf_addch(sb, ',');
	strbuf_addch(sb, '"');
	for (s = value; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			strbuf_addch(sb, '\\');
		strbuf_addch(sb, *s);
	}
	strbuf_addch(sb, '"');
}

/* A value: up to the next blank; "quoted parts" may hold blanks. A copy or NULL. */
static char *
read_value(struct parser *ps)
{
	struct strbuf sb;
	const char *start = ps->p, *quote;

	strbuf_init(&sb);
	while (*ps->p != '\0' && !isspace((unsigned char)*ps->p)) {
		if (*ps->p != '"') {
			strbuf_addch(&sb, *ps->p++);
			continue;
		}
		quote = ps->p++;
		while (*ps->p != '"') {
			if (*ps->p == '\0') {
				strbuf_free(&sb);
				fail(ps, quote, _("unterminated quote"), NULL);
				return NULL;
			}
			if (*ps->p == '\\' && ps->p[1] != '\0')
				ps->p++;
			strbuf_addch(&sb, *ps->p++);
		}
		ps->p++;
	}
	if (sb.len == 0) {
		strbuf_free(&sb);
		fail(ps, start, _("a value is missing"), NULL);
		return NULL;
	}
	return strbuf_detach(&sb);
}

static int
parse_list(struct parser *ps, const char *at, char *value, enum query_slot slot,
    const char *const *allowed, size_t nallowed, unsigned *bits)
{
	char *save = NULL, *item;
	size_t i;

	for (item = strtok_r(value, ",", &save); item != NULL; item = strtok_r(NULL, ",", &save)) {
		if (allowed == NULL) {
			array_add(ps, slot, item);
			continue;
		}
		if (bits != NULL && strcasecmp(item, "active") == 0) {
			*bits |= 0x7; /* new, open, pending */
			continue;
		}
		for (i = 0; i < nallowed; i++)
			if (strcasecmp(item, allowed[i]) == 0)
				break;
		if (i == nallowed)
			return fail(ps, at, _("unknown value"), item);
		if (bits != NULL)
			*bits |= 1u << i;
		else
			array_add(ps, slot, allowed[i]);
	}
	return 0;
}

enum comparison { CMP_EQ, CMP_GT, CMP_GE, CMP_LT, CMP_LE };

/* The comparison before a priority or a day (=, >, >=, <, <= or none: =), skipped. */
static enum comparison
read_comparison(char **v)
{
	enum comparison op = CMP_EQ;
	char *s = *v;

	if (*s == '>' || *s == '<') {
		op = *s == '>' ? CMP_GT : CMP_LT;
		if (*++s == '=') {
			op = op == CMP_GT ? CMP_GE : CMP_LE;
			s++;
		}
	} else if (*s == '=')
		s++;
	*v = s;
	return op;
}

/* prio: N, >N, >=N, <N, <=N or N..M; several terms narrow the bounds. */
static int
parse_prio(struct parser *ps, const char *at, char *v, enum query_slot slot)
{
	long long a, b;
	const char *dots = strstr(v, "..");
	enum comparison op = CMP_EQ;

	if (dots != NULL) {
		char *lo = xstrndup(v, (size_t)(dots - v));
		int bad = parse_int(lo, 1, 5, &a) != 0 || parse_int(dots + 2, 1, 5, &b) != 0;

		free(lo);
		if (bad)
			return fail(ps, at, _("a priority is a number from 1 to 5"), v);
	} else {
		op = read_comparison(&v);
		if (parse_int(v, 1, 5, &a) != 0)
			return fail(ps, at, _("a priority is a number from 1 to 5"), v);
		b = a;
		switch (op) {
		case CMP_EQ:
			break;
		case CMP_GT:
			a = a + 1;
			b = 5;
			break;
		case CMP_GE:
			b = 5;
			break;
		case CMP_LT:
			b = a - 1;
			a = 1;
			break;
		case CMP_LE:
			b = a;
			a = 1;
			break;
		}
	}
	if (a > ps->prio_min)
		ps->prio_min = a;
	if (b < ps->prio_max)
		ps->prio_max = b;
	return 0;
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static long long
days_from_civil(long long y, unsigned m, unsigned d)
{
	long long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

static void
civil_from_days(long long z, int *y, int *m, int *d)
{
	long long era, yy;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = (long long)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yy + (*m <= 2));
}

/* A day: YYYY-MM-DD, today, yesterday, Nd (days ago) or Nw (weeks ago). */
static int
parse_day(struct parser *ps, const char *s, long long *day)
{
	struct tm tm;
	time_t now = ps->now;
	long long n, today;
	int y, m, d;
	char unit;
	size_t len = strlen(s);

	localtime_r(&now, &tm);
	today = days_from_civil(tm.tm_year + 1900, (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday);
	if (strcasecmp(s, "today") == 0) {
		*day = today;
		return 0;
	}
	if (strcasecmp(s, "yesterday") == 0) {
		*day = today - 1;
		return 0;
	}
	if (len >= 2 && (s[len - 1] == 'd' || s[len - 1] == 'w')) {
		char *num = xstrndup(s, len - 1);
		int bad = parse_int(num, 0, 100000, &n);

		free(num);
		unit = s[len - 1];
		if (bad == 0) {
			*day = today - n * (unit == 'w' ? 7 : 1);
			return 0;
		}
	}
	if (len == 10 && s[4] == '-' && s[7] == '-') {
		char buf[11];
		long long yy, mm, dd;

		memcpy(buf, s, 11);
		buf[4] = buf[7] = '\0';
		if (parse_int(buf, 1900, 9999, &yy) == 0 && parse_int(buf + 5, 1, 12, &mm) == 0 &&
		    parse_int(buf + 8, 1, 31, &dd) == 0) {
			*day = days_from_civil(yy, (unsigned)mm, (unsigned)dd);
			civil_from_days(*day, &y, &m, &d);
			if (d == dd) /* 2026-02-30 is not a day */
				return 0;
		}
	}
	return -1;
}

static void
set_day(struct query *q, enum query_slot slot, long long day)
{
	char buf[32];
	int y, m, d;

	civil_from_days(day, &y, &m, &d);
	snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
	set_slot(q, slot, buf);
}

/* created:/updated: a day with >, >=, <, <=, = or a range D1..D2; from_slot + 1
 * is the slot of the end (excluded). */
static int
parse_dates(struct parser *ps, const char *at, char *v, enum query_slot from_slot)
{
	long long a, b;
	const char *dots = strstr(v, "..");
	enum comparison op;

	if (dots != NULL) {
		char *lo = xstrndup(v, (size_t)(dots - v));
		int bad = parse_day(ps, lo, &a) != 0 || parse_day(ps, dots + 2, &b) != 0;

		free(lo);
		if (bad)
			return fail(
			    ps, at, _("a date is YYYY-MM-DD, today, yesterday, Nd or Nw"), v);
		set_day(ps->q, from_slot, a);
		set_day(ps->q, from_slot + 1, b + 1);
		return 0;
	}
	op = read_comparison(&v);
	if (parse_day(ps, v, &a) != 0)
		return fail(ps, at, _("a date is YYYY-MM-DD, today, yesterday, Nd or Nw"), v);
	switch (op) {
	case CMP_EQ:
		set_day(ps->q, from_slot, a);
		set_day(ps->q, from_slot + 1, a + 1);
		break;
	case CMP_GT:
		set_day(ps->q, from_slot, a + 1);
		break;
	case CMP_GE:
		set_day(ps->q, from_slot, a);
		break;
	case CMP_LT:
		set_day(ps->q, from_slot + 1, a);
		break;
	case CMP_LE:
		set_day(ps->q, from_slot + 1, a + 1);
		break;
	}
	return 0;
}

/* An ILIKE pattern matching value anywhere: % _ and \ are taken literally. */
char *
query_like_pattern(const char *value)
{
	struct strbuf sb;
	const char *s;

	strbuf_init(&sb);
	strbuf_addch(&sb, '%');
	for (s = value; *s != '\0'; s++) {
		if (*s == '%' || *s == '_' || *s == '\\')
			strbuf_addch(&sb, '\\');
		strbuf_addch(&sb, *s);
	}
	strbuf_addch(&sb, '%');
	return strbuf_detach(&sb);
}

static int
parse_ids(struct parser *ps, const char *at, char *value, enum query_slot slot)
{
	char *save = NULL, *item;
	long long id;

	for (item = strtok_r(value, ",", &save); item != NULL; item = strtok_r(NULL, ",", &save)) {
		if (*item == '#')
			item++;
		if (parse_int(item, 1, INT64_MAX, &id) != 0)
			return fail(ps, at, _("a ticket number is expected"), item);
		if (ps->arrays[slot].len > 0)
			strbuf_addch(&ps->arrays[slot], ',');
		strbuf_printf(&ps->arrays[slot], "%lld", id);
	}
	return 0;
}

static int
parse_status(struct parser *ps, const char *at, char *v, enum query_slot slot)
{
	return parse_list(ps, at, v, slot, query_statuses, nitems(query_statuses), &ps->statuses);
}

static int
parse_channel(struct parser *ps, const char *at, char *v, enum query_slot slot)
{
	return parse_list(ps, at, v, slot, query_channels, nitems(query_channels), NULL);
}

/* Codes or names, any value: the server finds what they name. */
static int
parse_names(struct parser *ps, const char *at, char *v, enum query_slot slot)
{
	return parse_list(ps, at, v, slot, NULL, 0, NULL);
}

/* District names are compared in lower case by the predicate. */
static int
parse_lower_names(struct parser *ps, const char *at, char *v, enum query_slot slot)
{
	char *s;

	for (s = v; *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
	return parse_names(ps, at, v, slot);
}

/* owner:me, owner:LOGIN, owner:none (unclaimed) or owner:any (claimed). */
static int
parse_owner(struct parser *ps, const char *at, char *v, enum query_slot slot)
{
	if (strcasecmp(v, "none") == 0 || strcasecmp(v, "nobody") == 0)
		set_slot(ps->q, QS_UNOWNED, "true");
	else if (strcasecmp(v, "any") == 0)
		set_slot(ps->q, QS_UNOWNED, "false");
	else
		set_slot(
		    ps->q, slot, strcasecmp(v, "me") == 0 && ps->login != NULL ? ps->login : v);
	return 0;
}

static int
parse_like(struct parser *ps, const char *at, char *v, enum query_slot slot)
{
	char *pat = query_like_pattern(v);

	set_slot(ps->q, slot, pat);
	free(pat);
	return 0;
}

static int
parse_level(struct parser *ps, const char *at, char *v, enum query_slot slot)
{
	long long n;

	if (parse_int(v, 1, 2, &n) != 0)
		return fail(ps, at, _("a level is 1 or 2"), v);
	set_slot(ps->q, slot, v);
	return 0;
}

/* field:NAME=VALUE: the names and the values go to two parallel array slots. */
static int
parse_field(struct parser *ps, const char *at, char *v, enum query_slot slot)
{
	char *eq;

	if ((eq = strchr(v, '=')) == NULL || eq == v || eq[1] == '\0')
		return fail(ps, at, _("a field term is field:NAME=VALUE"), v);
	*eq = '\0';
	array_add(ps, slot, v);
	array_add(ps, QS_FIELD_VALUES, eq + 1);
	return 0;
}

/*
 * The keys of the language, one row each: the key, the parser of its value and
 * the slot it fills. KEY rows are listed in query_keys (completion and help),
 * ALIAS rows are other spellings of a key.
 */
#define QUERY_KEYS(KEY, ALIAS)                         \
	KEY(status, parse_status, QS_NONE)             \
	KEY(queue, parse_names, QS_QUEUES)             \
	KEY(owner, parse_owner, QS_OWNER)              \
	KEY(prio, parse_prio, QS_PRIO_MIN)             \
	ALIAS(priority, parse_prio, QS_PRIO_MIN)       \
	KEY(district, parse_lower_names, QS_DISTRICTS) \
	KEY(created, parse_dates, QS_CREATED_FROM)     \
	KEY(updated, parse_dates, QS_UPDATED_FROM)     \
	KEY(subject, parse_like, QS_SUBJECT)           \
	KEY(requester, parse_like, QS_REQUESTER)       \
	ALIAS(from, parse_like, QS_REQUESTER)          \
	KEY(id, parse_ids, QS_IDS)                     \
	KEY(level, parse_level, QS_LEVEL)              \
	KEY(channel, parse_channel, QS_CHANNELS)       \
	KEY(service, parse_names, QS_SERVICES)         \
	KEY(field, parse_field, QS_FIELD_NAMES)

static const struct query_key {
	const char *name;
	int (*parse)(struct parser *, const char *at, char *value, enum query_slot);
	enum query_slot slot;
} query_key_table[] = {
#define KEY_ROW(name, parse, slot) { #name, parse, slot },
	QUERY_KEYS(KEY_ROW, KEY_ROW)
#undef KEY_ROW
};

#define KEY_NAME(name, parse, slot) " " #name
#define NO_NAME(name, parse, slot)
/* "status queue owner …": the rows' names, past the first blank. */
const char *const query_keys = &(QUERY_KEYS(KEY_NAME, NO_NAME))[1];
#undef KEY_NAME
#undef NO_NAME

static int
parse_term(struct parser *ps, const char *key, size_t keylen, const char *at)
{
	const struct query_key *k;
	char *v, *name;
	int r;

	for (k = query_key_table; k < query_key_table + nitems(query_key_table); k++)
		if (strlen(k->name) == keylen && strncasecmp(key, k->name, keylen) == 0)
			break;
	if (k == query_key_table + nitems(query_key_table)) {
		/* The value is read first: a missing one is the first problem to name. */
		if ((v = read_value(ps)) == NULL)
			return -1;
		free(v);
		name = xstrndup(key, keylen);
		r = fail(ps, at, _("unknown key"), name);
		free(name);
		return r;
	}
	if ((v = read_value(ps)) == NULL)
		return -1;
	r = k->parse(ps, at, v, k->slot);
	free(v);
	return r;
}

/* A free word or phrase, kept in websearch_to_tsquery's syntax. */
static int
parse_words(struct parser *ps)
{
	char *v;
	bool neg = *ps->p == '-', phrase;

	if (neg)
		ps->p++;
	phrase = *ps->p == '"';
	if ((v = read_value(ps)) == NULL)
		return -1;
	if (ps->words.len > 0)
		strbuf_addch(&ps->words, ' ');
	/* websearch_to_tsquery reads "…" as a phrase; quotes inside cannot occur. */
	for (char *s = v; *s != '\0'; s++)
		if (*s == '"')
			*s = ' ';
	strbuf_printf(&ps->words, phrase ? "%s\"%s\"" : "%s%s", neg ? "-" : "", v);
	free(v);
	return 0;
}

static int
parse_token(struct parser *ps)
{
	const char *start = ps->p, *s;

	if (*ps->p == '#' && isdigit((unsigned char)ps->p[1])) {
		char *v = read_value(ps);
		int r;

		if (v == NULL)
			return -1;
		r = parse_ids(ps, start, v, QS_IDS);
		free(v);
		return r;
	}
	/* key:value where the key is letters; anything else is free text. */
	for (s = ps->p; isalpha((unsigned char)*s) || *s == '_'; s++)
		;
	if (*s == ':' && s > ps->p) {
		ps->p = s + 1;
		if (*ps->p == '\0' || isspace((unsigned char)*ps->p))
			return fail(ps, ps->p, _("a value is missing"), NULL);
		return parse_term(ps, start, (size_t)(s - start), start);
	}
	return parse_words(ps);
}

static char *
array_literal(struct strbuf *sb)
{
	char *s;

	xasprintf(&s, "{%s}", sb->buf != NULL ? sb->buf : "");
	return s;
}

static void
finish(struct parser *ps)
{
	struct query *q = ps->q;
	size_t i;
	int slot;
	char buf[32];

	/* Only the array slots have elements. */
	for (slot = 1; slot <= QUERY_NPARAMS; slot++) {
		if (ps->arrays[slot].len > 0) {
			free(q->params[slot - 1]);
			q->params[slot - 1] = array_literal(&ps->arrays[slot]);
		}
	}
	if (ps->words.len > 0)
		set_slot(q, QS_WORDS, ps->words.buf);
	if (ps->prio_min > 1) {
		snprintf(buf, sizeof buf, "%lld", ps->prio_min);
		set_slot(q, QS_PRIO_MIN, buf);
	}
	if (ps->prio_max < 5) {
		snprintf(buf, sizeof buf, "%lld", ps->prio_max);
		set_slot(q, QS_PRIO_MAX, buf);
	}
	if (ps->statuses != 0) {
		struct strbuf sb;

		strbuf_init(&sb);
		for (i = 0; i < nitems(query_statuses); i++) {
			if (ps->statuses & (1u << i)) {
				strbuf_puts(&sb, sb.len > 0 ? "," : "{");
				strbuf_puts(&sb, query_statuses[i]);
			}
		}
		strbuf_addch(&sb, '}');
		q->statuses = strbuf_detach(&sb);
	}
}

int
query_parse(struct query *q, const char *text, const char *login, time_t now, char **cause)
{
	struct parser ps;
	size_t i;
	int r = 0;

	memset(q, 0, sizeof *q);
	memset(&ps, 0, sizeof ps);
	ps.text = ps.p = text != NULL ? text : "";
	ps.q = q;
	ps.login = login;
	ps.now = now;
	ps.cause = cause;
	ps.prio_min = 1;
	ps.prio_max = 5;
	strbuf_init(&ps.words);
	for (i = 0; i < nitems(ps.arrays); i++)
		strbuf_init(&ps.arrays[i]);
	for (;;) {
		while (isspace((unsigned char)*ps.p))
			ps.p++;
		if (*ps.p == '\0')
			break;
		if ((r = parse_token(&ps)) != 0)
			break;
	}
	if (r == 0 && ps.prio_min > ps.prio_max)
		r = fail(&ps, ps.text, _("no priority satisfies these bounds"), NULL);
	if (r == 0)
		finish(&ps);
	strbuf_free(&ps.words);
	for (i = 0; i < nitems(ps.arrays); i++)
		strbuf_free(&ps.arrays[i]);
	if (r != 0)
		query_free(q);
	return r;
}

void
query_set_queue(struct query *q, int queue_id)
{
	char buf[32];

	snprintf(buf, sizeof buf, "%d", queue_id);
	set_slot(q, QS_QUEUE_ID, buf);
}

const char *
query_status_list(const struct query *q, bool all)
{
	if (q->statuses != NULL)
		return q->statuses;
	return all ? "{new,open,pending,resolved,closed}" : "{new,open,pending}";
}

void
query_free(struct query *q)
{
	size_t i;

	for (i = 0; i < QUERY_NPARAMS; i++) {
		free(q->params[i]);
		q->params[i] = NULL;
	}
	free(q->statuses);
	q->statuses = NULL;
}
