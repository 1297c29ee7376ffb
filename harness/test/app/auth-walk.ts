// One scratch database walks every state of the pack, up through each migration and back down
// to the baseline; at each state the old app (no image_id) and, once the column exists, the new
// app (additionalFields.imageId) run the better-auth battery on one adapter. auth-pg.test.ts and
// auth-drizzle.test.ts each walk one adapter, so the two files run side by side.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { baselineDb, connect, applied } from '../db.ts';
import { migrate } from '../../../lib/migrate.ts';
import { names, stepNamed, stepsOf } from '../../../lib/plan.ts';
import type { AuthDatabase, AuthSettings } from '../../../app/auth.ts';
import * as battery from './auth-battery.ts';

export type Adapter = AuthDatabase['adapter'];

// Named once, checked against the plan (stepNamed throws on a name the plan does not have).
const IMAGE_ID_COLUMNS = stepNamed('01_expand-columns').name;
const POSTS_CONTRACT = stepNamed('08_contract-posts').name;
const USER_CONTRACT = stepNamed('09_contract-user').name;
const TRANSITION = stepsOf('transition');

export interface State {
  label: string;
  move?: { direction: 'up' | 'down'; count: 1 };
  /** what pgmigrations must hold at this state */
  applied: string[];
}

/** baseline, each up, then each down back to the baseline. */
export function walk(): State[] {
  const all = names();
  const ups = all.map((n, i): State => ({ label: `up ${n}`, move: { direction: 'up', count: 1 }, applied: all.slice(0, i + 1) }));
  const downs = [...all].reverse().map((n, i): State => ({
    label: `down ${n}`,
    move: { direction: 'down', count: 1 },
    applied: all.slice(0, all.length - 1 - i),
  }));
  return [{ label: 'baseline', applied: [] }, ...ups, ...downs];
}

export function expectations(appliedNow: string[]): battery.Expect {
  return {
    imageIdColumn: appliedNow.includes(IMAGE_ID_COLUMNS),
    userTrigger: TRANSITION.every((t) => appliedNow.includes(t)) && !appliedNow.includes(USER_CONTRACT),
  };
}

/**
 * The Drizzle schema the app deploys against at this state. The old app (no imageId) runs on the
 * schema it always had until the posts contract, which it cannot outlive (posts.image_key goes);
 * from then on it stands for an app on the new schema that never adopted imageId.
 */
function schemaFor(app: 'old' | 'new', appliedNow: string[]): battery.SchemaState {
  if (appliedNow.includes(POSTS_CONTRACT)) return 'after';
  return app === 'old' ? 'before' : 'transition';
}

function authDatabase(adapter: Adapter, pool: pg.Pool, schema: battery.SchemaState): AuthDatabase {
  return adapter === 'pg' ? { adapter, pool } : { adapter, db: drizzle(pool), schema: battery.STATE_SCHEMAS[schema] };
}

async function runApp(adapter: Adapter, pool: pg.Pool, db: pg.Client, app: 'old' | 'new', appliedNow: string[]) {
  const state = expectations(appliedNow);
  const avatar: AuthSettings['avatar'] = app === 'old' ? 'absent' : 'beside-image';
  const auth = battery.testAuth(authDatabase(adapter, pool, schemaFor(app, appliedNow)), avatar);
  const user = await battery.signUpAndIn(auth, `${app}-${adapter}`);
  await battery.oldAppAvatar(auth, db, state, user);
  if (app === 'new') await battery.newAppAvatar(auth, db, state, user);
  await battery.socialSignIn(auth, db, state);
  await battery.organizations(auth, user.headers);
}

interface Keyed {
  user: { userId: string; headers: Headers };
  file: { id: string; key: string };
}

/**
 * A user whose "user".image holds a raw file key (the old app's upload) when the user contract
 * runs: the contract archives and clears the key and keeps image_id; its down puts the key back.
 * Seen through better-auth: the new app's session shows no image and the avatar by id.
 */
async function userContract(adapter: Adapter, pool: pg.Pool, db: pg.Client, state: State, keyed: Keyed | undefined): Promise<Keyed | undefined> {
  const next = names()[state.applied.length];
  if (state.move?.direction === 'up' && next === USER_CONTRACT) {
    const auth = battery.testAuth(authDatabase(adapter, pool, schemaFor('old', state.applied)), 'absent');
    const user = await battery.signUpAndIn(auth, `keyed-${adapter}`);
    const file = await battery.upload(db, user.userId);
    await auth.api.updateUser({ headers: user.headers, body: { image: file.key } });
    expect(await battery.userRow(db, user.userId)).toMatchObject({ image: file.key, image_id: file.id });
    return { user, file };
  }
  if (!keyed || state.label !== `${state.move?.direction} ${USER_CONTRACT}`) return keyed;
  const contracted = state.move?.direction === 'up';
  const row = await battery.userRow(db, keyed.user.userId);
  expect(row).toMatchObject({ image: contracted ? null : keyed.file.key, image_id: keyed.file.id });
  const auth = battery.testAuth(authDatabase(adapter, pool, schemaFor('new', state.applied)), 'beside-image');
  const session = await auth.api.getSession({ headers: keyed.user.headers });
  expect(session?.user).toMatchObject({ image: contracted ? null : keyed.file.key, imageId: keyed.file.id });
  return keyed;
}

export function describeAuthWalk(adapter: Adapter) {
  describe(`better-auth on the ${adapter} adapter, at every state of the pack, up and down`, () => {
    let url: string;
    let db: pg.Client;
    let pool: pg.Pool;
    let keyed: Keyed | undefined;
    beforeAll(async () => {
      url = await baselineDb();
      db = await connect(url);
      pool = new pg.Pool({ connectionString: url, max: 4 });
      pool.on('error', () => {}); // the scratch database is dropped WITH (FORCE) after the file
    });
    afterAll(async () => {
      await pool?.end();
      await db?.end();
    });

    for (const state of walk()) {
      it(state.label, async () => {
        if (state.move) await migrate(url, state.move);
        expect(await applied(url)).toEqual(state.applied);
        // the old and the new app side by side, as during a rolling deploy
        await Promise.all([
          runApp(adapter, pool, db, 'old', state.applied),
          expectations(state.applied).imageIdColumn && runApp(adapter, pool, db, 'new', state.applied),
        ]);
        keyed = await userContract(adapter, pool, db, state, keyed);
      });
    }
  });
}
