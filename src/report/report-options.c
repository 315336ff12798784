/*
 * report-options.c — the command line of guichet-report. Every invalid argument
 * is one sentence naming it; the caller exits with EX_USAGE.
 */
#include "config.h"

#include <getopt.h>
#include <stdarg.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "report.h"

enum {
	O_FROM = 256,
	O_TO,
	O_AT,
	O_ORG,
	O_QUEUE,
	O_SERVICE,
	O_BY,
	O_PER,
	O_FORMAT,
	O_ASCII,
	O_STAMP,
	O_WIDTH,
	O_TABLE,
	O_LIMIT,
	O_MIN,
	O_HELP,
};

static const struct option long_options[] = {
	{ "from", required_argument, NULL, O_FROM },
	{ "to", required_argument, NULL, O_TO },
	{ "at", required_argument, NULL, O_AT },
	{ "org", required_argument, NULL, O_ORG },
	{ "queue", required_argument, NULL, O_QUEUE },
	{ "service", required_argument, NULL, O_SERVICE },
	{ "by", required_argument, NULL, O_BY },
	{ "per", required_argument, NULL, O_PER },
	{ "format", required_argument, NULL, O_FORMAT },
	{ "output", required_argument, NULL, 'o' },
	{ "ascii", no_argument, NULL, O_ASCII },
	{ "stamp", no_argument, NULL, O_STAMP },
	{ "width", required_argument, NULL, O_WIDTH },
	{ "table", required_argument, NULL, O_TABLE },
	{ "limit", required_argument, NULL, O_LIMIT },
	{ "min", required_argument, NULL, O_MIN },
	{ "help", no_argument, NULL, O_HELP },
	{ NULL, 0, NULL, 0 },
};

void
options_usage(FILE *f)
{
	size_t i;

	fprintf(f,
	    _("usage: %s [-d conninfo] [-F config] report [--from date] "
	      "[--to date] [--org org] [--queue q]... [--service s]... "
	      "[--format text|csv|json|md|html] [-o file]\n"),
	    log_progname());
	fprintf(f, _("reports:\n"));
	for (i = 0; report_defs[i].name != NULL; i++)
		fprintf(f, "  %-12s %s\n", report_defs[i].name, _(report_defs[i].help));
}

static void
format_iso(char out[11], const struct tm *tm)
{
	strftime(out, 11, "%Y-%m-%d", tm);
}

/* Today in local time, as a struct tm at noon (safe from DST edges). */
static void
today(struct tm *tm)
{
	time_t now;

	now = time(NULL);
	localtime_r(&now, tm);
	tm->tm_hour = 12;
	tm->tm_min = tm->tm_sec = 0;
}

static int
normalise(struct tm *tm)
{
	tm->tm_isdst = -1;
	tm->tm_hour = 12;
	return mktime(tm) == (time_t)-1 ? -1 : 0;
}

/*
 * A date argument: YYYY-MM-DD; YYYY-MM (the month's first day for --from, its
 * last for --to); today, yesterday; or -Nd, -Nw, -Nm counted back from today.
 */
static int
parse_date(const char *arg, bool end, char out[11])
{
	struct tm tm, check;
	char unit, extra;
	int n, y, m, d;

	today(&tm);
	if (strcmp(arg, "today") == 0)
		;
	else if (strcmp(arg, "yesterday") == 0)
		tm.tm_mday--;
	else if (sscanf(arg, "-%d%c%c", &n, &unit, &extra) == 2 && n >= 0 && n <= 36500 &&
	    (unit == 'd' || unit == 'w' || unit == 'm')) {
		if (unit == 'd')
			tm.tm_mday -= n;
		else if (unit == 'w')
			tm.tm_mday -= 7 * n;
		else
			tm.tm_mon -= n;
	} else if (strlen(arg) == 10 && sscanf(arg, "%4d-%2d-%2d%c", &y, &m, &d, &extra) == 3) {
		memset(&tm, 0, sizeof tm);
		tm.tm_year = y - 1900;
		tm.tm_mon = m - 1;
		tm.tm_mday = d;
		check = tm;
		if (normalise(&tm) == -1 || tm.tm_mday != check.tm_mday ||
		    tm.tm_mon != check.tm_mon || y < 1900 || y > 9999)
			return -1;
	} else if (strlen(arg) == 7 && sscanf(arg, "%4d-%2d%c", &y, &m, &extra) == 2 && m >= 1 &&
	    m <= 12 && y >= 1900 && y <= 9999) {
		memset(&tm, 0, sizeof tm);
		tm.tm_year = y - 1900;
		tm.tm_mon = end ? m : m - 1;
		tm.tm_mday = end ? 0 : 1;
	} else
		return -1;
	if (normalise(&tm) == -1)
		return -1;
	format_iso(out, &tm);
	return 0;
}

