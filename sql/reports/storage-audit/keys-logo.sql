-- Distinct values of organization.logo in byte order: keys organization.logo names.
-- $1: text[] of keys, or NULL for all.
SELECT DISTINCT logo COLLATE "C" AS key
  FROM organization
 WHERE logo IS NOT NULL
   AND ($1::text[] IS NULL OR logo = ANY ($1::text[]))
 ORDER BY 1;
