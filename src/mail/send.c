#include "config.h"
#include "common.h"
#include "mail.h"
int
send_run(const struct mail_options *o)
{
	return EX_SOFTWARE;
}
