/*
 * test_pwhash_gate.c - the scoreboard's bound on Argon2id derivations
 * (sb_pwhash_enter): processes racing for it never exceed the limit, a
 * full gate times out, and a holder that dies frees its place once the
 * master clears its slot.
 */
#include "config.h"

#include <sys/mman.h>
#include <sys/wait.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pm/scoreboard.h"
#include "test.h"

#define RACERS 8
#define ROUNDS 25

/* What the racers share besides the scoreboard. */
struct shared {
	uint32_t inside, most, refused;
};

static void
pause_us(long us)
{
	struct timespec ts = { 0, us * 1000 };

	nanosleep(&ts, NULL);
}

static void
racer(struct scoreboard *sb, struct shared *sh, int slot)
{
	uint32_t now, most;
	int      i;

	for (i = 0; i < ROUNDS; i++) {
		if (sb_pwhash_enter(sb, slot, 5000) != 0) {
			__atomic_add_fetch(&sh->refused, 1, __ATOMIC_SEQ_CST);
			continue;
		}
		now = __atomic_add_fetch(&sh->inside, 1, __ATOMIC_SEQ_CST);
		most = __atomic_load_n(&sh->most, __ATOMIC_SEQ_CST);
		while (now > most &&
		    !__atomic_compare_exchange_n(&sh->most, &most, now, 0,
			__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			;
		pause_us(2000);
		__atomic_sub_fetch(&sh->inside, 1, __ATOMIC_SEQ_CST);
		sb_pwhash_leave(sb, slot);
	}
	_exit(0);
}

static void *
shared_map(size_t n)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		abort();
	memset(p, 0, n);
	return p;
}

static void
test_race(void)
{
	struct scoreboard *sb = shared_map(sizeof(*sb));
	struct shared     *sh = shared_map(sizeof(*sh));
	int                i, status, ok = 0;

	sb->pwhash_limit = 2;
	for (i = 0; i < RACERS; i++)
		if (fork() == 0)
			racer(sb, sh, i);
	for (i = 0; i < RACERS; i++)
		if (wait(&status) > 0 && WIFEXITED(status) &&
		    WEXITSTATUS(status) == 0)
			ok++;
	CHECK_INT(ok, RACERS, "every racer ran");
	CHECK_INT(sh->refused, 0, "none timed out");
	CHECK(sh->most <= 2, "never more than the limit inside: %u", sh->most);
	CHECK_INT(sh->most, 2, "and the limit was used");
	munmap(sb, sizeof(*sb));
	munmap(sh, sizeof(*sh));
}

static void
test_full_and_dead(void)
{
	struct scoreboard *sb = shared_map(sizeof(*sb));
	pid_t              pid;
	int                status;

	sb->pwhash_limit = 1;
	if ((pid = fork()) == 0)
		_exit(
		    sb_pwhash_enter(sb, 3, 100) == 0 ? 0 : 1); /* dies inside */
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "the holder got in");
	CHECK_INT(sb_pwhash_enter(sb, 4, 60), -1,
	    "full: refused after the wait");
	memset(&sb->workers[3], 0,
	    sizeof(sb->workers[3])); /* the master's reap */
	CHECK_INT(sb_pwhash_enter(sb, 4, 60), 0,
	    "the dead holder's place is free");
	CHECK_INT(sb_pwhash_enter(sb, 5, 30), -1, "and taken again");
	sb_pwhash_leave(sb, 4);
	CHECK_INT(sb_pwhash_enter(sb, 5, 30), 0, "until left");
	munmap(sb, sizeof(*sb));
}

int
main(void)
{
	test_race();
	test_full_and_dead();
	return test_done("test_pwhash_gate");
}
