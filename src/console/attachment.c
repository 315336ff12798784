/*
 * attachment.c — open an attachment in the viewer the agent's mailcap names:
 * its bytes go to a private temporary file (mkstemps under $TMPDIR, mode
 * 0600, a name made of the attachment's safe characters so that the viewer
 * knows its kind by the extension), then run-mailcap --action=view TYPE:FILE,
 * or, without run-mailcap, mailcap.viewer (default xdg-open). The file is
 * removed when the viewer returns; xdg-open returns at once while the program
 * it starts still reads the file, so those files are removed when the console
 * ends instead. Nothing goes through a shell: the name and the type come from
 * strangers.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "console.h"

static const char sql_content[] =
    "SELECT b.content FROM guichet.attachment x JOIN guichet.blob b ON b.sha256 = x.sha256"
    " WHERE x.id = $1::bigint";

static char **leftovers; /* files removed at exit (viewers that return at once) */
static size_t nleftovers;

/* Letters, digits, dot, dash and underscore of the name's last part; no leading dot; 60 bytes. */
static char *
tmp_name(const char *filename)
{
	const char *s = filename != NULL && *filename != '\0' ? filename : "attachment", *sep;
	char *out, *p;

	/* The last part of a path ("../x", "C:\\x"), without leading dots. */
	if ((sep = strrchr(s, '/')) != NULL)
		s = sep + 1;
	if ((sep = strrchr(s, '\\')) != NULL)
		s = sep + 1;
	while (*s == '.')
		s++;
	out = p = xmalloc(strlen(s) + 1);

	for (; *s != '\0' && p - out < 60; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '.' || c == '-' || c == '_')
			*p++ = (char)c;
		else if (c < 0x80 || (c & 0xC0) == 0xC0)
			*p++ = '_'; /* one _ per character, not per byte */
	}
	*p = '\0';
	if (out[0] == '.' || out[0] == '\0') {
		char *t;

		xasprintf(&t, "attachment%s", out);
		free(out);
		out = t;
	}
	return out;
}

/* A MIME type as mailcap reads it, or application/octet-stream. */
static const char *
safe_type(const char *type)
{
	const char *s;

	if (type == NULL || strchr(type, '/') == NULL || strlen(type) > 100)
		return "application/octet-stream";
	for (s = type; *s != '\0'; s++) {
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
			(*s >= '0' && *s <= '9') || strchr("/.+-_", *s) != NULL))
			return "application/octet-stream";
	}
	return type;
}

static bool
in_path(const char *program)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL, *full;
	bool found = false;

	if (path == NULL)
		return false;
	copy = xstrdup(path);
	for (dir = strtok_r(copy, ":", &save); dir != NULL && !found;
	     dir = strtok_r(NULL, ":", &save)) {
		xasprintf(&full, "%s/%s", *dir != '\0' ? dir : ".", program);
		found = access(full, X_OK) == 0;
		free(full);
	}
	free(copy);
	return found;
}

/* Run argv in the terminal, curses suspended; its exit status, or -1. */
static int
run_viewer(char *const *argv)
{
	struct sigaction sa, old_int, old_quit;
	pid_t pid;
	int status = -1;

	ui_suspend();
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGQUIT, &sa, &old_quit);
	if ((pid = fork()) == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid > 0)
		while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
			;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	ui_resume();
	if (pid < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The bytes in a new private file; its path, or NULL with *cause. */
static char *
write_private(const char *filename, const char *data, size_t len, char **cause)
{
	const char *dir = getenv("TMPDIR");
	char *name = tmp_name(filename), *path;
	int fd, suffix = (int)strlen(name) + 1;
	ssize_t w;
	size_t done = 0;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	xasprintf(&path, "%s/guichet-XXXXXX-%s", dir, name);
	free(name);
	if ((fd = mkstemps(path, suffix)) == -1) {
		xasprintf(cause, "%s: %s", dir, strerror(errno));
		free(path);
		return NULL;
	}
	while (done < len && (w = write(fd, data + done, len - done)) > 0)
		done += (size_t)w;
	if (done != len || close(fd) != 0) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		if (done != len)
			close(fd);
		unlink(path);
		free(path);
		return NULL;
	}
	return path;
}

