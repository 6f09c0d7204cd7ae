import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Testing } from 'cdktf';
import { DeclarationError } from '../lib/declaration/problem';
import { loadDeclarationFile, validateDeclaration } from '../lib/declaration/load';
import { planGcpEnvironment } from '../lib/plan/gcp-plan';
import { planAzureEnvironment } from '../lib/plan/azure-plan';
import { GcpEnvironmentStack } from '../stacks/gcp-environment-stack';
import { GcpManifestsStack } from '../stacks/gcp-manifests-stack';
import { AzureEnvironmentStack } from '../stacks/azure-environment-stack';
import { AzureManifestsStack } from '../stacks/azure-manifests-stack';
import { EXAMPLE } from './support/synth';

const GUID = '00000000-0000-0000-0000-000000000000';

/** Every for_each instance (and plain resource) of the stacks of one environment, by address. */
function addresses(decl: unknown): Record<string, string> {
  const model = validateDeclaration(decl);
  const env = model.environments[0];
  const app = Testing.app();
  const stacks = [];
  if (env.gcp) {
    const plan = planGcpEnvironment(model, env);
    stacks.push(new GcpEnvironmentStack(app, 'g', plan), new GcpManifestsStack(app, 'gm', plan));
  }
  if (env.azure) {
    const plan = planAzureEnvironment(model, env);
    stacks.push(new AzureEnvironmentStack(app, 'a', plan), new AzureManifestsStack(app, 'am', plan));
  }
  const out: Record<string, string> = {};
  for (const stack of stacks) {
    const json = JSON.parse(Testing.synth(stack));
    for (const [type, byName] of Object.entries<any>(json.resource ?? {})) {
      for (const [name, r] of Object.entries<any>(byName)) {
        if (r.for_each) for (const [k, v] of Object.entries(r.for_each)) out[`${stack.node.id}:${type}.${name}[${JSON.stringify(k)}]`] = JSON.stringify(v);
        else out[`${stack.node.id}:${type}.${name}`] = JSON.stringify({ ...r, '//': undefined });
      }
    }
  }
  return out;
}

const name = fc.stringMatching(/^[a-z][a-z0-9]{1,6}$/);
const keyName = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,8}$/);

/** A service: its Kubernetes Secrets and their keys (owned secrets only). */
const serviceArb = fc.dictionary(name, fc.uniqueArray(keyName, { minLength: 1, maxLength: 3 }), { minKeys: 1, maxKeys: 2 });

/** Declarations of 1-5 services on one platform, some reading another's key with from. */
const declarationArb = fc
  .record({
    platform: fc.constantFrom('gcp', 'azure'),
    services: fc.dictionary(name.map((n) => `svc-${n}`), serviceArb, { minKeys: 1, maxKeys: 5 }),
    froms: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 3 }),
  })
  .map(({ platform, services, froms }) => {
    const names = Object.keys(services);
    const decl: any = {
      environments: {
        prod: platform === 'gcp'
          ? { gcp: { project: 'demo-project', projectNumber: '111111111111', clusters: [{ name: 'one', location: 'asia-northeast1' }, { name: 'two', location: 'asia-northeast1' }] } }
          : { azure: { tenantId: GUID, subscriptionId: GUID, location: 'japaneast', resourceGroup: 'rg', keyVault: { name: 'vault-prop' }, clusters: [{ name: 'one' }], delivery: 'externalSecrets' } },
      },
      services: {},
    };
    for (const n of names) {
      decl.services[n] = { platform, secrets: {} };
      for (const [secret, keys] of Object.entries(services[n])) decl.services[n].secrets[secret] = Object.fromEntries(keys.map((k) => [k, {}]));
    }
    // Cross-service reads, each into a Kubernetes Secret of its own.
    froms.forEach(([a, b], i) => {
      const reader = names[a % names.length];
      const owner = names[b % names.length];
      if (reader === owner) return;
      const [secret, keys] = Object.entries<any>(decl.services[owner].secrets)[0];
      decl.services[reader].secrets[`shared${i}`] = { [`FROM_${Object.keys(keys)[0]}`]: { from: `${owner}/${secret}/${Object.keys(keys)[0]}` } };
    });
    return decl;
  });

const reorder = (o: any): any =>
  Array.isArray(o) ? o : o && typeof o === 'object' ? Object.fromEntries(Object.entries(o).reverse().map(([k, v]) => [k, reorder(v)])) : o;

