/*
 * source-stdin.c — one message on standard input, as an MTA pipe delivers it.
 * Nothing to remove afterwards: the exit status tells the MTA the outcome.
 * An mbox "From " line in front (Exim's pipe writes one unless told not to)
 * is the envelope, not the message: it is not stored, so that the message
 * has the same bytes, and is the same duplicate, whichever way it came.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "mail.h"

struct stdin_state {
	bool read;
};

int
read_fd(int fd, size_t max, char **data, size_t *len, bool *truncated, size_t *real)
{
	size_t cap = max < 65536 ? max : 65536, n = 0;
	char *buf = xmalloc(cap + 1), discard[65536];
	ssize_t r;

	*truncated = false;
	*real = 0;
	for (;;) {
		if (n == cap && cap < max) {
			cap = cap * 2 > max ? max : cap * 2;
			buf = xreallocarray(buf, cap + 1, 1);
		}
		if (n < cap)
			r = read(fd, buf + n, cap - n);
		else
			r = read(fd, discard, sizeof discard);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			return -1;
		}
		if (r == 0)
			break;
		if (n < cap)
			n += r;
		else
			*truncated = true;
		*real += r;
	}
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return 0;
}

static int
stdin_next(struct source *src, struct source_msg *msg, char **cause)
{
	struct stdin_state *st = src->data;
	bool truncated;

	if (st->read)
		return 0;
	st->read = true;
	memset(msg, 0, sizeof msg[0]);
	if (read_fd(STDIN_FILENO, src->options->max_size * 4, &msg->data, &msg->len, &truncated,
		&msg->real_size) != 0) {
		xasprintf(cause, "stdin: %s", strerror(errno));
		return -1;
	}
	msg->truncated = truncated;
	msg->id = xstrdup("stdin");
	if (msg->len > 5 && memcmp(msg->data, "From ", 5) == 0) {
		const char *nl = memchr(msg->data, '\n', msg->len);
		size_t skip = nl != NULL ? (size_t)(nl + 1 - msg->data) : msg->len;

		memmove(msg->data, msg->data + skip, msg->len - skip + 1);
		msg->len -= skip;
	}
	return 1;
}

static int
stdin_done(struct source *src, struct source_msg *msg, char **cause)
{
	return 0;
}

static int
stdin_sync(struct source *src, char **cause)
{
	return 0;
}

static void
stdin_close(struct source *src)
{
	free(src->data);
	free(src->label);
}

static const struct source_ops stdin_ops = {
	.name = "stdin",
	.next = stdin_next,
	.done = stdin_done,
	.sync = stdin_sync,
	.close = stdin_close,
};

int
source_stdin_open(struct source *src, char **cause)
{
	src->ops = &stdin_ops;
	src->data = xcalloc(1, sizeof(struct stdin_state));
	src->label = xstrdup("stdin");
	src->total = 1;
	return 0;
}

void
source_msg_free(struct source_msg *msg)
{
	free(msg->data);
	free(msg->id);
	memset(msg, 0, sizeof *msg);
}
