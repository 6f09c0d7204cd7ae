/**
 * The plan of one environment on Google Cloud: plain data, keyed by stable names, from which the
 * constructs and the YAML are rendered. No cdktf here.
 */
import { formatPath } from '../declaration/problem';
import {
  MANAGED_BY,
  googleServiceAccountId,
  secretStoreName,
  workloadIdentityPrincipal,
  workloadIdentityUserMember,
} from '../declaration/naming';
import { remoteIdOf, remoteOf, type EnvironmentModel, type GcpModel, type IdentityMode, type Model, type GkeClusterModel } from '../declaration/model';
import {
  externalSecretObject,
  gcpSecretStoreObject,
  namespaceObject,
  serviceAccountObject,
  sortObjects,
  type ExternalSecretEntry,
  type KubernetesObject,
} from '../kubernetes/objects';
import { externalSecretsValues, EXTERNAL_SECRETS_CHART, EXTERNAL_SECRETS_REPOSITORY } from './external-secrets-values';
import { admissionGuardPlan } from './admission-guard-plan';
import { monitoringPlan } from './monitoring-plan';
import type { MonitoringSet } from '../kubernetes/monitoring-flavors';
import { EXTERNAL_SECRETS_CRDS, existingObjectKeys, type CrdRequirement } from './existing';

/** A Secret Manager secret the environment owns. Keyed by its secret id. */
export interface GcpSecretPlan {
  readonly secretId: string;
  /** Service that owns it. */
  readonly service: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Imported (it exists already) rather than created. */
  readonly adopt: boolean;
  /** Secret Manager deletion protection. */
  readonly deletionProtection: boolean;
  /** Declaration path of the owning key (the first one, when a service delivers it twice). */
  readonly declaredAt: string;
}

/** One `roles/secretmanager.secretAccessor` grant on one secret for one principal. Keyed `service/secretId`. */
export interface GcpGrantPlan {
  readonly secretId: string;
  /** Service whose identity reads the secret. */
  readonly service: string;
  readonly member: string;
  /** True when the reader is not the owner: the grant exists because of a declared `from`. */
  readonly crossService: boolean;
  /** Declaration path of the (first) key that reads it. */
  readonly declaredAt: string;
  /** The grant exists (the service's existing.accessGrants): imported, not created. */
  readonly adopt: boolean;
}

/** Identity of a service in the environment. Keyed by service. */
export interface GcpIdentityPlan {
  readonly service: string;
  readonly namespace: string;
  readonly kubernetesServiceAccount: string;
  /** IAM member that the grants name. */
  readonly member: string;
  /** googleServiceAccount mode: the Google service account to create. */
  readonly googleServiceAccount?: {
    readonly accountId: string;
    readonly email: string;
    /** Member bound with roles/iam.workloadIdentityUser on it. */
    readonly workloadIdentityUser: string;
    /** It exists, with that binding (the service's existing.googleServiceAccount): imported. */
    readonly adopt: boolean;
  };
}

export interface ControllerPlan {
  readonly repository: string;
  readonly chart: string;
  readonly version: string;
  readonly namespace: string;
  readonly values: Readonly<Record<string, unknown>>;
}

