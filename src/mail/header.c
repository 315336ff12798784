/*
 * header.c — the header block of a message: split, unfold, decode.
 *
 * Mail from the wild breaks every rule, so this is deliberately lenient:
 * bare LF line ends, raw 8-bit bytes in any header (taken as UTF-8 when valid,
 * else windows-1252), encoded words glued to text or split in the middle of a
 * character, unquoted display names with commas, Message-IDs without brackets.
 *
 * Mail from the wild is also hostile: every scan here is linear in the header
 * (a subject of a million "=?" costs a million steps, not a million squared),
 * and a NUL or another control byte becomes a space, so that it can neither
 * end a C string early (losing the sender's address after it) nor glue two
 * words together; a space because header values are tokens, and a space
 * still separates them where U+FFFD would make an address unreadable.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "common.h"
#include "mail.h"

/* References can be huge; the most recent ones are the ones that thread. */
#define MAX_MSGIDS 64

/* C0 controls but the tab, and DEL: never part of a header value. */
static bool
control_byte(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

/* Control bytes in s[0..len) become spaces (see the head of this file). */
static void
blank_controls(char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (control_byte((unsigned char)s[i]))
			s[i] = ' ';
	}
}

static void
blank_nuls(char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '\0')
			s[i] = ' ';
	}
}

static void
headers_add(struct headers *h, const char *name, size_t nlen, struct strbuf *value)
{
	struct header *hd;

	if (h->n >= MAX_HEADERS) {
		/* Counted, so that the article can say some were left out. */
		h->dropped++;
		strbuf_free(value);
		return;
	}
	h->list = xreallocarray(h->list, h->n + 1, sizeof *h->list);
	hd = &h->list[h->n++];
	hd->name = xstrndup(name, nlen);
	blank_controls(hd->name, nlen);
	blank_controls(value->buf, value->len);
	hd->value = strbuf_detach(value);
}

/* Length of the line at p (without its end) and where the next one starts. */
static size_t
line_at(const char *p, const char *end, const char **next)
{
	const char *nl = memchr(p, '\n', end - p);
	size_t n;

	if (nl == NULL) {
		*next = end;
		n = end - p;
	} else {
		*next = nl + 1;
		n = nl - p;
	}
	if (n > 0 && p[n - 1] == '\r')
		n--;
	return n;
}

size_t
headers_parse(struct headers *h, const char *msg, size_t len)
{
	const char *p = msg, *end = msg + len, *next, *colon;
	const char *name = NULL;
	size_t n, nlen = 0;
	struct strbuf value;

	h->list = NULL;
	h->n = 0;
	h->dropped = 0;
	strbuf_init(&value);
	/* An mbox separator left in front of the message is not a header. */
	if (len > 5 && memcmp(p, "From ", 5) == 0)
		line_at(p, end, &p);
	while (p < end) {
		n = line_at(p, end, &next);
		if (n == 0) {
			p = next;
			break;
		}
		if ((*p == ' ' || *p == '\t') && name != NULL) {
			/* Unfolding: the line break goes, the white space stays. */
			strbuf_add(&value, p, n);
		} else if ((colon = memchr(p, ':', n)) != NULL && colon > p) {
			if (name != NULL)
				headers_add(h, name, nlen, &value);
			strbuf_init(&value);
			name = p;
			nlen = colon - p;
			while (nlen > 0 && (name[nlen - 1] == ' ' || name[nlen - 1] == '\t'))
				nlen--;
			colon++;
			while (colon < p + n && (*colon == ' ' || *colon == '\t'))
				colon++;
			strbuf_add(&value, colon, p + n - colon);
		} else if (name == NULL) {
			/* Not a header at all: the message has no header block. */
			strbuf_free(&value);
			return 0;
		}
		/* Else a stray line in the headers (a broken folding): skipped. */
		p = next;
	}
	if (name != NULL)
		headers_add(h, name, nlen, &value);
	else
		strbuf_free(&value);
	return p - msg;
}

void
headers_free(struct headers *h)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		free(h->list[i].name);
		free(h->list[i].value);
	}
	free(h->list);
	h->list = NULL;
	h->n = 0;
}

const char *
headers_get(const struct headers *h, const char *name)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		if (strcasecmp(h->list[i].name, name) == 0)
			return h->list[i].value;
	}
	return NULL;
}

