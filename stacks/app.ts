import type { App, TerraformStack } from 'cdktf';
import { gcpManifestsStackName, gcpStackName } from '../lib/declaration/naming';
import type { Model } from '../lib/declaration/model';
import { planGcpEnvironment, type GcpEnvironmentPlan } from '../lib/plan/gcp-plan';
import { renderGitOps } from '../lib/kubernetes/gitops-yaml';
import { GcpEnvironmentStack } from './gcp-environment-stack';
import { GcpManifestsStack } from './gcp-manifests-stack';

export interface EnvironmentOutput {
  readonly environment: string;
  readonly plan: GcpEnvironmentPlan;
  readonly stacks: TerraformStack[];
  /** GitOps files (relative path -> content) when the environment writes them. */
  readonly gitops?: Record<string, string>;
}

/** Adds every environment's stacks to the app and returns what each environment produces. */
export function buildApp(app: App, model: Model): EnvironmentOutput[] {
  const out: EnvironmentOutput[] = [];
  for (const env of model.environments) {
    if (!env.gcp) continue;
    const plan = planGcpEnvironment(model, env);
    const stacks: TerraformStack[] = [];
    const cloud = new GcpEnvironmentStack(app, gcpStackName(env.name), plan);
    stacks.push(cloud);
    if (env.manifests.terraform) {
      const manifests = new GcpManifestsStack(app, gcpManifestsStackName(env.name), plan);
      manifests.addDependency(cloud);
      stacks.push(manifests);
    }
    out.push({ environment: env.name, plan, stacks, gitops: env.manifests.gitops ? renderGitOps(plan.objects) : undefined });
  }
  return out;
}
