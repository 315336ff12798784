/*
 * json.c — the one JSON string escaper, shared by guichet-mail (what it hands
 * to ingest_message) and guichet-report (--format json).
 *
 * JSON only requires escaping the quote, the backslash and C0 controls, but a
 * report is often read through `| cat` or `less -R`: DEL, C1 controls, bidi
 * controls and the other invisible format characters (the sanitiser's set) and
 * the JavaScript line separators are escaped as \uXXXX too, so that no escape
 * sequence or reordering reaches a terminal while the decoded value is exactly
 * the text the database holds. Invalid UTF-8 becomes U+FFFD: the output is
 * always valid JSON.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "common.h"

/* Must this character be written as \uXXXX rather than as itself? */
static bool
json_must_escape(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp == 0x2028 || cp == 0x2029 ||
	    text_invisible(cp);
}

static void
json_escape_cp(struct strbuf *sb, uint32_t cp)
{
	switch (cp) {
	case '\n':
		strbuf_puts(sb, "\\n");
		return;
	case '\r':
		strbuf_puts(sb, "\\r");
		return;
	case '\t':
		strbuf_puts(sb, "\\t");
		return;
	}
	if (cp >= 0x10000) {
		/* Outside the BMP: a UTF-16 surrogate pair, as JSON spells it. */
		cp -= 0x10000;
		strbuf_printf(sb, "\\u%04x\\u%04x", 0xd800 + (unsigned int)(cp >> 10),
		    0xdc00 + (unsigned int)(cp & 0x3ff));
	} else
		strbuf_printf(sb, "\\u%04x", (unsigned int)cp);
}

void
json_string(struct strbuf *sb, const char *s)
{
	size_t len, i, n;
	uint32_t cp;
	char enc[4];

	if (s == NULL) {
		strbuf_puts(sb, "null");
		return;
	}
	strbuf_addch(sb, '"');
	len = strlen(s);
	for (i = 0; i < len; i += n) {
		n = utf8_decode(s + i, len - i, &cp);
		if (cp == '"' || cp == '\\') {
			strbuf_addch(sb, '\\');
			strbuf_addch(sb, (int)cp);
		} else if (json_must_escape(cp))
			json_escape_cp(sb, cp);
		else
			strbuf_add(sb, enc, utf8_encode(cp, enc));
	}
	strbuf_addch(sb, '"');
}
