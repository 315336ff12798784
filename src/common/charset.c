/*
 * charset.c — any text to UTF-8. Mail says what charset it is in and is often
 * wrong: "us-ascii" or "iso-8859-1" labels hide windows-1252 (the euro sign and
 * curly quotes in 0x80..0x9f) or plain UTF-8, "gb2312" hides GBK, "shift_jis"
 * hides Microsoft's CP932, and some labels name nothing at all. This follows the
 * declared charset first, then falls back; it never fails and never loses a byte
 * silently: whatever cannot be decoded becomes U+FFFD and *lossy is set.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

/*
 * windows-1252's 0x80..0x9f. The five holes map to the C1 code points, as the
 * WHATWG encoding standard does, so that decoding never fails (the sanitiser
 * shows them as <U+0081>).
 */
static const uint16_t cp1252_high[32] = { 0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020,
	0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f, 0x0090, 0x2018,
	0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153,
	0x009d, 0x017e, 0x0178 };

enum charset_kind {
	CHARSET_UTF8,
	CHARSET_WESTERN, /* us-ascii, iso-8859-1, windows-1252: all read as 1252 */
	CHARSET_ICONV,
};

/*
 * Labels whose real-world content is a superset of what they name (as in the
 * WHATWG encoding standard, which browsers follow for the same reasons).
 */
static const struct {
	const char *label;
	enum charset_kind kind;
	const char *iconv_name;
} charset_aliases[] = {
	{ "utf-8", CHARSET_UTF8, NULL },
	{ "utf8", CHARSET_UTF8, NULL },
	{ "unicode-1-1-utf-8", CHARSET_UTF8, NULL },
	{ "x-unicode20utf8", CHARSET_UTF8, NULL },
	{ "us-ascii", CHARSET_WESTERN, NULL },
	{ "ascii", CHARSET_WESTERN, NULL },
	{ "ansi_x3.4-1968", CHARSET_WESTERN, NULL },
	{ "iso646-us", CHARSET_WESTERN, NULL },
	{ "us", CHARSET_WESTERN, NULL },
	{ "iso-8859-1", CHARSET_WESTERN, NULL },
	{ "iso8859-1", CHARSET_WESTERN, NULL },
	{ "iso_8859-1", CHARSET_WESTERN, NULL },
	{ "iso_8859-1:1987", CHARSET_WESTERN, NULL },
	{ "latin1", CHARSET_WESTERN, NULL },
	{ "latin-1", CHARSET_WESTERN, NULL },
	{ "l1", CHARSET_WESTERN, NULL },
	{ "cp819", CHARSET_WESTERN, NULL },
	{ "ibm819", CHARSET_WESTERN, NULL },
	{ "csisolatin1", CHARSET_WESTERN, NULL },
	{ "windows-1252", CHARSET_WESTERN, NULL },
	{ "cp1252", CHARSET_WESTERN, NULL },
	{ "x-cp1252", CHARSET_WESTERN, NULL },
	{ "gb2312", CHARSET_ICONV, "GB18030" },
	{ "gbk", CHARSET_ICONV, "GB18030" },
	{ "x-gbk", CHARSET_ICONV, "GB18030" },
	{ "cp936", CHARSET_ICONV, "GB18030" },
	{ "euc-cn", CHARSET_ICONV, "GB18030" },
	{ "csgb2312", CHARSET_ICONV, "GB18030" },
	{ "shift_jis", CHARSET_ICONV, "CP932" },
	{ "shift-jis", CHARSET_ICONV, "CP932" },
	{ "sjis", CHARSET_ICONV, "CP932" },
	{ "x-sjis", CHARSET_ICONV, "CP932" },
	{ "ms_kanji", CHARSET_ICONV, "CP932" },
	{ "csshiftjis", CHARSET_ICONV, "CP932" },
	{ "euc-kr", CHARSET_ICONV, "CP949" },
	{ "ks_c_5601-1987", CHARSET_ICONV, "CP949" },
	{ "ks_c_5601", CHARSET_ICONV, "CP949" },
	{ "big5", CHARSET_ICONV, "BIG5-HKSCS" },
	{ "x-x-big5", CHARSET_ICONV, "BIG5-HKSCS" },
	{ "cn-big5", CHARSET_ICONV, "BIG5-HKSCS" },
	{ "iso-8859-8-i", CHARSET_ICONV, "ISO-8859-8" },
	{ "iso-8859-9", CHARSET_ICONV, "CP1254" },
	{ "latin5", CHARSET_ICONV, "CP1254" },
	{ "tis-620", CHARSET_ICONV, "CP874" },
	{ "iso-8859-11", CHARSET_ICONV, "CP874" },
	{ "x-mac-roman", CHARSET_ICONV, "MACINTOSH" },
	{ "mac", CHARSET_ICONV, "MACINTOSH" },
};

