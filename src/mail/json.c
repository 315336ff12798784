/*
 * json.c — the little JSON guichet-mail writes: keys. Strings are escaped by
 * json_string() of libguichet (src/common/json.c), shared with guichet-report.
 */
#include "config.h"

#include <stdio.h>

#include "common.h"
#include "mail.h"

void
json_key(struct strbuf *sb, bool *first, const char *key)
{
	if (!*first)
		strbuf_addch(sb, ',');
	*first = false;
	json_string(sb, key);
	strbuf_addch(sb, ':');
}
