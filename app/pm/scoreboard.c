/* scoreboard.c - the shared scoreboard; see scoreboard.h. */
#include "config.h"

#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pm/scoreboard.h"

static void
sb_name(char *buf, size_t bufsz, pid_t master)
{
	snprintf(buf, bufsz, "/membermail.%ld", (long)master);
}

struct scoreboard *
sb_create(pid_t master)
{
	char               name[64];
	struct scoreboard *sb;
	int                fd, saved;

	sb_name(name, sizeof(name), master);
	(void)shm_unlink(name); /* a stale one of a recycled pid */
	if ((fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
		 0600)) == -1)
		return NULL;
	if (ftruncate(fd, sizeof(*sb)) == -1) {
		saved = errno;
		close(fd);
		shm_unlink(name);
		errno = saved;
		return NULL;
	}
	sb = mmap(NULL, sizeof(*sb), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	saved = errno;
	close(fd);
	if (sb == MAP_FAILED) {
		shm_unlink(name);
		errno = saved;
		return NULL;
	}
	memset(sb, 0, sizeof(*sb));
	sb->magic = SB_MAGIC;
	sb->version = SB_VERSION;
	sb->master_pid = master;
	sb->start_ms = sb_now_ms();
	return sb;
}

const struct scoreboard *
sb_open(pid_t master)
{
	const struct scoreboard *sb;
	char                     name[64];
	struct stat              st;
	void                    *p;
	int                      fd, saved;

	sb_name(name, sizeof(name), master);
	if ((fd = shm_open(name, O_RDONLY | O_CLOEXEC, 0)) == -1)
		return NULL;
	if (fstat(fd, &st) == -1 || st.st_size != (off_t)sizeof(*sb)) {
		close(fd);
		errno = EPROTO;
		return NULL;
	}
	p = mmap(NULL, sizeof(*sb), PROT_READ, MAP_SHARED, fd, 0);
	saved = errno;
	close(fd);
	errno = saved;
	if (p == MAP_FAILED)
		return NULL;
	sb = p;
	if (sb->magic != SB_MAGIC || sb->version != SB_VERSION) {
		sb_close(sb);
		errno = EPROTO;
		return NULL;
	}
	return sb;
}

void
sb_close(const struct scoreboard *sb)
{
	if (sb != NULL)
		munmap((void *)(uintptr_t)sb, sizeof(*sb));
}

void
sb_destroy(struct scoreboard *sb, pid_t master)
{
	char name[64];

	sb_name(name, sizeof(name), master);
	sb_close(sb);
	(void)shm_unlink(name);
}

static uint64_t
ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t
sb_now_ms(void)
{
	return ms(CLOCK_REALTIME);
}

uint64_t
sb_mono_ms(void)
{
	return ms(CLOCK_MONOTONIC);
}

void
sb_count(const struct scoreboard *sb, enum sb_pool pool, uint32_t n[5])
{
	int i, st;

	memset(n, 0, 5 * sizeof(n[0]));
	for (i = 0; i < SB_MAX_WORKERS; i++) {
		st = sb->workers[i].state;
		if (sb->workers[i].pid != 0 &&
		    sb->workers[i].pool == (int32_t)pool && st >= 0 && st < 5)
			n[st]++;
	}
}

static uint32_t
pwhash_running(const struct scoreboard *sb)
{
	uint32_t n = 0;
	int      i;

	for (i = 0; i < SB_MAX_WORKERS; i++)
		n += __atomic_load_n(&sb->workers[i].pwhash, __ATOMIC_SEQ_CST);
	return n;
}

int
sb_pwhash_enter(struct scoreboard *sb, int slot, unsigned int wait_ms)
{
	uint32_t       *mine = &sb->workers[slot].pwhash;
	uint64_t        deadline = sb_mono_ms() + wait_ms;
	struct timespec pause;

	for (;;) {
		__atomic_store_n(mine, 1, __ATOMIC_SEQ_CST);
		if (pwhash_running(sb) <= sb->pwhash_limit)
			return 0;
		__atomic_store_n(mine, 0, __ATOMIC_SEQ_CST);
		if (sb_mono_ms() >= deadline)
			return -1;
		/* 5..20 ms, different per slot and per try. */
		pause.tv_sec = 0;
		pause.tv_nsec =
		    (long)(5 + (sb_mono_ms() * 7 + (uint64_t)slot * 13) % 16) *
		    1000000L;
		nanosleep(&pause, NULL);
	}
}

void
sb_pwhash_leave(struct scoreboard *sb, int slot)
{
	__atomic_store_n(&sb->workers[slot].pwhash, 0, __ATOMIC_SEQ_CST);
}
