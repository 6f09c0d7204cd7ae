/**
 * The naive baseline of the benchmark: a plain cdktf program that declares, one construct per
 * resource, the same resources (same kinds, same count, same arguments, dependencies and lifecycle) that the
 * product synthesized, read from a work list, with the rest of each stack (variables, data sources,
 * locals, outputs) as it was, so that Terraform plans both alike.
 * Usage: node dist/bench/naive.js <worklist.json> <outdir>
 */
import { readFileSync } from 'node:fs';
import { App, TerraformStack } from 'cdktf';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { SecretManagerSecret } from '@cdktf/provider-google/lib/secret-manager-secret';
import { SecretManagerSecretIamMember } from '@cdktf/provider-google/lib/secret-manager-secret-iam-member';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { ServiceAccountIamMember } from '@cdktf/provider-google/lib/service-account-iam-member';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { KeyVaultSecret } from '@cdktf/provider-azurerm/lib/key-vault-secret';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { FederatedIdentityCredential } from '@cdktf/provider-azurerm/lib/federated-identity-credential';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { Release } from '@cdktf/provider-helm/lib/release';

export interface WorkItem {
  readonly type: string;
  /** The product's block name, kept so that references to it resolve. @default - generated */
  readonly name?: string;
  readonly config: Record<string, unknown>;
}

/** Stack name -> resources to declare, and the stack's other top-level sections. */
export type WorkList = Record<string, { readonly items: WorkItem[]; readonly rest?: Record<string, unknown> }>;

const DATA_MAPS = new Set(['labels', 'tags', 'manifest', 'triggers']);

function camel(value: unknown, key?: string): unknown {
  if (key && DATA_MAPS.has(key)) return value;
  if (Array.isArray(value)) return value.map((v) => camel(v));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c) => c.toUpperCase()), camel(v, k)]));
  }
  return value;
}

const CLASSES: Record<string, new (scope: TerraformStack, id: string, config: any) => unknown> = {
  google_secret_manager_secret: SecretManagerSecret,
  google_secret_manager_secret_iam_member: SecretManagerSecretIamMember,
  google_service_account: ServiceAccount,
  google_service_account_iam_member: ServiceAccountIamMember,
  azurerm_key_vault: KeyVault,
  azurerm_key_vault_secret: KeyVaultSecret,
  azurerm_role_assignment: RoleAssignment,
  azurerm_user_assigned_identity: UserAssignedIdentity,
  azurerm_federated_identity_credential: FederatedIdentityCredential,
  kubernetes_manifest: Manifest,
  helm_release: Release,
};

/** Resource types the baseline can declare with a provider class. */
export const NAIVE_TYPES = Object.keys(CLASSES);

export function naiveApp(work: WorkList, outdir: string): App {
  const app = new App({ outdir, skipValidation: true });
  for (const [name, { items, rest }] of Object.entries(work)) {
    const stack = new TerraformStack(app, name);
    new GoogleProvider(stack, 'google', {});
    new AzurermProvider(stack, 'azurerm', { features: [{}] });
    new KubernetesProvider(stack, 'kubernetes', {});
    new HelmProvider(stack, 'helm', {});
    for (const [section, value] of Object.entries(rest ?? {})) stack.addOverride(section, value);
    // Named like the product's blocks, so that references between them hold.
    items.forEach((item, i) => {
      const Class = CLASSES[item.type];
      const { lifecycle, depends_on: dependsOn, provider: _p, '//': _c, ...config } = item.config as Record<string, unknown>;
      const r = new Class(stack, `r${i}`, camel(config)) as { overrideLogicalId(id: string): void; addOverride(path: string, value: unknown): void };
      if (typeof item.name === 'string') r.overrideLogicalId(item.name);
      if (Array.isArray(dependsOn)) r.addOverride('depends_on', dependsOn);
      // The same lifecycle (preconditions, ignore_changes, prevent_destroy): the plans differ in structure only.
      if (lifecycle) r.addOverride('lifecycle', lifecycle);
    });
  }
  return app;
}

if (require.main === module) {
  const [file, outdir] = process.argv.slice(2);
  naiveApp(JSON.parse(readFileSync(file, 'utf8')), outdir).synth();
}
