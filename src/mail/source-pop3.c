#include "config.h"
#include "common.h"
#include "mail.h"
int
source_pop3_open(struct source *src, const char *url, char **cause)
{
	xasprintf(cause, "POP3: not yet");
	return -1;
}
