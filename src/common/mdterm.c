/*
 * mdterm.c — Markdown (notes and replies) and plain mail text laid out for a
 * terminal: lines of styled spans, wrapped to a width measured in columns.
 *
 * cmark parses; its node iterator drives a small layout engine. Container blocks
 * (quotes, lists, items) keep a stack of line prefixes ("> ", "• ", hanging
 * indents); leaf blocks (paragraphs, headings) gather their inline text as a run
 * of characters, each with a style and a width, which is then broken into lines
 * at spaces. Every piece of text is sanitised on the way in, so nothing a
 * stranger typed can reach the terminal as a control sequence.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmark.h>

#include "common.h"

/* Deeper nesting than this is hostile or absurd: its prefixes are not drawn. */
#define MD_MAX_DEPTH 16
/* Below this many columns for the text, wrapping helps nobody: lines run long. */
#define MD_MIN_TEXT 10
#define MD_CODE_INDENT 4

/* One character of a paragraph being laid out. */
struct md_char {
	size_t off; /* into md_para.text */
	unsigned char len;
	signed char width;
	bool hard_break; /* a forced line break, not a character */
	int style;
};

struct md_para {
	struct strbuf text;
	struct md_char *chars;
	size_t n, cap;
};

/* One open container block and the prefix it puts before its lines. */
struct md_context {
	cmark_node_type type;
	char marker[32]; /* an item's "• " or "12. " */
	int marker_width;
	bool marker_used;
	int next_number; /* of a list: the next item's number */
	bool tight;
};

struct md_render {
	struct md_doc *doc;
	int width; /* <= 0: no wrapping */
	struct md_context stack[MD_MAX_DEPTH];
	int depth;	/* may exceed MD_MAX_DEPTH; only the first levels are kept */
	int list_depth; /* for the bullet shape */
	int quote_depth;
	int style; /* inline styles open now */
	struct md_para para;
	bool pending_blank;
};

static const char *const md_bullets[] = { "•", "◦", "▪" };

/* --- Building the document ----------------------------------------------- */

static struct md_line *
md_new_line(struct md_doc *doc)
{
	struct md_line *line;

	doc->lines = xreallocarray(doc->lines, doc->nlines + 1, sizeof *doc->lines);
	line = &doc->lines[doc->nlines++];
	line->spans = NULL;
	line->nspans = 0;
	line->indent = 0;
	return line;
}

/* Append text to a line, merging with the last span when the style is the same. */
static void
md_line_add(struct md_line *line, const char *text, size_t len, int style)
{
	struct md_span *last;
	size_t old;

	if (len == 0)
		return;
	if (line->nspans > 0) {
		last = &line->spans[line->nspans - 1];
		if (last->style == style) {
			old = strlen(last->text);
			last->text = xreallocarray(last->text, old + len + 1, 1);
			memcpy(last->text + old, text, len);
			last->text[old + len] = '\0';
			return;
		}
	}
	line->spans = xreallocarray(line->spans, line->nspans + 1, sizeof *line->spans);
	last = &line->spans[line->nspans++];
	last->text = xstrndup(text, len);
	last->style = style;
}

/*
 * The prefix of the next line: "> " for each quote, an item's marker on its first
 * line and as many spaces on the others. A blank line does not use up a marker.
 */
static int
md_prefix(struct md_render *r, struct md_line *line, bool blank)
{
	struct md_context *ctx;
	int i, n, col = 0;

	n = r->depth < MD_MAX_DEPTH ? r->depth : MD_MAX_DEPTH;
	for (i = 0; i < n; i++) {
		ctx = &r->stack[i];
		if (ctx->type == CMARK_NODE_BLOCK_QUOTE) {
			md_line_add(line, "> ", 2, MD_QUOTE);
			col += 2;
		} else if (ctx->type == CMARK_NODE_ITEM) {
			if (!ctx->marker_used && !blank) {
				md_line_add(line, ctx->marker, strlen(ctx->marker), MD_PLAIN);
				ctx->marker_used = true;
			} else
				md_line_add(line, "                                ",
				    (size_t)ctx->marker_width, MD_PLAIN);
			col += ctx->marker_width;
		}
	}
	return col;
}