int
attachment_open(long long attachment, const char *filename, const char *content_type)
{
	char id[32], *cause = NULL, *path, *spec;
	const char *params[1] = { id }, *viewer;
	PGresult *res;
	int r;

	snprintf(id, sizeof id, "%lld", attachment);
	if ((res = conn_call_binary("attachment", sql_content, 1, params, &cause)) == NULL) {
		ui_error("%s", cause);
		free(cause);
		return -1;
	}
	if (PQntuples(res) != 1) {
		PQclear(res);
		ui_error("%s", _("no such attachment"));
		return -1;
	}
	path = write_private(
	    filename, PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0), &cause);
	PQclear(res);
	if (path == NULL) {
		ui_error("%s", cause);
		free(cause);
		return -1;
	}
	if (in_path("run-mailcap")) {
		char *argv[] = { "run-mailcap", "--action=view", NULL, NULL };

		xasprintf(&spec, "%s:%s", safe_type(content_type), path);
		argv[2] = spec;
		r = run_viewer(argv);
		free(spec);
		unlink(path);
		free(path);
	} else {
		char *argv[] = { NULL, NULL, NULL };

		viewer = config_get_default(console.config, "mailcap.viewer", "xdg-open");
		argv[0] = (char *)viewer;
		argv[1] = path;
		r = run_viewer(argv);
		leftovers = xreallocarray(leftovers, nleftovers + 1, sizeof *leftovers);
		leftovers[nleftovers++] = path;
	}
	if (r != 0)
		ui_error(_("the viewer failed (%d): no mailcap entry for %s?"), r,
		    safe_type(content_type));
	return r == 0 ? 0 : -1;
}

/*
 * Ask for a file (Tab completes), check that it can be read, and add it to the
 * reply's list, beside the draft: do_reply (actions.c) sends the files with
 * the reply, and the list goes with the draft.
 */
int
attachment_attach(long long ticket)
{
	char *path, *list, *resolved, *dir;
	struct stat sb;
	FILE *f;
	int n = 0;
	char line[4096];

	if ((path = prompt_path(_("attach file:"), NULL)) == NULL || *path == '\0') {
		free(path);
		return -1;
	}
	if (path[0] == '~' && path[1] == '/' && getenv("HOME") != NULL) {
		char *full;

		xasprintf(&full, "%s%s", getenv("HOME"), path + 1);
		free(path);
		path = full;
	}
	if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) || access(path, R_OK) != 0) {
		ui_error("%s: %s", path, S_ISDIR(sb.st_mode) ? _("a directory") : strerror(errno));
		free(path);
		return -1;
	}
	resolved = realpath(path, NULL);
	list = draft_side_path(ticket, "attach");
	if (list != NULL && (dir = strrchr(list, '/')) != NULL) {
		*dir = '\0';
		(void)mkdir_p(list, 0700); /* fopen says what went wrong */
		*dir = '/';
	}
	if (list == NULL || resolved == NULL || (f = fopen(list, "a+")) == NULL) {
		ui_error("%s: %s", list != NULL ? list : path, strerror(errno));
		free(list);
		free(resolved);
		free(path);
		return -1;
	}
	fprintf(f, "%s\n", resolved);
	rewind(f);
	while (fgets(line, sizeof line, f) != NULL)
		n++;
	fclose(f);
	ui_message(ngettext("%s will be attached to the reply (%d file)",
		       "%s will be attached to the reply (%d files)", (unsigned long)n),
	    strrchr(resolved, '/') != NULL ? strrchr(resolved, '/') + 1 : resolved, n);
	free(list);
	free(resolved);
	free(path);
	return 0;
}

