/**
 * What the README names is exported from the package's root, GCP and Azure alike.
 */
import * as root from '../lib';

test('the constructs, stacks and converters of both clouds are exported from the root', () => {
  const names = [
    'SecretManagerSecrets',
    'SecretAccessorGrants',
    'WorkloadServiceAccounts',
    'KeyVault',
    'KeyVaultSecrets',
    'ServiceKeyVaults',
    'WorkloadIdentities',
    'AksClusters',
    'PrometheusRuleGroups',
    'ServedCrds',
    'KubernetesManifests',
    'GcpEnvironmentStack',
    'GcpManifestsStack',
    'AzureEnvironmentStack',
    'AzureShardStack',
    'AzureManifestsStack',
    'AzureMonitoringStack',
    'convertKes',
    'convertGcloud',
    'inFlavor',
    'parseDeclaration',
    'buildApp',
    'synthesize',
  ];
  expect(names.filter((n) => typeof (root as Record<string, unknown>)[n] !== 'function')).toEqual([]);
});

test("every construct, function and type the README's package section names is exported from the root", () => {
  const { readFileSync } = require('node:fs') as typeof import('node:fs');
  const { join } = require('node:path') as typeof import('node:path');
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  const section = readme.split('## Using the package in your own cdktf app')[1].split('\n## ')[0];
  const report = readFileSync(join(__dirname, '..', 'api', 'secret-wiring.api.md'), 'utf8');
  const named = new Set<string>();
  for (const [, code] of section.matchAll(/`([^`\n]+)`/g)) {
    // `Name`, `Name.method`, `name(args)`: the exported name is the first identifier.
    const m = /^([A-Za-z][A-Za-z0-9]*)(?:\.([a-zA-Z]+))?(\(|$|\.)/.exec(code);
    if (!m) continue;
    const [, name] = m;
    if (/^[A-Z]/.test(name) || code.startsWith(`${name}(`)) named.add(name);
  }
  const ignored = new Set(['TypeScript', 'CI', 'README', 'LICENSE', 'CHANGELOG']);
  const exported = (n: string) => new RegExp(`export (declare )?(class|function|interface|type|const|enum) ${n}\\b`).test(report);
  // A method named as `name(...)` (grantRead, secret) is a member of an exported class.
  const method = (n: string) => /^[a-z]/.test(n) && new RegExp(`^\\s+(public )?${n}\\(`, 'm').test(report);
  const missing = [...named].filter((n) => !ignored.has(n) && !exported(n) && !method(n));
  expect(named.size).toBeGreaterThan(25);
  expect(missing).toEqual([]);
});