static void
push(const char ***list, size_t *n, const char *value)
{
	*list = xreallocarray(*list, *n + 1, sizeof **list);
	(*list)[(*n)++] = value;
}

static bool
valid_code(const char *s)
{
	regex_t re;
	bool ok;

	if (regcomp(&re, "^[a-z0-9][a-z0-9_.-]*$", REG_EXTENDED | REG_NOSUB) != 0)
		fatalx("regcomp");
	ok = regexec(&re, s, 0, NULL, 0) == 0 && strlen(s) <= 63;
	regfree(&re);
	return ok;
}

/* queue|service|district|channel|status|priority|field:NAME */
static bool
valid_dimension(const char *s)
{
	static const char *const names[] = { "queue", "service", "district", "channel", "status",
		"priority" };
	size_t i;

	for (i = 0; i < nitems(names); i++) {
		if (strcmp(s, names[i]) == 0)
			return true;
	}
	return strncmp(s, "field:", 6) == 0 && s[6] >= 'a' && s[6] <= 'z' &&
	    strspn(s + 6, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(s + 6);
}

static int fail(char **, const char *, ...) GUICHET_PRINTF(2, 3);

static int
fail(char **cause, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xvasprintf(cause, fmt, ap);
	va_end(ap);
	return -1;
}

/* What each report may be given beyond the common options. */
static int
check_accepted(const struct report_def *def, int opt, const char *name, char **cause)
{
	unsigned need;

	switch (opt) {
	case O_BY:
		need = OPT_BY;
		break;
	case O_PER:
		need = OPT_PER;
		break;
	case O_AT:
		need = OPT_AT;
		break;
	case O_LIMIT:
		need = OPT_LIMIT;
		break;
	case O_MIN:
		need = OPT_MIN;
		break;
	default:
		return 0;
	}
	if (def->accepts & need)
		return 0;
	xasprintf(cause, _("--%s: not accepted by report %s"), name, def->name);
	return -1;
}

static int
parse_one(int opt, const char *arg, struct report_options *o, char **cause)
{
	long long n;

	switch (opt) {
	case O_FROM:
	case O_TO:
	case O_AT:
		if (parse_date(arg, opt == O_TO,
			opt == O_FROM	? o->from :
			    opt == O_TO ? o->to :
					  o->at) == -1)
			return fail(cause,
			    opt == O_FROM ?
				_("--from: invalid date "
				  "'%s' (YYYY-MM-DD, YYYY-MM, today, -7d…)") :
				opt == O_TO ?
				_("--to: invalid date '%s' (YYYY-MM-DD, YYYY-MM, today, "
				  "-7d…)") :
				_("--at: invalid date '%s' (YYYY-MM-DD, today, "
				  "-7d…)"),
			    arg);
		if (opt == O_TO)
			o->to_given = true;
		return 0;
	case O_ORG:
		if (!valid_code(arg))
			return fail(cause, _("--org: invalid code '%s'"), arg);
		o->org = arg;
		return 0;
	case O_QUEUE:
		if (!valid_code(arg))
			return fail(cause, _("--queue: invalid code '%s'"), arg);
		push(&o->queues, &o->nqueues, arg);
		return 0;
	case O_SERVICE:
		if (!valid_code(arg))
			return fail(cause, _("--service: invalid code '%s'"), arg);
		push(&o->services, &o->nservices, arg);
		return 0;
	case O_BY:
		if (!valid_dimension(arg))
			return fail(cause,
			    _("--by: unknown dimension '%s' (queue, "
			      "service, district, channel, status, priority, "
			      "field:NAME)"),
			    arg);
		if (o->nby == 3)
			return fail(cause,
			    _("--by: at most three dimensions, '%s' "
			      "is one too many"),
			    arg);
		push(&o->by, &o->nby, arg);
		return 0;
	case O_PER:
		if (strcmp(arg, "day") != 0 && strcmp(arg, "week") != 0 &&
		    strcmp(arg, "month") != 0)
			return fail(cause,
			    _("--per: expected day, week or month, "
			      "not '%s'"),
			    arg);
		o->per = arg;
		return 0;
	case O_FORMAT:
		if (format_find(arg) == NULL)
			return fail(cause,
			    _("--format: expected text, csv, json, md "
			      "or html, not '%s'"),
			    arg);
		o->format = arg;
		return 0;
	case 'o':
		o->output = arg;
		return 0;
	case O_ASCII:
		o->ascii = true;
		return 0;
	case O_STAMP:
		o->stamp = true;
		return 0;
	case O_WIDTH:
		if (parse_int(arg, 40, 1000, &n) == -1)
			return fail(cause,
			    _("--width: expected a number from 40 to "
			      "1000, not '%s'"),
			    arg);
		o->width = (int)n;
		return 0;
	case O_TABLE:
		o->table = arg;
		return 0;
	case O_LIMIT:
		if (parse_int(arg, 1, 10000, &n) == -1)
			return fail(cause,
			    _("--limit: expected a number from 1 to "
			      "10000, not '%s'"),
			    arg);
		o->limit = n;
		return 0;
	case O_MIN:
		if (parse_int(arg, 1, 1000000, &n) == -1)
			return fail(cause,
			    _("--min: expected a positive number, not "
			      "'%s'"),
			    arg);
		o->min = n;
		return 0;
	}
	return -1;
}

static const char *
option_name(int opt)
{
	size_t i;

	for (i = 0; long_options[i].name != NULL; i++) {
		if (long_options[i].val == opt)
			return long_options[i].name;
	}
	return "?";
}

/* The default period: the last 30 days, today included. */
static void
default_period(struct report_options *o)
{
	struct tm tm;

	if (o->to[0] == '\0') {
		today(&tm);
		format_iso(o->to, &tm);
	}
	if (o->from[0] == '\0') {
		memset(&tm, 0, sizeof tm);
		strptime(o->to, "%Y-%m-%d", &tm);
		tm.tm_mday -= 29;
		normalise(&tm);
		format_iso(o->from, &tm);
	}
}

/*
 * argv is "report [options]" (the global options were taken by main).
 * Returns 0 or -1 with *cause naming the argument.
 */
void
options_free(struct report_options *o)
{
	free(o->queues);
	free(o->services);
	free(o->by);
	o->queues = o->services = o->by = NULL;
	o->nqueues = o->nservices = o->nby = 0;
}

int
options_parse(int argc, char **argv, struct report_options *o, char **cause)
{
	const struct report_def *def;
	int opt;

	if (argc < 1) {
		xasprintf(cause, _("no report named: try %s --help"), log_progname());
		return -1;
	}
	o->name = argv[0];
	if ((def = report_find(o->name)) == NULL)
		return fail(cause, _("unknown report '%s': try --help"), o->name);
	/* argv changed since main's getopt: 0 makes GNU getopt start afresh. */
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":d:F:o:", long_options, NULL)) != -1) {
		if (opt == '?')
			return fail(cause, _("unknown option '%s'"), argv[optind - 1]);
		if (opt == ':')
			return fail(cause, _("'%s' needs a value"), argv[optind - 1]);
		if (opt == O_HELP) {
			options_usage(stdout);
			exit(EX_OK);
		}
		if (opt == 'd') {
			o->conninfo = optarg;
			continue;
		}
		if (opt == 'F') {
			o->config = optarg;
			continue;
		}
		if (check_accepted(def, opt, option_name(opt), cause) == -1)
			return -1;
		if (parse_one(opt, optarg, o, cause) == -1)
			return -1;
	}
	if (optind < argc)
		return fail(cause, _("unexpected argument '%s'"), argv[optind]);
	default_period(o);
	if (strcmp(o->from, o->to) > 0) {
		xasprintf(cause, _("--from: %s is after --to %s"), o->from, o->to);
		return -1;
	}
	return 0;
}
