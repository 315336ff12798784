/*
 * actions-desk.c — moving and classifying work: give a ticket to a colleague
 * (assign), move it to another queue of its level, return it to level 1, set
 * its service and its district; and the classification a new ticket asks for
 * (service, district, priority, the queue's fields). Each action asks what it
 * needs through the pickers of actions-pick.c, then makes one API call per
 * ticket through run_op, so that it works on the tagged tickets of an index as
 * on one ticket. The server decides every rule (api/35-desk.sql).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "actions.h"

static const char sql_assign[] = "SELECT guichet.assign($1::bigint, $2::name, $3::text)";
static const char sql_move[] = "SELECT guichet.move($1::bigint, $2::int, $3::text)";
static const char sql_return[] = "SELECT guichet.return_to_level1($1::bigint, $2::text, $3::int)";
static const char sql_service[] = "SELECT guichet.set_service($1::bigint, $2::int)";
static const char sql_district[] = "SELECT guichet.set_district($1::bigint, $2::int, $3::text)";
static const char sql_ticket_place[] =
    "SELECT queue_id, requester_id FROM guichet.ticket WHERE id = $1::bigint";
static const char sql_service_code[] =
    "SELECT id FROM guichet.service_catalogue($1::int) WHERE code = $2::text";
static const char sql_queue_fields[] =
    "SELECT name, label, kind, allowed, required_at FROM guichet.queue_fields($1::int)";
static const char sql_field_check[] =
    "SELECT guichet.field_value(f, $2::text) AS value FROM guichet.field f WHERE f.name = $1";

/* A required text; NULL (said so) when empty or cancelled. */
static char *
ask_required(const char *question, const char *arg, const char *refusal)
{
	char *s = arg != NULL ? xstrdup(arg) : prompt_line(question, NULL);

	if (s != NULL && *s == '\0') {
		free(s);
		s = NULL;
	}
	if (s == NULL)
		ui_error("%s", refusal);
	return s;
}

/* The queue (and requester) of a ticket: the pickers list by them. */
static int
ticket_place(long long ticket, char *queue, size_t qlen, char *requester, size_t rlen)
{
	char id[32];
	const char *params[1] = { id };
	PGresult *res;

	snprintf(id, sizeof id, "%lld", ticket);
	if ((res = action_call("ticket:place", sql_ticket_place, 1, params)) == NULL)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		ui_error(_("no ticket #%lld (or you may not see it)"), ticket);
		return -1;
	}
	snprintf(queue, qlen, "%s", db_value(res, 0, "queue_id"));
	if (requester != NULL)
		snprintf(requester, rlen, "%s",
		    db_value(res, 0, "requester_id") != NULL ? db_value(res, 0, "requester_id") :
							       "");
	PQclear(res);
	return 0;
}

static int
do_assign(const long long *ids, size_t n, const char *arg)
{
	struct op op = { "assign", N_("given to the colleague"), sql_assign, 3, { 0 }, -1, NULL };
	PGresult *res = NULL;
	char *login, *note, *q;
	int k, r;

	if (arg != NULL)
		login = xstrdup(arg);
	else {
		if ((k = pick_agent(ids[0], &res)) < 0)
			return -1;
		login = xstrdup(db_value(res, k, "login"));
		PQclear(res);
	}
	xasprintf(&q, _("a note for %s (Enter: none):"), login);
	note = prompt_line(q, NULL);
	free(q);
	if (note == NULL) {
		free(login);
		return -1;
	}
	op.params[1] = login;
	op.params[2] = *note != '\0' ? note : NULL;
	r = run_op(&op, ids, n, NULL);
	free(login);
	free(note);
	return r;
}

/* The queue a move goes to: the code given on the command line, or chosen. */
static char *
move_target(long long ticket, const char *arg)
{
	PGresult *res;
	char *id;
	int k;

	if ((k = pick_move_queue(ticket, arg, &res)) < 0)
		return NULL;
	id = xstrdup(db_value(res, k, "id"));
	PQclear(res);
	return id;
}

