/**
 * Every failed call answers `{"error": {code, message, field?, issues?}}` with a status that fits:
 * catalogue errors by their code, validation failures as 400 naming the field, oversized bodies
 * as 413. Anything unexpected is a 500 whose details go to the log, not to the caller.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { errors, isMetisError, MetisError, type ErrorCode } from '../errors/index.ts';
import { issuesOf, isZodError } from './validation.ts';

const STATUS: Partial<Record<ErrorCode, number>> = {
  API_UNAUTHORIZED: 401,
  API_FORBIDDEN: 403,
  API_NOT_FOUND: 404,
  TASK_NOT_FOUND: 404,
  RECORD_NOT_FOUND: 404,
  NOTHING_TO_RERUN: 409,
  TASK_NOT_RUNNING: 409,
  TASK_ILLEGAL_TRANSITION: 409,
  API_PAYLOAD_TOO_LARGE: 413,
};

export interface ErrorBody {
  error: { code: string; message: string; field?: string; issues?: Array<{ field: string; message: string }> };
}

/** A catalogue error for a bad input field (400 API_INVALID_INPUT, `field` in the body). */
export function invalidInput(field: string, detail: string): MetisError {
  const e = errors.API_INVALID_INPUT({ field, detail });
  (e as MetisError & { field?: string }).field = field;
  return e;
}

export function errorBody(err: unknown, where?: string): { status: number; body: ErrorBody } {
  if (isZodError(err)) {
    const issues = issuesOf(err, where);
    const first = issues[0] ?? { field: 'body', message: 'invalid' };
    const e = errors.API_INVALID_INPUT({ field: first.field, detail: first.message });
    return { status: 400, body: { error: { code: e.code, message: e.message, field: first.field, issues } } };
  }
  if (isMetisError(err)) {
    const kindStatus = err.kind === 'request' ? 400 : 500;
    const field =
      (err as MetisError & { field?: string }).field ??
      (err.code === 'API_INVALID_INPUT' && err.params.field !== undefined ? String(err.params.field) : undefined);
    return {
      status: STATUS[err.code] ?? kindStatus,
      body: { error: { code: err.code, message: err.message, ...(field && { field }) } },
    };
  }
  const f = err as FastifyError;
  if (f.statusCode === 413 || f.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || f.code === 'FST_REQ_FILE_TOO_LARGE') {
    const e = errors.API_PAYLOAD_TOO_LARGE({ what: 'The request body', limit: 'the configured' });
    return { status: 413, body: { error: { code: e.code, message: f.message || e.message } } };
  }
  if (f.statusCode && f.statusCode >= 400 && f.statusCode < 500) {
    // Fastify's own refusals: bad JSON, wrong content type, empty body.
    const field = f.code?.startsWith('FST_ERR_CTP') ? 'body' : undefined;
    const e = errors.API_INVALID_INPUT({ field: field ?? 'request', detail: f.message });
    return {
      status: f.statusCode,
      body: { error: { code: f.statusCode === 404 ? 'API_NOT_FOUND' : e.code, message: e.message, ...(field && { field }) } },
    };
  }
  return { status: 500, body: { error: { code: 'INTERNAL', message: 'Internal error (see the server log)' } } };
}

/** Fastify's error handler: the body above, and a log line for server errors. */
export function handleError(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const where = (err as { validationContext?: string }).validationContext;
  const { status, body } = errorBody(err, where);
  if (status >= 500) req.log.error({ err }, 'request failed');
  if (status === 401) reply.header('WWW-Authenticate', 'Bearer realm="metis-streams"');
  void reply.status(status).send(body);
}
