/**
 * Route input schemas are zod schemas: Fastify validates bodies, queries and path parameters with
 * them (`zodValidatorCompiler`), and the OpenAPI document shows them as JSON Schema
 * (`zodToOpenApi`). A failed check becomes `400 API_INVALID_INPUT` naming the first bad field.
 */
import { z } from 'zod';
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';

/** Fastify's validator compiler for zod schemas (other schemas pass through unchecked). */
export const zodValidatorCompiler: FastifySchemaCompiler<unknown> = ({ schema }) => {
  const s = schema as unknown as z.ZodType;
  if (typeof (s as { safeParse?: unknown }).safeParse !== 'function') return (data) => ({ value: data });
  return (data) => {
    const r = s.safeParse(data);
    return r.success ? { value: r.data } : { error: r.error as unknown as Error };
  };
};

const isZod = (v: unknown): v is z.ZodType =>
  typeof v === 'object' && v !== null && typeof (v as { safeParse?: unknown }).safeParse === 'function';

/** A route schema with zod parts, as JSON Schema (OpenAPI 3.0 flavour) for @fastify/swagger. */
export function zodToOpenApi(schema: FastifySchema | undefined): FastifySchema | undefined {
  if (!schema) return schema;
  const out: Record<string, unknown> = { ...schema };
  for (const key of ['body', 'querystring', 'params', 'headers'] as const) {
    const v = (schema as Record<string, unknown>)[key];
    if (isZod(v)) out[key] = z.toJSONSchema(v, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' });
  }
  const response = (schema as { response?: Record<string, unknown> }).response;
  if (response)
    out.response = Object.fromEntries(
      Object.entries(response).map(([status, v]) => [
        status,
        isZod(v) ? z.toJSONSchema(v, { target: 'openapi-3.0', io: 'output', unrepresentable: 'any' }) : v,
      ]),
    );
  return out as FastifySchema;
}

/** The path of an issue as a field name: `source.url`, `steps[2]`, `limits.recordLimit`. */
export function fieldOf(path: ReadonlyArray<PropertyKey>, where?: string): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${String(p)}` : String(p);
  const prefix =
    where === 'querystring' ? 'query' : where === 'params' ? 'path' : where === 'body' ? '' : (where ?? '');
  if (!s) return prefix || 'body';
  return prefix ? `${prefix}.${s}` : s;
}

/** Every issue of a ZodError as `{field, message}`. */
export function issuesOf(err: z.ZodError, where?: string): Array<{ field: string; message: string }> {
  return err.issues.map((i) => ({ field: fieldOf(i.path, where), message: i.message }));
}

export const isZodError = (err: unknown): err is z.ZodError =>
  err instanceof z.ZodError ||
  (err instanceof Error && err.name === 'ZodError' && Array.isArray((err as z.ZodError).issues));

// ---- shared pieces of query schemas ----

/** `limit` (1–500, default 50) and `offset` (≥ 0, default 0). */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
};

/** A comma-separated list in a query parameter. */
export const commaList = <T extends z.ZodType<string, string>>(item: T) =>
  z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item));
