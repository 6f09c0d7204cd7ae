import { Aspects, type App, type TerraformStack } from 'cdktf';
import { useBackend, type BackendFactory } from './backend';
import type { EnvironmentModel, Model } from '../lib/declaration/model';
import { planGcpEnvironment, type GcpEnvironmentPlan } from '../lib/plan/gcp-plan';
import { planAzureEnvironment, type AzureEnvironmentPlan } from '../lib/plan/azure-plan';
import { splitAzurePlan, splitGcpPlan, type Shard } from '../lib/plan/shards';
import { renderGitOps, renderGitOpsPerCluster } from '../lib/kubernetes/gitops-yaml';
import { PolicyAspect, type PolicyReport } from '../lib/policy/policy-aspect';
import { azureFacts, gcpFacts, shardFacts } from '../lib/policy/facts';
import type { EnvironmentFacts } from '../lib/policy/types';
import { GcpEnvironmentStack, GcpShardStack } from './gcp-environment-stack';
import { GcpManifestsStack } from './gcp-manifests-stack';
import { AzureEnvironmentStack, AzureShardStack } from './azure-environment-stack';
import { AzureMonitoringStack } from './azure-monitoring-stack';
import { AzureManifestsStack } from './azure-manifests-stack';

export interface EnvironmentOutput {
  readonly environment: string;
  readonly gcp?: GcpEnvironmentPlan;
  readonly azure?: AzureEnvironmentPlan;
  readonly stacks: TerraformStack[];
  /**
   * Renders the GitOps files, relative to generated/<environment>/ (path -> content): the GKE
   * manifests at its root, the AKS manifests under azure/. Absent when the environment writes none.
   */
  readonly gitops?: () => Record<string, string>;
}

export interface BuildOptions {
  /** Collects the rule pack's findings on every stack. @default - no policy checks */
  readonly policy?: PolicyReport;
  /**
   * The backend of every stack (see useBackend). @default - the declaration's state bucket or
   * container, or else local state beside the output folder
   */
  readonly backend?: BackendFactory;
}

/**
 * The shards whose grants a shard's services need: their own, and the owners' of every key they
 * read with `from` in the environment. Sorted.
 */
function readShards(model: Model, environment: string, shard: string, shardOf: Readonly<Record<string, string>>): string[] {
  const out = new Set<string>([shard]);
  for (const s of model.services) {
    if (shardOf[s.name] !== shard) continue;
    for (const sec of s.secrets) {
      for (const k of sec.keys) {
        if (k.source.kind === 'from' && k.environments.includes(environment) && shardOf[k.source.service]) out.add(shardOf[k.source.service]);
      }
    }
  }
  return [...out].sort();
}

/** How one cloud lays out its stacks; the same layout serves both clouds. */
interface CloudLayout<P> {
  readonly cloud: 'gcp' | 'azure';
  readonly plan: P;
  split(plan: P, shardOf: Readonly<Record<string, string>>): { base: P; shards: Shard<P>[] };
  environmentStack(id: string, plan: P, options: { secrets: boolean }): TerraformStack;
  shardStack(id: string, plan: P): TerraformStack;
  manifestsStack(id: string, plan: P): TerraformStack;
  /** The plan of the base manifests stack of a sharded environment (namespaces, the guard). */
  baseManifests(base: P): P;
  /** The environment's monitoring stack, when it has one in this mode. */
  monitoringStack(id: string, plan: P): TerraformStack | undefined;
  facts(plan: P, shard: boolean): EnvironmentFacts;
}

/**
 * The stacks of one cloud of an environment, in deploy order: `<env>-<cloud>` (secrets, access,
 * controllers), then its manifests. A sharded environment's base stack keeps what every shard
 * needs, and each shard gets a stack for its secrets and one for its manifests.
 */
function addCloud<P extends GcpEnvironmentPlan | AzureEnvironmentPlan>(
  model: Model,
  env: EnvironmentModel,
  layout: CloudLayout<P>,
  guard: (stack: TerraformStack, facts?: EnvironmentFacts) => void,
): TerraformStack[] {
  const prefix = `${env.name}-${layout.cloud}`;
  const shardOf = env.shards
    ? Object.fromEntries(Object.entries(env.shards).filter(([s]) => model.services.find((x) => x.name === s)?.platform === layout.cloud))
    : undefined;
  const { base, shards }: { base: P; shards: Shard<P>[] } = shardOf ? layout.split(layout.plan, shardOf) : { base: layout.plan, shards: [] };
  const stacks: TerraformStack[] = [];
  const cloud = layout.environmentStack(prefix, base, { secrets: !shardOf });
  guard(cloud, layout.facts(base, false));
  stacks.push(cloud);
  const shardStacks = new Map<string, TerraformStack>();
  for (const shard of shards) {
    const stack = layout.shardStack(`${prefix}-${shard.name}`, shard.plan);
    stack.addDependency(cloud);
    guard(stack, shardFacts(layout.facts(shard.plan, true), layout.plan, shard.plan));
    shardStacks.set(shard.name, stack);
    stacks.push(stack);
  }
  // Monitoring apart from the secrets: a cluster without the monitoring CRDs still gets its secrets.
  const monitoring = layout.monitoringStack(`${prefix}-monitoring`, base);
  if (monitoring) {
    monitoring.addDependency(cloud);
    guard(monitoring);
  }
  if (!env.manifests.terraform) return monitoring ? [...stacks, monitoring] : stacks;
  const manifests = layout.manifestsStack(`${prefix}-manifests`, shardOf ? layout.baseManifests(base) : base);
  manifests.addDependency(cloud);
  guard(manifests);
  stacks.push(manifests);
  for (const shard of shards) {
    const stack = layout.manifestsStack(`${prefix}-${shard.name}-manifests`, shard.plan);
    stack.addDependency(manifests);
    // Its services' ExternalSecrets read secrets granted in the owners' shards too (from).
    for (const owner of readShards(model, env.name, shard.name, shardOf!)) stack.addDependency(shardStacks.get(owner)!);
    guard(stack);
    stacks.push(stack);
  }
  if (monitoring) stacks.push(monitoring);
  return stacks;
}

