/** Large record contents (over the envelope limit) travel between topics as a reference into `record_payload`. */
import { createHash } from 'node:crypto';
import type { Db } from './db.ts';
import * as SQL from './sql/payloads.sql.ts';
import { errors } from '../errors/index.ts';

export class PayloadStore {
  constructor(private readonly db: Db) {}

  /** Stores a large record content once (idempotent: the reference is its hash). */
  async putPayload(content: string): Promise<string> {
    const ref = createHash('sha256').update(content).digest('hex');
    await this.db.query(SQL.insertPayload, [ref, content]);
    return ref;
  }

  async getPayload(ref: string): Promise<string> {
    const r = await this.db.query<{ content: string }>(SQL.selectPayload, [ref]);
    if (!r.rows[0]) throw errors.PAYLOAD_MISSING({ ref });
    return r.rows[0].content;
  }
}
