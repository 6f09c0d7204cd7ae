import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { loadDeclarationFile } from '../lib/declaration/load';
import { planGcpEnvironment } from '../lib/plan/gcp-plan';
import { planAzureEnvironment } from '../lib/plan/azure-plan';
import { azureFacts, gcpFacts } from '../lib/policy/facts';
import { resourceInstances } from '../lib/policy/inventory';
import { RULE_PACK, evaluatePolicy } from '../lib/policy/pack';
import type { EnvironmentFacts, Finding, PolicyRule, RuleContext } from '../lib/policy/types';
import { findingsJson, formatFindings } from '../lib/policy/format';
import { check, EXIT_INVALID_DECLARATION, EXIT_OK, EXIT_POLICY_VIOLATIONS } from '../stacks/synthesize';
import { EXAMPLE, exampleOutput, synthIn, type SynthResult } from './support/synth';

const model = loadDeclarationFile(EXAMPLE);
let out: SynthResult;
beforeAll(() => {
  out = exampleOutput();
  expect(out.code).toBe(0);
});

const rule = (id: string): PolicyRule => RULE_PACK.find((r) => r.id === id)!;

/** The example's cloud stack of one environment, as the rules see it, after `mutate`. */
function context(env: string, cloud: 'gcp' | 'azure', mutate: (json: any, facts: any) => void = () => undefined): RuleContext {
  const json = JSON.parse(JSON.stringify(out.stacks[`${env}-${cloud}`]));
  const e = model.environments.find((x) => x.name === env)!;
  const facts: EnvironmentFacts = JSON.parse(JSON.stringify(cloud === 'gcp' ? gcpFacts(model, planGcpEnvironment(model, e)) : azureFacts(model, planAzureEnvironment(model, e))));
  mutate(json, facts);
  return { stack: `${env}-${cloud}`, instances: resourceInstances(json), facts };
}

describe('the example breaks no rule', () => {
  test.each(['evaluation', 'production'].flatMap((env) => (['gcp', 'azure'] as const).map((cloud) => [env, cloud] as const)))('%s %s', (env, cloud) => {
    const { findings } = evaluatePolicy(context(env, cloud), model.suppressions);
    expect(findings.filter((f) => !f.suppressed)).toEqual([]);
  });

  test('every rule has an id, a severity, a description and a fix', () => {
    for (const r of RULE_PACK) {
      expect(r.id).toMatch(/^SW-[A-Z]+-\d{3}$/);
      expect(['error', 'warning']).toContain(r.severity);
      expect(r.description.length).toBeGreaterThan(20);
      expect(r.fix.length).toBeGreaterThan(20);
    }
    expect(new Set(RULE_PACK.map((r) => r.id)).size).toBe(RULE_PACK.length);
  });
});

