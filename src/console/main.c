/*
 * main.c — guichet, the agents' console: options, configuration, the connection
 * and its checks, all before curses starts, so that any problem ends with one line
 * and a sysexits(3) code rather than a garbled screen. Then it wires the layers
 * together: the connection's events and the loop's hooks are registered here, so
 * that conn.c and loop.c call no view, prompt or status line by name.
 */
#include "config.h"

#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "console.h"

static void
conn_message(bool is_error, const char *text)
{
	ui_say(is_error, "%s", text);
}

static void
conn_wait(void)
{
	loop_iterate(0, 1000);
}

static const struct conn_events events = {
	.notify = view_dispatch_notify,
	.presence = view_dispatch_presence,
	.unread = view_dispatch_unread,
	.reconnected = view_dispatch_reconnect,
	.message = conn_message,
	.wait = conn_wait,
};

/* ^C cancels a prompt, or else leaves: drafts are on disk already. */
static bool
interrupt(void)
{
	if (!prompt_active())
		return false;
	prompt_cancel();
	return true;
}

static bool
running(void)
{
	return view_depth() > 0;
}

static const struct loop_hooks hooks = {
	.paint = view_paint,
	.key = view_handle_key,
	.tick = view_tick,
	.interrupt = interrupt,
	.running = running,
};

static GUICHET_DEAD void
usage(int ex)
{
	fprintf(ex == 0 ? stdout : stderr, "%s\n",
	    _("usage: guichet [-kv] [-d conninfo] [-F config] [-T[file]] [-e search]"));
	exit(ex);
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
	if (config_get_bool(cf, "notify.bell", true, &console.bell, &cause) != 0 ||
	    config_get_bool(cf, "notify.title", true, &console.title, &cause) != 0)
		die(EX_CONFIG, "%s", cause);
}

/*
 * The console's session outlives its transactions: it LISTENs, prepares
 * statements, sets its time zone. A pooler in transaction mode hands each
 * transaction to any server connection; when a setting made in one statement
 * is gone at the next, say so now rather than fail at random later (conn.c
 * catches the prepared statements lost when it shows only under load).
 */
static void
check_session(PGconn *pg)
{
	static const char sql_set[] = "SELECT set_config('guichet.session_probe', $1, false)";
	static const char sql_get[] = "SELECT current_setting('guichet.session_probe', true) AS v";
	char token[32], *cause = NULL;
	const char *values[1] = { token };
	PGresult *res;
	bool kept;
	int pooled;

	if ((pooled = db_pooled(pg, &cause, NULL)) != 1) {
		if (pooled < 0)
			die(EX_UNAVAILABLE, "%s", cause);
		return;
	}
	snprintf(token, sizeof token, "%ld", (long)getpid());
	if ((res = db_exec(pg, sql_set, 1, values, &cause, NULL)) == NULL)
		die(EX_UNAVAILABLE, "%s", cause);
	PQclear(res);
	if ((res = db_exec(pg, sql_get, 0, NULL, &cause, NULL)) == NULL)
		die(EX_UNAVAILABLE, "%s", cause);
	kept = db_value(res, 0, "v") != NULL && strcmp(db_value(res, 0, "v"), token) == 0;
	PQclear(res);
	if (!kept) {
		PQfinish(pg);
		die(EX_CONFIG, "%s", CONN_NEEDS_SESSION);
	}
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "database", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'F' },
		{ "timing", optional_argument, NULL, 'T' },
		{ "search", required_argument, NULL, 'e' },
		{ "keys", no_argument, NULL, 'k' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = NULL, *timing = NULL, *search = NULL;
	char *cause = NULL, *summary = NULL;
	int ch, verbosity = 0, ex;
	bool list_keys = false;
	PGconn *pg;

	console.started_ms = now_ms();
	console.unread = -1;
	setlocale(LC_ALL, "");
	/* GUICHET_LOCALEDIR: catalogues not installed yet (a build tree, its tests). */
	bindtextdomain(PACKAGE,
	    getenv("GUICHET_LOCALEDIR") != NULL && *getenv("GUICHET_LOCALEDIR") ?
		getenv("GUICHET_LOCALEDIR") :
		LOCALEDIR);
	textdomain(PACKAGE);
	log_open("guichet", 0, 0);

	while ((ch = getopt_long(argc, argv, "d:F:T::e:kvVh", longopts, NULL)) != -1) {
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
		case 'k':
			list_keys = true;
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
	if (list_keys) {
		keys_print(stdout);
		config_free(console.config);
		return fflush(stdout) == 0 ? 0 : EX_IOERR;
	}
	if (console.conninfo == NULL)
		console.conninfo = config_get(console.config, "database");

	if ((pg = db_connect(console.conninfo, &cause)) == NULL)
		die(EX_UNAVAILABLE, "%s", cause);
	if ((ex = db_check_schema(pg, &cause)) != 0) {
		PQfinish(pg);
		die(ex, "%s", cause);
	}
	check_session(pg);
	console_whoami(pg);
	console_load_agents(pg);
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		PQfinish(pg);
		die(EX_USAGE, "%s", _("the console needs a terminal"));
	}

	ui_init();
	loop_init(&hooks);
	conn_init(pg, console.conninfo, timing, &events);
	view_set_global_actions(action_global);
	view_open_overview();
	if (search != NULL && view_open_search(search, &cause) != 0) {
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
	attachment_cleanup();
	ui_end();
	conn_close();
	console_free();
	return 0;
}