describe('addresses are stable under additions, removals and reorderings (property-based)', () => {
  test('reordering every map gives identical output', () => {
    fc.assert(
      fc.property(declarationArb, (decl) => {
        expect(addresses(reorder(decl))).toEqual(addresses(decl));
      }),
      { numRuns: 15, seed: 42 },
    );
  });

  test('adding a service leaves every other address and its content untouched', () => {
    fc.assert(
      fc.property(declarationArb, serviceArb, (decl, extra) => {
        const before = addresses(decl);
        const more = JSON.parse(JSON.stringify(decl));
        const platform = Object.values<any>(decl.services)[0].platform;
        more.services['zz-new'] = { platform, secrets: Object.fromEntries(Object.entries(extra).map(([s, keys]) => [s, Object.fromEntries(keys.map((k) => [k, {}]))])) };
        const after = addresses(more);
        for (const [address, content] of Object.entries(before)) {
          // The identities file lists every identity by design; everything else must stay as it was.
          if (address.includes('zz-new') || address.includes('local_file.gitops_identities')) continue;
          expect([address, after[address]]).toEqual([address, content]);
        }
      }),
      { numRuns: 15, seed: 7 },
    );
  });

  test('removing a service nobody reads removes only its own addresses', () => {
    fc.assert(
      fc.property(declarationArb, fc.nat(), (decl, pick) => {
        const names = Object.keys(decl.services);
        const read = new Set(JSON.stringify(decl).match(/"from":"([^/]+)\//g)?.map((m) => m.slice(8, -1)) ?? []);
        const removable = names.filter((n) => !read.has(n));
        fc.pre(removable.length > 0 && names.length > 1);
        const gone = removable[pick % removable.length];
        const less = JSON.parse(JSON.stringify(decl));
        delete less.services[gone];
        for (const other of Object.values<any>(less.services)) {
          for (const [s, keys] of Object.entries<any>(other.secrets)) if (Object.values<any>(keys).some((k) => k.from?.startsWith(`${gone}/`))) delete other.secrets[s];
        }
        const before = addresses(decl);
        const after = addresses(less);
        for (const [address, content] of Object.entries(after)) {
          if (address.includes('local_file.gitops_identities')) continue;
          expect([address, content]).toEqual([address, before[address]]);
        }
        for (const address of Object.keys(before).filter((a) => !(a in after))) expect(address).toContain(gone);
      }),
      { numRuns: 15, seed: 3 },
    );
  });
});

describe('hostile and broken input never crashes the program', () => {
  const example = readFileSync(EXAMPLE, 'utf8');
  const dir = mkdtempSync(join(tmpdir(), 'fuzz-'));

  /** Loads a declaration text: a model, or a DeclarationError; any other outcome fails the test. */
  function outcome(text: string | Buffer, i: number): 'ok' | 'refused' {
    const file = join(dir, `f${i}.yaml`);
    writeFileSync(file, text);
    try {
      loadDeclarationFile(file);
      return 'ok';
    } catch (e) {
      if (e instanceof DeclarationError) {
        expect(e.problems.length).toBeGreaterThan(0);
        return 'refused';
      }
      throw new Error(`input ${i} crashed the loader: ${(e as Error).stack}\n---\n${text}`);
    }
  }

  test('mutated example declarations are either valid or refused with problems', () => {
    const lines = example.split('\n');
    const mutation = fc.oneof(
      fc.record({ op: fc.constant('delete'), at: fc.nat() }),
      fc.record({ op: fc.constant('duplicate'), at: fc.nat() }),
      fc.record({ op: fc.constant('indent'), at: fc.nat(), by: fc.integer({ min: -4, max: 4 }) }),
      fc.record({ op: fc.constant('replace'), at: fc.nat(), text: fc.string({ maxLength: 12 }) }),
      fc.record({ op: fc.constant('swap'), at: fc.nat(), with: fc.nat() }),
      fc.record({ op: fc.constant('bytes'), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
    );
    let i = 0;
    const seen = { ok: 0, refused: 0 };
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (ops) => {
        let ls = [...lines];
        let bytes: Buffer | undefined;
        for (const m of ops as any[]) {
          if (bytes) break;
          const at = m.at % ls.length;
          if (m.op === 'delete') ls.splice(at, 1);
          if (m.op === 'duplicate') ls.splice(at, 0, ls[at]);
          if (m.op === 'indent') ls[at] = m.by > 0 ? ' '.repeat(m.by) + ls[at] : ls[at].slice(-m.by);
          if (m.op === 'replace') ls[at] = ls[at].slice(0, ls[at].length / 2) + m.text;
          if (m.op === 'swap') [ls[at], ls[m.with % ls.length]] = [ls[m.with % ls.length], ls[at]];
          if (m.op === 'bytes') {
            const text = Buffer.from(ls.join('\n'));
            bytes = Buffer.concat([text.subarray(0, at), Buffer.from(m.bytes), text.subarray(at)]);
            ls = [];
          }
        }
        seen[outcome(bytes ?? ls.join('\n'), i++)] += 1;
      }),
      { numRuns: 300, seed: 11 },
    );
    // The mutations exercise both outcomes.
    expect(seen.ok).toBeGreaterThan(5);
    expect(seen.refused).toBeGreaterThan(100);
  });

  test('arbitrary values anywhere in the declaration object are refused with problems, never a crash', () => {
    const base = loadDeclarationFile(EXAMPLE) && JSON.parse(JSON.stringify(require('yaml').parse(example)));
    const paths: string[][] = [];
    const walk = (o: any, p: string[]) => {
      paths.push(p);
      if (o && typeof o === 'object' && !Array.isArray(o)) for (const [k, v] of Object.entries(o)) walk(v, [...p, k]);
    };
    walk(base, []);
    fc.assert(
      fc.property(fc.nat(), fc.anything(), (pick, value) => {
        const d = JSON.parse(JSON.stringify(base));
        const p = paths[pick % paths.length];
        if (p.length === 0) return;
        let node = d;
        for (const seg of p.slice(0, -1)) node = node[seg];
        node[p[p.length - 1]] = value;
        try {
          validateDeclaration(d);
        } catch (e) {
          if (!(e instanceof DeclarationError)) throw e;
          expect(e.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 400, seed: 5 },
    );
  });

  test('a multi-megabyte file of junk is refused quickly with one clear problem', () => {
    const junk = Buffer.alloc(4 * 1024 * 1024, 'a: [');
    const started = Date.now();
    expect(outcome(junk, 9999)).toBe('refused');
    expect(Date.now() - started).toBeLessThan(20000);
  });
});
