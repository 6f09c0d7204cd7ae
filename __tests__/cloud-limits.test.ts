/// <reference path="./setup.ts" />
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseDeclaration } from '../lib/declaration/load';
import type { Model } from '../lib/declaration/model';
import { planAzureEnvironment } from '../lib/plan/azure-plan';
import { planGcpEnvironment } from '../lib/plan/gcp-plan';
import { environmentUsage } from '../lib/limits/usage';
import { budgetFindings, budgetLines, formatBudgets, type BudgetLine } from '../lib/limits/budgets';
import { benchDeclaration } from '../bench/declaration';
import { check, EXIT_OK, EXIT_POLICY_VIOLATIONS, synthesize } from '../stacks/synthesize';
import { unknownSuppressions } from '../lib/policy/suppressions';
import { EXAMPLE } from './support/synth';
import { parse } from 'yaml';

function budgets(model: Model): BudgetLine[] {
  return budgetLines(
    model.environments.map((env) =>
      environmentUsage(model, env, { gcp: env.gcp && planGcpEnvironment(model, env), azure: env.azure && planAzureEnvironment(model, env) }),
    ),
  );
}
const find = (lines: BudgetLine[], rule: string, env: string) => lines.find((l) => l.rule === rule && l.environment === env)!;

/** The example with its Azure environments edited. */
function example(edit: (d: any) => void): any {
  const d = parse(readFileSync(EXAMPLE, 'utf8'));
  edit(d);
  return d;
}

function runCheck(decl: unknown): { code: number; json: any; root: string } {
  const root = mkdtempSync(join(tmpdir(), 'limits-'));
  writeFileSync(join(root, 'secrets.yaml'), stringify(decl));
  const out: string[] = [];
  const code = check({ declarationFile: 'secrets.yaml', root, format: 'json', log: (l) => out.push(l), error: () => undefined });
  return { code, json: JSON.parse(out.join('\n')), root };
}

describe('Azure role assignments per subscription (SW-LIM-001)', () => {
  test('GIVEN 10,000 secrets in each of two environments of one subscription, one vault each WHEN checked THEN refused with the figure, the limit and the fix', () => {
    const d = benchDeclaration(10_000, 50, 0) as any;
    for (const [name, e] of Object.entries<any>(d.environments)) e.azure.keyVault = { name: `bench-${name}` };
    const lines = budgets(parseDeclaration(d));
    const l = find(lines, 'SW-LIM-001', 'production');
    expect(l.status).toBe('error');
    expect(l.used).toBeGreaterThan(10_000);
    expect(l.sharedWith).toEqual(['evaluation']);
    expect(l.message).toMatch(/^\d{2},\d{3} role assignments in subscription 0{8}-.* \(production: [\d,]+, evaluation: [\d,]+\) plus 400 reserved for others exceed the 4,000 a subscription allows; the deploy would fail$/);
    expect(l.fix).toMatch(/layout vaultPerService/);
  });

  test('the default layout fits, and the benchmark declarations break no limit', () => {
    for (const shards of [0, 16]) {
      const lines = budgets(parseDeclaration(benchDeclaration(10_000, 50, shards)));
      expect(lines.filter((l) => l.status === 'error')).toEqual([]);
      expect(find(lines, 'SW-LIM-001', 'production').used).toBeLessThan(400);
    }
    expect(budgets(parseDeclaration(benchDeclaration(10_000, 50, 16))).filter((l) => l.status !== 'ok')).toEqual([]);
  });

  test('the reservation for assignments made elsewhere counts, the largest of the environments sharing the subscription', () => {
    const d = example((x) => (x.environments.production.azure.reservedRoleAssignments = 3995));
    const { code, json, root } = runCheck(d);
    expect(code).toBe(EXIT_POLICY_VIOLATIONS);
    const errors = json.errors.filter((f: any) => f.rule === 'SW-LIM-001');
    expect(errors.map((f: any) => f.stack).sort()).toEqual(['evaluation-azure', 'production-azure']);
    expect(errors[0].message).toMatch(/ plus 3,995 reserved for others exceed the 4,000/);
    expect(json.budgets.find((b: any) => b.rule === 'SW-LIM-001' && b.environment === 'evaluation')).toEqual(expect.objectContaining({ reserved: 3995, limit: 4000, status: 'error' }));
    expect(readdirSync(root)).toEqual(['secrets.yaml']);
  });

  test('a deploy past a hard limit cannot be suppressed', () => {
    const problems = unknownSuppressions(parseDeclaration(example((x) => (x.environments.production.suppressions = [{ rule: 'SW-LIM-001', reason: 'we know better than the cloud' }]))));
    expect(problems).toEqual([
      expect.objectContaining({ path: ['environments', 'production', 'suppressions', 0, 'rule'], rule: 'SW-LIM-001 (Azure role assignments per subscription) cannot be suppressed: past that limit the deploy fails' }),
    ]);
  });
});

