#include "config.h"
#include "common.h"
#include "mail.h"
int
source_imap_open(struct source *src, const char *url, char **cause)
{
	xasprintf(cause, "IMAP: not yet");
	return -1;
}
