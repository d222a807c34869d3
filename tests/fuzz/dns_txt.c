/*
 * dns_txt.c - fuzzes the reader of a DNS answer for a domain's TXT
 * records (dns_txt_parse), the bytes a DNS server sends for domain
 * verification.  A message it cannot read is an error with a reason; from
 * one it can, it keeps the TXT records of class IN at the name asked for,
 * each no longer than the message that held it.
 */
#include "config.h"

#include "fuzz.h"
#include "proto/dns.h"

#define NAME "example.org"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_txt  txt;
	enum dns_result r;
	char            why[256] = "";
	size_t          i;

	r = dns_txt_parse(data, size, NAME, &txt, why, sizeof(why));
	FUZZ_CHECK(r == DNS_RECORDS || r == DNS_NODATA || r == DNS_ERROR);
	FUZZ_CHECK(strcmp(dns_result_name(r), "error") != 0 || r == DNS_ERROR);
	if (r == DNS_ERROR) {
		FUZZ_CHECK(why[0] != '\0' && strlen(why) < sizeof(why));
		return 0;
	}
	FUZZ_CHECK((r == DNS_RECORDS) == (txt.total > 0));
	FUZZ_CHECK(
	    txt.n == (txt.total < DNS_TXT_MAX ? txt.total : DNS_TXT_MAX));
	for (i = 0; i < txt.n; i++)
		FUZZ_CHECK(txt.rec[i].len < size);
	return 0;
}
