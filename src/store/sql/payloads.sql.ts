/** Large record contents, stored once under their hash (`record_payload`). */

/** $1 ref (sha-256 of the content), $2 content. */
export const insertPayload = 'INSERT INTO record_payload (ref, content) VALUES ($1, $2) ON CONFLICT DO NOTHING';

/** $1 ref. */
export const selectPayload = 'SELECT content FROM record_payload WHERE ref = $1';
