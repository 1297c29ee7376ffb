-- Harness only (make verify-online): both columns of every row right before the contract, with
-- the writers stopped, so that the contract's down can be compared with them.
CREATE SCHEMA IF NOT EXISTS online;
DROP TABLE IF EXISTS online.before_contract_posts, online.before_contract_user;
CREATE TABLE online.before_contract_posts AS SELECT id, image_key, image_id FROM posts;
ALTER TABLE online.before_contract_posts ADD PRIMARY KEY (id);
CREATE TABLE online.before_contract_user AS SELECT id, image, image_id FROM "user";
ALTER TABLE online.before_contract_user ADD PRIMARY KEY (id);