export interface GcpEnvironmentPlan {
  readonly environment: string;
  readonly project: string;
  readonly projectNumber: string;
  readonly identityMode: IdentityMode;
  readonly replicaLocations: readonly string[];
  readonly deletionProtection: boolean;
  readonly stateBucket?: { readonly bucket: string; readonly prefix: string };
  readonly clusters: readonly GkeClusterModel[];
  readonly secrets: Readonly<Record<string, GcpSecretPlan>>;
  readonly grants: Readonly<Record<string, GcpGrantPlan>>;
  readonly identities: Readonly<Record<string, GcpIdentityPlan>>;
  /** External Secrets Operator, when the product installs it. */
  readonly controller?: ControllerPlan;
  /** CRDs every cluster must serve, checked at plan time, when the controller was installed by others. */
  readonly requiredCrds: readonly CrdRequirement[];
  /** Every Kubernetes object of the environment, dependencies first. */
  readonly objects: readonly KubernetesObject[];
  /** Keys of the objects that exist: imported by the Terraform-managed manifests. */
  readonly existingObjects: readonly string[];
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

function identityOf(gcp: GcpModel, service: string, namespace: string, ksa: string, existingAccount?: string): GcpIdentityPlan {
  if (gcp.identity === 'googleServiceAccount') {
    const accountId = existingAccount ?? googleServiceAccountId(service);
    const email = `${accountId}@${gcp.project}.iam.gserviceaccount.com`;
    return {
      service,
      namespace,
      kubernetesServiceAccount: ksa,
      member: `serviceAccount:${email}`,
      googleServiceAccount: { accountId, email, workloadIdentityUser: workloadIdentityUserMember(gcp.project, namespace, ksa), adopt: existingAccount !== undefined },
    };
  }
  return {
    service,
    namespace,
    kubernetesServiceAccount: ksa,
    member: workloadIdentityPrincipal(gcp.projectNumber, gcp.project, namespace, ksa),
  };
}

/** Builds the Google Cloud plan of one environment. */
export function planGcpEnvironment(model: Model, env: EnvironmentModel): GcpEnvironmentPlan {
  const gcp = env.gcp;
  if (!gcp) throw new Error(`environment ${env.name} has no gcp section`);
  const secrets = new Map<string, GcpSecretPlan>();
  const grants = new Map<string, GcpGrantPlan>();
  const identities = new Map<string, GcpIdentityPlan>();
  const objects: KubernetesObject[] = [];
  const namespaces = new Set<string>();
  const existingObjects: string[] = [];

  for (const svc of model.services) {
    if (svc.platform !== 'gcp' || !svc.environments.includes(env.name)) continue;
    const identity = identityOf(gcp, svc.name, svc.namespace, svc.serviceAccount, svc.existing.googleServiceAccount);
    const externalSecrets: KubernetesObject[] = [];

    for (const sec of svc.secrets) {
      const data: ExternalSecretEntry[] = [];
      for (const k of sec.keys) {
        if (!k.environments.includes(env.name)) continue;
        const { name: secretId, owner } = remoteOf(model, svc.name, k, (o, key) => remoteIdOf(gcp, o, key));
        if (k.source.kind === 'own' && !secrets.has(secretId)) {
          secrets.set(secretId, {
            secretId,
            service: svc.name,
            adopt: k.source.adopt,
            deletionProtection: k.source.deletionProtection ?? gcp.deletionProtection,
            declaredAt: formatPath(k.path),
            labels: { ...gcp.labels, ...svc.labels, ...k.source.labels, 'managed-by': MANAGED_BY, service: svc.name, environment: env.name },
          });
        }
        const grantKey = `${svc.name}/${secretId}`;
        if (!grants.has(grantKey)) grants.set(grantKey, { secretId, service: svc.name, member: identity.member, crossService: owner !== svc.name, declaredAt: formatPath(k.path), adopt: svc.existing.accessGrants });
        data.push({ secretKey: k.key, remoteKey: secretId, version: k.version, property: k.property });
      }
      if (data.length === 0) continue;
      externalSecrets.push(
        externalSecretObject({
          name: sec.name,
          namespace: svc.namespace,
          service: svc.name,
          storeName: secretStoreName(svc.name),
          refreshInterval: env.refreshInterval,
          data,
        }),
      );
    }
    if (externalSecrets.length === 0) continue; // nothing to read here: no identity, no store

    identities.set(svc.name, identity);
    if (svc.createNamespace && !namespaces.has(svc.namespace)) {
      namespaces.add(svc.namespace);
      objects.push(namespaceObject(svc.namespace));
    }
    objects.push(
      serviceAccountObject({
        name: svc.serviceAccount,
        namespace: svc.namespace,
        service: svc.name,
        googleServiceAccountEmail: identity.googleServiceAccount?.email,
      }),
      gcpSecretStoreObject({
        name: secretStoreName(svc.name),
        namespace: svc.namespace,
        service: svc.name,
        projectId: gcp.project,
        serviceAccount: svc.serviceAccount,
      }),
      ...externalSecrets,
    );
    existingObjects.push(...existingObjectKeys(svc, objects));
  }

  // A grant can exist only on a secret that exists: the reader's accessGrants import the grants on
  // adopted secrets, and a new secret's grants are created.
  for (const [key, g] of grants) if (g.adopt && !secrets.get(g.secretId)?.adopt) grants.set(key, { ...g, adopt: false });
  const installed = gcp.externalSecrets.install === 'helm';
  return {
    environment: env.name,
    project: gcp.project,
    projectNumber: gcp.projectNumber,
    identityMode: gcp.identity,
    replicaLocations: gcp.replicaLocations,
    deletionProtection: gcp.deletionProtection,
    stateBucket: gcp.stateBucket,
    clusters: gcp.clusters,
    secrets: sortRecord([...secrets]),
    grants: sortRecord([...grants]),
    identities: sortRecord([...identities]),
    controller: installed
      ? {
          repository: EXTERNAL_SECRETS_REPOSITORY,
          chart: EXTERNAL_SECRETS_CHART,
          version: gcp.externalSecrets.chartVersion,
          namespace: gcp.externalSecrets.namespace,
          values: externalSecretsValues(),
        }
      : undefined,
    requiredCrds: installed ? [] : EXTERNAL_SECRETS_CRDS,
    existingObjects: [...new Set(existingObjects)].sort(),
    objects: sortObjects([
      ...objects,
      ...admissionGuardPlan(env, objects, gcp.externalSecrets.namespace),
    ]),
    monitoring: monitoringPlan(env.monitoring, { kind: 'externalSecrets', namespace: gcp.externalSecrets.namespace, releaseName: 'external-secrets' }, env.monitoring?.stack.gcp ?? 'prometheusOperator'),
    manifestModes: env.manifests,
    movedBlocks: env.movedBlocks,
  };
}
