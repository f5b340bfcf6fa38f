// The consumer project of test/consumers (its fixture: a Vite app and a plain <script type="module">
// page that train XOR, save and reload), made for the Firefox and WebKit suites: the package as
// users get it (`npm pack`, unpacked into node_modules/wasmlp) and the app built by Vite with no
// configuration. Nothing is installed from a registry: Vite is the repository's own.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../consumers/fixture/', import.meta.url));

export interface ConsumerProject {
  dir: string;
  /** The Vite bundle's JavaScript, all files together. */
  bundle(): string;
  /** Files Vite wrote to dist/assets. */
  assets(): string[];
  remove(): void;
}

export async function buildConsumerProject(): Promise<ConsumerProject> {
  const dir = mkdtempSync(join(tmpdir(), 'wasmlp-browser-consumer-'));
  try {
    // dist/ was built by `npm test`'s build step; packing must not rebuild it
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: REPO });
    const tarball = join(dir, JSON.parse(stdout)[0].filename as string);
    const installed = join(dir, 'node_modules', 'wasmlp');
    mkdirSync(installed, { recursive: true });
    await run('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1']);
    rmSync(tarball);
    symlinkSync(join(REPO, 'node_modules', 'vite'), join(dir, 'node_modules', 'vite'), 'dir');
    cpSync(FIXTURE, dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'wasmlp-consumer', private: true, type: 'module', dependencies: { wasmlp: '*' } }, null, 2));
    await run(process.execPath, [join(REPO, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--base', './', '--logLevel', 'warn'], { cwd: dir });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const assetsDir = join(dir, 'dist', 'assets');
  return {
    dir,
    assets: () => readdirSync(assetsDir),
    bundle: () =>
      readdirSync(assetsDir)
        .filter((f) => f.endsWith('.js'))
        .map((f) => readFileSync(join(assetsDir, f), 'utf8'))
        .join('\n'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