describe('Secret Manager IAM policy members (SW-LIM-003)', () => {
  test('GIVEN a secret read by more than 1,500 services WHEN budgeted THEN an error naming the secret', () => {
    const services: Record<string, unknown> = { owner: { secrets: { s: { KEY: {} } } } };
    for (let i = 0; i < 1500; i++) services[`reader-${i}`] = { secrets: { s: { KEY: { from: 'owner/s/KEY' } } } };
    const model = parseDeclaration({ environments: { prod: { gcp: { project: 'big-project', projectNumber: '123456789012', clusters: [{ name: 'c', location: 'asia-northeast1' }] } } }, services });
    const l = find(budgets(model), 'SW-LIM-003', 'prod');
    expect(l).toEqual(expect.objectContaining({ scope: 'secret owner_KEY (the most read)', used: 1501, limit: 1500, status: 'error' }));
    expect(l.message).toBe("secret owner_KEY would have 1,501 principals in its IAM policy, more than the 1,500 allowed; the deploy would fail");
  });
});

describe('request rates', () => {
  test('Key Vault (SW-LIM-004): CSI polls are objects x replicas x clusters / poll interval, per vault; a warning, suppressible per environment', () => {
    const d = example((x) => {
      x.services.demo.replicas = 5000;
      x.environments.production.azure.csiDriver.rotationPollInterval = '10s';
    });
    const model = parseDeclaration(d);
    const l = find(budgets(model), 'SW-LIM-004', 'production');
    // demo's SecretProviderClass in production: 2 objects x 5,000 replicas x 1 cluster / 10 s, and demo-batch's 1 x 3 x 1 / 10 s.
    expect(l).toEqual(expect.objectContaining({ scope: 'vault demo-csi-secret (the busiest)', used: 10_003, limit: 4000, status: 'warning' }));
    expect(l.message).toMatch(/^the controllers would read vault demo-csi-secret 10,003 times per 10 s .* more than the 4,000 a vault serves; reads would be throttled$/);
    const suppressed = budgetFindings(budgets(model), [{ rule: 'SW-LIM-004', reason: 'pods start in waves', scope: ['environments', 'production'] }]);
    expect(suppressed.find((f) => f.rule === 'SW-LIM-004')!.suppressed).toEqual({ reason: 'pods start in waves', at: 'environments.production' });
    expect(unknownSuppressions(parseDeclaration(example((x) => (x.environments.production.suppressions = [{ rule: 'SW-LIM-004', reason: 'pods start in waves' }]))))).toEqual([]);
    // With the declared default of 3 replicas and a 2 minute poll, the vault is far from its limit.
    expect(find(budgets(parseDeclaration(example(() => undefined))), 'SW-LIM-004', 'production')).toEqual(expect.objectContaining({ used: 1, status: 'ok' }));
  });

  test('Secret Manager access (SW-LIM-005): environments sharing a project add up', () => {
    const secrets: Record<string, unknown> = {};
    for (let i = 0; i < 800; i++) secrets[`K${i}`] = {};
    const gcp = (prefix: string) => ({ project: 'shared-project', projectNumber: '123456789012', secretIdPrefix: prefix, clusters: [{ name: `${prefix}c`, location: 'asia-northeast1' }] });
    const model = parseDeclaration({
      environments: { a: { gcp: gcp('a-'), refreshInterval: '1s' }, b: { gcp: gcp('b-'), refreshInterval: '1s' } },
      services: { 'svc-a': { environments: ['a'], secrets: { s: secrets } }, 'svc-b': { environments: ['b'], secrets: { s: secrets } } },
    });
    const l = find(budgets(model), 'SW-LIM-005', 'a');
    expect(l).toEqual(expect.objectContaining({ used: 96_000, limit: 90_000, status: 'warning', sharedWith: ['b'] }));
    expect(l.message).toMatch(/^External Secrets would read 96,000 secret values per minute in project shared-project \(keys x clusters \/ refresh interval, environments a, b\)/);
  });

  test("a plan's refresh (SW-LIM-006): reads of the largest stack, and the shard size that keeps it under five minutes", () => {
    const unsharded = budgets(parseDeclaration(benchDeclaration(10_000, 50, 0)));
    const l = find(unsharded, 'SW-LIM-006', 'production');
    expect(l).toEqual(expect.objectContaining({ scope: 'stack production-gcp (the largest)', used: 10_002, limit: 3000, status: 'warning' }));
    expect(l.message).toBe('a plan of production-gcp refreshes 10,002 Secret Manager resources (secrets and IAM members): 16.7 minutes at 600 reads per minute per project, throttled beyond');
    expect(l.fix).toMatch(/^Shard the environment with at most 1,499 secrets per shard \(sharding.maxSecretsPerShard\)/);
    expect(find(budgets(parseDeclaration(benchDeclaration(10_000, 50, 16))), 'SW-LIM-006', 'production').status).toBe('ok');
  });
});

