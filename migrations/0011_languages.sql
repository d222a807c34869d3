-- 0011_languages.sql - the language each person reads membermail in.
--
-- users.lang: the language a signed-in member chose with the language
-- switch (a BCP 47 tag such as 'fi' or 'pt-BR'); NULL until they choose,
-- and then the pages follow their browser (the switch's cookie, else
-- Accept-Language).  Their e-mail is written in it.
-- domains.default_lang: the language of a domain's e-mail to someone who
-- chose none (its admins, members who never used the switch); set by a
-- site admin.  Which tags the site can show is the deployment's (the
-- catalogues it installs), so the database checks only their form; a tag
-- without a catalogue is read as English.
ALTER TABLE users ADD COLUMN lang text,
    ADD CONSTRAINT users_lang_check
        CHECK (lang ~ '^[a-z]{2,3}(-[A-Z]{2})?$');
ALTER TABLE domains ADD COLUMN default_lang text NOT NULL DEFAULT 'en',
    ADD CONSTRAINT domains_default_lang_check
        CHECK (default_lang ~ '^[a-z]{2,3}(-[A-Z]{2})?$');
