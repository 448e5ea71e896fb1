/**
 * Preload for CLI tests (`node --import ./block-modules.mjs`): packages named in BLOCK_MODULES
 * (comma-separated) fail to load as if they were not installed, whether imported (ESM) or required
 * (CJS, as the engine loads the native Kafka client). A command that works under it does not need them.
 */
import Module, { register } from 'node:module';

const blocked = (process.env.BLOCK_MODULES ?? '').split(',').filter(Boolean);
const isBlocked = (specifier) => blocked.some((b) => specifier === b || specifier.startsWith(`${b}/`));

register('./block-modules-hooks.mjs', import.meta.url, { data: { blocked } });

const load = Module._load;
Module._load = function (request, ...rest) {
  if (isBlocked(request)) {
    const err = new Error(`Cannot find module '${request}' (blocked by the test)`);
    err.code = 'MODULE_NOT_FOUND';
    throw err;
  }
  return load.call(this, request, ...rest);
};
