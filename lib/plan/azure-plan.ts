/**
 * The plan of one environment on Azure: plain data, keyed by stable names. No cdktf here.
 */
import { formatPath } from '../declaration/problem';
import { EXTERNAL_SECRETS_CRDS, SECRET_PROVIDER_CLASS_CRDS, existingObjectKeys, type CrdRequirement } from './existing';
import {
  MANAGED_BY,
  azureSecretStoreName,
  federatedCredentialName,
  managedIdentityName,
  secretProviderClassName,
} from '../declaration/naming';
import {
  remoteOf,
  keyVaultOf,
  keyVaultSecretNameOf,
  type AksClusterModel,
  type AzureLayout,
  type AzureDelivery,
  type AzureIdentityMode,
  type AzureModel,
  type EnvironmentModel,
  type Model,
} from '../declaration/model';
import {
  azureSecretStoreObject,
  azureServiceAccountObject,
  clientIdPlaceholder,
  externalSecretObject,
  namespaceObject,
  secretProviderClassObject,
  sortObjects,
  type ExternalSecretEntry,
  type KeyVaultObject,
  type KubernetesObject,
  type SyncedSecret,
} from '../kubernetes/objects';
import { externalSecretsValues, EXTERNAL_SECRETS_CHART, EXTERNAL_SECRETS_REPOSITORY } from './external-secrets-values';
import type { ControllerPlan } from './gcp-plan';
import { admissionGuardPlan } from './admission-guard-plan';
import { monitoringPlan, type MonitoredController } from './monitoring-plan';
import type { MonitoringSet } from '../kubernetes/monitoring-flavors';

export const CSI_AZURE_REPOSITORY = 'https://azure.github.io/secrets-store-csi-driver-provider-azure/charts';
export const CSI_AZURE_CHART = 'csi-secrets-store-provider-azure';
/** Built-in role that reads secret contents, assigned per secret. */
export const KEY_VAULT_SECRETS_USER = 'Key Vault Secrets User';
/** Built-in role that manages secrets, for the deploying principal on the vault. */
export const KEY_VAULT_SECRETS_OFFICER = 'Key Vault Secrets Officer';
export const WORKLOAD_IDENTITY_AUDIENCE = 'api://AzureADTokenExchange';

/** A Key Vault secret the environment owns. Keyed by its name. */
export interface AzureSecretPlan {
  readonly name: string;
  readonly service: string;
  /** Name of the vault that holds it: the service's own (vaultPerService) or the environment's. */
  readonly vault: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly declaredAt: string;
  /** It exists already (in an adopted vault): imported, never written. */
  readonly adopt: boolean;
  /** Terraform refuses to destroy it. */
  readonly deletionProtection: boolean;
}

