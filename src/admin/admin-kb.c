/*
 * admin-kb.c — the knowledge base: Markdown articles agents search and quote in
 * replies. Adding an existing slug replaces the article; without --title the
 * first "# heading" of the file is the title.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "admin.h"

#define KB_MAX_BYTES (4 * 1024 * 1024)

struct kb_opts {
	const char *title;
	const char *org;
	struct strbuf tags; /* a PostgreSQL array literal being built */
	int ntags;
};

static void
kb_option(int ch, const char *arg, void *ctx)
{
	struct kb_opts *o = ctx;
	const char *p;

	switch (ch) {
	case 't':
		o->title = arg;
		break;
	case 'o':
		o->org = arg;
		break;
	case 'g':
		admin_reject_control(_("tag"), arg);
		if (*arg == '\0')
			die(EX_USAGE, _("a tag must not be empty"));
		/* Quoted array element: only " and \ need escaping. */
		strbuf_puts(&o->tags, o->ntags++ > 0 ? ",\"" : "\"");
		for (p = arg; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				strbuf_addch(&o->tags, '\\');
			strbuf_addch(&o->tags, *p);
		}
		strbuf_addch(&o->tags, '"');
		break;
	}
}

/* The first ATX heading of a Markdown text, or NULL. */
static char *
kb_heading(const char *body)
{
	const char *line = body, *text, *end;

	while (*line != '\0') {
		end = strchr(line, '\n');
		if (end == NULL)
			end = line + strlen(line);
		if (*line == '#') {
			text = line + strspn(line, "#");
			text += strspn(text, " \t");
			while (end > text && (end[-1] == ' ' || end[-1] == '\r' || end[-1] == '#'))
				end--;
			if (end > text)
				return xstrndup(text, (size_t)(end - text));
		}
		line = *end == '\n' ? end + 1 : end;
	}
	return NULL;
}

int
cmd_kb_add(struct admin *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "title", required_argument, NULL, 't' },
		{ "tag", required_argument, NULL, 'g' },
		{ "org", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	struct kb_opts o = { 0 };
	struct admin_args args;
	const char *params[5];
	char *body, *title, *org = NULL, *tags;

	strbuf_init(&o.tags);
	strbuf_addch(&o.tags, '{');
	admin_parse("kb", "add", argc, argv, opts, kb_option, &o, 2, 2, &args);
	strbuf_addch(&o.tags, '}');
	tags = strbuf_detach(&o.tags);
	admin_check_code(_("slug"), args.argv[0]);
	body = admin_read_file(args.argv[1], KB_MAX_BYTES);
	if (o.title != NULL)
		title = xstrdup(o.title);
	else if ((title = kb_heading(body)) == NULL)
		die(EX_USAGE, _("%s has no \"# heading\": give --title"), args.argv[1]);
	admin_reject_control(_("title"), title);
	if (o.org != NULL)
		org = admin_lookup(a, KIND_ORG, o.org);
	params[0] = args.argv[0];
	params[1] = title;
	params[2] = body;
	params[3] = tags;
	params[4] = org;
	PQclear(admin_exec(a,
	    "INSERT INTO guichet.kb_article (slug, title, body, tags, "
	    "organisation_id) VALUES ($1, $2, $3, $4::text[], $5) ON CONFLICT (slug) DO "
	    "UPDATE SET title = EXCLUDED.title, body = EXCLUDED.body, tags = EXCLUDED.tags, "
	    "organisation_id = EXCLUDED.organisation_id, updated_at = now()",
	    5, params));
	free(body);
	free(title);
	free(org);
	free(tags);
	return EX_OK;
}

int
cmd_kb_list(struct admin *a, int argc, char **argv)
{
	struct admin_list l;

	admin_list_args("kb", argc, argv, 0, &l);
	return admin_list_run(a,
	    "SELECT k.slug, k.title, array_to_string(k.tags, ',') AS tags, o.code AS org, "
	    "to_char(k.updated_at, 'YYYY-MM-DD HH24:MI') AS updated "
	    "FROM guichet.kb_article k "
	    "LEFT JOIN guichet.organisation o ON o.id = k.organisation_id "
	    "WHERE ($4::text IS NULL OR $4 = ANY (k.tags)) "
	    "AND ($2::text IS NULL OR o.code = $2) ORDER BY k.slug",
	    &l);
}

int
cmd_kb_show(struct admin *a, int argc, char **argv)
{
	struct admin_args args;
	const char *params[1];
	PGresult *res;

	admin_parse("kb", "show", argc, argv, NULL, NULL, NULL, 1, 1, &args);
	params[0] = args.argv[0];
	res = admin_exec(a,
	    "SELECT k.slug, k.title, array_to_string(k.tags, ',') AS tags, "
	    "o.code AS org, to_char(k.updated_at, 'YYYY-MM-DD HH24:MI') AS updated, k.body "
	    "FROM guichet.kb_article k LEFT JOIN guichet.organisation o "
	    "ON o.id = k.organisation_id WHERE k.slug = $1",
	    1, params);
	if (PQntuples(res) == 0) {
		PQclear(res);
		die(EX_DATAERR, _("no knowledge-base article \"%s\""), args.argv[0]);
	}
	admin_print_record(res, 0);
	PQclear(res);
	return EX_OK;
}

int
cmd_kb_remove(struct admin *a, int argc, char **argv)
{
	struct admin_args args;
	const char *params[1];
	PGresult *res;

	admin_parse("kb", "remove", argc, argv, NULL, NULL, NULL, 1, 1, &args);
	params[0] = args.argv[0];
	res = admin_exec(
	    a, "DELETE FROM guichet.kb_article WHERE slug = $1 RETURNING id", 1, params);
	if (PQntuples(res) == 0) {
		PQclear(res);
		die(EX_DATAERR, _("no knowledge-base article \"%s\""), args.argv[0]);
	}
	PQclear(res);
	return EX_OK;
}
