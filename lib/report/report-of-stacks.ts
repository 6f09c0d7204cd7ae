import type { KubernetesObject } from '../kubernetes/objects';
import type { PolicyReport } from '../policy/policy-aspect';
import { buildAccessReport, type AccessReport } from './access-report';

export interface AccessReportOfStacksOptions {
  /** Name of the environment, for the report's title. */
  readonly environment: string;
  /** The cloud the stacks deploy to. */
  readonly cloud: 'gcp' | 'azure';
  /** Stacks to read, by id. @default - every stack the report visited */
  readonly stacks?: readonly string[];
  /** GCP: the project, to name Workload Identity principals. @default - principals are listed as written */
  readonly project?: string;
  /** GCP: the project number, to name Workload Identity principals. @default - principals are listed as written */
  readonly projectNumber?: string;
  /** Kubernetes objects that deliver the secrets (ExternalSecrets, SecretProviderClasses). @default - none: deliveries unknown */
  readonly objects?: readonly KubernetesObject[];
  /** Clusters that can assume the identities. @default - none */
  readonly clusters?: readonly string[];
}

/**
 * The access report (who can read which secret, through which grant) of stacks of the user's own,
 * from what `applyPolicy` saw of them when the app was synthesized: call it after `app.synth()`.
 */
export function accessReportOfStacks(report: PolicyReport, options: AccessReportOfStacksOptions): AccessReport {
  const names = options.stacks ?? [...report.instances.keys()];
  const missing = names.filter((n) => !report.instances.has(n));
  if (missing.length > 0 || names.length === 0) {
    throw new Error(`accessReportOfStacks: no synthesized instances of ${missing.length > 0 ? missing.join(', ') : 'any stack'}: call applyPolicy on each stack and app.synth() first`);
  }
  const instances = names.flatMap((n) => report.instances.get(n)!);
  // One line per construct and rule that excused something, with its reason.
  const suppressions = new Map<string, { scope: string; rule: string; reason: string }>();
  for (const f of report.suppressed) {
    if (names.includes(f.stack)) suppressions.set(`${f.suppressed!.at} ${f.rule}`, { scope: f.suppressed!.at, rule: f.rule, reason: f.suppressed!.reason });
  }
  const access = buildAccessReport({
    environment: options.environment,
    [options.cloud]: { instances, objects: options.objects ?? [], clusters: options.clusters ?? [], project: options.project, projectNumber: options.projectNumber },
    suppressions: [],
  });
  return { ...access, suppressions: [...suppressions.keys()].sort().map((k) => suppressions.get(k)!) };
}
