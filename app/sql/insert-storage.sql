-- The storage row of a new upload, written before the client PUTs the object (so an upload that
-- never arrives leaves a row with no object: `make storage-audit` lists it as a pending upload
-- while it is younger than AUDIT_GRACE, and as a missing object after that).
--   $1 id, $2 file_key, $3 file_name, $4 content_type, $5 size, $6 user_id, $7 organization_id
INSERT INTO storage (id, file_key, file_name, content_type, size, user_id, organization_id)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING id, file_key, created_at;
