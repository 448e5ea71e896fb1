/**
 * A private PostgreSQL cluster for fault tests that stop, restart or kill the database (never the
 * shared server on 5432): `initdb` in a temporary folder, its own port on 127.0.0.1, trust auth,
 * started and stopped with `pg_ctl`. Run as the `postgres` user when the tests run as root (initdb
 * refuses root). `destroy()` stops it and removes the folder.
 */
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export interface OwnPostgres {
  /** postgres://postgres@127.0.0.1:PORT/metis */
  url: string;
  port: number;
  dir: string;
  /** `pg_ctl stop -m fast` (connections are cut; new ones refused until start()). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** `pg_ctl stop -m immediate`: like a crash (no checkpoint; recovery on the next start). */
  kill(): Promise<void>;
  destroy(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl'))) : [];
  if (versions.length === 0) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (apt-get install postgresql)');
  versions.sort((a, b) => Number(b) - Number(a));
  return join(root, versions[0], 'bin');
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startOwnPostgres(): Promise<OwnPostgres> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'metis-own-pg-'));
  const asRoot = process.getuid?.() === 0;
  let uid = 0;
  let gid = 0;
  if (asRoot) {
    const id = await run('id', ['-u', 'postgres']);
    const g = await run('id', ['-g', 'postgres']);
    uid = Number(id.stdout.trim());
    gid = Number(g.stdout.trim());
    chmodSync(dir, 0o700);
    chownSync(dir, uid, gid);
  }
  const pgCmd = (tool: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]) : run(join(bin, tool), args);
  const data = join(dir, 'data');
  await pgCmd('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`;
  const start = async () => {
    await pgCmd('pg_ctl', ['-D', data, '-o', opts, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);
  };
  const stopWith = async (mode: string) => {
    await pgCmd('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '60', 'stop']).catch(() => undefined);
  };
  await start();
  const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
  await admin.connect();
  await admin.query('CREATE DATABASE metis');
  await admin.end();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/metis`,
    port,
    dir,
    stop: () => stopWith('fast'),
    kill: () => stopWith('immediate'),
    start,
    async destroy() {
      await stopWith('immediate');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
