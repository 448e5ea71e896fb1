/** The error catalogue of the Metis domain: codes, error types, typed constructors and `retry()`. See README.md. */
export { CODES, type CodeSpec, type ErrorCode, type ErrorKind } from './codes.ts';
export {
  MetisError,
  RecordError,
  RequestError,
  TaskError,
  createError,
  errorFromWire,
  errorMessage,
  errorToWire,
  formatMessage,
  isMetisError,
  isTaskError,
  type ErrorContext,
  type ErrorWire,
  type MetisErrorOptions,
  type ParamValue,
} from './metis-error.ts';
export { errors, type ErrorParams } from './catalogue.ts';
export { isRetriable, isTransientDbError, retry, type RetryEvent, type RetryOptions } from './retry.ts';
