/*
 * util-misc.c — small helpers every program needs: strict integer parsing, the
 * XDG base directories, mkdir -p.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

/*
 * Parse a whole string as a decimal integer within [min, max]. Unlike atoi, an
 * empty string, trailing junk or an out-of-range value is an error: 0 or -1 with
 * errno EINVAL or ERANGE, *out untouched on error.
 */
int
parse_int(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0' || *s == ' ' || *s == '\t') {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0') {
		errno = EINVAL;
		return -1;
	}
	if (errno == ERANGE || v < min || v > max) {
		errno = ERANGE;
		return -1;
	}
	*out = v;
	return 0;
}

static const char *
xdg_home(void)
{
	const char *home;
	struct passwd *pw;

	if ((home = getenv("HOME")) != NULL && *home == '/')
		return home;
	if ((pw = getpwuid(getuid())) != NULL && pw->pw_dir != NULL && *pw->pw_dir == '/')
		return pw->pw_dir;
	return NULL;
}

/*
 * The path of REST under guichet's directory of an XDG base directory:
 * xdg_path("state", "drafts") is $XDG_STATE_HOME/guichet/drafts, falling back to
 * ~/.local/state/guichet/drafts. REST may also name the "guichet/" part itself
 * (xdg_path("config", "guichet/guichet.conf")), so callers can write either.
 * REST NULL or "" gives guichet's directory. The caller frees; NULL when there is
 * no home directory at all.
 */
char *
xdg_path(const char *kind, const char *rest)
{
	static const struct {
		const char *kind;
		const char *env;
		const char *fallback;
	} bases[] = {
		{ "config", "XDG_CONFIG_HOME", ".config" },
		{ "state", "XDG_STATE_HOME", ".local/state" },
		{ "data", "XDG_DATA_HOME", ".local/share" },
		{ "cache", "XDG_CACHE_HOME", ".cache" },
	};
	const char *base = NULL, *home, *sep;
	char *dir, *path;
	size_t i;

	for (i = 0; i < nitems(bases); i++) {
		if (strcmp(bases[i].kind, kind) == 0)
			break;
	}
	if (i == nitems(bases))
		fatalx("xdg_path: unknown kind \"%s\"", kind);

	/* The specification says relative values are invalid and must be ignored. */
	base = getenv(bases[i].env);
	if (base != NULL && *base == '/')
		dir = xstrdup(base);
	else {
		if ((home = xdg_home()) == NULL)
			return NULL;
		xasprintf(&dir, "%s/%s", home, bases[i].fallback);
	}

	if (rest == NULL)
		rest = "";
	while (*rest == '/')
		rest++;
	if (strcmp(rest, PACKAGE) == 0 || strncmp(rest, PACKAGE "/", strlen(PACKAGE) + 1) == 0)
		sep = "";
	else
		sep = *rest != '\0' ? PACKAGE "/" : PACKAGE;
	xasprintf(&path, "%s/%s%s", dir, sep, rest);
	free(dir);
	return path;
}

/* Create PATH and its missing parents like mkdir -p; 0 or -1 with errno. */
int
mkdir_p(const char *path, int mode)
{
	char *copy, *p, c;
	struct stat st;
	int saved = 0;

	if (path == NULL || *path == '\0') {
		errno = ENOENT;
		return -1;
	}
	copy = xstrdup(path);
	for (p = copy + 1; saved == 0; p++) {
		if ((*p != '/' && *p != '\0') || (*p == '/' && p[-1] == '/'))
			continue;
		c = *p;
		*p = '\0';
		if (mkdir(copy, (mode_t)mode) == -1 && errno != EEXIST)
			saved = errno;
		*p = c;
		if (c == '\0')
			break;
	}
	free(copy);
	/* EEXIST may have been a file: the caller wants a directory. */
	if (saved == 0 && stat(path, &st) == -1)
		saved = errno;
	else if (saved == 0 && !S_ISDIR(st.st_mode))
		saved = ENOTDIR;
	if (saved != 0) {
		errno = saved;
		return -1;
	}
	return 0;
}

int
hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "25M", "512k", "1048576": a size in bytes. */
int
parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s)
		return -1;
	switch (tolower((unsigned char)*end)) {
	case 'k':
		v *= 1024;
		end++;
		break;
	case 'm':
		v *= 1024 * 1024;
		end++;
		break;
	case 'g':
		v *= 1024ULL * 1024 * 1024;
		end++;
		break;
	}
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end != '\0' || v == 0)
		return -1;
	*out = v;
	return 0;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Bytes in base64 (RFC 4648), without line breaks. */
void
base64_encode(struct strbuf *sb, const unsigned char *p, size_t n)
{
	size_t k;

	for (k = 0; k < n; k += 3) {
		unsigned int v = p[k] << 16;

		if (k + 1 < n)
			v |= p[k + 1] << 8;
		if (k + 2 < n)
			v |= p[k + 2];
		strbuf_addch(sb, b64[(v >> 18) & 63]);
		strbuf_addch(sb, b64[(v >> 12) & 63]);
		strbuf_addch(sb, k + 1 < n ? b64[(v >> 6) & 63] : '=');
		strbuf_addch(sb, k + 2 < n ? b64[v & 63] : '=');
	}
}
