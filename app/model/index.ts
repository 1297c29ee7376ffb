// The app's model layer on Drizzle (Phase 2) and its response mapping (Phase 3). Copy app/model/
// into the app beside app/schema/; it takes any Drizzle PostgreSQL database handle.
export * from './errors.ts';
export { newId, type Db } from './db.ts';
export * from './posts.ts';
export * from './feed.ts';
export * from './users.ts';
export * from './files.ts';
export * from './response.ts';
