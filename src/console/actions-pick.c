/*
 * actions-pick.c — the choices an action asks for among rows of the database:
 * a level-2 queue, a dynamic field, a queue to create a ticket in, a reply
 * template (rendered for the ticket by the server), a requester, and for the desk's
 * actions a colleague, a queue to move to or return to, a service, a
 * district. Each runs its statement, offers one label per row (the choice
 * list filters as one types: a login, a queue code, a word of a service) and
 * hands the chosen row back.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "actions.h"

static const char sql_level2[] =
    "SELECT id, code, name, preferred FROM guichet.escalation_queues($1::bigint)";
static const char sql_fields[] =
    "SELECT name, label, kind, allowed FROM guichet.field_definitions()";
static const char sql_writable_queues[] =
    "SELECT id, code, name, default_priority FROM guichet.writable_queues()";
static const char sql_agents[] =
    "SELECT login, display_name, away FROM guichet.assignable_agents($1::bigint)";
static const char sql_move_queues[] = "SELECT id, code, name FROM guichet.move_queues($1::bigint)";
static const char sql_return_queues[] =
    "SELECT id, code, name FROM guichet.return_queues($1::bigint)";
static const char sql_services[] =
    "SELECT id, code, category, name FROM guichet.service_catalogue($1::int)";
static const char sql_districts[] =
    "SELECT id, name, preferred FROM guichet.district_choices($1::int, $2::bigint)";
static const char sql_templates[] = "SELECT id, name, body FROM guichet.reply_templates()";
static const char sql_render[] = "SELECT guichet.render_template($1::bigint, $2::text) AS text";
static const char sql_contacts[] =
    "SELECT id, name, email, phone FROM guichet.contact_search($1::text)";
static const char sql_contact_new[] =
    "SELECT guichet.find_or_create_contact($1::text, $2::text, $3::text) AS id";
/* The district is asked later (desk_classify): the same phone or address here. */
static const char sql_contact_duplicates[] =
    "SELECT id, name, email, phone, reason"
    " FROM guichet.contact_duplicates($3::text, $2::text, NULL::int, $1::text)";

const char *const priority_labels[5] = {
	N_("5 — most urgent"),
	N_("4 — urgent"),
	N_("3 — normal"),
	N_("2 — low"),
	N_("1 — lowest"),
};

PGresult *
action_call(const char *label, const char *sql, int n, const char *const *params)
{
	char *cause = NULL;
	PGresult *res;

	if ((res = conn_call(label, sql, n, params, &cause, NULL, NULL)) == NULL) {
		ui_error("%s", cause);
		free(cause);
	}
	return res;
}

/*
 * A choice among the rows of a statement, one label per row (label_of): the
 * chosen row's index, *res kept for the caller to read and clear; or -1 when
 * the statement failed, found nothing (empty is said) or the agent cancelled.
 */
static int
pick_row(const char *label, const char *sql, int n, const char *const *params, const char *title,
    const char *empty, char *(*label_of)(const PGresult *, int), PGresult **res)
{
	char **labels;
	int nrows, k, i;

	if ((*res = action_call(label, sql, n, params)) == NULL)
		return -1;
	if ((nrows = PQntuples(*res)) == 0) {
		ui_error("%s", empty);
		k = -1;
	} else {
		labels = xcalloc((size_t)nrows, sizeof *labels);
		for (i = 0; i < nrows; i++)
			labels[i] = label_of(*res, i);
		k = prompt_choice(title, (const char *const *)labels, (size_t)nrows, 0);
		for (i = 0; i < nrows; i++)
			free(labels[i]);
		free(labels);
	}
	if (k < 0) {
		PQclear(*res);
		*res = NULL;
	}
	return k;
}

static char *
queue_label(const PGresult *res, int i)
{
	char *s;

	xasprintf(&s, "%s — %s", db_value(res, i, "code"), db_value(res, i, "name"));
	return s;
}

