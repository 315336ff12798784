/*
 * editor.c — $EDITOR and $PAGER outside curses, and the drafts.
 *
 * A note or a reply is written straight into its draft file,
 * $XDG_STATE_HOME/guichet/drafts/TICKET-KIND.md, so that what the agent typed
 * survives a lost connection, a refused (stale) write, a crash of the console or
 * of the terminal: the file is removed only once the server accepted the text, and
 * the next note or reply on that ticket offers to resume it.
 *
 * The editor is $VISUAL, $EDITOR, console.editor, then Debian's
 * sensible-editor when installed (the system's chosen editor), then vi; the
 * pager $PAGER, then sensible-pager, then less. A preview goes through a file
 * made with mkstemp (mode 0600) under $TMPDIR, /tmp by default.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "console.h"

#define DRAFT_MAX (4 * 1024 * 1024)

static char *
drafts_dir(void)
{
	return xdg_path("state", "guichet/drafts");
}

char *
draft_path(long long ticket, const char *kind)
{
	char *dir = drafts_dir(), *path;

	if (dir == NULL)
		return NULL;
	xasprintf(&path, "%s/%lld-%s.md", dir, ticket, kind);
	free(dir);
	return path;
}

bool
draft_exists(long long ticket, const char *kind)
{
	char *path = draft_path(ticket, kind);
	struct stat sb;
	bool yes;

	yes = path != NULL && stat(path, &sb) == 0 && sb.st_size > 0;
	free(path);
	return yes;
}

static char *
read_file(const char *path, char **cause)
{
	struct strbuf sb;
	char buf[8192];
	size_t n;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return NULL;
	}
	strbuf_init(&sb);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
		strbuf_add(&sb, buf, n);
		if (sb.len > DRAFT_MAX) {
			fclose(f);
			strbuf_free(&sb);
			xasprintf(cause, _("%s: longer than 4 MB"), path);
			return NULL;
		}
	}
	fclose(f);
	return strbuf_detach(&sb);
}

static int
write_file(const char *path, const char *text, char **cause)
{
	FILE *f;
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1 ||
	    (f = fdopen(fd, "w")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	fputs(text, f);
	if (fclose(f) != 0) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * What goes with a reply draft, each in a file beside it (TICKET-reply.EXT)
 * so that it lives exactly as long as the draft does: through a postponed
 * reply or a crash, gone once the reply is sent. "kb": the knowledge-base
 * article the text came from; "template": the template it started from;
 * "attach": the files to attach, one path a line (attachment.c).
 */
char *
draft_side_path(long long ticket, const char *ext)
{
	char *dir = drafts_dir(), *path;

	if (dir == NULL)
		return NULL;
	xasprintf(&path, "%s/%lld-reply.%s", dir, ticket, ext);
	free(dir);
	return path;
}

void
draft_set_number(long long ticket, const char *ext, long long n)
{
	char *path = draft_side_path(ticket, ext), *cause = NULL, text[32];

	if (path == NULL)
		return;
	/* Written before the draft may be: the directory too. */
	*strrchr(path, '/') = '\0';
	(void)mkdir_p(path, 0700); /* write_file says what went wrong */
	path[strlen(path)] = '/';
	snprintf(text, sizeof text, "%lld\n", n);
	if (write_file(path, text, &cause) != 0) {
		log_warn("%s", cause);
		free(cause);
	}
	free(path);
}

long long
draft_number(long long ticket, const char *ext)
{
	char *path = draft_side_path(ticket, ext), buf[32];
	long long n = 0;
	FILE *f;

	if (path != NULL && (f = fopen(path, "r")) != NULL) {
		if (fgets(buf, sizeof buf, f) != NULL) {
			buf[strcspn(buf, "\n")] = '\0';
			if (parse_int(buf, 1, INT32_MAX, &n) != 0)
				n = 0;
		}
		fclose(f);
	}
	free(path);
	return n;
}

void
draft_done(long long ticket, const char *kind)
{
	static const char *const sides[] = { "kb", "template", "attach" };
	char *path = draft_path(ticket, kind);
	size_t i;

	if (path != NULL && unlink(path) != 0 && errno != ENOENT)
		log_warn("%s", path);
	free(path);
	for (i = 0; strcmp(kind, "reply") == 0 && i < nitems(sides); i++) {
		if ((path = draft_side_path(ticket, sides[i])) == NULL)
			continue;
		if (unlink(path) != 0 && errno != ENOENT)
			log_warn("%s", path);
		free(path);
	}
}

/* path in single quotes for sh: ' becomes '\'' */
static char *
shell_quote(const char *path)
{
	struct strbuf sb;
	const char *s;

	strbuf_init(&sb);
	strbuf_addch(&sb, '\'');
	for (s = path; *s != '\0'; s++) {
		if (*s == '\'')
			strbuf_puts(&sb, "'\\''");
		else
			strbuf_addch(&sb, *s);
	}
	strbuf_addch(&sb, '\'');
	return strbuf_detach(&sb);
}

