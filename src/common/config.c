/*
 * config.c — guichet.conf, shared by the four programs. The file is read into
 * lines of arguments (shell-like words: "double quotes" with backslash escapes,
 * 'single quotes' verbatim, # comments); each program then interprets the
 * commands it knows. Errors name file:line so that a typo is found at once.
 *
 * A file names only commands and settings that some program knows (the table
 * below): a misspelt "set databse" would otherwise be ignored in silence and
 * the program would quietly run with its default. Files are layered as tmux
 * and mutt do: the system file first, then the user's file (or -F) over it.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common.h"
#include "db.h"

/* A configuration file is small; anything bigger is a mistake (or /dev/zero). */
#define CONFIG_MAX_SIZE (4 * 1024 * 1024)

/*
 * Every setting of every program (guichet.conf(5)): one file serves the four
 * programs, so each accepts the others' settings but none accepts a typo. A new
 * setting is added here, in guichet.conf(5) and in etc/guichet.conf.
 */
static const char *const config_settings[] = {
	"database",
	"console.ask_time_spent",
	"console.color",
	"console.count_cap",
	"console.editor",
	"console.page_size",
	"console.sort",
	"mail.ack_template",
	"mail.batch",
	"mail.default_queue",
	"mail.form_senders",
	"mail.imap_expunge",
	"mail.lock_wait",
	"mail.max_attachment",
	"mail.max_size",
	"mail.move_to",
	"mail.own_addresses",
	"mail.parse_memory",
	"mail.parse_timeout",
	"mail.password_file",
	"mail.rate_cap",
	"mail.sendmail",
	"mail.smtp",
	"mail.smtputf8",
	"mail.tag_prefix",
	"mail.workers",
	"mailcap.viewer",
	"notify.bell",
	"notify.title",
	"report.ascii",
	"report.format",
	"report.width",
};
static const char *const config_commands[] = { "set", "bind", "color", "route" };

struct config_parser {
	struct config *config;
	const char *name;
	int lineno;
	char **cause;
	bool strict; /* a file: unknown commands and settings are errors */
};

static void
config_add_line(struct config_parser *ps, char **argv, int argc)
{
	struct config *cfg = ps->config;
	struct config_line *line;

	cfg->lines = xreallocarray(cfg->lines, cfg->nlines + 1, sizeof *cfg->lines);
	line = &cfg->lines[cfg->nlines++];
	line->argv = argv;
	line->argc = argc;
	line->file = ps->name;
	line->lineno = ps->lineno;
}

static int config_error(struct config_parser *, const char *, ...) GUICHET_PRINTF(2, 3);

static int
config_error(struct config_parser *ps, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	xasprintf(ps->cause, "%s:%d: %s", ps->name, ps->lineno, msg);
	free(msg);
	return -1;
}

/* One backslash escape inside double quotes; -1 when it means nothing. */
static int
config_escape(char c)
{
	switch (c) {
	case '\\':
	case '"':
	case '\'':
	case '#':
	case '$':
		return c;
	case 'n':
		return '\n';
	case 't':
		return '\t';
	default:
		return -1;
	}
}

/*
 * Split one line into words. A word may mix plain, "double" and 'single' quoted
 * parts (a"b c"d is one word "ab cd"); # outside quotes at the start of a word
 * begins a comment.
 */
static int
config_split(struct config_parser *ps, const char *p, char ***argvp, int *argcp)
{
	struct strbuf word;
	char **argv = NULL;
	int argc = 0, esc;
	char quote;

	strbuf_init(&word);
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '#')
			break;
		strbuf_reset(&word);
		while (*p != '\0' && *p != ' ' && *p != '\t') {
			if (*p != '"' && *p != '\'') {
				strbuf_addch(&word, *p++);
				continue;
			}
			quote = *p++;
			while (*p != quote) {
				if (*p == '\0')
					goto unterminated;
				if (quote == '"' && *p == '\\') {
					if ((esc = config_escape(p[1])) == -1)
						goto bad_escape;
					strbuf_addch(&word, esc);
					p += 2;
				} else
					strbuf_addch(&word, *p++);
			}
			p++;
		}
		argv = xreallocarray(argv, argc + 2, sizeof *argv);
		argv[argc++] = xstrndup(word.buf, word.len);
		argv[argc] = NULL;
	}
	strbuf_free(&word);
	*argvp = argv;
	*argcp = argc;
	return 0;

