-- The app's schema as Drizzle and better-auth left it, before the pack runs.
-- The pack never runs this file: a DBA's database already has it. The harness and the
-- tests load it into scratch databases:  psql -v ON_ERROR_STOP=1 -f sql/baseline.sql

CREATE TABLE organization (
  id         text PRIMARY KEY,
  name       text NOT NULL,
  slug       text UNIQUE,
  logo       text,
  metadata   text,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE "user" (
  id             text PRIMARY KEY,
  name           text NOT NULL,
  email          text NOT NULL UNIQUE,
  email_verified boolean NOT NULL DEFAULT false,
  image          text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE member (
  id              text PRIMARY KEY,
  organization_id text NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
  user_id         text NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
  role            text NOT NULL DEFAULT 'member',
  created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE storage (
  id              text PRIMARY KEY,
  file_key        text NOT NULL,
  file_name       text NOT NULL,
  content_type    text NOT NULL,
  size            bigint NOT NULL,
  user_id         text REFERENCES "user" (id) ON DELETE SET NULL,
  -- NULL for personal uploads such as avatars
  organization_id text REFERENCES organization (id) ON DELETE CASCADE,
  created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE posts (
  id              text PRIMARY KEY,
  organization_id text NOT NULL REFERENCES organization (id) ON DELETE CASCADE,
  user_id         text NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
  content         text NOT NULL,
  image_key       text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE post_likes (
  post_id    text NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
  user_id    text NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (post_id, user_id)
);

-- The feed's index. Nothing indexes storage.file_key.
CREATE INDEX posts_organization_id_created_at_id_idx
  ON posts (organization_id, created_at DESC, id DESC);
