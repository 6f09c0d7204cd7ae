import { fixedName } from '../lib/terraform/address-claims';
import { GcsBackend, LocalBackend, TerraformStack } from 'cdktf';
import { configureStack } from './configure-stack';
import type { Construct } from 'constructs';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { DataGoogleClientConfig } from '@cdktf/provider-google/lib/data-google-client-config';
import type { GcpEnvironmentPlan } from '../lib/plan/gcp-plan';
import { SecretManagerSecrets } from '../lib/gcp/secret-manager-secrets';
import { WorkloadServiceAccounts } from '../lib/gcp/workload-service-accounts';
import { GkeClusterAccess } from '../lib/gcp/gke-cluster-access';
import { ControllerRelease } from '../lib/kubernetes/controller-release';
import { ServedCrds } from '../lib/kubernetes/served-crds';
import { backendOf } from './backend';

/**
 * Backend of a stack: GCS when the environment names a bucket; otherwise local state in the
 * project folder (`terraform.<stack>.tfstate`, outside cdktf.out/, which every synthesis replaces),
 * written as a relative path so that the output is the same on every machine.
 */
export function configureBackend(stack: TerraformStack, plan: GcpEnvironmentPlan, stackName: string): void {
  const own = backendOf(stack);
  if (own) return own(stack, stackName);
  if (plan.stateBucket) new GcsBackend(stack, { bucket: plan.stateBucket.bucket, prefix: `${plan.stateBucket.prefix}/${stackName}` });
  else new LocalBackend(stack, { path: `../../../terraform.${stackName}.tfstate` });
}

/**
 * The plan's Secret Manager secrets and their grants, in one stack. Each grant waits for its
 * secret and, in the older pattern, for the Google service account it names when that account is
 * in the same stack.
 */
export function declareSecrets(stack: TerraformStack, plan: GcpEnvironmentPlan, accounts?: WorkloadServiceAccounts): SecretManagerSecrets {
  const secrets = new SecretManagerSecrets(stack, 'Secrets', {
    project: plan.project,
    replicaLocations: plan.replicaLocations,
    deletionProtection: plan.deletionProtection,
    secrets: Object.values(plan.secrets),
  });
  for (const [key, g] of Object.entries(plan.grants)) secrets.grantRead(g.secretId, g.member, { key, after: accounts ? [accounts.addressOf(g.service)] : [], adopt: g.adopt });
  return secrets;
}

/**
 * One shard of a sharded environment on Google Cloud: the secrets its services own and every
 * grant on them. Deployed after the environment's base stack, alone, with its own state.
 */
export class GcpShardStack extends TerraformStack {
  public readonly secrets: SecretManagerSecrets;

  constructor(scope: Construct, id: string, plan: GcpEnvironmentPlan) {
    super(scope, id);
    configureStack(this, plan);
    // Import blocks need Terraform 1.5.
    this.addOverride('terraform.required_version', '>= 1.5.0');
    configureBackend(this, plan, id);
    new GoogleProvider(this, 'google', { project: plan.project });
    this.secrets = declareSecrets(this, plan);
  }
}

/**
 * First deploy phase of an environment on Google Cloud: the Secret Manager secrets, each service's
 * identity and its per-secret read grants, and External Secrets Operator (with its CRDs) in every
 * cluster. The manifests stack depends on it.
 */
export interface GcpEnvironmentStackOptions {
  /**
   * Declare the secrets and their grants here. Off for the base stack of a sharded environment,
   * whose shards hold them.
   * @default true
   */
  readonly secrets?: boolean;
}

export class GcpEnvironmentStack extends TerraformStack {
  public readonly secrets?: SecretManagerSecrets;
  public readonly serviceAccounts?: WorkloadServiceAccounts;
  public readonly controllers: ControllerRelease[] = [];

  constructor(scope: Construct, id: string, plan: GcpEnvironmentPlan, options: GcpEnvironmentStackOptions = {}) {
    super(scope, id);
    configureStack(this, plan);
    // Import blocks need Terraform 1.5.
    this.addOverride('terraform.required_version', '>= 1.5.0');
    configureBackend(this, plan, id);
    new GoogleProvider(this, 'google', { project: plan.project });

    const identities = Object.values(plan.identities);
    if (plan.identityMode === 'googleServiceAccount') {
      this.serviceAccounts = new WorkloadServiceAccounts(this, 'ServiceAccounts', {
        project: plan.project,
        accounts: identities
          .filter((i) => i.googleServiceAccount)
          .map((i) => ({ key: i.service, accountId: i.googleServiceAccount!.accountId, workloadIdentityUser: i.googleServiceAccount!.workloadIdentityUser, adopt: i.googleServiceAccount!.adopt })),
      });
    }

    if (options.secrets ?? true) {
      this.secrets = declareSecrets(this, plan, this.serviceAccounts);
    }

    const clientConfig = new DataGoogleClientConfig(this, 'ClientConfig');
    fixedName(clientConfig, 'current', 'data');
    for (const c of plan.clusters) {
      const access = new GkeClusterAccess(this, `Cluster-${c.name}`, { project: plan.project, name: c.name, location: c.location, clientConfig });
      if (plan.controller) {
        this.controllers.push(
          new ControllerRelease(this, `ExternalSecrets-${c.name}`, {
            provider: access.helm(),
            name: 'external-secrets',
            ...plan.controller,
            resourceName: `external_secrets_${c.name}`,
          }),
        );
      } else if (plan.requiredCrds.length > 0) {
        new ServedCrds(this, `ServedCrds-${c.name}`, { provider: access.kubernetes(), resourceName: `served_crds_${c.name}`, cluster: c.name, crds: plan.requiredCrds, installedBy: 'others (externalSecrets.install: existing)' });
      }
    }
  }
}
