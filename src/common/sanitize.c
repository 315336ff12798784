/*
 * sanitize.c — untrusted text made safe for a terminal or a text report.
 *
 * Subjects, bodies and names come from strangers. Whatever bytes they hold, what
 * leaves here is valid UTF-8 with no control character left in it: C0 controls
 * and DEL are shown as ^X, C1 controls as <U+009B>, so that no escape sequence can
 * reach the terminal, and characters that reorder or hide text (bidi overrides,
 * zero-width joiners, every Unicode format control) are dropped, so that what the
 * agent reads is what is there.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

#define SANITIZE_TAB 8

#include "invisible.h"

/*
 * Characters that are dropped: they draw nothing but change how the text around
 * them is ordered or joined (the "Trojan Source" tricks), or hide data. The table
 * is Unicode's, generated (invisible.pl), not a list from memory.
 */
bool
text_invisible(uint32_t cp)
{
	size_t lo = 0, hi = nitems(invisible_ranges), mid;

	if (cp < invisible_ranges[0].first)
		return false;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (cp < invisible_ranges[mid].first)
			hi = mid;
		else if (cp > invisible_ranges[mid].last)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

/* Is this a line break (LF, CR, or the Unicode line and paragraph separators)? */
static bool
sanitize_is_break(uint32_t cp)
{
	return cp == '\n' || cp == '\r' || cp == 0x2028 || cp == 0x2029;
}

/* Append one character that is safe to print; returns its width in columns. */
static int
sanitize_put(struct strbuf *sb, uint32_t cp)
{
	char enc[4];

	strbuf_add(sb, enc, utf8_encode(cp, enc));
	return utf8_cpwidth(cp);
}

/* Append the visible form of a control character; returns its width. */
static int
sanitize_put_control(struct strbuf *sb, uint32_t cp)
{
	size_t before = sb->len;

	if (cp < 0x20) {
		strbuf_addch(sb, '^');
		strbuf_addch(sb, (int)(cp + 0x40));
	} else if (cp == 0x7f)
		strbuf_puts(sb, "^?");
	else
		strbuf_printf(sb, "<U+%04X>", (unsigned int)cp);
	return (int)(sb->len - before);
}

char *
sanitize_text(const char *text, int flags)
{
	struct strbuf sb;
	size_t len, i, n;
	uint32_t cp;
	unsigned int col = 0; /* only col % 8 matters: wrapping around is harmless */

	strbuf_init(&sb);
	if (text == NULL)
		return strbuf_detach(&sb);
	len = strlen(text);
	for (i = 0; i < len; i += n) {
		/* Most text is printable ASCII: copy runs of it at once. */
		for (n = 0; i + n < len && text[i + n] >= 0x20 && text[i + n] < 0x7f; n++)
			continue;
		if (n > 0) {
			strbuf_add(&sb, text + i, n);
			col += (unsigned int)n;
			continue;
		}
		n = utf8_decode(text + i, len - i, &cp);
		if (sanitize_is_break(cp)) {
			/* CR LF is one break, not two. */
			if (cp == '\r' && i + 1 < len && text[i + 1] == '\n')
				n++;
			if (flags & SANITIZE_KEEP_NEWLINES) {
				strbuf_addch(&sb, '\n');
				col = 0;
			} else {
				strbuf_addch(&sb, ' ');
				col++;
			}
		} else if (cp == '\t') {
			do {
				strbuf_addch(&sb, ' ');
				col++;
			} while (col % SANITIZE_TAB != 0);
		} else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
			col += (unsigned int)sanitize_put_control(&sb, cp);
		else if (!text_invisible(cp))
			col += (unsigned int)sanitize_put(&sb, cp);
	}
	return strbuf_detach(&sb);
}

char *
sanitize_header(const char *text)
{
	struct strbuf sb;
	size_t len, i, n;
	uint32_t cp;
	bool space = false;

	strbuf_init(&sb);
	if (text == NULL)
		return strbuf_detach(&sb);
	len = strlen(text);
	for (i = 0; i < len; i += n) {
		n = utf8_decode(text + i, len - i, &cp);
		/*
		 * Any run of white space and line breaks becomes one space, so that a
		 * folded or injected "\r\nBcc: x" can never start a header of its own.
		 */
		if (cp == ' ' || cp == '\t' || sanitize_is_break(cp)) {
			space = sb.len > 0;
			continue;
		}
		if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || text_invisible(cp))
			continue;
		if (space)
			strbuf_addch(&sb, ' ');
		space = false;
		sanitize_put(&sb, cp);
	}
	return strbuf_detach(&sb);
}

int
text_width(const char *text)
{
	size_t len, i, n;
	uint32_t cp;
	int w = 0;

	if (text == NULL)
		return 0;
	len = strlen(text);
	for (i = 0; i < len; i += n) {
		n = utf8_decode(text + i, len - i, &cp);
		w += utf8_cpwidth(cp);
	}
	return w;
}

/*
 * The text is sanitised first (a clipped line is always one line), so that clip
 * is safe to apply to anything, then cut before the first character that would
 * not leave room for the ellipsis. Combining marks (width 0) stay with their base.
 */
char *
text_clip(const char *text, int width)
{
	struct strbuf sb;
	char *clean;
	size_t len, i, n, keep = 0;
	uint32_t cp;
	int col = 0, w;

	clean = sanitize_text(text, 0);
	if (text_width(clean) <= width) {
		return clean;
	}
	strbuf_init(&sb);
	if (width <= 0) {
		free(clean);
		return strbuf_detach(&sb);
	}
	len = strlen(clean);
	for (i = 0; i < len; i += n) {
		n = utf8_decode(clean + i, len - i, &cp);
		w = utf8_cpwidth(cp);
		if (col + w > width - 1)
			break;
		col += w;
		keep = i + n;
	}
	strbuf_add(&sb, clean, keep);
	strbuf_puts(&sb, "…");
	free(clean);
	return strbuf_detach(&sb);
}