describe('npm run check prints the budgets', () => {
  test('text: one line per limit and environment, with the figure and the limit', () => {
    const root = mkdtempSync(join(tmpdir(), 'limits-text-'));
    writeFileSync(join(root, 'secrets.yaml'), readFileSync(EXAMPLE, 'utf8'));
    const out: string[] = [];
    expect(check({ declarationFile: 'secrets.yaml', root, log: (l) => out.push(l), error: (l) => out.push(l) })).toBe(EXIT_OK);
    expect(out[0]).toBe('Budgets (the limits and their sources: README, "Cloud limits"):');
    expect(out).toContain('    ok      Azure role assignments, subscription 00000000-0000-0000-0000-000000000000 (with evaluation): 8 + 400 reserved of 4,000 per subscription');
    expect(out.filter((l) => /^    (ok|WARNING|ERROR) /.test(l))).toHaveLength(2 * 7);
  });

  test('JSON: every line with its rule, scope, figure, limit, status and source', () => {
    const { code, json } = runCheck(parse(readFileSync(EXAMPLE, 'utf8')));
    expect(code).toBe(EXIT_OK);
    expect(json.budgets).toHaveLength(14);
    for (const b of json.budgets) {
      expect(b).toEqual(expect.objectContaining({ rule: expect.stringMatching(/^SW-LIM-00\d$/), used: expect.any(Number), limit: expect.any(Number), status: 'ok', source: expect.stringMatching(/^https:\/\/(learn\.microsoft\.com|cloud\.google\.com)\//) }));
    }
    expect(formatBudgets(json.budgets)[0]).toBe('evaluation:');
  });

  test('synthesis refuses a deploy that would fail, writing nothing', () => {
    const root = mkdtempSync(join(tmpdir(), 'limits-synth-'));
    writeFileSync(join(root, 'secrets.yaml'), stringify(example((x) => (x.environments.evaluation.azure.reservedRoleAssignments = 4000))));
    const err: string[] = [];
    expect(synthesize({ declarationFile: 'secrets.yaml', root, log: () => undefined, error: (l) => err.push(l) })).toBe(EXIT_POLICY_VIOLATIONS);
    expect(err.join('\n')).toMatch(/ERROR SW-LIM-001: 2 findings/);
    expect(readdirSync(root)).toEqual(['secrets.yaml']);
  });
});
