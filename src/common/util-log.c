/*
 * util-log.c — diagnostics as one line "prog: message" on stderr, or to syslog
 * when a program runs unattended (cron, the MTA).
 *
 * Messages may quote untrusted text (a subject, a file name), so control bytes are
 * neutralised here without allocating: fatalx() must work when memory is gone.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "common.h"

static const char *log_name = PACKAGE;
static int log_verbosity;
static int log_flags;

void
log_open(const char *progname, int verbosity, int flags)
{
	const char *slash;

	if (progname != NULL && *progname != '\0') {
		/* argv[0] may be a path; the name alone is what users recognise. */
		if ((slash = strrchr(progname, '/')) != NULL && slash[1] != '\0')
			progname = slash + 1;
		log_name = progname;
	}
	log_verbosity = verbosity;
	log_flags = flags;
	if (flags & LOG_TO_SYSLOG)
		openlog(log_name, LOG_PID | LOG_NDELAY,
		    (flags & LOG_FACILITY_MAIL) ? LOG_MAIL : LOG_USER);
}

const char *
log_progname(void)
{
	return log_name;
}

/*
 * Make a message safe for the reader's terminal, in place and without
 * allocating: C0 controls, DEL, C1 controls, bidi controls and the other
 * invisible format characters (the sanitiser's set), and every invalid UTF-8
 * sequence, each become one '?'. A message can then neither move the cursor,
 * start an escape sequence, nor reorder the text around a file name.
 */
static void
log_neutralise(char *s)
{
	size_t len = strlen(s), i = 0, o = 0, n;
	uint32_t cp;

	while (i < len) {
		n = utf8_decode(s + i, len - i, &cp);
		if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || text_invisible(cp) ||
		    (cp == UTF8_REPLACEMENT && n != 3)) {
			s[o++] = '?';
		} else {
			memmove(s + o, s + i, n);
			o += n;
		}
		i += n;
	}
	s[o] = '\0';
}

static void log_vwrite(int, const char *, const char *, va_list, const char *) GUICHET_PRINTF(3, 0);

static void
log_vwrite(int priority, const char *prefix, const char *fmt, va_list ap, const char *suffix)
{
	char msg[2048];
	int saved = errno;
	size_t off;

	off = (size_t)snprintf(msg, sizeof msg, "%s", prefix);
	if (vsnprintf(msg + off, sizeof msg - off, fmt, ap) < 0)
		snprintf(msg, sizeof msg, "(bad log format \"%s\")", fmt);
	log_neutralise(msg);
	if (log_flags & LOG_TO_SYSLOG) {
		if (suffix != NULL)
			syslog(priority, "%s: %s", msg, suffix);
		else
			syslog(priority, "%s", msg);
	}
	/*
	 * The last words of a program also go to stderr under syslog: an MTA puts
	 * them in the bounce, cron in its mail.
	 */
	if (!(log_flags & LOG_TO_SYSLOG) || priority <= LOG_ERR) {
		if (suffix != NULL)
			fprintf(stderr, "%s: %s: %s\n", log_name, msg, suffix);
		else
			fprintf(stderr, "%s: %s\n", log_name, msg);
		fflush(stderr);
	}
	errno = saved;
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_verbosity < 2)
		return;
	va_start(ap, fmt);
	log_vwrite(LOG_DEBUG, "", fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	if (log_verbosity < 1)
		return;
	va_start(ap, fmt);
	log_vwrite(LOG_INFO, "", fmt, ap, NULL);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_WARNING, "", fmt, ap, NULL);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;
	const char *why = strerror(errno);

	va_start(ap, fmt);
	log_vwrite(LOG_WARNING, "", fmt, ap, why);
	va_end(ap);
}

void
die(int ex, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_ERR, "", fmt, ap, NULL);
	va_end(ap);
	exit(ex);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	/* Say it is a bug, so that nobody mistakes it for a problem of their input. */
	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, "internal error: ", fmt, ap, NULL);
	va_end(ap);
	exit(EX_SOFTWARE);
}
