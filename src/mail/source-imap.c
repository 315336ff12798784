/*
 * source-imap.c — an IMAP folder (imap://user@host/FOLDER, imaps://… with the
 * certificate verified). Unseen messages are fetched one at a time with
 * BODY.PEEK[] (nothing is flagged before the database has the message);
 * once committed a message is flagged \Seen, moved to mail.move_to when set,
 * or deleted and expunged with mail.imap_expunge.
 */
#include "config.h"

#include <string.h>

#include <libetpan/libetpan.h>

#include "common.h"
#include "mail.h"

struct imap {
	mailimap *imap;
	struct mail_url url;
	uint32_t *uids;
	size_t n, next;
	bool expunge;
};

static int
imap_error(char **cause, const struct imap *im, const char *what, int r)
{
	xasprintf(cause, "imap %s: %s: error %d%s%s", im->url.host, what, r,
	    im->imap->imap_response ? ": " : "",
	    im->imap->imap_response ? im->imap->imap_response : "");
	return -1;
}

static int
imap_next(struct source *src, struct source_msg *msg, char **cause)
{
	struct imap *im = src->data;
	struct mailimap_set *set;
	struct mailimap_fetch_type *ft;
	struct mailimap_section *section;
	clist *result = NULL;
	clistiter *it, *ai;
	uint32_t uid;
	int r;

	if (im->next >= im->n)
		return 0;
	uid = im->uids[im->next++];
	set = mailimap_set_new_single(uid);
	ft = mailimap_fetch_type_new_fetch_att_list_empty();
	section = mailimap_section_new(NULL);
	mailimap_fetch_type_new_fetch_att_list_add(
	    ft, mailimap_fetch_att_new_body_peek_section(section));
	r = mailimap_uid_fetch(im->imap, set, ft, &result);
	mailimap_fetch_type_free(ft);
	mailimap_set_free(set);
	if (r != MAILIMAP_NO_ERROR)
		return imap_error(cause, im, "UID FETCH", r);
	memset(msg, 0, sizeof *msg);
	for (it = clist_begin(result); it != NULL && msg->data == NULL; it = clist_next(it)) {
		struct mailimap_msg_att *att = clist_content(it);

		for (ai = clist_begin(att->att_list); ai != NULL; ai = clist_next(ai)) {
			struct mailimap_msg_att_item *item = clist_content(ai);
			struct mailimap_msg_att_body_section *bs;

			if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC ||
			    item->att_data.att_static->att_type != MAILIMAP_MSG_ATT_BODY_SECTION)
				continue;
			bs = item->att_data.att_static->att_data.att_body_section;
			msg->len = bs->sec_length;
			msg->data = xmalloc(msg->len + 1);
			memcpy(msg->data, bs->sec_body_part, msg->len);
			msg->data[msg->len] = '\0';
			break;
		}
	}
	mailimap_fetch_list_free(result);
	if (msg->data == NULL) {
		/* Expunged meanwhile by another client: nothing to import. */
		return imap_next(src, msg, cause);
	}
	xasprintf(&msg->id, "%u", uid);
	return 1;
}

static int
imap_flag(struct imap *im, uint32_t uid, const char *flag, char **cause)
{
	struct mailimap_flag_list *fl = mailimap_flag_list_new_empty();
	struct mailimap_store_att_flags *sa;
	struct mailimap_set *set = mailimap_set_new_single(uid);
	int r;

	if (strcmp(flag, "seen") == 0)
		mailimap_flag_list_add(fl, mailimap_flag_new_seen());
	else
		mailimap_flag_list_add(fl, mailimap_flag_new_deleted());
	sa = mailimap_store_att_flags_new_add_flags_silent(fl);
	r = mailimap_uid_store(im->imap, set, sa);
	mailimap_store_att_flags_free(sa);
	mailimap_set_free(set);
	if (r != MAILIMAP_NO_ERROR)
		return imap_error(cause, im, "UID STORE", r);
	return 0;
}

static int
imap_done(struct source *src, struct source_msg *msg, char **cause)
{
	struct imap *im = src->data;
	uint32_t uid = (uint32_t)strtoul(msg->id, NULL, 10);
	struct mailimap_set *set;
	int r;

	if (imap_flag(im, uid, "seen", cause) != 0)
		return -1;
	if (src->options->move_to != NULL) {
		set = mailimap_set_new_single(uid);
		if (mailimap_has_extension(im->imap, "MOVE"))
			r = mailimap_uid_move(im->imap, set, src->options->move_to);
		else {
			r = mailimap_uid_copy(im->imap, set, src->options->move_to);
			if (r == MAILIMAP_NO_ERROR && imap_flag(im, uid, "deleted", cause) == 0)
				im->expunge = true;
		}
		mailimap_set_free(set);
		if (r != MAILIMAP_NO_ERROR)
			return imap_error(cause, im, "UID MOVE", r);
	} else if (src->options->imap_expunge) {
		if (imap_flag(im, uid, "deleted", cause) != 0)
			return -1;
		im->expunge = true;
	}
	return 0;
}