void
attachment_cleanup(void)
{
	size_t i;

	for (i = 0; i < nleftovers; i++) {
		unlink(leftovers[i]);
		free(leftovers[i]);
	}
	free(leftovers);
	leftovers = NULL;
	nleftovers = 0;
}

/* The content type of a file to attach, from its extension (the usual office kinds). */
static const char *
attach_type(const char *name)
{
	static const char *const types[][2] = {
		{ "pdf", "application/pdf" },
		{ "txt", "text/plain" },
		{ "csv", "text/csv" },
		{ "png", "image/png" },
		{ "jpg", "image/jpeg" },
		{ "jpeg", "image/jpeg" },
		{ "gif", "image/gif" },
		{ "odt", "application/vnd.oasis.opendocument.text" },
		{ "ods", "application/vnd.oasis.opendocument.spreadsheet" },
		{ "doc", "application/msword" },
		{ "docx",
		    "application/vnd.openxmlformats-officedocument.wordprocessingml.document" },
		{ "xls", "application/vnd.ms-excel" },
		{ "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" },
		{ "zip", "application/zip" },
	};
	const char *dot = strrchr(name, '.');
	size_t i;

	for (i = 0; dot != NULL && i < nitems(types); i++) {
		if (strcasecmp(dot + 1, types[i][0]) == 0)
			return types[i][1];
	}
	return "application/octet-stream";
}

/* One file of the list as a JSON object {name, type, data in base64}. */
static int
attach_one(struct strbuf *js, const char *path, size_t max, char **cause)
{
	const char *base = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
	struct stat sb;
	unsigned char *data;
	size_t got = 0;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL || fstat(fileno(f), &sb) != 0) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		if (f != NULL)
			fclose(f);
		return -1;
	}
	if ((size_t)sb.st_size > max) {
		xasprintf(cause, _("%s: larger than mail.max_attachment (%zu bytes)"), path, max);
		fclose(f);
		return -1;
	}
	data = xmalloc((size_t)sb.st_size + 1);
	got = fread(data, 1, (size_t)sb.st_size, f);
	fclose(f);
	if (got != (size_t)sb.st_size) {
		xasprintf(cause, _("%s: changed while it was read"), path);
		free(data);
		return -1;
	}
	strbuf_puts(js, "{\"name\":");
	json_string(js, base);
	strbuf_puts(js, ",\"type\":");
	json_string(js, attach_type(base));
	strbuf_puts(js, ",\"data\":\"");
	base64_encode(js, data, got);
	strbuf_puts(js, "\"}");
	free(data);
	return 0;
}

/*
 * The files waiting beside the ticket's reply draft, as reply()'s
 * p_attachments (a JSON array); NULL without a list. A file gone, unreadable
 * or over mail.max_attachment (default 10M) stops the reply: -1 and *cause.
 */
int
attachment_reply_files(long long ticket, char **json, char **cause)
{
	const char *limit = config_get_default(console.config, "mail.max_attachment", "10M");
	char *list = draft_side_path(ticket, "attach"), line[4096];
	struct strbuf js;
	size_t max, n = 0;
	FILE *f;
	int rc = 0;

	*json = NULL;
	if (parse_size(limit, &max) != 0) {
		xasprintf(cause, _("mail.max_attachment: \"%s\" is not a size"), limit);
		free(list);
		return -1;
	}
	if (list == NULL || (f = fopen(list, "r")) == NULL) {
		free(list);
		return 0;
	}
	strbuf_init(&js);
	strbuf_addch(&js, '[');
	while (rc == 0 && fgets(line, sizeof line, f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (*line == '\0')
			continue;
		if (n++ > 0)
			strbuf_addch(&js, ',');
		rc = attach_one(&js, line, max, cause);
	}
	fclose(f);
	free(list);
	strbuf_addch(&js, ']');
	if (rc != 0 || n == 0) {
		strbuf_free(&js);
		return rc;
	}
	*json = strbuf_detach(&js);
	return 0;
}
