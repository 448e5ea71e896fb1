/**
 * `metis-streams help`, and the README's settings table, made from the command table and the settings
 * declarations (so neither can drift from what the loader accepts).
 */
import { COMMANDS } from '../command-table.ts';
import {
  COMMAND_NAMES,
  SETTING_KEYS,
  flagOf,
  setting,
  settingsOf,
  type CommandName,
  type SettingKey,
} from './settings.ts';

const PRECEDENCE =
  'Precedence: flag > environment variable > config file (--config FILE, JSON keyed by the setting names) > default.';

function defaultOf(key: SettingKey): string | undefined {
  const s = setting(key);
  if (s.defaultText) return s.defaultText;
  if (s.default === undefined || s.default === false) return undefined;
  return typeof s.default === 'string' ? s.default : JSON.stringify(s.default);
}

const flagWithValue = (key: SettingKey): string => {
  const s = setting(key);
  return s.kind.isSwitch ? flagOf(key)! : `${flagOf(key)} ${s.kind.metavar}`;
};

function settingLines(keys: SettingKey[], withCommands: boolean): string[] {
  const lines: string[] = [];
  for (const key of keys) {
    const s = setting(key);
    const facts = [
      s.env,
      defaultOf(key) && `default ${defaultOf(key)}`,
      withCommands && `(${s.commands.length === COMMAND_NAMES.length ? 'all commands' : s.commands.join(', ')})`,
    ];
    lines.push(`  ${flagWithValue(key).padEnd(30)} ${facts.filter(Boolean).join('   ')}`);
    lines.push(`      ${s.description}`);
  }
  return lines;
}

/** The commands, one line each (also what a call without a command prints, to stderr). */
export function renderCommands(): string {
  const out = [
    'usage: metis-streams <command> [options]      (metis-streams help <command>: its options)',
    '',
    'commands:',
  ];
  for (const name of COMMAND_NAMES) out.push(`  ${name.padEnd(10)} ${COMMANDS[name].summary}`);
  return out.join('\n') + '\n';
}

/** The whole help: commands, then every setting. */
export function renderHelp(): string {
  const out = [renderCommands().trimEnd()];
  out.push('', `settings (flag, environment variable, default, commands). ${PRECEDENCE}`);
  out.push(...settingLines(SETTING_KEYS, true));
  out.push('  -h, --help', '      This help.', '');
  return out.join('\n');
}

/** One command's help: its usage and its settings. */
export function renderCommandHelp(command: CommandName): string {
  const c = COMMANDS[command];
  const out = [
    `usage: metis-streams ${c.usage}`,
    '',
    c.summary,
    '',
    `options (flag, environment variable, default). ${PRECEDENCE}`,
  ];
  out.push(...settingLines(settingsOf(command), false), '  -h, --help', '      This help.', '');
  return out.join('\n');
}

/** The settings as a Markdown table (the README keeps a copy; a test compares them). */
export function renderSettingsTable(): string {
  const cell = (s: string | undefined) => (s ? s.replaceAll('|', '\\|') : '');
  const code = (s: string | undefined) => (s ? `\`${s}\`` : '');
  const rows = [
    '| Setting (config file key) | Flag | Environment variable | Default | Value | Commands | What it is |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const key of SETTING_KEYS) {
    const s = setting(key);
    const commands = s.commands.length === COMMAND_NAMES.length ? 'all' : s.commands.join(', ');
    const cells = [
      code(key),
      code(flagWithValue(key)),
      code(s.env),
      s.defaultText ?? code(defaultOf(key)),
      s.kind.expected,
      commands,
      s.description,
    ];
    rows.push(`| ${cells.map(cell).join(' | ')} |`);
  }
  return rows.join('\n');
}
