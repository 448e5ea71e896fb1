/**
 * The kinds of value a setting can hold. Each kind turns the text of a flag or an environment
 * variable into a value, checks it with a zod schema, and says in words what it expects: that text
 * is the whole error message ("expected a positive integer"), so users never see a zod dump.
 * Imports only zod and node (the command's start-up loads this module).
 */
import { z } from 'zod';

export interface Kind<T> {
  /** What a valid value looks like, for messages and help: "a positive integer". */
  expected: string;
  /** Placeholder in help: N, URL, DIR. */
  metavar: string;
  /** Turns the text of a flag or variable into the value the schema checks (JSON file values skip this unless text). */
  fromText(text: string): unknown;
  schema: z.ZodType<T>;
  /** A flag without a value (`--demo`); as an environment variable: 1/0, true/false, yes/no. */
  isSwitch?: boolean;
  /** A local path (a value of `http(s)://…` is kept as is): resolved against the current folder, or the config file's. */
  isPath?: boolean;
  /** A local path that must exist (checked once the path is resolved). */
  mustExist?: boolean;
  /** A folder: a path that exists must not be a file (it may not exist yet: it is made). */
  isFolder?: boolean;
  /** Optional detail for a rejected value, appended to the message. */
  explain?(value: unknown): string | undefined;
}

const same = (text: string): unknown => text;
const nonBlank = z.string().regex(/\S/);
const isHttpUrl = (s: string): boolean => /^https?:\/\//i.test(s) && URL.canParse(s);

export const text = (metavar: string, expected = 'a non-empty value'): Kind<string> => ({
  expected,
  metavar,
  fromText: same,
  schema: nonBlank,
});

export const positiveInteger = (unit?: string): Kind<number> => ({
  expected: unit ? `a positive integer (${unit})` : 'a positive integer',
  metavar: 'N',
  fromText: (t) => (/^\s*\d+\s*$/.test(t) ? Number(t) : t),
  schema: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
});

export const wholeNumber = (unit?: string): Kind<number> => ({
  expected: unit ? `a whole number ≥ 0 (${unit})` : 'a whole number ≥ 0',
  metavar: 'N',
  fromText: (t) => (/^\s*\d+\s*$/.test(t) ? Number(t) : t),
  schema: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
});

const SWITCH_WORDS: Record<string, boolean> = {
  '1': true,
  true: true,
  yes: true,
  on: true,
  '0': false,
  false: false,
  no: false,
  off: false,
};
export const onOff: Kind<boolean> = {
  expected: 'true or false (as a variable: 1/0, true/false, yes/no, on/off)',
  metavar: '',
  fromText: (t) => SWITCH_WORDS[t.trim().toLowerCase()] ?? t,
  schema: z.boolean(),
  isSwitch: true,
};

export const httpUrl: Kind<string> = {
  expected: 'an http(s) URL',
  metavar: 'URL',
  fromText: same,
  schema: z.string().refine(isHttpUrl),
};

export const postgresUrl: Kind<string> = {
  expected: 'a PostgreSQL URL (postgres://user@host:port/database)',
  metavar: 'URL',
  fromText: same,
  schema: z.string().refine((s) => /^postgres(ql)?:\/\//i.test(s) && URL.canParse(s)),
};

export const brokerList: Kind<string> = {
  expected: 'host:port[,host:port…]',
  metavar: 'HOST:PORT,…',
  fromText: same,
  schema: z.string().regex(/^\s*[^\s,]+:\d{1,5}\s*(,\s*[^\s,]+:\d{1,5}\s*)*$/),
};

/**
 * A local path, or (`withUrls`) an http(s) URL; `existing`: the path must exist when the command starts;
 * `folder`: a folder (an existing file is refused). A URL of another scheme (`ftp:`, `file:`) is refused.
 */
export const pathOrUrl = (
  metavar: string,
  opts: { withUrls?: boolean; existing?: boolean; folder?: boolean } = {},
): Kind<string> => ({
  expected: `${opts.existing ? 'an existing path' : opts.folder ? 'a folder' : 'a path'}${opts.withUrls ? ' or an http(s) URL' : ''}`,
  metavar,
  fromText: same,
  schema: nonBlank,
  isPath: true,
  mustExist: opts.existing,
  isFolder: opts.folder,
});

/** The scheme of a value that looks like a URL but is not http(s) (`ftp`, `file`); two letters at least, so `C:\\` is a path. */
export const otherScheme = (value: string): string | undefined => {
  const m = /^([a-z][a-z0-9+.-]+):/i.exec(value.trim());
  return m && !/^https?$/i.test(m[1]) ? m[1] : undefined;
};

export const oneOf = <const V extends readonly [string, ...string[]]>(metavar: string, values: V): Kind<V[number]> => ({
  expected: `one of ${values.join(', ')}`,
  metavar,
  fromText: (t) => t.trim(),
  schema: z.enum(values),
});

/** A comma-separated list of names out of `names` (a JSON array in a config file). */
export const nameList = <const V extends readonly [string, ...string[]]>(
  names: V,
  what: string,
): Kind<Array<V[number]>> => ({
  expected: `comma-separated ${what} (${names.join(', ')})`,
  metavar: 'A,B,…',
  fromText: (t) => t.split(',').map((s) => s.trim()),
  schema: z.array(z.enum(names)).min(1),
  explain(value) {
    const list = typeof value === 'string' ? value.split(',').map((s) => s.trim()) : Array.isArray(value) ? value : [];
    const bad = list.filter((s) => !(names as readonly unknown[]).includes(s));
    return bad.length > 0 ? `not ${what}: ${bad.map((b) => JSON.stringify(b)).join(', ')}` : undefined;
  },
});

/** A JSON object (text in a flag or variable, an object in a config file). */
export const jsonObject = <T>(metavar: string, expected: string, schema: z.ZodType<T>): Kind<T> => ({
  expected,
  metavar,
  fromText(t) {
    try {
      return JSON.parse(t) as unknown;
    } catch {
      return t;
    }
  },
  schema,
});

/** An OAI-PMH datestamp: a day (2024-01-31) or a UTC time (2024-01-31T12:00:00Z), as the protocol's from/until take. */
export const oaiDate: Kind<string> = {
  expected: 'a date YYYY-MM-DD or a UTC time YYYY-MM-DDThh:mm:ssZ',
  metavar: 'DATE',
  fromText: (t) => t.trim(),
  schema: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z)?$/)
    .refine((s) => !Number.isNaN(Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s))),
};

/** A comma-separated list of ids (a JSON array of strings in a config file). */
export const idList: Kind<string[]> = {
  expected: 'comma-separated ids',
  metavar: 'ID,…',
  fromText: (t) =>
    t
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  schema: z.array(z.string().regex(/\S/)).min(1),
};
