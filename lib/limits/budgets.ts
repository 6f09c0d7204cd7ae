/**
 * Budgets: each environment's usage against the clouds' limits, with environments that share a
 * subscription or a project counted together, and a finding wherever a deploy would fail (error)
 * or the controllers or a plan would be throttled (warning). Plain data, no cdktf.
 */
import type { SuppressionModel } from '../declaration/model';
import type { Finding } from '../policy/types';
import {
  ARM_READS,
  FEDERATED_CREDENTIALS,
  IAM_POLICY_MEMBERS,
  KEY_VAULT_REQUESTS,
  REFRESH_MINUTES,
  ROLE_ASSIGNMENTS,
  SECRET_MANAGER_ACCESS,
  SECRET_MANAGER_READS,
  type CloudLimit,
} from './cloud-limits';
import type { EnvironmentUsage, StackReads } from './usage';

export interface BudgetLine {
  readonly environment: string;
  readonly cloud: 'gcp' | 'azure';
  /** Rule id of the limit (SW-LIM-00n). */
  readonly rule: string;
  readonly what: string;
  /** What the figure is counted over: a subscription, a project, a vault, a stack, a secret. */
  readonly scope: string;
  readonly used: number;
  /** Kept free for what others create (role assignments). @default 0 */
  readonly reserved?: number;
  readonly limit: number;
  readonly unit: string;
  readonly status: 'ok' | 'warning' | 'error';
  /** Other environments counted in the same figure (a shared subscription or project). */
  readonly sharedWith?: readonly string[];
  readonly source: string;
  /** Past the limit: the figure, the limit and what to change. */
  readonly message?: string;
  readonly fix?: string;
}

const n = (x: number) => Math.ceil(x).toLocaleString('en-US');

function line(
  limit: CloudLimit,
  base: { environment: string; cloud: 'gcp' | 'azure'; scope: string; used: number; reserved?: number; sharedWith?: string[]; limitValue?: number; unit?: string },
  over: () => { message: string; fix: string },
): BudgetLine {
  const max = base.limitValue ?? limit.limit;
  const exceeded = Math.ceil(base.used) + (base.reserved ?? 0) > max;
  return {
    environment: base.environment,
    cloud: base.cloud,
    rule: limit.rule,
    what: limit.what,
    scope: base.scope,
    used: Math.ceil(base.used),
    ...(base.reserved ? { reserved: base.reserved } : {}),
    limit: max,
    unit: base.unit ?? limit.unit,
    status: exceeded ? limit.severity : 'ok',
    ...(base.sharedWith && base.sharedWith.length > 0 ? { sharedWith: base.sharedWith } : {}),
    source: limit.source,
    ...(exceeded ? over() : {}),
  };
}

/** The stack whose refresh reads the most. */
function largest(stacks: readonly StackReads[]): StackReads {
  return stacks.reduce((a, b) => (b.reads > a.reads ? b : a), stacks[0]);
}