static char *
agent_label(const PGresult *res, int i)
{
	char *s;

	xasprintf(&s, "%s — %s%s", db_value(res, i, "login"), db_value(res, i, "display_name"),
	    db_bool(res, i, "away") ? _(" (away)") : "");
	return s;
}

static char *
service_label(const PGresult *res, int i)
{
	char *s;

	xasprintf(&s, "%s / %s (%s)", db_value(res, i, "category"), db_value(res, i, "name"),
	    db_value(res, i, "code"));
	return s;
}

static char *
field_label(const PGresult *res, int i)
{
	char *s;

	xasprintf(&s, "%s (%s, %s)", db_value(res, i, "label"), db_value(res, i, "name"),
	    db_value(res, i, "kind"));
	return s;
}

/* The level-2 queues, the ticket's own escalation target first. */
int
pick_level2_queue(long long ticket, PGresult **res)
{
	char id[32];
	const char *params[1] = { id };

	snprintf(id, sizeof id, "%lld", ticket);
	return pick_row("escalate:queues", sql_level2, 1, params,
	    _("escalate to which level-2 queue?"), _("there is no level-2 queue to escalate to"),
	    queue_label, res);
}

int
pick_field(PGresult **res)
{
	return pick_row("fields", sql_fields, 0, NULL, _("set which field?"),
	    _("no dynamic fields are defined"), field_label, res);
}

int
pick_writable_queue(PGresult **res)
{
	return pick_row("queues", sql_writable_queues, 0, NULL, _("new ticket in which queue?"),
	    _("you may not create tickets in any queue"), queue_label, res);
}

/* The colleagues who may write in the ticket's queue (login — name). */
int
pick_agent(long long ticket, PGresult **res)
{
	char id[32];
	const char *params[1] = { id };

	snprintf(id, sizeof id, "%lld", ticket);
	return pick_row("assign:agents", sql_agents, 1, params, _("give it to whom?"),
	    _("nobody else may write in this ticket's queue"), agent_label, res);
}

/*
 * The queues of the ticket's level the agent writes in (code — name); with
 * code (the command line's argument), the row of that code without asking.
 */
int
pick_move_queue(long long ticket, const char *code, PGresult **res)
{
	char id[32];
	const char *params[1] = { id };
	int i;

	snprintf(id, sizeof id, "%lld", ticket);
	if (code == NULL)
		return pick_row("move:queues", sql_move_queues, 1, params,
		    _("move to which queue?"),
		    _("there is no other queue of this level you may write in"), queue_label, res);
	if ((*res = action_call("move:queues", sql_move_queues, 1, params)) == NULL)
		return -1;
	for (i = 0; i < PQntuples(*res); i++)
		if (strcmp(db_value(*res, i, "code"), code) == 0)
			return i;
	ui_error(_("%s: not a queue of this level you may write in"), code);
	PQclear(*res);
	*res = NULL;
	return -1;
}

/*
 * A choice among the rows of res with a first entry for none: the row's
 * index, -1 for none, -2 when cancelled. initial: the row offered first (-1:
 * none).
 */
static int
pick_or_none(const char *title, const char *none, PGresult *res,
    char *(*label_of)(const PGresult *, int), int initial)
{
	int n = PQntuples(res), i, k;
	char **labels = xcalloc((size_t)n + 1, sizeof *labels);

	labels[0] = xstrdup(none);
	for (i = 0; i < n; i++)
		labels[i + 1] = label_of(res, i);
	k = prompt_choice(title, (const char *const *)labels, (size_t)n + 1, (size_t)(initial + 1));
	for (i = 0; i <= n; i++)
		free(labels[i]);
	free(labels);
	return k < 0 ? -2 : k - 1;
}

/*
 * The level-1 queue to return a ticket to: by default where it came from (""
 * in buf: the server finds it, for each ticket of a bulk return), or one of
 * its organisation's level-1 queues, that one first. 0, or -1 when cancelled.
 */
