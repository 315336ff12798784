/*
 * net.c — what the network sources and SMTP share: URLs
 * (imaps://user@host:port/FOLDER), passwords (a file named in guichet.conf,
 * or ~/.netrc — never the command line) and the TLS certificate check.
 *
 * libetpan's TLS layer does not verify the server's certificate; after the
 * handshake the chain it received is verified here with GnuTLS against the
 * system's trust store, and the host name against the leaf certificate.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <libetpan/libetpan.h>

#include "common.h"
#include "mail.h"

static const struct {
	const char *scheme;
	int port;
	bool tls;
} schemes[] = {
	{ "imap", 143, false },
	{ "imaps", 993, true },
	{ "pop3", 110, false },
	{ "pop3s", 995, true },
	{ "smtp", 25, false },
	{ "smtps", 465, true },
	{ "submission", 587, false },
};

int
mail_url_parse(const char *url, struct mail_url *u, char **cause)
{
	const char *p, *sep, *at, *host, *slash, *colon;
	size_t i;

	memset(u, 0, sizeof *u);
	if ((sep = strstr(url, "://")) == NULL) {
		xasprintf(cause, _("%s: not a URL (scheme://user@host/…)"), url);
		return -1;
	}
	u->scheme = xstrndup(url, sep - url);
	for (i = 0; i < nitems(schemes); i++) {
		if (strcasecmp(u->scheme, schemes[i].scheme) == 0)
			break;
	}
	if (i == nitems(schemes)) {
		xasprintf(cause, _("%s: unknown scheme \"%s\""), url, u->scheme);
		mail_url_free(u);
		return -1;
	}
	u->port = schemes[i].port;
	u->tls = schemes[i].tls;
	p = sep + 3;
	slash = strchr(p, '/');
	at = strchr(p, '@');
	if (at != NULL && (slash == NULL || at < slash)) {
		u->user = xstrndup(p, at - p);
		host = at + 1;
	} else
		host = p;
	colon = strchr(host, ':');
	if (colon != NULL && (slash == NULL || colon < slash)) {
		long long port;
		char *ps = xstrndup(
		    colon + 1, slash ? (size_t)(slash - colon - 1) : strlen(colon + 1));

		if (parse_int(ps, 1, 65535, &port) != 0) {
			xasprintf(cause, _("%s: bad port \"%s\""), url, ps);
			free(ps);
			mail_url_free(u);
			return -1;
		}
		free(ps);
		u->port = (int)port;
		u->host = xstrndup(host, colon - host);
	} else
		u->host = slash ? xstrndup(host, slash - host) : xstrdup(host);
	if (slash != NULL && slash[1] != '\0')
		u->path = xstrdup(slash + 1);
	if (*u->host == '\0') {
		xasprintf(cause, _("%s: no host"), url);
		mail_url_free(u);
		return -1;
	}
	return 0;
}

void
mail_url_free(struct mail_url *u)
{
	free(u->scheme);
	free(u->user);
	free(u->host);
	free(u->path);
	memset(u, 0, sizeof *u);
}

/* ~/.netrc: "machine HOST login USER password PASS" (tokens in any layout). */
static char *
netrc_password(const struct mail_url *u)
{
	const char *home = getenv("HOME");
	char *path, tok[512], *password = NULL;
	bool host_ok = false, user_ok = false;
	FILE *f;

	if (home == NULL)
		return NULL;
	xasprintf(&path, "%s/.netrc", home);
	f = fopen(path, "r");
	free(path);
	if (f == NULL)
		return NULL;
	while (fscanf(f, "%511s", tok) == 1) {
		if (strcmp(tok, "machine") == 0 || strcmp(tok, "default") == 0) {
			if (host_ok && user_ok && password != NULL)
				break;
			free(password);
			password = NULL;
			host_ok = strcmp(tok, "default") == 0;
			user_ok = u->user == NULL;
			if (!host_ok && fscanf(f, "%511s", tok) == 1)
				host_ok = strcasecmp(tok, u->host) == 0;
		} else if (strcmp(tok, "login") == 0 && fscanf(f, "%511s", tok) == 1) {
			user_ok = u->user == NULL || strcmp(tok, u->user) == 0;
		} else if (strcmp(tok, "password") == 0 && fscanf(f, "%511s", tok) == 1) {
			free(password);
			password = xstrdup(tok);
		}
	}
	fclose(f);
	if (host_ok && user_ok)
		return password;
	free(password);
	return NULL;
}

