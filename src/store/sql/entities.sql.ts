/**
 * Statements of the built-in entity store. Bulk statements take parallel arrays (one round trip per
 * batch); list columns travel as JSON.
 */

export const upsertEntities = `INSERT INTO enrichment_entity (about, type, xml, parents, same_as)
    SELECT a, t, x, ARRAY(SELECT jsonb_array_elements_text(p::jsonb)), ARRAY(SELECT jsonb_array_elements_text(s::jsonb))
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS u(a, t, x, p, s)
    ON CONFLICT (about) DO UPDATE SET type = EXCLUDED.type, xml = EXCLUDED.xml, parents = EXCLUDED.parents, same_as = EXCLUDED.same_as`;

export const deleteLabels = 'DELETE FROM enrichment_entity_label WHERE about = ANY($1::text[])';

export const deleteUris = 'DELETE FROM enrichment_entity_uri WHERE about = ANY($1::text[])';

export const insertLabels = `INSERT INTO enrichment_entity_label (label, type, lang, about)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) ON CONFLICT DO NOTHING`;

export const insertUris = `INSERT INTO enrichment_entity_uri (uri, about) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`;

export const byText = `SELECT DISTINCT e.about, e.type, e.xml, e.parents, e.same_as
    FROM enrichment_entity_label l JOIN enrichment_entity e ON e.about = l.about
    WHERE l.label = $1 AND l.type = ANY($2::text[]) AND ($3::text IS NULL OR l.lang = $3 OR l.lang = '')
    ORDER BY e.about`;

export const byUri = `SELECT e.about, e.type, e.xml, e.parents, e.same_as
    FROM enrichment_entity_uri u JOIN enrichment_entity e ON e.about = u.about
    WHERE u.uri = $1 ORDER BY (e.about = $1) DESC, e.about LIMIT 1`;

export const byId = 'SELECT about, type, xml, parents, same_as FROM enrichment_entity WHERE about = $1';

export const count = 'SELECT count(*)::int AS n FROM enrichment_entity';
