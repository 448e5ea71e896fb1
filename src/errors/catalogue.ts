/**
 * Typed constructors, one per catalogue code: `errors.OAI_HTTP_STATUS({ status })` returns a
 * TaskError or a RecordError (by the code's kind) whose message is the code's template filled with
 * the parameters. The placeholders of a template are required parameters; extra facts (an HTTP
 * status, a URL) may be passed too and are kept in `params`.
 */
import { CODES, type ErrorCode } from './codes.ts';
import { createError, type MetisError, type MetisErrorOptions, type ParamValue } from './metis-error.ts';

type Placeholders<T extends string> = T extends `${string}{${infer K}}${infer Rest}` ? K | Placeholders<Rest> : never;

/** The parameters of a code: its template's placeholders, plus optional extra facts. */
export type ErrorParams<C extends ErrorCode> = {
  readonly [K in Placeholders<(typeof CODES)[C]['message']>]: ParamValue;
} & Readonly<Record<string, ParamValue>>;

type Constructor<C extends ErrorCode> = [Placeholders<(typeof CODES)[C]['message']>] extends [never]
  ? (params?: ErrorParams<C>, options?: MetisErrorOptions) => MetisError<C>
  : (params: ErrorParams<C>, options?: MetisErrorOptions) => MetisError<C>;

export const errors = Object.fromEntries(
  (Object.keys(CODES) as ErrorCode[]).map((code) => [
    code,
    (params: Record<string, ParamValue> = {}, options?: MetisErrorOptions) => createError(code, params, options),
  ]),
) as unknown as { readonly [C in ErrorCode]: Constructor<C> };
