-- Harness only: a plain post insert, valid in every state of the pack (no image column). Its
-- foreign keys lock the author's "user" row and the organization row after posts itself: the
-- app's own lock order, posts before "user".
INSERT INTO posts (id, organization_id, user_id, content) VALUES ($1, $2, $3, $4)
