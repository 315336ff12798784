/*
 * actions-search.c — saved searches (src/sql/api/55-search.sql): save the
 * search an index shows under a name, forget one, and count what one finds
 * for the overview, through the same search as the index (ticket_search,
 * 61-console-read.sql) with the words looked up at most console.count_cap
 * times.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"

static const char sql_save[] = "SELECT guichet.search_save($1::text, $2::text) AS id";
static const char sql_forget[] = "SELECT guichet.search_forget($1::text)";
/*
 * The words ($23) go to search_text with a limit, so that a common word costs
 * what console.count_cap tickets cost; the terms' own words slot is NULL.
 */
static const char sql_count[] =
    "SELECT count(*) AS n FROM (SELECT 1"
    " FROM guichet.ticket_search($21::text[], " QUERY_TERMS ") t"
    " WHERE t.status = ANY ($21::text[])"
    " AND ($23::text IS NULL OR t.id IN (SELECT guichet.search_text($23::text, $22::int + 1,"
    "  $21::text[], $1::int, $2::text[]))) LIMIT $22::int + 1) x";

void
search_save(const char *text)
{
	char *name, *cause = NULL;
	const char *params[2];
	PGresult *res;

	if ((name = prompt_line(_("save this search as:"), NULL)) == NULL || *name == '\0') {
		free(name);
		return;
	}
	params[0] = name;
	params[1] = text;
	if ((res = conn_call("search:save", sql_save, 2, params, &cause, NULL, NULL)) == NULL) {
		ui_error("%s", cause);
		free(cause);
	} else {
		ui_message(_("saved as \"%s\": it is listed in the overview"), name);
		PQclear(res);
		view_dispatch_notify(0); /* the overview lists it when shown again */
	}
	free(name);
}

int
search_forget(const char *name)
{
	char *cause = NULL, *question;
	const char *params[1] = { name };
	PGresult *res;
	bool yes;

	xasprintf(&question, _("forget the search \"%s\"?"), name);
	yes = prompt_yesno(question);
	free(question);
	if (!yes)
		return -1;
	if ((res = conn_call("search:forget", sql_forget, 1, params, &cause, NULL, NULL)) == NULL) {
		ui_error("%s", cause);
		free(cause);
		return -1;
	}
	PQclear(res);
	ui_message(_("search \"%s\" forgotten"), name);
	return 0;
}

/* Send the count of a saved search; cb gets arg back. -1 when the text does not parse. */
int
search_count(const char *text, request_cb cb, void *owner, void *arg)
{
	struct query q;
	const char *params[QUERY_NPARAMS + 3];
	char cap[24], *cause = NULL;
	int i;

	if (query_parse(&q, text, console.login, server_now(), &cause) != 0) {
		free(cause);
		return -1;
	}
	for (i = 0; i < QUERY_NPARAMS; i++)
		params[i] = q.params[i];
	params[QS_WORDS - 1] = NULL;
	params[20] = query_status_list(&q, true);
	snprintf(cap, sizeof cap, "%d", console.count_cap);
	params[21] = cap;
	params[22] = QUERY_PARAM(&q, QS_WORDS);
	conn_send("search:count", sql_count, QUERY_NPARAMS + 3, params, cb, owner, arg);
	query_free(&q);
	return 0;
}