/* Remove trailing spaces of a line (a blank line inside a quote is just ">"). */
static void
md_line_rtrim(struct md_line *line)
{
	struct md_span *last;
	size_t len;

	while (line->nspans > 0) {
		last = &line->spans[line->nspans - 1];
		len = strlen(last->text);
		while (len > 0 && last->text[len - 1] == ' ')
			last->text[--len] = '\0';
		if (len > 0)
			break;
		free(last->text);
		line->nspans--;
	}
}

static void
md_blank_line(struct md_render *r)
{
	struct md_line *line = md_new_line(r->doc);

	line->indent = md_prefix(r, line, true);
	md_line_rtrim(line);
}

/* Columns left for text once the prefix is drawn; 0 means unlimited. */
static int
md_avail(const struct md_render *r, int indent)
{
	int avail;

	if (r->width <= 0)
		return 0;
	avail = r->width - indent;
	return avail < MD_MIN_TEXT ? MD_MIN_TEXT : avail;
}

/* Before a block: the blank line that separates it from the one before. */
static void
md_begin_block(struct md_render *r)
{
	if (r->pending_blank && r->doc->nlines > 0)
		md_blank_line(r);
	r->pending_blank = false;
}

/* After a block: a blank line will separate it from the next, except in tight lists. */
static void
md_end_block(struct md_render *r)
{
	int i, n;

	n = r->depth < MD_MAX_DEPTH ? r->depth : MD_MAX_DEPTH;
	for (i = n - 1; i >= 0; i--) {
		if (r->stack[i].type == CMARK_NODE_LIST) {
			r->pending_blank = !r->stack[i].tight;
			return;
		}
	}
	r->pending_blank = true;
}

/* --- Paragraph text -------------------------------------------------------- */

static void
md_para_reset(struct md_para *p)
{
	strbuf_reset(&p->text);
	p->n = 0;
}

static struct md_char *
md_para_push(struct md_para *p)
{
	if (p->n == p->cap) {
		p->cap = p->cap != 0 ? p->cap * 2 : 256;
		p->chars = xreallocarray(p->chars, p->cap, sizeof *p->chars);
	}
	memset(&p->chars[p->n], 0, sizeof p->chars[p->n]);
	return &p->chars[p->n++];
}

/* Add untrusted text: sanitised (one line), then split into measured characters. */
static void
md_para_add(struct md_para *p, const char *text, int style)
{
	char *clean;
	struct md_char *c;
	size_t len, i, n;
	uint32_t cp;

	clean = sanitize_text(text, 0);
	len = strlen(clean);
	for (i = 0; i < len; i += n) {
		n = utf8_decode(clean + i, len - i, &cp);
		c = md_para_push(p);
		c->off = p->text.len;
		c->len = (unsigned char)n;
		c->width = (signed char)utf8_cpwidth(cp);
		c->style = style;
		strbuf_add(&p->text, clean + i, n);
	}
	free(clean);
}

static void
md_para_break(struct md_para *p)
{
	md_para_push(p)->hard_break = true;
}

static bool
md_is_space(const struct md_para *p, size_t i)
{
	return !p->chars[i].hard_break && p->text.buf[p->chars[i].off] == ' ';
}

/*
 * Emit chars [from, to) of the paragraph as one line after the prefix, one span
 * per run of characters of the same style (they are contiguous in the text).
 */
static int
md_emit(struct md_render *r, size_t from, size_t to, int extra)
{
	struct md_para *p = &r->para;
	struct md_line *line;
	size_t i, run;
	int width = 0;

	line = md_new_line(r->doc);
	line->indent = md_prefix(r, line, false);
	while (to > from && md_is_space(p, to - 1))
		to--;
	for (i = from; i < to; i = run) {
		if (p->chars[i].hard_break) {
			run = i + 1;
			continue;
		}
		width += p->chars[i].width;
		for (run = i + 1; run < to && !p->chars[run].hard_break &&
		     p->chars[run].style == p->chars[i].style;
		     run++)
			width += p->chars[run].width;
		md_line_add(line, p->text.buf + p->chars[i].off,
		    p->chars[run - 1].off + p->chars[run - 1].len - p->chars[i].off,
		    p->chars[i].style | extra);
	}
	return width;
}

