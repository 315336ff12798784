/*
 * util-strbuf.c — a growable byte string that is always NUL-terminated, so that
 * its buffer can be handed to any C string function at any moment.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

/*
 * An empty strbuf points at this instead of NULL, so that sb.buf is a valid
 * string even before anything was added; cap 0 says it is not ours to free.
 */
static char strbuf_empty[1];

void
strbuf_init(struct strbuf *sb)
{
	sb->buf = strbuf_empty;
	sb->len = 0;
	sb->cap = 0;
}

/* Make room for n more bytes plus the terminating NUL. */
static void
strbuf_grow(struct strbuf *sb, size_t n)
{
	size_t need, cap;

	if (n > SIZE_MAX - sb->len - 1)
		fatalx("strbuf_grow: %zu + %zu bytes overflows", sb->len, n);
	need = sb->len + n + 1;
	if (need <= sb->cap)
		return;
	cap = sb->cap != 0 ? sb->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	sb->buf = xreallocarray(sb->cap != 0 ? sb->buf : NULL, cap, 1);
	sb->cap = cap;
}

void
strbuf_add(struct strbuf *sb, const char *p, size_t n)
{
	strbuf_grow(sb, n);
	if (n != 0)
		memcpy(sb->buf + sb->len, p, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void
strbuf_puts(struct strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

void
strbuf_addch(struct strbuf *sb, int ch)
{
	char c = (char)ch;

	strbuf_add(sb, &c, 1);
}

void
strbuf_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	/* Try in the room we have; on overflow grow exactly once and retry. */
	strbuf_grow(sb, 0);
	va_start(ap, fmt);
	n = vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatalx("strbuf_printf: bad format \"%s\"", fmt);
	if ((size_t)n >= sb->cap - sb->len) {
		strbuf_grow(sb, (size_t)n);
		va_start(ap, fmt);
		n = vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			fatalx("strbuf_printf: bad format \"%s\"", fmt);
	}
	sb->len += (size_t)n;
}

void
strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->cap != 0)
		sb->buf[0] = '\0';
}

char *
strbuf_detach(struct strbuf *sb)
{
	char *p;

	if (sb->cap == 0)
		p = xstrdup("");
	else
		p = sb->buf;
	strbuf_init(sb);
	return p;
}

void
strbuf_free(struct strbuf *sb)
{
	if (sb->cap != 0)
		free(sb->buf);
	strbuf_init(sb);
}
