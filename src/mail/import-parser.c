/*
 * import-parser.c — messages are parsed in a child process, so that one that
 * crashes or hangs the parser costs that message alone: the child dies, the
 * message is quarantined with the reason and named in the log, a new child
 * parses the next one, and the batch goes on.
 *
 * One child serves a whole run (forking per message would cost about as much
 * as parsing it: 4 ms a process on this kind of machine); the message goes
 * down a pipe, the document ingest_message receives (JSON, attachments)
 * comes back up another. The child lives under limits: CPU seconds per
 * message (mail.parse_timeout: SIGXCPU ends it), address space
 * (mail.parse_memory), no core files. The parent also gives up on a child
 * that answers nothing for a minute more than three times the CPU limit of
 * wall time, should a parser ever block instead of spin (the margin is for
 * a loaded machine, where CPU seconds take longer than seconds).
 *
 * Built with GUICHET_TEST_HOOKS (tests/mail/guichet-mail-hooks, never
 * installed), a header X-Guichet-Test-Parser: crash | abort | loop | memory
 * makes the child fail that way on that message, for tests/mail/parser.sh.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "db.h"
#include "mail.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1 /* ASan reserves terabytes of address space: no RLIMIT_AS */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

#define NONE UINT64_MAX /* a length that stands for NULL */

static int
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}

