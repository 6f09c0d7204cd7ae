/**
 * Monitoring in the three Prometheus flavors teams run, in stacks and folders of its own.
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { parseDeclaration } from '../lib/declaration/load';
import { formatPath } from '../lib/declaration/problem';
import { planGcpEnvironment } from '../lib/plan/gcp-plan';
import { planAzureEnvironment } from '../lib/plan/azure-plan';
import { inFlavor, GMP_API, AZMONITORING_API } from '../lib/kubernetes/monitoring-flavors';
import { externalSecretsPrometheusRule, externalSecretsServiceMonitor } from '../lib/kubernetes/monitoring';
import { isoDuration } from '../lib/azure/prometheus-rule-groups';
import { validateAnyMonitoringObject } from './support/schemas';
import { configs, exampleOutput, gitopsObjects, synthFile, type SynthResult } from './support/synth';
import { problemsOf } from './support/fixtures';

const MANAGED = join(__dirname, '..', 'examples', 'declarations', 'managed-prometheus.yaml');
const managedDecl = () => parse(readFileSync(MANAGED, 'utf8'));

let managed: SynthResult;
beforeAll(() => {
  managed = synthFile(MANAGED);
  expect(managed.stderr).toEqual([]);
  expect(managed.code).toBe(0);
});

describe("GKE's managed collection (googleManagedPrometheus)", () => {
  const model = parseDeclaration(managedDecl());
  const plan = planGcpEnvironment(model, model.environments[0]);

  test('a PodMonitoring per component, named after its Service so the job label is the one the rules select, and a Rules object; all valid against GMP 0.17.2', () => {
    const objects = plan.monitoring!.objects;
    expect(objects.map((o) => `${o.apiVersion} ${o.kind}/${o.metadata.namespace}/${o.metadata.name}`).sort()).toEqual([
      `${GMP_API} PodMonitoring/external-secrets/external-secrets-cert-controller-metrics`,
      `${GMP_API} PodMonitoring/external-secrets/external-secrets-metrics`,
      `${GMP_API} PodMonitoring/external-secrets/external-secrets-webhook`,
      `${GMP_API} Rules/external-secrets/external-secrets-controller`,
    ]);
    for (const o of objects) expect([o.kind, o.metadata.name, validateAnyMonitoringObject(o)]).toEqual([o.kind, o.metadata.name, []]);
    const jobs = new Set(objects.filter((o) => o.kind === 'PodMonitoring').map((o) => o.metadata.name));
    const rules = (objects.find((o) => o.kind === 'Rules') as any).spec.groups.flatMap((g: any) => g.rules);
    for (const r of rules) for (const m of r.expr.matchAll(/job="([^"]+)"/g)) expect([r.alert, jobs.has(m[1])]).toEqual([r.alert, true]);
  });

  test('each PodMonitoring selects the pods of its component by the chart\'s labels, on the metrics container port', () => {
    const webhook = plan.monitoring!.objects.find((o) => o.metadata.name === 'external-secrets-webhook') as any;
    expect(webhook.spec).toEqual({
      selector: { matchLabels: { 'app.kubernetes.io/instance': 'external-secrets', 'app.kubernetes.io/name': 'external-secrets-webhook' } },
      endpoints: [{ port: 'metrics', interval: '30s', timeout: '25s' }],
    });
  });

  test('the validator refuses what GMP refuses', () => {
    const pm = plan.monitoring!.objects.find((o) => o.kind === 'PodMonitoring') as any;
    expect(validateAnyMonitoringObject({ ...pm, spec: { ...pm.spec, endpoints: [{ port: 'metrics' }] } }).join()).toMatch(/interval/);
    expect(validateAnyMonitoringObject({ ...pm, spec: { endpoints: pm.spec.endpoints } }).join()).toMatch(/selector/);
  });
});

describe("AKS's Azure Monitor metrics add-on (azureManagedPrometheus)", () => {
  test('ServiceMonitors under azmonitoring.coreos.com/v1, valid against the add-on\'s CRDs; no PrometheusRule in the cluster', () => {
    const model = parseDeclaration(managedDecl());
    const objects = planAzureEnvironment(model, model.environments[0]).monitoring!.objects;
    expect(objects.map((o) => `${o.apiVersion} ${o.kind}`)).toEqual(Array(3).fill(`${AZMONITORING_API} ServiceMonitor`));
    for (const o of objects) expect(validateAnyMonitoringObject(o)).toEqual([]);
  });

  test('the alerts become rule groups in the Azure Monitor workspace, per cluster, with ISO durations, severities and the action group', () => {
    const stack = managed.stacks['staging-azure-monitoring'];
    const groups = configs(stack, 'azurerm_monitor_alert_prometheus_rule_group', 'prometheus_rules');
    expect(Object.keys(groups)).toEqual(['aks-main/external-secrets-controller']);
    const g = groups['aks-main/external-secrets-controller'];
    expect(g.scopes).toEqual(['/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/monitoring/providers/Microsoft.Monitor/accounts/shop-metrics', '${data.azurerm_kubernetes_cluster.clusters_aks-main.id}']);
    expect(g.cluster_name).toBe('aks-main');
    const webhook = g.rule.find((r: any) => r.alert === 'ExternalSecretsWebhookDown');
    expect(webhook).toEqual(
      expect.objectContaining({
        expression: 'absent(up{job="external-secrets-webhook",namespace="external-secrets"} == 1)',
        for: 'PT10M',
        severity: 0,
        action: [{ action_group_id: '/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/monitoring/providers/Microsoft.Insights/actionGroups/platform-oncall' }],
      }),
    );
    expect(g.rule.find((r: any) => r.alert === 'ExternalSecretsWorkqueueBacklog')).toEqual(expect.objectContaining({ for: 'PT2H', severity: 2 }));
  });

  test('Prometheus durations become ISO 8601', () => {
    expect(['10m', '2h', '1h30m', '90s', '2d', '1d12h'].map(isoDuration)).toEqual(['PT10M', 'PT2H', 'PT1H30M', 'PT1M30S', 'P2D', 'P1DT12H']);
  });
});

describe('monitoring apart from the secrets', () => {
  test('Terraform mode: the monitoring objects are planned in <env>-<cloud>-monitoring, which the manifests stacks do not hold', () => {
    expect(Object.keys(managed.stacks).sort()).toEqual(['staging-azure', 'staging-azure-manifests', 'staging-azure-monitoring', 'staging-gcp', 'staging-gcp-manifests', 'staging-gcp-monitoring']);
    const kinds = (stack: string) => Object.values<any>(managed.stacks[stack].resource?.kubernetes_manifest ?? {}).map((r) => r.manifest.kind);
    expect(kinds('staging-gcp-manifests').filter((k) => ['PodMonitoring', 'Rules', 'ServiceMonitor'].includes(k))).toEqual([]);
    expect(kinds('staging-gcp-monitoring').sort()).toEqual(['PodMonitoring', 'PodMonitoring', 'PodMonitoring', 'Rules']);
    expect(kinds('staging-azure-monitoring')).toEqual(['ServiceMonitor', 'ServiceMonitor', 'ServiceMonitor']);
  });

  test('GitOps: the monitoring objects have a folder and a kustomization of their own, which the secrets\' kustomization does not include', () => {
    const out = exampleOutput();
    const paths = Object.keys(out.generated);
    expect(paths).toContain('production/_monitoring/kustomization.yaml');
    const main = parse(out.generated['production/kustomization.yaml']);
    expect(JSON.stringify(main)).not.toMatch(/monitoring/);
    const gke = gitopsObjects(out.generated, 'production', 'gcp', 'monitoring');
    expect(Object.keys(gke).sort()).toEqual([
      'PrometheusRule/external-secrets/external-secrets-controller',
      'ServiceMonitor/external-secrets/external-secrets-cert-controller-metrics',
      'ServiceMonitor/external-secrets/external-secrets-controller',
      'ServiceMonitor/external-secrets/external-secrets-webhook',
    ]);
    expect(Object.keys(gitopsObjects(out.generated, 'production', 'gcp')).filter((k) => /Monitor|PrometheusRule/.test(k))).toEqual([]);
  });
});

describe('the declaration', () => {
  test.each([
    ['GKE\'s managed collection on an AKS cluster', (d: any) => (d.environments.staging.monitoring.stack = 'googleManagedPrometheus'), 'environments.staging.monitoring.stack', /googleManagedPrometheus is GKE's managed collection; environment staging has AKS clusters too/],
    ['Azure\'s add-on on a GKE cluster', (d: any) => (d.environments.staging.monitoring.stack = 'azureManagedPrometheus'), 'environments.staging.monitoring.stack', /azureManagedPrometheus is the Azure Monitor metrics add-on of AKS; environment staging has GKE clusters too/],
    ['azureManagedPrometheus without its workspace', (d: any) => delete d.environments.staging.monitoring.azureMonitorWorkspaceId, 'environments.staging.monitoring.azureMonitorWorkspaceId', /evaluates its alert rules in the Azure Monitor workspace/],
    ['a workspace with the Prometheus Operator', (d: any) => (d.environments.staging.monitoring.stack = { gcp: 'googleManagedPrometheus' }), 'environments.staging.monitoring.azureMonitorWorkspaceId', /applies to azureManagedPrometheus on AKS only/],
    ['a flavor that does not exist', (d: any) => (d.environments.staging.monitoring.stack = 'victoriaMetrics'), 'environments.staging.monitoring.stack', /one of prometheusOperator, googleManagedPrometheus, azureManagedPrometheus/],
  ])('%s is refused, naming the field', (_what, edit, path, rule) => {
    const d = managedDecl();
    edit(d);
    const problems = problemsOf(d);
    expect(problems.filter((p) => formatPath(p.path) === path).map((p) => p.rule)).toEqual([expect.stringMatching(rule)]);
  });

  test('a PodMonitor cannot become a PodMonitoring (its job would differ)', () => {
    const csi = { apiVersion: 'monitoring.coreos.com/v1', kind: 'PodMonitor', metadata: { name: 'x', namespace: 'kube-system' }, spec: {} };
    expect(() => inFlavor('googleManagedPrometheus', [csi as any])).toThrow(/no PodMonitoring for PodMonitor x/);
    const eso = { namespace: 'external-secrets', releaseName: 'external-secrets', notReadyFor: '15m' };
    expect(inFlavor('prometheusOperator', [externalSecretsServiceMonitor(eso), externalSecretsPrometheusRule(eso)]).objects).toHaveLength(2);
  });
});