describe('each rule fires', () => {
  test('SW-IAM-001: a project-level Secret Manager grant', () => {
    const ctx = context('evaluation', 'gcp', (json) => {
      json.resource.google_project_iam_member = { wide: { project: 'karte-evaluation', role: 'roles/secretmanager.secretAccessor', member: 'group:devs@example.com' } };
    });
    expect(rule('SW-IAM-001').check(ctx)).toEqual([expect.objectContaining({ resource: 'google_project_iam_member.wide', message: expect.stringMatching(/on a whole project/) })]);
  });

  test('SW-IAM-001: Key Vault Secrets User on the vault', () => {
    const ctx = context('production', 'azure', (json) => {
      json.resource.azurerm_role_assignment.wide = { scope: '${azurerm_key_vault.vault.id}', role_definition_name: 'Key Vault Secrets User', principal_id: '${azurerm_user_assigned_identity.identities_demo.principal_id}' };
    });
    expect(rule('SW-IAM-001').check(ctx)).toEqual([expect.objectContaining({ resource: 'azurerm_role_assignment.wide', message: expect.stringMatching(/wider than one secret/) })]);
  });

  test('SW-IAM-002: an authoritative binding, and a vault out of RBAC mode', () => {
    const gcp = context('evaluation', 'gcp', (json) => {
      json.resource.google_secret_manager_secret_iam_binding = { all: { secret_id: 'hoge-token', role: 'roles/secretmanager.secretAccessor', members: [] } };
    });
    expect(rule('SW-IAM-002').check(gcp).map((v) => v.resource)).toEqual(['google_secret_manager_secret_iam_binding.all']);
    const azure = context('production', 'azure', (json) => {
      json.resource.azurerm_key_vault.vault.rbac_authorization_enabled = false;
    });
    expect(rule('SW-IAM-002').check(azure).map((v) => v.resource)).toEqual(['azurerm_key_vault.vault']);
  });

  test('SW-LBL-001: a secret without its service label', () => {
    const ctx = context('evaluation', 'gcp', (json) => {
      delete json.resource.google_secret_manager_secret['secrets_service-b_BAR_PASSWORD'].labels.service;
    });
    expect(rule('SW-LBL-001').check(ctx)).toEqual([
      { resource: 'google_secret_manager_secret.secrets_service-b_BAR_PASSWORD', message: 'missing service', declarationPath: 'services.service-b.secrets.secret-b.BAR_PASSWORD' },
    ]);
  });

  test('SW-NAM-001: a name off the rule; a declared remoteName is only a note', () => {
    const ctx = context('evaluation', 'gcp', (json, facts) => {
      json.resource.google_secret_manager_secret['secrets_service-b_BAR_PASSWORD'].secret_id = 'BAR_PASSWORD';
      facts.secrets.BAR_PASSWORD = { ...facts.secrets['service-b_BAR_PASSWORD'] };
    });
    expect(rule('SW-NAM-001').check(ctx)).toEqual([expect.objectContaining({ message: 'named BAR_PASSWORD, but the naming rule gives service-b_BAR_PASSWORD' })]);
    const { notes } = evaluatePolicy(context('evaluation', 'gcp'), []);
    expect(notes).toEqual([expect.objectContaining({ rule: 'SW-NAM-001', message: 'hoge-token keeps its declared name (remoteName) instead of service-a_API_TOKEN' })]);
  });

  test('SW-DEL-001: deletion protection off, purge protection off', () => {
    const gcp = context('evaluation', 'gcp', (json) => {
      json.resource.google_secret_manager_secret['secrets_service-a_FOO_PASSWORD'].deletion_protection = false;
    });
    expect(rule('SW-DEL-001').check(gcp)).toEqual([
      { resource: 'google_secret_manager_secret.secrets_service-a_FOO_PASSWORD', message: 'deletion protection is off for service-a_FOO_PASSWORD', declarationPath: 'services.service-a.secrets.secret-a.FOO_PASSWORD' },
    ]);
    const azure = context('production', 'azure', (json) => {
      json.resource.azurerm_key_vault.vault.purge_protection_enabled = false;
    });
    expect(rule('SW-DEL-001').check(azure).map((v) => v.message)).toEqual(['purge protection is off']);
  });

  test('SW-STATE-001: a secret version with data, a Key Vault value, a Secret manifest', () => {
    const ctx = context('production', 'azure', (json) => {
      json.resource.google_secret_manager_secret_version = { v: { secret: 'x', secret_data: 'hunter2' } };
      json.resource.azurerm_key_vault_secret['secrets_demo-secret01'].value = 'hunter2';
      json.resource.kubernetes_manifest = { s: { manifest: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { a: 'b' } } } };
    });
    const found = rule('SW-STATE-001').check(ctx).map((v) => v.resource);
    expect(found).toEqual(expect.arrayContaining(['google_secret_manager_secret_version.v', 'kubernetes_manifest.s', 'azurerm_key_vault_secret.secrets_demo-secret01']));
  });

  test('SW-REF-001: an ExternalSecret key that is not provisioned, and one its identity cannot read', () => {
    const missing = context('evaluation', 'gcp', (json) => {
      delete json.resource.google_secret_manager_secret['secrets_service-b_BAR_PASSWORD'];
    });
    expect(rule('SW-REF-001').check(missing)).toEqual([
      { resource: 'ExternalSecret/service-b/secret-b', message: 'service-b_BAR_PASSWORD is not a secret of environment evaluation', declarationPath: 'services.service-b' },
    ]);
    const unreadable = context('production', 'azure', (json) => {
      delete json.resource.azurerm_role_assignment['secret_readers_demo-batch__demo-secret01'];
      expect(Object.keys(json.resource.azurerm_role_assignment).filter((n) => n.startsWith('secret_readers_'))).toEqual(['secret_readers_demo__demo-secret01', 'secret_readers_demo__demo-secret02']);
    });
    expect(rule('SW-REF-001').check(unreadable)).toEqual([
      expect.objectContaining({ resource: 'SecretProviderClass/demo-batch/demo-batch-keyvault', message: expect.stringMatching(/demo-secret01 is not readable by the identity/) }),
    ]);
  });

  test('SW-XSV-001: a cross-service grant without a from', () => {
    const ctx = context('evaluation', 'gcp', (json) => {
      json.resource.google_secret_manager_secret_iam_member['secret_accessors_service-a__service-b_BAR_PASSWORD'] = {
        ...json.resource.google_secret_manager_secret_iam_member['secret_accessors_service-a__hoge-token'],
        '//': { collection: 'secret_accessors', key: 'service-a/service-b_BAR_PASSWORD' },
        secret_id: 'service-b_BAR_PASSWORD',
      };
    });
    expect(rule('SW-XSV-001').check(ctx)).toEqual([
      { resource: 'google_secret_manager_secret_iam_member.secret_accessors_service-a__service-b_BAR_PASSWORD', message: "service-a reads service-b's secret service-b_BAR_PASSWORD without a from", declarationPath: 'services.service-a' },
    ]);
    const azure = context('production', 'azure', (_json, facts) => {
      facts.fromReads = [];
    });
    expect(rule('SW-XSV-001').check(azure).map((v) => v.message)).toEqual(["demo-batch reads demo's secret demo-secret01 without a from"]);
  });

  test('SW-VER-001: production ExternalSecrets without versions warn; suppressions excuse them', () => {
    const ctx = context('production', 'gcp');
    const violations = rule('SW-VER-001').check(ctx);
    expect(violations.map((v) => v.declarationPath)).toEqual([
      'services.service-a.secrets.secret-a.FOO_PASSWORD',
      'services.service-b.secrets.secret-b.BAR_PASSWORD',
      'services.service-b.secrets.secret-b.FOO_PASSWORD',
    ]);
    const { findings } = evaluatePolicy(ctx, model.suppressions);
    expect(findings.map((f) => [f.rule, f.severity, f.suppressed?.at])).toEqual([
      ['SW-VER-001', 'warning', 'services.service-a.secrets.secret-a.FOO_PASSWORD'],
      ['SW-VER-001', 'warning', 'services.service-b'],
      ['SW-VER-001', 'warning', 'services.service-b'],
    ]);
    expect(rule('SW-VER-001').check(context('evaluation', 'gcp'))).toEqual([]);
  });
});

