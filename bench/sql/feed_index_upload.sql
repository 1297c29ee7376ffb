-- An upload: one storage row, committed on its own (as the app's upload handler writes it).
-- $1 id, $2 file_key, $3 organization id.
INSERT INTO storage (id, file_key, file_name, content_type, size, organization_id)
VALUES ($1, $2, 'f.jpg', 'image/jpeg', 1000, $3);
