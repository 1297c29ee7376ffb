// Who exists and when: users (sign-up times), organizations (user i founds organization i) and
// memberships. Small, so planned in memory before any COPY; organization.ts, user.ts and
// member.ts write the rows.
import type { Rng } from '../../random.ts';
import { DAY, HOUR, MINUTE, cumulative, weighted, type SeedContext } from './context.ts';

export interface People {
  userIds: string[];
  userCreated: Float64Array;
  orgIds: string[];
  orgCreated: Float64Array;
  /** running sums of the organizations' weights (bigger ones get more members) */
  orgCum: Float64Array;
  /** the stream the organizations' rows continue with (their names, after their times) */
  orgRng: Rng;
  members: Memberships;
  /** per user: the organizations it belongs to */
  userOrgs: number[][];
  /** per organization: members in join order, and their join times (for "who could post at t") */
  orgMembers: Int32Array[];
  orgJoin: Float64Array[];
  randomMember: (g: number, r: Rng) => number;
}

export interface Memberships {
  user: number[];
  org: number[];
  at: number[];
  role: string[];
}

function planUsers(ctx: SeedContext): Pick<People, 'userIds' | 'userCreated'> {
  const { U, START, END } = ctx;
  const userRng = ctx.rng('user');
  const userCreated = new Float64Array(U);
  for (let u = 0; u < U; u++) userCreated[u] = START + Math.floor(userRng.float() * (END - START - DAY));
  userCreated.sort();
  const idr = ctx.rng('user.id');
  const userIds: string[] = new Array(U);
  for (let u = 0; u < U; u++) userIds[u] = idr.id();
  return { userIds, userCreated };
}

function planOrganizations(ctx: SeedContext, orgRng: Rng, userCreated: Float64Array): Pick<People, 'orgIds' | 'orgCreated' | 'orgCum'> {
  const { O } = ctx;
  const orgIds: string[] = new Array(O);
  const orgCreated = new Float64Array(O);
  const orgWeight = new Float64Array(O);
  const idr = ctx.rng('organization.id');
  for (let i = 0; i < O; i++) {
    orgIds[i] = idr.id();
    // user i founds organization i
    orgCreated[i] = userCreated[i] + orgRng.int(2 * HOUR);
    orgWeight[i] = 1 / Math.pow(i + 1, 0.7);
  }
  return { orgIds, orgCreated, orgCum: cumulative(orgWeight) };
}

/** 1 to 3 organizations per user; the founder owns its organization, others join within weeks. */
function planMembers(ctx: SeedContext, userCreated: Float64Array, orgCreated: Float64Array, orgCum: Float64Array) {
  const { U, O, END } = ctx;
  const memRng = ctx.rng('member');
  const m: Memberships = { user: [], org: [], at: [], role: [] };
  const userOrgs: number[][] = new Array(U);
  for (let u = 0; u < U; u++) {
    const r = memRng.float();
    const n = Math.min(O, r < 0.6 ? 1 : r < 0.9 ? 2 : 3);
    const orgs: number[] = [];
    if (u < O) orgs.push(u);
    while (orgs.length < n) {
      const g = weighted(orgCum, memRng);
      if (!orgs.includes(g)) orgs.push(g);
    }
    userOrgs[u] = orgs;
    for (const g of orgs) {
      const owner = u === g;
      const baseAt = Math.max(userCreated[u], orgCreated[g]);
      const at = owner
        ? orgCreated[g]
        : Math.min(baseAt + Math.floor(memRng.float() ** 2 * 14 * DAY), Math.max(baseAt, END - MINUTE));
      m.user.push(u);
      m.org.push(g);
      m.at.push(at);
      m.role.push(owner ? 'owner' : memRng.chance(0.08) ? 'admin' : 'member');
    }
  }
  return { members: m, userOrgs };
}

function membersByOrganization(O: number, m: Memberships): Pick<People, 'orgMembers' | 'orgJoin'> {
  const orgMembers: Int32Array[] = [];
  const orgJoin: Float64Array[] = [];
  const lists: number[][] = Array.from({ length: O }, () => []);
  for (let i = 0; i < m.user.length; i++) lists[m.org[i]].push(i);
  for (let g = 0; g < O; g++) {
    const l = lists[g].sort((a, b) => m.at[a] - m.at[b] || a - b);
    orgMembers.push(Int32Array.from(l, (i) => m.user[i]));
    orgJoin.push(Float64Array.from(l, (i) => m.at[i]));
  }
  return { orgMembers, orgJoin };
}

export function planPeople(ctx: SeedContext): People {
  const orgRng = ctx.rng('organization');
  const users = planUsers(ctx);
  const orgs = planOrganizations(ctx, orgRng, users.userCreated);
  const { members, userOrgs } = planMembers(ctx, users.userCreated, orgs.orgCreated, orgs.orgCum);
  const byOrg = membersByOrganization(ctx.O, members);
  const randomMember = (g: number, r: Rng) => byOrg.orgMembers[g][r.int(byOrg.orgMembers[g].length)];
  return { ...users, ...orgs, orgRng, members, userOrgs, ...byOrg, randomMember };
}
