import { GcsBackend, LocalBackend, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { DataGoogleClientConfig } from '@cdktf/provider-google/lib/data-google-client-config';
import type { GcpEnvironmentPlan } from '../lib/plan/gcp-plan';
import { SecretManagerSecrets } from '../lib/gcp/secret-manager-secrets';
import { WorkloadServiceAccounts } from '../lib/gcp/workload-service-accounts';
import { GkeClusterAccess } from '../lib/gcp/gke-cluster-access';
import { ControllerRelease } from '../lib/kubernetes/controller-release';

/**
 * Backend of a stack: GCS when the environment names a bucket; otherwise local state in the
 * project folder (`terraform.<stack>.tfstate`, outside cdktf.out/, which every synthesis replaces),
 * written as a relative path so that the output is the same on every machine.
 */
export function configureBackend(stack: TerraformStack, plan: GcpEnvironmentPlan, stackName: string): void {
  if (plan.stateBucket) new GcsBackend(stack, { bucket: plan.stateBucket.bucket, prefix: `${plan.stateBucket.prefix}/${stackName}` });
  else new LocalBackend(stack, { path: `../../../terraform.${stackName}.tfstate` });
}

/**
 * First deploy phase of an environment on Google Cloud: the Secret Manager secrets, each service's
 * identity and its per-secret read grants, and External Secrets Operator (with its CRDs) in every
 * cluster. The manifests stack depends on it.
 */
export class GcpEnvironmentStack extends TerraformStack {
  public readonly secrets: SecretManagerSecrets;
  public readonly serviceAccounts?: WorkloadServiceAccounts;
  public readonly controllers: ControllerRelease[] = [];

  constructor(scope: Construct, id: string, plan: GcpEnvironmentPlan) {
    super(scope, id);
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
          .map((i) => ({ key: i.service, accountId: i.googleServiceAccount!.accountId, workloadIdentityUser: i.googleServiceAccount!.workloadIdentityUser })),
      });
    }

    this.secrets = new SecretManagerSecrets(this, 'Secrets', {
      project: plan.project,
      replicaLocations: plan.replicaLocations,
      deletionProtection: plan.deletionProtection,
      secrets: plan.secrets,
      grantsAfter: this.serviceAccounts ? [this.serviceAccounts.resource] : [],
    });
    for (const [key, g] of Object.entries(plan.grants)) this.secrets.grantRead(g.secretId, g.member, key);

    const clientConfig = new DataGoogleClientConfig(this, 'ClientConfig');
    clientConfig.overrideLogicalId('current');
    for (const c of plan.clusters) {
      const access = new GkeClusterAccess(this, `Cluster-${c.name}`, { project: plan.project, name: c.name, location: c.location, clientConfig });
      this.controllers.push(
        new ControllerRelease(this, `ExternalSecrets-${c.name}`, {
          provider: access.helm(),
          name: 'external-secrets',
          ...plan.controller,
          resourceName: `external_secrets_${c.name}`,
        }),
      );
    }
  }
}
