/*
 * report-main.c — guichet-report: parse the command line, connect as the
 * caller's own role (RLS limits what she sees), run one report inside one
 * read-only snapshot and print it in the format asked for.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "db.h"
#include "report.h"

const struct report_def report_defs[] = {
	{ "volume", report_volume, OPT_BY | OPT_PER,
	    N_("tickets created and resolved, by dimension and period") },
	{ "sla", report_sla, OPT_BY,
	    N_("first response and resolution times, breaches, tier usage") },
	{ "quality", report_simple, OPT_BY,
	    N_("reopen rate, first-contact resolution, template use") },
	{ "backlog", report_backlog, OPT_AT | OPT_LIMIT,
	    N_("open tickets by age and queue, the oldest ten") },
	{ "agents", report_simple, 0, N_("per agent: claims, resolutions, replies, time spent") },
	{ "escalations", report_simple, OPT_BY,
	    N_("level 1 to level 2 flow: how many, how fast, returns") },
	{ "hotspots", report_hotspots, OPT_BY | OPT_LIMIT | OPT_MIN,
	    N_("places where the same service recurs, with the trend") },
	{ "contacts", report_contacts, OPT_LIMIT | OPT_MIN,
	    N_("requesters active across several services or districts") },
	{ "trend", report_trend, OPT_BY | OPT_PER,
	    N_("weekly or monthly series of a volume dimension") },
	{ NULL, NULL, 0, NULL },
};

static const struct format_def format_defs[] = {
	{ "text", format_text },
	{ "csv", format_csv },
	{ "json", format_json },
	{ "md", format_md },
	{ "html", format_html },
};

const struct report_def *
report_find(const char *name)
{
	size_t i;

	for (i = 0; report_defs[i].name != NULL; i++) {
		if (strcmp(report_defs[i].name, name) == 0)
			return &report_defs[i];
	}
	return NULL;
}

const struct format_def *
format_find(const char *name)
{
	size_t i;

	for (i = 0; i < nitems(format_defs); i++) {
		if (strcmp(format_defs[i].name, name) == 0)
			return &format_defs[i];
	}
	return NULL;
}

/*
 * Settings of the "reports" section of guichet.conf, under the options. The
 * values point into the configuration, which the caller frees at the end.
 */
static struct config *
apply_config(struct report_options *o, const char **conninfo)
{
	struct config *conf;
	const char *v;
	char *cause = NULL;
	long long n;

	if ((conf = config_load(o->config, &cause)) == NULL)
		die(EX_CONFIG, "%s", cause);
	if (*conninfo == NULL && (v = config_get(conf, "database")) != NULL)
		*conninfo = v;
	if (o->format == NULL && (v = config_get(conf, "report.format")) != NULL) {
		if (format_find(v) == NULL)
			die(EX_CONFIG, _("report.format: unknown format '%s'"), v);
		o->format = v;
	}
	if (o->width == 0) {
		if (config_get_int(conf, "report.width", 40, 1000, 80, &n, &cause) == -1)
			die(EX_CONFIG, "%s", cause);
		o->width = (int)n;
	}
	if ((v = config_get(conf, "report.ascii")) != NULL &&
	    (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0))
		o->ascii = true;
	return conf;
}

static PGconn *
connect_readonly(const char *conninfo)
{
	PGconn *conn;
	char *cause = NULL;
	int ex;

	if ((conn = db_connect(conninfo, &cause)) == NULL)
		die(EX_UNAVAILABLE, "%s", cause);
	if ((ex = db_check_schema(conn, &cause)) != 0) {
		PQfinish(conn);
		die(ex, "%s", cause);
	}
	/*
	 * One snapshot for all the statements of a report, so that its tables
	 * agree with each other; read-only, so that a standby serves it too.
	 */
	if (db_command(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL, &cause) ==
	    -1)
		die(EX_UNAVAILABLE, "%s", cause);
	/*
	 * A report is a few aggregates over many rows: compiling them costs
	 * more than it saves (measured on the 1M-ticket demo).
	 */
	if (db_command(conn, "SET LOCAL jit = off", 0, NULL, &cause) == -1)
		die(EX_UNAVAILABLE, "%s", cause);
	return conn;
}