int
pick_return_queue(long long ticket, char *buf, size_t len)
{
	char id[32];
	const char *params[1] = { id };
	PGresult *res;
	int k;

	snprintf(id, sizeof id, "%lld", ticket);
	if ((res = action_call("return:queues", sql_return_queues, 1, params)) == NULL)
		return -1;
	k = pick_or_none(_("return to which level-1 queue?"), _("(the level-1 queue it came from)"),
	    res, queue_label, -1);
	if (k > -2)
		snprintf(buf, len, "%s", k >= 0 ? db_value(res, k, "id") : "");
	PQclear(res);
	return k == -2 ? -1 : 0;
}

/*
 * The service catalogue of a queue's organisation (the queue's own services
 * first): the chosen service's id in buf ("" for none); -1 when cancelled.
 */
int
pick_service(const char *queue, char *buf, size_t len)
{
	const char *params[1] = { queue };
	PGresult *res;
	int k;

	if ((res = action_call("services", sql_services, 1, params)) == NULL)
		return -1;
	k = pick_or_none(
	    _("which service? (type to filter)"), _("(no service)"), res, service_label, -1);
	if (k > -2)
		snprintf(buf, len, "%s", k >= 0 ? db_value(res, k, "id") : "");
	PQclear(res);
	return k == -2 ? -1 : 0;
}

static char *
district_label(const PGresult *res, int i)
{
	return xstrdup(db_value(res, i, "name"));
}

/*
 * The districts of a queue's organisation, the requester's offered first:
 * the chosen one's id in buf ("" for none); -1 when cancelled.
 */
int
pick_district(const char *queue, const char *contact, char *buf, size_t len)
{
	const char *params[2] = { queue, contact };
	PGresult *res;
	int k;

	if ((res = action_call("districts", sql_districts, 2, params)) == NULL)
		return -1;
	k = pick_or_none(_("which district?"), _("(no district)"), res, district_label,
	    PQntuples(res) > 0 && db_bool(res, 0, "preferred") ? 0 : -1);
	if (k > -2)
		snprintf(buf, len, "%s", k >= 0 ? db_value(res, k, "id") : "");
	PQclear(res);
	return k == -2 ? -1 : 0;
}

/*
 * Choose a template (or none): the initial text, rendered for the ticket by
 * the server (render_template: the one template language of replies,
 * acknowledgements and closing notices), and *template_id. NULL when
 * cancelled or when the template cannot be rendered (the server's sentence
 * is shown).
 */
char *
choose_template(long long ticket, char *template_id, size_t len)
{
	PGresult *res, *text;
	char id[32], *cause = NULL, *out;
	const char *params[2] = { id, NULL };
	const char **labels;
	int n, k, i;

	snprintf(template_id, len, "%s", "");
	res = conn_call("templates", sql_templates, 0, NULL, &cause, NULL, NULL);
	if (res == NULL) {
		free(cause);
		return xstrdup("");
	}
	n = PQntuples(res);
	if (n == 0) {
		PQclear(res);
		return xstrdup("");
	}
	labels = xcalloc((size_t)n + 1, sizeof *labels);
	labels[0] = _("(no template)");
	for (i = 0; i < n; i++)
		labels[i + 1] = db_value(res, i, "name");
	k = prompt_choice(_("reply with which template?"), labels, (size_t)n + 1, 0);
	free(labels);
	if (k <= 0) {
		PQclear(res);
		return k < 0 ? NULL : xstrdup("");
	}
	snprintf(id, sizeof id, "%lld", ticket);
	params[1] = db_value(res, k - 1, "body");
	if ((text = action_call("template:render", sql_render, 2, params)) == NULL) {
		PQclear(res);
		return NULL;
	}
	out = xstrdup(db_value(text, 0, "text"));
	snprintf(template_id, len, "%s", db_value(res, k - 1, "id"));
	PQclear(text);
	PQclear(res);
	return out;
}

/*
 * Before a new contact is recorded, the people she may already be (the same
 * phone, the same local part of an address: contact_duplicates): the id of
 * the one chosen, "" for none (record her), NULL when cancelled.
 */
