/*
 * main.c — guichet-mail: command line and settings, then import or send.
 *
 *   guichet-mail [-d CONNINFO] [-F CONFIG] [-v] [--syslog] import SOURCE [--summary]
 *   guichet-mail [-d CONNINFO] [-F CONFIG] [-v] [--syslog] import --stdin --mta
 *   guichet-mail [-d CONNINFO] [-F CONFIG] [-v] [--syslog] send [--summary]
 *
 * With --mta, the exit status is an MTA pipe's contract, from one place: 0
 * once the message is stored (imported, a duplicate, or quarantined and
 * kept), 69 when it is refused for good (too big to store whole: the MTA
 * bounces it to its sender), 75 for anything else (the MTA keeps it and
 * retries), so that no fault of ours becomes a bounce and no lost message a
 * success. The MTA's command line needs no shell around it.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common.h"
#include "mail.h"

enum {
	OPT_MAILDIR = 256,
	OPT_MBOX,
	OPT_IMAP,
	OPT_POP3,
	OPT_STDIN,
	OPT_SUMMARY,
	OPT_SYSLOG,
	OPT_MOVE_TO,
	OPT_BATCH,
	OPT_INSECURE,
	OPT_MTA,
	OPT_HELP,
	OPT_VERSION,
};

static const struct option longopts[] = {
	{ "database", required_argument, NULL, 'd' },
	{ "config", required_argument, NULL, 'F' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "maildir", required_argument, NULL, OPT_MAILDIR },
	{ "mbox", required_argument, NULL, OPT_MBOX },
	{ "imap", required_argument, NULL, OPT_IMAP },
	{ "pop3", required_argument, NULL, OPT_POP3 },
	{ "stdin", no_argument, NULL, OPT_STDIN },
	{ "summary", no_argument, NULL, OPT_SUMMARY },
	{ "syslog", no_argument, NULL, OPT_SYSLOG },
	{ "move-to", required_argument, NULL, OPT_MOVE_TO },
	{ "batch", required_argument, NULL, OPT_BATCH },
	{ "insecure", no_argument, NULL, OPT_INSECURE },
	{ "mta", no_argument, NULL, OPT_MTA },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static void GUICHET_DEAD
usage(int ex)
{
	FILE *f = ex == 0 ? stdout : stderr;

	fprintf(f,
	    _("usage: guichet-mail [-v] [-d conninfo] [-F config] [--syslog] command\n"
	      "  import --maildir DIR | --mbox FILE | --imap URL | --pop3 URL | --stdin [--mta]\n"
	      "         [--move-to FOLDER] [--batch N] [--summary]\n"
	      "  send [--summary]\n"));
	exit(ex);
}

/* --mta was given: exit statuses are an MTA pipe's (see the head of this file). */
static bool mta;

static int
mta_status(int ex)
{
	if (!mta)
		return ex;
	switch (ex) {
	case 0:
	case EX_DATAERR: /* quarantined: stored all the same */
		return 0;
	case EX_UNAVAILABLE: /* too big to store whole, for good */
		return EX_UNAVAILABLE;
	default:
		return EX_TEMPFAIL;
	}
}

