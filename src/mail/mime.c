/*
 * mime.c — one raw message made into a struct mail: headers decoded, the MIME
 * tree walked with libetpan, the readable text chosen (text/plain preferred in
 * multipart/alternative, HTML converted otherwise), every text converted to
 * UTF-8, attachments and inline images collected, bounce reports read.
 *
 * Tolerated violations: a missing closing boundary, base64 with broken padding
 * or line lengths, quoted-printable with bare "=" and long lines, unlabelled
 * 8-bit text, mislabelled charsets, file names in RFC 2047 words (Outlook) or
 * split RFC 2231 continuations, NUL bytes in text parts.
 *
 * Bounded: mime-scan.c measures the message before libetpan sees it (one over
 * a bound is quarantined), and the walk here keeps the same bounds across
 * forwarded messages, whose parts are walked where they sit in the one tree
 * libetpan built (they used to be parsed again, each from depth 0). Nothing is
 * cut silently: whatever a limit leaves out is listed in m->omitted and told
 * in m->notes, so that the article says so.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <libetpan/libetpan.h>

#include "common.h"
#include "mail.h"

#define MAX_BODY (4 * 1024 * 1024)

struct walk {
	struct mail *m;
	const struct mail_options *options;
	size_t parts;
	size_t parts_left_out; /* past the bounds (libetpan saw more than mime-scan) */
	bool have_text;
	struct strbuf *text; /* where text goes: the body, or a forwarded message's */
	int forward_level;   /* inside how many forwarded messages */
};

static void walk(struct walk *, struct mailmime *, int depth, bool attachments_only);

/* The length of the longest prefix of UTF-8 s of at most max bytes that ends between characters. */
size_t
utf8_prefix(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return n;
	/* Back over continuation bytes to the start of the character that does not fit. */
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n;
}

/* Something a limit left out: listed for the server, told in the notes. */
static void
omit(struct mail *m, const char *what, const char *name, size_t count, size_t limit)
{
	struct mail_omission *o;

	m->omitted = xreallocarray(m->omitted, m->nomitted + 1, sizeof *m->omitted);
	o = &m->omitted[m->nomitted++];
	o->what = what;
	o->name = name != NULL ? xstrdup(name) : NULL;
	o->count = count;
	o->limit = limit;
}

/* "type/subtype" in lower case. */
static char *
content_type(const struct mailmime_content *ct)
{
	const char *type = "application";
	char *s, *p;

	if (ct == NULL || ct->ct_type == NULL)
		return xstrdup("text/plain");
	if (ct->ct_type->tp_type == MAILMIME_TYPE_DISCRETE_TYPE) {
		switch (ct->ct_type->tp_data.tp_discrete_type->dt_type) {
		case MAILMIME_DISCRETE_TYPE_TEXT:
			type = "text";
			break;
		case MAILMIME_DISCRETE_TYPE_IMAGE:
			type = "image";
			break;
		case MAILMIME_DISCRETE_TYPE_AUDIO:
			type = "audio";
			break;
		case MAILMIME_DISCRETE_TYPE_VIDEO:
			type = "video";
			break;
		case MAILMIME_DISCRETE_TYPE_EXTENSION:
			type = ct->ct_type->tp_data.tp_discrete_type->dt_extension;
			break;
		}
	} else if (ct->ct_type->tp_data.tp_composite_type != NULL) {
		switch (ct->ct_type->tp_data.tp_composite_type->ct_type) {
		case MAILMIME_COMPOSITE_TYPE_MESSAGE:
			type = "message";
			break;
		case MAILMIME_COMPOSITE_TYPE_MULTIPART:
			type = "multipart";
			break;
		case MAILMIME_COMPOSITE_TYPE_EXTENSION:
			type = ct->ct_type->tp_data.tp_composite_type->ct_token;
			break;
		}
	}
	xasprintf(&s, "%s/%s", type ? type : "application",
	    ct->ct_subtype ? ct->ct_subtype : "octet-stream");
	for (p = s; *p != '\0'; p++)
		*p = tolower((unsigned char)*p);
	return s;
}

