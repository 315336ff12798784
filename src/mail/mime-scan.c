/*
 * mime-scan.c — the shape of a message, measured before libetpan parses it.
 *
 * libetpan builds the whole MIME tree recursively: a message nested 27,000
 * deep overflows the stack, a chain of 800 forwards took 48 s and 613 MB.
 * This scan walks the raw bytes once, line by line, with an explicit stack of
 * open multiparts, and stops as soon as the message is over a bound: nesting
 * deeper than MIME_MAX_DEPTH (a forwarded message's parts count from where it
 * sits, not from 0), more than MIME_MAX_PARTS parts in the whole message,
 * a header block over MIME_MAX_HEADER bytes. Such a message is quarantined
 * with the reason, in time and memory linear in its size, and never reaches
 * libetpan. The bounds are Postfix's and Dovecot's (mime_nesting_limit 100;
 * 10,000 MIME parts), and a header block ten times what Postfix keeps.
 *
 * The scan follows RFC 2046 as leniently as mime.c reads mail: a boundary
 * line closes every part opened inside the multipart it belongs to, a part
 * without a Content-Type in a multipart/digest is a message, and a line that
 * merely starts like a boundary of a longer one does not match.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common.h"
#include "mail.h"

/* A boundary is 70 characters at most (RFC 2046 5.1.1); some senders go beyond. */
#define MAX_BOUNDARY 200

struct open_multipart {
	char boundary[MAX_BOUNDARY + 1];
	size_t blen;
	int child_level; /* the level of its parts */
	bool digest;	 /* multipart/digest: parts are messages by default */
};

struct scan_state {
	const char *p, *end;
	struct open_multipart stack[MIME_MAX_DEPTH + 1];
	int n;
	struct mime_shape *shape;
	char **cause;
};

/* What a header block says about the entity it starts. */
struct entity {
	bool multipart, message, digest;
	char boundary[MAX_BOUNDARY + 1];
};

/* The line at p: its length without the line end, and where the next begins. */
static size_t
line_len(const char *p, const char *end, const char **next)
{
	const char *nl = memchr(p, '\n', end - p);
	size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);

	*next = nl != NULL ? nl + 1 : end;
	if (n > 0 && p[n - 1] == '\r')
		n--;
	return n;
}

/* The boundary parameter of a Content-Type value, quoted or not. */
static void
boundary_of(const char *v, size_t len, char *out)
{
	const char *p, *end = v + len, *s;
	size_t n;

	out[0] = '\0';
	for (p = v; p + 9 <= end; p++) {
		if (strncasecmp(p, "boundary", 8) != 0 || (p > v && isalnum((unsigned char)p[-1])))
			continue;
		s = p + 8;
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		if (s >= end || *s != '=')
			continue;
		s++;
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		if (s < end && *s == '"') {
			s++;
			for (n = 0; s + n < end && s[n] != '"'; n++)
				;
		} else {
			for (n = 0; s + n < end && !strchr(" \t;\"", s[n]); n++)
				;
		}
		if (n > 0 && n <= MAX_BOUNDARY) {
			memcpy(out, s, n);
			out[n] = '\0';
		}
		return;
	}
}

/* Read a Content-Type value (unfolded in place of the scan, not copied). */
static void
content_type(const char *v, size_t len, struct entity *e)
{
	while (len > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		len--;
	}
	if (len >= 10 && strncasecmp(v, "multipart/", 10) == 0) {
		boundary_of(v, len, e->boundary);
		/* libetpan reads a multipart without a boundary as one text part. */
		e->multipart = e->boundary[0] != '\0';
		e->digest = len >= 16 && strncasecmp(v + 10, "digest", 6) == 0;
		e->message = false;
	} else {
		e->multipart = false;
		e->message = (len >= 14 && strncasecmp(v, "message/rfc822", 14) == 0) ||
		    (len >= 14 && strncasecmp(v, "message/global", 14) == 0 &&
			(len == 14 || v[14] == ';' || v[14] == ' '));
	}
}

/*
 * The header block at st->p, up to and past its blank line. Only
 * Content-Type matters here; its folded lines are read where they are.
 * -1 when the block is over MIME_MAX_HEADER.
 */