static int
md_prefix_width(const struct md_render *r)
{
	int i, n, col = 0;

	n = r->depth < MD_MAX_DEPTH ? r->depth : MD_MAX_DEPTH;
	for (i = 0; i < n; i++) {
		if (r->stack[i].type == CMARK_NODE_BLOCK_QUOTE)
			col += 2;
		else if (r->stack[i].type == CMARK_NODE_ITEM)
			col += r->stack[i].marker_width;
	}
	return col;
}

/*
 * Break the paragraph into lines: greedily, at the last space that fits; a word
 * longer than a line is cut between characters (a combining mark, of width 0,
 * always stays with its base). Returns the widest line's width.
 */
static int
md_flush(struct md_render *r, int extra)
{
	struct md_para *p = &r->para;
	size_t i = 0, j, end, next, space;
	int avail, col, w, widest = 0;
	bool soft, word;

	while (i < p->n) {
		avail = md_avail(r, md_prefix_width(r));
		col = 0;
		space = SIZE_MAX;
		word = false;
		for (j = i; j < p->n && !p->chars[j].hard_break; j++) {
			if (avail > 0 && col + p->chars[j].width > avail)
				break;
			/* Leading spaces (indentation) are not a place to break. */
			if (!md_is_space(p, j))
				word = true;
			else if (word)
				space = j;
			col += p->chars[j].width;
		}
		soft = j < p->n && !p->chars[j].hard_break;
		if (!soft) {
			end = j;
			next = j + 1;
		} else if (md_is_space(p, j)) {
			end = next = j;
		} else if (space != SIZE_MAX && space > i) {
			end = space;
			next = space + 1;
		} else {
			/* One word wider than the line: cut it. */
			end = next = j > i ? j : i + 1;
		}
		w = md_emit(r, i, end, extra);
		if (w > widest)
			widest = w;
		i = next;
		/* A wrapped line does not start with the spaces it was cut at. */
		while (soft && i < p->n && md_is_space(p, i))
			i++;
	}
	md_para_reset(p);
	return widest;
}

/* --- Blocks ------------------------------------------------------------------ */

static struct md_context *
md_push(struct md_render *r, cmark_node_type type)
{
	struct md_context *ctx = NULL;

	if (r->depth < MD_MAX_DEPTH) {
		ctx = &r->stack[r->depth];
		memset(ctx, 0, sizeof *ctx);
		ctx->type = type;
	}
	r->depth++;
	return ctx;
}

static struct md_context *
md_top(struct md_render *r)
{
	if (r->depth == 0 || r->depth > MD_MAX_DEPTH)
		return NULL;
	return &r->stack[r->depth - 1];
}

static void
md_enter_list(struct md_render *r, cmark_node *node)
{
	struct md_context *ctx;

	md_begin_block(r);
	if ((ctx = md_push(r, CMARK_NODE_LIST)) != NULL) {
		ctx->next_number = cmark_node_get_list_start(node);
		ctx->tight = cmark_node_get_list_tight(node) != 0;
	}
	r->list_depth++;
}

static void
md_enter_item(struct md_render *r, cmark_node *node)
{
	struct md_context *list = md_top(r), *ctx;
	cmark_node *parent = cmark_node_parent(node);
	const char *bullet;
	int n;

	if ((ctx = md_push(r, CMARK_NODE_ITEM)) == NULL)
		return;
	if (parent != NULL && cmark_node_get_list_type(parent) == CMARK_ORDERED_LIST) {
		n = list != NULL ? list->next_number++ : 1;
		snprintf(ctx->marker, sizeof ctx->marker, "%d%c ", n,
		    cmark_node_get_list_delim(parent) == CMARK_PAREN_DELIM ? ')' : '.');
		ctx->marker_width = (int)strlen(ctx->marker);
	} else {
		bullet = md_bullets[(r->list_depth - 1) % (int)nitems(md_bullets)];
		snprintf(ctx->marker, sizeof ctx->marker, "%s ", bullet);
		ctx->marker_width = 2;
	}
}

