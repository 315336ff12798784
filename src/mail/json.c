/*
 * json.c — the little JSON guichet-mail writes: string escaping and keys.
 * The text is valid UTF-8 already (mime.c and header.c guarantee it).
 */
#include "config.h"

#include <stdio.h>

#include "common.h"
#include "mail.h"

void
json_string(struct strbuf *sb, const char *s)
{
	const unsigned char *p;

	if (s == NULL) {
		strbuf_puts(sb, "null");
		return;
	}
	strbuf_addch(sb, '"');
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case '"':
			strbuf_puts(sb, "\\\"");
			break;
		case '\\':
			strbuf_puts(sb, "\\\\");
			break;
		case '\n':
			strbuf_puts(sb, "\\n");
			break;
		case '\r':
			strbuf_puts(sb, "\\r");
			break;
		case '\t':
			strbuf_puts(sb, "\\t");
			break;
		default:
			if (*p < 0x20)
				strbuf_printf(sb, "\\u%04x", *p);
			else
				strbuf_addch(sb, *p);
		}
	}
	strbuf_addch(sb, '"');
}

void
json_key(struct strbuf *sb, bool *first, const char *key)
{
	if (!*first)
		strbuf_addch(sb, ',');
	*first = false;
	json_string(sb, key);
	strbuf_addch(sb, ':');
}
