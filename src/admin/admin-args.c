/*
 * admin-args.c — the options and arguments of one command: getopt_long over the
 * command's own option table, and the checks for numbers, durations and files
 * that several commands share.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "admin.h"

void
admin_parse(const char *group, const char *name, int argc, char **argv,
    const struct option *longopts, void (*on_option)(int, const char *, void *), void *ctx, int min,
    int max, struct admin_args *out)
{
	static const struct option none[] = { { NULL, 0, NULL, 0 } };
	int ch;

	if (longopts == NULL)
		longopts = none;
	/* optind 0 makes glibc start afresh: the global options were parsed before. */
	optind = 0;
	opterr = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (ch == 'h' || ch == '?' || ch == ':' || on_option == NULL)
			admin_usage_of(group, name);
		on_option(ch, optarg, ctx);
	}
	out->argc = argc - optind;
	out->argv = argv + optind;
	if (out->argc < min || (max >= 0 && out->argc > max)) {
		log_warnx(out->argc < min ? _("missing argument") : _("too many arguments"));
		admin_usage_of(group, name);
	}
}

long long
admin_parse_number(const char *what, const char *s, long long min, long long max)
{
	long long v;

	if (parse_int(s, min, max, &v) != 0)
		die(EX_USAGE, _("%s must be a number from %lld to %lld: \"%s\""), what, min, max,
		    s);
	return v;
}

/*
 * Durations as people write them: "30min", "4h", "5d", "1h30min", "90" (minutes),
 * or anything PostgreSQL's interval input accepts ("2 days"). Returned as text
 * for a $n parameter cast to interval by the server; shorthand is expanded here
 * because PostgreSQL reads "4h" but not "5d".
 */
char *
admin_parse_interval(const char *what, const char *s)
{
	struct strbuf b;
	const char *p = s, *unit;
	char *end;
	long long n;
	size_t ulen;

	if (*s == '\0')
		die(EX_USAGE, _("%s: empty duration"), what);
	strbuf_init(&b);
	while (*p != '\0') {
		errno = 0;
		n = strtoll(p, &end, 10);
		if (end == p || errno != 0 || n < 0)
			goto verbatim;
		unit = end;
		ulen = strspn(unit, "abcdefghijklmnopqrstuvwxyz");
		if (ulen == 0 && *unit == '\0' && b.len == 0) {
			strbuf_printf(&b, "%lld minutes", n);
			return strbuf_detach(&b);
		}
		if (ulen == 1 && *unit == 'w')
			strbuf_printf(&b, "%s%lld weeks", b.len ? " " : "", n);
		else if (ulen == 1 && *unit == 'd')
			strbuf_printf(&b, "%s%lld days", b.len ? " " : "", n);
		else if (ulen == 1 && *unit == 'h')
			strbuf_printf(&b, "%s%lld hours", b.len ? " " : "", n);
		else if ((ulen == 1 && *unit == 'm') || (ulen == 3 && strncmp(unit, "min", 3) == 0))
			strbuf_printf(&b, "%s%lld minutes", b.len ? " " : "", n);
		else if (ulen == 1 && *unit == 's')
			strbuf_printf(&b, "%s%lld seconds", b.len ? " " : "", n);
		else
			goto verbatim;
		p = unit + ulen;
	}
	return strbuf_detach(&b);

verbatim:
	/* Not our shorthand: the server parses it and says what is wrong. */
	strbuf_free(&b);
	return xstrdup(s);
}

/* Reject control characters in a value that ends up on one line (a name, a code). */
void
admin_reject_control(const char *what, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			die(EX_DATAERR, _("%s contains a control character"), what);
	}
	if (!utf8_valid(s, strlen(s)))
		die(EX_DATAERR, _("%s is not valid UTF-8"), what);
}

/*
 * A whole text file (a template, a knowledge-base article), at most max bytes,
 * valid UTF-8 without NUL bytes: "-" is standard input.
 */
char *
admin_read_file(const char *path, size_t max)
{
	struct strbuf b;
	char buf[8192];
	ssize_t n;
	int fd;

	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		die(errno == ENOENT ? EX_NOINPUT : EX_IOERR, _("%s: %s"), path, strerror(errno));
	strbuf_init(&b);
	for (;;) {
		n = read(fd, buf, sizeof buf);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			die(EX_IOERR, _("%s: %s"), path, strerror(errno));
		if (n == 0)
			break;
		if (b.len + (size_t)n > max)
			die(EX_DATAERR, _("%s: larger than %zu bytes"), path, max);
		strbuf_add(&b, buf, (size_t)n);
	}
	if (fd != STDIN_FILENO)
		close(fd);
	if (memchr(b.buf, '\0', b.len) != NULL)
		die(EX_DATAERR, _("%s: contains NUL bytes (not a text file)"), path);
	if (!utf8_valid(b.buf, b.len))
		die(EX_DATAERR, _("%s: not valid UTF-8"), path);
	return strbuf_detach(&b);
}
