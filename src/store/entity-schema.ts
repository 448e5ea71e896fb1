/** Tables of the built-in entity store: entities, their normalized labels and their co-reference URIs. */

/** The store's schema; idempotent, so `migrate()` may run at every start. */
export const ENTITY_STORE_SQL = `
CREATE TABLE IF NOT EXISTS enrichment_entity (
  about text PRIMARY KEY,
  type text NOT NULL,
  xml text NOT NULL,
  parents text[] NOT NULL DEFAULT '{}',
  same_as text[] NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS enrichment_entity_label (
  label text NOT NULL,
  type text NOT NULL,
  lang text NOT NULL,
  about text NOT NULL REFERENCES enrichment_entity (about) ON DELETE CASCADE,
  PRIMARY KEY (label, type, lang, about)
);
CREATE TABLE IF NOT EXISTS enrichment_entity_uri (
  uri text NOT NULL,
  about text NOT NULL REFERENCES enrichment_entity (about) ON DELETE CASCADE,
  PRIMARY KEY (uri, about)
);
CREATE INDEX IF NOT EXISTS enrichment_entity_label_about ON enrichment_entity_label (about);
CREATE INDEX IF NOT EXISTS enrichment_entity_uri_about ON enrichment_entity_uri (about)
`;

/** The same schema as a named migration, for the store's migration runner. */
export const ENTITY_STORE_MIGRATIONS = [{ name: 'entities-001-entity-store', sql: ENTITY_STORE_SQL }];
