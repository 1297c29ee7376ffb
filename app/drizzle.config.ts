// drizzle-kit's config for the app. Run from the repository root:
//   DATABASE_URL=… npx drizzle-kit push --config app/drizzle.config.ts
// DRIZZLE_SCHEMA picks another deployed state's schema (app/schema/states/*.ts); the default is
// the app's schema after the pack.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: process.env.DRIZZLE_SCHEMA ?? './app/schema/index.ts',
  out: './app/drizzle',
  dbCredentials: { url: process.env.DATABASE_URL ?? '' },
  // The pack's own tables are none of the app's business: drizzle-kit must neither drop nor
  // generate them. (node-pg-migrate's table lives in its own schema, out of schemaFilter.)
  schemaFilter: ['public'],
  tablesFilter: ['!posts_image_key_archive', '!user_image_archive', '!user_image_dropped', '!pgmigrations'],
});
