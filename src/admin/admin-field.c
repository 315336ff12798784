/*
 * admin-field.c — dynamic ticket fields ("quartier", "numéro de dossier"): their
 * definitions, which set_field validates values against, whether and when
 * each is required (at creation, or before resolving), and the queues it
 * belongs to (none named: every queue).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "admin.h"

struct field_opts {
	const char *label;
	const char *kind;
	const char *allowed;
	const char *position;
	const char *required; /* "create", "resolve", "no" */
	const char **queues;  /* --queue */
	size_t nqueues;
	bool all_queues;
};

static void
field_option(int ch, const char *arg, void *ctx)
{
	struct field_opts *o = ctx;

	switch (ch) {
	case 'l':
		o->label = arg;
		break;
	case 'k':
		if (strcmp(arg, "text") != 0 && strcmp(arg, "number") != 0 &&
		    strcmp(arg, "date") != 0 && strcmp(arg, "enum") != 0)
			die(EX_USAGE, _("--kind must be text, number, date or enum"));
		o->kind = arg;
		break;
	case 'a':
		o->allowed = arg;
		break;
	case 'r':
		/* field add --required alone: before resolving. */
		o->required = arg != NULL ? arg : "resolve";
		if (strcmp(o->required, "create") != 0 && strcmp(o->required, "resolve") != 0 &&
		    strcmp(o->required, "no") != 0)
			die(EX_USAGE, _("--required must be create, resolve or no"));
		break;
	case 'q':
		o->queues = xreallocarray(o->queues, o->nqueues + 1, sizeof *o->queues);
		o->queues[o->nqueues++] = arg;
		break;
	case 'Q':
		o->all_queues = true;
		break;
	case 'p':
		admin_parse_number("--position", arg, -1000000, 1000000);
		o->position = arg;
		break;
	}
}

/* The field's queues become those named (each must exist); none: every queue. */
static void
field_queues(struct admin *a, const char *field, const struct field_opts *o)
{
	const char *params[2] = { field, NULL };
	char *queue;
	size_t i;

	PQclear(admin_exec(a, "DELETE FROM guichet.field_queue WHERE field_id = $1", 1, params));
	for (i = 0; i < o->nqueues; i++) {
		queue = admin_lookup(a, KIND_QUEUE, o->queues[i]);
		params[1] = queue;
		PQclear(admin_exec(a,
		    "INSERT INTO guichet.field_queue (field_id, queue_id) VALUES ($1, $2) "
		    "ON CONFLICT DO NOTHING",
		    2, params));
		free(queue);
	}
}

static void
field_check_name(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > 63 || *s < 'a' || *s > 'z' ||
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") != len)
		die(EX_DATAERR,
		    _("invalid field name \"%s\": lower-case letters, digits "
		      "and \"_\", starting with a letter"),
		    s);
}

int
cmd_field_add(struct admin *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "label", required_argument, NULL, 'l' },
		{ "kind", required_argument, NULL, 'k' },
		{ "allowed", required_argument, NULL, 'a' },
		{ "required", optional_argument, NULL, 'r' },
		{ "position", required_argument, NULL, 'p' },
		{ "queue", required_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	struct field_opts o = { 0 };
	struct admin_args args;
	const char *params[7];
	PGresult *res;

	admin_parse("field", "add", argc, argv, opts, field_option, &o, 1, 1, &args);
	if (o.label == NULL || o.kind == NULL)
		die(EX_USAGE, _("field add needs --label and --kind"));
	field_check_name(args.argv[0]);
	admin_reject_control(_("label"), o.label);
	if (*o.label == '\0')
		die(EX_DATAERR, _("the label must not be empty"));
	if ((strcmp(o.kind, "enum") == 0) != (o.allowed != NULL))
		die(EX_USAGE, _("--allowed is required for an enum field and only for one"));
	if (o.allowed != NULL)
		admin_reject_control(_("allowed values"), o.allowed);
	admin_begin(a);
	if (admin_exists(a, KIND_FIELD, args.argv[0]))
		die(EX_DATAERR, _("field \"%s\" already exists"), args.argv[0]);
	params[0] = args.argv[0];
	params[1] = o.label;
	params[2] = o.kind;
	params[3] = o.allowed;
	params[4] = o.required != NULL && strcmp(o.required, "no") != 0 ? "true" : "false";
	params[5] = o.position;
	params[6] = o.required != NULL && strcmp(o.required, "no") != 0 ? o.required : "resolve";
	/* Values are trimmed and empty ones dropped: "a, b,,c" is {a,b,c}. */
	res = admin_exec(a,
	    "INSERT INTO guichet.field (name, label, kind, allowed, required, "
	    "position, required_at) SELECT $1, $2, $3, "
	    "CASE WHEN $4::text IS NULL THEN NULL ELSE ARRAY(SELECT btrim(v) "
	    " FROM unnest(string_to_array($4, ',')) WITH ORDINALITY AS u(v, i) "
	    " WHERE btrim(v) <> '' ORDER BY i) END, $5, "
	    "coalesce($6::int, (SELECT coalesce(max(position), 0) + 10 FROM guichet.field)), $7 "
	    "RETURNING id, coalesce(cardinality(allowed), 1) AS n",
	    7, params);
	if (db_int(res, 0, "n", 0) == 0)
		die(EX_DATAERR, _("--allowed lists no value"));
	field_queues(a, db_value(res, 0, "id"), &o);
	PQclear(res);
	admin_commit(a);
	free(o.queues);
	return EX_OK;
}