/** Budget lines of every environment, in environment order. */
export function budgetLines(usages: readonly EnvironmentUsage[]): BudgetLine[] {
  const lines: BudgetLine[] = [];
  // Environments that share a subscription or a project share its limits.
  const bySubscription = new Map<string, EnvironmentUsage[]>();
  const byProject = new Map<string, EnvironmentUsage[]>();
  for (const u of usages) {
    if (u.azure) bySubscription.set(u.azure.subscriptionId, [...(bySubscription.get(u.azure.subscriptionId) ?? []), u]);
    if (u.gcp) byProject.set(u.gcp.project, [...(byProject.get(u.gcp.project) ?? []), u]);
  }
  for (const u of usages) {
    const env = u.environment;
    if (u.azure) {
      const a = u.azure;
      const sharing = bySubscription.get(a.subscriptionId)!;
      const used = sharing.reduce((sum, x) => sum + x.azure!.roleAssignments, 0);
      const reserved = Math.max(...sharing.map((x) => x.azure!.reservedRoleAssignments));
      const others = sharing.filter((x) => x !== u).map((x) => x.environment);
      lines.push(
        line(ROLE_ASSIGNMENTS, { environment: env, cloud: 'azure', scope: `subscription ${a.subscriptionId}`, used, reserved, sharedWith: others }, () => ({
          message: `${n(used)} role assignments in subscription ${a.subscriptionId} (${[env, ...others].map((e) => `${e}: ${n(sharing.find((x) => x.environment === e)!.azure!.roleAssignments)}`).join(', ')}) plus ${n(reserved)} reserved for others exceed the ${n(ROLE_ASSIGNMENTS.limit)} a subscription allows; the deploy would fail`,
          fix: 'Use layout vaultPerService (one assignment per service vault, per-secret ones only for from), give an environment a subscription of its own, or lower reservedRoleAssignments if fewer are made elsewhere.',
        })),
      );
      if (a.federatedPerIdentity > 0) {
        lines.push(
          line(FEDERATED_CREDENTIALS, { environment: env, cloud: 'azure', scope: 'each service identity', used: a.federatedPerIdentity }, () => ({
            message: `each managed identity needs ${a.federatedPerIdentity} federated credentials (one per cluster), more than the ${FEDERATED_CREDENTIALS.limit} allowed`,
            fix: 'Split the environment so that each has at most 20 clusters.',
          })),
        );
      }
      if (a.vaultRequests.length > 0) {
        const busiest = a.vaultRequests.reduce((x, y) => (y.per10s > x.per10s ? y : x));
        lines.push(
          line(KEY_VAULT_REQUESTS, { environment: env, cloud: 'azure', scope: `vault ${busiest.vault} (the busiest)`, used: busiest.per10s }, () => ({
            message: `the controllers would read vault ${busiest.vault} ${n(busiest.per10s)} times per 10 s (keys x clusters / refresh interval, or objects x replicas x clusters / rotation poll interval), more than the ${n(KEY_VAULT_REQUESTS.limit)} a vault serves; reads would be throttled`,
            fix: 'Lengthen refreshInterval or csiDriver.rotationPollInterval, declare the replicas that really mount the secrets, or use layout vaultPerService to spread reads over a vault per service.',
          })),
        );
      }
      const stack = largest(a.stacks);
      const budget = ARM_READS.limit * 60 * REFRESH_MINUTES;
      lines.push(
        line(ARM_READS, { environment: env, cloud: 'azure', scope: `stack ${stack.stack} (the largest)`, used: stack.reads, limitValue: budget, unit: `reads per plan (${REFRESH_MINUTES} minutes at ${ARM_READS.limit} per second)` }, () => ({
          message: `a plan of ${stack.stack} refreshes ${n(stack.reads)} Azure Resource Manager resources: ${(stack.reads / ARM_READS.limit / 60).toFixed(1)} minutes at ${ARM_READS.limit} reads per second per subscription, throttled beyond`,
          fix: `Shard the environment (sharding.shards) so that each stack refreshes at most ${n(budget)} resources.`,
        })),
      );
    }
    if (u.gcp) {
      const g = u.gcp;
      if (g.mostMembers) {
        const most = g.mostMembers;
        lines.push(
          line(IAM_POLICY_MEMBERS, { environment: env, cloud: 'gcp', scope: `secret ${most.secretId} (the most read)`, used: most.members }, () => ({
            message: `secret ${most.secretId} would have ${n(most.members)} principals in its IAM policy, more than the ${n(IAM_POLICY_MEMBERS.limit)} allowed; the deploy would fail`,
            fix: 'Fewer services should read one secret: each from adds a principal. Give groups of readers secrets of their own.',
          })),
        );
      }
      const sharing = byProject.get(g.project)!;
      const others = sharing.filter((x) => x !== u).map((x) => x.environment);
      const access = sharing.reduce((sum, x) => sum + x.gcp!.accessPerMinute, 0);
      lines.push(
        line(SECRET_MANAGER_ACCESS, { environment: env, cloud: 'gcp', scope: `project ${g.project}`, used: access, sharedWith: others }, () => ({
          message: `External Secrets would read ${n(access)} secret values per minute in project ${g.project} (keys x clusters / refresh interval${others.length > 0 ? `, environments ${[env, ...others].join(', ')}` : ''}), more than the ${n(SECRET_MANAGER_ACCESS.limit)} allowed; reads would be throttled`,
          fix: 'Lengthen refreshInterval, or give an environment a project of its own.',
        })),
      );
      const stack = largest(g.stacks);
      const budget = SECRET_MANAGER_READS.limit * REFRESH_MINUTES;
      const perSecret = stack.secrets > 0 ? stack.reads / stack.secrets : 1;
      lines.push(
        line(SECRET_MANAGER_READS, { environment: env, cloud: 'gcp', scope: `stack ${stack.stack} (the largest)`, used: stack.reads, limitValue: budget, unit: `reads per plan (${REFRESH_MINUTES} minutes at ${SECRET_MANAGER_READS.limit} per minute)` }, () => ({
          message: `a plan of ${stack.stack} refreshes ${n(stack.reads)} Secret Manager resources (secrets and IAM members): ${(stack.reads / SECRET_MANAGER_READS.limit).toFixed(1)} minutes at ${SECRET_MANAGER_READS.limit} reads per minute per project, throttled beyond`,
          fix: `Shard the environment with at most ${n(Math.max(1, Math.floor(budget / perSecret)))} secrets per shard (sharding.maxSecretsPerShard) so that a plan refreshes in ${REFRESH_MINUTES} minutes; plans of one project run at the same time share its quota.`,
        })),
      );
    }
  }
  return lines;
}

/**
 * Findings of the lines past their limit. Warnings may be suppressed in the environment with a
 * reason (throttling may be acceptable); errors may not: the deploy would fail.
 */
export function budgetFindings(lines: readonly BudgetLine[], suppressions: readonly SuppressionModel[]): Finding[] {
  const out: Finding[] = [];
  for (const l of lines) {
    if (l.status === 'ok') continue;
    const s = l.status === 'warning' ? suppressions.find((x) => x.rule === l.rule && x.scope.length === 2 && x.scope[0] === 'environments' && x.scope[1] === l.environment) : undefined;
    out.push({
      rule: l.rule,
      severity: l.status,
      stack: `${l.environment}-${l.cloud}`,
      resource: l.scope,
      message: l.message!,
      fix: l.fix!,
      declarationPath: `environments.${l.environment}.${l.cloud}`,
      ...(s ? { suppressed: { reason: s.reason, at: `environments.${l.environment}` } } : {}),
    });
  }
  return out;
}

/** The lines as text for people, by environment: figure, limit and status. */
export function formatBudgets(lines: readonly BudgetLine[]): string[] {
  const out: string[] = [];
  let env = '';
  for (const l of lines) {
    if (l.environment !== env) {
      env = l.environment;
      out.push(`${env}:`);
    }
    const reserved = l.reserved ? ` + ${n(l.reserved)} reserved` : '';
    const shared = l.sharedWith ? ` (with ${l.sharedWith.join(', ')})` : '';
    const mark = l.status === 'ok' ? 'ok' : l.status.toUpperCase();
    out.push(`  ${mark.padEnd(7)} ${l.what}, ${l.scope}${shared}: ${n(l.used)}${reserved} of ${n(l.limit)} ${l.unit}`);
  }
  return out;
}
