/** Module resolution hooks of block-modules.mjs (they run on the loader thread). */
let blocked = [];

export function initialize(data) {
  blocked = data.blocked;
}

export async function resolve(specifier, context, next) {
  if (blocked.some((b) => specifier === b || specifier.startsWith(`${b}/`))) {
    const err = new Error(`Cannot find package '${specifier}' (blocked by the test)`);
    err.code = 'ERR_MODULE_NOT_FOUND';
    throw err;
  }
  return next(specifier, context);
}