/** A service's own Key Vault (layout vaultPerService). Keyed by service. */
export interface AzureVaultPlan {
  readonly service: string;
  readonly name: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** "Key Vault Secrets User" on a service's own vault for its identity (layout vaultPerService). Keyed by service. */
export interface AzureVaultReaderPlan {
  readonly service: string;
  /** Declaration path of the service. */
  readonly declaredAt: string;
}

/** "Key Vault Secrets User" on one secret for one principal. */
export interface AzureRoleAssignmentPlan {
  readonly secretName: string;
  /** Service that reads it. */
  readonly service: string;
  /** Whose principal: the service's managed identity, or one cluster's add-on identity. */
  readonly principal: { readonly kind: 'identity'; readonly service: string } | { readonly kind: 'aksAddon'; readonly cluster: string };
  /** True when the reader is not the owner: the assignment exists because of a declared `from`. */
  readonly crossService: boolean;
  /** Declaration path of the (first) key that reads it. */
  readonly declaredAt: string;
}

export interface FederatedCredentialPlan {
  readonly service: string;
  readonly cluster: string;
  readonly name: string;
  readonly subject: string;
}

/** A service's user-assigned managed identity. Keyed by service. */
export interface AzureIdentityPlan {
  readonly service: string;
  readonly name: string;
  readonly namespace: string;
  readonly kubernetesServiceAccount: string;
}

export interface AzureEnvironmentPlan {
  readonly environment: string;
  readonly tenantId: string;
  readonly subscriptionId: string;
  readonly location: string;
  readonly resourceGroup: string;
  readonly layout: AzureLayout;
  /** Settings of every vault; the environment's vault name with layout environmentVault. */
  readonly keyVault: AzureModel['keyVault'];
  /** Each service's own vault (vaultPerService), by service; empty with environmentVault. */
  readonly vaults: Readonly<Record<string, AzureVaultPlan>>;
  /** Vault-scope read access of each service to its own vault (vaultPerService), by service. */
  readonly vaultReaders: Readonly<Record<string, AzureVaultReaderPlan>>;
  readonly tags: Readonly<Record<string, string>>;
  readonly clusters: readonly AksClusterModel[];
  readonly clusterAuth: AzureModel['clusterAuth'];
  readonly deployerObjectId?: string;
  readonly delivery: AzureDelivery;
  readonly identityMode: AzureIdentityMode;
  readonly csiInstall: 'helm' | 'aksAddon' | 'existing';
  /** CRDs every cluster must serve, checked at plan time, when the controller was installed by others. */
  readonly requiredCrds: readonly CrdRequirement[];
  /** Keys of the objects that exist: imported by the Terraform-managed manifests. */
  readonly existingObjects: readonly string[];
  readonly stateBackend?: AzureModel['stateBackend'];
  readonly secrets: Readonly<Record<string, AzureSecretPlan>>;
  readonly roleAssignments: Readonly<Record<string, AzureRoleAssignmentPlan>>;
  readonly identities: Readonly<Record<string, AzureIdentityPlan>>;
  readonly federatedCredentials: Readonly<Record<string, FederatedCredentialPlan>>;
  /** Helm releases in every cluster: External Secrets Operator, or the CSI driver with its Azure provider. */
  readonly controller?: ControllerPlan;
  /** Kubernetes objects, dependencies first; client ids appear as placeholders. */
  readonly objects: readonly KubernetesObject[];
  /** Scrape definitions and alerts of the controller, in the flavor the clusters run, when asked for: their own stack and GitOps folder. */
  readonly monitoring?: MonitoringSet;
  readonly manifestModes: { readonly terraform: boolean; readonly gitops: boolean };
  /** Emit moved blocks from the addresses of earlier versions (one upgrade apply). */
  readonly movedBlocks: boolean;
}

function sortRecord<T>(entries: [string, T][]): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out[k] = v;
  return out;
}

/** Helm values of the CSI driver's Azure provider chart: Secret sync and rotation on. */
export function csiAzureValues(rotationPollInterval: string): Record<string, unknown> {
  return {
    'secrets-store-csi-driver': {
      install: true,
      syncSecret: { enabled: true },
      enableSecretRotation: true,
      rotationPollInterval,
    },
  };
}

/**
 * The controller monitoring can scrape: External Secrets, or the CSI driver installed by its chart
 * (the AKS add-on's pods carry no labels a PodMonitor could rely on).
 */
function monitored(az: AzureModel): MonitoredController | undefined {
  if (az.delivery === 'externalSecrets') return { kind: 'externalSecrets', namespace: az.externalSecrets.namespace, releaseName: 'external-secrets' };
  if (az.csiDriver.install === 'helm') return { kind: 'csiDriver', namespace: 'kube-system', releaseName: CSI_AZURE_CHART };
  return undefined;
}

