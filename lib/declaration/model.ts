/**
 * The validated model: the declaration with every default applied, every `from` resolved and
 * every name derived, sorted by name. Built only from a structurally valid declaration; every
 * cross-field rule is checked here and reported together.
 */
import { DEFAULT_CSI_AZURE_CHART_VERSION, DEFAULT_EXTERNAL_SECRETS_CHART_VERSION } from './chart-versions';
import { CSI_DRIVER_NAMESPACE, checkControllerNamespaces } from './checks/controller-namespaces';
import { checkSharedNamespaces } from './checks/shared-namespaces';
import { checkSharedPrincipals } from './checks/shared-principals';
import { checkCsiSingleVault } from './checks/csi-single-vault';
import { checkKeyVaultLayout } from './checks/key-vault-layout';
import type { Declaration, KeyDeclaration } from './schema';
import { RULES, satisfies } from './rules';
import { RESERVED_LABEL_KEYS, defaultServiceAccountName, derivedKeyVaultSecretName, derivedSecretId, keyVaultName, managedIdentityName, serviceKeyVaultName } from './naming';
import type { Problem } from './problem';
import { createHash } from 'node:crypto';

export type IdentityMode = 'workloadIdentity' | 'googleServiceAccount';

export interface GkeClusterModel {
  readonly name: string;
  readonly location: string;
}

export interface GcpModel {
  readonly project: string;
  readonly projectNumber: string;
  readonly clusters: readonly GkeClusterModel[];
  readonly identity: IdentityMode;
  /** Regions of user-managed replication; empty for automatic replication. */
  readonly replicaLocations: readonly string[];
  readonly deletionProtection: boolean;
  readonly secretIdPrefix: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly stateBucket?: { readonly bucket: string; readonly prefix: string };
  readonly externalSecrets: ExternalSecretsModel;
}

/** External Secrets Operator in the clusters: installed by the product, or there already. */
export interface ExternalSecretsModel {
  readonly chartVersion: string;
  readonly namespace: string;
  readonly install: 'helm' | 'existing';
}

export type Platform = 'gcp' | 'azure';
export type AzureDelivery = 'csi' | 'externalSecrets';
export type AzureIdentityMode = 'workloadIdentity' | 'aksAddonIdentity';

export interface AksClusterModel {
  readonly name: string;
  readonly resourceGroup: string;
}

/** vaultPerService: a vault per service; environmentVault: one vault for the environment. */
export type AzureLayout = 'vaultPerService' | 'environmentVault';

export interface AzureModel {
  readonly tenantId: string;
  readonly subscriptionId: string;
  readonly location: string;
  readonly resourceGroup: string;
  readonly layout: AzureLayout;
  readonly keyVault: {
    /** Declared name of the environment's vault (environmentVault). */
    readonly declaredName?: string;
    /** Name of the environment's vault, with the unique suffix when asked for (environmentVault). */
    readonly name?: string;
    readonly publicNetworkAccess: boolean;
    readonly softDeleteRetentionDays: number;
    /** The environment's vault exists: imported, its settings left as they are. */
    readonly adopt: boolean;
    /** An adopted vault in access-policy mode may be switched to RBAC authorization. */
    readonly switchToRbac: boolean;
  };
  readonly clusters: readonly AksClusterModel[];
  readonly clusterAuth: 'azurecli' | 'spn' | 'msi' | 'workloadidentity' | 'clientCertificate';
  /** Deploying principal, when declared. @default - the one running the apply */
  readonly deployerObjectId?: string;
  readonly delivery: AzureDelivery;
  readonly identity: AzureIdentityMode;
  readonly csiDriver: { readonly install: 'helm' | 'aksAddon' | 'existing'; readonly chartVersion: string; readonly rotationPollInterval: string };
  readonly externalSecrets: ExternalSecretsModel;
  readonly labels: Readonly<Record<string, string>>;
  readonly stateBackend?: { readonly resourceGroup: string; readonly storageAccount: string; readonly container: string };
  /** Role assignments of the subscription kept free for others. */
  readonly reservedRoleAssignments: number;
}

/** A policy rule excused at one place of the declaration. */
export interface SuppressionModel {
  readonly rule: string;
  readonly reason: string;
  /** Where it is declared: the scope it covers (an environment, a service or a key). */
  readonly scope: readonly string[];
}

export type PrometheusFlavor = 'prometheusOperator' | 'googleManagedPrometheus' | 'azureManagedPrometheus';

