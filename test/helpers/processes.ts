import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');

/** A free TCP port on loopback (bound then released). */
export function sparePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
    const onData = (d: Buffer) => {
      seen += d.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what}: exited with ${code} before it was ready`));
    });
  });
}

export interface PrivateRedis {
  port: number;
  url: string;
  /** SIGKILL: like a crash, nothing saved (the server runs without persistence). */
  kill(): Promise<void>;
  /** A fresh server on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A redis-server of this test's own on a spare loopback port, so it can be killed without touching anyone else's. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await sparePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    await waitForOutput(child, /Ready to accept connections/, 10_000, `redis-server on ${port}`);
  };
  const kill = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  };
  await start();
  return { port, url: `redis://127.0.0.1:${port}/0`, kill, restart: start, stop: kill };
}

export interface RoleProcess {
  name: string;
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

let sourcesMtime: number | undefined;
function newestSource(dir = join(ROOT, 'src')): number {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return t;
}

/**
 * How to run `src/….ts`: its compiled file (`dist/src/….js`, plain node, as ops run it) when it
 * exists and no source is newer — the rule of scripts/run-cli.js; `.ci/run` builds before the
 * tests — else the TypeScript through ts-node (transpile only), so a changed source is what runs.
 * A ts-node start-up costs 5-8 s of CPU per process on 2 cores; the drills start several.
 */
function nodeArgs(entry: string): string[] {
  const compiled = compiledIfFresh(entry);
  return compiled ? [compiled] : ['-r', 'ts-node/register/transpile-only', join(ROOT, entry)];
}

/** `dist/…/<entry>.js` when it exists and no file under src/ is newer, else undefined. */
export function compiledIfFresh(entry: string): string | undefined {
  const compiled = join(ROOT, 'dist', entry.replace(/\.ts$/, '.js'));
  sourcesMtime ??= newestSource();
  return existsSync(compiled) && sourcesMtime <= statSync(compiled).mtimeMs ? compiled : undefined;
}

/**
 * A role's entry point as a real process (compiled when `dist/` is fresh, else the TypeScript
 * transpiled on the fly), from an empty directory (no `.env`), with nothing but the variables given.
 */
export async function spawnRole(
  name: string,
  entry: string,
  env: Record<string, string>,
  readyTimeoutMs = 60_000,
): Promise<RoleProcess> {
  const cwd = mkdtempSync(join(tmpdir(), `autoreels-${name}-`));
  const child = spawn(process.execPath, nodeArgs(entry), {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
      NODE_PATH: join(ROOT, 'node_modules'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      rmSync(cwd, { recursive: true, force: true });
      resolve(code);
    }),
  );
  const role: RoleProcess = {
    name,
    child,
    stdout: () => out,
    stderr: () => err,
    stop: async (graceMs = 20_000) => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        const code = await exited;
        clearTimeout(timer);
        return code;
      }
      return exited;
    },
  };
  try {
    await waitForOutput(child, /role started|client role serving/, readyTimeoutMs, `the ${name} role`);
  } catch (e) {
    await role.stop(1000);
    throw new Error(`${(e as Error).message}\nstdout: ${out.slice(-2000)}\nstderr: ${err.slice(-2000)}`);
  }
  return role;
}

/** Non-empty lines that are not one JSON object each. */
export function nonJsonLines(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .filter((l) => {
      try {
        const v: unknown = JSON.parse(l);
        return typeof v !== 'object' || v === null;
      } catch {
        return true;
      }
    });
}

export interface PrivatePostgres {
  port: number;
  /** The `postgres` database of this server (superuser, trust auth on loopback). */
  adminUrl: string;
  urlFor(database: string): string;
  /** `pg_ctl stop -m fast|immediate`: fast rolls back and disconnects clients; immediate is a crash. */
  stop(mode: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  /** Stops it (immediate) and deletes its data directory; safe to call twice. */
  destroy(): Promise<void>;
}

/**
 * A PostgreSQL server of this test's own (initdb into a temp directory, pg_ctl, a spare port,
 * trust auth, no fsync) so a test can stop and restart it. Runs as the `postgres` user when the
 * tests run as root (initdb refuses root).
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  if (!versions.length) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql');
  const bin = (name: string) => `/usr/lib/postgresql/${versions[0]}/bin/${name}`;
  const asRoot = userInfo().uid === 0;
  const dir = mkdtempSync(join(tmpdir(), 'autoreels-pg-'));
  if (asRoot) {
    const id = (flag: string) =>
      new Promise<number>((resolve, reject) =>
        execFile('id', [flag, 'postgres'], (e, out) => (e ? reject(new Error(e.message)) : resolve(Number(out)))),
      );
    const [uid, gid] = [await id('-u'), await id('-g')];
    chownSync(dir, uid, gid);
  }
  const run = (cmd: string, args: string[]) =>
    new Promise<void>((resolve, reject) => {
      const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
      execFile(file, argv, { timeout: 60_000 }, (err, _out, stderr) =>
        err ? reject(new Error(`${cmd} ${args.join(' ')}: ${err.message}\n${stderr}`)) : resolve(),
      );
    });
  const port = await sparePort();
  const data = join(dir, 'data');
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  const start = () => run(bin('pg_ctl'), ['-D', data, '-l', join(dir, 'server.log'), '-o', options, '-w', '-t', '30', 'start']);
  const stop = (mode: 'fast' | 'immediate') => run(bin('pg_ctl'), ['-D', data, '-m', mode, '-w', '-t', '30', 'stop']);
  let destroyed = false;
  try {
    await run(bin('initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    await start();
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const urlFor = (database: string) => `postgresql://postgres@127.0.0.1:${port}/${database}`;
  return {
    port,
    adminUrl: urlFor('postgres'),
    urlFor,
    stop,
    start,
    destroy: async () => {
      if (destroyed) return;
      destroyed = true;
      await stop('immediate').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