/** Builds the Azure plan of one environment. */
export function planAzureEnvironment(model: Model, env: EnvironmentModel): AzureEnvironmentPlan {
  const az = env.azure;
  if (!az) throw new Error(`environment ${env.name} has no azure section`);
  const secrets = new Map<string, AzureSecretPlan>();
  const assignments = new Map<string, AzureRoleAssignmentPlan>();
  const identities = new Map<string, AzureIdentityPlan>();
  const credentials = new Map<string, FederatedCredentialPlan>();
  const objects: KubernetesObject[] = [];
  const namespaces = new Set<string>();
  const workloadIdentity = az.identity === 'workloadIdentity';

  const perService = az.layout === 'vaultPerService';
  const existingObjects: string[] = [];
  const vaults = new Map<string, AzureVaultPlan>();
  const vaultReaders = new Map<string, AzureVaultReaderPlan>();

  for (const svc of model.services) {
    if (svc.platform !== 'azure' || !svc.environments.includes(env.name)) continue;
    // What the service reads, by the vault it reads it from (named by the vault's owner; one with environmentVault).
    const byVault = new Map<string, { keyVaultObjects: Map<string, KeyVaultObject>; synced: SyncedSecret[] }>();
    const vaultOf = (owner: string) => (perService ? owner : svc.name);
    const externalSecrets: KubernetesObject[] = [];

    for (const sec of svc.secrets) {
      const data: (ExternalSecretEntry & { vault: string })[] = [];
      for (const k of sec.keys) {
        if (!k.environments.includes(env.name)) continue;
        const { name, owner } = remoteOf(model, svc.name, k, keyVaultSecretNameOf);
        const declaredAt = formatPath(k.path);
        if (k.source.kind === 'own' && !secrets.has(name)) {
          const vault = keyVaultOf(env, svc.name);
          secrets.set(name, {
            name,
            service: svc.name,
            vault,
            declaredAt,
            adopt: k.source.adopt,
            deletionProtection: k.source.deletionProtection ?? true,
            tags: { ...az.labels, ...svc.labels, ...k.source.labels, 'managed-by': MANAGED_BY, service: svc.name, environment: env.name },
          });
          if (perService && !vaults.has(svc.name)) vaults.set(svc.name, { service: svc.name, name: vault, tags: { ...az.labels, ...svc.labels, 'managed-by': MANAGED_BY, service: svc.name, environment: env.name } });
        }
        if (!workloadIdentity) {
          for (const c of az.clusters) {
            const key = `${c.name}/${name}`;
            if (!assignments.has(key)) assignments.set(key, { secretName: name, service: svc.name, principal: { kind: 'aksAddon', cluster: c.name }, crossService: owner !== svc.name, declaredAt });
          }
        } else if (perService && owner === svc.name) {
          // Its own vault: one assignment at the vault's scope reads every secret in it.
          if (!vaultReaders.has(svc.name)) vaultReaders.set(svc.name, { service: svc.name, declaredAt: formatPath(['services', svc.name]) });
        } else {
          const key = `${svc.name}/${name}`;
          if (!assignments.has(key)) assignments.set(key, { secretName: name, service: svc.name, principal: { kind: 'identity', service: svc.name }, crossService: owner !== svc.name, declaredAt });
        }
        data.push({ secretKey: k.key, remoteKey: name, version: k.version, property: k.property, vault: vaultOf(owner) });
      }
      if (data.length === 0) continue;
      if (az.delivery === 'externalSecrets') {
        // The service's own store, unless every key comes from other services' vaults.
        const main = data.some((d) => d.vault === svc.name) ? svc.name : [...data.map((d) => d.vault)].sort()[0];
        externalSecrets.push(
          externalSecretObject({
            name: sec.name,
            namespace: svc.namespace,
            service: svc.name,
            storeName: azureSecretStoreName(svc.name, main),
            refreshInterval: env.refreshInterval,
            data: data.map(({ vault, ...d }) => ({ ...d, storeName: azureSecretStoreName(svc.name, vault) })),
          }),
        );
        for (const d of data) if (!byVault.has(d.vault)) byVault.set(d.vault, { keyVaultObjects: new Map(), synced: [] });
      } else {
        // One vault per Kubernetes Secret (checked in the declaration): its SecretProviderClass syncs it.
        const group = byVault.get(data[0].vault) ?? { keyVaultObjects: new Map<string, KeyVaultObject>(), synced: [] };
        byVault.set(data[0].vault, group);
        const entries = data.map((d) => {
          const id = `${d.remoteKey.toLowerCase()}@${d.version ?? ''}`;
          if (!group.keyVaultObjects.has(id)) group.keyVaultObjects.set(id, { objectName: d.remoteKey, objectVersion: d.version });
          return { key: d.secretKey, id };
        });
        group.synced.push({ secretName: sec.name, data: entries.map((e) => ({ key: e.key, objectName: e.id })) });
      }
    }
    if (byVault.size === 0) continue;

    identities.set(svc.name, { service: svc.name, name: managedIdentityName(env.name, svc.name), namespace: svc.namespace, kubernetesServiceAccount: svc.serviceAccount });
    if (workloadIdentity) {
      for (const c of az.clusters) {
        credentials.set(`${svc.name}/${c.name}`, {
          service: svc.name,
          cluster: c.name,
          name: federatedCredentialName(c.name, svc.namespace, svc.serviceAccount),
          subject: `system:serviceaccount:${svc.namespace}:${svc.serviceAccount}`,
        });
      }
    }
    if (svc.createNamespace && !namespaces.has(svc.namespace)) {
      namespaces.add(svc.namespace);
      objects.push(namespaceObject(svc.namespace));
    }
    objects.push(
      azureServiceAccountObject({
        name: svc.serviceAccount,
        namespace: svc.namespace,
        service: svc.name,
        clientId: workloadIdentity ? clientIdPlaceholder(svc.name) : undefined,
      }),
    );
    const vaultName = (owner: string) => (perService ? keyVaultOf(env, owner) : az.keyVault.name!);
    for (const [owner, group] of [...byVault].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const storeOwner = perService ? owner : undefined;
      if (az.delivery === 'externalSecrets') {
        objects.push(
          azureSecretStoreObject({
            name: azureSecretStoreName(svc.name, storeOwner),
            namespace: svc.namespace,
            service: svc.name,
            keyVaultName: vaultName(owner),
            tenantId: az.tenantId,
            serviceAccount: svc.serviceAccount,
          }),
        );
        continue;
      }
      // One remote secret read at two versions mounts as two files: the pinned one gets an alias.
      const byName = new Map<string, KeyVaultObject[]>();
      for (const o of group.keyVaultObjects.values()) byName.set(o.objectName.toLowerCase(), [...(byName.get(o.objectName.toLowerCase()) ?? []), o]);
      const fileOf = new Map<string, string>();
      const mounted: KeyVaultObject[] = [];
      for (const [id, o] of [...group.keyVaultObjects].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        const alias = byName.get(o.objectName.toLowerCase())!.length > 1 && o.objectVersion ? `${o.objectName}-${o.objectVersion}` : undefined;
        fileOf.set(id, alias ?? o.objectName);
        mounted.push(alias ? { ...o, objectAlias: alias } : o);
      }
      objects.push(
        secretProviderClassObject({
          name: secretProviderClassName(svc.name, storeOwner),
          namespace: svc.namespace,
          service: svc.name,
          keyVaultName: vaultName(owner),
          tenantId: az.tenantId,
          clientId: workloadIdentity ? clientIdPlaceholder(svc.name) : undefined,
          addonIdentityClientId: workloadIdentity ? undefined : clientIdPlaceholder('aks-addon'),
          objects: mounted,
          secretObjects: group.synced.map((s) => ({ secretName: s.secretName, data: s.data.map((d) => ({ key: d.key, objectName: fileOf.get(d.objectName)! })) })),
        }),
      );
    }
    objects.push(...externalSecrets);
    existingObjects.push(...existingObjectKeys(svc, objects));
  }

  let controller: ControllerPlan | undefined;
  let requiredCrds: readonly CrdRequirement[] = [];
  if (az.delivery === 'externalSecrets' && az.externalSecrets.install === 'existing') {
    requiredCrds = EXTERNAL_SECRETS_CRDS;
  } else if (az.delivery === 'csi' && az.csiDriver.install === 'existing') {
    requiredCrds = SECRET_PROVIDER_CLASS_CRDS;
  } else if (az.delivery === 'externalSecrets') {
    controller = {
      repository: EXTERNAL_SECRETS_REPOSITORY,
      chart: EXTERNAL_SECRETS_CHART,
      version: az.externalSecrets.chartVersion,
      namespace: az.externalSecrets.namespace,
      values: externalSecretsValues(),
    };
  } else if (az.csiDriver.install === 'helm') {
    controller = {
      repository: CSI_AZURE_REPOSITORY,
      chart: CSI_AZURE_CHART,
      version: az.csiDriver.chartVersion,
      namespace: 'kube-system',
      values: csiAzureValues(az.csiDriver.rotationPollInterval),
    };
  }

  return {
    environment: env.name,
    tenantId: az.tenantId,
    subscriptionId: az.subscriptionId,
    location: az.location,
    resourceGroup: az.resourceGroup,
    layout: az.layout,
    keyVault: az.keyVault,
    vaults: sortRecord([...vaults]),
    vaultReaders: sortRecord([...vaultReaders]),
    tags: { ...az.labels, 'managed-by': MANAGED_BY, environment: env.name },
    clusters: az.clusters,
    clusterAuth: az.clusterAuth,
    deployerObjectId: az.deployerObjectId,
    delivery: az.delivery,
    identityMode: az.identity,
    csiInstall: az.csiDriver.install,
    requiredCrds,
    existingObjects: [...new Set(existingObjects)].sort(),
    stateBackend: az.stateBackend,
    secrets: sortRecord([...secrets]),
    roleAssignments: sortRecord([...assignments]),
    identities: workloadIdentity ? sortRecord([...identities]) : {},
    federatedCredentials: sortRecord([...credentials]),
    controller,
    objects: sortObjects([
      ...objects,
      // The guard keeps External Secrets' stores on each namespace's own identity (nothing to guard with CSI).
      ...(az.delivery === 'externalSecrets' ? admissionGuardPlan(env, objects, az.externalSecrets.namespace) : []),
    ]),
    monitoring: monitoringPlan(env.monitoring, monitored(az), env.monitoring?.stack.azure ?? 'prometheusOperator'),
    manifestModes: env.manifests,
    movedBlocks: env.movedBlocks,
  };
}