static void
md_exit_container(struct md_render *r, cmark_node_type type)
{
	struct md_context *ctx = md_top(r);

	struct md_line *line;

	/* An empty item ("-" alone) still shows its marker. */
	if (type == CMARK_NODE_ITEM && ctx != NULL && !ctx->marker_used) {
		md_begin_block(r);
		line = md_new_line(r->doc);
		line->indent = md_prefix(r, line, false);
		md_line_rtrim(line);
	}
	r->depth--;
	if (type == CMARK_NODE_LIST) {
		r->list_depth--;
		r->pending_blank = true;
	} else if (type == CMARK_NODE_BLOCK_QUOTE) {
		r->quote_depth--;
		r->pending_blank = true;
	}
}

static void
md_code_block(struct md_render *r, const char *literal)
{
	const char *p = literal, *nl;
	struct md_line *line;
	char *raw, *clean;
	size_t n;

	md_begin_block(r);
	while (*p != '\0') {
		nl = strchr(p, '\n');
		n = nl != NULL ? (size_t)(nl - p) : strlen(p);
		raw = xstrndup(p, n);
		clean = sanitize_text(raw, 0);
		line = md_new_line(r->doc);
		line->indent = md_prefix(r, line, false) + MD_CODE_INDENT;
		md_line_add(line, "    ", MD_CODE_INDENT, r->quote_depth > 0 ? MD_QUOTE : 0);
		md_line_add(
		    line, clean, strlen(clean), MD_CODE | (r->quote_depth > 0 ? MD_QUOTE : 0));
		md_line_rtrim(line);
		free(clean);
		free(raw);
		p += n + (nl != NULL);
	}
	md_end_block(r);
}

/* Raw HTML is shown as the text it is, one source line per line. */
static void
md_html_block(struct md_render *r, const char *literal)
{
	const char *p = literal, *nl;
	char *raw;
	size_t n;

	md_begin_block(r);
	while (*p != '\0') {
		nl = strchr(p, '\n');
		n = nl != NULL ? (size_t)(nl - p) : strlen(p);
		raw = xstrndup(p, n);
		md_para_add(&r->para, raw, r->quote_depth > 0 ? MD_QUOTE : 0);
		free(raw);
		p += n + (nl != NULL);
		if (*p != '\0')
			md_para_break(&r->para);
	}
	md_flush(r, 0);
	md_end_block(r);
}

static void
md_rule(struct md_render *r, const char *piece, int count, int style)
{
	struct md_line *line;
	int i;

	line = md_new_line(r->doc);
	line->indent = md_prefix(r, line, false);
	for (i = 0; i < count; i++)
		md_line_add(line, piece, strlen(piece), style);
}

static void
md_thematic_break(struct md_render *r)
{
	int avail;

	md_begin_block(r);
	avail = md_avail(r, md_prefix_width(r));
	md_rule(r, "─", avail > 0 && avail < 72 ? avail : 72, r->quote_depth > 0 ? MD_QUOTE : 0);
	md_end_block(r);
}

/* --- Inlines ------------------------------------------------------------------ */

struct md_inline_state {
	int emph, strong, link;
};

static int
md_style(const struct md_render *r, const struct md_inline_state *st)
{
	int style = 0;

	if (st->emph > 0)
		style |= MD_EMPH;
	if (st->strong > 0)
		style |= MD_STRONG;
	if (st->link > 0)
		style |= MD_LINK;
	if (r->quote_depth > 0)
		style |= MD_QUOTE;
	return style;
}

/* The plain text of the paragraph from char start on. */
static char *
md_para_text(const struct md_para *p, size_t start)
{
	struct strbuf sb;
	size_t i;

	strbuf_init(&sb);
	for (i = start; i < p->n; i++) {
		if (!p->chars[i].hard_break)
			strbuf_add(&sb, p->text.buf + p->chars[i].off, p->chars[i].len);
	}
	return strbuf_detach(&sb);
}

