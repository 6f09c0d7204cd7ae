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

test("every name the README's package section gives is in the public API", () => {
  const { readFileSync } = require('node:fs') as typeof import('node:fs');
  const { join } = require('node:path') as typeof import('node:path');
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  const section = readme.split('## Using the package in your own cdktf app')[1].split('\n## ')[0].replace(/```[\s\S]*?```/g, '');
  const report = readFileSync(join(__dirname, '..', 'api', 'secret-wiring.api.md'), 'utf8');
  const exported = (n: string) => new RegExp(`export (declare )?(class|function|interface|type|const|enum) ${n}\\b`).test(report);
  // A member (method, property) of an exported class or interface, or a string of a union type.
  const member = (n: string) => new RegExp(`^\\s+(readonly |public |static |get )*${n}[?(:<]`, 'm').test(report) || report.includes(`'${n}'`);
  const missing: string[] = [];
  let names = 0;
  for (const [, code] of section.matchAll(/`([^`]+)`/g)) {
    // `Name`, `Name.member(...)`, `name(args)`, `name`: each identifier before a call or a dot.
    const m = /^([A-Za-z][A-Za-z0-9]*)((?:\.[A-Za-z][A-Za-z0-9]*)*)(\(|$)/.exec(code.trim());
    if (!m) continue;
    const [, first, rest] = m;
    // Words of the prose that are not the package's: files, cdktf's app and node, commands of a clone.
    if (/\.(ya?ml|json|md|ts|js)$/.test(code.trim())) continue;
    if (['README', 'LICENSE', 'CHANGELOG', 'CI', 'TypeScript', 'TypeError', 'app', 'node', 'allUsers', 'outdir', 'bench', 'schema', 'build'].includes(first)) continue;
    names++;
    const ok = /^[A-Z]/.test(first) ? exported(first) : exported(first) || member(first);
    if (!ok) missing.push(code);
    for (const part of rest.split('.').filter(Boolean)) if (!member(part) && !['synth', 'outdir'].includes(part)) missing.push(code);
  }
  expect(names).toBeGreaterThan(40);
  expect(missing).toEqual([]);
});