/* A parameter of a clist of struct mailmime_parameter, by exact name. */
static const char *
param_in(clist *list, const char *name)
{
	clistiter *it;
	struct mailmime_parameter *pa;

	if (list == NULL)
		return NULL;
	for (it = clist_begin(list); it != NULL; it = clist_next(it)) {
		pa = clist_content(it);
		if (pa->pa_name != NULL && strcasecmp(pa->pa_name, name) == 0)
			return pa->pa_value;
	}
	return NULL;
}

/* Disposition parameters as a clist of struct mailmime_parameter, when any. */
static const char *
disposition_param(const struct mailmime_single_fields *sf, const char *name)
{
	clistiter *it;
	struct mailmime_disposition_parm *dp;

	if (sf->fld_disposition == NULL || sf->fld_disposition->dsp_parms == NULL)
		return NULL;
	for (it = clist_begin(sf->fld_disposition->dsp_parms); it != NULL; it = clist_next(it)) {
		dp = clist_content(it);
		if (dp->pa_type == MAILMIME_DISPOSITION_PARM_PARAMETER &&
		    strcasecmp(dp->pa_data.pa_parameter->pa_name, name) == 0)
			return dp->pa_data.pa_parameter->pa_value;
	}
	return NULL;
}

/* An RFC 2231 value, whole ("name*") or in continuations ("name*0*", "name*1"). */
static char *
param_2231(const struct mailmime_single_fields *sf, const char *base, bool content)
{
	char name[64], *s;
	const char *v;
	struct strbuf sb;
	bool lossy = false, encoded = false;
	int i;

#define LOOKUP(n)                                                                         \
	(content ? param_in(sf->fld_content ? sf->fld_content->ct_parameters : NULL, n) : \
		   disposition_param(sf, n))
	snprintf(name, sizeof name, "%s*", base);
	if ((v = LOOKUP(name)) != NULL)
		return header_decode_2231(v, &lossy);
	strbuf_init(&sb);
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof name, "%s*%d*", base, i);
		if ((v = LOOKUP(name)) != NULL) {
			encoded = true;
		} else {
			snprintf(name, sizeof name, "%s*%d", base, i);
			if ((v = LOOKUP(name)) == NULL)
				break;
		}
		strbuf_puts(&sb, v);
	}
#undef LOOKUP
	if (sb.len == 0) {
		strbuf_free(&sb);
		return NULL;
	}
	if (encoded)
		s = header_decode_2231(sb.buf, &lossy);
	else
		s = header_decode(sb.buf, &lossy);
	strbuf_free(&sb);
	return s;
}

/* The file name as the sender meant it, made safe: no directories, no controls. */
static char *
part_filename(const struct mailmime_single_fields *sf)
{
	char *raw = NULL, *s, *d, *base;
	bool lossy = false;

	if ((raw = param_2231(sf, "filename", false)) == NULL &&
	    (raw = param_2231(sf, "name", true)) == NULL) {
		if (sf->fld_disposition_filename != NULL)
			raw = header_decode(sf->fld_disposition_filename, &lossy);
		else if (sf->fld_content_name != NULL)
			raw = header_decode(sf->fld_content_name, &lossy);
		else
			return NULL;
	}
	base = raw;
	for (s = raw; *s != '\0'; s++) {
		if (*s == '/' || *s == '\\')
			base = s + 1;
	}
	for (s = d = base; *s != '\0'; s++) {
		if ((unsigned char)*s >= 0x20 && *s != 0x7f)
			*d++ = *s;
	}
	*d = '\0';
	s = xstrdup(
	    base[0] == '.' && (base[1] == '\0' || (base[1] == '.' && base[2] == '\0')) ? "" : base);
	free(raw);
	if (*s == '\0') {
		free(s);
		return NULL;
	}
	return s;
}

/*
 * Quoted-printable as senders really write it: "=XX" is a byte, "=" at the
 * end of a line (trailing blanks allowed) is a soft break, and any other "="
 * is kept as it is rather than eating what follows.
 */