static int
header_block(struct scan_state *st, struct entity *e, bool default_message)
{
	const char *start = st->p, *next, *ct = NULL, *ct_end = NULL;
	size_t n;
	struct strbuf value;

	memset(e, 0, sizeof *e);
	e->message = default_message;
	while (st->p < st->end) {
		n = line_len(st->p, st->end, &next);
		if ((size_t)(next - start) > MIME_MAX_HEADER) {
			xasprintf(
			    st->cause, _("a header block of more than %d bytes"), MIME_MAX_HEADER);
			return -1;
		}
		if (n == 0) {
			st->p = next;
			break;
		}
		if (ct != NULL && ct_end == NULL && st->p[0] != ' ' && st->p[0] != '\t')
			ct_end = st->p;
		if (n >= 13 && strncasecmp(st->p, "Content-Type:", 13) == 0) {
			ct = st->p + 13;
			ct_end = NULL;
		}
		st->p = next;
	}
	if (ct != NULL) {
		if (ct_end == NULL)
			ct_end = st->p;
		/* Unfolded into a copy: the block is small, bounded just above. */
		strbuf_init(&value);
		for (; ct < ct_end; ct++) {
			if (*ct != '\r' && *ct != '\n')
				strbuf_addch(&value, *ct);
		}
		content_type(value.buf ? value.buf : "", value.len, e);
		strbuf_free(&value);
	}
	return 0;
}

static int
too_deep(struct scan_state *st, int level)
{
	if (level > st->shape->depth)
		st->shape->depth = level;
	if (level <= MIME_MAX_DEPTH)
		return 0;
	xasprintf(st->cause, _("MIME parts nested more than %d deep"), MIME_MAX_DEPTH);
	return -1;
}

/*
 * An entity begins at st->p at level: its header block, then, while it is a
 * message, the header block of the message inside (a chain of forwards is
 * read here, one level each); a multipart is pushed for the line scan.
 */
static int
entity(struct scan_state *st, int level, bool default_message)
{
	struct entity e;
	struct open_multipart *om;

	for (;;) {
		if (too_deep(st, level) != 0)
			return -1;
		if (++st->shape->parts > MIME_MAX_PARTS) {
			xasprintf(st->cause, _("more than %d MIME parts"), MIME_MAX_PARTS);
			return -1;
		}
		if (header_block(st, &e, default_message) != 0)
			return -1;
		default_message = false;
		if (e.multipart) {
			om = &st->stack[st->n++];
			om->blen = strlen(e.boundary);
			memcpy(om->boundary, e.boundary, om->blen + 1);
			om->child_level = level + 1;
			om->digest = e.digest;
			/* Its parts are one level down: checked before the stack can fill. */
			return too_deep(st, level + 1);
		}
		if (!e.message)
			return 0;
		level++;
	}
}

/*
 * The open multipart whose boundary the line at p (n bytes, starting "--")
 * is, innermost first; *close is set for "--boundary--". -1 when none.
 */
static int
boundary_line(const struct scan_state *st, const char *p, size_t n, bool *close)
{
	const struct open_multipart *om;
	const char *rest;
	int i;

	for (i = st->n - 1; i >= 0; i--) {
		om = &st->stack[i];
		if (n < 2 + om->blen || memcmp(p + 2, om->boundary, om->blen) != 0)
			continue;
		rest = p + 2 + om->blen;
		*close = (size_t)(rest - p) + 2 <= n && rest[0] == '-' && rest[1] == '-';
		if (*close)
			rest += 2;
		/* Only blanks may follow: "--b" does not match "--b2". */
		while (rest < p + n && (*rest == ' ' || *rest == '\t'))
			rest++;
		if (rest == p + n)
			return i;
	}
	return -1;
}

int
mime_scan(const char *msg, size_t len, bool headers_only, struct mime_shape *shape, char **cause)
{
	struct scan_state st;
	const char *next;
	size_t n;
	bool close;
	int i;

	memset(shape, 0, sizeof *shape);
	memset(&st, 0, sizeof st);
	st.p = msg;
	st.end = msg + len;
	st.shape = shape;
	st.cause = cause;
	/* An mbox separator left in front is not a header (as headers_parse). */
	if (len > 5 && memcmp(msg, "From ", 5) == 0)
		line_len(st.p, st.end, &st.p);
	if (headers_only) {
		struct entity e;

		return header_block(&st, &e, false);
	}
	/* The message is level 0; what its header block announces is level 1. */
	if (entity(&st, 1, false) != 0)
		return -1;
	while (st.p < st.end) {
		n = line_len(st.p, st.end, &next);
		if (st.n == 0 || n < 2 || st.p[0] != '-' || st.p[1] != '-' ||
		    (i = boundary_line(&st, st.p, n, &close)) < 0) {
			st.p = next;
			continue;
		}
		st.p = next;
		/* Parts left open inside it end with it. */
		st.n = i + 1;
		if (close) {
			st.n = i;
			continue;
		}
		if (entity(&st, st.stack[i].child_level, st.stack[i].digest) != 0)
			return -1;
	}
	return 0;
}
