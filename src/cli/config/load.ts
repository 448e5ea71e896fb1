/**
 * Reads a command's settings once, at the edge, from its flags, the environment and an optional JSON
 * config file, in that order of precedence, and validates them before anything is opened. Every
 * mistake is a `UsageError` whose message names the flag, the variable or the file's key and says
 * what it expects, e.g. `--records: expected a positive integer, got "abc"`.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  COMMAND_NAMES,
  SETTING_KEYS,
  flagOf,
  setting,
  settingsOf,
  type CommandName,
  type Config,
  type SettingKey,
  type SettingSource,
} from './settings.ts';
import { otherScheme } from './kinds.ts';
import { UsageError } from './usage-error.ts';

export interface LoadInput {
  command: CommandName;
  /** The arguments after the command's name. */
  args: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  /** Relative paths in flags and variables are resolved against it. */
  cwd: string;
}

export interface LoadedConfig {
  command: CommandName;
  config: Config;
  /** Where each setting's value came from. */
  sources: Record<SettingKey, SettingSource>;
  positionals: string[];
  /** `--help` or `-h` was given: print the command's help, nothing was validated. */
  help: boolean;
}

interface RawValue {
  value: unknown;
  /** The flag, the variable or the file key, as the user wrote it: messages name it. */
  where: string;
  source: SettingSource;
  /** Folder relative paths are resolved against. */
  baseDir: string;
}

export function loadConfig(input: LoadInput): LoadedConfig {
  const keys = settingsOf(input.command);
  const { flags, positionals, help } = readFlags(input.command, keys, input.args);
  const empty = {
    command: input.command,
    config: {} as Config,
    sources: {} as Record<SettingKey, SettingSource>,
    positionals,
    help,
  };
  if (help) return empty;
  const env = (name: string | undefined) =>
    name && input.env[name] !== undefined && input.env[name] !== '' ? input.env[name] : undefined;

  const raw = (key: SettingKey, file: FileValues | undefined): RawValue | undefined => {
    const s = setting(key);
    // Settings of other commands keep their defaults (flags were refused above; variables are not read).
    if (!keys.includes(key))
      return s.default !== undefined
        ? { value: s.default, where: key, source: 'default', baseDir: input.cwd }
        : undefined;
    if (flags.has(key)) return { value: flags.get(key), where: flagOf(key)!, source: 'flag', baseDir: input.cwd };
    const fromEnv = env(s.env);
    if (fromEnv !== undefined) return { value: fromEnv, where: s.env!, source: 'env', baseDir: input.cwd };
    if (file && key in file.values)
      return {
        value: file.values[key],
        where: `"${key}" in ${file.path}`,
        source: 'file',
        baseDir: dirname(file.absPath),
      };
    if (s.default !== undefined) return { value: s.default, where: key, source: 'default', baseDir: input.cwd };
    return undefined;
  };

  const configFile = raw('configFile', undefined);
  const file = configFile ? readConfigFile(configFile) : undefined;
  const config: Record<string, unknown> = {};
  const sources: Record<string, SettingSource> = {};
  for (const key of SETTING_KEYS) {
    const r = raw(key, file);
    config[key] = r ? check(key, r) : undefined;
    sources[key] = r?.source ?? 'default';
  }
  return { ...empty, config: config as Config, sources: sources as Record<SettingKey, SettingSource> };
}

/** Validates one value; relative paths are made absolute. */
function check(key: SettingKey, r: RawValue): unknown {
  const kind = setting(key).kind;
  const candidate = typeof r.value === 'string' ? kind.fromText(r.value) : r.value;
  const parsed = kind.schema.safeParse(candidate);
  if (!parsed.success) {
    const detail = kind.explain?.(r.value);
    throw new UsageError(`${r.where}: expected ${kind.expected}, got ${show(r.value)}${detail ? ` (${detail})` : ''}`);
  }
  const value = parsed.data;
  if (kind.isPath && typeof value === 'string' && !/^https?:\/\//i.test(value)) {
    const scheme = otherScheme(value);
    if (scheme)
      throw new UsageError(
        `${r.where}: expected ${kind.expected}, got ${show(r.value)} (${scheme}: URLs are not read)`,
      );
    const path = resolve(r.baseDir, value);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (kind.mustExist && !stat)
      throw new UsageError(
        `${r.where}: expected ${kind.expected}, got ${show(r.value)} (no such file or folder: ${path})`,
      );
    if (kind.isFolder && stat && !stat.isDirectory())
      throw new UsageError(`${r.where}: expected ${kind.expected}, got ${show(r.value)} (${path} is a file)`);
    return path;
  }
  return value;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const s = JSON.stringify(value) ?? String(value);
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
}