static char *
decode_qp(const char *in, size_t len, size_t *outlen)
{
	char *out = xmalloc(len + 1);
	size_t i, o = 0, j;
	int hi, lo;

	for (i = 0; i < len; i++) {
		if (in[i] != '=') {
			out[o++] = in[i];
			continue;
		}
		if (i + 2 < len && (hi = hex_digit(in[i + 1])) >= 0 &&
		    (lo = hex_digit(in[i + 2])) >= 0) {
			out[o++] = (char)(hi * 16 + lo);
			i += 2;
			continue;
		}
		for (j = i + 1; j < len && (in[j] == ' ' || in[j] == '\t'); j++)
			;
		if (j < len && in[j] == '\r')
			j++;
		if (j >= len || in[j] == '\n') {
			i = j; /* soft line break */
			continue;
		}
		out[o++] = '=';
	}
	out[o] = '\0';
	*outlen = o;
	return out;
}

/* The decoded bytes of a single part; *len set. Free with free(). */
static char *
part_bytes(struct mailmime *mime, size_t *len)
{
	struct mailmime_data *data = mime->mm_data.mm_single;
	char *res = NULL, *copy;
	size_t idx = 0, rlen = 0;

	if (data == NULL || data->dt_type != MAILMIME_DATA_TEXT) {
		*len = 0;
		return xstrdup("");
	}
	if (!data->dt_encoded || data->dt_encoding == MAILMIME_MECHANISM_7BIT ||
	    data->dt_encoding == MAILMIME_MECHANISM_8BIT ||
	    data->dt_encoding == MAILMIME_MECHANISM_BINARY ||
	    data->dt_encoding == MAILMIME_MECHANISM_TOKEN) {
		*len = data->dt_data.dt_text.dt_length;
		copy = xmalloc(*len + 1);
		memcpy(copy, data->dt_data.dt_text.dt_data, *len);
		copy[*len] = '\0';
		return copy;
	}
	if (data->dt_encoding == MAILMIME_MECHANISM_QUOTED_PRINTABLE)
		return decode_qp(
		    data->dt_data.dt_text.dt_data, data->dt_data.dt_text.dt_length, len);
	if (mailmime_part_parse(data->dt_data.dt_text.dt_data, data->dt_data.dt_text.dt_length,
		&idx, data->dt_encoding, &res, &rlen) != MAILIMF_NO_ERROR) {
		/* Undecodable: the bytes as they are are better than nothing. */
		*len = data->dt_data.dt_text.dt_length;
		copy = xmalloc(*len + 1);
		memcpy(copy, data->dt_data.dt_text.dt_data, *len);
		copy[*len] = '\0';
		return copy;
	}
	copy = xmalloc(rlen + 1);
	memcpy(copy, res, rlen);
	copy[rlen] = '\0';
	*len = rlen;
	mmap_string_unref(res);
	return copy;
}

/*
 * Text bytes in charset cs, as UTF-8 with Unix line ends. A NUL byte (which
 * charset_to_utf8 turns into U+FFFD) or another control byte is shown as
 * U+FFFD: visibly, where it was, so that the words around it stay apart
 * (they used to be glued: "rue\0Pasteur" read "ruePasteur"), and so that no
 * terminal control sequence is stored. Tabs and form feeds stay.
 */
static char *
to_utf8(struct mail *m, const char *bytes, size_t len, const char *cs)
{
	struct strbuf sb;
	char *s;
	size_t i;
	bool lossy = false;
	unsigned char c;

	s = charset_to_utf8(bytes, len, cs ? cs : "us-ascii", &lossy);
	if (lossy)
		m->lossy = true;
	strbuf_init(&sb);
	for (i = 0; s[i] != '\0'; i++) {
		c = (unsigned char)s[i];
		/* CR LF and lone CR become LF. */
		if (c == '\r') {
			if (s[i + 1] != '\n')
				strbuf_addch(&sb, '\n');
		} else if ((c < 0x20 && c != '\n' && c != '\t' && c != '\f') || c == 0x7f)
			strbuf_puts(&sb, "\xef\xbf\xbd");
		else
			strbuf_addch(&sb, c);
	}
	free(s);
	return strbuf_detach(&sb);
}

