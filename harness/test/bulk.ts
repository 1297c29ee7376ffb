// A quick bulk dataset in plain SQL for the fault tests (the realistic one is seeds/).
import { connect } from './db.ts';

/** posts must be a multiple of 20, so that each post's key is a storage row of its own organization. */
export async function bulkPosts(url: string, posts: number): Promise<void> {
  const c = await connect(url);
  try {
    await c.query(`
      INSERT INTO organization (id, name, slug, created_at) SELECT 'org' || g, 'Org ' || g, 'org' || g, now() FROM generate_series(1, 10) g;
      INSERT INTO "user" (id, name, email, image)
        SELECT 'u' || g, 'User ' || g, 'u' || g || '@x.test',
               CASE g % 3 WHEN 0 THEN 'users/u' || g || '/avatar.png' WHEN 1 THEN 'https://lh3.example/' || g END
          FROM generate_series(1, 1000) g;
      INSERT INTO storage (id, file_key, file_name, content_type, size, user_id, organization_id, created_at)
        SELECT 's' || g, 'org/org' || (g % 10 + 1) || '/posts/' || g || '.jpg', g || '.jpg', 'image/jpeg', 1000,
               'u' || (g % 1000 + 1), 'org' || (g % 10 + 1), timestamptz '2025-01-01' + g * interval '1 minute'
          FROM generate_series(0, $1::int / 2 - 1) g;
      INSERT INTO storage (id, file_key, file_name, content_type, size, user_id, created_at)
        SELECT 'sa' || g, 'users/u' || g || '/avatar.png', 'a.png', 'image/png', 10, 'u' || g, '2025-01-01'
          FROM generate_series(3, 1000, 3) g;
      INSERT INTO posts (id, organization_id, user_id, content, image_key)
        SELECT 'p' || lpad(g::text, 8, '0'), 'org' || (g % 10 + 1), 'u' || (g % 1000 + 1), 'post ' || g,
               CASE WHEN g % 5 = 0 THEN NULL
                    WHEN g % 7 = 0 THEN 'org/missing/' || g || '.jpg'
                    ELSE 'org/org' || (g % 10 + 1) || '/posts/' || (g % ($1::int / 2)) || '.jpg' END
          FROM generate_series(1, $1::int) g;
      ANALYZE;`.replaceAll('$1::int', String(Math.trunc(posts))));
  } finally {
    await c.end();
  }
}