static int
imap_sync(struct source *src, char **cause)
{
	struct imap *im = src->data;
	int r;

	if (!im->expunge)
		return 0;
	im->expunge = false;
	if ((r = mailimap_expunge(im->imap)) != MAILIMAP_NO_ERROR)
		return imap_error(cause, im, "EXPUNGE", r);
	return 0;
}

static void
imap_close(struct source *src)
{
	struct imap *im = src->data;

	mailimap_logout(im->imap);
	mailimap_free(im->imap);
	mail_url_free(&im->url);
	free(im->uids);
	free(im);
	free(src->label);
}

static const struct source_ops imap_ops = {
	.name = "imap",
	.next = imap_next,
	.done = imap_done,
	.sync = imap_sync,
	.close = imap_close,
};

static struct mailimap_search_key *
simple_key(int type)
{
	return mailimap_search_key_new(type, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	    NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL,
	    NULL);
}

static int
imap_search(struct imap *im, char **cause)
{
	struct mailimap_search_key *key;
	clist *result = NULL;
	clistiter *it;
	int r;

	key = mailimap_search_key_new_multiple_empty();
	mailimap_search_key_multiple_add(key, simple_key(MAILIMAP_SEARCH_KEY_UNSEEN));
	mailimap_search_key_multiple_add(key, simple_key(MAILIMAP_SEARCH_KEY_UNDELETED));
	r = mailimap_uid_search(im->imap, NULL, key, &result);
	mailimap_search_key_free(key);
	if (r != MAILIMAP_NO_ERROR)
		return imap_error(cause, im, "UID SEARCH", r);
	im->uids = xcalloc(clist_count(result) + 1, sizeof *im->uids);
	for (it = clist_begin(result); it != NULL; it = clist_next(it))
		im->uids[im->n++] = *(uint32_t *)clist_content(it);
	mailimap_search_result_free(result);
	return 0;
}

int
source_imap_open(struct source *src, const char *url, char **cause)
{
	struct imap *im = xcalloc(1, sizeof *im);
	char *password;
	int r, ex = EX_TEMPFAIL;

	if (mail_url_parse(url, &im->url, cause) != 0 || strncasecmp(im->url.scheme, "imap", 4)) {
		if (*cause == NULL)
			xasprintf(cause, _("%s: not an imap:// or imaps:// URL"), url);
		mail_url_free(&im->url);
		free(im);
		return EX_USAGE;
	}
	if (im->url.user == NULL) {
		xasprintf(cause, _("%s: no user name"), url);
		ex = EX_USAGE;
		goto early;
	}
	if ((password = mail_password(src->options, &im->url, cause)) == NULL) {
		ex = EX_CONFIG;
		goto early;
	}
	im->imap = mailimap_new(0, NULL);
	mailimap_set_timeout(im->imap, 60);
	r = im->url.tls ? mailimap_ssl_connect(im->imap, im->url.host, im->url.port) :
			  mailimap_socket_connect(im->imap, im->url.host, im->url.port);
	if (r != MAILIMAP_NO_ERROR && r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED &&
	    r != MAILIMAP_NO_ERROR_AUTHENTICATED) {
		xasprintf(cause, _("%s:%d: cannot connect (IMAP error %d)"), im->url.host,
		    im->url.port, r);
		goto fail;
	}
	if (im->url.tls && !src->options->insecure &&
	    tls_verify(im->imap->imap_stream, im->url.host, cause) != 0)
		goto fail;
	if ((r = mailimap_login(im->imap, im->url.user, password)) != MAILIMAP_NO_ERROR) {
		imap_error(cause, im, "LOGIN", r);
		/* Refused credentials will be refused again: not worth a retry. */
		ex = r == MAILIMAP_ERROR_LOGIN ? EX_NOPERM : EX_TEMPFAIL;
		goto fail;
	}
	if ((r = mailimap_select(im->imap, im->url.path ? im->url.path : "INBOX")) !=
	    MAILIMAP_NO_ERROR) {
		imap_error(cause, im, "SELECT", r);
		goto fail;
	}
	{
		struct mailimap_capability_data *caps = NULL;

		/* Learn whether MOVE is there (mailimap_has_extension reads this). */
		if (mailimap_capability(im->imap, &caps) == MAILIMAP_NO_ERROR && caps != NULL)
			mailimap_capability_data_free(caps);
	}
	if (imap_search(im, cause) != 0)
		goto fail;
	free(password);
	src->ops = &imap_ops;
	src->data = im;
	src->total = im->n;
	xasprintf(&src->label, "imap://%s@%s/%s", im->url.user, im->url.host,
	    im->url.path ? im->url.path : "INBOX");
	return 0;
fail:
	free(password);
	mailimap_free(im->imap);
early:
	mail_url_free(&im->url);
	free(im);
	return ex;
}
