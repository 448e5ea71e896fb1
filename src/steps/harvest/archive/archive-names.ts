/**
 * Entry-name rules of Metis's archive harvesting (metis-common `CompressedFileHandler`,
 * `CompressedFileExtension`, metis-harvesting `HttpHarvesterImpl`), metis-steps.md §2.
 */
import { errors } from '../../../errors/index.ts';

/** Supported archive extensions, longest first (`.tar.gz` before `.gz`). */
export const ARCHIVE_EXTENSIONS = ['.tar.gz', '.tgz', '.zip', '.tar', '.gz'] as const;

/** Characters Metis replaces by `_` in entry names: `% $:?&#<>|*,` and NUL. */
const BANNED = /[% $:?&#<>|*,\u0000]/g;

/** Whether a file name ends with a supported archive extension (such files are never records). */
export function hasArchiveExtension(name: string): boolean {
  return ARCHIVE_EXTENSIONS.some((ext) => name.endsWith(ext));
}

/**
 * The name of the file inside a single-file gzip: `.gz` dropped, `.tar.gz`/`.tgz` → `.tar`
 * (`CompressedFileExtension.removeAndNormalizeLastExtension`).
 */
export function gunzippedName(name: string): string {
  if (name.endsWith('.tar.gz')) return name.slice(0, -3);
  if (name.endsWith('.tgz')) return name.slice(0, -4) + '.tar';
  if (name.endsWith('.gz')) return name.slice(0, -3);
  return name;
}

export function replaceBannedCharacters(name: string): string {
  return name.replace(BANNED, '_');
}

/**
 * Whether Metis leaves this entry out: any `__MACOSX` directory level or a `.DS_Store` file.
 * With `skipHiddenFiles`, also any file or directory whose name starts with `.` (AppleDouble `._x`
 * files outside `__MACOSX`, for instance), which Metis does not skip.
 */
export function isSkipped(path: string, skipHiddenFiles = false): boolean {
  const parts = path.split('/').filter((p) => p !== '');
  if (parts.includes('__MACOSX')) return true;
  if (parts[parts.length - 1] === '.DS_Store') return true;
  return skipHiddenFiles && parts.some((p) => p.startsWith('.') && p !== '.' && p !== '..');
}

/**
 * Resolves an entry name against the directory of its archive (`''` for the root archive) into a
 * normalized relative path, with banned characters replaced. Backslashes count as separators.
 * Throws TaskError `ARCHIVE_ZIP_SLIP` ("Entry is outside of the target dir: <name>") when the name
 * is absolute or climbs out of the extraction root, as Metis's zip-slip guard does.
 */
export function resolveEntryPath(baseDir: string, entryName: string): string {
  const name = replaceBannedCharacters(entryName).replace(/\\/g, '/');
  if (name.startsWith('/')) throw errors.ARCHIVE_ZIP_SLIP({ entry: entryName });
  // Normalized on its own first: a nested archive's entries may not climb out of its directory either.
  const out: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) throw errors.ARCHIVE_ZIP_SLIP({ entry: entryName });
      out.pop();
    } else out.push(part);
  }
  return [...baseDir.split('/').filter((p) => p !== ''), ...out].join('/');
}

/** The directory part of a relative path (`a/b/c.zip` → `a/b`, `c.zip` → ``). */
export function dirName(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}
