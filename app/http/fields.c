/* fields.c - the declared-field checker; see fields.h. */
#include "config.h"

#include "http/fields.h"
#include "http/req.h"
#include "lib/arena.h"
#include "lib/form.h"
#include "lib/i18n.h"

static enum app_err
field_fail(struct req *r, const struct field *f, const char *why)
{
	r->reason = why;
	r->reason_arg = f->name;
	return APP_EINPUT;
}

enum app_err
fields_check(struct req *r, const struct field *fields, size_t n)
{
	const struct kvlist *src;
	const struct kv     *kv;
	size_t               i;

	r->fields = arena_calloc(r->arena, n ? n : 1, sizeof(*r->fields));
	if (r->fields == NULL)
		return APP_ENOMEM;
	r->nfields = n;
	for (i = 0; i < n; i++) {
		src = fields[i].src == FIELD_QUERY ? &r->query : &r->form;
		if ((kv = kv_find(src, fields[i].name)) == NULL) {
			if (fields[i].required)
				return field_fail(r, &fields[i],
				    N_("the field %s is missing"));
			continue;
		}
		if (kv_count(src, fields[i].name) > 1)
			return field_fail(r, &fields[i],
			    N_("the field %s is given twice"));
		if (kv->vlen > fields[i].max_len)
			return field_fail(r, &fields[i],
			    N_("the field %s is too long"));
		if (!fields[i].valid(kv->val, kv->vlen))
			return field_fail(r, &fields[i],
			    N_("the field %s is not valid"));
		r->fields[i] = kv->val;
	}
	return APP_OK;
}
