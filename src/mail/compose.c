/*
 * compose.c — an outbox row as a MIME message a citizen's client reads right:
 *
 * - headers folded under 78 characters where a fold is possible (between
 *   words, between encoded words), never past 998; CR, LF and controls
 *   stripped first, so no value can start a header of its own;
 * - non-ASCII text in RFC 2047 encoded words, whole UTF-8 characters each;
 *   in address headers only the display name is encoded, the address stays
 *   outside the encoded word (RFC 2047 5); an internationalised address
 *   (RFC 6532) is written as it is when the relay takes SMTPUTF8, and
 *   refused with a clear error otherwise;
 * - a Markdown reply as multipart/alternative, text/plain and text/html
 *   (compose-text.c), both UTF-8 in quoted-printable;
 * - attachments in base64, their names as RFC 2231 parameters (continued
 *   over lines when long);
 * - Message-ID, In-Reply-To and References, so that the reply threads in the
 *   citizen's client, and Auto-Submitted on an acknowledgement (RFC 3834).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "mail.h"

#define FOLD 78	      /* RFC 5322 2.1.1: lines of 78 characters at most, where possible */
#define WORD_MAX 75   /* RFC 2047 2: an encoded word is 75 characters at most */
#define WORD_EXTRA 12 /* "=?UTF-8?B?" and "?=" */

/* A header being written: where its current line stands. */
struct header_line {
	struct strbuf *sb;
	size_t col;
	bool empty; /* nothing after the colon yet */
};

static void
line_begin(struct header_line *h, struct strbuf *sb, const char *name)
{
	h->sb = sb;
	strbuf_printf(sb, "%s:", name);
	h->col = strlen(name) + 1;
	h->empty = true;
}

/*
 * A token, after a space unless it is the first: the space becomes a fold
 * when the token would pass column 78 (a token longer than a line stays
 * whole: RFC 5322 allows 998).
 */
static void
line_token(struct header_line *h, const char *s, size_t n)
{
	if (!h->empty && h->col + 1 + n > FOLD) {
		strbuf_puts(h->sb, "\r\n ");
		h->col = 1;
	} else {
		strbuf_addch(h->sb, ' ');
		h->col++;
	}
	strbuf_add(h->sb, s, n);
	h->col += n;
	h->empty = false;
}

static void
line_end(struct header_line *h)
{
	strbuf_puts(h->sb, "\r\n");
}

static bool
ascii(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] >= 0x80)
			return false;
	}
	return true;
}

/*
 * Text as B-encoded words, as many whole UTF-8 characters in each as fit on
 * the line (a fold before a word that would not fit even alone).
 */
static void
encoded_words(struct header_line *h, const char *s, size_t len)
{
	struct strbuf word;
	size_t i = 0, room, n;

	strbuf_init(&word);
	while (i < len) {
		room = FOLD - h->col - 1;
		if (h->empty ? room < WORD_EXTRA + 8 : room < WORD_EXTRA + 16)
			room = FOLD - 1; /* the word goes on a line of its own */
		if (room > WORD_MAX)
			room = WORD_MAX;
		n = (room - WORD_EXTRA) / 4 * 3;
		if (n > len - i)
			n = len - i;
		while (n > 1 && i + n < len && ((unsigned char)s[i + n] & 0xc0) == 0x80)
			n--;
		strbuf_reset(&word);
		strbuf_puts(&word, "=?UTF-8?B?");
		base64_encode(&word, (const unsigned char *)s + i, n);
		strbuf_puts(&word, "?=");
		line_token(h, word.buf, word.len);
		i += n;
	}
	strbuf_free(&word);
}

/* A word that cannot stand as it is in an unstructured header. */
static bool
needs_encoding(const char *w, size_t n)
{
	return !ascii(w, n) || n > FOLD - 2 || (n >= 2 && memmem(w, n, "=?", 2) != NULL);
}

/*
 * An unstructured header (Subject): plain words as they are, each run of
 * words that need it in encoded words (the spaces inside a run encoded with
 * it: white space between two encoded words is not text).
 */
