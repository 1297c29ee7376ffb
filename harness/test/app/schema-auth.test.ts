// app/schema/auth.ts is better-auth's own generated schema (Drizzle adapter, organization plugin),
// and every state the app deploys with "user".image passes better-auth 1.7.25's schema check.
import { schemaCheckFor } from '@better-auth/core/db/internal';
import { drizzleAdapter } from 'better-auth/adapters/drizzle';
import { createTableRelationsHelpers, extractTablesRelationalConfig } from 'drizzle-orm';
import { organization } from 'better-auth/plugins';
import { describe, expect, it } from 'vitest';
import * as after from '../../../app/schema/states/after.ts';
import * as afterDrop from '../../../app/schema/states/after-drop.ts';
import * as before from '../../../app/schema/states/before.ts';
import * as transition from '../../../app/schema/states/transition.ts';
import { CONFIG, drizzleKit } from './drizzle-kit.ts';

const exportOf = async (schema: string) => {
  const r = await drizzleKit(['export', '--config', CONFIG], { DRIZZLE_SCHEMA: schema });
  expect(r.code, r.out).toBe(0);
  return r.out;
};

/** Resolves when better-auth's Drizzle adapter accepts `schema`; rejects with its SchemaMismatchError. */
async function betterAuthAccepts(schema: Record<string, unknown>, withImageId: boolean): Promise<void> {
  const options = {
    plugins: [organization()],
    // The app's new column, as README "better-auth" configures it.
    ...(withImageId ? { user: { additionalFields: { imageId: { type: 'string' as const, required: false, fieldName: 'imageId' } } } } : {}),
  };
  const adapter = drizzleAdapter({}, { provider: 'pg', schema })(options);
  await schemaCheckFor(adapter)!();
}

describe('app/schema/auth.ts', () => {
  it("gives drizzle-kit exactly the tables of better-auth's generated file (app/schema/generate/auth-schema.generated.ts)", async () => {
    const generated = await exportOf('./app/schema/generate/auth-schema.generated.ts');
    expect(generated).toMatch(/CREATE TABLE "invitation"/);
    expect(await exportOf('./app/schema/auth.ts')).toBe(generated);
  });

  it("passes better-auth's schema check before the pack, without the imageId field", async () => {
    await expect(betterAuthAccepts(before, false)).resolves.toBeUndefined();
  });

  it("passes better-auth's schema check in the transition and after the pack, with additionalFields.imageId", async () => {
    await expect(betterAuthAccepts(transition, true)).resolves.toBeUndefined();
    await expect(betterAuthAccepts(after, true)).resolves.toBeUndefined();
  });

  it('after the opt-in drop of "user".image, better-auth\'s default config is refused (why the drop is opt-in)', async () => {
    await expect(betterAuthAccepts(afterDrop, true)).rejects.toThrow(/image/);
  });
});

it("every state's \"user\" carries better-auth's generated relations (Drizzle matches them by table name)", () => {
  for (const state of [before, transition, after, afterDrop]) {
    const { tables } = extractTablesRelationalConfig(state, createTableRelationsHelpers);
    expect(Object.keys(tables.user.relations).sort()).toEqual(['accounts', 'invitations', 'members', 'sessions']);
    expect(tables.session.relations.user.referencedTableName).toBe('user');
    expect(tables.user.columns).toHaveProperty(state === before ? 'image' : 'imageId');
  }
});
