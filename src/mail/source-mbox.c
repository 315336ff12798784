/*
 * source-mbox.c — an mbox file, read message by message (never whole).
 *
 * An mbox is not rewritten: another program may be appending to it, and a
 * crash while rewriting loses mail. Instead the position after the last
 * committed message is remembered in $XDG_STATE_HOME/guichet/mbox/, with a
 * checksum of the bytes before it: when the file was replaced or truncated,
 * the import starts over and idempotency turns the old messages into
 * duplicates. ">From " lines are unescaped (mboxrd).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "mail.h"

#define CHECK_BYTES 4096

struct mbox {
	FILE *f;
	char *path;
	char *state; /* state file */
	char *line;  /* a "From " line read ahead, or NULL */
	size_t linecap;
	off_t pos;	 /* where the next message starts */
	off_t committed; /* end of the last committed message */
};

/* FNV-1a of the CHECK_BYTES before off: recognises the same file. */
static unsigned long long
check_sum(FILE *f, off_t off)
{
	unsigned long long h = 1469598103934665603ULL;
	off_t start = off > CHECK_BYTES ? off - CHECK_BYTES : 0;
	char buf[CHECK_BYTES];
	size_t n, i;

	if (fseeko(f, start, SEEK_SET) != 0)
		return 0;
	n = fread(buf, 1, off - start, f);
	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)buf[i]) * 1099511628211ULL;
	return h;
}

static char *
state_path(const char *path)
{
	char *real, *rest, *p, *s;

	if ((real = realpath(path, NULL)) == NULL)
		real = xstrdup(path);
	for (p = real; *p != '\0'; p++) {
		if (*p == '/')
			*p = '%';
	}
	xasprintf(&rest, "mbox/%s", real);
	s = xdg_path("state", rest);
	free(rest);
	free(real);
	return s;
}

static void
load_state(struct mbox *mb)
{
	FILE *sf;
	long long off = 0;
	unsigned long long sum = 0;
	struct stat st;

	if ((sf = fopen(mb->state, "r")) == NULL)
		return;
	if (fscanf(sf, "%lld %llu", &off, &sum) == 2 && fstat(fileno(mb->f), &st) == 0 &&
	    off <= st.st_size && check_sum(mb->f, off) == sum)
		mb->pos = mb->committed = off;
	fclose(sf);
}

static int
mbox_sync(struct source *src, char **cause)
{
	struct mbox *mb = src->data;
	char *tmp, *dir, *slash;
	FILE *sf;
	off_t keep;

	dir = xstrdup(mb->state);
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	mkdir_p(dir, 0700);
	free(dir);
	keep = ftello(mb->f);
	xasprintf(&tmp, "%s.tmp", mb->state);
	if ((sf = fopen(tmp, "w")) == NULL) {
		xasprintf(cause, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	fprintf(sf, "%lld %llu\n", (long long)mb->committed, check_sum(mb->f, mb->committed));
	if (fclose(sf) != 0 || rename(tmp, mb->state) != 0) {
		xasprintf(cause, "%s: %s", mb->state, strerror(errno));
		free(tmp);
		return -1;
	}
	free(tmp);
	fseeko(mb->f, keep, SEEK_SET);
	return 0;
}

static int
mbox_next(struct source *src, struct source_msg *msg, char **cause)
{
	struct mbox *mb = src->data;
	struct strbuf sb;
	ssize_t n;
	off_t start;
	const char *p;
	size_t max = src->options->max_size * 4;

	if (fseeko(mb->f, mb->pos, SEEK_SET) != 0) {
		xasprintf(cause, "%s: %s", mb->path, strerror(errno));
		return -1;
	}
	/* Skip to the first "From " line. */
	do {
		start = ftello(mb->f);
		if ((n = getline(&mb->line, &mb->linecap, mb->f)) < 0)
			return 0;
	} while (strncmp(mb->line, "From ", 5) != 0);
	memset(msg, 0, sizeof *msg);
	strbuf_init(&sb);
	for (;;) {
		off_t here = ftello(mb->f);

		if ((n = getline(&mb->line, &mb->linecap, mb->f)) < 0) {
			mb->pos = here;
			break;
		}
		if (strncmp(mb->line, "From ", 5) == 0) {
			mb->pos = here;
			break;
		}
		p = mb->line;
		if (*p == '>') {
			const char *q = p;

			while (*q == '>')
				q++;
			if (strncmp(q, "From ", 5) == 0)
				p++, n--;
		}
		msg->real_size += n;
		if (sb.len + n <= max)
			strbuf_add(&sb, p, n);
		else
			msg->truncated = true;
	}
	/* The blank line before the next "From " belongs to the separator. */
	if (sb.len > 0 && sb.buf[sb.len - 1] == '\n' && sb.len > 1 && sb.buf[sb.len - 2] == '\n')
		sb.buf[--sb.len] = '\0';
	if (sb.buf == NULL)
		strbuf_puts(&sb, "");
	msg->len = sb.len;
	msg->data = strbuf_detach(&sb);
	xasprintf(&msg->id, "%lld-%lld", (long long)start, (long long)mb->pos);
	return 1;
}

static int
mbox_done(struct source *src, struct source_msg *msg, char **cause)
{
	struct mbox *mb = src->data;
	const char *dash = strchr(msg->id, '-');
	off_t end = dash ? strtoll(dash + 1, NULL, 10) : 0;

	if (end > mb->committed)
		mb->committed = end;
	return 0;
}

static void
mbox_close(struct source *src)
{
	struct mbox *mb = src->data;

	fclose(mb->f);
	free(mb->line);
	free(mb->path);
	free(mb->state);
	free(mb);
	free(src->label);
}

static const struct source_ops mbox_ops = {
	.name = "mbox",
	.next = mbox_next,
	.done = mbox_done,
	.sync = mbox_sync,
	.close = mbox_close,
};

int
source_mbox_open(struct source *src, const char *path, char **cause)
{
	struct mbox *mb = xcalloc(1, sizeof *mb);

	if ((mb->f = fopen(path, "r")) == NULL) {
		int ex = errno == EACCES ? EX_NOPERM : EX_TEMPFAIL;

		xasprintf(cause, "%s: %s", path, strerror(errno));
		free(mb);
		return ex;
	}
	mb->path = xstrdup(path);
	mb->state = state_path(path);
	load_state(mb);
	src->ops = &mbox_ops;
	src->data = mb;
	xasprintf(&src->label, "mbox:%s", path);
	return 0;
}
