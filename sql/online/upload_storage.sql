-- Harness only: the app records an upload. Each key is new, so no row's mapping changes.
INSERT INTO storage (id, file_key, file_name, content_type, size, user_id, organization_id)
VALUES ($1, $2, $3, 'image/jpeg', $4, $5, $6)