describe('the rule pack at synth time and in npm run check', () => {
  function declare(edit: (d: any) => void): string {
    const root = mkdtempSync(join(tmpdir(), 'policy-'));
    const d = parse(readFileSync(EXAMPLE, 'utf8'));
    edit(d);
    writeFileSync(join(root, 'secrets.yaml'), stringify(d));
    return root;
  }
  const unprotect = (d: any) => (d.services['service-b'].secrets['secret-b'].BAR_PASSWORD = { deletionProtection: false });

  test('GIVEN a policy error WHEN synthesized THEN exit 3, every finding listed with rule, resource, path and fix, nothing written', () => {
    const root = declare(unprotect);
    const r = synthIn(root, 'secrets.yaml');
    expect(r.code).toBe(EXIT_POLICY_VIOLATIONS);
    const text = r.stderr.join('\n');
    expect(text).toMatch(/Policy: 2 errors/);
    expect(text).toMatch(/ERROR SW-DEL-001: 2 findings\n {4}- evaluation-gcp google_secret_manager_secret\.secrets_service-b_BAR_PASSWORD \(declared at services\.service-b\.secrets\.secret-b\.BAR_PASSWORD\): deletion protection is off/);
    expect(text).toMatch(/fix: Keep deletionProtection on/);
    expect(readdirSync(root)).toEqual(['secrets.yaml']);
  });

  test('GIVEN the same error suppressed with a reason next to it WHEN synthesized THEN it passes and the report shows the suppression', () => {
    const root = declare((d) => {
      unprotect(d);
      d.services['service-b'].secrets['secret-b'].BAR_PASSWORD.suppressions = [{ rule: 'SW-DEL-001', reason: 'retiring BAR_PASSWORD this week (ticket OPS-42)' }];
    });
    const r = synthIn(root, 'secrets.yaml');
    expect(r.code).toBe(EXIT_OK);
    expect(r.generated['production/ACCESS.md']).toContain('- SW-DEL-001 at services.service-b.secrets.secret-b.BAR_PASSWORD: retiring BAR_PASSWORD this week (ticket OPS-42)');
    expect(JSON.parse(r.generated['evaluation/access.json']).suppressions).toContainEqual({ scope: 'services.service-b.secrets.secret-b.BAR_PASSWORD', rule: 'SW-DEL-001', reason: 'retiring BAR_PASSWORD this week (ticket OPS-42)' });
  });

  test('a suppression without a reason, with a short one, or naming no rule is an error of the declaration', () => {
    for (const [suppression, expected] of [
      [{ rule: 'SW-DEL-001' }, /suppressions\[0\]\.reason.*required field is missing/],
      [{ rule: 'SW-DEL-001', reason: 'because' }, /suppressions\[0\]\.reason.*"because": a reason of at least 10 characters/],
      [{ rule: 'SW-XYZ-999', reason: 'a reason long enough' }, /suppressions\[0\]\.rule.*"SW-XYZ-999": no such rule; the rules are SW-DEL-001/],
    ] as const) {
      const root = declare((d) => (d.services['service-b'].suppressions = [suppression]));
      const r = synthIn(root, 'secrets.yaml');
      expect(r.code).toBe(EXIT_INVALID_DECLARATION);
      expect(r.stderr.join('\n')).toMatch(expected);
    }
  });

  test('npm run check: exit codes, JSON for machines, and nothing written', () => {
    const lines: string[] = [];
    const clean = declare(() => undefined);
    expect(check({ declarationFile: 'secrets.yaml', root: clean, format: 'json', log: (l) => lines.push(l), error: (l) => lines.push(l) })).toBe(EXIT_OK);
    const json = JSON.parse(lines.join('\n'));
    expect(json.ok).toBe(true);
    expect(json.errors).toEqual([]);
    expect(json.suppressed.map((f: any) => f.rule)).toEqual(['SW-VER-001', 'SW-VER-001', 'SW-VER-001']);
    expect(readdirSync(clean)).toEqual(['secrets.yaml']);

    const broken = declare(unprotect);
    const more: string[] = [];
    expect(check({ declarationFile: 'secrets.yaml', root: broken, format: 'json', log: (l) => more.push(l), error: (l) => more.push(l) })).toBe(EXIT_POLICY_VIOLATIONS);
    expect(JSON.parse(more.join('\n')).errors.map((f: any) => [f.rule, f.stack, f.resource])).toEqual([
      ['SW-DEL-001', 'evaluation-gcp', 'google_secret_manager_secret.secrets_service-b_BAR_PASSWORD'],
      ['SW-DEL-001', 'production-gcp', 'google_secret_manager_secret.secrets_service-b_BAR_PASSWORD'],
    ]);
    expect(readdirSync(broken)).toEqual(['secrets.yaml']);
    expect(check({ declarationFile: 'absent.yaml', root: broken, log: () => undefined, error: () => undefined })).toBe(EXIT_INVALID_DECLARATION);
  });
});