static int
do_move(const long long *ids, size_t n, const char *arg)
{
	struct op op = { "move", N_("moved"), sql_move, 3, { 0 }, -1, NULL };
	char *queue, *reason;
	int r;

	if ((queue = move_target(ids[0], arg)) == NULL)
		return -1;
	reason = ask_required(
	    _("reason for the move (required):"), NULL, _("a move needs a reason: nothing done"));
	if (reason == NULL) {
		free(queue);
		return -1;
	}
	op.params[1] = queue;
	op.params[2] = reason;
	r = run_op(&op, ids, n, NULL);
	free(queue);
	free(reason);
	return r;
}

static int
do_return(const long long *ids, size_t n, const char *arg)
{
	struct op op = { "return", N_("returned to level 1"), sql_return, 3, { 0 }, -1, NULL };
	char queue[16], *reason;
	int r;

	if (pick_return_queue(ids[0], queue, sizeof queue) != 0)
		return -1;
	reason = ask_required(
	    _("reason (required):"), arg, _("a return to level 1 needs a reason: nothing done"));
	if (reason == NULL)
		return -1;
	op.params[1] = reason;
	op.params[2] = queue[0] != '\0' ? queue : NULL;
	r = run_op(&op, ids, n, NULL);
	free(reason);
	return r;
}

static int
do_service(const long long *ids, size_t n, const char *arg)
{
	struct op op = { "service", N_("service set"), sql_service, 2, { 0 }, -1, NULL };
	char queue[16], service[16] = "";
	const char *params[2] = { queue, arg };
	PGresult *res;

	if (ticket_place(ids[0], queue, sizeof queue, NULL, 0) != 0)
		return -1;
	if (arg != NULL && strcmp(arg, "none") != 0) {
		if ((res = action_call("service:code", sql_service_code, 2, params)) == NULL)
			return -1;
		if (PQntuples(res) == 1)
			snprintf(service, sizeof service, "%s", db_value(res, 0, "id"));
		PQclear(res);
		if (service[0] == '\0') {
			ui_error(_("no service %s in this ticket's catalogue"), arg);
			return -1;
		}
	} else if (arg == NULL && pick_service(queue, service, sizeof service) != 0)
		return -1;
	op.params[1] = service[0] != '\0' ? service : NULL;
	return run_op(&op, ids, n, NULL);
}

static int
do_district(const long long *ids, size_t n)
{
	struct op op = { "district", N_("place set"), sql_district, 3, { 0 }, -1, NULL };
	char queue[16], requester[32], district[16];
	char *place;
	int r;

	if (ticket_place(ids[0], queue, sizeof queue, requester, sizeof requester) != 0)
		return -1;
	if (pick_district(
		queue, requester[0] != '\0' ? requester : NULL, district, sizeof district) != 0)
		return -1;
	place = prompt_line(_("the place: street, building (Enter: unchanged, -: none):"), NULL);
	if (place == NULL)
		return -1;
	op.params[1] = district[0] != '\0' ? district : NULL;
	op.params[2] = strcmp(place, "-") == 0 ? "" : *place != '\0' ? place : NULL;
	r = run_op(&op, ids, n, NULL);
	free(place);
	return r;
}

int
desk_action(enum action a, const long long *ids, size_t n, const char *arg)
{
	switch (a) {
	case A_ASSIGN:
		return do_assign(ids, n, arg);
	case A_MOVE:
		return do_move(ids, n, arg);
	case A_RETURN_L1:
		return do_return(ids, n, arg);
	case A_SERVICE:
		return do_service(ids, n, arg);
	case A_DISTRICT:
		return do_district(ids, n);
	default:
		return -1;
	}
}

/*
 * A new ticket's classification.
 */

/*
 * The server's own check of a field's value (30-ticket.sql field_value): the
 * value as it will be stored, or NULL with *cause (the server's sentence).
 */
static char *
field_check(const char *name, const char *value, char **cause)
{
	const char *params[2] = { name, value };
	PGresult *res;
	char *v = NULL;

	if ((res = conn_call("field:check", sql_field_check, 2, params, cause, NULL, NULL)) == NULL)
		return NULL;
	if (PQntuples(res) == 1 && db_value(res, 0, "value") != NULL)
		v = xstrdup(db_value(res, 0, "value"));
	else
		*cause = xstrdup(_("no such field"));
	PQclear(res);
	return v;
}