bool
utf8_valid(const char *s, size_t len)
{
	size_t i, n;
	uint32_t cp;

	for (i = 0; i < len; i += n) {
		n = utf8_decode(s + i, len - i, &cp);
		/* U+FFFD itself is valid; the decoder's U+FFFD for bad bytes is not. */
		if (cp == UTF8_REPLACEMENT && (n != 3 || memcmp(s + i, "\xef\xbf\xbd", 3) != 0))
			return false;
	}
	return true;
}

static bool
charset_is_ascii(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] >= 0x80)
			return false;
	}
	return true;
}

/*
 * Copy UTF-8 to sb, replacing each invalid sequence (maximal subpart) and each
 * NUL byte (it would end the C string) by U+FFFD.
 */
static void
charset_repair_utf8(struct strbuf *sb, const char *s, size_t len, bool *lossy)
{
	size_t i, n, start = 0;
	uint32_t cp;

	for (i = 0; i < len; i += n) {
		n = utf8_decode(s + i, len - i, &cp);
		if (s[i] != '\0' &&
		    (cp != UTF8_REPLACEMENT || (n == 3 && memcmp(s + i, "\xef\xbf\xbd", 3) == 0)))
			continue;
		strbuf_add(sb, s + start, i - start);
		strbuf_puts(sb, "\xef\xbf\xbd");
		*lossy = true;
		start = i + n;
	}
	strbuf_add(sb, s + start, len - start);
}

static void
charset_from_cp1252(struct strbuf *sb, const char *s, size_t len, bool *lossy)
{
	size_t i;
	unsigned char c;
	uint32_t cp;
	char enc[4];

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == 0) {
			strbuf_puts(sb, "\xef\xbf\xbd");
			*lossy = true;
			continue;
		}
		if (c < 0x80) {
			strbuf_addch(sb, c);
			continue;
		}
		cp = c < 0xa0 ? cp1252_high[c - 0x80] : c;
		strbuf_add(sb, enc, utf8_encode(cp, enc));
	}
}

/* Make room for at least need more bytes in the iconv output buffer. */
static void
charset_room(char **buf, size_t *cap, size_t used, size_t need)
{
	if (*cap - used >= need)
		return;
	*cap = *cap * 2 + need;
	*buf = xreallocarray(*buf, *cap, 1);
}

/*
 * Convert with iconv; an invalid byte becomes U+FFFD and decoding resumes after
 * it. Returns false (sb untouched) when iconv does not know the charset.
 */