test('a declared deployer object id is the deployer: SW-IAM-001 does not flag its vault role', () => {
  const ctx = context('production', 'azure', (json) => {
    json.resource.azurerm_role_assignment.deployer_secrets_officer.principal_id = '11111111-2222-3333-4444-555555555555';
  });
  expect(rule('SW-IAM-001').check(ctx)).toEqual([]);
});

test('SW-STATE-001 reads kubernetes_manifest instances through for_each', () => {
  const ctx = context('evaluation', 'gcp', (json) => {
    json.resource.kubernetes_manifest = { admin_objects: { manifest: '${each.value}', for_each: { 'Secret/a/b': { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'b', namespace: 'a' }, data: { k: 'dg==' } } } } };
  });
  expect(rule('SW-STATE-001').check(ctx).map((v) => v.resource)).toEqual(['kubernetes_manifest.admin_objects["Secret/a/b"]']);
});

test('npm run check --format json reports declaration problems as JSON too', () => {
  const root = mkdtempSync(join(tmpdir(), 'check-json-'));
  writeFileSync(join(root, 'secrets.yaml'), 'environments: {}\nservices: {}\n');
  const out: string[] = [];
  expect(check({ declarationFile: 'secrets.yaml', root, format: 'json', log: (l) => out.push(l), error: () => undefined })).toBe(EXIT_INVALID_DECLARATION);
  expect(JSON.parse(out.join('\n'))).toEqual({ ok: false, problems: [{ path: 'environments', line: 1, value: {}, rule: 'must have at least 1 entry' }] });
});

