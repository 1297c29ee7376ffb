-- Harness only: the old app (or better-auth) sets "user".image: an avatar key, a URL, or NULL.
UPDATE "user" SET image = $2, updated_at = now() WHERE id = $1
