// The better-auth setup that app/schema/auth.ts is generated from: the Drizzle adapter (pg) with
// the organization plugin, nothing else. Only the generator reads it; it never connects.
import { betterAuth } from 'better-auth';
import { drizzleAdapter } from 'better-auth/adapters/drizzle';
import { organization } from 'better-auth/plugins';
import { drizzle } from 'drizzle-orm/node-postgres';

export const auth = betterAuth({
  database: drizzleAdapter(drizzle('postgres://generator.invalid/none'), { provider: 'pg' }),
  plugins: [organization()],
});