unterminated:
	config_error(ps, _("missing closing quote %c"), quote);
	goto fail;
bad_escape:
	if (p[1] == '\0')
		config_error(ps, _("backslash at the end of the line"));
	else
		config_error(ps, _("unknown escape \\%c (use \\\\ for a backslash)"), p[1]);
fail:
	strbuf_free(&word);
	while (argc > 0)
		free(argv[--argc]);
	free(argv);
	return -1;
}

/* Names are like "database" or "mail.tag_prefix". */
static bool
config_valid_name(const char *name)
{
	const char *p;

	if (*name == '\0' || *name == '.')
		return false;
	for (p = name; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' ||
			*p == '.' || *p == '-'))
			return false;
	}
	return true;
}

static bool
config_known(const char *const *names, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(names[i], name) == 0)
			return true;
	}
	return false;
}

/* In a file: a command and a setting some program knows, a conninfo that parses. */
static int
config_check_known(struct config_parser *ps, char **argv)
{
	char *why;

	if (!config_known(config_commands, nitems(config_commands), argv[0]))
		return config_error(
		    ps, _("unknown command \"%s\" (set, bind, color or route)"), argv[0]);
	if (strcmp(argv[0], "set") != 0)
		return 0;
	if (!config_known(config_settings, nitems(config_settings), argv[1]))
		return config_error(ps, _("unknown setting \"%s\" (see guichet.conf(5))"), argv[1]);
	if (strcmp(argv[1], "database") == 0 && db_conninfo_check(argv[2], &why) == -1) {
		config_error(ps, _("database: %s"), why);
		free(why);
		return -1;
	}
	return 0;
}

static int
config_check_line(struct config_parser *ps, char **argv, int argc)
{
	if (strcmp(argv[0], "set") == 0) {
		if (argc != 3)
			return config_error(
			    ps, _("usage: set NAME VALUE (quote a value with spaces)"));
		if (!config_valid_name(argv[1]))
			return config_error(ps, _("bad setting name \"%s\""), argv[1]);
	}
	return ps->strict ? config_check_known(ps, argv) : 0;
}

static void
config_free_argv(char **argv, int argc)
{
	while (argc > 0)
		free(argv[--argc]);
	free(argv);
}

static int
config_parse_line(struct config_parser *ps, const char *text)
{
	char **argv;
	int argc;

	if (!utf8_valid(text, strlen(text)))
		return config_error(ps, _("not valid UTF-8"));
	if (config_split(ps, text, &argv, &argc) == -1)
		return -1;
	if (argc == 0) {
		free(argv);
		return 0;
	}
	if (config_check_line(ps, argv, argc) == -1) {
		config_free_argv(argv, argc);
		return -1;
	}
	config_add_line(ps, argv, argc);
	return 0;
}

/*
 * Parse text into cfg (after the lines it holds already); name names it in
 * messages and in each line. strict: see struct config_parser.
 */
static int
config_parse_into(
    struct config *cfg, const char *name, const char *text, size_t len, bool strict, char **cause)
{
	struct config_parser ps = { cfg, name, 0, cause, strict };
	const char *p = text, *end = text + len, *nl;
	char *line;
	size_t n;
	int rc = 0;

	if (memchr(text, '\0', len) != NULL) {
		xasprintf(cause, _("%s: not a text file (it holds NUL bytes)"), name);
		return -1;
	}
	/* A byte order mark, as some editors write. */
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end && rc == 0) {
		ps.lineno++;
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		if (n > 0 && p[n - 1] == '\r')
			line = xstrndup(p, n - 1);
		else
			line = xstrndup(p, n);
		rc = config_parse_line(&ps, line);
		free(line);
		p += n + (nl != NULL);
	}
	return rc;
}

static struct config *
config_new(const char *path)
{
	struct config *cfg;

	cfg = xcalloc(1, sizeof *cfg);
	cfg->path = path != NULL ? xstrdup(path) : NULL;
	return cfg;
}

