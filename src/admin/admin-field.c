/*
 * admin-field.c — dynamic ticket fields ("quartier", "numéro de dossier"): their
 * definitions, which set_field validates values against.
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
	bool required;
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
		o->required = true;
		break;
	case 'p':
		admin_parse_number("--position", arg, -1000000, 1000000);
		o->position = arg;
		break;
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
		{ "required", no_argument, NULL, 'r' },
		{ "position", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	struct field_opts o = { 0 };
	struct admin_args args;
	const char *params[6];
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
	if (admin_exists(a, KIND_FIELD, args.argv[0]))
		die(EX_DATAERR, _("field \"%s\" already exists"), args.argv[0]);
	params[0] = args.argv[0];
	params[1] = o.label;
	params[2] = o.kind;
	params[3] = o.allowed;
	params[4] = o.required ? "true" : "false";
	params[5] = o.position;
	/* Values are trimmed and empty ones dropped: "a, b,,c" is {a,b,c}. */
	res = admin_exec(a,
	    "INSERT INTO guichet.field (name, label, kind, allowed, required, "
	    "position) SELECT $1, $2, $3, "
	    "CASE WHEN $4::text IS NULL THEN NULL ELSE ARRAY(SELECT btrim(v) "
	    " FROM unnest(string_to_array($4, ',')) WITH ORDINALITY AS u(v, i) "
	    " WHERE btrim(v) <> '' ORDER BY i) END, $5, "
	    "coalesce($6::int, (SELECT coalesce(max(position), 0) + 10 FROM guichet.field)) "
	    "RETURNING coalesce(cardinality(allowed), 1) AS n",
	    6, params);
	if (db_int(res, 0, "n", 0) == 0) {
		PQclear(res);
		die(EX_DATAERR, _("--allowed lists no value"));
	}
	PQclear(res);
	return EX_OK;
}

int
cmd_field_list(struct admin *a, int argc, char **argv)
{
	struct admin_list l;

	admin_list_args("field", argc, argv, 0, &l);
	return admin_list_run(a,
	    "SELECT f.name, f.label, f.kind, array_to_string(f.allowed, ',') AS allowed, "
	    "f.required, f.position FROM guichet.field f ORDER BY f.position, f.name",
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
