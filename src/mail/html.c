/*
 * html.c — HTML-only mail made into readable text: paragraphs and line breaks
 * kept, lists as "- ", quotes as "> ", links followed by their address, images
 * by their alt text, scripts, styles and comments dropped, entities decoded.
 * Not a browser: it reads tag soup left to right and never fails.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "common.h"
#include "mail.h"

struct html_state {
	struct strbuf out;
	int quote;  /* blockquote depth */
	int pre;    /* inside <pre> */
	bool space; /* a space is pending */
	bool bol;   /* at the beginning of a line */
	char *href; /* the open link's address */
	size_t link_start;
};

static const struct {
	const char *name;
	const char *utf8;
} entities[] = {
	{ "amp", "&" },
	{ "lt", "<" },
	{ "gt", ">" },
	{ "quot", "\"" },
	{ "apos", "'" },
	{ "nbsp", " " },
	{ "eacute", "é" },
	{ "egrave", "è" },
	{ "ecirc", "ê" },
	{ "euml", "ë" },
	{ "agrave", "à" },
	{ "acirc", "â" },
	{ "ccedil", "ç" },
	{ "icirc", "î" },
	{ "iuml", "ï" },
	{ "ocirc", "ô" },
	{ "ouml", "ö" },
	{ "ucirc", "û" },
	{ "ugrave", "ù" },
	{ "uuml", "ü" },
	{ "auml", "ä" },
	{ "szlig", "ß" },
	{ "Eacute", "É" },
	{ "Egrave", "È" },
	{ "Agrave", "À" },
	{ "Ccedil", "Ç" },
	{ "oelig", "œ" },
	{ "laquo", "«" },
	{ "raquo", "»" },
	{ "hellip", "…" },
	{ "mdash", "—" },
	{ "ndash", "–" },
	{ "rsquo", "’" },
	{ "lsquo", "‘" },
	{ "rdquo", "”" },
	{ "ldquo", "“" },
	{ "euro", "€" },
	{ "copy", "©" },
	{ "reg", "®" },
	{ "deg", "°" },
	{ "middot", "·" },
	{ "bull", "•" },
	{ "shy", "" },
	{ "zwnj", "" },
	{ "zwj", "" },
};

/* A code point as UTF-8 (NUL too becomes U+FFFD: a body never holds NUL). */
static void
put_utf8(struct strbuf *sb, unsigned long c)
{
	char enc[4];

	if (c == 0 || c > 0x10ffff)
		c = UTF8_REPLACEMENT;
	strbuf_add(sb, enc, utf8_encode((uint32_t)c, enc));
}

static void
begin_text(struct html_state *st)
{
	int i;

	if (st->bol) {
		for (i = 0; i < st->quote; i++)
			strbuf_puts(&st->out, "> ");
		st->bol = false;
		st->space = false;
	}
	if (st->space) {
		strbuf_addch(&st->out, ' ');
		st->space = false;
	}
}

static void
newline(struct html_state *st, int want)
{
	size_t n = 0, i;

	/* Count the line breaks already there, so blocks do not pile up blank lines. */
	for (i = st->out.len; i > 0 && st->out.buf[i - 1] == '\n'; i--)
		n++;
	if (st->out.len == 0)
		n = 2;
	while ((int)n < want) {
		strbuf_addch(&st->out, '\n');
		n++;
		st->bol = true;
	}
	st->bol = true;
	st->space = false;
}

