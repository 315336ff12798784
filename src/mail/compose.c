/*
 * compose.c — an outbox row as a proper MIME message: UTF-8 text in
 * quoted-printable, RFC 2047 words in headers that need them, attachments in
 * base64, and the headers that let the citizen's client thread the reply
 * (Message-ID, In-Reply-To, References) and recognise an acknowledgement
 * (Auto-Submitted). Header values are stripped of CR and LF first.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "mail.h"

static bool
needs_encoding(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s >= 0x80 || (unsigned char)*s < 0x20)
			return true;
	}
	return false;
}

/* Whole UTF-8 characters per encoded word, 45 bytes at most (60 in base64). */
static void
header_words(struct strbuf *sb, const char *name, const char *value)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *clean = sanitize_header(value);
	const unsigned char *p = (const unsigned char *)clean;
	size_t len = strlen(clean), i, n, k;
	bool first = true;

	strbuf_printf(sb, "%s: ", name);
	if (!needs_encoding(clean)) {
		strbuf_puts(sb, clean);
		strbuf_puts(sb, "\r\n");
		free(clean);
		return;
	}
	for (i = 0; i < len; i += n) {
		n = len - i > 45 ? 45 : len - i;
		while (i + n < len && (p[i + n] & 0xc0) == 0x80)
			n--;
		if (!first)
			strbuf_puts(sb, "\r\n ");
		first = false;
		strbuf_puts(sb, "=?UTF-8?B?");
		for (k = 0; k < n; k += 3) {
			unsigned int v = p[i + k] << 16;

			if (k + 1 < n)
				v |= p[i + k + 1] << 8;
			if (k + 2 < n)
				v |= p[i + k + 2];
			strbuf_addch(sb, b64[(v >> 18) & 63]);
			strbuf_addch(sb, b64[(v >> 12) & 63]);
			strbuf_addch(sb, k + 1 < n ? b64[(v >> 6) & 63] : '=');
			strbuf_addch(sb, k + 2 < n ? b64[v & 63] : '=');
		}
		strbuf_puts(sb, "?=");
	}
	strbuf_puts(sb, "\r\n");
	free(clean);
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

/* Address headers: encoded words would break the addresses, so only sanitised. */
static void
header_address(struct strbuf *sb, const char *name, const char *value)
{
	if (value != NULL && needs_encoding(value))
		header_words(sb, name, value);
	else
		header_plain(sb, name, value);
}

/* A PostgreSQL text[] literal's elements, space separated ("{a,"b c"}"). */
static void
header_refs(struct strbuf *sb, const char *refs)
{
	struct strbuf ids;
	const char *p;
	bool quoted = false;
	int col = 12;
	size_t start = 0;

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
		else if (*p != '\r' && *p != '\n')
			strbuf_addch(&ids, *p);
	}
	strbuf_puts(sb, "References:");
	/* Fold between ids: long threads make long headers. */
	for (p = ids.buf; p != NULL && *p != '\0'; p += start) {
		while (*p == ' ')
			p++;
		start = strcspn(p, " ");
		if (start == 0)
			break;
		if (col + start + 1 > 76 && col > 12) {
			strbuf_puts(sb, "\r\n");
			col = 0;
		}
		strbuf_addch(sb, ' ');
		strbuf_add(sb, p, start);
		col += start + 1;
	}
	strbuf_puts(sb, "\r\n");
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
		if (*p == '=' || *p >= 0x80 || (*p < 0x20 && *p != '\t') ||
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
	strbuf_puts(sb, "\r\n");
}

static void
date_header(struct strbuf *sb)
{
	char buf[64];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	/* RFC 5322 names, whatever the locale. */
	static const char *days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
		"Sep", "Oct", "Nov", "Dec" };
	strftime(buf, sizeof buf, "%H:%M:%S %z", &tm);
	strbuf_printf(sb, "Date: %s, %02d %s %d %s\r\n", days[tm.tm_wday], tm.tm_mday,
	    months[tm.tm_mon], tm.tm_year + 1900, buf);
}

char *
compose_message(const struct outgoing *out, const struct mail_options *o, size_t *len)
{
	struct strbuf sb;

	strbuf_init(&sb);
	header_address(&sb, "From", out->from);
	header_address(&sb, "To", out->to);
	header_address(&sb, "Cc", out->cc);
	header_words(&sb, "Subject", out->subject ? out->subject : "");
	date_header(&sb);
	header_plain(&sb, "Message-ID", out->message_id);
	header_plain(&sb, "In-Reply-To", out->in_reply_to);
	header_refs(&sb, out->refs);
	strbuf_printf(&sb, "X-Guichet-Ticket: %lld\r\n", out->ticket);
	if (out->auto_submitted)
		strbuf_puts(&sb, "Auto-Submitted: auto-replied\r\n");
	strbuf_puts(&sb, "MIME-Version: 1.0\r\n");
	if (out->nattachments == 0) {
		strbuf_puts(&sb,
		    "Content-Type: text/plain; charset=UTF-8\r\n"
		    "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
		body_qp(&sb, out->body ? out->body : "");
	} else {
		char boundary[64];
		size_t i;

		snprintf(
		    boundary, sizeof boundary, "=_guichet_%lld_%ld", out->ticket, (long)time(NULL));
		strbuf_printf(
		    &sb, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n", boundary);
		strbuf_printf(&sb,
		    "--%s\r\nContent-Type: text/plain; charset=UTF-8\r\n"
		    "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
		    boundary);
		body_qp(&sb, out->body ? out->body : "");
		for (i = 0; i < out->nattachments; i++)
			compose_attachment(&sb, boundary, &out->attachments[i]);
		strbuf_printf(&sb, "--%s--\r\n", boundary);
	}
	*len = sb.len;
	return strbuf_detach(&sb);
}

/* One attachment part: the name as an RFC 2231 parameter, content in base64. */
void
compose_attachment(struct strbuf *sb, const char *boundary, const struct mail_attachment *a)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = (const unsigned char *)a->data;
	char *type = sanitize_header(a->content_type);
	const char *name = a->filename;
	size_t i;
	int col = 0;

	strbuf_printf(sb, "--%s\r\nContent-Type: %s\r\n", boundary, type);
	free(type);
	strbuf_puts(sb, "Content-Disposition: attachment; filename*=UTF-8''");
	for (; *name != '\0'; name++) {
		unsigned char c = *name;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '.' || c == '-' || c == '_')
			strbuf_addch(sb, c);
		else
			strbuf_printf(sb, "%%%02X", c);
	}
	strbuf_puts(sb, "\r\nContent-Transfer-Encoding: base64\r\n\r\n");
	for (i = 0; i < a->size; i += 3) {
		unsigned int v = p[i] << 16;

		if (i + 1 < a->size)
			v |= p[i + 1] << 8;
		if (i + 2 < a->size)
			v |= p[i + 2];
		strbuf_addch(sb, b64[(v >> 18) & 63]);
		strbuf_addch(sb, b64[(v >> 12) & 63]);
		strbuf_addch(sb, i + 1 < a->size ? b64[(v >> 6) & 63] : '=');
		strbuf_addch(sb, i + 2 < a->size ? b64[v & 63] : '=');
		if ((col += 4) >= 76) {
			strbuf_puts(sb, "\r\n");
			col = 0;
		}
	}
	if (col > 0)
		strbuf_puts(sb, "\r\n");
}