static void
header_text(struct strbuf *sb, const char *name, const char *value)
{
	struct header_line h;
	char *clean = sanitize_header(value != NULL ? value : "");
	const char *p = clean, *w, *run;
	size_t n;

	line_begin(&h, sb, name);
	while (*p != '\0') {
		w = p;
		n = strcspn(w, " ");
		if (!needs_encoding(w, n)) {
			line_token(&h, w, n);
			p = w + n + (w[n] == ' ');
			continue;
		}
		/* The run goes on while the next word needs encoding too. */
		run = w;
		for (;;) {
			p = w + n;
			if (*p != ' ')
				break;
			w = p + 1;
			n = strcspn(w, " ");
			if (!needs_encoding(w, n))
				break; /* not part of the run: p stays on the space before it */
		}
		encoded_words(&h, run, p - run);
		p += *p == ' ';
	}
	line_end(&h);
	free(clean);
}

/* n bytes of atext (RFC 5322 3.2.3): an atom, no quotes needed. */
static bool
atom(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
			(s[i] >= '0' && s[i] <= '9') || strchr("!#$%&'*+-/=?^_`{|}~", s[i])))
			return false;
	}
	return n > 0;
}

static void
quoted(struct header_line *h, const char *s, size_t n)
{
	struct strbuf tok;
	size_t i;

	strbuf_init(&tok);
	strbuf_addch(&tok, '"');
	for (i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\')
			strbuf_addch(&tok, '\\');
		strbuf_addch(&tok, s[i]);
	}
	strbuf_addch(&tok, '"');
	line_token(h, tok.buf, tok.len);
	strbuf_free(&tok);
}

/*
 * A display name (RFC 5322 phrase). All ASCII: atoms, or one quoted string
 * ("Dupont, Jean"). Else word by word: atoms, quoted words, and each run of
 * words that need it in encoded words (RFC 2047 5), never two encoded runs
 * side by side: the white space between two encoded words is not text for
 * a conforming reader, and is for Python's, so no name relies on either.
 */
/* Words of atext between single spaces: a phrase that needs no quotes. */
static bool
atoms(const char *s)
{
	size_t n;

	for (;;) {
		n = strcspn(s, " ");
		if (!atom(s, n))
			return false;
		if (s[n] == '\0')
			return true;
		s += n + 1;
	}
}

static void
phrase(struct header_line *h, const char *name)
{
	const char *p, *run;
	size_t n, all = strlen(name);

	if (ascii(name, all) && strstr(name, "=?") == NULL && !atoms(name)) {
		quoted(h, name, all);
		return;
	}
	for (p = name; *p != '\0';) {
		n = strcspn(p, " ");
		if (n > 0 && (!ascii(p, n) || memmem(p, n, "=?", 2) != NULL)) {
			/* The run: this word and the next ones that need encoding. */
			for (run = p; p[n] == ' ';) {
				size_t k = strcspn(p + n + 1, " ");

				if (k == 0 ||
				    (ascii(p + n + 1, k) && memmem(p + n + 1, k, "=?", 2) == NULL))
					break;
				n += 1 + k;
			}
			encoded_words(h, run, n);
		} else if (atom(p, n))
			line_token(h, p, n);
		else if (n > 0)
			quoted(h, p, n);
		p += n;
		p += *p == ' ';
	}
}

/* One mailbox: the name, then the address. */
static void
mailbox(struct header_line *h, const char *name, const char *addr, bool comma)
{
	struct strbuf tok;

	strbuf_init(&tok);
	if (name != NULL && *name != '\0') {
		phrase(h, name);
		strbuf_printf(&tok, "<%s>", addr);
	} else
		strbuf_puts(&tok, addr);
	if (comma)
		strbuf_addch(&tok, ',');
	line_token(h, tok.buf, tok.len);
	strbuf_free(&tok);
}

