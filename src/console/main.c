/*
 * main.c — guichet, the agents' console: options, configuration, the connection
 * and its checks, all before curses starts, so that any problem ends with one line
 * and a sysexits(3) code rather than a garbled screen.
 */
#include "config.h"

#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "console.h"

struct console console;

static const char sql_whoami[] =
    "SELECT a.id, a.display_name, extract(epoch FROM now())::bigint AS now "
    "FROM guichet.agent a WHERE a.login = session_user";

/* id → login of the agents one may see, for the owner column of the indexes. */
static const char sql_agents[] = "SELECT id, login FROM guichet.agent ORDER BY id";
static struct agent_name {
	int id;
	char *login;
} * agents;
static size_t nagents;

static void
load_agents(PGconn *pg)
{
	PGresult *res;
	char *cause = NULL;
	int i;

	if ((res = db_exec(pg, sql_agents, 0, NULL, &cause, NULL)) == NULL)
		die(EX_UNAVAILABLE, "%s", cause);
	nagents = (size_t)PQntuples(res);
	agents = xcalloc(nagents > 0 ? nagents : 1, sizeof *agents);
	for (i = 0; i < PQntuples(res); i++) {
		agents[i].id = (int)db_int(res, i, "id", 0);
		agents[i].login = xstrdup(db_value(res, i, "login"));
	}
	PQclear(res);
}

const char *
agent_login(int id)
{
	static char unknown[24];
	size_t lo = 0, hi = nagents;

	if (id == 0)
		return "";
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (agents[mid].id == id)
			return agents[mid].login;
		if (agents[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* An agent added since the start (or not visible): her number will do. */
	snprintf(unknown, sizeof unknown, "#%d", id);
	return unknown;
}

static GUICHET_DEAD void
usage(int ex)
{
	fprintf(ex == 0 ? stdout : stderr, "%s\n",
	    _("usage: guichet [-v] [-d conninfo] [-F config] [-T[file]] [-e search]"));
	exit(ex);
}

time_t
server_now(void)
{
	return time(NULL) + console.clock_skew;
}

/* set, bind and color lines of the configuration; other commands belong to others. */
static void
apply_config(struct config *cf)
{
	size_t i;
	char *cause = NULL;
	long long v;

	for (i = 0; i < cf->nlines; i++) {
		struct config_line *l = &cf->lines[i];

		if (l->argc == 0)
			continue;
		if (strcmp(l->argv[0], "bind") == 0) {
			if (keys_bind_line(l->argc, l->argv, &cause) != 0)
				die(EX_CONFIG, "%s:%d: %s", l->file, l->lineno, cause);
		} else if (strcmp(l->argv[0], "color") == 0) {
			if (l->argc < 4 || l->argc > 5)
				die(EX_CONFIG, "%s:%d: %s", l->file, l->lineno,
				    _("usage: color OBJECT FOREGROUND BACKGROUND [ATTRIBUTE]"));
			if (ui_color_config(l->argv[1], l->argv[2], l->argv[3],
				l->argc == 5 ? l->argv[4] : NULL, &cause) != 0)
				die(EX_CONFIG, "%s:%d: %s", l->file, l->lineno, cause);
		}
	}
	if (config_get_int(cf, "console.page_size", 10, 1000, 100, &v, &cause) != 0)
		die(EX_CONFIG, "%s", cause);
	console.page_size = (int)v;
	if (config_get_int(cf, "console.count_cap", 100, 10000000, 1000, &v, &cause) != 0)
		die(EX_CONFIG, "%s", cause);
	console.count_cap = (int)v;
}

static void
whoami(PGconn *pg)
{
	PGresult *res;
	char *cause = NULL;

	res = db_exec(pg, sql_whoami, 0, NULL, &cause, NULL);
	if (res == NULL)
		die(EX_UNAVAILABLE, "%s", cause);
	if (PQntuples(res) != 1) {
		PQclear(res);
		die(EX_NOPERM,
		    _("%s is not a guichet agent: ask an administrator "
		      "(guichet-admin agent add)"),
		    PQuser(pg));
	}
	console.login = xstrdup(PQuser(pg));
	console.agent_id = (int)db_int(res, 0, "id", 0);
	console.display_name = xstrdup(db_value(res, 0, "display_name"));
	console.clock_skew = db_int(res, 0, "now", 0) - time(NULL);
	PQclear(res);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "database", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'F' },
		{ "timing", optional_argument, NULL, 'T' },
		{ "search", required_argument, NULL, 'e' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = NULL, *timing = NULL, *search = NULL;
	char *cause = NULL, *summary = NULL;
	int ch, verbosity = 0, ex;
	PGconn *pg;

	console.started_ms = now_ms();
	setlocale(LC_ALL, "");
	bindtextdomain(PACKAGE, LOCALEDIR);
	textdomain(PACKAGE);
	log_open("guichet", 0, 0);

	while ((ch = getopt_long(argc, argv, "d:F:T::e:vVh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			console.conninfo = optarg;
			break;
		case 'F':
			config_path = optarg;
			break;
		case 'T':
			timing = optarg != NULL ? optarg : "-";
			break;
		case 'e':
			search = optarg;
			break;
		case 'v':
			verbosity++;
			break;
		case 'V':
			printf("guichet %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			usage(0);
		default:
			usage(EX_USAGE);
		}
	}
	if (optind != argc)
		usage(EX_USAGE);
	log_open("guichet", verbosity, 0);
	if (timing == NULL)
		timing = getenv("GUICHET_TIMING");

	if ((console.config = config_load(config_path, &cause)) == NULL)
		die(EX_CONFIG, "%s", cause);
	keys_init();
	apply_config(console.config);
	if (console.conninfo == NULL)
		console.conninfo = config_get(console.config, "database");

	if ((pg = db_connect(console.conninfo, &cause)) == NULL)
		die(EX_UNAVAILABLE, "%s", cause);
	if ((ex = db_check_schema(pg, &cause)) != 0) {
		PQfinish(pg);
		die(ex, "%s", cause);
	}
	whoami(pg);
	load_agents(pg);
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		PQfinish(pg);
		die(EX_USAGE, "%s", _("the console needs a terminal"));
	}

	ui_init();
	conn_init(pg, console.conninfo, timing);
	view_queue_open();
	if (search != NULL && view_index_open_search(search, &cause) != 0) {
		ui_error("%s", cause);
		free(cause);
	}
	if (drafts_count(&summary) > 0) {
		ui_message(
		    _("drafts kept: %s — open the ticket and press n or r to resume"), summary);
	}
	free(summary);
	loop_run();
	view_close_all();
	ui_end();
	conn_close();
	config_free(console.config);
	free(console.login);
	free(console.display_name);
	for (size_t i = 0; i < nagents; i++)
		free(agents[i].login);
	free(agents);
	return 0;
}