/* An entity at p (after '&'); returns the bytes used, 0 if it is not one. */
static size_t
entity(struct html_state *st, const char *p, const char *end)
{
	const char *semi;
	char name[16];
	unsigned long c;
	size_t i, n;

	for (semi = p; semi < end && semi - p < 12 && *semi != ';'; semi++)
		;
	if (semi >= end || *semi != ';')
		return 0;
	n = semi - p;
	if (n >= 2 && p[0] == '#') {
		if (p[1] == 'x' || p[1] == 'X')
			c = strtoul(p + 2, NULL, 16);
		else
			c = strtoul(p + 1, NULL, 10);
		begin_text(st);
		if (c == 0xa0)
			c = ' ';
		if (c >= 0x20 || c == '\t')
			put_utf8(&st->out, c);
		return n + 1;
	}
	if (n == 0 || n >= sizeof name)
		return 0;
	memcpy(name, p, n);
	name[n] = '\0';
	for (i = 0; i < nitems(entities); i++) {
		if (strcmp(entities[i].name, name) == 0) {
			begin_text(st);
			strbuf_puts(&st->out, entities[i].utf8);
			return n + 1;
		}
	}
	return 0;
}

static void
text(struct html_state *st, const char *p, const char *end)
{
	size_t n;

	while (p < end) {
		if (!st->pre && isspace((unsigned char)*p)) {
			if (!st->bol)
				st->space = true;
			p++;
		} else if (st->pre && *p == '\n') {
			newline(st, 1);
			st->bol = true;
			p++;
		} else if (*p == '&' && (n = entity(st, p + 1, end)) > 0) {
			p += n + 1;
		} else {
			begin_text(st);
			if (*p != '\r')
				strbuf_addch(&st->out, *p);
			p++;
		}
	}
}

/* The value of attribute attr in the tag text [p, end), or NULL. */
static char *
attribute(const char *p, const char *end, const char *attr)
{
	size_t alen = strlen(attr);
	const char *v, *e;
	char q;

	for (; p + alen < end; p++) {
		if (strncasecmp(p, attr, alen) != 0 || !isspace((unsigned char)p[-1]))
			continue;
		v = p + alen;
		while (v < end && isspace((unsigned char)*v))
			v++;
		if (v >= end || *v != '=')
			continue;
		v++;
		while (v < end && isspace((unsigned char)*v))
			v++;
		if (v < end && (*v == '"' || *v == '\'')) {
			q = *v++;
			for (e = v; e < end && *e != q; e++)
				;
		} else {
			for (e = v; e < end && !isspace((unsigned char)*e) && *e != '>'; e++)
				;
		}
		return xstrndup(v, e - v);
	}
	return NULL;
}

/* Skip to the end of an element whose content is not text (script, style). */
static const char *
skip_element(const char *p, const char *end, const char *name)
{
	size_t n = strlen(name);

	for (; p + n + 2 < end; p++) {
		if (p[0] == '<' && p[1] == '/' && strncasecmp(p + 2, name, n) == 0)
			return p;
	}
	return end;
}

static void
link_end(struct html_state *st)
{
	const char *shown;

	if (st->href == NULL)
		return;
	shown = st->out.buf ? st->out.buf + st->link_start : "";
	if ((strncasecmp(st->href, "http", 4) == 0 || strncasecmp(st->href, "ftp", 3) == 0) &&
	    strstr(shown, st->href) == NULL) {
		begin_text(st);
		strbuf_printf(&st->out, " <%s>", st->href);
	}
	free(st->href);
	st->href = NULL;
}