/* The pieces of an address list, split where a comma is outside quotes, <> and (). */
static size_t
split_list(const char *value, char ***pieces)
{
	const char *p, *start;
	bool quoted = false, angle = false;
	int depth = 0;
	size_t n = 0;

	*pieces = NULL;
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
		*pieces = xreallocarray(*pieces, n + 1, sizeof **pieces);
		(*pieces)[n++] = xstrndup(start, p - start);
		if (*p == '\0')
			break;
		start = p + 1;
	}
	return n;
}

/*
 * An address header. -1 (and *cause) when an address is not ASCII and the
 * relay does not take SMTPUTF8: such a message cannot be delivered.
 */
static int
header_addresses_out(
    struct strbuf *sb, const char *hname, const char *value, bool smtputf8, char **cause)
{
	struct header_line h;
	char **pieces, *clean, *addr, *name;
	size_t n, i, shown = 0, count = 0;
	int rc = 0;

	if (value == NULL || *value == '\0')
		return 0;
	clean = sanitize_header(value);
	n = split_list(clean, &pieces);
	for (i = 0; i < n; i++) {
		if (header_mailbox(pieces[i], &addr, &name) == 0) {
			count++;
			free(addr);
			free(name);
		}
	}
	if (count > 0)
		line_begin(&h, sb, hname);
	for (i = 0; i < n; i++) {
		if (header_mailbox(pieces[i], &addr, &name) != 0)
			continue;
		if (!ascii(addr, strlen(addr)) && !smtputf8 && rc == 0) {
			xasprintf(cause,
			    _("%s: an internationalised address needs SMTPUTF8, which the relay "
			      "does not offer (mail.smtputf8)"),
			    addr);
			rc = -1;
		}
		mailbox(&h, name, addr, ++shown < count);
		free(addr);
		free(name);
	}
	if (count > 0)
		line_end(&h);
	for (i = 0; i < n; i++)
		free(pieces[i]);
	free(pieces);
	free(clean);
	return rc;
}

static void
header_plain(struct strbuf *sb, const char *name, const char *value)
{
	char *clean;

	if (value == NULL || *value == '\0')
		return;
	clean = sanitize_header(value);
	strbuf_printf(sb, "%s: %s\r\n", name, clean);
	free(clean);
}

/* A PostgreSQL text[] literal's elements, folded between ids ("{a,"b c"}"). */
static void
header_refs(struct strbuf *sb, const char *refs)
{
	struct strbuf ids;
	struct header_line h;
	const char *p;
	bool quoted = false;
	size_t n;

	if (refs == NULL || refs[0] != '{' || refs[1] == '}')
		return;
	strbuf_init(&ids);
	for (p = refs + 1; *p != '\0' && !(*p == '}' && !quoted); p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == '\\' && p[1] != '\0')
			strbuf_addch(&ids, *++p);
		else if (*p == ',' && !quoted)
			strbuf_addch(&ids, ' ');
		else if ((unsigned char)*p >= 0x20)
			strbuf_addch(&ids, *p);
	}
	line_begin(&h, sb, "References");
	for (p = ids.buf; p != NULL && *p != '\0'; p += n) {
		while (*p == ' ')
			p++;
		if ((n = strcspn(p, " ")) == 0)
			break;
		line_token(&h, p, n);
	}
	line_end(&h);
	strbuf_free(&ids);
}

/* Quoted-printable, lines of at most 76 characters, CR LF line ends. */
static void
body_qp(struct strbuf *sb, const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	int col = 0;

	for (; *p != '\0'; p++) {
		bool bol = col == 0;
		bool eol = p[1] == '\n' || p[1] == '\0' || (p[1] == '\r' && p[2] == '\n');
		char enc[4];

		if (*p == '\r' && p[1] == '\n')
			continue;
		if (*p == '\n') {
			strbuf_puts(sb, "\r\n");
			col = 0;
			continue;
		}
		if (*p == '=' || *p >= 0x80 || (*p < 0x20 && *p != '\t') || *p == 0x7f ||
		    ((*p == ' ' || *p == '\t') && eol) || (bol && *p == '.') ||
		    (bol && *p == 'F' && strncmp((const char *)p, "From ", 5) == 0))
			snprintf(enc, sizeof enc, "=%02X", *p);
		else {
			enc[0] = *p;
			enc[1] = '\0';
		}
		if (col + strlen(enc) > 75) {
			strbuf_puts(sb, "=\r\n");
			col = 0;
		}
		strbuf_puts(sb, enc);
		col += strlen(enc);
	}
	if (col > 0)
		strbuf_puts(sb, "\r\n");
}

