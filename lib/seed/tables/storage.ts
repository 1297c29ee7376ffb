// The storage table: its rows are produced alongside users and posts (each upload where the user
// or post naming it is generated), buffered, plus uploads nothing references, then COPYed in one go.
import type pg from 'pg';
import type { Rng } from '../../random.ts';
import { copyInto } from '../copy.ts';
import { DAY, S, Sink, weighted, type SeedContext } from './context.ts';
import type { People } from './people.ts';

type ExtTable = [ext: string, contentType: string, share: number][];

export const POST_EXT: ExtTable = [
  ['jpg', 'image/jpeg', 0.75],
  ['png', 'image/png', 0.15],
  ['webp', 'image/webp', 0.08],
  ['gif', 'image/gif', 0.02],
];
export const AVATAR_EXT: ExtTable = [
  ['png', 'image/png', 0.8],
  ['jpg', 'image/jpeg', 0.15],
  ['webp', 'image/webp', 0.05],
];
const CONTENT_TYPE: Record<string, string> = { jpg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif' };
export const extOf = (key: string) => key.slice(key.lastIndexOf('.') + 1);

/** An extension (and its content type) drawn with the table's shares. */
export function pickExt(table: ExtTable, rng: Rng): [string, string] {
  let r = rng.float();
  for (const [ext, ct, p] of table) {
    if ((r -= p) < 0) return [ext, ct];
  }
  return [table[0][0], table[0][1]];
}

/** The buffered storage rows and the one PRNG stream their names, sizes and types come from. */
export class StorageRows {
  readonly sink = new Sink(null);
  private readonly ids: Rng;
  private readonly r: Rng;

  /** `part`: the streams of one chunk of posts (lib/seed/tables/chunks.ts); none for the users' and orphans' rows. */
  constructor(private readonly ctx: SeedContext, part = '') {
    this.ids = ctx.rng('storage.id' + part);
    this.r = ctx.rng('storage' + part);
  }

  pickExt(table: ExtTable): [string, string] {
    return pickExt(table, this.r);
  }

  uploadFileName(ext: string, at: number): string {
    const r = this.r.float();
    const nouns = this.ctx.pools.nouns;
    // The date and time from the context's cached formatter, not a Date per upload.
    const ts = this.ctx.ts(at);
    const ymd = ts.slice(0, 10);
    if (ext === 'png' && r < 0.6) {
      return `Screenshot ${ymd} at ${Number(ts.slice(11, 13))}.${ts.slice(14, 16)}.${ts.slice(17, 19)}.png`;
    }
    if (ext === 'jpg' && r < 0.35) return `IMG_${String(1000 + this.r.int(9000))}.${this.r.chance(0.3) ? 'JPG' : 'jpg'}`;
    if (ext === 'jpg' && r < 0.55) return `PXL_${ymd.replace(/-/g, '')}_${String(100000000 + this.r.int(899999999))}.jpg`;
    if (r < 0.8) return `${this.r.pick(nouns)}-${this.r.pick(nouns)}.${ext}`;
    return `${this.r.pick(nouns)}_${1 + this.r.int(999)}.${ext}`;
  }

  uploadSize(ext: string): number {
    const mu = ext === 'gif' ? Math.log(1_800_000) : ext === 'png' ? Math.log(600_000) : Math.log(350_000);
    return Math.min(15_000_000, Math.max(4_096, Math.round(Math.exp(mu + 0.9 * this.r.normal()))));
  }

  avatarSize(): number {
    return Math.min(2_000_000, Math.max(2_048, Math.round(Math.exp(Math.log(60_000) + 0.6 * this.r.normal()))));
  }

  /** One storage row; returns its id. orgId null for personal uploads. */
  row(key: string, fileName: string, size: number, userId: string | null, orgId: string | null, at: number, id = this.ids.id()): string {
    this.sink.add(
      id + '\t' + S(key) + '\t' + S(fileName) + '\t' + CONTENT_TYPE[extOf(key)] + '\t' + size + '\t' +
        (userId ?? '\\N') + '\t' + (orgId ?? '\\N') + '\t' + this.ctx.ts(at) + '\n',
    );
    return id;
  }

  /**
   * Several storage rows with the same key (edge case a / g). The oldest created_at is shared by two
   * rows when `tie`; rows are written so that the winner (oldest, then smallest id) is never simply
   * the first row inserted for a tie.
   */
  duplicateGroup(key: string, fileName: string, size: number, uploaders: string[], orgId: string | null, base: number, tie: boolean): number {
    const n = this.r.chance(0.3) ? 3 : 2;
    const rows: { id: string; at: number }[] = [{ id: this.ids.id(), at: base }];
    if (tie) rows.push({ id: this.ids.id(), at: base });
    while (rows.length < n) rows.push({ id: this.ids.id(), at: base + 1000 + this.r.int(3 * DAY) });
    this.r.shuffle(rows);
    if (tie) {
      // the tied pair goes in descending id order: the winner is inserted after the loser
      const tied = rows.filter((r) => r.at === base).sort((x, y) => (x.id < y.id ? 1 : -1));
      let k = 0;
      for (let i = 0; i < rows.length; i++) if (rows[i].at === base) rows[i] = tied[k++];
    }
    for (const r of rows) this.row(key, fileName, size, this.r.pick(uploaders), orgId, r.at, r.id);
    return rows.length;
  }
}

/** f. uploads nothing references: `count` of them, in random organizations. */
export function plantOrphanUploads(ctx: SeedContext, people: People, storage: StorageRows, count: number): void {
  const r = ctx.rng('storage.orphans');
  for (let j = 0; j < count; j++) {
    const g = weighted(people.orgCum, r);
    const at = people.orgCreated[g] + Math.floor(r.float() * (ctx.END - people.orgCreated[g]));
    const [ext] = storage.pickExt(POST_EXT);
    const key = `org/${people.orgIds[g]}/posts/${r.uuid()}.${ext}`;
    storage.row(key, storage.uploadFileName(ext, at), storage.uploadSize(ext), people.userIds[people.randomMember(g, r)], people.orgIds[g], at);
  }
  ctx.edge.storage.orphanUploads = count;
}

/** COPYs the buffered rows. */
export async function copyStorage(ctx: SeedContext, client: pg.ClientBase, storage: StorageRows): Promise<void> {
  const sink = storage.sink;
  ctx.progress('storage', 0, sink.rows);
  await sink.flush();
  await copyInto(client, ctx.copySql('COPY storage (id, file_key, file_name, content_type, size, user_id, organization_id, created_at) FROM STDIN'), async (w) => {
    const totalChars = sink.chunks.reduce((n, c) => n + c.length, 0);
    let doneChars = 0;
    for (const chunk of sink.chunks) {
      await w.write(chunk);
      doneChars += chunk.length;
      ctx.progress('storage', Math.round((sink.rows * doneChars) / totalChars), sink.rows);
    }
    sink.chunks.length = 0;
  });
  ctx.progress('storage', sink.rows, sink.rows);
}