static void
body_append(struct walk *w, const char *text)
{
	struct strbuf *b = w->text;
	size_t n = strlen(text);

	while (n > 0 && text[n - 1] == '\n')
		n--;
	if (b->len > 0 && n > 0) {
		while (b->len > 0 && b->buf[b->len - 1] == '\n')
			b->buf[--b->len] = '\0';
		strbuf_puts(b, "\n\n");
	}
	if (b->len + n > MAX_BODY) {
		size_t whole = n;

		n = MAX_BODY > b->len ? MAX_BODY - b->len : 0;
		while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80)
			n--;
		strbuf_add(b, text, n);
		/* A forwarded message's text is cut again where it joins the body: said once. */
		if (b == &w->m->body) {
			omit(w->m, "text", NULL, whole - n, MAX_BODY);
			strbuf_printf(&w->m->notes,
			    _("The text was cut after %d bytes (%zu bytes left out): "
			      "the full message is kept raw.\n"),
			    MAX_BODY, whole - n);
		}
		return;
	}
	strbuf_add(b, text, n);
}

static void
add_attachment(struct walk *w, char *name, const char *type, char *data, size_t len, bool is_inline)
{
	struct mail *m = w->m;
	struct mail_attachment *a;

	m->attachments = xreallocarray(m->attachments, m->nattachments + 1, sizeof *a);
	a = &m->attachments[m->nattachments++];
	memset(a, 0, sizeof *a);
	if (name == NULL) {
		const char *slash = strchr(type, '/');

		if (strcmp(type, "message/rfc822") == 0)
			xasprintf(&name, "part-%zu.eml", m->nattachments);
		else if (strncmp(type, "image/", 6) == 0 && slash[1] != '\0' &&
		    strlen(slash + 1) <= 5 && strchr(slash + 1, '+') == NULL)
			xasprintf(&name, "part-%zu.%s", m->nattachments, slash + 1);
		else
			xasprintf(&name, "part-%zu", m->nattachments);
	}
	a->filename = name;
	a->content_type = xstrdup(type);
	a->size = len;
	a->is_inline = is_inline;
	if (len > w->options->max_attachment) {
		a->oversized = true;
		free(data);
		a->data = NULL;
		omit(m, "attachment", name, len, w->options->max_attachment);
		strbuf_printf(&m->notes,
		    _("Attachment \"%s\" (%zu bytes) exceeds the limit of %zu bytes: it is "
		      "kept in the raw message only.\n"),
		    name, len, w->options->max_attachment);
	} else
		a->data = data;
}

/* message/delivery-status: per-recipient blocks of header lines. */
static void
delivery_status(struct mail *m, const char *text, size_t len)
{
	struct headers h;
	const char *p = text, *end = text + len, *v, *semi;
	size_t off;

	m->loop = LOOP_BOUNCE;
	m->loop_reason = "delivery-status";
	while (p < end) {
		off = headers_parse(&h, p, end - p);
		if (h.n == 0) {
			headers_free(&h);
			break;
		}
		v = headers_get(&h, "Action");
		if (v != NULL && strncasecmp(v, "failed", 6) == 0 && m->bounce_recipient == NULL) {
			const char *rcpt = headers_get(&h, "Final-Recipient");

			if (rcpt == NULL)
				rcpt = headers_get(&h, "Original-Recipient");
			if (rcpt != NULL) {
				char *addr, *name;

				semi = strchr(rcpt, ';');
				if (header_mailbox(semi ? semi + 1 : rcpt, &addr, &name) == 0) {
					m->bounce_recipient = addr;
					free(name);
				}
			}
			if ((v = headers_get(&h, "Status")) != NULL) {
				while (*v == ' ')
					v++;
				/* A later failed block (its recipient unreadable) comes here again. */
				free(m->bounce_status);
				m->bounce_status = xstrndup(v, strcspn(v, " \t("));
				m->bounce_permanent = v[0] == '5';
			} else
				m->bounce_permanent = true;
		}
		headers_free(&h);
		if (off == 0)
			break;
		p += off;
	}
}

