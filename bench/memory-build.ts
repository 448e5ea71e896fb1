/**
 * `npm run bench memory-build -- <rev>` (issue #13 target 3): a compiled build of a commit, for the
 * benchmarks that run the compiled worker (`memory-worker --compiled=<rev>`, `soak --compiled=<rev>`).
 *
 * `git archive <rev>` is unpacked into `../metis-build-<sha>` beside this checkout (so the build's
 * default schema location, `../shared/…` of the tree, is the same as the checkout's), node_modules is
 * a symlink to this checkout's, and `tsc -p tsconfig.build.json` writes its dist/. An existing build
 * of the same commit is reused. Prints the dist folder. Uncommitted changes are not in it: commit
 * first, or give a folder to `--compiled` instead.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The dist folder of a compiled build of `rev` (built when missing). */
export function compiledBuild(rev: string): string {
  const sha = execFileSync('git', ['rev-parse', '--short=10', `${rev}^{commit}`], { cwd: ROOT, encoding: 'utf8' }).trim();
  const tree = resolve(ROOT, '..', `metis-build-${sha}`);
  const dist = join(tree, 'dist');
  if (existsSync(join(dist, 'pipeline', 'kafka-worker.js'))) return dist;
  const tmp = `${tree}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  execFileSync('bash', ['-c', `git archive ${sha} | tar -x -C ${JSON.stringify(tmp)}`], { cwd: ROOT, stdio: 'inherit' });
  symlinkSync(join(ROOT, 'node_modules'), join(tmp, 'node_modules'));
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: tmp, stdio: 'inherit' });
  rmSync(tree, { recursive: true, force: true });
  renameSync(tmp, tree);
  return dist;
}

/** `--compiled=` of the memory benchmarks: a folder (a dist/) as is, anything else a git revision to build. */
export function compiledDist(value: string): string {
  return existsSync(value) ? resolve(value) : compiledBuild(value);
}

export default async function main(args: string[]): Promise<void> {
  const rev = args.find((a) => !a.startsWith('--')) ?? 'HEAD';
  console.log(compiledBuild(rev));
}
