import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Issue 15: what no container engine here can run, checked by reading docker-compose.yml and the
 * Dockerfile: production by default, the sandbox only in its profile and never in the roles'
 * environment, migrations once before the roles, a healthcheck on every role, and an image that
 * runs the compiled ops commands with plain node.
 */
// js-yaml 4 is installed (a dependency of the tooling); it ships no types
const yaml = require('js-yaml') as { load(text: string): unknown };

const ROOT = join(__dirname, '..');
type Service = {
  command?: string[];
  profiles?: string[];
  environment?: Record<string, unknown> | string[];
  healthcheck?: { test?: string[] };
  depends_on?: Record<string, { condition?: string }>;
  restart?: string;
};
const compose = yaml.load(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };
const services = Object.entries(compose.services);
const entry = (s: Service) => s.command?.find((a) => a.startsWith('dist/')) ?? '';
const roles = services.filter(([, s]) => entry(s).startsWith('dist/src/roles/'));
const envOf = (s: Service): Record<string, string> =>
  Array.isArray(s.environment)
    ? Object.fromEntries(s.environment.map((kv) => kv.split(/=(.*)/s).slice(0, 2)))
    : Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, String(v)]));

/** The Dockerfile's stages, each as its instructions (continuation lines joined). */
function dockerStages(): string[][] {
  const lines = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: string[][] = [];
  for (const l of lines) {
    if (/^FROM\s/i.test(l)) stages.push([]);
    stages[stages.length - 1]?.push(l);
  }
  return stages;
}

describe('deployment configuration', () => {
  it('should run every role of the app: api, worker, scheduler, client', () => {
    expect(roles.map(([name]) => name).sort()).toEqual(['api', 'client', 'scheduler', 'worker']);
    for (const [, s] of roles)
      expect(
        existsSync(
          join(
            ROOT,
            entry(s)
              .replace(/^dist\//, '')
              .replace(/\.js$/, '.ts'),
          ),
        ),
      ).toBe(true);
  });

  it('should give every role a healthcheck that the image can run', () => {
    for (const [name, s] of roles) {
      const test = s.healthcheck?.test ?? [];
      expect({ name, kind: test[0] }).toEqual({ name, kind: expect.stringMatching(/^CMD(-SHELL)?$/) });
      expect({ name, args: test.length > 1 }).toEqual({ name, args: true });
      // a compiled file the healthcheck names must have its source (src/… → dist/src/…)
      for (const arg of test.filter((a) => a.startsWith('dist/')))
        expect(existsSync(join(ROOT, arg.slice(5).replace(/\.js$/, '.ts')))).toBe(true);
      // no tools the slim node image lacks
      expect({ name, test: test.join(' ') }).not.toEqual({ name, test: expect.stringMatching(/\b(curl|wget|ts-node|npx)\b/) });
    }
  });

  it('should run the migrations once, as their own service, before every role starts', () => {
    const migrate = compose.services.migrate;
    expect(migrate.command).toEqual(['node', 'dist/src/cli/migrate.js']);
    expect(migrate.restart).toBe('no');
    for (const [name, s] of roles)
      expect({ name, dependsOn: s.depends_on?.migrate?.condition }).toEqual({
        name,
        dependsOn: 'service_completed_successfully',
      });
  });

  it('should keep the sandbox in its profile and out of the roles', () => {
    const sandboxes = services.filter(([, s]) => entry(s).startsWith('dist/src/sandbox/'));
    expect(sandboxes.map(([n]) => n)).toEqual(['sandbox']);
    expect(compose.services.sandbox.profiles).toEqual(['sandbox']);
    for (const [name, s] of services) {
      if (name === 'sandbox') continue;
      expect({ name, profiles: s.profiles }).toEqual({ name, profiles: undefined });
      const env = envOf(s);
      for (const [k, v] of Object.entries(env)) {
        expect({ name, k, v }).not.toEqual({ name, k, v: expect.stringMatching(/sandbox|:8090\b/i) });
      }
      // production unless the operator's .env says otherwise: compose never sets a weaker one
      expect({ name, ENVIRONMENT: env.ENVIRONMENT }).toEqual({ name, ENVIRONMENT: undefined });
    }
  });

  it('should build an image that is production by default and runs the compiled ops commands with plain node', () => {
    const stages = dockerStages();
    const runtime = stages[stages.length - 1].join('\n');
    expect(runtime).toMatch(/^ENV .*\bENVIRONMENT=production\b/m);
    expect(runtime).toMatch(/^ENV .*\bNODE_ENV=production\b/m);
    expect(runtime).toMatch(/^RUN npm ci --omit=dev\b/m); // no ts-node, no TypeScript
    expect(runtime).toMatch(/^COPY --from=build \/app\/dist dist$/m);
    expect(runtime).toMatch(/^COPY --from=build .*\/app\/scripts\/run-cli\.js .*\/app\/scripts\/dev-env\.js scripts\/$/m);
    expect(runtime).not.toMatch(/ts-node|(?<![\w/])src\//); // dist/src/… is fine, src/ is not in the image
    expect(runtime).toMatch(/^USER node$/m);
    // every ops command of package.json runs through run-cli.js, which runs dist/src/cli/<name>.js
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    for (const script of ['tokens:sweep', 'tokens:reencrypt', 'users:make-admin', 'migrate']) {
      const m = /^node scripts\/run-cli\.js ([a-z-]+)$/.exec(pkg.scripts[script] ?? '');
      expect({ script, ok: !!m }).toEqual({ script, ok: true });
      expect(existsSync(join(ROOT, 'src', 'cli', `${m?.[1]}.ts`))).toBe(true);
    }
  });
});
