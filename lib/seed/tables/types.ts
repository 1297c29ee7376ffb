// The seeder's options and summary: what every table generator and seed() share.

/**
 * Edge-case fractions. Post-side ones are fractions of the posts that have an image_key; user-side
 * ones of the users whose image is not NULL. Except for the two base rates and userOauth, every
 * fraction that is > 0 plants at least one instance (blanks and variants at least one of each
 * sub-kind), however small the scale.
 */
export interface SeedFractions {
  /** base rate: posts with image_key NOT NULL (of all posts) */
  postsWithImage: number;
  /** a. the key has 2-3 storage rows in the post's own organization */
  duplicates: number;
  /** a. of the duplicate groups: those whose two oldest rows tie on created_at (smallest id wins) */
  duplicateTies: number;
  /** b. the key has no storage row anywhere */
  missing: number;
  /** c. the key's storage row is in another organization only */
  otherOrg: number;
  /** d. an https URL (an S3 URL of a real key, or an external image URL) */
  urls: number;
  /** d. '' or whitespace only */
  blanks: number;
  /** d. ' ' || key, key || ' ', upper(key) of a real key in the post's organization */
  variants: number;
  /** e. the post reuses another post's image (same key, same organization) */
  shared: number;
  /** f. extra org uploads that nothing references (count = fraction x posts with an image) */
  orphans: number;
  /** base rate: users whose image is NOT NULL (of all users) */
  usersWithImage: number;
  /** base rate: OAuth avatar URLs (Google / GitHub), of users with an image */
  userOauth: number;
  /** g. image is the key of an organization upload (users map in any organization) */
  userOrgKeys: number;
  /** g. the avatar key has 2-3 storage rows (ties on created_at included) */
  userDuplicates: number;
  /** g. an avatar-shaped key with no storage row */
  userMissing: number;
  /** g. '' or whitespace only */
  userBlanks: number;
  /** g. ' ' || key, key || ' ', upper(key) of a real avatar key */
  userVariants: number;
}

export interface SeedOptions {
  /** the scale knob: number of posts; every other table is derived from it */
  posts: number;
  /** PRNG and faker seed */
  seed: number;
  /** anchor of the data's time window (created_at spans the year before it); fixed for determinism */
  now: string;
  fractions: SeedFractions;
  onProgress?: (p: { phase: string; done: number; total: number }) => void;
  /** worker threads that generate the posts and likes (default: one per core, none at one chunk); any count gives the same rows */
  threads?: number;
  /** posts per generated chunk (default CHUNK_POSTS in lib/seed/tables/chunks.ts); another size gives other rows */
  chunkPosts?: number;
}

export interface SeedSummary {
  options: { posts: number; seed: number; now: string; fractions: SeedFractions };
  rows: { organization: number; user: number; member: number; storage: number; posts: number; post_likes: number };
  edgeCases: {
    posts: {
      withImage: number;
      /** a. posts whose key has 2+ storage rows in their organization */
      duplicateKey: number;
      duplicateStorageRows: number;
      /** a. duplicate groups whose oldest created_at is shared by two rows */
      duplicateTieGroups: number;
      /** a. duplicate groups that also have an OLDER copy in another organization (must not win) */
      duplicateOtherOrgDecoys: number;
      missingKey: number;
      otherOrgOnly: number;
      urls: number;
      blanks: number;
      leadingSpace: number;
      trailingSpace: number;
      upperCase: number;
      /** e. posts that reuse another post's key */
      sharedImage: number;
      /** e. keys referenced by 2+ posts */
      sharedKeys: number;
    };
    users: {
      withImage: number;
      storageAvatar: number;
      oauthUrl: number;
      orgUploadKey: number;
      duplicateKey: number;
      duplicateStorageRows: number;
      duplicateTieGroups: number;
      missingKey: number;
      blanks: number;
      leadingSpace: number;
      trailingSpace: number;
      upperCase: number;
    };
    storage: {
      /** f. org uploads nothing references */
      orphanUploads: number;
      /** f. earlier avatars a user replaced (nothing references them) */
      replacedAvatars: number;
    };
  };
  /** what the mapping rule must produce on this data (image_id NOT NULL / NULL for non-NULL keys) */
  expected: { postsMapped: number; postsUnmapped: number; usersMapped: number; usersUnmapped: number };
  /** 'validated': indexes and foreign keys dropped for the load and rebuilt after it (each key checked in one pass); 'triggers': maintained row by row */
  fkMode: 'validated' | 'triggers';
  /** worker threads that generated the posts and likes (0: the main thread did) */
  threads: number;
  elapsedMs: number;
  phasesMs: Record<string, number>;
}
