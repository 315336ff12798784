/*
 * route.c — routing rules for new tickets, from guichet.conf:
 *
 *   route HEADER PATTERN key=value…
 *
 * HEADER is a header name (its decoded value is matched), or "body". PATTERN
 * is a case-insensitive POSIX extended regular expression. Keys: queue,
 * service (codes), priority (1–5), field.NAME. The first matching rule wins;
 * the recipient's queue address still comes first (see ingest_message).
 */
#include "config.h"

#include <regex.h>
#include <string.h>
#include <strings.h>

#include "common.h"
#include "mail.h"

struct compiled_rule {
	const struct config_line *line;
	regex_t re;
};
static struct compiled_rule *rules;
static size_t nrules;

static int
rule_check(const struct config_line *l, char **cause)
{
	int i;
	long long n;

	if (l->argc < 4) {
		xasprintf(
		    cause, "%s:%d: route needs HEADER PATTERN key=value…", l->file, l->lineno);
		return -1;
	}
	for (i = 3; i < l->argc; i++) {
		const char *eq = strchr(l->argv[i], '=');

		if (eq == NULL || eq == l->argv[i]) {
			xasprintf(cause, "%s:%d: \"%s\" is not key=value", l->file, l->lineno,
			    l->argv[i]);
			return -1;
		}
		if (strncmp(l->argv[i], "queue=", 6) != 0 &&
		    strncmp(l->argv[i], "service=", 8) != 0 &&
		    strncmp(l->argv[i], "priority=", 9) != 0 &&
		    strncmp(l->argv[i], "field.", 6) != 0) {
			xasprintf(cause, "%s:%d: unknown route key \"%.*s\"", l->file, l->lineno,
			    (int)(eq - l->argv[i]), l->argv[i]);
			return -1;
		}
		if (strncmp(l->argv[i], "priority=", 9) == 0 && parse_int(eq + 1, 1, 5, &n) != 0) {
			xasprintf(cause, "%s:%d: priority must be 1 to 5", l->file, l->lineno);
			return -1;
		}
	}
	return 0;
}

int
route_check(const struct config *cf, char **cause)
{
	size_t i;
	struct compiled_rule *r;
	char err[256];
	int e;

	for (i = 0; cf != NULL && i < cf->nlines; i++) {
		const struct config_line *l = &cf->lines[i];

		if (l->argc == 0 || strcmp(l->argv[0], "route") != 0)
			continue;
		if (rule_check(l, cause) != 0)
			return -1;
		rules = xreallocarray(rules, nrules + 1, sizeof *rules);
		r = &rules[nrules];
		r->line = l;
		if ((e = regcomp(&r->re, l->argv[2], REG_EXTENDED | REG_ICASE | REG_NOSUB)) != 0) {
			regerror(e, &r->re, err, sizeof err);
			xasprintf(cause, "%s:%d: bad pattern: %s", l->file, l->lineno, err);
			return -1;
		}
		nrules++;
	}
	return 0;
}

static char *
rule_json(const struct config_line *l)
{
	struct strbuf sb, fields;
	bool first = true, ffirst = true;
	int i;

	strbuf_init(&sb);
	strbuf_init(&fields);
	strbuf_addch(&sb, '{');
	for (i = 3; i < l->argc; i++) {
		const char *eq = strchr(l->argv[i], '=');
		char *key = xstrndup(l->argv[i], eq - l->argv[i]);

		if (strncmp(key, "field.", 6) == 0) {
			json_key(&fields, &ffirst, key + 6);
			json_string(&fields, eq + 1);
		} else if (strcmp(key, "priority") == 0) {
			json_key(&sb, &first, key);
			strbuf_puts(&sb, eq + 1);
		} else {
			json_key(&sb, &first, key);
			json_string(&sb, eq + 1);
		}
		free(key);
	}
	if (fields.len > 0) {
		json_key(&sb, &first, "fields");
		strbuf_printf(&sb, "{%s}", fields.buf);
	}
	strbuf_addch(&sb, '}');
	strbuf_free(&fields);
	return strbuf_detach(&sb);
}

char *
route_match(const struct config *cf, const struct mail *m)
{
	size_t i;
	const char *raw;
	char *value;
	bool lossy = false, hit;

	(void)cf;
	for (i = 0; i < nrules; i++) {
		const struct config_line *l = rules[i].line;

		if (strcasecmp(l->argv[1], "body") == 0)
			hit = m->body.buf != NULL &&
			    regexec(&rules[i].re, m->body.buf, 0, NULL, 0) == 0;
		else if ((raw = headers_get(&m->headers, l->argv[1])) != NULL) {
			value = header_decode(raw, &lossy);
			hit = regexec(&rules[i].re, value, 0, NULL, 0) == 0;
			free(value);
		} else
			hit = false;
		if (hit)
			return rule_json(l);
	}
	return NULL;
}