export interface MonitoringModel {
  /** The Prometheus each cloud's clusters run. */
  readonly stack: { readonly gcp: PrometheusFlavor; readonly azure: PrometheusFlavor };
  /** Azure Monitor workspace of the clusters (azureManagedPrometheus). */
  readonly azureMonitorWorkspaceId?: string;
  /** Action group the Azure rule groups notify. */
  readonly actionGroupId?: string;
  readonly notReadyFor: string;
  readonly syncErrorsFor: string;
  readonly controllerDownFor: string;
  readonly syncStalledWindow: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface EnvironmentModel {
  readonly name: string;
  /** Shard of each service deployed here, when the environment is split into shard stacks. */
  readonly shards?: Readonly<Record<string, string>>;
  readonly maxSecretsPerShard: number;
  /** Alerts for the controllers, when asked for. */
  readonly monitoring?: MonitoringModel;
  /** Production environments pin versions (policy). */
  readonly production: boolean;
  readonly gcp?: GcpModel;
  readonly azure?: AzureModel;
  readonly manifests: { readonly terraform: boolean; readonly gitops: boolean };
  readonly refreshInterval: string;
  /** Emit moved blocks from the addresses of earlier versions. */
  readonly movedBlocks: boolean;
  /** The in-cluster admission guard where External Secrets runs; undefined when turned off. */
  readonly admissionGuard?: { readonly validationActions: readonly ('Deny' | 'Audit' | 'Warn')[]; readonly clusterSecretStores: readonly string[] };
}

/** A key that owns its remote secret. */
export interface OwnedSource {
  readonly kind: 'own';
  /** Explicit remote id, or undefined to derive it. */
  readonly remoteName?: string;
  /** Import the existing remote secret instead of creating it. */
  readonly adopt: boolean;
  readonly labels: Readonly<Record<string, string>>;
  /** Deletion protection override. @default - the environment's */
  readonly deletionProtection?: boolean;
}

/** A key that reads the remote secret of another declared key. */
export interface FromSource {
  readonly kind: 'from';
  readonly service: string;
  readonly secret: string;
  readonly key: string;
}

export interface KeyModel {
  readonly key: string;
  readonly environments: readonly string[];
  readonly version?: string;
  /** Field of a JSON remote secret to take (External Secrets delivery). */
  readonly property?: string;
  readonly source: OwnedSource | FromSource;
  /** Where the key is declared. */
  readonly path: readonly string[];
}

export interface KubernetesSecretModel {
  readonly name: string;
  readonly keys: readonly KeyModel[];
}

export interface ServiceModel {
  readonly name: string;
  readonly platform: Platform;
  /** Declared shard. @default - by hash in sharded environments */
  readonly shard?: string;
  readonly namespace: string;
  readonly createNamespace: boolean;
  /** The reason the service may share its namespace with others, when declared. */
  readonly sharedNamespace?: string;
  readonly serviceAccount: string;
  readonly environments: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly secrets: readonly KubernetesSecretModel[];
  /** Pods per cluster that mount its SecretProviderClass (CSI delivery). */
  readonly replicas: number;
  /** What exists before the product, imported instead of created. */
  readonly existing: ExistingModel;
}

/** What of a service exists already: imported into Terraform instead of created. */
export interface ExistingModel {
  readonly namespace: boolean;
  readonly serviceAccount: boolean;
  /** Account id of its existing Google service account (GKE identity googleServiceAccount). */
  readonly googleServiceAccount?: string;
  /** Its secretAccessor grants exist (GKE). */
  readonly accessGrants: boolean;
}

export interface Model {
  readonly environments: readonly EnvironmentModel[];
  readonly services: readonly ServiceModel[];
  /** Every suppression of the declaration, sorted by scope and rule. */
  readonly suppressions: readonly SuppressionModel[];
}

/** Federated identity credentials one user-assigned managed identity can hold. */
export const MAX_FEDERATED_CREDENTIALS = 20;
/** Tags a Key Vault secret can carry. */
export const MAX_KEY_VAULT_TAGS = 15;
/** Labels a Secret Manager secret can carry. */
export const MAX_GCP_LABELS = 64;

/** Namespaces every cluster has, which the product never creates (or deletes). */
export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'] as const;

/** The shard a service falls in by rule: `shard-<n>`, n a stable hash of its name modulo `count`. */
export function hashShard(service: string, count: number): string {
  const n = parseInt(createHash('sha256').update(service).digest('hex').slice(0, 8), 16) % count;
  return `shard-${n}`;
}

/** Seconds of a Go or Prometheus duration (1h30m, 90s, 2d). */
export function durationSeconds(d: string): number {
  const unit: Record<string, number> = { ns: 1e-9, us: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
  let total = 0;
  for (const m of d.matchAll(/([0-9]+(?:\.[0-9]+)?)(ns|us|ms|s|m|h|d|w|y)/g)) total += Number(m[1]) * unit[m[2]];
  return total;
}

/** Default window of the stalled-sync alert: twice the refresh interval, at least two hours, in minutes. */
function stalledWindow(refreshInterval: string): string {
  return `${Math.max(120, Math.ceil((2 * durationSeconds(refreshInterval)) / 60))}m`;
}

function isZeroDuration(d: string): boolean {
  return !/[1-9]/.test(d);
}

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const sortedKeys = (o: object | undefined) => Object.keys(o ?? {}).sort();

function sortedRecord(o: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of sortedKeys(o)) out[k] = o![k];
  return out;
}

/** The flavor of each cloud: one for both, or one per cloud (prometheusOperator where none is named). */
function monitoringStacks(stack: PrometheusFlavor | { gcp?: PrometheusFlavor; azure?: PrometheusFlavor } | undefined): MonitoringModel['stack'] {
  if (stack === undefined) return { gcp: 'prometheusOperator', azure: 'prometheusOperator' };
  if (typeof stack === 'string') return { gcp: stack, azure: stack };
  return { gcp: stack.gcp ?? 'prometheusOperator', azure: stack.azure ?? 'prometheusOperator' };
}

/** Applies defaults. Assumes the declaration passed the structural check. */
export function resolveDeclaration(decl: Declaration): Model {
  const envNames = sortedKeys(decl.environments);
  const environments: EnvironmentModel[] = envNames.map((name) => {
    const e = decl.environments[name];
    const g = e.gcp;
    return {
      name,
      maxSecretsPerShard: e.sharding?.maxSecretsPerShard ?? 2000,
      production: e.production ?? (name === 'production' || name.startsWith('prod')),
      monitoring: e.monitoring && {
        stack: monitoringStacks(e.monitoring.stack),
        azureMonitorWorkspaceId: e.monitoring.azureMonitorWorkspaceId,
        actionGroupId: e.monitoring.actionGroupId,
        notReadyFor: e.monitoring.notReadyFor ?? '15m',
        syncErrorsFor: e.monitoring.syncErrorsFor ?? '10m',
        controllerDownFor: e.monitoring.controllerDownFor ?? '10m',
        syncStalledWindow: e.monitoring.syncStalledWindow ?? stalledWindow(e.refreshInterval ?? '1h'),
        labels: sortedRecord(e.monitoring.labels),
      },
      refreshInterval: e.refreshInterval ?? '1h',
      movedBlocks: e.movedBlocks ?? false,
      admissionGuard:
        e.admissionGuard?.enabled === false
          ? undefined
          : { validationActions: [...(e.admissionGuard?.validationActions ?? ['Deny'])].sort(), clusterSecretStores: [...(e.admissionGuard?.clusterSecretStores ?? [])].sort() },
      // One owner per object: a declaration that says nothing gets GitOps files (the field report's
      // generated/ folder, applied by the team's CD); Terraform applies them only when asked.
      manifests: { terraform: e.manifests?.terraform ?? false, gitops: e.manifests?.gitops ?? e.manifests?.terraform !== true },
      gcp: g && {
        project: g.project,
        projectNumber: g.projectNumber,
        clusters: g.clusters.map((c) => ({ name: c.name, location: c.location })).sort(byName),
        identity: g.identity ?? 'workloadIdentity',
        replicaLocations: [...(g.replication?.locations ?? [])].sort(),
        deletionProtection: g.deletionProtection ?? true,
        secretIdPrefix: g.secretIdPrefix ?? '',
        labels: sortedRecord(g.labels),
        stateBucket: g.stateBucket && { bucket: g.stateBucket.bucket, prefix: g.stateBucket.prefix ?? 'secret-wiring' },
        externalSecrets: {
          chartVersion: g.externalSecrets?.chartVersion ?? DEFAULT_EXTERNAL_SECRETS_CHART_VERSION,
          namespace: g.externalSecrets?.namespace ?? 'external-secrets',
          install: g.externalSecrets?.install ?? 'helm',
        },
      },
      azure: e.azure && resolveAzure(e.azure),
    };
  });

  const services: ServiceModel[] = sortedKeys(decl.services).map((name) => {
    const s = decl.services[name];
    const platform: Platform = s.platform ?? 'gcp';
    // By default a service is deployed wherever its platform is declared.
    const serviceEnvs = s.environments ? [...s.environments].sort() : envNames.filter((n) => decl.environments[n][platform] !== undefined);
    return {
      name,
      platform,
      shard: s.shard,
      namespace: s.namespace ?? name,
      createNamespace: s.createNamespace ?? true,
      sharedNamespace: s.sharedNamespace?.reason,
      serviceAccount: s.serviceAccount ?? defaultServiceAccountName(name),
      replicas: s.replicas ?? 3,
      existing: {
        namespace: s.existing?.namespace ?? false,
        serviceAccount: s.existing?.serviceAccount ?? false,
        googleServiceAccount: s.existing?.googleServiceAccount,
        accessGrants: s.existing?.accessGrants ?? false,
      },
      environments: serviceEnvs,
      labels: sortedRecord(s.labels),
      secrets: sortedKeys(s.secrets).map((secretName) => ({
        name: secretName,
        keys: sortedKeys(s.secrets[secretName]).map((key) => resolveKey(name, platform, secretName, key, s.secrets[secretName][key], serviceEnvs)),
      })),
    };
  });
  // Shards: a service's declared shard, else (in a sharded environment) a hash of its name.
  for (const env of environments as { -readonly [K in keyof EnvironmentModel]: EnvironmentModel[K] }[]) {
    // Only environments that declare sharding are split; elsewhere a service's shard is ignored.
    const count = decl.environments[env.name].sharding?.shards;
    if (count === undefined) continue;
    const here = services.filter((s) => s.environments.includes(env.name));
    env.shards = Object.fromEntries(here.map((s) => [s.name, s.shard ?? hashShard(s.name, count)]));
  }
  const suppressions: SuppressionModel[] = [];
  const collect = (scope: string[], list: readonly { rule: string; reason: string }[] | undefined) => {
    for (const x of list ?? []) suppressions.push({ rule: x.rule, reason: x.reason, scope });
  };
  for (const name of envNames) collect(['environments', name], decl.environments[name].suppressions);
  for (const name of sortedKeys(decl.services)) {
    const s = decl.services[name];
    collect(['services', name], s.suppressions);
    for (const sec of sortedKeys(s.secrets)) for (const key of sortedKeys(s.secrets[sec])) collect(['services', name, 'secrets', sec, key], s.secrets[sec][key].suppressions);
  }
  return { environments, services, suppressions };
}

/** Each cloud's flavor must run on that cloud, and Azure's managed Prometheus needs its workspace. */
function checkMonitoringStack(env: EnvironmentModel, add: (path: (string | number)[], value: unknown, rule: string) => void): void {
  const m = env.monitoring!;
  const at = ['environments', env.name, 'monitoring'];
  if (env.gcp && m.stack.gcp === 'azureManagedPrometheus') {
    add([...at, 'stack'], m.stack.gcp, `azureManagedPrometheus is the Azure Monitor metrics add-on of AKS; environment ${env.name} has GKE clusters too: name one flavor per cloud, e.g. stack: { gcp: googleManagedPrometheus, azure: azureManagedPrometheus }`);
  }
  if (env.azure && m.stack.azure === 'googleManagedPrometheus') {
    add([...at, 'stack'], m.stack.azure, `googleManagedPrometheus is GKE's managed collection; environment ${env.name} has AKS clusters too: name one flavor per cloud, e.g. stack: { gcp: googleManagedPrometheus, azure: azureManagedPrometheus }`);
  }
  const azureManaged = env.azure !== undefined && m.stack.azure === 'azureManagedPrometheus';
  if (azureManaged && m.azureMonitorWorkspaceId === undefined) {
    add([...at, 'azureMonitorWorkspaceId'], undefined, 'azureManagedPrometheus evaluates its alert rules in the Azure Monitor workspace the clusters send metrics to: name it (its resource id)');
  }
  for (const f of ['azureMonitorWorkspaceId', 'actionGroupId'] as const) {
    if (m[f] !== undefined && !azureManaged) add([...at, f], m[f], `${f} applies to azureManagedPrometheus on AKS only`);
  }
}

/** What a service declares as existing must be something the product would otherwise create there. */
function checkExisting(svc: ServiceModel, envs: ReadonlyMap<string, EnvironmentModel>, add: (path: (string | number)[], value: unknown, rule: string) => void): void {
  const at = ['services', svc.name, 'existing'];
  if (svc.existing.namespace && !svc.createNamespace) {
    add([...at, 'namespace'], true, 'createNamespace: false says the namespace is not the product\'s; existing.namespace brings an existing one under management: declare one of them');
  }
  if (svc.platform === 'azure') {
    if (svc.existing.googleServiceAccount !== undefined) add([...at, 'googleServiceAccount'], svc.existing.googleServiceAccount, 'a Google service account belongs to a GKE service (platform gcp)');
    if (svc.existing.accessGrants) add([...at, 'accessGrants'], true, 'accessGrants imports Secret Manager accessor grants of a GKE service (platform gcp); on AKS the product assigns roles itself');
    return;
  }
  if (svc.existing.googleServiceAccount !== undefined) {
    for (const e of svc.environments) {
      const gcp = envs.get(e)?.gcp;
      if (gcp && gcp.identity !== 'googleServiceAccount') {
        add([...at, 'googleServiceAccount'], svc.existing.googleServiceAccount, `environment ${e} uses GKE identity ${gcp.identity}, which needs no Google service account; an existing one applies to identity googleServiceAccount`);
      }
    }
  }
}

function resolveAzure(a: NonNullable<Declaration['environments'][string]['azure']>): AzureModel {
  return {
    tenantId: a.tenantId.toLowerCase(),
    subscriptionId: a.subscriptionId.toLowerCase(),
    location: a.location,
    resourceGroup: a.resourceGroup,
    // A declaration that names its vault keeps that one vault (the layout of earlier versions).
    layout: a.layout ?? (a.keyVault?.name !== undefined ? 'environmentVault' : 'vaultPerService'),
    keyVault: {
      declaredName: a.keyVault?.name,
      name: a.keyVault?.name === undefined ? undefined : keyVaultName(a.keyVault.name, a.keyVault.uniqueSuffix ? `${a.subscriptionId.toLowerCase()}/${a.resourceGroup}` : undefined),
      publicNetworkAccess: a.keyVault?.publicNetworkAccess ?? true,
      softDeleteRetentionDays: a.keyVault?.softDeleteRetentionDays ?? 90,
      adopt: a.keyVault?.adopt ?? false,
      switchToRbac: a.keyVault?.switchToRbac ?? false,
    },
    clusters: a.clusters.map((c) => ({ name: c.name, resourceGroup: c.resourceGroup ?? a.resourceGroup })).sort(byName),
    clusterAuth: a.clusterAuth ?? 'azurecli',
    deployerObjectId: a.deployerObjectId?.toLowerCase(),
    delivery: a.delivery ?? 'csi',
    identity: a.identity ?? 'workloadIdentity',
    csiDriver: {
      // The add-on identity exists only with the add-on, so choosing it implies the add-on.
      install: a.csiDriver?.install ?? (a.identity === 'aksAddonIdentity' ? 'aksAddon' : 'helm'),
      chartVersion: a.csiDriver?.chartVersion ?? DEFAULT_CSI_AZURE_CHART_VERSION,
      rotationPollInterval: a.csiDriver?.rotationPollInterval ?? '2m',
    },
    externalSecrets: {
      chartVersion: a.externalSecrets?.chartVersion ?? DEFAULT_EXTERNAL_SECRETS_CHART_VERSION,
      namespace: a.externalSecrets?.namespace ?? 'external-secrets',
      install: a.externalSecrets?.install ?? 'helm',
    },
    labels: sortedRecord(a.labels),
    stateBackend: a.stateBackend,
    reservedRoleAssignments: a.reservedRoleAssignments ?? 400,
  };
}

function resolveKey(service: string, platform: Platform, secret: string, key: string, k: KeyDeclaration, serviceEnvs: readonly string[]): KeyModel {
  const path = ['services', service, 'secrets', secret, key];
  const environments = k.environments ? [...k.environments].sort() : [...serviceEnvs];
  if (k.from) {
    const [s, sec, ...rest] = k.from.split('/');
    return { key, environments, version: k.version, property: k.property, path, source: { kind: 'from', service: s, secret: sec, key: rest.join('/') } };
  }
  return {
    key,
    environments,
    version: k.version,
    property: k.property,
    path,
    // With a remoteName, Secret Manager adopts by default (the field report's secrets exist); Key Vault only when asked.
    source: { kind: 'own', remoteName: k.remoteName, adopt: k.remoteName !== undefined && (platform === 'gcp' ? (k.adopt ?? true) : k.adopt === true), labels: sortedRecord(k.labels), deletionProtection: k.deletionProtection },
  };
}

/** Finds a declared key by service, Kubernetes Secret and key name. */
export function findKey(model: Model, service: string, secret: string, key: string): KeyModel | undefined {
  return model.services
    .find((s) => s.name === service)
    ?.secrets.find((x) => x.name === secret)
    ?.keys.find((x) => x.key === key);
}

/**
 * The remote secret a key reads, named by `nameOf`: its own, or with `from` its target's; and the
 * service that owns it.
 */
export function remoteOf(model: Model, service: string, k: KeyModel, nameOf: (owner: string, owned: KeyModel) => string): { name: string; owner: string } {
  if (k.source.kind === 'own') return { name: nameOf(service, k), owner: service };
  const target = findKey(model, k.source.service, k.source.secret, k.source.key);
  if (!target) throw new Error(`${k.path.join('.')} reads ${k.source.service}/${k.source.secret}/${k.source.key}, which is not declared`);
  return { name: nameOf(k.source.service, target), owner: k.source.service };
}

/** The remote id of a key that owns its secret, in one environment's project. */
export function remoteIdOf(gcp: GcpModel, service: string, k: KeyModel): string {
  if (k.source.kind !== 'own') throw new Error(`${k.path.join('.')} does not own a remote secret`);
  return k.source.remoteName ?? derivedSecretId(gcp.secretIdPrefix, service, k.key);
}

/** The Key Vault secret name of a key that owns its secret. */
export function keyVaultSecretNameOf(service: string, k: KeyModel): string {
  if (k.source.kind !== 'own') throw new Error(`${k.path.join('.')} does not own a remote secret`);
  return k.source.remoteName ?? derivedKeyVaultSecretName(service, k.key);
}

/**
 * The Key Vault holding the secrets a service owns in an Azure environment: its own vault
 * (vaultPerService) or the environment's.
 */
export function keyVaultOf(env: EnvironmentModel, service: string): string {
  const a = env.azure;
  if (!a) throw new Error(`environment ${env.name} has no azure section`);
  if (a.layout === 'environmentVault') {
    if (a.keyVault.name === undefined) throw new Error(`environment ${env.name} declares no keyVault.name`);
    return a.keyVault.name;
  }
  return serviceKeyVaultName(a.subscriptionId, a.resourceGroup, env.name, service);
}

/** Cross-field rules: environments, `from`, collisions, identities. Returns every problem. */
export function checkModel(decl: Declaration, model: Model): Problem[] {
  const problems: Problem[] = [];
  const envs = new Map(model.environments.map((e) => [e.name, e]));
  const add = (path: readonly (string | number)[], value: unknown, rule: string) => problems.push({ path, value, rule });

  // Environments themselves.
  for (const env of model.environments) {
    if (!env.gcp && !env.azure) add(['environments', env.name], decl.environments[env.name], 'an environment needs a cloud section (gcp, azure or both)');
    if (env.azure) checkAzureEnvironment(decl, env, add);
    if (env.azure) checkKeyVaultLayout(decl, env, add);
    if (!env.manifests.terraform && !env.manifests.gitops) {
      add(['environments', env.name, 'manifests'], decl.environments[env.name].manifests, 'at least one of terraform and gitops must stay on, or the SecretStores and ExternalSecrets reach no cluster');
    }
    const m = decl.environments[env.name].monitoring;
    for (const f of ['notReadyFor', 'syncErrorsFor', 'controllerDownFor', 'syncStalledWindow'] as const) {
      if (m?.[f] !== undefined && durationSeconds(m[f]!) <= 0) add(['environments', env.name, 'monitoring', f], m[f], 'must be longer than 0s: an alert needs time to tell a failure from a blip');
    }
    if (env.monitoring) checkMonitoringStack(env, add);
    if (env.monitoring && durationSeconds(env.monitoring.syncStalledWindow) <= durationSeconds(env.refreshInterval)) {
      add(['environments', env.name, 'monitoring', 'syncStalledWindow'], env.monitoring.syncStalledWindow, `must be longer than refreshInterval (${env.refreshInterval}): each ExternalSecret syncs once per refreshInterval, so a shorter window alerts on a healthy controller`);
    }
    const actions = env.admissionGuard?.validationActions ?? [];
    if (actions.includes('Deny') && actions.includes('Warn')) {
      add(['environments', env.name, 'admissionGuard', 'validationActions'], actions, 'Deny and Warn together are refused by Kubernetes (a denied request is already reported to the client): use [Deny], or [Audit, Warn] for audit mode');
    }
    if (isZeroDuration(env.refreshInterval)) {
      add(['environments', env.name, 'refreshInterval'], env.refreshInterval, 'must be longer than 0s: with 0s the controller reads a secret once and never restores a Kubernetes Secret deleted by hand');
    }
    for (const cloud of ['gcp', 'azure'] as const) {
      const es = env[cloud]?.externalSecrets;
      if (es && Number(es.chartVersion.split('.')[0]) < 1) {
        add(['environments', env.name, cloud, 'externalSecrets', 'chartVersion'], es.chartVersion, 'the manifests use external-secrets.io/v1, which charts before 1.0 do not serve reliably; pin 1.x or 2.x (2.9.0 is the version tested)');
      }
    }
    if (env.gcp) {
      const seen = new Map<string, number>();
      decl.environments[env.name].gcp!.clusters.forEach((c, i) => {
        if (seen.has(c.name)) {
          add(['environments', env.name, 'gcp', 'clusters', i, 'name'], c.name, `cluster names must be unique within an environment (also at clusters[${seen.get(c.name)}])`);
        } else seen.set(c.name, i);
      });
    }
    for (const k of Object.keys(env.gcp?.labels ?? {})) {
      if ((RESERVED_LABEL_KEYS as readonly string[]).includes(k)) {
        add(['environments', env.name, 'gcp', 'labels', k], k, `label key "${k}" is set by the product (reserved: ${RESERVED_LABEL_KEYS.join(', ')})`);
      }
    }
  }

  for (const svc of model.services) {
    const sDecl = decl.services[svc.name];
    (sDecl.environments ?? []).forEach((e, i) => {
      if (!envs.has(e)) add(['services', svc.name, 'environments', i], e, `unknown environment; declared environments: ${[...envs.keys()].join(', ')}`);
      else if (!envs.get(e)![svc.platform]) add(['services', svc.name, 'environments', i], e, `service ${svc.name} runs on ${svc.platform}, and environment ${e} has no ${svc.platform} section`);
    });
    if (!sDecl.environments && svc.environments.length === 0 && model.environments.length > 0) {
      add(['services', svc.name, 'platform'], svc.platform, `service ${svc.name} runs on ${svc.platform}, and no environment has a ${svc.platform} section`);
    }
    // kube-system is refused whether created or not (checks/controller-namespaces.ts).
    if (svc.createNamespace && (SYSTEM_NAMESPACES as readonly string[]).includes(svc.namespace) && svc.namespace !== CSI_DRIVER_NAMESPACE) {
      add(['services', svc.name, 'namespace'], svc.namespace, `${svc.namespace} exists in every cluster and belongs to the cluster: set createNamespace: false to use it, or choose the service's own namespace`);
    }
    checkExisting(svc, envs, add);
    // generated/<env>/azure/ holds the AKS files: a GKE namespace of that name would share the folder.
    if (svc.platform === 'gcp' && svc.namespace === 'azure' && svc.environments.some((e) => envs.get(e)?.azure && envs.get(e)?.manifests.gitops)) {
      add(['services', svc.name, 'namespace'], svc.namespace, 'a GKE namespace cannot be named azure where the environment also has AKS and GitOps files: generated/<env>/azure/ holds the AKS files');
    }
    for (const k of Object.keys(svc.labels)) {
      if ((RESERVED_LABEL_KEYS as readonly string[]).includes(k)) {
        add(['services', svc.name, 'labels', k], k, `label key "${k}" is set by the product (reserved: ${RESERVED_LABEL_KEYS.join(', ')})`);
      }
    }
    for (const sec of svc.secrets) {
      for (const k of sec.keys) {
        const kDecl = sDecl.secrets[sec.name][k.key];
        (kDecl.environments ?? []).forEach((e, i) => {
          if (!envs.has(e)) add([...k.path, 'environments', i], e, `unknown environment; declared environments: ${[...envs.keys()].join(', ')}`);
          else if (!svc.environments.includes(e)) add([...k.path, 'environments', i], e, `service ${svc.name} is not deployed in environment ${e} (services.${svc.name}.environments)`);
        });
        if (kDecl.property !== undefined && svc.platform === 'azure') {
          for (const e of k.environments) {
            if (envs.get(e)?.azure?.delivery === 'csi') add([...k.path, 'property'], kDecl.property, `environment ${e} delivers with the CSI driver, which mounts a Key Vault secret whole and cannot take a field of it: use delivery externalSecrets there, or one remote secret per value`);
          }
        }
        if (kDecl.version !== undefined) {
          const r = svc.platform === 'gcp' ? RULES.secretVersion : RULES.keyVaultSecretVersion;
          if (!satisfies(r, kDecl.version)) add([...k.path, 'version'], kDecl.version, r.text);
        }
        if (k.source.kind === 'own') {
          if (kDecl.adopt !== undefined && kDecl.remoteName === undefined) {
            add([...k.path, 'adopt'], kDecl.adopt, 'adopt applies only to a key with remoteName (an existing secret id)');
          } else if (kDecl.adopt === true && svc.platform === 'azure') {
            for (const e of k.environments) {
              const az = envs.get(e)?.azure;
              if (az && !(az.layout === 'environmentVault' && az.keyVault.adopt)) {
                add([...k.path, 'adopt'], kDecl.adopt, `environment ${e} has no adopted vault to import the secret from: a vault the product creates holds no secret yet; declare the existing vault as environments.${e}.azure.keyVault: { name, adopt: true }`);
              }
            }
          }
          if (kDecl.remoteName !== undefined) {
            const r = svc.platform === 'gcp' ? RULES.secretManagerId : RULES.keyVaultSecretName;
            if (!satisfies(r, kDecl.remoteName)) add([...k.path, 'remoteName'], kDecl.remoteName, r.text);
          }
          for (const l of Object.keys(k.source.labels)) {
            if ((RESERVED_LABEL_KEYS as readonly string[]).includes(l)) {
              add([...k.path, 'labels', l], l, `label key "${l}" is set by the product (reserved: ${RESERVED_LABEL_KEYS.join(', ')})`);
            }
          }
        } else {
          checkFrom(model, svc, k, kDecl, add);
        }
      }
    }
  }

  checkSharedProjects(model, add);
  checkShardSizes(model, add);
  checkSharedAzure(model, add);
  checkLabelCounts(model, add);
  checkRemoteIds(model, add);
  checkKeyVaultNames(model, add);
  checkIdentities(model, add);
  checkSharedPrincipals(model, add);
  checkSharedNamespaces(model, add);
  checkControllerNamespaces(model, add);
  checkCsiSingleVault(model, add);
  return problems;
}

function checkFrom(
  model: Model,
  svc: ServiceModel,
  k: KeyModel,
  kDecl: KeyDeclaration,
  add: (path: readonly (string | number)[], value: unknown, rule: string) => void,
): void {
  const src = k.source as FromSource;
  const at = [...k.path, 'from'];
  for (const f of ['remoteName', 'adopt', 'labels', 'deletionProtection'] as const) {
    if (kDecl[f] !== undefined) add([...k.path, f], kDecl[f], `${f} cannot be combined with from: the remote secret belongs to ${src.service}`);
  }
  if (src.service === svc.name && src.secret === k.path[3] && src.key === k.key) {
    add(at, kDecl.from, 'from must not name the key itself');
    return;
  }
  const target = findKey(model, src.service, src.secret, src.key);
  if (!target) {
    const service = model.services.find((s) => s.name === src.service);
    const why = !service
      ? `no service named ${src.service}`
      : !service.secrets.find((s) => s.name === src.secret)
        ? `service ${src.service} declares no Kubernetes Secret ${src.secret}`
        : `${src.service}/${src.secret} has no key ${src.key}`;
    add(at, kDecl.from, `from must name a declared key (SERVICE/SECRET/KEY): ${why}`);
    return;
  }
  const targetService = model.services.find((s) => s.name === src.service)!;
  if (targetService.platform !== svc.platform) {
    add(at, kDecl.from, `from must name a key of a service on the same platform: ${svc.name} runs on ${svc.platform}, ${src.service} on ${targetService.platform}`);
    return;
  }
  if (target.source.kind !== 'own') {
    add(at, kDecl.from, `from must name a key that owns its remote secret, not another from (${src.service}/${src.secret}/${src.key} reads ${target.source.service}/${target.source.secret}/${target.source.key})`);
    return;
  }
  for (const env of k.environments) {
    if (!target.environments.includes(env)) {
      add(at, kDecl.from, `${src.service}/${src.secret}/${src.key} does not exist in environment ${env} (it exists in: ${target.environments.join(', ') || 'none'})`);
    }
  }
}

interface Owner {
  readonly env: string;
  readonly service: string;
  readonly key: KeyModel;
}

function checkRemoteIds(model: Model, add: (path: readonly (string | number)[], value: unknown, rule: string) => void): void {
  // Group every owning key by (project, remote id) over all environments: environments that share
  // a project share its namespace of secret ids.
  const groups = new Map<string, Owner[]>();
  const invalid = new Set<string>();
  for (const env of model.environments) {
    if (!env.gcp) continue;
    for (const svc of model.services) {
      if (svc.platform !== 'gcp') continue;
      for (const sec of svc.secrets) {
        for (const k of sec.keys) {
          if (k.source.kind !== 'own' || !k.environments.includes(env.name)) continue;
          const id = remoteIdOf(env.gcp, svc.name, k);
          if (!satisfies(RULES.secretManagerId, id)) {
            // An invalid remoteName is reported where it is declared.
            if (k.source.remoteName !== undefined || invalid.has(k.path.join('/'))) continue;
            invalid.add(k.path.join('/'));
            add(k.path, id, `derived secret id ${id} is not valid: ${RULES.secretManagerId.text}`);
            continue;
          }
          const g = `${env.gcp.project}\u0000${id}`;
          const list = groups.get(g) ?? [];
          list.push({ env: env.name, service: svc.name, key: k });
          groups.set(g, list);
        }
      }
    }
  }
  const reported = new Set<string>();
  for (const [g, owners] of groups) {
    if (owners.length < 2) continue;
    const [project, id] = g.split('\u0000');
    const first = owners[0];
    for (const o of owners.slice(1)) {
      const sameEnv = o.env === first.env;
      const sharedExplicit =
        sameEnv &&
        o.service === first.service &&
        o.key.source.kind === 'own' &&
        first.key.source.kind === 'own' &&
        o.key.source.remoteName !== undefined &&
        o.key.source.remoteName === first.key.source.remoteName &&
        o.key.source.adopt === first.key.source.adopt &&
        JSON.stringify(o.key.source.labels) === JSON.stringify(first.key.source.labels) &&
        o.key.source.deletionProtection === first.key.source.deletionProtection;
      if (sharedExplicit) continue; // one remote secret delivered into several Kubernetes Secrets of its service
      const where = o.key.source.kind === 'own' && o.key.source.remoteName ? [...o.key.path, 'remoteName'] : o.key.path;
      const tag = `${where.join('/')}`;
      if (reported.has(tag)) continue;
      reported.add(tag);
      const explicit = o.key.source.kind === 'own' && o.key.source.remoteName !== undefined;
      const rule = sameEnv
        ? o.service === first.service && explicit
          ? `secret id ${id} is also declared at ${first.key.path.join('.')} with different settings (adopt, labels, deletionProtection); declare them alike`
          : o.service === first.service
            ? `maps to secret id ${id} in project ${project}, which ${first.key.path.join('.')} already maps to; give one of them its own remoteName if they hold different values, or read the other with from: ${first.service}/${first.key.path[3]}/${first.key.key} if they hold the same`
            : `maps to secret id ${id} in project ${project}, which ${first.key.path.join('.')} already maps to; two keys cannot share a remote secret (read the other one with from: ${first.service}/${first.key.path[3]}/${first.key.key})`
        : explicit
          ? `maps to secret id ${id} in project ${project} in environments ${first.env} and ${o.env}, which share that project; a remoteName is not prefixed, so give each environment's key its own remoteName`
          : `maps to secret id ${id} in project ${project} in environments ${first.env} and ${o.env}, which share that project; set gcp.secretIdPrefix in one of them`;
      add(where, id, rule);
    }
  }
}

function checkIdentities(model: Model, add: (path: readonly (string | number)[], value: unknown, rule: string) => void): void {
  // Conflicts are found per environment and reported once, naming every environment they occur in.
  const conflicts = new Map<string, { path: string[]; value: string; rule: (envs: string) => string; envs: string[] }>();
  const note = (path: string[], value: string, rule: (envs: string) => string, env: string) => {
    const id = JSON.stringify([path, rule('')]);
    const c = conflicts.get(id) ?? { path, value, rule, envs: [] };
    c.envs.push(env);
    conflicts.set(id, c);
  };
  for (const [env, platform] of model.environments.flatMap((e) => (['gcp', 'azure'] as const).map((p) => [e, p] as const))) {
    // GKE and AKS clusters are different clusters: identities only conflict on the same platform.
    const here = model.services.filter((s) => s.platform === platform && s.environments.includes(env.name));
    const accounts = new Map<string, ServiceModel>();
    const secretNames = new Map<string, ServiceModel>();
    for (const s of here) {
      const sa = `${s.namespace}/${s.serviceAccount}`;
      const other = accounts.get(sa);
      if (other) {
        note(['services', s.name, 'serviceAccount'], s.serviceAccount, (envs) => `service account ${sa} is also the identity of service ${other.name} in environment ${envs}; each service needs its own, or one could read the other's secrets`, env.name);
      } else accounts.set(sa, s);
      for (const sec of s.secrets) {
        if (!sec.keys.some((k) => k.environments.includes(env.name))) continue;
        const n = `${s.namespace}/${sec.name}`;
        const o = secretNames.get(n);
        if (o && o !== s) {
          note(['services', s.name, 'secrets', sec.name], sec.name, (envs) => `Kubernetes Secret ${n} is also produced by service ${o.name} in environment ${envs}`, env.name);
        } else secretNames.set(n, s);
      }
    }
  }
  for (const c of conflicts.values()) add(c.path, c.value, c.rule(c.envs.join(', ')));
}

function checkAzureEnvironment(decl: Declaration, env: EnvironmentModel, add: (path: readonly (string | number)[], value: unknown, rule: string) => void): void {
  const a = env.azure!;
  const at = ['environments', env.name, 'azure'];
  if (a.identity === 'aksAddonIdentity' && (a.delivery !== 'csi' || a.csiDriver.install !== 'aksAddon')) {
    add([...at, 'identity'], a.identity, 'aksAddonIdentity is the identity of the AKS key vault secrets provider add-on: it needs delivery csi and csiDriver.install aksAddon');
  }
  if (a.keyVault.name !== undefined && a.keyVault.name !== a.keyVault.declaredName && !satisfies(RULES.keyVaultName, a.keyVault.name)) {
    add([...at, 'keyVault', 'name'], a.keyVault.declaredName, `with uniqueSuffix the name becomes ${a.keyVault.name}: ${RULES.keyVaultName.text}; shorten it to at most 19 characters`);
  }
  const aDecl = decl.environments[env.name].azure!;
  if (aDecl.csiDriver !== undefined && a.delivery !== 'csi') {
    add([...at, 'csiDriver'], aDecl.csiDriver, 'csiDriver applies to delivery csi only; this environment delivers with externalSecrets');
  }
  if (aDecl.externalSecrets !== undefined && a.delivery !== 'externalSecrets') {
    add([...at, 'externalSecrets'], aDecl.externalSecrets, 'externalSecrets applies to delivery externalSecrets only; this environment delivers with csi');
  }
  if (a.identity === 'workloadIdentity' && a.clusters.length > MAX_FEDERATED_CREDENTIALS) {
    add([...at, 'clusters'], a.clusters.length, `a managed identity holds at most ${MAX_FEDERATED_CREDENTIALS} federated credentials, one per cluster: split the environment`);
  }
  const seen = new Map<string, number>();
  decl.environments[env.name].azure!.clusters.forEach((c, i) => {
    if (seen.has(c.name.toLowerCase())) add([...at, 'clusters', i, 'name'], c.name, `cluster names must be unique within an environment (also at clusters[${seen.get(c.name.toLowerCase())}])`);
    else seen.set(c.name.toLowerCase(), i);
  });
}

function checkKeyVaultNames(model: Model, add: (path: readonly (string | number)[], value: unknown, rule: string) => void): void {
  // Vault names are global: no two environments or services may have the same one.
  const vaults = new Map<string, string>();
  const claim = (name: string, owner: string, path: readonly (string | number)[], value: unknown) => {
    const other = vaults.get(name.toLowerCase());
    if (other) add(path, value, `Key Vault ${name} would also be the vault of ${other}; vault names are globally unique`);
    else vaults.set(name.toLowerCase(), owner);
  };
  for (const env of model.environments) {
    const a = env.azure;
    if (!a) continue;
    if (a.layout === 'environmentVault') {
      if (a.keyVault.name !== undefined) claim(a.keyVault.name, `environment ${env.name}`, ['environments', env.name, 'azure', 'keyVault', 'name'], a.keyVault.declaredName);
      continue;
    }
    for (const svc of model.services) {
      if (svc.platform !== 'azure' || !svc.environments.includes(env.name)) continue;
      claim(keyVaultOf(env, svc.name), `service ${svc.name} in environment ${env.name}`, ['services', svc.name], svc.name);
    }
  }
  // Secret names within one vault compare without case.
  const reported = new Set<string>();
  for (const env of model.environments) {
    if (!env.azure) continue;
    const owners = new Map<string, { service: string; key: KeyModel }>();
    for (const svc of model.services) {
      if (svc.platform !== 'azure') continue;
      for (const sec of svc.secrets) {
        for (const k of sec.keys) {
          if (k.source.kind !== 'own' || !k.environments.includes(env.name)) continue;
          const name = keyVaultSecretNameOf(svc.name, k);
          const where = k.source.remoteName !== undefined ? [...k.path, 'remoteName'] : k.path;
          if (!satisfies(RULES.keyVaultSecretName, name)) {
            if (k.source.remoteName === undefined && !reported.has(where.join('/'))) {
              reported.add(where.join('/'));
              add(where, name, `derived Key Vault secret name ${name} is not valid: ${RULES.keyVaultSecretName.text}`);
            }
            continue;
          }
          const first = owners.get(name.toLowerCase());
          if (!first) {
            owners.set(name.toLowerCase(), { service: svc.name, key: k });
            continue;
          }
          const shared =
            first.service === svc.name &&
            first.key.source.kind === 'own' &&
            k.source.remoteName !== undefined &&
            first.key.source.remoteName === k.source.remoteName &&
            JSON.stringify(first.key.source.labels) === JSON.stringify(k.source.labels);
          if (shared || reported.has(where.join('/'))) continue;
          reported.add(where.join('/'));
          add(
            where,
            name,
            `maps to Key Vault secret ${name} in environment ${env.name}, which ${first.key.path.join('.')} already maps to (names compare without case, and are unique in an environment whatever the vault layout); two keys cannot share a remote secret (read the other one with from: ${first.service}/${first.key.path[3]}/${first.key.key})`,
          );
        }
      }
    }
  }
}

function checkSharedProjects(model: Model, add: (path: readonly (string | number)[], value: unknown, rule: string) => void): void {
  // Environments may share a project (with secretIdPrefix), but not its number, nor a cluster:
  // two stacks would manage the same controller install and the same objects.
  const projects = new Map<string, { env: string; number: string; clusters: Map<string, number> }>();
  for (const env of model.environments) {
    if (!env.gcp) continue;
    const first = projects.get(env.gcp.project);
    if (!first) {
      projects.set(env.gcp.project, { env: env.name, number: env.gcp.projectNumber, clusters: new Map(env.gcp.clusters.map((c, i) => [`${c.location}/${c.name}`, i])) });
      continue;
    }
    if (first.number !== env.gcp.projectNumber) {
      add(['environments', env.name, 'gcp', 'projectNumber'], env.gcp.projectNumber, `project ${env.gcp.project} has number ${first.number} in environment ${first.env}; a project has one number`);
    }
    env.gcp.clusters.forEach((c) => {
      if (first.clusters.has(`${c.location}/${c.name}`)) {
        add(['environments', env.name, 'gcp', 'clusters'], c.name, `cluster ${c.name} (${c.location}) of project ${env.gcp!.project} is also a cluster of environment ${first.env}; a cluster belongs to one environment`);
      }
    });
  }
}

function checkSharedAzure(model: Model, add: (path: readonly (string | number)[], value: unknown, rule: string) => void): void {
  // A cluster belongs to one environment, and identity names are unique in a resource group.
  const clusters = new Map<string, string>();
  const identities = new Map<string, string>();
  for (const env of model.environments) {
    const a = env.azure;
    if (!a) continue;
    a.clusters.forEach((c) => {
      const id = `${a.subscriptionId}/${c.resourceGroup.toLowerCase()}/${c.name.toLowerCase()}`;
      const other = clusters.get(id);
      if (other && other !== env.name) add(['environments', env.name, 'azure', 'clusters'], c.name, `cluster ${c.name} (${c.resourceGroup}) is also a cluster of environment ${other}; a cluster belongs to one environment`);
      else clusters.set(id, env.name);
    });
    if (a.identity !== 'workloadIdentity') continue;
    for (const s of model.services) {
      if (s.platform !== 'azure' || !s.environments.includes(env.name)) continue;
      const name = managedIdentityName(env.name, s.name);
      const id = `${a.subscriptionId}/${a.resourceGroup.toLowerCase()}/${name.toLowerCase()}`;
      const other = identities.get(id);
      if (other && other !== `${env.name}/${s.name}`) {
        add(['services', s.name], s.name, `its managed identity in environment ${env.name} would be named ${name}, like the one of ${other.replace('/', ' service ')} in the same resource group; rename the service or use another resource group`);
      } else identities.set(id, `${env.name}/${s.name}`);
    }
  }
}

function checkLabelCounts(model: Model, add: (path: readonly (string | number)[], value: unknown, rule: string) => void): void {
  for (const env of model.environments) {
    for (const s of model.services) {
      if (!s.environments.includes(env.name)) continue;
      const cloudLabels = s.platform === 'gcp' ? env.gcp?.labels : env.azure?.labels;
      const max = s.platform === 'gcp' ? MAX_GCP_LABELS : MAX_KEY_VAULT_TAGS;
      // What every key of the service carries here; a key's own labels add to it.
      const base = new Set([...Object.keys(cloudLabels ?? {}), ...Object.keys(s.labels), ...RESERVED_LABEL_KEYS]);
      for (const sec of s.secrets) {
        for (const k of sec.keys) {
          if (k.source.kind !== 'own' || !k.environments.includes(env.name)) continue;
          const own = Object.keys(k.source.labels);
          const count = own.length === 0 ? base.size : new Set([...base, ...own]).size;
          if (count > max) add(k.path, count, `its secret would carry ${count} ${s.platform === 'gcp' ? 'labels' : 'tags'} in environment ${env.name} (with managed-by, service, environment); at most ${max} are allowed`);
        }
      }
    }
  }
}

function checkShardSizes(model: Model, add: (path: readonly (string | number)[], value: unknown, rule: string) => void): void {
  for (const s of model.services) {
    if (s.shard !== undefined && (s.shard === 'manifests' || s.shard.endsWith('-manifests'))) {
      add(['services', s.name, 'shard'], s.shard, 'a shard name may not be or end with manifests: that names the manifests stacks');
    }
  }
  // Every stack name is unique across environments (environment and shard names both use hyphens).
  const stacks = new Map<string, string>();
  for (const env of model.environments) {
    for (const cloud of ['gcp', 'azure'] as const) {
      if (!env[cloud]) continue;
      const names = [`${env.name}-${cloud}`, ...[...new Set(Object.values(env.shards ?? {}))].map((sh) => `${env.name}-${cloud}-${sh}`)];
      for (const n of names) {
        for (const stack of [n, `${n}-manifests`]) {
          const other = stacks.get(stack);
          if (other && other !== env.name) add(['environments', env.name], env.name, `its stack ${stack} would have the name of a stack of environment ${other}; rename the environment or the shard`);
          stacks.set(stack, env.name);
        }
      }
    }
  }
  for (const env of model.environments) {
    if (!env.shards) continue;
    const owned = new Map<string, number>();
    for (const s of model.services) {
      const shard = env.shards[s.name];
      if (!shard) continue;
      const n = s.secrets.reduce((sum, sec) => sum + sec.keys.filter((k) => k.source.kind === 'own' && k.environments.includes(env.name)).length, 0);
      owned.set(shard, (owned.get(shard) ?? 0) + n);
    }
    for (const [shard, n] of [...owned].sort()) {
      if (n > env.maxSecretsPerShard) {
        add(['environments', env.name, 'sharding'], n, `shard ${shard} would own ${n} remote secrets, more than maxSecretsPerShard (${env.maxSecretsPerShard}): raise shards, or give some services an explicit shard`);
      }
    }
  }
}
