/*
 * import-plan.c — which maildir worker imports which message.
 *
 * A thread's messages must go to one worker, in delivery order: a reply
 * imported by another worker before the one holding what it answers has
 * committed would find nothing to thread on and make a ticket of its own
 * (with senders split between workers, a neighbour's reply did). A sender's
 * new requests should go to one worker too: two workers creating one contact
 * wait for each other, or deadlock, and the rate cap would count them apart.
 *
 * So the parent reads the headers of every message once, in delivery order,
 * before the workers start (plan_make): a message that answers one of the
 * run (In-Reply-To, then References, closest first) goes where that one went;
 * any other goes by its thread's key (plan_key), a new request by its sender.
 * The workers inherit the plan. A message the plan does not know (delivered
 * since, or a source read again) goes by its key alone.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "mail.h"

/* Strings to small numbers, by a 64-bit hash: a collision is as good as gone. */
struct plan_map {
	uint64_t *keys; /* 0: empty */
	unsigned char *vals;
	size_t cap, n;
};
struct import_plan {
	struct plan_map files;	/* the source's message id (its file name) */
	struct plan_map msgids; /* Message-IDs of the run */
};

static uint64_t
hash64(const char *s)
{
	uint64_t h = 14695981039346656037ull;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h != 0 ? h : 1;
}

static int
map_get(const struct plan_map *m, const char *key)
{
	uint64_t h = hash64(key);
	size_t i;

	if (m->cap == 0)
		return -1;
	for (i = h & (m->cap - 1); m->keys[i] != 0; i = (i + 1) & (m->cap - 1))
		if (m->keys[i] == h)
			return m->vals[i];
	return -1;
}

static void
map_insert(struct plan_map *m, uint64_t h, int val)
{
	size_t i;

	for (i = h & (m->cap - 1); m->keys[i] != 0 && m->keys[i] != h; i = (i + 1) & (m->cap - 1))
		;
	if (m->keys[i] == 0)
		m->n++;
	m->keys[i] = h;
	m->vals[i] = (unsigned char)val;
}

static void
map_put(struct plan_map *m, const char *key, int val)
{
	if (2 * (m->n + 1) > m->cap) {
		struct plan_map old = *m;
		size_t i;

		m->cap = old.cap != 0 ? 2 * old.cap : 1024;
		m->keys = xcalloc(m->cap, sizeof *m->keys);
		m->vals = xcalloc(m->cap, sizeof *m->vals);
		m->n = 0;
		for (i = 0; i < old.cap; i++)
			if (old.keys[i] != 0)
				map_insert(m, old.keys[i], old.vals[i]);
		free(old.keys);
		free(old.vals);
	}
	map_insert(m, hash64(key), val);
}

static void
free_ids(char **ids, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

/* The first <message-id> of a header, or NULL. */
static char *
first_msgid(const struct headers *h, const char *name)
{
	char **ids = NULL, *id = NULL;
	size_t n = 0;

	header_msgids(headers_get(h, name), &ids, &n);
	if (n > 0)
		id = xstrdup(ids[0]);
	free_ids(ids, n);
	return id;
}

/*
 * The key of a message's thread, from its headers alone: the first References
 * entry (the thread's root), else In-Reply-To, else the subject's tag, else
 * its sender (a new request), else its Message-ID. NULL when it has none.
 */
static char *
plan_key(const struct import *im, const struct headers *h)
{
	char *key, *name = NULL;
	long long tag;

	if ((key = first_msgid(h, "References")) != NULL ||
	    (key = first_msgid(h, "In-Reply-To")) != NULL)
		return key;
	if (im->o.tag_prefix != NULL &&
	    (tag = thread_tag(headers_get(h, "Subject"), im->o.tag_prefix)) > 0) {
		xasprintf(&key, "#%lld", tag);
		return key;
	}
	if (header_mailbox(headers_get(h, "From"), &key, &name) == 0) {
		free(name);
		return key;
	}
	return first_msgid(h, "Message-ID");
}

/* The worker of a message that answers one of the run's, or -1. */
static int
plan_parent(const struct import_plan *plan, const struct headers *h)
{
	char **ids = NULL;
	size_t n = 0, i;
	int p = -1;

	header_msgids(headers_get(h, "In-Reply-To"), &ids, &n);
	header_msgids(headers_get(h, "References"), &ids, &n);
	for (i = 0; i < n && p < 0; i++)
		p = map_get(&plan->msgids, ids[i]);
	free_ids(ids, n);
	return p;
}

static int
by_key(const struct import *im, const struct headers *h)
{
	char *key = plan_key(im, h);
	int p = key != NULL ? (int)(hash64(key) % (uint64_t)im->o.workers) : 0;

	free(key);
	return p;
}

int
plan_partition(const struct import *im, const struct source_msg *msg)
{
	struct headers h;
	int p;

	if (im->plan != NULL && (p = map_get(&im->plan->files, msg->id)) >= 0)
		return p;
	headers_parse(&h, msg->data, msg->len);
	p = by_key(im, &h);
	headers_free(&h);
	return p;
}

/* Read every message's headers once, in delivery order, then rewind. */
int
plan_make(struct import *im, char **cause)
{
	struct source *src = im->src;
	struct source_msg msg;
	struct headers h;
	char *id;
	size_t seen;
	int r, p;

	if (src->ops->rewind == NULL)
		return 0;
	im->plan = xcalloc(1, sizeof *im->plan);
	/* At most what the scan found: the maildir source scans again past it. */
	for (seen = 0; seen < src->total && (r = src->ops->next(src, &msg, cause)) != 0; seen++) {
		if (r < 0)
			return -1;
		headers_parse(&h, msg.data, msg.len);
		if ((p = plan_parent(im->plan, &h)) < 0)
			p = by_key(im, &h);
		map_put(&im->plan->files, msg.id, p);
		/* A copy of a message (same Message-ID) follows the first one. */
		if ((id = first_msgid(&h, "Message-ID")) != NULL &&
		    map_get(&im->plan->msgids, id) < 0)
			map_put(&im->plan->msgids, id, p);
		free(id);
		headers_free(&h);
		source_msg_free(&msg);
	}
	return src->ops->rewind(src, cause);
}

void
plan_free(struct import *im)
{
	if (im->plan == NULL)
		return;
	free(im->plan->files.keys);
	free(im->plan->files.vals);
	free(im->plan->msgids.keys);
	free(im->plan->msgids.vals);
	free(im->plan);
	im->plan = NULL;
}
