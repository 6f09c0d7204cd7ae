import type { App, TerraformStack } from 'cdktf';
import { azureManifestsStackName, azureStackName, gcpManifestsStackName, gcpStackName } from '../lib/declaration/naming';
import type { Model } from '../lib/declaration/model';
import { planGcpEnvironment, type GcpEnvironmentPlan } from '../lib/plan/gcp-plan';
import { planAzureEnvironment, type AzureEnvironmentPlan } from '../lib/plan/azure-plan';
import { renderGitOps, renderGitOpsPerCluster } from '../lib/kubernetes/gitops-yaml';
import { GcpEnvironmentStack, GcpShardStack } from './gcp-environment-stack';
import { splitAzurePlan, splitGcpPlan } from '../lib/plan/shards';
import { shardFacts } from '../lib/policy/facts';
import { GcpManifestsStack } from './gcp-manifests-stack';
import { AzureEnvironmentStack, AzureShardStack } from './azure-environment-stack';
import { AzureManifestsStack } from './azure-manifests-stack';
import { Aspects } from 'cdktf';
import { PolicyAspect, type PolicyReport } from '../lib/policy/policy-aspect';
import { azureFacts, gcpFacts } from '../lib/policy/facts';
import type { EnvironmentFacts } from '../lib/policy/types';

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

/** Adds every environment's stacks to the app and returns what each environment produces. */
export function buildApp(app: App, model: Model, options: BuildOptions = {}): EnvironmentOutput[] {
  const guard = (stack: TerraformStack, facts?: EnvironmentFacts) => {
    if (options.policy) Aspects.of(stack).add(new PolicyAspect({ report: options.policy, suppressions: model.suppressions, facts }));
  };
  const out: EnvironmentOutput[] = [];
  for (const env of model.environments) {
    const stacks: TerraformStack[] = [];
    const renderers: (() => Record<string, string>)[] = [];
    let gcp: GcpEnvironmentPlan | undefined;
    let azure: AzureEnvironmentPlan | undefined;
    const shardOf = (platform: 'gcp' | 'azure') =>
      env.shards ? Object.fromEntries(Object.entries(env.shards).filter(([s]) => model.services.find((x) => x.name === s)?.platform === platform)) : undefined;
    if (env.gcp && env.shards) {
      gcp = planGcpEnvironment(model, env);
      const full = gcp;
      const { base, shards } = splitGcpPlan(gcp, shardOf('gcp')!);
      const cloud = new GcpEnvironmentStack(app, gcpStackName(env.name), base, { secrets: false });
      guard(cloud, gcpFacts(model, base));
      stacks.push(cloud);
      const baseManifests = env.manifests.terraform ? new GcpManifestsStack(app, gcpManifestsStackName(env.name), base) : undefined;
      if (baseManifests) {
        baseManifests.addDependency(cloud);
        guard(baseManifests);
      }
      for (const shard of shards) {
        const stack = new GcpShardStack(app, `${env.name}-gcp-${shard.name}`, shard.plan);
        stack.addDependency(cloud);
        guard(stack, shardFacts(gcpFacts(model, shard.plan), full, shard.plan));
        stacks.push(stack);
      }
      if (baseManifests) stacks.push(baseManifests);
      for (const shard of shards) {
        if (!baseManifests) break;
        const stack = new GcpManifestsStack(app, `${env.name}-gcp-${shard.name}-manifests`, shard.plan);
        stack.addDependency(baseManifests);
        // Its services' ExternalSecrets read secrets granted in the owners' shards too (from).
        for (const owner of readShards(model, env.name, shard.name, shardOf('gcp')!)) stack.addDependency(stacks.find((s) => s.node.id === `${env.name}-gcp-${owner}`)!);
        guard(stack);
        stacks.push(stack);
      }
      const objects = gcp.objects;
      if (env.manifests.gitops) renderers.push(() => renderGitOps(objects));
    } else if (env.gcp) {
      gcp = planGcpEnvironment(model, env);
      const cloud = new GcpEnvironmentStack(app, gcpStackName(env.name), gcp);
      guard(cloud, gcpFacts(model, gcp));
      stacks.push(cloud);
      if (env.manifests.terraform) {
        const manifests = new GcpManifestsStack(app, gcpManifestsStackName(env.name), gcp);
        manifests.addDependency(cloud);
        guard(manifests);
        stacks.push(manifests);
      }
      const objects = gcp.objects;
      if (env.manifests.gitops) renderers.push(() => renderGitOps(objects));
    }
    if (env.azure && env.shards) {
      azure = planAzureEnvironment(model, env);
      const full = azure;
      const { base, shards } = splitAzurePlan(azure, shardOf('azure')!);
      const cloud = new AzureEnvironmentStack(app, azureStackName(env.name), base, { secrets: false });
      guard(cloud, azureFacts(model, base));
      stacks.push(cloud);
      const baseManifests = env.manifests.terraform ? new AzureManifestsStack(app, azureManifestsStackName(env.name), { ...base, identities: {} }) : undefined;
      if (baseManifests) {
        baseManifests.addDependency(cloud);
        guard(baseManifests);
      }
      for (const shard of shards) {
        const stack = new AzureShardStack(app, `${env.name}-azure-${shard.name}`, shard.plan);
        stack.addDependency(cloud);
        guard(stack, shardFacts(azureFacts(model, shard.plan, { shard: true }), full, shard.plan));
        stacks.push(stack);
      }
      if (baseManifests) stacks.push(baseManifests);
      for (const shard of shards) {
        if (!baseManifests) break;
        const stack = new AzureManifestsStack(app, `${env.name}-azure-${shard.name}-manifests`, shard.plan);
        stack.addDependency(baseManifests);
        // Its services' ExternalSecrets read secrets granted in the owners' shards too (from).
        for (const owner of readShards(model, env.name, shard.name, shardOf('azure')!)) stack.addDependency(stacks.find((s) => s.node.id === `${env.name}-azure-${owner}`)!);
        guard(stack);
        stacks.push(stack);
      }
      if (env.manifests.gitops) {
        const plan = azure;
        renderers.push(() => {
          const files = plan.identityMode === 'aksAddonIdentity' ? renderGitOpsPerCluster(plan.objects, plan.clusters.map((c) => c.name)) : renderGitOps(plan.objects);
          return Object.fromEntries(Object.entries(files).map(([path, content]) => [`azure/${path}`, content]));
        });
      }
    } else if (env.azure) {
      azure = planAzureEnvironment(model, env);
      const cloud = new AzureEnvironmentStack(app, azureStackName(env.name), azure);
      guard(cloud, azureFacts(model, azure));
      stacks.push(cloud);
      if (env.manifests.terraform) {
        const manifests = new AzureManifestsStack(app, azureManifestsStackName(env.name), azure);
        manifests.addDependency(cloud);
        guard(manifests);
        stacks.push(manifests);
      }
      if (env.manifests.gitops) {
        const plan = azure;
        renderers.push(() => {
          const files = plan.identityMode === 'aksAddonIdentity' ? renderGitOpsPerCluster(plan.objects, plan.clusters.map((c) => c.name)) : renderGitOps(plan.objects);
          return Object.fromEntries(Object.entries(files).map(([path, content]) => [`azure/${path}`, content]));
        });
      }
    }
    out.push({ environment: env.name, gcp, azure, stacks, gitops: env.manifests.gitops ? () => Object.assign({}, ...renderers.map((r) => r())) : undefined });
  }
  return out;
}