/* fail(), with the status an MTA should hear when --mta was given. */
static void GUICHET_DEAD GUICHET_PRINTF(2, 3) fail(int ex, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (xvasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	die(mta_status(ex), "%s", msg != NULL ? msg : "?");
}

static bool
config_bool(const struct config *cf, const char *name)
{
	const char *v = config_get(cf, name);

	return v != NULL &&
	    (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0 ||
		strcasecmp(v, "on") == 0);
}

static void
load_settings(struct mail_options *o, const struct config *cf)
{
	char *cause = NULL;
	const char *v;

	o->config = cf;
	o->max_size = 25 * 1024 * 1024;
	o->max_attachment = 10 * 1024 * 1024;
	if ((v = config_get(cf, "mail.max_size")) != NULL && parse_size(v, &o->max_size) != 0)
		fail(EX_CONFIG, _("mail.max_size: \"%s\" is not a size"), v);
	if ((v = config_get(cf, "mail.max_attachment")) != NULL &&
	    parse_size(v, &o->max_attachment) != 0)
		fail(EX_CONFIG, _("mail.max_attachment: \"%s\" is not a size"), v);
	if (config_get_int(cf, "mail.rate_cap", 0, 1000000, 40, &o->rate_cap, &cause) != 0 ||
	    config_get_int(cf, "mail.batch", 1, 10000, 200, &o->batch, &cause) != 0 ||
	    config_get_int(cf, "mail.workers", 1, PARTITIONS, 2, &o->workers, &cause) != 0 ||
	    config_get_int(cf, "mail.lock_wait", 0, 3600, 5, &o->lock_wait, &cause) != 0 ||
	    config_get_int(cf, "mail.parse_timeout", 1, 3600, 60, &o->parse_timeout, &cause) != 0)
		fail(EX_CONFIG, "%s", cause);
	o->parse_memory = 2048LL * 1024 * 1024;
	if ((v = config_get(cf, "mail.parse_memory")) != NULL) {
		size_t bytes;

		if (strcmp(v, "0") == 0)
			o->parse_memory = 0;
		else if (parse_size(v, &bytes) == 0 && bytes >= 64 * 1024 * 1024)
			o->parse_memory = (long long)bytes;
		else
			fail(EX_CONFIG, _("mail.parse_memory: \"%s\" is not a size of 64M or more"),
			    v);
	}
	o->tag_prefix = config_get_default(cf, "mail.tag_prefix", "Guichet");
	o->default_queue = config_get(cf, "mail.default_queue");
	o->ack_template = config_get(cf, "mail.ack_template");
	o->move_to = config_get(cf, "mail.move_to");
	o->imap_expunge = config_bool(cf, "mail.imap_expunge");
	if (o->conninfo == NULL)
		o->conninfo = config_get(cf, "database");
	if (route_check(cf, &cause) != 0)
		fail(EX_CONFIG, "%s", cause);
}

static int
open_source(struct source *src, int kind, const char *arg, char **cause)
{
	switch (kind) {
	case OPT_MAILDIR:
		return source_maildir_open(src, arg, cause);
	case OPT_MBOX:
		return source_mbox_open(src, arg, cause);
	case OPT_IMAP:
		return source_imap_open(src, arg, cause);
	case OPT_POP3:
		return source_pop3_open(src, arg, cause);
	case OPT_STDIN:
		return source_stdin_open(src, cause);
	}
	return EX_SOFTWARE;
}

int
main(int argc, char **argv)
{
	struct mail_options o;
	struct config *cf;
	struct source src;
	const char *config_path = NULL, *source_arg = NULL, *command;
	char *cause = NULL;
	int ch, kind = 0, verbose = 0, logflags = 0, ex;
	long long n;

	setlocale(LC_ALL, "");
	bindtextdomain("guichet", LOCALEDIR);
	textdomain("guichet");
	memset(&o, 0, sizeof o);
	memset(&src, 0, sizeof src);
	long long batch = 0;

	while ((ch = getopt_long(argc, argv, "d:F:v", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			o.conninfo = optarg;
			break;
		case 'F':
			config_path = optarg;
			break;
		case 'v':
			verbose++;
			break;
		case OPT_MAILDIR:
		case OPT_MBOX:
		case OPT_IMAP:
		case OPT_POP3:
		case OPT_STDIN:
			if (kind != 0)
				fail(EX_USAGE, _("only one source at a time"));
			kind = ch;
			source_arg = optarg;
			break;
		case OPT_SUMMARY:
			o.summary = true;
			break;
		case OPT_SYSLOG:
			logflags |= LOG_TO_SYSLOG;
			break;
		case OPT_MOVE_TO:
			o.move_to = optarg;
			break;
		case OPT_BATCH:
			if (parse_int(optarg, 1, 10000, &n) != 0)
				fail(EX_USAGE, _("--batch: a number from 1 to 10000"));
			batch = n;
			break;
		case OPT_INSECURE:
			o.insecure = true;
			break;
		case OPT_MTA:
			mta = true;
			break;
		case OPT_HELP:
			usage(0);
		case OPT_VERSION:
			printf("guichet-mail %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(EX_USAGE);
		}
	}
	log_open("guichet-mail", verbose, logflags);
	if (optind >= argc)
		usage(EX_USAGE);
	command = argv[optind];
	if (optind + 1 < argc)
		fail(EX_USAGE, _("unexpected argument \"%s\""), argv[optind + 1]);

	if ((cf = config_load(config_path, &cause)) == NULL)
		fail(EX_CONFIG, "%s", cause);
	{
		const char *move_to = o.move_to;

		load_settings(&o, cf);
		if (move_to != NULL) {
			o.move_to = move_to;
			o.move_to_given = true;
		}
	}
	if (batch > 0)
		o.batch = batch;
	o.verbose = verbose;
	o.progress = isatty(STDERR_FILENO) && verbose == 0 && !(logflags & LOG_TO_SYSLOG);

	if (strcmp(command, "import") == 0) {
		if (kind == 0)
			fail(EX_USAGE,
			    _("import needs a source: --maildir, --mbox, --imap, --pop3 "
			      "or --stdin"));
		src.options = &o;
		if (kind == OPT_STDIN)
			o.progress = false;
		else if (mta)
			fail(EX_USAGE, _("--mta goes with --stdin"));
		if ((ex = open_source(&src, kind, source_arg, &cause)) != 0)
			fail(ex, "%s", cause);
		ex = mta_status(import_run(&o, &src));
		src.ops->close(&src);
	} else if (strcmp(command, "parse") == 0) {
		ex = parse_run(&o);
	} else if (strcmp(command, "send") == 0) {
		if (kind != 0 || mta)
			fail(EX_USAGE, _("send takes no source"));
		ex = send_run(&o);
	} else
		fail(EX_USAGE, _("unknown command \"%s\""), command);
	config_free(cf);
	return ex;
}
