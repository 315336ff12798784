/*
 * admin-output.c — how list commands print a result: an aligned table for people
 * (sanitised, measured in columns), CSV (RFC 4180) or JSON for scripts. Column
 * headers are the result's column names, so the SQL of a list decides its shape.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "admin.h"

/* Type OIDs from pg_type.h, which libpq-dev does not ship in a stable place. */
#define OID_BOOL 16
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23
#define OID_FLOAT4 700
#define OID_FLOAT8 701
#define OID_NUMERIC 1700

enum admin_format
admin_parse_format(const char *s)
{
	if (strcmp(s, "text") == 0)
		return FORMAT_TEXT;
	if (strcmp(s, "csv") == 0)
		return FORMAT_CSV;
	if (strcmp(s, "json") == 0)
		return FORMAT_JSON;
	die(EX_USAGE, _("unknown format \"%s\": text, csv or json"), s);
}

static void
print_padded(const char *s, int width, bool last)
{
	int pad;

	fputs(s, stdout);
	if (last)
		return;
	for (pad = width - text_width(s); pad > 0; pad--)
		putchar(' ');
	fputs("  ", stdout);
}

static void
print_text(const PGresult *res)
{
	int rows = PQntuples(res), cols = PQnfields(res), r, c, *width;
	char **cell;

	if (cols == 0)
		return;
	width = xcalloc((size_t)cols, sizeof *width);
	cell = xcalloc((size_t)(rows + 1) * (size_t)cols, sizeof *cell);
	for (c = 0; c < cols; c++) {
		cell[c] = sanitize_text(PQfname(res, c), 0);
		width[c] = text_width(cell[c]);
	}
	for (r = 0; r < rows; r++) {
		for (c = 0; c < cols; c++) {
			char **p = &cell[(r + 1) * cols + c];

			*p = sanitize_text(PQgetisnull(res, r, c) ? "" : PQgetvalue(res, r, c), 0);
			if (text_width(*p) > width[c])
				width[c] = text_width(*p);
		}
	}
	for (r = 0; r <= rows; r++) {
		for (c = 0; c < cols; c++)
			print_padded(cell[r * cols + c], width[c], c == cols - 1);
		putchar('\n');
	}
	for (r = 0; r < (rows + 1) * cols; r++)
		free(cell[r]);
	free(cell);
	free(width);
}

static void
print_csv_field(const char *s)
{
	const char *p;

	if (strpbrk(s, ",\"\r\n") == NULL && *s != ' ' && (*s == '\0' || s[strlen(s) - 1] != ' ')) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (p = s; *p != '\0'; p++) {
		if (*p == '"')
			putchar('"');
		putchar(*p);
	}
	putchar('"');
}

/*
 * CSV is data for a spreadsheet or a script and keeps every byte, except on a
 * terminal where escape sequences from strangers' text would reach the screen.
 */
static void
print_csv(const PGresult *res)
{
	int rows = PQntuples(res), cols = PQnfields(res), r, c;
	bool tty = isatty(STDOUT_FILENO);
	char *clean;

	for (r = -1; r < rows; r++) {
		for (c = 0; c < cols; c++) {
			const char *v;

			if (c > 0)
				putchar(',');
			if (r < 0)
				v = PQfname(res, c);
			else if (PQgetisnull(res, r, c))
				continue;
			else
				v = PQgetvalue(res, r, c);
			if (tty) {
				clean = sanitize_text(v, SANITIZE_KEEP_NEWLINES);
				print_csv_field(clean);
				free(clean);
			} else
				print_csv_field(v);
		}
		fputs("\r\n", stdout);
	}
}

static void
print_json_string(const char *s)
{
	const unsigned char *p;

	putchar('"');
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", stdout);
			break;
		case '\\':
			fputs("\\\\", stdout);
			break;
		case '\n':
			fputs("\\n", stdout);
			break;
		case '\r':
			fputs("\\r", stdout);
			break;
		case '\t':
			fputs("\\t", stdout);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				printf("\\u%04x", *p);
			else
				putchar(*p);
		}
	}
	putchar('"');
}