/* Base64 that skips what is not in the alphabet and ignores missing padding. */
static void
decode_b(struct strbuf *out, const char *in, size_t len)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned int acc = 0;
	int bits = 0;
	const char *pos;
	size_t i;

	for (i = 0; i < len; i++) {
		if (in[i] == '=' || in[i] == '\0')
			break;
		if ((pos = strchr(alphabet, in[i])) == NULL)
			continue;
		acc = (acc << 6) | (unsigned int)(pos - alphabet);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			strbuf_addch(out, (acc >> bits) & 0xff);
		}
	}
}

static void
decode_q(struct strbuf *out, const char *in, size_t len)
{
	size_t i;
	int hi, lo;

	for (i = 0; i < len; i++) {
		if (in[i] == '_')
			strbuf_addch(out, ' ');
		else if (in[i] == '=' && i + 2 < len && (hi = hex_digit(in[i + 1])) >= 0 &&
		    (lo = hex_digit(in[i + 2])) >= 0) {
			strbuf_addch(out, hi * 16 + lo);
			i += 2;
		} else
			strbuf_addch(out, in[i]);
	}
}

/* Raw header bytes: UTF-8 when valid, else the usual western guess. */
static void
add_raw(struct strbuf *out, const char *p, size_t n, bool *lossy)
{
	char *s;
	bool l = false;

	if (utf8_valid(p, n)) {
		strbuf_add(out, p, n);
		return;
	}
	s = charset_to_utf8(p, n, "windows-1252", &l);
	strbuf_puts(out, s);
	free(s);
	if (l)
		*lossy = true;
}

/*
 * Where the search for the end of an encoded word last failed: the text from
 * its word's first byte of encoded text to that point holds no "?=", and it
 * ends at a blank or the end of the value (no encoded word spans either).
 */
struct scan {
	const char *no_end_before;
};

/*
 * One encoded word at p ("=?cs?E?text?="): its decoded bytes go into bytes (in
 * charset cs). Returns its length or 0 when p is not one. Linear over a whole
 * value: the charset is short, and a later word starting inside text already
 * searched in vain for "?=" fails without searching again (any later word's
 * text begins at or after this one's).
 */
static size_t
encoded_word(const char *p, char *cs, size_t cssize, struct strbuf *bytes, struct scan *sc)
{
	const char *q1, *text, *e;
	size_t n;

	if (p[0] != '=' || p[1] != '?')
		return 0;
	for (q1 = p + 2; *q1 != '\0' && *q1 != '?' && (size_t)(q1 - (p + 2)) < cssize; q1++) {
		if (*q1 == ' ' || *q1 == '\t')
			return 0;
	}
	n = q1 - (p + 2);
	if (*q1 != '?' || n == 0 || n >= cssize || q1[1] == '\0' || q1[2] != '?')
		return 0;
	text = q1 + 3;
	if (text < sc->no_end_before)
		return 0;
	for (e = text; *e != '\0' && *e != ' ' && *e != '\t'; e++) {
		if (e[0] == '?' && e[1] == '=')
			break;
	}
	if (e[0] != '?') {
		sc->no_end_before = e;
		return 0;
	}
	memcpy(cs, p + 2, n);
	cs[n] = '\0';
	/* RFC 2231 allows a language: "utf-8*fr". */
	if ((q1 = strchr(cs, '*')) != NULL)
		cs[q1 - cs] = '\0';
	if (text[-2] == 'B' || text[-2] == 'b')
		decode_b(bytes, text, e - text);
	else if (text[-2] == 'Q' || text[-2] == 'q')
		decode_q(bytes, text, e - text);
	else
		return 0;
	return e + 2 - p;
}

/* Charsets where a NUL byte is only a NUL: not UTF-16 or UTF-32 (or UCS-2/4). */
static bool
byte_charset(const char *cs)
{
	return strncasecmp(cs, "utf-16", 6) != 0 && strncasecmp(cs, "utf-32", 6) != 0 &&
	    strncasecmp(cs, "ucs-", 4) != 0 && strncasecmp(cs, "utf16", 5) != 0 &&
	    strncasecmp(cs, "utf32", 5) != 0;
}

/*
 * charset_to_utf8 starts by clearing its flag: each call gets its own, and
 * what one guessed is not forgotten by the next.
 */
static char *
to_utf8(const char *bytes, size_t len, const char *cs, bool *lossy)
{
	bool guessed = false;
	char *s = charset_to_utf8(bytes, len, cs, &guessed);

	if (guessed)
		*lossy = true;
	blank_controls(s, strlen(s));
	return s;
}

