-- Harness only: the new app creates a post with an image by storage id (or none).
INSERT INTO posts (id, organization_id, user_id, content, image_id) VALUES ($1, $2, $3, $4, $5)
