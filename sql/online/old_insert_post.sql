-- Harness only: the old app creates a post with an image key (or none).
INSERT INTO posts (id, organization_id, user_id, content, image_key) VALUES ($1, $2, $3, $4, $5)
