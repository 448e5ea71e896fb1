/**
 * Checks of the local files a command was given, made before anything opens (no database, no server,
 * no log line): an `--archive` path that is no file, an `--entities` file that holds no entities. Each
 * problem is a `UsageError` naming the flag (or the variable, or the config file's key), so the command
 * prints one line and exits 2.
 */
import { statSync } from 'node:fs';
import { readEntityFile } from '../steps/enrich/entity-file.ts';
import { flagOf, setting, type Config, type SettingKey, type SettingSource } from './config/settings.ts';
import { UsageError } from './config/usage-error.ts';

/** How the user gave a setting, as messages name it: `--entities`, `METIS_ENTITIES`, `"entitiesFile" in the config file`. */
export function nameOf(key: SettingKey, sources: Partial<Record<SettingKey, SettingSource>>): string {
  const source = sources[key];
  if (source === 'env' && setting(key).env) return setting(key).env!;
  if (source === 'file') return `"${key}" in the config file`;
  return flagOf(key) ?? key;
}

const isUrl = (value: string): boolean => /^https?:\/\//i.test(value);

/** A local `--archive` must be a file (a URL is fetched by the harvest step, which names its own errors). */
export function checkArchive(c: Config, sources: Partial<Record<SettingKey, SettingSource>>): void {
  if (c.archive === undefined || isUrl(c.archive)) return;
  const where = nameOf('archive', sources);
  const stat = statSync(c.archive, { throwIfNoEntry: false });
  if (!stat) throw new UsageError(`${where}: no such file: ${c.archive}`);
  if (!stat.isFile()) throw new UsageError(`${where}: ${c.archive} is not a file (give a zip, tar or tgz archive)`);
}

/** An `--entities` file is read and parsed now: a file that is no entity file stops the command before it starts. */
export async function checkEntities(c: Config, sources: Partial<Record<SettingKey, SettingSource>>): Promise<void> {
  if (c.entitiesFile === undefined || isUrl(c.entitiesFile)) return;
  const where = nameOf('entitiesFile', sources);
  const expected = 'expected EDM RDF/XML or Entity API JSON entities';
  let count: number;
  try {
    count = (await readEntityFile(c.entitiesFile)).length;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    // A file-system error says its code (EISDIR, EACCES); a parse error says what is wrong and where.
    const why = e.syscall ? (e.code === 'EISDIR' ? 'a folder' : (e.code ?? e.syscall)) : oneLine(e.message);
    throw new UsageError(`${where}: cannot read entities from ${c.entitiesFile} (${why}; ${expected})`);
  }
  if (count === 0) throw new UsageError(`${where}: ${c.entitiesFile} holds no entities (${expected})`);
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 197)}…` : line;
}