static char *
propose_duplicate(const char *mail, const char *name, const char *phone)
{
	const char *params[3] = { *mail != '\0' ? mail : NULL, name,
		*phone != '\0' ? phone : NULL };
	PGresult *res;
	char **labels, *id = NULL;
	int n, k, i;

	if ((res = action_call("contact:duplicates", sql_contact_duplicates, 3, params)) == NULL)
		return NULL;
	if ((n = PQntuples(res)) == 0) {
		PQclear(res);
		return xstrdup("");
	}
	labels = xcalloc((size_t)n + 1, sizeof *labels);
	labels[0] = xstrdup(_("none of them: a new contact"));
	for (i = 0; i < n; i++)
		xasprintf(&labels[i + 1], _("%s <%s> %s (same %s)"), db_value(res, i, "name"),
		    db_value(res, i, "email") ? db_value(res, i, "email") : "",
		    db_value(res, i, "phone") ? db_value(res, i, "phone") : "",
		    db_value(res, i, "reason"));
	k = prompt_choice(_("is she one of these?"), (const char *const *)labels, (size_t)n + 1, 1);
	for (i = 0; i <= n; i++)
		free(labels[i]);
	free(labels);
	if (k >= 0)
		id = xstrdup(k == 0 ? "" : db_value(res, k - 1, "id"));
	PQclear(res);
	return id;
}

/* A new contact: her address, name and phone, unless she is already known. */
static char *
new_contact(const char *who)
{
	char *mail, *name = NULL, *phone = NULL, *id = NULL;
	const char *params[3];
	PGresult *res;

	if ((mail = prompt_line(_("mail address (Enter: none):"), NULL)) == NULL ||
	    (name = prompt_line(_("name:"), who)) == NULL ||
	    (phone = prompt_line(_("phone (Enter: none):"), NULL)) == NULL)
		goto out;
	if ((id = propose_duplicate(mail, name, phone)) == NULL || *id != '\0')
		goto out;
	free(id);
	id = NULL;
	params[0] = *mail != '\0' ? mail : NULL;
	params[1] = name;
	params[2] = *phone != '\0' ? phone : NULL;
	if ((res = action_call("contact:new", sql_contact_new, 3, params)) != NULL) {
		id = xstrdup(db_value(res, 0, "id"));
		PQclear(res);
	}
out:
	free(mail);
	free(name);
	free(phone);
	return id;
}

/* The requester of a new ticket: found by name, mail or phone, or created. */
char *
choose_contact(void)
{
	PGresult *res;
	char *who, *pattern, *id = NULL, **labels;
	const char *params[1];
	int n, k, i;

	if ((who = prompt_line(_("requester (part of a name, mail or phone):"), NULL)) == NULL)
		return NULL;
	/* "o_brien" or "50%" are what was typed, not wildcards. */
	pattern = query_like_pattern(who);
	params[0] = pattern;
	res = action_call("contacts", sql_contacts, 1, params);
	free(pattern);
	if (res == NULL) {
		free(who);
		return NULL;
	}
	n = PQntuples(res);
	labels = xcalloc((size_t)n + 1, sizeof *labels);
	labels[0] = xstrdup(_("(a new contact)"));
	for (i = 0; i < n; i++)
		xasprintf(&labels[i + 1], "%s <%s> %s", db_value(res, i, "name"),
		    db_value(res, i, "email") ? db_value(res, i, "email") : "",
		    db_value(res, i, "phone") ? db_value(res, i, "phone") : "");
	k = prompt_choice(
	    _("which requester?"), (const char *const *)labels, (size_t)n + 1, n > 0 ? 1 : 0);
	for (i = 0; i <= n; i++)
		free(labels[i]);
	free(labels);
	if (k > 0)
		id = xstrdup(db_value(res, k - 1, "id"));
	PQclear(res);
	if (k == 0)
		id = new_contact(who);
	free(who);
	return id;
}