static void
flush_word(struct strbuf *out, struct strbuf *bytes, const char *cs, bool *lossy)
{
	char *s;

	if (bytes->len == 0)
		return;
	/*
	 * An encoded NUL ("=00") would end the converted string early; other
	 * controls wait for the conversion (ISO-2022-JP's ESC is text).
	 */
	if (byte_charset(cs))
		blank_nuls(bytes->buf, bytes->len);
	s = to_utf8(bytes->buf, bytes->len, cs, lossy);
	strbuf_puts(out, s);
	free(s);
	strbuf_reset(bytes);
}

char *
header_decode(const char *value, bool *lossy)
{
	struct strbuf out, bytes, word;
	struct scan sc = { NULL };
	char cs[64], pending_cs[64] = "";
	const char *p = value, *raw = value, *ws;
	size_t n;

	strbuf_init(&out);
	strbuf_init(&bytes);
	strbuf_init(&word);
	while (*p != '\0') {
		if (p[0] == '=' && p[1] == '?' &&
		    (n = encoded_word(p, cs, sizeof cs, &word, &sc)) > 0) {
			/* White space between two encoded words is not text. */
			ws = raw;
			while (ws < p && (*ws == ' ' || *ws == '\t'))
				ws++;
			if (ws < p || pending_cs[0] == '\0') {
				flush_word(&out, &bytes, pending_cs, lossy);
				add_raw(&out, raw, p - raw, lossy);
			}
			/*
			 * Adjacent words in one charset are joined before conversion:
			 * a multibyte character may be split across them.
			 */
			if (strcasecmp(cs, pending_cs) != 0)
				flush_word(&out, &bytes, pending_cs, lossy);
			strbuf_add(&bytes, word.buf, word.len);
			strbuf_reset(&word);
			memcpy(pending_cs, cs, sizeof cs);
			p += n;
			raw = p;
			continue;
		}
		strbuf_reset(&word);
		if (*p != ' ' && *p != '\t' && bytes.len > 0) {
			flush_word(&out, &bytes, pending_cs, lossy);
			pending_cs[0] = '\0';
		} else if (*p != ' ' && *p != '\t')
			pending_cs[0] = '\0';
		p++;
	}
	flush_word(&out, &bytes, pending_cs, lossy);
	add_raw(&out, raw, p - raw, lossy);
	strbuf_free(&bytes);
	strbuf_free(&word);
	return strbuf_detach(&out);
}

char *
header_decode_2231(const char *value, bool *lossy)
{
	const char *q1, *q2, *p;
	char cs[64] = "us-ascii";
	struct strbuf bytes;
	char *s;
	int hi, lo;

	q1 = strchr(value, '\'');
	q2 = q1 ? strchr(q1 + 1, '\'') : NULL;
	if (q1 == NULL || q2 == NULL)
		return header_decode(value, lossy);
	if ((size_t)(q1 - value) < sizeof cs && q1 > value) {
		memcpy(cs, value, q1 - value);
		cs[q1 - value] = '\0';
	}
	strbuf_init(&bytes);
	for (p = q2 + 1; *p != '\0'; p++) {
		if (*p == '%' && (hi = hex_digit(p[1])) >= 0 && (lo = hex_digit(p[2])) >= 0) {
			strbuf_addch(&bytes, hi * 16 + lo);
			p += 2;
		} else
			strbuf_addch(&bytes, *p);
	}
	if (byte_charset(cs))
		blank_nuls(bytes.buf, bytes.len);
	s = to_utf8(bytes.buf, bytes.len, cs, lossy);
	strbuf_free(&bytes);
	return s;
}

static char *
trim_copy(const char *p, size_t n)
{
	while (n > 0 && isspace((unsigned char)*p)) {
		p++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)p[n - 1]))
		n--;
	return xstrndup(p, n);
}

static void
lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = tolower((unsigned char)*s);
}

/* A display name: quotes and backslashes undone, encoded words decoded. */
static char *
display_name(const char *p, size_t n)
{
	struct strbuf sb;
	char *t, *d;
	bool lossy = false;
	size_t i;

	strbuf_init(&sb);
	for (i = 0; i < n; i++) {
		if (p[i] == '"')
			continue;
		if (p[i] == '\\' && i + 1 < n)
			i++;
		strbuf_addch(&sb, p[i]);
	}
	t = trim_copy(sb.buf, sb.len);
	strbuf_free(&sb);
	d = header_decode(t, &lossy);
	free(t);
	return d;
}