test('a suppression on a key excuses that key only, not a key whose name extends it with a dot', () => {
  const decl = parse(readFileSync(EXAMPLE, 'utf8'));
  decl.services['service-b'].suppressions = [];
  delete decl.services['service-b'].suppressions;
  decl.services['service-b'].secrets['secret-b'] = {
    BAR: { suppressions: [{ rule: 'SW-VER-001', reason: 'follows the latest version by design' }] },
    'BAR.OLD': {},
  };
  const root = mkdtempSync(join(tmpdir(), 'dotted-'));
  writeFileSync(join(root, 'secrets.yaml'), stringify(decl));
  const out: string[] = [];
  check({ declarationFile: 'secrets.yaml', root, format: 'json', log: (l) => out.push(l), error: () => undefined });
  const json = JSON.parse(out.join('\n'));
  expect(json.warnings.map((f: any) => f.declarationPath)).toContain('services.service-b.secrets.secret-b["BAR.OLD"]');
  expect(json.suppressed.map((f: any) => f.declarationPath)).toContain('services.service-b.secrets.secret-b.BAR');
});

describe('findings on the console are grouped by rule', () => {
  const finding = (rule: string, severity: 'error' | 'warning', i: number): Finding => ({
    rule,
    severity,
    stack: 'production-gcp',
    resource: `ExternalSecret/svc/secret-${String(i).padStart(5, '0')}`,
    message: `KEY_${i} reads the latest version`,
    fix: `fix of ${rule}`,
  });

  test('GIVEN ten thousand findings of one rule THEN one group: count, five examples, how many more, the fix; errors first', () => {
    const findings = [...Array.from({ length: 10_000 }, (_, i) => finding('SW-VER-001', 'warning', i)), finding('SW-DEL-001', 'error', 1), { ...finding('SW-VER-001', 'warning', 99_999), suppressed: { reason: 'r', at: 'x' } }];
    const lines = formatFindings(findings);
    expect(lines).toEqual([
      'ERROR SW-DEL-001: 1 finding',
      '  - production-gcp ExternalSecret/svc/secret-00001: KEY_1 reads the latest version',
      '  fix: fix of SW-DEL-001',
      'WARNING SW-VER-001: 10000 findings',
      ...[0, 1, 2, 3, 4].map((i) => `  - production-gcp ExternalSecret/svc/secret-0000${i}: KEY_${i} reads the latest version`),
      '  - ... and 9995 more (npm run check -- --format json lists every finding)',
      '  fix: fix of SW-VER-001',
    ]);
    // The JSON form keeps every one of them.
    expect((findingsJson(findings, []).warnings as unknown[]).length).toBe(10_000);
  });
});