char *
mail_password(const struct mail_options *o, const struct mail_url *u, char **cause)
{
	const char *file = config_get(o->config, "mail.password_file");
	char *line = NULL, *pw;
	size_t cap = 0;
	ssize_t n;
	FILE *f;

	if (file != NULL) {
		if ((f = fopen(file, "r")) == NULL) {
			xasprintf(cause, "%s: %s", file, strerror(errno));
			return NULL;
		}
		n = getline(&line, &cap, f);
		fclose(f);
		if (n <= 0) {
			free(line);
			xasprintf(cause, _("%s: empty password file"), file);
			return NULL;
		}
		line[strcspn(line, "\r\n")] = '\0';
		return line;
	}
	if ((pw = netrc_password(u)) != NULL)
		return pw;
	xasprintf(cause, _("no password for %s@%s: set mail.password_file or add it to ~/.netrc"),
	    u->user ? u->user : "", u->host);
	return NULL;
}

/* The server's certificate chain, verified against the system trust store. */
int
tls_verify(mailstream *s, const char *host, char **cause)
{
	carray *chain;
	gnutls_x509_trust_list_t tl = NULL;
	gnutls_x509_crt_t *crts = NULL;
	unsigned int i, n, status = 0;
	int rc = -1;

	if ((chain = mailstream_get_certificate_chain(s)) == NULL || carray_count(chain) == 0) {
		xasprintf(cause, _("%s: the server sent no certificate"), host);
		if (chain != NULL)
			mailstream_certificate_chain_free(chain);
		return -1;
	}
	n = carray_count(chain);
	crts = xcalloc(n, sizeof *crts);
	for (i = 0; i < n; i++) {
		MMAPString *der = carray_get(chain, i);
		gnutls_datum_t d = { (unsigned char *)der->str, (unsigned int)der->len };

		if (gnutls_x509_crt_init(&crts[i]) < 0 ||
		    gnutls_x509_crt_import(crts[i], &d, GNUTLS_X509_FMT_DER) < 0) {
			xasprintf(cause, _("%s: unreadable certificate"), host);
			n = i + 1;
			goto out;
		}
	}
	if (gnutls_x509_trust_list_init(&tl, 0) < 0 ||
	    gnutls_x509_trust_list_add_system_trust(tl, 0, 0) < 0) {
		xasprintf(cause, _("cannot load the system's trusted certificates"));
		goto out;
	}
	if (gnutls_x509_trust_list_verify_crt(tl, crts, n, 0, &status, NULL) < 0 || status != 0) {
		gnutls_datum_t out;

		if (gnutls_certificate_verification_status_print(
			status, GNUTLS_CRT_X509, &out, 0) == 0) {
			xasprintf(cause, _("%s: certificate not trusted: %s"), host, out.data);
			gnutls_free(out.data);
		} else
			xasprintf(cause, _("%s: certificate not trusted"), host);
		goto out;
	}
	if (!gnutls_x509_crt_check_hostname(crts[0], host)) {
		xasprintf(cause, _("%s: the certificate is for another host"), host);
		goto out;
	}
	rc = 0;
out:
	for (i = 0; i < n; i++) {
		if (crts[i] != NULL)
			gnutls_x509_crt_deinit(crts[i]);
	}
	free(crts);
	if (tl != NULL)
		gnutls_x509_trust_list_deinit(tl, 1);
	mailstream_certificate_chain_free(chain);
	return rc;
}