/* One field's value: "" for none, NULL when cancelled. A required one is asked again. */
static char *
ask_field(const PGresult *f, int i)
{
	const char *label = db_value(f, i, "label"), *kind = db_value(f, i, "kind");
	bool required = db_value(f, i, "required_at") != NULL &&
	    strcmp(db_value(f, i, "required_at"), "create") == 0;
	char *q, *v, *ok, *again, *retry = NULL, *cause = NULL;

	if (strcmp(kind, "enum") == 0) {
		char *allowed = xstrdup(db_value(f, i, "allowed")), *s, *save = NULL;
		const char **vals = NULL;
		size_t nv = 0;
		int c;

		if (!required) {
			vals = xreallocarray(vals, nv + 1, sizeof *vals);
			vals[nv++] = _("(none)");
		}
		for (s = strtok_r(allowed, "\x1f", &save); s != NULL;
		     s = strtok_r(NULL, "\x1f", &save)) {
			vals = xreallocarray(vals, nv + 1, sizeof *vals);
			vals[nv++] = s;
		}
		xasprintf(&q, required ? _("%s (required)") : "%s", label);
		c = prompt_choice(q, vals, nv, 0);
		v = c < 0 ? NULL : xstrdup(!required && c == 0 ? "" : vals[c]);
		free(q);
		free(vals);
		free(allowed);
		return v;
	}
	xasprintf(&q, required ? _("%s (%s, required):") : _("%s (%s; Enter: none):"), label, kind);
	/* The prompt is on the message line: what was wrong is said in the next question. */
	for (again = xstrdup(q);; free(cause)) {
		cause = NULL;
		v = prompt_line(again, retry);
		free(again);
		free(retry);
		retry = NULL;
		if (v == NULL || (*v == '\0' && !required))
			break;
		if (*v != '\0' && (ok = field_check(db_value(f, i, "name"), v, &cause)) != NULL) {
			free(v);
			v = ok;
			break;
		}
		if (cause == NULL)
			xasprintf(&cause, _("%s is required for a ticket of this queue"), label);
		xasprintf(&again, "%s — %s:", cause, label);
		retry = v;
	}
	free(q);
	return v;
}

/* The queue's fields, as a JSON object (NULL: none given); -1 when cancelled. */
static int
ask_fields(const char *queue, char **json)
{
	const char *params[1] = { queue };
	struct strbuf sb;
	PGresult *f;
	char *v;
	int i, given = 0;

	*json = NULL;
	if ((f = action_call("queue:fields", sql_queue_fields, 1, params)) == NULL)
		return -1;
	strbuf_init(&sb);
	strbuf_addch(&sb, '{');
	for (i = 0; i < PQntuples(f); i++) {
		if ((v = ask_field(f, i)) == NULL) {
			strbuf_free(&sb);
			PQclear(f);
			return -1;
		}
		if (*v != '\0') {
			if (given++ > 0)
				strbuf_addch(&sb, ',');
			json_string(&sb, db_value(f, i, "name"));
			strbuf_addch(&sb, ':');
			json_string(&sb, v);
		}
		free(v);
	}
	strbuf_addch(&sb, '}');
	PQclear(f);
	if (given > 0)
		*json = strbuf_detach(&sb);
	else
		strbuf_free(&sb);
	return 0;
}

/*
 * What a new ticket is, asked after its subject: its service (the catalogue,
 * the queue's services first; none by default), its district (the
 * requester's by default), its priority (the queue's by default) and the
 * queue's fields (those required at creation must be given). 0, or -1 when
 * the agent cancelled.
 */
int
desk_classify(const char *queue, const char *contact, const char *priority, struct new_ticket *nt)
{
	long long def = 3;
	int k;

	memset(nt, 0, sizeof *nt);
	if (pick_service(queue, nt->service, sizeof nt->service) != 0)
		return -1;
	if (pick_district(queue, contact, nt->district, sizeof nt->district) != 0)
		return -1;
	if (priority != NULL)
		parse_int(priority, 1, 5, &def);
	if ((k = prompt_choice_tr(_("priority"), priority_labels, 5, (size_t)(5 - def))) < 0)
		return -1;
	snprintf(nt->priority, sizeof nt->priority, "%d", 5 - k);
	return ask_fields(queue, &nt->fields);
}

void
desk_classify_free(struct new_ticket *nt)
{
	free(nt->fields);
	nt->fields = NULL;
}