/* Run a command line with one file argument, outside curses; its exit status. */
static int
run_with_file(const char *command, const char *path)
{
	pid_t pid;
	int status;
	char *quoted, *line;
	struct sigaction sa, old_int, old_quit;

	quoted = shell_quote(path);
	xasprintf(&line, "%s %s", command, quoted);
	free(quoted);
	ui_suspend();
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGQUIT, &sa, &old_quit);
	pid = fork();
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		/* As mutt: the command is a shell line, so EDITOR="vim -c 'set tw=72'" works. */
		execl("/bin/sh", "sh", "-c", line, (char *)NULL);
		_exit(127);
	}
	status = -1;
	if (pid > 0) {
		while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
			;
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	free(line);
	ui_resume();
	if (pid < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Is there an executable called name in $PATH, as the shell would find it? */
static bool
on_path(const char *name)
{
	const char *path = getenv("PATH"), *p, *end;
	char *file;
	bool found = false;

	if (path == NULL || *path == '\0')
		path = "/usr/bin:/bin";
	for (p = path; !found; p = end + 1) {
		end = strchr(p, ':');
		if (end == NULL)
			end = p + strlen(p);
		/* An empty entry is the current directory, as in sh. */
		xasprintf(&file, "%.*s%s%s", (int)(end - p), p, end > p ? "/" : "", name);
		found = access(file, X_OK) == 0;
		free(file);
		if (*end == '\0')
			break;
	}
	return found;
}

/* An environment variable's value, or NULL when unset or empty. */
static const char *
env_nonempty(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

int
run_editor(const char *path)
{
	const char *editor;

	if ((editor = env_nonempty("VISUAL")) == NULL &&
	    (editor = env_nonempty("EDITOR")) == NULL &&
	    (editor = config_get(console.config, "console.editor")) == NULL)
		editor = on_path("sensible-editor") ? "sensible-editor" : "vi";
	return run_with_file(editor, path);
}

/*
 * A temporary file under $TMPDIR (else /tmp) holding text, made by mkstemp
 * (mode 0600, a name nobody can guess or take first) and written through that
 * descriptor, never reopened by name. Returns the path, or NULL with *cause.
 */
static char *
temp_file(const char *text, char **cause)
{
	const char *dir = env_nonempty("TMPDIR");
	char *path;
	FILE *f;
	int fd;

	if (dir == NULL || *dir != '/')
		dir = "/tmp";
	xasprintf(&path, "%s/guichet-preview-XXXXXX", dir);
	if ((fd = mkstemp(path)) == -1 || (f = fdopen(fd, "w")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		if (fd != -1) {
			close(fd);
			unlink(path);
		}
		free(path);
		return NULL;
	}
	fputs(text, f);
	if (fclose(f) != 0) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		unlink(path);
		free(path);
		return NULL;
	}
	return path;
}

int
run_pager_text(const char *text)
{
	const char *pager;
	char *path, *cause = NULL;
	int r;

	if ((path = temp_file(text, &cause)) == NULL) {
		ui_error("%s", cause);
		free(cause);
		return -1;
	}
	if ((pager = env_nonempty("PAGER")) == NULL)
		pager = on_path("sensible-pager") ? "sensible-pager" : "less";
	r = run_with_file(pager, path);
	unlink(path);
	free(path);
	return r;
}

static bool
blank(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

char *
draft_edit(long long ticket, const char *kind, const char *initial, char **cause)
{
	char *dir, *path, *text;
	struct stat sb;

	if ((dir = drafts_dir()) == NULL || (path = draft_path(ticket, kind)) == NULL) {
		free(dir);
		*cause = xstrdup(_("no home directory for the drafts"));
		return NULL;
	}
	if (mkdir_p(dir, 0700) != 0) {
		xasprintf(cause, "%s: %s", dir, strerror(errno));
		free(dir);
		free(path);
		return NULL;
	}
	free(dir);
	if (stat(path, &sb) != 0 && write_file(path, initial != NULL ? initial : "", cause) != 0) {
		free(path);
		return NULL;
	}
	if (run_editor(path) != 0) {
		xasprintf(cause, _("the editor failed; the draft is kept in %s"), path);
		free(path);
		return NULL;
	}
	text = read_file(path, cause);
	if (text != NULL && blank(text)) {
		/* An empty text is how one gives up, as in mutt. */
		unlink(path);
		free(text);
		text = NULL;
		*cause = xstrdup(_("empty text: nothing sent"));
	}
	free(path);
	return text;
}

/* How many drafts wait, and a short list "#12 note, #40 reply" for the message line. */
int
drafts_count(char **summary)
{
	char *dir = drafts_dir();
	struct dirent *de;
	struct strbuf sb;
	DIR *d;
	int n = 0;

	*summary = NULL;
	if (dir == NULL || (d = opendir(dir)) == NULL) {
		free(dir);
		return 0;
	}
	strbuf_init(&sb);
	while ((de = readdir(d)) != NULL) {
		long long id;
		char kind[32];
		int end = 0;

		/* Only drafts: not the files that go with a reply draft. */
		if (sscanf(de->d_name, "%lld-%31[a-z]%n", &id, kind, &end) != 2 ||
		    strcmp(de->d_name + end, ".md") != 0)
			continue;
		if (n < 5 && id == 0)
			strbuf_printf(&sb, "%s%s", n ? ", " : "",
			    strcmp(kind, "new") == 0 ? _("a new ticket") :
						       _("a note for tagged tickets"));
		else if (n < 5)
			strbuf_printf(&sb, "%s#%lld %s", n ? ", " : "", id, kind);
		n++;
	}
	closedir(d);
	free(dir);
	if (n > 5)
		strbuf_printf(&sb, ", …");
	*summary = strbuf_detach(&sb);
	return n;
}
