/*
 * utf8.c — decoding and encoding UTF-8 and measuring characters in terminal
 * columns. Every piece of libguichet that walks text goes through here, so that
 * there is one place deciding what valid UTF-8 is.
 */
#include "config.h"

#include <locale.h>
#include <stdint.h>
#include <string.h>
#include <wchar.h>

#include "common.h"

/*
 * Strict decoding (RFC 3629): no overlong forms, no surrogates, nothing above
 * U+10FFFF. An overlong form is how "\xc0\x9b" would smuggle ESC past a filter
 * that only looks for 0x1b, so it must never decode to anything but U+FFFD.
 */
size_t
utf8_decode(const char *str, size_t len, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char lo = 0x80, hi = 0xbf;
	uint32_t c;
	size_t need, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		need = 1;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 2;
		c = s[0] & 0x0f;
		if (s[0] == 0xe0)
			lo = 0xa0; /* overlong below U+0800 */
		else if (s[0] == 0xed)
			hi = 0x9f; /* surrogates U+D800..DFFF */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 3;
		c = s[0] & 0x07;
		if (s[0] == 0xf0)
			lo = 0x90; /* overlong below U+10000 */
		else if (s[0] == 0xf4)
			hi = 0x8f; /* above U+10FFFF */
	} else {
		/* A stray continuation byte, C0, C1 or F5..FF: never valid. */
		*cp = UTF8_REPLACEMENT;
		return 1;
	}
	for (i = 1; i <= need; i++) {
		if (i >= len || s[i] < lo || s[i] > hi) {
			/* The maximal valid subpart becomes one U+FFFD. */
			*cp = UTF8_REPLACEMENT;
			return i;
		}
		c = (c << 6) | (s[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	*cp = c;
	return need + 1;
}

size_t
utf8_encode(uint32_t cp, char out[4])
{
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = UTF8_REPLACEMENT;
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * wcwidth depends on LC_CTYPE: in the C locale every non-ASCII character is -1.
 * Widths must not change with the caller's locale (reports run from cron), so
 * they are measured in C.UTF-8, which glibc always has.
 */
static locale_t
utf8_locale(void)
{
	static locale_t loc;
	static int tried;

	if (!tried) {
		tried = 1;
		loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
		if (loc == (locale_t)0)
			loc = newlocale(LC_CTYPE_MASK, "en_US.UTF-8", (locale_t)0);
	}
	return loc;
}

int
utf8_cpwidth(uint32_t cp)
{
	locale_t loc, old;
	int w;

	/* Most text is ASCII: no locale switch for it. */
	if (cp < 0x80)
		return cp >= 0x20 && cp != 0x7f ? 1 : 0;
	if (cp < 0xa0)
		return 0;
	if ((loc = utf8_locale()) != (locale_t)0) {
		old = uselocale(loc);
		w = wcwidth((wchar_t)cp);
		uselocale(old);
	} else
		w = wcwidth((wchar_t)cp);
	/* Unassigned (newer than the C library): terminals draw one cell. */
	return w < 0 ? 1 : w;
}