/* The headers of the message a bounce returns: its Message-ID. */
static void
bounced_headers(struct mail *m, const struct headers *h)
{
	char **ids = NULL;
	size_t n = 0, i;

	header_msgids(headers_get(h, "Message-ID"), &ids, &n);
	if (n > 0 && m->bounce_msgid == NULL)
		m->bounce_msgid = xstrdup(ids[0]);
	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

static void
text_part(struct walk *w, const char *type, char *bytes, size_t len,
    const struct mailmime_single_fields *sf)
{
	char *text, *plain;

	text = to_utf8(w->m, bytes, len, sf->fld_content_charset);
	free(bytes);
	if (strcmp(type, "text/html") == 0) {
		plain = html_to_text(text, strlen(text));
		free(text);
		text = plain;
	}
	body_append(w, text);
	free(text);
	w->have_text = true;
}

/* Text an agent reads, as opposed to an attachment. */
static bool
readable(struct walk *w, const char *type, const char *name, bool attachment)
{
	return !attachment &&
	    (strcmp(type, "text/plain") == 0 || strcmp(type, "text/html") == 0 ||
		(strncmp(type, "text/", 5) == 0 && name == NULL && !w->have_text));
}

static bool
is_attachment(const struct mailmime_single_fields *sf)
{
	return sf->fld_disposition != NULL && sf->fld_disposition->dsp_type != NULL &&
	    sf->fld_disposition->dsp_type->dsp_type == MAILMIME_DISPOSITION_TYPE_ATTACHMENT;
}

static void
single(struct walk *w, struct mailmime *mime, bool attachments_only)
{
	struct mailmime_single_fields sf;
	char *type, *bytes, *name;
	size_t len;
	bool attachment, is_inline;

	mailmime_single_fields_init(&sf, mime->mm_mime_fields, mime->mm_content_type);
	type = content_type(mime->mm_content_type);
	name = part_filename(&sf);
	attachment = is_attachment(&sf);
	is_inline = !attachment && (sf.fld_id != NULL || sf.fld_disposition != NULL);
	if (w->forward_level > 0) {
		/* Inside a forwarded message: its text; the rest is in its .eml. */
		if (!attachments_only && readable(w, type, name, attachment)) {
			bytes = part_bytes(mime, &len);
			text_part(w, type, bytes, len, &sf);
		}
		free(name);
		free(type);
		return;
	}
	bytes = part_bytes(mime, &len);
	if (strcmp(type, "message/delivery-status") == 0 ||
	    strcmp(type, "message/global-delivery-status") == 0) {
		delivery_status(w->m, bytes, len);
		free(bytes);
		free(name);
	} else if (strcmp(type, "text/rfc822-headers") == 0) {
		struct headers h;

		headers_parse(&h, bytes, len);
		bounced_headers(w->m, &h);
		headers_free(&h);
		add_attachment(
		    w, name ? name : xstrdup("returned-headers.txt"), type, bytes, len, false);
	} else if (!attachments_only && readable(w, type, name, attachment)) {
		free(name);
		text_part(w, type, bytes, len, &sf);
	} else if (attachments_only && strncmp(type, "text/", 5) == 0 && !attachment &&
	    name == NULL) {
		/* The other rendering of an alternative: not an attachment. */
		free(bytes);
	} else
		add_attachment(w, name, type, bytes, len, is_inline);
	free(type);
}

/* multipart/alternative: the text/plain version, else HTML, else the richest. */
static void
alternative(struct walk *w, struct mailmime *mime, int depth, bool attachments_only)
{
	clistiter *it;
	struct mailmime *child, *best = NULL, *html = NULL;
	char *type;

	for (it = clist_begin(mime->mm_data.mm_multipart.mm_mp_list); it; it = clist_next(it)) {
		child = clist_content(it);
		type = content_type(child->mm_content_type);
		if (strcmp(type, "text/plain") == 0 && best == NULL && child->mm_data.mm_single &&
		    child->mm_data.mm_single->dt_data.dt_text.dt_length > 2)
			best = child;
		else if (strcmp(type, "text/html") == 0 || strncmp(type, "multipart/", 10) == 0)
			html = child;
		free(type);
	}
	if (best == NULL)
		best = html;
	for (it = clist_begin(mime->mm_data.mm_multipart.mm_mp_list); it; it = clist_next(it)) {
		child = clist_content(it);
		/* Inline images of the version not shown are kept as attachments. */
		walk(w, child, depth + 1, attachments_only || (best != NULL && child != best));
	}
}

/* The forwarded message's file name: its subject, 80 bytes at most. */
static char *
forwarded_name(const struct mailmime_single_fields *sf, const struct headers *h)
{
	char *name, *subject;
	const char *s;
	bool lossy = false;

	if ((name = part_filename(sf)) != NULL)
		return name;
	s = headers_get(h, "Subject");
	subject = header_decode(s ? s : "forwarded", &lossy);
	subject[strcspn(subject, "/\\")] = '\0';
	/* Cut between characters: the name must stay UTF-8. */
	subject[utf8_prefix(subject, 80)] = '\0';
	xasprintf(&name, "%s.eml", *subject ? subject : "forwarded");
	free(subject);
	return name;
}

/*
 * A message forwarded inline: its text is part of what the sender says, read
 * from the tree libetpan built, one level down (a forward inside a forward
 * too, never parsed again). The outermost one is also kept whole as an .eml
 * attachment, which holds everything inside it.
 */
static void
forwarded_text(struct walk *w, struct mailmime *inner, const struct headers *h, int depth)
{
	struct strbuf fw, *outer = w->text;
	bool had_text = w->have_text, lossy = false;
	const char *v;
	char *from, *subject;

	v = headers_get(h, "From");
	from = header_decode(v ? v : "", &lossy);
	v = headers_get(h, "Subject");
	subject = header_decode(v ? v : "", &lossy);
	if (lossy)
		w->m->lossy = true;
	strbuf_init(&fw);
	strbuf_printf(
	    &fw, "---- %s ----\nFrom: %s\nSubject: %s\n\n", _("Forwarded message"), from, subject);
	free(from);
	free(subject);
	w->text = &fw;
	w->have_text = false;
	w->forward_level++;
	walk(w, inner, depth + 1, false);
	w->forward_level--;
	w->text = outer;
	w->have_text = had_text;
	body_append(w, fw.buf);
	strbuf_free(&fw);
}

static void
forwarded(struct walk *w, struct mailmime *mime, int depth, bool attachments_only)
{
	const char *start = mime->mm_mime_start;
	size_t len = mime->mm_length;
	struct mailmime_single_fields sf;
	struct mailmime *inner = mime->mm_data.mm_message.mm_msg_mime;
	struct headers h;
	char *name = NULL, *data;

	if (mime->mm_body != NULL && mime->mm_body->dt_type == MAILMIME_DATA_TEXT) {
		start = mime->mm_body->dt_data.dt_text.dt_data;
		len = mime->mm_body->dt_data.dt_text.dt_length;
	}
	mailmime_single_fields_init(&sf, mime->mm_mime_fields, mime->mm_content_type);
	headers_parse(&h, start, len);
	if (w->forward_level == 0) {
		bounced_headers(w->m, &h);
		name = forwarded_name(&sf, &h);
	}
	if (!attachments_only && !is_attachment(&sf) && w->m->loop != LOOP_BOUNCE && inner != NULL)
		forwarded_text(w, inner, &h, depth);
	headers_free(&h);
	if (w->forward_level == 0) {
		data = xmalloc(len + 1);
		memcpy(data, start, len);
		data[len] = '\0';
		add_attachment(w, name, "message/rfc822", data, len, false);
	}
}

static void
walk(struct walk *w, struct mailmime *mime, int depth, bool attachments_only)
{
	clistiter *it;
	char *type;

	/* mime-scan.c kept the message within these; libetpan may see more. */
	if (depth > MIME_MAX_DEPTH || w->parts > MIME_MAX_PARTS) {
		w->parts_left_out++;
		return;
	}
	w->parts++;
	switch (mime->mm_type) {
	case MAILMIME_SINGLE:
		single(w, mime, attachments_only);
		break;
	case MAILMIME_MULTIPLE:
		type = content_type(mime->mm_content_type);
		if (strcmp(type, "multipart/alternative") == 0)
			alternative(w, mime, depth, attachments_only);
		else {
			for (it = clist_begin(mime->mm_data.mm_multipart.mm_mp_list); it != NULL;
			     it = clist_next(it))
				walk(w, clist_content(it), depth + 1, attachments_only);
		}
		free(type);
		break;
	case MAILMIME_MESSAGE:
		if (depth == 0) {
			if (mime->mm_data.mm_message.mm_msg_mime != NULL)
				walk(w, mime->mm_data.mm_message.mm_msg_mime, depth + 1,
				    attachments_only);
		} else
			forwarded(w, mime, depth, attachments_only);
		break;
	}
}

/* What header.c and the walk had to leave out, said in the article. */
static void
left_out(struct walk *w)
{
	struct mail *m = w->m;

	if (m->headers.dropped > 0) {
		omit(m, "headers", NULL, m->headers.dropped, MAX_HEADERS);
		strbuf_printf(&m->notes,
		    _("%zu header fields past the first %d were left out: the full message is "
		      "kept raw.\n"),
		    m->headers.dropped, MAX_HEADERS);
	}
	if (m->recipients_dropped > 0) {
		omit(m, "recipients", NULL, m->recipients_dropped, MAX_ADDRESSES);
		strbuf_printf(&m->notes,
		    _("%zu recipients past the first %d were not read (for routing).\n"),
		    m->recipients_dropped, MAX_ADDRESSES);
	}
	if (w->parts_left_out > 0) {
		omit(m, "parts", NULL, w->parts_left_out, MIME_MAX_PARTS);
		strbuf_printf(&m->notes,
		    _("%zu MIME parts were too deep or too many to read: the full message is "
		      "kept raw.\n"),
		    w->parts_left_out);
	}
}

static void
mail_headers(struct mail *m)
{
	const struct headers *h = &m->headers;
	const char *v;
	char **ids = NULL;
	size_t n = 0, i;
	bool lossy = false;

	header_msgids(headers_get(h, "Message-ID"), &ids, &n);
	if (n > 0)
		m->message_id = xstrdup(ids[0]);
	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	ids = NULL;
	n = 0;
	header_msgids(headers_get(h, "In-Reply-To"), &ids, &n);
	if (n > 0)
		m->in_reply_to = xstrdup(ids[n - 1]);
	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	header_msgids(headers_get(h, "References"), &m->refs, &m->nrefs);

	if ((v = headers_get(h, "From")) == NULL && (v = headers_get(h, "Sender")) == NULL)
		v = headers_get(h, "Return-Path");
	if (v != NULL) {
		m->from = header_decode(v, &lossy);
		header_mailbox(v, &m->from_addr, &m->from_name);
	}
	if ((v = headers_get(h, "Reply-To")) != NULL)
		header_mailbox(v, &m->reply_to_addr, &m->reply_to_name);
	if ((v = headers_get(h, "To")) != NULL)
		m->to = header_decode(v, &lossy);
	if ((v = headers_get(h, "Cc")) != NULL)
		m->cc = header_decode(v, &lossy);
	if ((v = headers_get(h, "Subject")) != NULL)
		m->subject = header_decode(v, &lossy);
	for (i = 0; i < h->n; i++) {
		const char *name = h->list[i].name;

		if (strcasecmp(name, "To") == 0 || strcasecmp(name, "Cc") == 0 ||
		    strcasecmp(name, "Delivered-To") == 0 ||
		    strcasecmp(name, "X-Original-To") == 0 ||
		    strcasecmp(name, "Envelope-To") == 0 || strcasecmp(name, "Resent-To") == 0)
			m->recipients_dropped += header_addresses(
			    h->list[i].value, &m->recipients, &m->nrecipients);
	}
	if (lossy)
		m->lossy = true;
}

/* MIME that libetpan cannot read: the body as text in the declared charset. */
static void
fallback_body(struct walk *w, const char *msg, size_t len, size_t off)
{
	char *bytes, *text;

	bytes = xmalloc(len - off + 1);
	memcpy(bytes, msg + off, len - off);
	text = to_utf8(w->m, bytes, len - off, "us-ascii");
	free(bytes);
	body_append(w, text);
	free(text);
	strbuf_puts(&w->m->notes,
	    _("The MIME structure could not be read: the message is "
	      "shown as plain text.\n"));
}

void
mail_parse(struct mail *m, const char *msg, size_t len, const struct mail_options *options)
{
	struct walk w;
	struct mailmime *mime = NULL;
	struct mime_shape shape;
	size_t off, idx = 0;
	char *cause = NULL;

	memset(m, 0, sizeof *m);
	strbuf_init(&m->body);
	strbuf_init(&m->notes);
	/* An mbox "From " line left in front (an MTA's pipe) is not part of it. */
	if (len > 5 && memcmp(msg, "From ", 5) == 0) {
		const char *nl = memchr(msg, '\n', len);

		off = nl != NULL ? (size_t)(nl + 1 - msg) : len;
		msg += off;
		len -= off;
	}
	off = headers_parse(&m->headers, msg, len);
	if (m->headers.n == 0) {
		m->error = xstrdup("no header block: not a mail message");
		return;
	}
	if (headers_get(&m->headers, "From") == NULL &&
	    headers_get(&m->headers, "Subject") == NULL &&
	    headers_get(&m->headers, "Message-ID") == NULL &&
	    headers_get(&m->headers, "Date") == NULL && headers_get(&m->headers, "To") == NULL) {
		m->error = xstrdup("no From, To, Subject, Date or Message-ID header");
		return;
	}
	mail_headers(m);
	m->tag = thread_tag(m->subject, options->tag_prefix);
	/* Over a bound: quarantined with the reason, before libetpan reads it. */
	if (mime_scan(msg, len, len > options->max_size, &shape, &cause) != 0) {
		m->error = cause;
		return;
	}

	memset(&w, 0, sizeof w);
	w.m = m;
	w.options = options;
	w.text = &m->body;
	if (len > options->max_size) {
		m->oversized = true;
		omit(m, "message", NULL, len, options->max_size);
		strbuf_printf(&m->notes,
		    _("The message (%zu bytes) exceeds the limit of %zu bytes: "
		      "only its headers were read; it is kept raw.\n"),
		    len, options->max_size);
	} else if (mailmime_parse(msg, len, &idx, &mime) == MAILIMF_NO_ERROR && mime != NULL) {
		walk(&w, mime, 0, false);
		mailmime_free(mime);
	} else
		fallback_body(&w, msg, len, off);
	left_out(&w);
	while (m->body.len > 0 &&
	    (m->body.buf[m->body.len - 1] == '\n' || m->body.buf[m->body.len - 1] == '\r' ||
		m->body.buf[m->body.len - 1] == ' '))
		m->body.buf[--m->body.len] = '\0';
	thread_detect_loop(m);
}

void
mail_free(struct mail *m)
{
	size_t i;

	free(m->message_id);
	free(m->in_reply_to);
	for (i = 0; i < m->nrefs; i++)
		free(m->refs[i]);
	free(m->refs);
	free(m->from_addr);
	free(m->from_name);
	free(m->reply_to_addr);
	free(m->reply_to_name);
	free(m->from);
	free(m->to);
	free(m->cc);
	for (i = 0; i < m->nrecipients; i++)
		free(m->recipients[i]);
	free(m->recipients);
	free(m->subject);
	strbuf_free(&m->body);
	strbuf_free(&m->notes);
	free(m->bounce_msgid);
	free(m->bounce_recipient);
	free(m->bounce_status);
	for (i = 0; i < m->nattachments; i++) {
		free(m->attachments[i].filename);
		free(m->attachments[i].content_type);
		free(m->attachments[i].data);
	}
	free(m->attachments);
	for (i = 0; i < m->nomitted; i++)
		free(m->omitted[i].name);
	free(m->omitted);
	headers_free(&m->headers);
	free(m->error);
	memset(m, 0, sizeof *m);
}
