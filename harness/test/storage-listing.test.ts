// The local S3 server's listing (lib/s3-server.py patches moto's ListObjectsV2 with a sorted key
// index, so whole-bucket listings scale): through the SDK and HTTP, pages come in UTF-8 byte
// order with the awkward keys, after overwrites and deletes; prefix, start-after and delimiter
// keep S3's meaning; and a page costs the same in a big bucket as in a small one.
import { describe, expect, it } from 'vitest';
import { DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand, type ListObjectsV2CommandInput } from '@aws-sdk/client-s3';
import type { ObjectStore } from '../../app/storage.ts';
import { awkwardKeys } from '../../lib/seed/objects.ts';
import { freshBucket } from './s3.ts';

const byBytes = (keys: Iterable<string>) => [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

async function listAll(store: ObjectStore, input: Partial<ListObjectsV2CommandInput> = {}) {
  const keys: string[] = [];
  const prefixes: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const r = await store.client.send(new ListObjectsV2Command({ Bucket: store.bucket, ...input, ContinuationToken: token, ...(token ? { StartAfter: undefined } : {}) }));
    for (const o of r.Contents ?? []) keys.push(o.Key!);
    for (const p of r.CommonPrefixes ?? []) prefixes.push(p.Prefix!);
    token = r.NextContinuationToken;
    pages++;
  } while (token);
  return { keys, prefixes, pages };
}

/** Keys whose UTF-16 order (JS's), code-point order and prefix order all disagree somewhere. */
function awkwardSet(): string[] {
  const chars = [' ', '%', '+', '-', '/', 'A', 'a', '\u00e9', 'e\u0301', '\ud7ff', '\ue000', '\uffff', '\u{10000}', '\u{1f5bc}', '\u65e5'];
  const keys = [...awkwardKeys('o1'), ...awkwardKeys('o2').map((k) => k.normalize('NFD')), 'a', 'a/b', 'a/b/c', 'a-c', 'ab', 'a b', 'a+b', 'a%2Fb', 'a%b'];
  for (const c of chars) keys.push(`k/${c}`, `k/${c}x/y`, `k${c}`);
  keys.push('x/' + 'é'.repeat(510)); // 1,022 bytes: S3 and R2 allow 1,024
  return [...new Set(keys)];
}

async function put(store: ObjectStore, key: string, body: string) {
  await store.client.send(new PutObjectCommand({ Bucket: store.bucket, Key: key, Body: body }));
}

describe('the local server lists in UTF-8 byte order, page by page', () => {
  it('awkward keys, after overwrites and deletes, in pages of 7 and of 1,000: exactly the byte-sorted set', async () => {
    const { store } = await freshBucket('listing');
    const want = new Set(awkwardSet());
    expect([...want].some((k) => Buffer.byteLength(k) > 1000)).toBe(true);
    for (const k of want) await put(store, k, 'v1');
    const first = await listAll(store, { MaxKeys: 7 });
    expect(first.keys).toEqual(byBytes(want));
    expect(first.pages).toBe(Math.ceil(want.size / 7));

    // Overwrites keep one entry; deletes vanish; a deleted key put again comes back; new keys land in place.
    const all = [...want];
    for (const k of all.filter((_, i) => i % 3 === 0)) await put(store, k, 'v2');
    const gone = all.filter((_, i) => i % 4 === 1);
    for (const k of gone) {
      await store.client.send(new DeleteObjectCommand({ Bucket: store.bucket, Key: k }));
      want.delete(k);
    }
    await put(store, gone[0], 'back');
    want.add(gone[0]);
    for (const k of ['a/a', 'k/\u00e9y', '!first', 'zz last']) {
      await put(store, k, 'new');
      want.add(k);
    }
    expect((await listAll(store, { MaxKeys: 7 })).keys).toEqual(byBytes(want));
    expect((await listAll(store)).keys).toEqual(byBytes(want));
  });

  it('prefix, start-after and delimiter: the keys and common prefixes S3 returns', async () => {
    const { store } = await freshBucket('listing-opts');
    const keys = awkwardSet();
    for (const k of keys) await put(store, k, 'v');
    const sorted = byBytes(keys);
    const after = (s: string) => (k: string) => Buffer.compare(Buffer.from(k), Buffer.from(s)) > 0;

    expect((await listAll(store, { Prefix: 'k/', MaxKeys: 5 })).keys).toEqual(sorted.filter((k) => k.startsWith('k/')));
    expect((await listAll(store, { StartAfter: 'k/\u00e9', MaxKeys: 5 })).keys).toEqual(sorted.filter(after('k/\u00e9')));
    expect((await listAll(store, { Prefix: 'a', StartAfter: 'a-c' })).keys).toEqual(sorted.filter((k) => k.startsWith('a') && after('a-c')(k)));

    // With a delimiter, each common prefix comes once, in order among the keys, and pages resume after it.
    const d = await listAll(store, { Prefix: 'k/', Delimiter: '/', MaxKeys: 4 });
    const under = sorted.filter((k) => k.startsWith('k/')).map((k) => k.slice(2));
    expect(d.keys).toEqual(under.filter((r) => !r.includes('/')).map((r) => 'k/' + r));
    expect(d.prefixes).toEqual([...new Set(under.filter((r) => r.includes('/')).map((r) => 'k/' + r.slice(0, r.indexOf('/') + 1)))]);
    expect(d.prefixes.length).toBe(15);
  });
});

describe('page cost does not grow with the bucket', () => {
  // moto as shipped sorts the whole bucket for every page (0.3 to 0.4 s at 60k keys). Pages of
  // 10 keys keep the rendering out of the comparison: with the index, a page is a bisect and
  // 10 names, whatever the bucket holds.
  it('a page from the middle of a 60,000-key bucket costs about what one from a 2,000-key bucket does', async () => {
    const small = await freshBucket('flat-small');
    const big = await freshBucket('flat-big');
    const fill = (n: number) => (function* () {
      for (let i = 0; i < n; i++) yield { key: `org/o/posts/${String(i).padStart(9, '0')}.jpg`, size: 0, contentType: 'image/jpeg', lastModified: Date.now() };
    })();
    expect(await small.s3.preload(small.bucket, fill(2_000))).toBe(2_000);
    expect(await big.s3.preload(big.bucket, fill(60_000))).toBe(60_000);
    const page = async (store: ObjectStore, i: number) => {
      const t0 = performance.now();
      const r = await store.client.send(new ListObjectsV2Command({ Bucket: store.bucket, MaxKeys: 10, StartAfter: `org/o/posts/${String(i).padStart(9, '0')}.jpg` }));
      expect(r.Contents!.length).toBe(10);
      return performance.now() - t0;
    };
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const ts: number[] = [];
    const tb: number[] = [];
    for (let r = 0; r < 7; r++) {
      ts.push(await page(small.store, 500 + r));
      tb.push(await page(big.store, 30_000 + r * 1000));
    }
    expect(median(tb), `small ${ts.map(Math.round)} big ${tb.map(Math.round)} ms`).toBeLessThan(3 * median(ts) + 30);
    expect((await listAll(big.store)).keys.length).toBe(60_000);
  });
});