static void
print_json_value(const PGresult *res, int r, int c)
{
	const char *v = PQgetvalue(res, r, c);

	if (PQgetisnull(res, r, c)) {
		fputs("null", stdout);
		return;
	}
	switch (PQftype(res, c)) {
	case OID_BOOL:
		fputs(*v == 't' ? "true" : "false", stdout);
		break;
	case OID_INT2:
	case OID_INT4:
	case OID_INT8:
	case OID_FLOAT4:
	case OID_FLOAT8:
	case OID_NUMERIC:
		/* NaN and Infinity are not JSON numbers. */
		if (strspn(v, "0123456789-+.eE") == strlen(v)) {
			fputs(v, stdout);
			break;
		}
		/* FALLTHROUGH */
	default:
		print_json_string(v);
	}
}

/* An array of objects, one per row; numbers and booleans keep their type. */
static void
print_json(const PGresult *res)
{
	int rows = PQntuples(res), cols = PQnfields(res), r, c;

	putchar('[');
	for (r = 0; r < rows; r++) {
		fputs(r > 0 ? ",\n{" : "\n{", stdout);
		for (c = 0; c < cols; c++) {
			if (c > 0)
				putchar(',');
			print_json_string(PQfname(res, c));
			putchar(':');
			print_json_value(res, r, c);
		}
		putchar('}');
	}
	fputs(rows > 0 ? "\n]\n" : "]\n", stdout);
}

void
admin_print_result(const PGresult *res, enum admin_format format)
{
	switch (format) {
	case FORMAT_TEXT:
		print_text(res);
		break;
	case FORMAT_CSV:
		print_csv(res);
		break;
	case FORMAT_JSON:
		print_json(res);
		break;
	}
}

/* "name: value" per column; a multi-line value (a body) follows after a blank line. */
void
admin_print_record(const PGresult *res, int row)
{
	int cols = PQnfields(res), c;
	const char *body = NULL;
	char *clean;

	for (c = 0; c < cols; c++) {
		if (strcmp(PQfname(res, c), "body") == 0) {
			body = PQgetvalue(res, row, c);
			continue;
		}
		clean = sanitize_text(PQgetisnull(res, row, c) ? "" : PQgetvalue(res, row, c), 0);
		printf("%s: %s\n", PQfname(res, c), clean);
		free(clean);
	}
	if (body != NULL) {
		clean = sanitize_text(body, SANITIZE_KEEP_NEWLINES);
		printf("\n%s", clean);
		if (*clean != '\0' && clean[strlen(clean) - 1] != '\n')
			putchar('\n');
		free(clean);
	}
}

static void
list_option(int ch, const char *arg, void *ctx)
{
	struct admin_list *l = ctx;

	switch (ch) {
	case 'f':
		l->format = admin_parse_format(arg);
		break;
	case 'o':
		l->org = arg;
		break;
	case 'a':
		l->all = true;
		break;
	case 't':
		l->tag = arg;
		break;
	}
}

void
admin_list_args(const char *group, int argc, char **argv, int maxpos, struct admin_list *l)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "org", required_argument, NULL, 'o' },
		{ "all", no_argument, NULL, 'a' },
		{ "tag", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct admin_args args;

	memset(l, 0, sizeof *l);
	l->format = FORMAT_TEXT;
	admin_parse(group, "list", argc, argv, opts, list_option, l, 0, maxpos, &args);
	if (args.argc > 0)
		l->filter = args.argv[0];
}

/*
 * Every list query gets the same four text parameters, typed explicitly so that
 * a query may leave some unused: $1 filter, $2 --org, $3 --all, $4 --tag.
 */
int
admin_list_run(struct admin *a, const char *sql, const struct admin_list *l)
{
	static const Oid types[4] = { 25, 25, 16, 25 }; /* text, text, bool, text */
	const char *params[4];
	PGresult *res;
	char *cause, state[6] = "";

	params[0] = l->filter;
	params[1] = l->org;
	params[2] = l->all ? "true" : "false";
	params[3] = l->tag;
	admin_connect(a);
	res = db_check(
	    a->conn, PQexecParams(a->conn, sql, 4, types, params, NULL, NULL, 0), &cause, state);
	if (res == NULL)
		die(EX_SOFTWARE, "%s", cause);
	admin_print_result(res, l->format);
	PQclear(res);
	return EX_OK;
}