static const char *
tag(struct html_state *st, const char *p, const char *end)
{
	const char *q, *name;
	char tname[16];
	char *v;
	bool closing;
	size_t n;
	char quote = 0;

	if (end - p >= 4 && strncmp(p, "<!--", 4) == 0) {
		q = p + 4;
		while (q + 3 <= end && strncmp(q, "-->", 3) != 0)
			q++;
		return q + 3 <= end ? q + 3 : end;
	}
	for (q = p + 1; q < end; q++) {
		if (quote != 0) {
			if (*q == quote)
				quote = 0;
		} else if (*q == '"' || *q == '\'')
			quote = *q;
		else if (*q == '>')
			break;
	}
	if (q >= end)
		return end;
	name = p + 1;
	closing = *name == '/';
	if (closing)
		name++;
	for (n = 0; name + n < q && n < sizeof tname - 1 && isalnum((unsigned char)name[n]); n++)
		tname[n] = tolower((unsigned char)name[n]);
	tname[n] = '\0';
	q++;

	if (!closing &&
	    (strcmp(tname, "script") == 0 || strcmp(tname, "style") == 0 ||
		strcmp(tname, "head") == 0 || strcmp(tname, "title") == 0))
		return skip_element(q, end, tname);
	if (strcmp(tname, "br") == 0)
		newline(st, 1);
	else if (strcmp(tname, "p") == 0 || strcmp(tname, "table") == 0 ||
	    (tname[0] == 'h' && tname[1] >= '1' && tname[1] <= '6' && tname[2] == '\0'))
		newline(st, 2);
	else if (strcmp(tname, "div") == 0 || strcmp(tname, "tr") == 0 ||
	    strcmp(tname, "ul") == 0 || strcmp(tname, "ol") == 0)
		newline(st, 1);
	else if (strcmp(tname, "li") == 0 && !closing) {
		newline(st, 1);
		begin_text(st);
		strbuf_puts(&st->out, "- ");
	} else if ((strcmp(tname, "td") == 0 || strcmp(tname, "th") == 0) && !closing) {
		st->space = !st->bol;
	} else if (strcmp(tname, "hr") == 0) {
		newline(st, 1);
		begin_text(st);
		strbuf_puts(&st->out, "----");
		newline(st, 1);
	} else if (strcmp(tname, "blockquote") == 0) {
		newline(st, 1);
		if (closing && st->quote > 0)
			st->quote--;
		else if (!closing && st->quote < 8)
			st->quote++;
	} else if (strcmp(tname, "pre") == 0) {
		newline(st, 1);
		st->pre = closing ? 0 : 1;
	} else if (strcmp(tname, "a") == 0) {
		if (closing)
			link_end(st);
		else {
			link_end(st);
			st->href = attribute(p, q, "href");
			st->link_start = st->out.len;
		}
	} else if (strcmp(tname, "img") == 0 && (v = attribute(p, q, "alt")) != NULL) {
		if (*v != '\0') {
			begin_text(st);
			strbuf_printf(&st->out, "[%s]", v);
		}
		free(v);
	}
	return q;
}

char *
html_to_text(const char *html, size_t len)
{
	struct html_state st;
	const char *p = html, *end = html + len, *lt;
	struct strbuf clean;
	size_t i;

	memset(&st, 0, sizeof st);
	strbuf_init(&st.out);
	st.bol = true;
	while (p < end) {
		lt = memchr(p, '<', end - p);
		if (lt == NULL)
			lt = end;
		text(&st, p, lt);
		if (lt < end && lt + 1 < end &&
		    (isalpha((unsigned char)lt[1]) || lt[1] == '/' || lt[1] == '!'))
			p = tag(&st, lt, end);
		else if (lt < end) {
			text(&st, lt, lt + 1);
			p = lt + 1;
		} else
			p = end;
	}
	link_end(&st);
	/* Trailing spaces on lines and surplus blank lines go. */
	strbuf_init(&clean);
	for (i = 0; i < st.out.len; i++) {
		char c = st.out.buf[i];

		if (c == '\n') {
			while (clean.len > 0 && clean.buf[clean.len - 1] == ' ')
				clean.len--;
			if (clean.len == 0 ||
			    (clean.len >= 2 && clean.buf[clean.len - 1] == '\n' &&
				clean.buf[clean.len - 2] == '\n'))
				continue;
		}
		strbuf_addch(&clean, c);
	}
	while (
	    clean.len > 0 && (clean.buf[clean.len - 1] == '\n' || clean.buf[clean.len - 1] == ' '))
		clean.len--;
	if (clean.buf != NULL)
		clean.buf[clean.len] = '\0';
	strbuf_free(&st.out);
	free(st.href);
	if (clean.buf == NULL)
		return xstrdup("");
	return strbuf_detach(&clean);
}
