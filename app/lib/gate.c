/* gate.c - the process's bound on expensive work; see gate.h. */
#include "config.h"

#include <stddef.h>

#include "lib/gate.h"

static gate_enter_fn *enter_fn;
static gate_leave_fn *leave_fn;
static void          *gate_ctx;

void
gate_install(gate_enter_fn *enter, gate_leave_fn *leave, void *ctx)
{
	enter_fn = enter;
	leave_fn = leave;
	gate_ctx = ctx;
}

int
gate_enter(unsigned int wait_ms)
{
	return enter_fn != NULL ? enter_fn(gate_ctx, wait_ms) : 0;
}

void
gate_leave(void)
{
	if (leave_fn != NULL)
		leave_fn(gate_ctx);
}