int
header_mailbox(const char *value, char **addr, char **name)
{
	const char *lt, *gt, *at, *s, *e, *p;
	bool quoted = false;

	*addr = *name = NULL;
	if (value == NULL)
		return -1;
	lt = NULL;
	for (p = value; *p != '\0'; p++) {
		if (*p == '"' && (p == value || p[-1] != '\\'))
			quoted = !quoted;
		else if (*p == '<' && !quoted) {
			lt = p;
			break;
		}
	}
	if (lt != NULL && (gt = strchr(lt, '>')) != NULL && memchr(lt, '@', gt - lt)) {
		*addr = trim_copy(lt + 1, gt - lt - 1);
		*name = display_name(value, lt - value);
	} else {
		if ((at = strchr(value, '@')) == NULL)
			return -1;
		for (s = at; s > value && !strchr(" \t<>(),;:\"", s[-1]); s--)
			;
		for (e = at; *e != '\0' && !strchr(" \t<>(),;:\"", *e); e++)
			;
		*addr = xstrndup(s, e - s);
		if ((s = strchr(value, '(')) != NULL && (e = strchr(s, ')')) != NULL)
			*name = display_name(s + 1, e - s - 1);
		else
			*name = xstrdup("");
	}
	lower(*addr);
	if (strchr(*addr, '@') == NULL || (*addr)[0] == '@' || strchr(*addr, ' ')) {
		free(*addr);
		free(*name);
		*addr = *name = NULL;
		return -1;
	}
	return 0;
}

size_t
header_addresses(const char *value, char ***list, size_t *n)
{
	const char *p, *start;
	int depth = 0;
	bool quoted = false, angle = false;
	char *piece, *addr, *name, *colon;
	size_t dropped = 0;

	if (value == NULL)
		return 0;
	for (start = p = value;; p++) {
		if (*p == '"' && (p == value || p[-1] != '\\'))
			quoted = !quoted;
		else if (!quoted && *p == '(')
			depth++;
		else if (!quoted && *p == ')' && depth > 0)
			depth--;
		else if (!quoted && *p == '<')
			angle = true;
		else if (!quoted && *p == '>')
			angle = false;
		if (*p != '\0' && (quoted || depth > 0 || angle || (*p != ',' && *p != ';')))
			continue;
		piece = xstrndup(start, p - start);
		/* A group "Team: a@x, b@y;" names its members after the colon. */
		colon = strchr(piece, ':');
		if (colon != NULL && strchr(piece, '"') == NULL &&
		    (strchr(piece, '@') == NULL || colon < strchr(piece, '@')))
			memmove(piece, colon + 1, strlen(colon + 1) + 1);
		if (header_mailbox(piece, &addr, &name) == 0) {
			if (*n < MAX_ADDRESSES) {
				*list = xreallocarray(*list, *n + 1, sizeof **list);
				(*list)[(*n)++] = addr;
			} else {
				free(addr);
				dropped++;
			}
			free(name);
		}
		free(piece);
		if (*p == '\0')
			break;
		start = p + 1;
	}
	return dropped;
}

void
header_msgids(const char *value, char ***list, size_t *n)
{
	const char *p, *gt;
	char *id, *d, *s;
	size_t i;

	if (value == NULL)
		return;
	for (p = value; (p = strchr(p, '<')) != NULL; p = gt + 1) {
		if ((gt = strchr(p, '>')) == NULL)
			break;
		id = xstrndup(p + 1, gt - p - 1);
		for (s = d = id; *s != '\0'; s++) {
			if (!isspace((unsigned char)*s))
				*d++ = *s;
		}
		*d = '\0';
		if (*id == '\0') {
			free(id);
			continue;
		}
		/* Stored as written in headers, brackets included (the database's form). */
		d = id;
		xasprintf(&id, "<%s>", d);
		free(d);
		if (*n == MAX_MSGIDS) {
			/* Keep the newest: drop the oldest. */
			free((*list)[0]);
			memmove(*list, *list + 1, (*n - 1) * sizeof **list);
			(*n)--;
		}
		*list = xreallocarray(*list, *n + 1, sizeof **list);
		(*list)[(*n)++] = id;
	}
	if (*n == 0 && strchr(value, '@') != NULL && strchr(value, '<') == NULL) {
		/* A bare id without brackets, as some broken clients write. */
		id = trim_copy(value, strlen(value));
		for (i = 0; id[i] != '\0' && !isspace((unsigned char)id[i]); i++)
			;
		id[i] = '\0';
		d = id;
		xasprintf(&id, "<%s>", d);
		free(d);
		*list = xreallocarray(*list, 1, sizeof **list);
		(*list)[(*n)++] = id;
	}
}