static bool
charset_iconv(struct strbuf *sb, const char *s, size_t len, const char *name, bool *lossy)
{
	iconv_t cd;
	char *in = (char *)s, *buf, *op;
	size_t inleft = len, outleft, cap, used = 0;

	if ((cd = iconv_open("UTF-8", name)) == (iconv_t)-1)
		return false;
	cap = len * 2 + 16;
	buf = xmalloc(cap);
	while (inleft > 0) {
		op = buf + used;
		outleft = cap - used;
		if (iconv(cd, &in, &inleft, &op, &outleft) != (size_t)-1) {
			used = (size_t)(op - buf);
			continue;
		}
		used = (size_t)(op - buf);
		if (errno == E2BIG) {
			charset_room(&buf, &cap, used, inleft * 4 + 16);
			continue;
		}
		/* EILSEQ: skip one byte; EINVAL: a character cut off at the end. */
		charset_room(&buf, &cap, used, 3);
		memcpy(buf + used, "\xef\xbf\xbd", 3);
		used += 3;
		*lossy = true;
		if (errno == EINVAL)
			break;
		in++;
		inleft--;
		iconv(cd, NULL, NULL, NULL, NULL);
	}
	/* A stateful encoding may have a last shift to write. */
	charset_room(&buf, &cap, used, 16);
	op = buf + used;
	outleft = cap - used;
	if (iconv(cd, NULL, NULL, &op, &outleft) != (size_t)-1)
		used = (size_t)(op - buf);
	iconv_close(cd);
	charset_repair_utf8(sb, buf, used, lossy);
	free(buf);
	return true;
}

static bool
charset_label_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    strchr("-_.:()+", c) != NULL;
}

/* Lower-case the label and strip quotes and white space around it. */
static char *
charset_normalise(const char *charset)
{
	char *name, *p;
	size_t len;

	while (*charset == ' ' || *charset == '\t' || *charset == '"' || *charset == '\'')
		charset++;
	name = xstrdup(charset);
	len = strlen(name);
	while (len > 0 && strchr(" \t\"'", name[len - 1]) != NULL)
		name[--len] = '\0';
	for (p = name; *p != '\0'; p++) {
		/*
		 * A label is a stranger's text handed to iconv_open: anything but a
		 * plain name (a "/" would ask for //TRANSLIT or worse) makes it unknown.
		 */
		if (!charset_label_char(*p) || p - name >= 40) {
			*name = '\0';
			break;
		}
		*p = (char)tolower((unsigned char)*p);
	}
	return name;
}

char *
charset_to_utf8(const char *in, size_t len, const char *charset, bool *lossy)
{
	struct strbuf sb;
	enum charset_kind kind = CHARSET_ICONV;
	const char *iconv_name;
	char *name;
	size_t i;
	bool dummy;

	if (lossy == NULL)
		lossy = &dummy;
	*lossy = false;
	strbuf_init(&sb);
	if (in == NULL)
		return strbuf_detach(&sb);
	name = charset_normalise(charset != NULL ? charset : "");
	iconv_name = name;
	for (i = 0; i < nitems(charset_aliases); i++) {
		if (strcmp(name, charset_aliases[i].label) == 0) {
			kind = charset_aliases[i].kind;
			if (charset_aliases[i].iconv_name != NULL)
				iconv_name = charset_aliases[i].iconv_name;
			break;
		}
	}

	switch (kind) {
	case CHARSET_UTF8:
		charset_repair_utf8(&sb, in, len, lossy);
		break;
	case CHARSET_WESTERN:
		/*
		 * UTF-8 labelled as ASCII or latin-1 is common; latin-1 text that
		 * happens to be valid UTF-8 with non-ASCII in it is not (it would need
		 * sequences like "Ã©"), so valid UTF-8 wins.
		 */
		if (utf8_valid(in, len))
			charset_repair_utf8(&sb, in, len, lossy);
		else
			charset_from_cp1252(&sb, in, len, lossy);
		break;
	case CHARSET_ICONV:
		if (*iconv_name != '\0' && charset_iconv(&sb, in, len, iconv_name, lossy)) {
			/* A label that is a lie: the bytes are UTF-8 after all. */
			if (*lossy && utf8_valid(in, len)) {
				strbuf_reset(&sb);
				charset_repair_utf8(&sb, in, len, lossy);
			}
			break;
		}
		/* Unknown or missing label: UTF-8 if it is, else windows-1252. */
		if (utf8_valid(in, len))
			charset_repair_utf8(&sb, in, len, lossy);
		else {
			charset_from_cp1252(&sb, in, len, lossy);
			if (!charset_is_ascii(in, len))
				*lossy = true;
		}
		break;
	}
	free(name);
	return strbuf_detach(&sb);
}