/* After a link's text, its address, unless the text already is the address. */
static void
md_link_url(struct md_render *r, cmark_node *node, const struct md_inline_state *st)
{
	const char *url = cmark_node_get_url(node);
	size_t start = (size_t)(uintptr_t)cmark_node_get_user_data(node);
	char *text;
	int base = md_style(r, st) & ~MD_LINK;

	if (url == NULL || *url == '\0')
		return;
	text = md_para_text(&r->para, start);
	if (strcmp(text, url) != 0 &&
	    !(strncmp(url, "mailto:", 7) == 0 && strcmp(text, url + 7) == 0)) {
		md_para_add(&r->para, " <", base);
		md_para_add(&r->para, url, base | MD_URL);
		md_para_add(&r->para, ">", base);
	}
	free(text);
}

static void
md_inline(struct md_render *r, cmark_node *node, cmark_event_type ev, struct md_inline_state *st)
{
	int delta = ev == CMARK_EVENT_ENTER ? 1 : -1;

	switch (cmark_node_get_type(node)) {
	case CMARK_NODE_TEXT:
	case CMARK_NODE_HTML_INLINE:
		md_para_add(&r->para, cmark_node_get_literal(node), md_style(r, st));
		break;
	case CMARK_NODE_CODE:
		md_para_add(&r->para, cmark_node_get_literal(node), md_style(r, st) | MD_CODE);
		break;
	case CMARK_NODE_SOFTBREAK:
		md_para_add(&r->para, " ", md_style(r, st));
		break;
	case CMARK_NODE_LINEBREAK:
		md_para_break(&r->para);
		break;
	case CMARK_NODE_EMPH:
		st->emph += delta;
		break;
	case CMARK_NODE_STRONG:
		st->strong += delta;
		break;
	case CMARK_NODE_LINK:
		if (ev == CMARK_EVENT_ENTER) {
			cmark_node_set_user_data(node, (void *)(uintptr_t)r->para.n);
			st->link++;
		} else {
			st->link--;
			md_link_url(r, node, st);
		}
		break;
	case CMARK_NODE_IMAGE:
		if (ev == CMARK_EVENT_ENTER) {
			md_para_add(&r->para, "[", md_style(r, st));
			cmark_node_set_user_data(node, (void *)(uintptr_t)r->para.n);
			st->link++;
		} else {
			st->link--;
			md_para_add(&r->para, "]", md_style(r, st));
			md_link_url(r, node, st);
		}
		break;
	default:
		break;
	}
}

/* --- The walk ------------------------------------------------------------------ */

static void
md_heading_exit(struct md_render *r, int level)
{
	int widest;

	widest = md_flush(r, MD_HEADING);
	/* Underlined as in Setext, so that plain-text output still shows it. */
	if (level <= 2 && widest > 0)
		md_rule(r, level == 1 ? "═" : "─", widest,
		    MD_HEADING | (r->quote_depth > 0 ? MD_QUOTE : 0));
	md_end_block(r);
}

static void
md_block(struct md_render *r, cmark_node *node, cmark_event_type ev)
{
	cmark_node_type type = cmark_node_get_type(node);
	bool enter = ev == CMARK_EVENT_ENTER;

	switch (type) {
	case CMARK_NODE_BLOCK_QUOTE:
		if (enter) {
			md_begin_block(r);
			md_push(r, type);
			r->quote_depth++;
		} else
			md_exit_container(r, type);
		break;
	case CMARK_NODE_LIST:
		if (enter)
			md_enter_list(r, node);
		else
			md_exit_container(r, type);
		break;
	case CMARK_NODE_ITEM:
		if (enter)
			md_enter_item(r, node);
		else
			md_exit_container(r, type);
		break;
	case CMARK_NODE_PARAGRAPH:
	case CMARK_NODE_HEADING:
		if (enter)
			md_begin_block(r);
		else if (type == CMARK_NODE_HEADING)
			md_heading_exit(r, cmark_node_get_heading_level(node));
		else {
			md_flush(r, 0);
			md_end_block(r);
		}
		break;
	case CMARK_NODE_CODE_BLOCK:
		md_code_block(r, cmark_node_get_literal(node));
		break;
	case CMARK_NODE_HTML_BLOCK:
		md_html_block(r, cmark_node_get_literal(node));
		break;
	case CMARK_NODE_THEMATIC_BREAK:
		md_thematic_break(r);
		break;
	default:
		break;
	}
}

