import { requireProps } from '../terraform/construct-checks';
import { Construct } from 'constructs';
import type { MonitorAlertPrometheusRuleGroupConfig } from '@cdktf/provider-azurerm/lib/monitor-alert-prometheus-rule-group';
import { ResourceBlocks } from '../terraform/resource-blocks';
import type { BlockBody } from '../terraform/block-body';
import type { AlertGroup } from '../kubernetes/monitoring-flavors';
import { sortedRecord } from '../util/sorted-record';

/** Azure Monitor alert severities: 0 critical ... 4 verbose. */
const SEVERITY = { critical: 0, warning: 2 } as const;

export interface PrometheusRuleGroupsProps {
  readonly location: string;
  readonly resourceGroupName: string;
  /** The Azure Monitor workspace the clusters send their metrics to. */
  readonly workspaceId: string;
  /** The action group alerts notify. @default - none */
  readonly actionGroupId?: string;
  /** @default - none */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * Block name prefix of the rule groups (`azurerm_monitor_alert_prometheus_rule_group.<resourceName>_<key>`).
   * @default "prometheus_rules"
   */
  readonly resourceName?: string;
}

/**
 * Azure Monitor managed Prometheus alert rule groups (`azurerm_monitor_alert_prometheus_rule_group`),
 * one per cluster and group (`prometheus_rules_<cluster>__<group>`), evaluated in the clusters'
 * Azure Monitor workspace over that cluster's metrics: what a PrometheusRule is to the Prometheus
 * Operator. Pending periods become ISO 8601 durations (`10m` is `PT10M`).
 */
export class PrometheusRuleGroups extends Construct {
  public readonly blocks: ResourceBlocks<MonitorAlertPrometheusRuleGroupConfig>;
  private readonly props: PrometheusRuleGroupsProps;

  constructor(scope: Construct, id: string, props: PrometheusRuleGroupsProps) {
    super(scope, id);
    requireProps(this, props);
    this.props = props;
    this.blocks = new ResourceBlocks(this, 'Resource', { type: 'azurerm_monitor_alert_prometheus_rule_group', prefix: props.resourceName ?? 'prometheus_rules' });
  }

  /** The group's rules for one cluster (its name, and its resource id as a second scope). */
  public addGroup(cluster: string, clusterId: string, group: AlertGroup): void {
    const p = this.props;
    const body: BlockBody<MonitorAlertPrometheusRuleGroupConfig> = {
      name: `${group.name}-${cluster}`,
      location: p.location,
      resource_group_name: p.resourceGroupName,
      cluster_name: cluster,
      scopes: [p.workspaceId, clusterId],
      description: `Alerts of ${group.name} for cluster ${cluster} (managed by secret-wiring)`,
      interval: 'PT1M',
      rule_group_enabled: true,
      tags: sortedRecord(p.tags),
      rule: group.rules.map((r) => ({
        alert: r.alert,
        expression: r.expr,
        for: isoDuration(r.for),
        severity: SEVERITY[r.labels.severity],
        enabled: true,
        labels: { ...r.labels },
        annotations: { ...r.annotations },
        ...(p.actionGroupId ? { action: [{ action_group_id: p.actionGroupId }] } : {}),
        alert_resolution: { auto_resolved: true, time_to_resolve: 'PT10M' },
      })),
    };
    this.blocks.add(`${cluster}/${group.name}`, body);
  }
}

/** A Prometheus duration (`1h30m`, `2d`) as ISO 8601 (`PT1H30M`, `P2D`). */
export function isoDuration(d: string): string {
  const seconds = { y: 31536000, w: 604800, d: 86400, h: 3600, m: 60, s: 1, ms: 0.001 } as Record<string, number>;
  let total = 0;
  for (const m of d.matchAll(/([0-9]+)(ms|y|w|d|h|m|s)/g)) total += Number(m[1]) * seconds[m[2]];
  total = Math.round(total);
  const days = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const min = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const time = `${h ? `${h}H` : ''}${min ? `${min}M` : ''}${s ? `${s}S` : ''}`;
  const iso = `P${days ? `${days}D` : ''}${time ? `T${time}` : ''}`;
  return iso === 'P' ? 'PT0S' : iso;
}