static void
date_header(struct strbuf *sb)
{
	static const char *days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
		"Sep", "Oct", "Nov", "Dec" };
	char buf[64];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	/* RFC 5322 names, whatever the locale. */
	strftime(buf, sizeof buf, "%H:%M:%S %z", &tm);
	strbuf_printf(sb, "Date: %s, %02d %s %d %s\r\n", days[tm.tm_wday], tm.tm_mday,
	    months[tm.tm_mon], tm.tm_year + 1900, buf);
}

static void
text_part(struct strbuf *sb, const char *type, const char *text)
{
	strbuf_printf(sb,
	    "Content-Type: %s; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
	    type);
	body_qp(sb, text);
}

/* The reply's text: Markdown as plain and HTML alternatives, or plain text. */
static void
body_parts(struct strbuf *sb, const struct outgoing *out, const char *boundary)
{
	const char *body = out->body != NULL ? out->body : "";
	char *plain, *html;

	if (out->plain_text) {
		text_part(sb, "text/plain", body);
		return;
	}
	plain = markdown_to_plain(body);
	html = markdown_to_html(body);
	strbuf_printf(sb, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n", boundary);
	strbuf_printf(sb, "--%s\r\n", boundary);
	text_part(sb, "text/plain", plain);
	strbuf_printf(sb, "--%s\r\n", boundary);
	text_part(sb, "text/html", html);
	strbuf_printf(sb, "--%s--\r\n", boundary);
	free(plain);
	free(html);
}

char *
compose_message(const struct outgoing *out, size_t *len, char **cause)
{
	struct strbuf sb;
	char outer[80], inner[80];
	size_t i;
	int rc = 0;

	/* "=_" is in no quoted-printable or base64 line: no part can hold it. */
	snprintf(outer, sizeof outer, "=_guichet_%lld_%ld_m", out->ticket, (long)time(NULL));
	snprintf(inner, sizeof inner, "=_guichet_%lld_%ld_a", out->ticket, (long)time(NULL));
	strbuf_init(&sb);
	if (out->from_name != NULL && *out->from_name != '\0') {
		struct header_line h;

		line_begin(&h, &sb, "From");
		mailbox(&h, out->from_name, out->from, false);
		line_end(&h);
	} else
		rc |= header_addresses_out(&sb, "From", out->from, out->smtputf8, cause);
	if (rc == 0)
		rc |= header_addresses_out(&sb, "To", out->to, out->smtputf8, cause);
	if (rc == 0)
		rc |= header_addresses_out(&sb, "Cc", out->cc, out->smtputf8, cause);
	if (rc != 0) {
		strbuf_free(&sb);
		return NULL;
	}
	header_text(&sb, "Subject", out->subject);
	date_header(&sb);
	header_plain(&sb, "Message-ID", out->message_id);
	header_plain(&sb, "In-Reply-To", out->in_reply_to);
	header_refs(&sb, out->refs);
	strbuf_printf(&sb, "X-Guichet-Ticket: %lld\r\n", out->ticket);
	if (out->auto_submitted)
		strbuf_puts(&sb, "Auto-Submitted: auto-replied\r\n");
	strbuf_puts(&sb, "MIME-Version: 1.0\r\n");
	if (out->nattachments == 0)
		body_parts(&sb, out, inner);
	else {
		strbuf_printf(&sb, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n", outer);
		strbuf_printf(&sb, "--%s\r\n", outer);
		body_parts(&sb, out, inner);
		for (i = 0; i < out->nattachments; i++)
			compose_attachment(&sb, outer, &out->attachments[i]);
		strbuf_printf(&sb, "--%s--\r\n", outer);
	}
	*len = sb.len;
	return strbuf_detach(&sb);
}

/* A file name that can be a plain quoted parameter (no RFC 2231 needed). */
static bool
plain_filename(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 60)
		return false;
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f || *s == '"' ||
		    *s == '\\')
			return false;
	}
	return true;
}