struct config *
config_parse_string(const char *text, const char *name, char **cause)
{
	struct config *cfg;

	cfg = config_new(name != NULL ? name : "(string)");
	if (config_parse_into(cfg, cfg->path, text, strlen(text), false, cause) == -1) {
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

/* Read a whole file; NULL with errno set (ENOENT when it is not there). */
static char *
config_read_file(const char *path, size_t *lenp)
{
	struct strbuf sb;
	FILE *f;
	char chunk[8192];
	size_t n;
	int saved;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	strbuf_init(&sb);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		strbuf_add(&sb, chunk, n);
		if (sb.len > CONFIG_MAX_SIZE) {
			fclose(f);
			strbuf_free(&sb);
			errno = EFBIG;
			return NULL;
		}
	}
	if (ferror(f)) {
		saved = errno;
		fclose(f);
		strbuf_free(&sb);
		errno = saved;
		return NULL;
	}
	fclose(f);
	*lenp = sb.len;
	return strbuf_detach(&sb);
}

/*
 * Add the lines of one file to cfg, which then names it as the file read.
 * Returns 0; 1 when the file is not there and need not be; -1 with *cause.
 */
static int
config_load_file(struct config *cfg, const char *path, bool required, char **cause)
{
	char *text;
	size_t len;
	int rc;

	if ((text = config_read_file(path, &len)) == NULL) {
		if (errno == ENOENT && !required)
			return 1;
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* Lines point at the path they came from: it lives as long as cfg. */
	cfg->files = xreallocarray(cfg->files, cfg->nfiles + 1, sizeof *cfg->files);
	cfg->files[cfg->nfiles++] = xstrdup(path);
	free(cfg->path);
	cfg->path = xstrdup(path);
	rc = config_parse_into(cfg, cfg->files[cfg->nfiles - 1], text, len, true, cause);
	free(text);
	return rc;
}

struct config *
config_load_layers(const char *system, const char *user, bool user_required, char **cause)
{
	struct config *cfg = config_new(NULL);

	if ((system != NULL && config_load_file(cfg, system, false, cause) == -1) ||
	    (user != NULL && config_load_file(cfg, user, user_required, cause) == -1)) {
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

struct config *
config_load(const char *path, char **cause)
{
	struct config *cfg;
	char *user = NULL;

	if (path == NULL)
		user = xdg_path("config", "guichet.conf");
	cfg = config_load_layers(
	    SYSCONFDIR "/guichet/guichet.conf", path != NULL ? path : user, path != NULL, cause);
	free(user);
	return cfg;
}

/* The last "set NAME" line, so that a later line overrides an earlier one. */
static const struct config_line *
config_find(const struct config *cfg, const char *name)
{
	size_t i;

	if (cfg == NULL)
		return NULL;
	for (i = cfg->nlines; i > 0; i--) {
		const struct config_line *line = &cfg->lines[i - 1];

		if (line->argc == 3 && strcmp(line->argv[0], "set") == 0 &&
		    strcmp(line->argv[1], name) == 0)
			return line;
	}
	return NULL;
}

const char *
config_get(const struct config *cfg, const char *name)
{
	const struct config_line *line = config_find(cfg, name);

	return line != NULL ? line->argv[2] : NULL;
}

const char *
config_get_default(const struct config *cfg, const char *name, const char *def)
{
	const char *v = config_get(cfg, name);

	return v != NULL ? v : def;
}

int
config_get_int(const struct config *cfg, const char *name, long long min, long long max,
    long long def, long long *out, char **cause)
{
	const struct config_line *line = config_find(cfg, name);

	if (line == NULL) {
		*out = def;
		return 0;
	}
	if (parse_int(line->argv[2], min, max, out) == -1) {
		xasprintf(cause,
		    _("%s:%d: %s must be a whole number from %lld to %lld, not \"%s\""), line->file,
		    line->lineno, name, min, max, line->argv[2]);
		return -1;
	}
	return 0;
}

int
config_get_bool(const struct config *cfg, const char *name, bool def, bool *out, char **cause)
{
	static const char *const yes[] = { "yes", "on", "true", "1" };
	static const char *const no[] = { "no", "off", "false", "0" };
	const struct config_line *line = config_find(cfg, name);
	size_t i;

	*out = def;
	if (line == NULL)
		return 0;
	for (i = 0; i < nitems(yes); i++) {
		if (strcasecmp(line->argv[2], yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(line->argv[2], no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	xasprintf(cause, _("%s:%d: %s must be yes or no, not \"%s\""), line->file, line->lineno,
	    name, line->argv[2]);
	return -1;
}

void
config_free(struct config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->nlines; i++)
		config_free_argv(cfg->lines[i].argv, cfg->lines[i].argc);
	free(cfg->lines);
	for (i = 0; i < cfg->nfiles; i++)
		free(cfg->files[i]);
	free(cfg->files);
	free(cfg->path);
	free(cfg);
}
