/*
 * token.h - random tokens and their hashes (libsodium): session, browser
 * binding, CSRF, login-state and API tokens are made here, and looked up
 * by their SHA-256 so that a leaked table is no credential.  Strings come
 * from the caller's arena.
 */
#ifndef MM_TOKEN_H
#define MM_TOKEN_H

struct arena;

#define TOKEN_B64_LEN 43 /* 32 bytes, base64url without padding */

/* 32 random bytes as base64url (arena); NULL when out of memory. */
char *random_token(struct arena *);
/* Lower-case hex SHA-256 of s (arena), for looking tokens up; NULL for
 * NULL or when out of memory. */
char *token_hash_hex(struct arena *, const char *s);

#endif
