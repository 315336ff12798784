/*
 * source-maildir.c — a maildir: messages in new/, and in cur/ without the
 * Seen flag, in delivery order (file names start with the delivery time, so
 * a follow-up comes after what it answers). A committed message moves to
 * cur/ with the Seen flag, or to another maildir (--move-to). A file that
 * vanished meanwhile was taken by a concurrent run: it is skipped.
 *
 * Memory stays bounded: a scan keeps at most SCAN_LIMIT names (the oldest);
 * the next scan picks up the rest.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "mail.h"

#define SCAN_LIMIT 20000

struct maildir {
	char *dir;
	char **names; /* "new/NAME" or "cur/NAME" */
	size_t n, next;
	bool full; /* the scan hit SCAN_LIMIT: scan again when done */
};

static int
compare_names(const void *a, const void *b)
{
	/* Order by the base name: delivery time first, whatever the folder. */
	return strcmp(*(char *const *)a + 4, *(char *const *)b + 4);
}

static bool
seen(const char *name)
{
	const char *info = strstr(name, ":2,");

	return info != NULL && strchr(info + 3, 'S') != NULL;
}

static void
keep_oldest(struct maildir *md)
{
	size_t i;

	if (md->n == 0) /* qsort's array may not be NULL, even when empty */
		return;
	qsort(md->names, md->n, sizeof *md->names, compare_names);
	if (md->n > SCAN_LIMIT) {
		for (i = SCAN_LIMIT; i < md->n; i++)
			free(md->names[i]);
		md->n = SCAN_LIMIT;
		md->full = true;
	}
}

static int
scan_folder(struct maildir *md, const char *sub, char **cause)
{
	char *path;
	DIR *d;
	struct dirent *de;

	xasprintf(&path, "%s/%s", md->dir, sub);
	if ((d = opendir(path)) == NULL) {
		int saved = errno; /* the caller tells EACCES from the rest */

		xasprintf(cause, "%s: %s", path, strerror(errno));
		free(path);
		errno = saved;
		return -1;
	}
	free(path);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (strcmp(sub, "cur") == 0 && seen(de->d_name))
			continue;
		md->names = xreallocarray(md->names, md->n + 1, sizeof *md->names);
		xasprintf(&md->names[md->n++], "%s/%s", sub, de->d_name);
		if (md->n >= 2 * SCAN_LIMIT)
			keep_oldest(md);
	}
	closedir(d);
	return 0;
}

static int
scan(struct maildir *md, char **cause)
{
	size_t i;

	for (i = 0; i < md->n; i++)
		free(md->names[i]);
	md->n = md->next = 0;
	md->full = false;
	if (scan_folder(md, "new", cause) != 0 || scan_folder(md, "cur", cause) != 0)
		return -1;
	keep_oldest(md);
	return 0;
}

static int
maildir_next(struct source *src, struct source_msg *msg, char **cause)
{
	struct maildir *md = src->data;
	char *path;
	int fd;
	bool truncated;

	for (;;) {
		if (md->next == md->n) {
			if (!md->full)
				return 0;
			if (scan(md, cause) != 0)
				return -1;
			if (md->n == 0)
				return 0;
		}
		xasprintf(&path, "%s/%s", md->dir, md->names[md->next++]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT) {
			free(path);
			continue;
		}
		if (fd < 0) {
			xasprintf(cause, "%s: %s", path, strerror(errno));
			free(path);
			return -1;
		}
		memset(msg, 0, sizeof *msg);
		if (read_fd(fd, src->options->max_size * 4, &msg->data, &msg->len, &truncated,
			&msg->real_size) != 0) {
			xasprintf(cause, "%s: %s", path, strerror(errno));
			close(fd);
			free(path);
			return -1;
		}
		close(fd);
		msg->truncated = truncated;
		msg->id = xstrdup(md->names[md->next - 1]);
		free(path);
		return 1;
	}
}

/* The name with the Seen flag added to its info part. */
static char *
seen_name(const char *base)
{
	const char *info = strstr(base, ":2,");
	char *s;

	if (info == NULL)
		xasprintf(&s, "%s:2,S", base);
	else if (strchr(info + 3, 'S') != NULL)
		s = xstrdup(base);
	else {
		/* Flags stay in ASCII order: S sorts after D, F, P, R. */
		struct strbuf sb;
		const char *f;

		strbuf_init(&sb);
		strbuf_add(&sb, base, info + 3 - base);
		for (f = info + 3; *f != '\0' && *f < 'S'; f++)
			strbuf_addch(&sb, *f);
		strbuf_addch(&sb, 'S');
		strbuf_puts(&sb, f);
		s = strbuf_detach(&sb);
	}
	return s;
}

static int
maildir_done(struct source *src, struct source_msg *msg, char **cause)
{
	struct maildir *md = src->data;
	const char *target = src->options->move_to;
	char *from, *to, *name;

	name = seen_name(msg->id + 4);
	xasprintf(&from, "%s/%s", md->dir, msg->id);
	if (target != NULL)
		xasprintf(&to, "%s/cur/%s", target, name);
	else
		xasprintf(&to, "%s/cur/%s", md->dir, name);
	free(name);
	if (rename(from, to) != 0 && errno != ENOENT) {
		xasprintf(cause, "%s: %s", to, strerror(errno));
		free(from);
		free(to);
		return -1;
	}
	free(from);
	free(to);
	return 0;
}

static int
maildir_sync(struct source *src, char **cause)
{
	return 0;
}

static void
maildir_close(struct source *src)
{
	struct maildir *md = src->data;
	size_t i;

	for (i = 0; i < md->n; i++)
		free(md->names[i]);
	free(md->names);
	free(md->dir);
	free(md);
	free(src->label);
}

static int
maildir_rescan(struct source *src, char **cause)
{
	struct maildir *md = src->data;

	if (scan(md, cause) != 0)
		return -1;
	src->total = md->n;
	return 0;
}

static int
maildir_rewind(struct source *src, char **cause)
{
	struct maildir *md = src->data;

	md->next = 0;
	return 0;
}

static const struct source_ops maildir_ops = {
	.name = "maildir",
	.next = maildir_next,
	.done = maildir_done,
	.sync = maildir_sync,
	.close = maildir_close,
	.rescan = maildir_rescan,
	.rewind = maildir_rewind,
};

int
source_maildir_open(struct source *src, const char *dir, char **cause)
{
	struct maildir *md = xcalloc(1, sizeof *md);
	char *p;
	struct stat sb;

	md->dir = xstrdup(dir);
	if (src->options->move_to != NULL) {
		xasprintf(&p, "%s/cur", src->options->move_to);
		if (stat(p, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
			xasprintf(cause, _("%s: not a maildir (--move-to)"), src->options->move_to);
			free(p);
			free(md->dir);
			free(md);
			return src->options->move_to_given ? EX_USAGE : EX_CONFIG;
		}
		free(p);
	}
	if (scan(md, cause) != 0) {
		int ex = errno == EACCES ? EX_NOPERM : EX_TEMPFAIL;

		free(md->names);
		free(md->dir);
		free(md);
		return ex;
	}
	src->ops = &maildir_ops;
	src->data = md;
	src->total = md->n;
	xasprintf(&src->label, "maildir:%s", dir);
	return 0;
}