static void
md_render_init(struct md_render *r, int width)
{
	memset(r, 0, sizeof *r);
	r->doc = xcalloc(1, sizeof *r->doc);
	r->width = width;
	strbuf_init(&r->para.text);
}

static struct md_doc *
md_render_done(struct md_render *r)
{
	struct md_doc *doc = r->doc;

	strbuf_free(&r->para.text);
	free(r->para.chars);
	/* No blank lines at the end. */
	while (doc->nlines > 0 && doc->lines[doc->nlines - 1].nspans == 0)
		free(doc->lines[--doc->nlines].spans);
	return doc;
}

struct md_doc *
mdterm_render(const char *markdown, int width)
{
	struct md_render r;
	struct md_inline_state st = { 0, 0, 0 };
	cmark_node *root, *node;
	cmark_iter *iter;
	cmark_event_type ev;

	if (markdown == NULL)
		markdown = "";
	root = cmark_parse_document(markdown, strlen(markdown), CMARK_OPT_VALIDATE_UTF8);
	if (root == NULL)
		return mdterm_plain(markdown, width);
	md_render_init(&r, width);
	iter = cmark_iter_new(root);
	while ((ev = cmark_iter_next(iter)) != CMARK_EVENT_DONE) {
		node = cmark_iter_get_node(iter);
		switch (cmark_node_get_type(node)) {
		case CMARK_NODE_TEXT:
		case CMARK_NODE_HTML_INLINE:
		case CMARK_NODE_CODE:
		case CMARK_NODE_SOFTBREAK:
		case CMARK_NODE_LINEBREAK:
		case CMARK_NODE_EMPH:
		case CMARK_NODE_STRONG:
		case CMARK_NODE_LINK:
		case CMARK_NODE_IMAGE:
			md_inline(&r, node, ev, &st);
			break;
		default:
			md_block(&r, node, ev);
			break;
		}
	}
	cmark_iter_free(iter);
	cmark_node_free(root);
	return md_render_done(&r);
}

/*
 * Mail text: no Markdown, only wrapping. Lines keep their breaks and leading
 * spaces; a line quoted with ">" is styled as a quote.
 */
struct md_doc *
mdterm_plain(const char *text, int width)
{
	struct md_render r;
	char *clean, *p, *nl;
	int style;

	md_render_init(&r, width);
	clean = sanitize_text(text != NULL ? text : "", SANITIZE_KEEP_NEWLINES);
	for (p = clean; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) != NULL)
			*nl = '\0';
		if (*p == '\0')
			md_new_line(r.doc);
		else {
			style = *p == '>' ? MD_QUOTE : MD_PLAIN;
			md_para_add(&r.para, p, style);
			md_flush(&r, 0);
		}
		if (nl == NULL)
			break;
	}
	free(clean);
	return md_render_done(&r);
}

/* The plain text: every line ends with LF, so that it prints as it is; no lines, "". */
char *
mdterm_to_text(const struct md_doc *doc)
{
	struct strbuf sb;
	size_t i, j;

	strbuf_init(&sb);
	for (i = 0; doc != NULL && i < doc->nlines; i++) {
		for (j = 0; j < doc->lines[i].nspans; j++)
			strbuf_puts(&sb, doc->lines[i].spans[j].text);
		strbuf_addch(&sb, '\n');
	}
	return strbuf_detach(&sb);
}

void
mdterm_free(struct md_doc *doc)
{
	size_t i, j;

	if (doc == NULL)
		return;
	for (i = 0; i < doc->nlines; i++) {
		for (j = 0; j < doc->lines[i].nspans; j++)
			free(doc->lines[i].spans[j].text);
		free(doc->lines[i].spans);
	}
	free(doc->lines);
	free(doc);
}
