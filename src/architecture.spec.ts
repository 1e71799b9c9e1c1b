import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep, dirname } from 'node:path';

/**
 * The shape of the code base, enforced (issue 11, STYLE.md "each table has one owner"): these
 * fail when a change writes a connection's tables from elsewhere, reaches into another module's
 * persistence, makes module folders import each other in a circle, or lets the sandbox share
 * code with the product it stands in for.
 */
const SRC = resolve(__dirname);
const MODULES = join(SRC, 'modules');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return files(p);
    return p.endsWith('.ts') && !p.endsWith('.spec.ts') ? [p] : [];
  });
}

const rel = (p: string): string => relative(SRC, p).split(sep).join('/');
const importsOf = (p: string): string[] =>
  [...readFileSync(p, 'utf8').matchAll(/from\s+['"](\.[^'"]+)['"]/g)].map((m) => resolve(dirname(p), m[1]));
const moduleOf = (p: string): string | null => {
  const r = relative(MODULES, p);
  return r.startsWith('..') ? null : r.split(sep)[0];
};

describe('architecture', () => {
  const all = files(SRC);

  it('should write instagram_tokens and token_events only from the connection repository', () => {
    const owner = 'modules/connections/persistence/typeorm-connection.repository.ts';
    const writes = /\b(UPDATE|INSERT\s+INTO|DELETE\s+FROM)\s+(instagram_tokens|token_events)\b/i;
    const entityUse = /\b(InstagramTokenEntity|TokenEventEntity)\b/;
    // entity files (foreign keys), the entity registry and the port's read-model alias may name the entities
    const mayName = new Set([
      owner,
      'config/database.ts',
      'modules/connections/connection.repository.ts',
      'modules/connections/persistence/instagram-token.entity.ts',
      'modules/connections/persistence/token-event.entity.ts',
    ]);
    const offenders = all
      .map((p) => ({ p: rel(p), text: readFileSync(p, 'utf8') }))
      .filter(
        ({ p, text }) =>
          p !== owner && (writes.test(text) || (!p.endsWith('.entity.ts') && !mayName.has(p) && entityUse.test(text))),
      )
      .map(({ p }) => p);
    expect(offenders).toEqual([]);
  });

  it('should write every other table only from the module that owns it (raw SQL included)', () => {
    // table -> the module folder that owns it; ops CLIs (src/cli) may write users (make-admin)
    const owners: Record<string, string> = {
      alerts: 'alerts',
      reconnect_links: 'alerts',
      oauth_states: 'social',
      reels: 'publishing',
      reel_events: 'publishing',
      reel_uploads: 'publishing',
      webhook_endpoints: 'integrations',
      webhook_event_deliveries: 'integrations',
      data_deletion_requests: 'webhooks',
      webhook_deliveries: 'webhooks',
      meta_signed_requests: 'webhooks',
      users: 'auth',
      api_keys: 'auth',
    };
    const writes = new RegExp(`\\b(?:UPDATE|INSERT\\s+INTO|DELETE\\s+FROM)\\s+(${Object.keys(owners).join('|')})\\b`, 'gi');
    const offenders = all.flatMap((p) => {
      const r = rel(p);
      const module = moduleOf(p);
      return [...readFileSync(p, 'utf8').matchAll(writes)]
        .map((m) => m[1].toLowerCase())
        .filter((table) => module !== owners[table] && !(table === 'users' && r.startsWith('cli/')))
        .map((table) => `${r} writes ${table}`);
    });
    expect(offenders).toEqual([]);
  });

  it("should not let a service, controller or processor import another module's entity", () => {
    const leaks = all
      .filter((p) => moduleOf(p) && !/\.(entity|module)\.ts$/.test(p))
      .flatMap((p) =>
        importsOf(p)
          .filter((target) => target.endsWith('.entity') && moduleOf(target) && moduleOf(target) !== moduleOf(p))
          .map((target) => `${rel(p)} -> ${rel(target)}`),
      );
    expect(leaks).toEqual([]);
  });

  it('should have no import cycle between module folders', () => {
    const edges = new Map<string, Set<string>>();
    for (const p of all) {
      const from = moduleOf(p);
      if (!from) continue;
      for (const target of importsOf(p)) {
        const to = moduleOf(target);
        if (to && to !== from) edges.set(from, (edges.get(from) ?? new Set()).add(to));
      }
    }
    const cycles: string[] = [];
    const visit = (node: string, path: string[]): void => {
      if (path.includes(node)) {
        cycles.push([...path.slice(path.indexOf(node)), node].join(' -> '));
        return;
      }
      for (const next of edges.get(node) ?? []) visit(next, [...path, node]);
    };
    for (const node of edges.keys()) visit(node, []);
    expect(cycles).toEqual([]);
  });

  it('should keep the sandbox free of product code (it is written from Meta’s documented behaviour)', () => {
    const shared = files(join(SRC, 'sandbox')).flatMap((p) =>
      importsOf(p)
        .filter((t) => moduleOf(t) !== null)
        .map((t) => `${rel(p)} -> ${rel(t)}`),
    );
    expect(shared).toEqual([]);
  });
});