static void
stamp(struct report *r)
{
	time_t now;
	struct tm tm;
	char buf[64];

	now = time(NULL);
	localtime_r(&now, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S%z", &tm);
	r->stamp = xstrdup(buf);
}

static void
print_report(const struct report *r, const struct report_options *o)
{
	FILE *f;

	f = stdout;
	if (o->output != NULL && strcmp(o->output, "-") != 0 && (f = fopen(o->output, "w")) == NULL)
		die(EX_CANTCREAT, "%s: %s", o->output, strerror(errno));
	format_find(o->format)->print(f, r, o);
	if (fflush(f) == EOF || ferror(f))
		die(EX_IOERR, "%s: %s", o->output != NULL ? o->output : "stdout", strerror(errno));
	if (f != stdout && fclose(f) == EOF)
		die(EX_IOERR, "%s: %s", o->output, strerror(errno));
}

/* --table names one of the report's tables. */
static void
check_table(const struct report *r, const struct report_options *o)
{
	struct strbuf names;
	size_t i;

	if (o->table == NULL)
		return;
	strbuf_init(&names);
	for (i = 0; i < r->ntables; i++) {
		if (strcmp(r->tables[i]->key, o->table) == 0) {
			strbuf_free(&names);
			return;
		}
		strbuf_printf(&names, "%s%s", i > 0 ? ", " : "", r->tables[i]->key);
	}
	die(EX_USAGE, _("--table: report %s has no table '%s' (%s)"), r->name, o->table, names.buf);
}

static void
run(PGconn *conn, struct report_options *o)
{
	struct report_query q;
	struct report *r;
	char *cause = NULL;

	report_query_init(&q, conn, o);
	if (report_query_check_filters(&q, &cause) == -1)
		die(q.exit_code, "%s", cause);
	if ((r = report_find(o->name)->run(&q, &cause)) == NULL)
		die(q.exit_code != 0 ? q.exit_code : EX_SOFTWARE, "%s", cause);
	check_table(r, o);
	if (o->stamp)
		stamp(r);
	print_report(r, o);
	report_free(r);
	report_query_free(&q);
}

int
main(int argc, char **argv)
{
	struct report_options o;
	const char *conninfo = NULL;
	char *cause = NULL;
	struct config *conf;
	PGconn *conn;
	int opt;

	setlocale(LC_ALL, "");
	bindtextdomain(PACKAGE, LOCALEDIR);
	textdomain(PACKAGE);
	log_open("guichet-report", 0, 0);
	value_init_locale();
	memset(&o, 0, sizeof o);
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		options_usage(stdout);
		return EX_OK;
	}
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("guichet-report %s\n", PACKAGE_VERSION);
		return EX_OK;
	}
	while ((opt = getopt(argc, argv, "+d:F:hV")) != -1) {
		switch (opt) {
		case 'd':
			conninfo = optarg;
			break;
		case 'F':
			o.config = optarg;
			break;
		case 'h':
			options_usage(stdout);
			return EX_OK;
		case 'V':
			printf("guichet-report %s\n", PACKAGE_VERSION);
			return EX_OK;
		default:
			options_usage(stderr);
			return EX_USAGE;
		}
	}
	if (options_parse(argc - optind, argv + optind, &o, &cause) == -1)
		die(EX_USAGE, "%s", cause);
	if (o.conninfo != NULL)
		conninfo = o.conninfo;
	conf = apply_config(&o, &conninfo);
	if (o.format == NULL)
		o.format = "text";
	if (o.width == 0)
		o.width = 80;
	conn = connect_readonly(conninfo);
	run(conn, &o);
	PQfinish(conn);
	options_free(&o);
	config_free(conf);
	return EX_OK;
}
