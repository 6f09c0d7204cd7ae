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