/** The GitOps folder of the monitoring objects: no namespace or cluster can have this name. */
export const MONITORING_FOLDER = '_monitoring';

function inFolder(folder: string, files: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).map(([path, content]) => [`${folder}/${path}`, content]));
}

/** Adds every environment's stacks to the app and returns what each environment produces. */
export function buildApp(app: App, model: Model, options: BuildOptions = {}): EnvironmentOutput[] {
  if (options.backend) useBackend(app, options.backend);
  return model.environments.map((env) => buildEnvironment(app, model, env, options));
}

/** Adds one environment's stacks to the app and returns what the environment produces. */
export function buildEnvironment(app: App, model: Model, env: EnvironmentModel, options: BuildOptions = {}): EnvironmentOutput {
  if (options.backend) useBackend(app, options.backend);
  const guard = (stack: TerraformStack, facts?: EnvironmentFacts) => {
    if (options.policy) Aspects.of(stack).add(new PolicyAspect({ report: options.policy, suppressions: model.suppressions, facts }));
  };
  const stacks: TerraformStack[] = [];
  const renderers: (() => Record<string, string>)[] = [];
  const gcp = env.gcp ? planGcpEnvironment(model, env) : undefined;
  const azure = env.azure ? planAzureEnvironment(model, env) : undefined;
  if (gcp) {
    stacks.push(
      ...addCloud(
        model,
        env,
        {
          cloud: 'gcp',
          plan: gcp,
          split: splitGcpPlan,
          environmentStack: (id, plan, o) => new GcpEnvironmentStack(app, id, plan, o),
          shardStack: (id, plan) => new GcpShardStack(app, id, plan),
          manifestsStack: (id, plan) => new GcpManifestsStack(app, id, plan),
          baseManifests: (base) => base,
          monitoringStack: (id, plan) =>
            env.manifests.terraform && plan.monitoring ? new GcpManifestsStack(app, id, { ...plan, objects: plan.monitoring.objects, existingObjects: [] }) : undefined,
          facts: (plan) => gcpFacts(model, plan),
        },
        guard,
      ),
    );
    if (env.manifests.gitops) {
      renderers.push(() => renderGitOps(gcp.objects));
      // Monitoring in a folder of its own, applied on its own (it needs the monitoring CRDs).
      const monitoring = gcp.monitoring;
      if (monitoring) renderers.push(() => inFolder(MONITORING_FOLDER, renderGitOps(monitoring.objects)));
    }
  }
  if (azure) {
    stacks.push(
      ...addCloud(
        model,
        env,
        {
          cloud: 'azure',
          plan: azure,
          split: splitAzurePlan,
          environmentStack: (id, plan, o) => new AzureEnvironmentStack(app, id, plan, o),
          shardStack: (id, plan) => new AzureShardStack(app, id, plan),
          manifestsStack: (id, plan) => new AzureManifestsStack(app, id, plan),
          // The base's namespaces and guard need no identity.
          baseManifests: (base) => ({ ...base, identities: {} }),
          monitoringStack: (id, plan) => {
            const m = env.monitoring;
            const azureMonitor = m?.stack.azure === 'azureManagedPrometheus' && m.azureMonitorWorkspaceId ? { workspaceId: m.azureMonitorWorkspaceId, actionGroupId: m.actionGroupId } : undefined;
            if (!plan.monitoring || (!env.manifests.terraform && !azureMonitor)) return undefined;
            return new AzureMonitoringStack(app, id, plan, { manifests: env.manifests.terraform, azureMonitor });
          },
          facts: (plan, shard) => azureFacts(model, plan, { shard }),
        },
        guard,
      ),
    );
    if (env.manifests.gitops) {
      renderers.push(() => {
        const files = azure.identityMode === 'aksAddonIdentity' ? renderGitOpsPerCluster(azure.objects, azure.clusters.map((c) => c.name)) : renderGitOps(azure.objects);
        return inFolder('azure', files);
      });
      const monitoring = azure.monitoring;
      if (monitoring && monitoring.objects.length > 0) renderers.push(() => inFolder(`azure/${MONITORING_FOLDER}`, renderGitOps(monitoring.objects)));
    }
  }
  return { environment: env.name, gcp, azure, stacks, gitops: env.manifests.gitops ? () => Object.assign({}, ...renderers.map((r) => r())) : undefined };
}