static int
read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	ssize_t n;

	while (len > 0) {
		if ((n = read(fd, p, len)) <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}

/* A length, then that many bytes; NULL as NONE. */
static int
write_chunk(int fd, const char *data, size_t len)
{
	uint64_t n = data == NULL ? NONE : len;

	if (write_all(fd, &n, sizeof n) != 0)
		return -1;
	return data == NULL || len == 0 ? 0 : write_all(fd, data, len);
}

/* Read a chunk as a NUL-terminated copy (*data NULL for NONE); max bounds it. */
static int
read_chunk(int fd, char **data, size_t *len, uint64_t max)
{
	uint64_t n;

	*data = NULL;
	*len = 0;
	if (read_all(fd, &n, sizeof n) != 0)
		return -1;
	if (n == NONE)
		return 0;
	if (n > max)
		return -1;
	*data = xmalloc(n + 1);
	if (read_all(fd, *data, n) != 0) {
		free(*data);
		*data = NULL;
		return -1;
	}
	(*data)[n] = '\0';
	*len = n;
	return 0;
}

#ifdef GUICHET_TEST_HOOKS
/* The value of X-Guichet-Test-Parser in the header block, or NULL. */
static const char *
test_hook(const char *msg, size_t len)
{
	static const char name[] = "\nX-Guichet-Test-Parser: ";
	const char *end = memmem(msg, len, "\n\n", 2), *p;

	p = memmem(msg, end != NULL ? (size_t)(end - msg) : len, name, sizeof name - 1);
	return p != NULL ? p + sizeof name - 1 : NULL;
}

static void
run_test_hook(const char *msg, size_t len)
{
	const char *hook = test_hook(msg, len);
	volatile char *p;

	if (hook == NULL)
		return;
	if (strncmp(hook, "crash", 5) == 0)
		raise(SIGSEGV);
	if (strncmp(hook, "abort", 5) == 0)
		abort();
	if (strncmp(hook, "loop", 4) == 0) {
		for (;;)
			;
	}
	if (strncmp(hook, "memory", 6) == 0) {
		for (;;) {
			p = xmalloc(1 << 20);
			memset((char *)p, 1, 1 << 20);
		}
	}
}
#endif

/* This message may use limit more seconds of CPU than the child has used so far. */
static void
cpu_budget(long long limit)
{
	struct rusage ru;
	struct rlimit rl;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return;
	rl.rlim_cur = (rlim_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + 1 + limit);
	rl.rlim_max = rl.rlim_cur + 2; /* SIGKILL, should SIGXCPU be caught */
	setrlimit(RLIMIT_CPU, &rl);
}

static void GUICHET_DEAD
child_loop(struct import *im, int in, int out)
{
	struct mail m;
	struct strbuf js, att;
	char *msg;
	size_t len;

	for (;;) {
		/* Unbounded: a retried message may be older than today's limit. */
		if (read_chunk(in, &msg, &len, UINT64_MAX - 1) != 0 || msg == NULL)
			_exit(0);
		cpu_budget(im->o.parse_timeout);
#ifdef GUICHET_TEST_HOOKS
		run_test_hook(msg, len);
#endif
		mail_parse(&m, msg, len, &im->o);
		free(msg);
		strbuf_init(&js);
		strbuf_init(&att);
		import_mail_json(im, &m, &js, &att);
		if (write_chunk(out, js.buf, js.len) != 0 ||
		    write_chunk(out, att.len > 0 ? att.buf : NULL, att.len) != 0 ||
		    write_chunk(out, m.message_id, m.message_id ? strlen(m.message_id) : 0) != 0)
			_exit(0);
		strbuf_free(&js);
		strbuf_free(&att);
		mail_free(&m);
	}
}

static void
child_limits(const struct import *im)
{
	struct rlimit rl = { 0, 0 };

	setrlimit(RLIMIT_CORE, &rl); /* a crash is reported, not dumped */
#ifndef UNDER_ASAN
	if (im->o.parse_memory > 0) {
		rl.rlim_cur = rl.rlim_max = (rlim_t)im->o.parse_memory;
		setrlimit(RLIMIT_AS, &rl);
	}
#endif
}

int
parser_start(struct import *im)
{
	int down[2], up[2];
	pid_t pid;

	/* A child that died must not take the parent with it on a write. */
	signal(SIGPIPE, SIG_IGN);
	if (pipe(down) != 0 || pipe(up) != 0)
		fatalx("pipe: %s", strerror(errno));
	fflush(NULL);
	if ((pid = fork()) < 0)
		fatalx("fork: %s", strerror(errno));
	if (pid == 0) {
		close(down[1]);
		close(up[0]);
		/* The database connection is the parent's alone. */
		if (im->conn != NULL)
			close(PQsocket(im->conn));
		child_limits(im);
		child_loop(im, down[0], up[1]);
	}
	close(down[0]);
	close(up[1]);
	im->parser.pid = pid;
	im->parser.to = down[1];
	im->parser.from = up[0];
	return 0;
}

/* Seconds of wall time the parent waits for an answer. */
static long long
backstop(const struct import *im)
{
	return im->o.parse_timeout * 3 + 60;
}

/* Wait for the child to end; what its end says, for the quarantine. */
static char *
reap(struct import *im, bool timed_out)
{
	int status;
	char *why;

	if (timed_out)
		kill(im->parser.pid, SIGKILL);
	close(im->parser.to);
	close(im->parser.from);
	while (waitpid(im->parser.pid, &status, 0) < 0 && errno == EINTR)
		;
	im->parser.pid = 0;
	if (timed_out)
		xasprintf(&why, "the parser answered nothing for %lld s: killed", backstop(im));
	else if (WIFSIGNALED(status) &&
	    (WTERMSIG(status) == SIGXCPU || WTERMSIG(status) == SIGKILL))
		xasprintf(&why, "the parser used more than %lld s of CPU on this message",
		    im->o.parse_timeout);
	else if (WIFSIGNALED(status))
		xasprintf(&why, "the parser crashed on this message (signal %d, %s)",
		    WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		xasprintf(&why,
		    "the parser stopped on this message (status %d: out of memory, "
		    "or an internal error)",
		    WEXITSTATUS(status));
	return why;
}

/* Is there something to read within the wall-clock backstop? */
static bool
answers(const struct import *im)
{
	struct pollfd pfd = { im->parser.from, POLLIN, 0 };
	long long ms = backstop(im) * 1000;
	int r;

	while ((r = poll(&pfd, 1, ms > INT32_MAX ? -1 : (int)ms)) < 0 && errno == EINTR)
		;
	return r != 0;
}

int
parser_parse(struct import *im, const char *msg, size_t len, struct strbuf *js, struct strbuf *att,
    char **message_id, char **why)
{
	char *data = NULL, *a = NULL;
	size_t n, alen, idlen;

	*why = NULL;
	*message_id = NULL;
	if (im->parser.pid == 0)
		parser_start(im);
	/* A child that died on writing or reading shows as a failed pipe. */
	if (write_chunk(im->parser.to, msg, len) != 0) {
		*why = reap(im, false);
		return -1;
	}
	if (!answers(im)) {
		*why = reap(im, true);
		return -1;
	}
	if (read_chunk(im->parser.from, &data, &n, UINT64_MAX - 1) != 0 || data == NULL ||
	    read_chunk(im->parser.from, &a, &alen, UINT64_MAX - 1) != 0 ||
	    read_chunk(im->parser.from, message_id, &idlen, 4096) != 0) {
		free(data);
		free(a);
		*why = reap(im, false);
		return -1;
	}
	strbuf_add(js, data, n);
	free(data);
	if (a != NULL)
		strbuf_add(att, a, alen);
	free(a);
	return 0;
}

void
parser_stop(struct import *im)
{
	int status;

	if (im->parser.pid == 0)
		return;
	close(im->parser.to);
	close(im->parser.from);
	while (waitpid(im->parser.pid, &status, 0) < 0 && errno == EINTR)
		;
	im->parser.pid = 0;
}
