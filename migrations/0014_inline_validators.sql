-- 0014_inline_validators.sql - the CHECK constraints' validators without
-- their SET search_path, so that PostgreSQL inlines them.
--
-- A function with a SET clause is never inlined: each call sets and resets
-- the option and runs the function through the SQL-function executor,
-- compiling its body again for every row.  Those calls were most of what
-- inserting an alias or an outbox row cost (a first sync writes 11,000 of
-- each: 910 ms of aliases became 500, 357 ms of outbox rows 145).  These
-- bodies are SQL-standard ones (RETURN ...): PostgreSQL parses them when
-- they are created and keeps what each name resolved to, so search_path
-- at call time cannot reach them and the clause protected nothing.  The
-- functions with text bodies ($$ ... $$) are parsed at call time and keep
-- theirs.  The program needs nothing of this migration (DB_SCHEMA_VERSION
-- stays 13): it changes speed, not what is accepted.

ALTER FUNCTION mm_is_line(text, integer) RESET search_path;
ALTER FUNCTION mm_valid_lp_name(text) RESET search_path;
ALTER FUNCTION mm_valid_domain(text) RESET search_path;
ALTER FUNCTION mm_valid_local_part(text) RESET search_path;
ALTER FUNCTION mm_valid_address(text) RESET search_path;
ALTER FUNCTION mm_valid_recipients(text[]) RESET search_path;
ALTER FUNCTION mm_plausible_address(text) RESET search_path;
ALTER FUNCTION mm_plausible_addresses(text[]) RESET search_path;