/* RFC 2231 percent-encoding of one byte: attribute-char stays as it is. */
static void
pct(struct strbuf *sb, unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    c == '.' || c == '-' || c == '_')
		strbuf_addch(sb, c);
	else
		strbuf_printf(sb, "%%%02X", c);
}

/*
 * name (a parameter of Content-Type or Content-Disposition): "plan.pdf" as
 * it is, else RFC 2231, continued over lines (name*0*=UTF-8''…; name*1*=…)
 * so that no line passes 78, each piece ending between characters.
 */
static void
param_2231(struct strbuf *sb, const char *param, const char *value)
{
	struct strbuf piece;
	const unsigned char *p = (const unsigned char *)value;
	size_t i = 0, len = strlen(value), k, n;
	int part = 0;

	if (plain_filename(value)) {
		strbuf_printf(sb, ";\r\n %s=\"%s\"", param, value);
		return;
	}
	strbuf_init(&piece);
	for (k = 0; k < len; k++)
		pct(&piece, p[k]);
	if (piece.len <= 48) {
		/* It fits on one line: not continued. */
		strbuf_printf(sb, ";\r\n %s*=UTF-8''%s", param, piece.buf);
		strbuf_free(&piece);
		return;
	}
	while (i < len) {
		strbuf_reset(&piece);
		/* One character at a time, whole: up to about 60 encoded bytes a line. */
		while (i < len && piece.len < 48) {
			n = 1;
			while (i + n < len && (p[i + n] & 0xc0) == 0x80)
				n++;
			for (k = 0; k < n; k++)
				pct(&piece, p[i + k]);
			i += n;
		}
		strbuf_printf(
		    sb, ";\r\n %s*%d*=%s%s", param, part, part == 0 ? "UTF-8''" : "", piece.buf);
		part++;
	}
	strbuf_free(&piece);
}

/* A media type as type/subtype of token characters, else application/octet-stream. */
static char *
media_type(const char *type)
{
	char *clean = sanitize_header(type != NULL ? type : "");
	const char *p, *slash = strchr(clean, '/');

	for (p = clean; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			(*p >= '0' && *p <= '9') || strchr("!#$&^_.+-/", *p)))
			break;
	}
	if (slash == NULL || slash == clean || slash[1] == '\0' || *p != '\0' ||
	    strchr(slash + 1, '/') != NULL) {
		free(clean);
		return xstrdup("application/octet-stream");
	}
	return clean;
}

/* One attachment part: its name as an RFC 2231 parameter, its content in base64. */
void
compose_attachment(struct strbuf *sb, const char *boundary, const struct mail_attachment *a)
{
	const unsigned char *p = (const unsigned char *)a->data;
	char *type = media_type(a->content_type), *name;
	size_t i;

	name = sanitize_header(a->filename != NULL && *a->filename != '\0' ? a->filename : "file");
	strbuf_printf(sb, "--%s\r\nContent-Type: %s", boundary, type);
	param_2231(sb, "name", name);
	strbuf_puts(sb, "\r\nContent-Disposition: attachment");
	param_2231(sb, "filename", name);
	strbuf_puts(sb, "\r\nContent-Transfer-Encoding: base64\r\n\r\n");
	for (i = 0; i < a->size; i += 57) {
		base64_encode(sb, p + i, a->size - i < 57 ? a->size - i : 57);
		strbuf_puts(sb, "\r\n");
	}
	free(type);
	free(name);
}