/*
 * Change a field: its label, its allowed values (an enum's; values tickets
 * hold already stay, set_field refuses new ones), whether and when it is
 * required, its position, its queues (--queue replaces them; --all-queues:
 * every queue again).
 */
int
cmd_field_set(struct admin *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "label", required_argument, NULL, 'l' },
		{ "allowed", required_argument, NULL, 'a' },
		{ "required", required_argument, NULL, 'r' },
		{ "position", required_argument, NULL, 'p' },
		{ "queue", required_argument, NULL, 'q' },
		{ "all-queues", no_argument, NULL, 'Q' },
		{ NULL, 0, NULL, 0 },
	};
	struct field_opts o = { 0 };
	struct admin_args args;
	const char *params[6];
	PGresult *res;
	char *id;

	admin_parse("field", "set", argc, argv, opts, field_option, &o, 1, 1, &args);
	if (o.label != NULL) {
		admin_reject_control(_("label"), o.label);
		if (*o.label == '\0')
			die(EX_DATAERR, _("the label must not be empty"));
	}
	if (o.allowed != NULL)
		admin_reject_control(_("allowed values"), o.allowed);
	if (o.all_queues && o.nqueues > 0)
		die(EX_USAGE, _("--queue and --all-queues exclude each other"));
	admin_begin(a);
	id = admin_lookup(a, KIND_FIELD, args.argv[0]);
	params[0] = id;
	params[1] = o.label;
	params[2] = o.allowed;
	params[3] = o.required == NULL ? NULL : strcmp(o.required, "no") == 0 ? "false" : "true";
	params[4] = o.position;
	params[5] = o.required != NULL && strcmp(o.required, "no") != 0 ? o.required : NULL;
	res = admin_exec(a, "SELECT kind FROM guichet.field WHERE id = $1", 1, params);
	if (o.allowed != NULL && strcmp(db_value(res, 0, "kind"), "enum") != 0)
		die(EX_DATAERR, _("--allowed is for an enum field; %s is a %s field"), args.argv[0],
		    db_value(res, 0, "kind"));
	PQclear(res);
	res = admin_exec(a,
	    "UPDATE guichet.field SET label = coalesce($2, label), "
	    "allowed = CASE WHEN $3::text IS NULL THEN allowed ELSE ARRAY(SELECT btrim(v) "
	    " FROM unnest(string_to_array($3, ',')) WITH ORDINALITY AS u(v, i) "
	    " WHERE btrim(v) <> '' ORDER BY i) END, "
	    "required = coalesce($4::boolean, required), "
	    "position = coalesce($5::int, position), "
	    "required_at = coalesce($6, required_at) WHERE id = $1 "
	    "RETURNING coalesce(cardinality(allowed), 1) AS n",
	    6, params);
	if (db_int(res, 0, "n", 0) == 0) {
		PQclear(res);
		die(EX_DATAERR, _("--allowed lists no value"));
	}
	PQclear(res);
	if (o.nqueues > 0 || o.all_queues)
		field_queues(a, id, &o);
	admin_commit(a);
	free(id);
	free(o.queues);
	return EX_OK;
}

int
cmd_field_list(struct admin *a, int argc, char **argv)
{
	struct admin_list l;

	admin_list_args("field", argc, argv, 0, &l);
	/* required: no, create or resolve; queues: "" for every queue. */
	return admin_list_run(a,
	    "SELECT f.name, f.label, f.kind, array_to_string(f.allowed, ',') AS allowed, "
	    "CASE WHEN f.required THEN f.required_at ELSE 'no' END AS required, f.position, "
	    "coalesce((SELECT string_agg(q.code, ',' ORDER BY q.code) FROM guichet.field_queue fq "
	    " JOIN guichet.queue q ON q.id = fq.queue_id WHERE fq.field_id = f.id), '') AS queues "
	    "FROM guichet.field f ORDER BY f.position, f.name",
	    &l);
}

int
cmd_field_remove(struct admin *a, int argc, char **argv)
{
	struct admin_args args;
	const char *params[1];
	PGresult *res;
	char *id;

	admin_parse("field", "remove", argc, argv, NULL, NULL, NULL, 1, 1, &args);
	admin_begin(a);
	id = admin_lookup(a, KIND_FIELD, args.argv[0]);
	params[0] = id;
	res = admin_exec(a,
	    "SELECT EXISTS (SELECT 1 FROM guichet.ticket_field "
	    "WHERE field_id = $1) AS used",
	    1, params);
	if (db_bool(res, 0, "used")) {
		PQclear(res);
		die(EX_DATAERR, _("field \"%s\" has values on tickets: it stays"), args.argv[0]);
	}
	PQclear(res);
	PQclear(admin_exec(a, "DELETE FROM guichet.field WHERE id = $1", 1, params));
	admin_commit(a);
	free(id);
	return EX_OK;
}
