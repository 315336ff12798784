/*
 * compose-text.c — a reply written in Markdown, as the two renderings of a
 * multipart/alternative: text/plain a person reads as it is (no "**", no
 * "#": emphasis is the words, a heading is underlined, a link is followed by
 * its address, a quote keeps its "> "), and text/html rendered by cmark in
 * its safe mode (raw HTML and javascript: links are left out).
 *
 * Both keep the agent's line breaks (cmark's hard breaks): she wrote them in
 * her editor, and the citizen sees the lines she saw.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <cmark.h>

#include "common.h"
#include "mail.h"

/* Deeper than this, blocks are laid out flat: an agent never nests so far. */
#define MAX_NESTING 32

static void blocks(struct strbuf *, cmark_node *parent, int depth);

static void
inlines(struct strbuf *sb, cmark_node *parent)
{
	cmark_node *n;
	const char *url, *s;
	size_t start;

	for (n = cmark_node_first_child(parent); n != NULL; n = cmark_node_next(n)) {
		switch (cmark_node_get_type(n)) {
		case CMARK_NODE_TEXT:
		case CMARK_NODE_CODE:
		case CMARK_NODE_HTML_INLINE:
			if ((s = cmark_node_get_literal(n)) != NULL)
				strbuf_puts(sb, s);
			break;
		case CMARK_NODE_SOFTBREAK:
		case CMARK_NODE_LINEBREAK:
			strbuf_addch(sb, '\n');
			break;
		case CMARK_NODE_LINK:
		case CMARK_NODE_IMAGE:
			start = sb->len;
			if (cmark_node_get_type(n) == CMARK_NODE_IMAGE)
				strbuf_addch(sb, '[');
			inlines(sb, n);
			if (cmark_node_get_type(n) == CMARK_NODE_IMAGE)
				strbuf_addch(sb, ']');
			url = cmark_node_get_url(n);
			/* An address shown as its own text is not repeated. */
			if (url != NULL && *url != '\0' &&
			    (sb->len - start != strlen(url) ||
				memcmp(sb->buf + start, url, sb->len - start) != 0) &&
			    !(strncmp(url, "mailto:", 7) == 0 &&
				sb->len - start == strlen(url + 7) &&
				memcmp(sb->buf + start, url + 7, sb->len - start) == 0))
				strbuf_printf(sb, " <%s>", url);
			break;
		default: /* emphasis, strong: their words */
			inlines(sb, n);
			break;
		}
	}
}

/* Copy text line by line, the first line after first, the others after rest. */
static void
prefixed(struct strbuf *sb, const char *text, const char *first, const char *rest)
{
	const char *p = text, *nl;
	bool at_first = true;

	while (*p != '\0' || at_first) {
		nl = strchr(p, '\n');
		strbuf_puts(sb, at_first ? first : rest);
		strbuf_add(sb, p, nl != NULL ? (size_t)(nl - p) : strlen(p));
		at_first = false;
		if (nl == NULL)
			break;
		strbuf_addch(sb, '\n');
		p = nl + 1;
	}
}

static void
heading(struct strbuf *sb, cmark_node *n)
{
	struct strbuf line;
	int i, width;

	strbuf_init(&line);
	inlines(&line, n);
	strbuf_puts(sb, line.buf ? line.buf : "");
	/* Underlined as in plain-text mail: "=" for the title, "-" below it. */
	width = text_width(line.buf ? line.buf : "");
	strbuf_addch(sb, '\n');
	for (i = 0; i < (width > 0 ? width : 1); i++)
		strbuf_addch(sb, cmark_node_get_heading_level(n) == 1 ? '=' : '-');
	strbuf_free(&line);
}