/** The command line: flags by setting key, positionals, help. */
function readFlags(command: CommandName, keys: SettingKey[], args: readonly string[]) {
  const byFlag = new Map<string, SettingKey>();
  for (const key of keys) if (setting(key).flag) byFlag.set(setting(key).flag!, key);
  const options = Object.fromEntries(
    [...byFlag].map(([flag, key]) => [
      flag,
      { type: setting(key).kind.isSwitch ? ('boolean' as const) : ('string' as const) },
    ]),
  );
  const { tokens } = parseArgs({
    args: [...args],
    strict: false,
    tokens: true,
    allowPositionals: true,
    options: { ...options, help: { type: 'boolean', short: 'h' } },
  });
  const flags = new Map<SettingKey, unknown>();
  const positionals: string[] = [];
  let help = false;
  const problems: string[] = [];
  for (const t of tokens) {
    if (t.kind === 'positional') positionals.push(t.value);
    if (t.kind !== 'option') continue;
    if (t.name === 'help') {
      help = true;
      continue;
    }
    const key = byFlag.get(t.name);
    if (!key) {
      problems.push(unknownFlag(command, t.rawName));
      continue;
    }
    if (setting(key).kind.isSwitch) {
      if (t.value !== undefined) problems.push(`${t.rawName} takes no value (got ${show(t.value)})`);
      else flags.set(key, true);
    } else if (t.value === undefined || (!t.inlineValue && /^--?[A-Za-z]/.test(t.value))) {
      problems.push(
        `${t.rawName}: expected ${setting(key).kind.expected}, got nothing${t.value ? ` (for a value starting with "-", write ${t.rawName}=${t.value})` : ''}`,
      );
    } else flags.set(key, t.value);
  }
  // With --help the rest does not matter: the user asked what to type.
  if (!help && problems.length > 0) throw new UsageError(problems[0]);
  return { flags, positionals, help };
}

function unknownFlag(command: CommandName, rawName: string): string {
  const name = rawName.replace(/^-+/, '');
  const key = SETTING_KEYS.find((k) => setting(k).flag === name);
  if (key) {
    const users = COMMAND_NAMES.filter((c) => (setting(key).commands as readonly string[]).includes(c));
    return `${rawName} is not an option of ${command} (it is one of: ${users.join(', ')})`;
  }
  return `unknown option ${rawName} for ${command} (see metis-streams help ${command})`;
}

interface FileValues {
  path: string;
  absPath: string;
  values: Record<string, unknown>;
}

function readConfigFile(r: RawValue): FileValues {
  const path = String(r.value);
  const absPath = resolve(r.baseDir, path);
  let text: string;
  try {
    text = readFileSync(absPath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(
      `${r.where}: cannot read the config file ${path} (${code === 'ENOENT' ? 'no such file' : (code ?? (err as Error).message)})`,
    );
  }
  let values: unknown;
  try {
    values = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${r.where}: ${path} is not valid JSON (${(err as Error).message})`);
  }
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new UsageError(`${r.where}: ${path} must hold a JSON object of settings, e.g. {"pgUrl": "postgres://…"}`);
  }
  for (const key of Object.keys(values)) {
    if (key === 'configFile') throw new UsageError(`"configFile" in ${path}: a config file cannot name another one`);
    if (!(SETTING_KEYS as string[]).includes(key))
      throw new UsageError(`"${key}" in ${path}: not a setting (the settings are listed by metis-streams help)`);
  }
  return { path, absPath, values: values as Record<string, unknown> };
}