static void
list(struct strbuf *sb, cmark_node *n, int depth)
{
	cmark_node *item;
	struct strbuf body;
	char marker[24], indent[24];
	int number = cmark_node_get_list_start(n);
	bool ordered = cmark_node_get_list_type(n) == CMARK_ORDERED_LIST;
	bool tight = cmark_node_get_list_tight(n);

	for (item = cmark_node_first_child(n); item != NULL; item = cmark_node_next(item)) {
		if (ordered)
			snprintf(marker, sizeof marker, "%d. ", number++);
		else
			snprintf(marker, sizeof marker, "- ");
		memset(indent, ' ', strlen(marker));
		indent[strlen(marker)] = '\0';
		strbuf_init(&body);
		blocks(&body, item, depth + 1);
		prefixed(sb, body.buf ? body.buf : "", marker, indent);
		strbuf_free(&body);
		if (cmark_node_next(item) != NULL)
			strbuf_puts(sb, tight ? "\n" : "\n\n");
	}
}

static void
block(struct strbuf *sb, cmark_node *n, int depth)
{
	struct strbuf inner;
	const char *s;

	switch (cmark_node_get_type(n)) {
	case CMARK_NODE_PARAGRAPH:
		inlines(sb, n);
		break;
	case CMARK_NODE_HEADING:
		heading(sb, n);
		break;
	case CMARK_NODE_BLOCK_QUOTE:
		strbuf_init(&inner);
		blocks(&inner, n, depth + 1);
		prefixed(sb, inner.buf ? inner.buf : "", "> ", "> ");
		strbuf_free(&inner);
		break;
	case CMARK_NODE_LIST:
		list(sb, n, depth);
		break;
	case CMARK_NODE_CODE_BLOCK:
		strbuf_init(&inner);
		strbuf_puts(&inner, (s = cmark_node_get_literal(n)) != NULL ? s : "");
		while (inner.len > 0 && inner.buf[inner.len - 1] == '\n')
			inner.buf[--inner.len] = '\0';
		prefixed(sb, inner.buf ? inner.buf : "", "    ", "    ");
		strbuf_free(&inner);
		break;
	case CMARK_NODE_HTML_BLOCK:
		/* What she typed; the HTML rendering leaves it out. */
		strbuf_init(&inner);
		strbuf_puts(&inner, (s = cmark_node_get_literal(n)) != NULL ? s : "");
		while (inner.len > 0 && inner.buf[inner.len - 1] == '\n')
			inner.buf[--inner.len] = '\0';
		strbuf_puts(sb, inner.buf ? inner.buf : "");
		strbuf_free(&inner);
		break;
	case CMARK_NODE_THEMATIC_BREAK:
		strbuf_puts(sb, "----");
		break;
	default:
		blocks(sb, n, depth + 1);
		break;
	}
}

/* The blocks of parent, a blank line between two. */
static void
blocks(struct strbuf *sb, cmark_node *parent, int depth)
{
	cmark_node *n;
	bool first = true;

	for (n = cmark_node_first_child(parent); n != NULL; n = cmark_node_next(n)) {
		if (!first)
			strbuf_puts(sb, "\n\n");
		first = false;
		if (depth >= MAX_NESTING && cmark_node_first_child(n) != NULL &&
		    cmark_node_get_type(n) != CMARK_NODE_PARAGRAPH &&
		    cmark_node_get_type(n) != CMARK_NODE_HEADING)
			blocks(sb, n, depth);
		else
			block(sb, n, depth);
	}
}

char *
markdown_to_plain(const char *markdown)
{
	cmark_node *doc;
	struct strbuf sb;

	doc = cmark_parse_document(markdown, strlen(markdown), CMARK_OPT_VALIDATE_UTF8);
	if (doc == NULL)
		fatalx("cmark: out of memory");
	strbuf_init(&sb);
	blocks(&sb, doc, 0);
	cmark_node_free(doc);
	strbuf_addch(&sb, '\n');
	return strbuf_detach(&sb);
}

char *
markdown_to_html(const char *markdown)
{
	char *body, *html;

	/* Safe: raw HTML and unsafe links are left out (cmark's default since 0.29). */
	body = cmark_markdown_to_html(markdown, strlen(markdown),
	    CMARK_OPT_SAFE | CMARK_OPT_HARDBREAKS | CMARK_OPT_VALIDATE_UTF8);
	if (body == NULL)
		fatalx("cmark: out of memory");
	xasprintf(&html,
	    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n%s</body></html>\n",
	    body);
	free(body);
	return html;
}
