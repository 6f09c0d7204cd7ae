/**
 * The Prometheus Operator objects of lib/kubernetes/monitoring.ts: valid against the vendored
 * monitoring.coreos.com CRDs, alerting only on metrics the controllers really export, and
 * selecting the Service and pods the charts really create.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import {
  DEFAULT_CONTROLLER_DOWN_FOR,
  DEFAULT_SYNC_ERRORS_FOR,
  DEFAULT_SYNC_STALLED_WINDOW,
  EXTERNAL_SECRETS_CHART,
  EXTERNAL_SECRETS_METRICS,
  EXTERNAL_SECRET_CONTROLLER_NAME,
  MONITORING_API,
  PROMETHEUS_SCRAPE_METRICS,
  SECRETS_STORE_CSI_DRIVER_CHART,
  SECRETS_STORE_CSI_DRIVER_METRICS,
  csiDriverJob,
  csiDriverPodMonitor,
  csiDriverPrometheusRule,
  externalSecretsFullname,
  externalSecretsMetricsServiceName,
  externalSecretsPrometheusRule,
  externalSecretsServiceMonitor,
  type CsiDriverMonitoringOptions,
  type MonitoringOptions,
} from '../lib/kubernetes/monitoring';
import { MANAGED_BY_LABEL, type KubernetesObject } from '../lib/kubernetes/objects';
import { MANAGED_BY } from '../lib/declaration/naming';
import { externalSecretsValues, EXTERNAL_SECRETS_CHART as EXTERNAL_SECRETS_CHART_NAME } from '../lib/plan/external-secrets-values';
import { CSI_AZURE_CHART, csiAzureValues } from '../lib/plan/azure-plan';
import {
  CSI_AZURE_VALUES_YAML,
  EXTERNAL_SECRETS_METRICS_MD,
  MONITORING_CRDS,
  POD_MONITOR_CRD,
  PROMETHEUS_RULE_CRD,
  SERVICE_MONITOR_CRD,
  externalSecretsDefaultValues,
  goRegExp,
  loadCrd,
  validateMonitoringObject,
} from './support/schemas';

const ESO: MonitoringOptions = {
  namespace: 'external-secrets',
  releaseName: 'external-secrets',
  notReadyFor: '15m',
  labels: { release: 'kube-prometheus-stack' },
};
const CSI: CsiDriverMonitoringOptions = { namespace: 'kube-system', releaseName: CSI_AZURE_CHART, labels: { release: 'kube-prometheus-stack' } };

const builders: readonly [string, () => KubernetesObject][] = [
  ['externalSecretsServiceMonitor', () => externalSecretsServiceMonitor(ESO)],
  ['externalSecretsPrometheusRule', () => externalSecretsPrometheusRule(ESO)],
  ['csiDriverPodMonitor', () => csiDriverPodMonitor(CSI)],
  ['csiDriverPrometheusRule', () => csiDriverPrometheusRule(CSI)],
];

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

function rulesOf(o: KubernetesObject): Rule[] {
  const spec = o.spec as { groups: { rules: Rule[] }[] };
  return spec.groups.flatMap((g) => g.rules);
}

/** A deep copy, for tests that break an object. */
const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** Every string anywhere in a value. */
function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(strings);
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => [k, ...strings(x)]);
  return [];
}

// ---------------------------------------------------------------------------------------------
// PromQL and metrics.md parsing
// ---------------------------------------------------------------------------------------------

const PROMQL_KEYWORDS = new Set(['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool', 'atan2']);
// Aggregation operators may put their grouping before the parenthesis: `sum by (x) (...)`.
const AGGREGATIONS = new Set(['sum', 'min', 'max', 'avg', 'count', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values', 'group']);

/**
 * Metric names in a PromQL expression: identifiers that are not functions, aggregations or
 * keywords, once strings, label matchers, range/subquery brackets and grouping label lists are
 * removed. (Enough for the expressions the builders write; not a full PromQL parser.)
 */
function promqlMetricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' $1 ');
  const names: string[] = [];
  for (const m of stripped.matchAll(/(?<![A-Za-z0-9_:.])[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const word = m[0];
    const after = stripped.slice(m.index! + word.length).trimStart();
    if (after.startsWith('(') || AGGREGATIONS.has(word) || PROMQL_KEYWORDS.has(word)) continue;
    names.push(word);
  }
  return [...new Set(names)].sort();
}

/** The `{...}` label matchers of every selector of `metric` in an expression. */
function matchersOf(expr: string, metric: string): Record<string, string>[] {
  return [...expr.matchAll(new RegExp(`(?<![A-Za-z0-9_:])${metric}\\{([^}]*)\\}`, 'g'))].map((m) =>
    Object.fromEntries([...m[1].matchAll(/([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]])),
  );
}

/**
 * Metric names External Secrets 2.9.0 documents in docs/api/metrics.md: the names in its tables,
 * and the controller-runtime / workqueue metrics its SLI examples query.
 */
function documentedExternalSecretsMetrics(): Set<string> {
  const md = readFileSync(EXTERNAL_SECRETS_METRICS_MD, 'utf8');
  const names = new Set<string>();
  for (const m of md.matchAll(/^\|\s*`([a-z_:][a-z0-9_:]*)`\s*\|/gm)) names.add(m[1]);
  for (const block of md.matchAll(/```[^\n]*\n([\s\S]*?)```/g)) {
    for (const m of block[1].matchAll(/(?<![A-Za-z0-9_:])([a-z_:][a-z0-9_:]*)\{/g)) names.add(m[1]);
  }
  return names;
}

describe('promqlMetricNames (the test helper)', () => {
  test('finds metric names and skips functions, aggregations, keywords, labels and durations', () => {
    const expr =
      'sum by (namespace, name) (rate(a_total{job="x",name="y"}[5m])) > 0 and on() (count(b{c="d"} == 1) > 0) or absent(c_metric) unless d offset 5m';
    expect(promqlMetricNames(expr)).toEqual(['a_total', 'b', 'c_metric', 'd']);
  });

  test('metrics.md yields the documented names and not the label names around them', () => {
    const documented = documentedExternalSecretsMetrics();
    expect(documented).toEqual(expect.any(Set));
    for (const name of ['externalsecret_status_condition', 'externalsecret_sync_calls_total', 'controller_runtime_reconcile_total', 'workqueue_depth']) {
      expect(documented.has(name)).toBe(true);
    }
    expect(documented.has('service')).toBe(false);
    expect(documented.has('up')).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// CRDs
// ---------------------------------------------------------------------------------------------

describe('monitoring objects against the Prometheus Operator 0.93.0 CRDs', () => {
  test('each vendored CRD serves v1 of monitoring.coreos.com, the apiVersion the builders write', () => {
    for (const [kind, file] of Object.entries(MONITORING_CRDS)) {
      const crd = loadCrd(file);
      expect({ kind: crd.kind, apiVersion: crd.apiVersion }).toEqual({ kind, apiVersion: MONITORING_API });
    }
    expect(Object.values(MONITORING_CRDS).sort()).toEqual([POD_MONITOR_CRD, PROMETHEUS_RULE_CRD, SERVICE_MONITOR_CRD].sort());
  });

  test.each(builders)('%s validates', (_name, build) => {
    expect(validateMonitoringObject(build())).toEqual([]);
  });

  test('objects built with every option set validate as well', () => {
    const full: MonitoringOptions = {
      namespace: 'eso',
      releaseName: 'platform',
      notReadyFor: '1h30m',
      syncErrorsFor: '20m',
      controllerDownFor: '2m',
      syncStalledWindow: '3h',
      labels: { 'prometheus.example.com/scrape': 'true', release: 'monitoring' },
    };
    for (const o of [externalSecretsServiceMonitor(full), externalSecretsPrometheusRule(full), csiDriverPodMonitor(full), csiDriverPrometheusRule(full)]) {
      expect(validateMonitoringObject(o)).toEqual([]);
    }
  });

  describe('the validator fails on broken objects', () => {
    const rule = () => copy(externalSecretsPrometheusRule(ESO)) as { spec: { groups: { rules: Record<string, unknown>[]; [k: string]: unknown }[] } } & KubernetesObject;

    test('a rule whose `for` is not a Prometheus duration', () => {
      const o = rule();
      o.spec.groups[0].rules[0].for = 'ten minutes';
      expect(validateMonitoringObject(o)).toEqual([expect.stringMatching(/^\/spec\/groups\/0\/rules\/0\/for must match pattern/)]);
    });

    test('a rule without `expr`', () => {
      const o = rule();
      delete o.spec.groups[0].rules[1].expr;
      expect(validateMonitoringObject(o)).toEqual([expect.stringMatching(/^\/spec\/groups\/0\/rules\/1 must have required property 'expr'/)]);
    });

    test('a misspelt rule field', () => {
      const o = rule();
      o.spec.groups[0].rules[0].anotations = o.spec.groups[0].rules[0].annotations;
      expect(validateMonitoringObject(o)).toEqual(['/spec/groups/0/rules/0 must NOT have the unknown field "anotations"']);
    });

    test('a group without a name', () => {
      const o = rule();
      delete o.spec.groups[0].name;
      expect(validateMonitoringObject(o)).toEqual([expect.stringMatching(/^\/spec\/groups\/0 must have required property 'name'/)]);
    });

    test('a ServiceMonitor without a selector, with a bad interval and an unknown endpoint field', () => {
      const o = copy(externalSecretsServiceMonitor(ESO)) as { spec: Record<string, unknown> & { endpoints: Record<string, unknown>[] } } & KubernetesObject;
      delete o.spec.selector;
      o.spec.endpoints[0].interval = '30 seconds';
      o.spec.endpoints[0].prot = 'metrics';
      const errors = validateMonitoringObject(o);
      expect(errors).toHaveLength(3);
      expect(errors).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^\/spec must have required property 'selector'/),
          expect.stringMatching(/^\/spec\/endpoints\/0\/interval must match pattern/),
          '/spec/endpoints/0 must NOT have the unknown field "prot"',
        ]),
      );
    });

    test('a PodMonitor endpoint whose port name is a number', () => {
      const o = copy(csiDriverPodMonitor(CSI)) as { spec: { podMetricsEndpoints: Record<string, unknown>[] } } & KubernetesObject;
      o.spec.podMetricsEndpoints[0].port = 8080;
      expect(validateMonitoringObject(o)).toEqual(['/spec/podMetricsEndpoints/0/port must be string']);
    });

    test('an apiVersion the CRD does not serve', () => {
      const o = { ...externalSecretsServiceMonitor(ESO), apiVersion: 'monitoring.coreos.com/v1alpha1' };
      expect(validateMonitoringObject(o)).toEqual(['/apiVersion must be "monitoring.coreos.com/v1" (the served version of ServiceMonitor), got "monitoring.coreos.com/v1alpha1"']);
    });

    test('a kind without a vendored CRD', () => {
      expect(() => validateMonitoringObject({ apiVersion: MONITORING_API, kind: 'Probe', metadata: { name: 'x' } })).toThrow(/no vendored monitoring.coreos.com CRD for kind "Probe"/);
    });
  });

  describe('the `(?i)` patterns of the Prometheus Operator CRDs', () => {
    // PrometheusRule spec.groups[].partial_response_strategy has pattern ^(?i)(abort|warn)?$.
    const withStrategy = (strategy: string) => {
      const o = copy(externalSecretsPrometheusRule(ESO)) as { spec: { groups: Record<string, unknown>[] } } & KubernetesObject;
      o.spec.groups[0].partial_response_strategy = strategy;
      return validateMonitoringObject(o);
    };

    test('are matched without case, as Go does', () => {
      expect(withStrategy('warn')).toEqual([]);
      expect(withStrategy('WARN')).toEqual([]);
      expect(withStrategy('Abort')).toEqual([]);
    });

    test('still reject what they do not match', () => {
      expect(withStrategy('maybe')).toEqual([expect.stringMatching(/^\/spec\/groups\/0\/partial_response_strategy must match pattern/)]);
    });

    test('goRegExp turns a leading (?i) into the i flag and refuses other inline flags', () => {
      expect(goRegExp('^(?i)(abort|warn)?$', 'u')).toEqual(/^(abort|warn)?$/iu);
      expect(goRegExp('(?i)x', 'u')).toEqual(/x/iu);
      expect(goRegExp('^(?:a|b)$', 'u')).toEqual(/^(?:a|b)$/u);
      expect(() => goRegExp('^a(?i)b$', 'u')).toThrow(/inline flag group/);
      expect(() => goRegExp('(?s).*', 'u')).toThrow(/inline flag group/);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Metric names
// ---------------------------------------------------------------------------------------------

describe('alerts use only metrics the controllers export', () => {
  const documented = documentedExternalSecretsMetrics();
  const csiMetrics: readonly string[] = Object.values(SECRETS_STORE_CSI_DRIVER_METRICS.metrics);

  test('every metric of the External Secrets rules is in External Secrets 2.9.0 metrics.md (or is Prometheus-made `up`)', () => {
    const used = [...new Set(rulesOf(externalSecretsPrometheusRule(ESO)).flatMap((r) => promqlMetricNames(r.expr)))].sort();
    expect(used).toEqual(
      [
        'controller_runtime_reconcile_total',
        'externalsecret_status_condition',
        'externalsecret_sync_calls_error',
        'externalsecret_sync_calls_total',
        'up',
        'workqueue_depth',
      ].sort(),
    );
    const allowed = new Set<string>([...documented, ...PROMETHEUS_SCRAPE_METRICS]);
    expect(used.filter((n) => !allowed.has(n))).toEqual([]);
  });

  test('the External Secrets metric constants are all documented names', () => {
    expect(Object.values(EXTERNAL_SECRETS_METRICS).filter((n) => !documented.has(n))).toEqual([]);
  });

  test('every metric of the CSI driver rules is in the sourced list (or is `up`), and none is a pre-1.4 `total_` name', () => {
    const used = [...new Set(rulesOf(csiDriverPrometheusRule(CSI)).flatMap((r) => promqlMetricNames(r.expr)))].sort();
    expect(used).toEqual(['node_publish_error_total', 'rotation_reconcile_error_total', 'up']);
    const allowed = new Set<string>([...csiMetrics, ...PROMETHEUS_SCRAPE_METRICS]);
    expect(used.filter((n) => !allowed.has(n))).toEqual([]);
    expect(csiMetrics.filter((n) => n.startsWith('total_'))).toEqual([]);
    expect(SECRETS_STORE_CSI_DRIVER_METRICS.source).toMatch(/secrets-store-csi-driver v1\.5\.6/);
  });

  test('every selector in a rule is scoped to the monitor\'s job and namespace', () => {
    const cases: [KubernetesObject, Record<string, string>][] = [
      [externalSecretsPrometheusRule(ESO), { job: 'external-secrets-metrics', namespace: 'external-secrets' }],
      [csiDriverPrometheusRule(CSI), { job: 'kube-system/secrets-store-csi-driver', namespace: 'kube-system' }],
    ];
    // The webhook and the cert controller have jobs of their own (their Services' names).
    const componentJobs: Record<string, string> = { ExternalSecretsWebhookDown: 'external-secrets-webhook', ExternalSecretsCertControllerDown: 'external-secrets-cert-controller-metrics' };
    for (const [rule, target] of cases) {
      for (const r of rulesOf(rule)) {
        for (const metric of promqlMetricNames(r.expr)) {
          const selectors = matchersOf(r.expr, metric);
          expect({ alert: r.alert, metric, count: selectors.length > 0 }).toEqual({ alert: r.alert, metric, count: true });
          for (const m of selectors) expect(m).toMatchObject({ ...target, ...(componentJobs[r.alert!] ? { job: componentJobs[r.alert!] } : {}) });
        }
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The alerts
// ---------------------------------------------------------------------------------------------

describe('External Secrets alerts', () => {
  const rules = rulesOf(externalSecretsPrometheusRule(ESO));
  const byName = (name: string) => {
    const r = rules.find((x) => x.alert === name);
    if (!r) throw new Error(`no alert ${name}`);
    return r;
  };

  test('are the not-Ready, sync-error, controller-down, not-reconciling, stalled, webhook-down, cert-controller-down and backlog alerts', () => {
    expect(rules.map((r) => r.alert)).toEqual([
      'ExternalSecretNotReady',
      'ExternalSecretSyncErrors',
      'ExternalSecretsControllerScrapeFailing',
      'ExternalSecretsControllerMetricsAbsent',
      'ExternalSecretsControllerNotReconciling',
      'ExternalSecretsSyncStalled',
      'ExternalSecretsWebhookDown',
      'ExternalSecretsCertControllerDown',
      'ExternalSecretsWorkqueueBacklog',
    ]);
  });

  test('the webhook down: no webhook pod up, which blocks every SecretStore and ExternalSecret change (failurePolicy Fail)', () => {
    const r = byName('ExternalSecretsWebhookDown');
    expect(r.expr).toBe('absent(up{job="external-secrets-webhook",namespace="external-secrets"} == 1)');
    expect(r).toMatchObject({ for: DEFAULT_CONTROLLER_DOWN_FOR, labels: { severity: 'critical' } });
    expect(r.annotations!.description).toMatch(/refuses every create and update of a SecretStore/);
    const cert = byName('ExternalSecretsCertControllerDown');
    expect(cert.expr).toBe('absent(up{job="external-secrets-cert-controller-metrics",namespace="external-secrets"} == 1)');
    expect(cert.labels!.severity).toBe('warning');
  });

  test('each has a severity, a summary and a description', () => {
    for (const r of rules) {
      expect(r.record).toBeUndefined();
      expect(['warning', 'critical']).toContain(r.labels?.severity);
      expect(Object.keys(r.annotations ?? {})).toEqual(['summary', 'description']);
      expect(r.annotations!.summary.length).toBeGreaterThan(10);
      expect(r.annotations!.description.length).toBeGreaterThan(r.annotations!.summary.length);
    }
  });

  test('an ExternalSecret not Ready for notReadyFor: its Ready=False condition gauge, naming it by namespace and name', () => {
    const r = byName('ExternalSecretNotReady');
    expect(r.for).toBe('15m');
    const [m] = matchersOf(r.expr, EXTERNAL_SECRETS_METRICS.statusCondition);
    expect(m).toEqual({ job: 'external-secrets-metrics', namespace: 'external-secrets', condition: 'Ready', status: 'False' });
    expect(r.expr).toMatch(/^max by \(namespace, exported_namespace, name\) \(.*\) == 1$/);
    // honorLabels false: the ExternalSecret's namespace label arrives as exported_namespace.
    for (const text of Object.values(r.annotations!)) expect(text).toContain('{{ $labels.exported_namespace }}/{{ $labels.name }}');
  });

  test('sync errors: the error counter rising over 5m for syncErrorsFor (10m by default)', () => {
    const r = byName('ExternalSecretSyncErrors');
    expect(r.for).toBe(DEFAULT_SYNC_ERRORS_FOR);
    expect(DEFAULT_SYNC_ERRORS_FOR).toBe('10m');
    expect(r.expr).toBe(
      'sum by (namespace, exported_namespace, name) (rate(externalsecret_sync_calls_error{job="external-secrets-metrics",namespace="external-secrets"}[5m])) > 0',
    );
    expect(r.annotations!.summary).toContain('{{ $labels.exported_namespace }}/{{ $labels.name }}');
  });

  test('the controller stops reporting: up == 0, no target at all, or no ExternalSecret controller in a reachable process', () => {
    expect(byName('ExternalSecretsControllerScrapeFailing').expr).toBe('up{job="external-secrets-metrics",namespace="external-secrets"} == 0');
    expect(byName('ExternalSecretsControllerMetricsAbsent').expr).toBe('absent(up{job="external-secrets-metrics",namespace="external-secrets"})');
    expect(byName('ExternalSecretsControllerNotReconciling').expr).toBe(
      `absent(controller_runtime_reconcile_total{job="external-secrets-metrics",namespace="external-secrets",controller="${EXTERNAL_SECRET_CONTROLLER_NAME}"})` +
        ' and on() (count(up{job="external-secrets-metrics",namespace="external-secrets"} == 1) > 0)',
    );
    for (const name of ['ExternalSecretsControllerScrapeFailing', 'ExternalSecretsControllerMetricsAbsent', 'ExternalSecretsControllerNotReconciling']) {
      expect(byName(name)).toMatchObject({ for: DEFAULT_CONTROLLER_DOWN_FOR, labels: { severity: 'critical' } });
    }
  });

  test('the field report\'s hang: the sync counter has not grown over the window while ExternalSecrets exist', () => {
    const r = byName('ExternalSecretsSyncStalled');
    expect(r.expr).toBe(
      '(sum by (namespace) (increase(externalsecret_sync_calls_total{job="external-secrets-metrics",namespace="external-secrets"}[2h])) == 0)' +
        ' and on() (count(externalsecret_status_condition{job="external-secrets-metrics",namespace="external-secrets",condition="Ready"}) > 0)',
    );
    expect(DEFAULT_SYNC_STALLED_WINDOW).toBe('2h');
    expect(r).toMatchObject({ for: DEFAULT_CONTROLLER_DOWN_FOR, labels: { severity: 'critical' } });
    expect(r.annotations!.description).toContain('deployment/external-secrets -n external-secrets');
  });

  test('a work queue that does not drain for the window', () => {
    const r = byName('ExternalSecretsWorkqueueBacklog');
    expect(r.expr).toBe('sum by (namespace) (workqueue_depth{job="external-secrets-metrics",namespace="external-secrets",name="externalsecret"}) > 0');
    expect(r.for).toBe(DEFAULT_SYNC_STALLED_WINDOW);
  });

  test('durations and the window follow the options', () => {
    const custom = rulesOf(externalSecretsPrometheusRule({ ...ESO, notReadyFor: '1h', syncErrorsFor: '30m', controllerDownFor: '5m', syncStalledWindow: '6h' }));
    const pending = Object.fromEntries(custom.map((r) => [r.alert, r.for]));
    expect(pending).toEqual({
      ExternalSecretNotReady: '1h',
      ExternalSecretSyncErrors: '30m',
      ExternalSecretsControllerScrapeFailing: '5m',
      ExternalSecretsControllerMetricsAbsent: '5m',
      ExternalSecretsControllerNotReconciling: '5m',
      ExternalSecretsSyncStalled: '5m',
      ExternalSecretsWebhookDown: '5m',
      ExternalSecretsCertControllerDown: '5m',
      ExternalSecretsWorkqueueBacklog: '6h',
    });
    expect(custom.find((r) => r.alert === 'ExternalSecretsSyncStalled')!.expr).toContain('[6h]');
  });
});

describe('CSI driver alerts', () => {
  const rules = rulesOf(csiDriverPrometheusRule(CSI));

  test('are mount errors, rotation errors, scrape failing and absent', () => {
    expect(rules.map((r) => [r.alert, r.labels?.severity, r.for])).toEqual([
      ['SecretsStoreCSIDriverMountErrors', 'warning', '10m'],
      ['SecretsStoreCSIDriverRotationErrors', 'warning', '10m'],
      ['SecretsStoreCSIDriverScrapeFailing', 'critical', '10m'],
      ['SecretsStoreCSIDriverMetricsAbsent', 'critical', '10m'],
    ]);
    for (const r of rules) expect(Object.keys(r.annotations ?? {})).toEqual(['summary', 'description']);
  });

  test('error alerts group by driver pod, provider and error type, the labels the driver records', () => {
    expect(rules[0].expr).toBe(
      'sum by (namespace, pod, provider, error_type) (rate(node_publish_error_total{job="kube-system/secrets-store-csi-driver",namespace="kube-system"}[5m])) > 0',
    );
    expect(rules[1].expr).toBe(
      'sum by (namespace, pod, provider, error_type) (rate(rotation_reconcile_error_total{job="kube-system/secrets-store-csi-driver",namespace="kube-system"}[5m])) > 0',
    );
    expect(rules[0].annotations!.summary).toContain('{{ $labels.namespace }}/{{ $labels.pod }}');
    expect(rules[0].annotations!.summary).toContain('{{ $labels.error_type }}');
  });

  test('the driver not reporting: up == 0 or no target, for the PodMonitor\'s job', () => {
    expect(csiDriverJob('kube-system')).toBe('kube-system/secrets-store-csi-driver');
    expect(rules[2].expr).toBe('up{job="kube-system/secrets-store-csi-driver",namespace="kube-system"} == 0');
    expect(rules[3].expr).toBe('absent(up{job="kube-system/secrets-store-csi-driver",namespace="kube-system"})');
  });
});

// ---------------------------------------------------------------------------------------------
// Selectors and ports against the charts
// ---------------------------------------------------------------------------------------------

describe('the ServiceMonitor selects the External Secrets chart\'s controller metrics Service', () => {
  const sm = externalSecretsServiceMonitor(ESO) as KubernetesObject & {
    spec: { selector: { matchLabels: Record<string, string> }; namespaceSelector: { matchNames: string[] }; endpoints: Record<string, unknown>[] };
  };
  const defaults = externalSecretsDefaultValues() as {
    nameOverride: string;
    fullnameOverride: string;
    serviceMonitor: { interval: string; scrapeTimeout: string; honorLabels: boolean };
    metrics: { listen: { port: number }; service: { enabled: boolean; port: number } };
  };

  test('by the labels of templates/service.yaml (chart name and release), in the controller\'s namespace', () => {
    expect(sm.metadata).toEqual({
      name: 'external-secrets-controller',
      namespace: 'external-secrets',
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY, release: 'kube-prometheus-stack' },
    });
    expect(sm.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/instance': 'external-secrets', 'app.kubernetes.io/name': 'external-secrets' } });
    expect(sm.spec.namespaceSelector).toEqual({ matchNames: ['external-secrets'] });
    // The chart's name label is its Chart.yaml name, which the product installs, unless nameOverride.
    expect(EXTERNAL_SECRETS_CHART.chartName).toBe(EXTERNAL_SECRETS_CHART_NAME);
    expect(defaults.nameOverride).toBe('');
    expect(defaults.fullnameOverride).toBe('');
    expect(externalSecretsValues()).not.toHaveProperty('nameOverride');
    expect(externalSecretsValues()).not.toHaveProperty('fullnameOverride');
  });

  test('on the Service port named `metrics`, which the product turns on', () => {
    expect(sm.spec.endpoints).toEqual([{ port: 'metrics', interval: '30s', scrapeTimeout: '25s', honorLabels: false }]);
    expect(externalSecretsValues()).toMatchObject({ metrics: { service: { enabled: true } } });
    expect(defaults.metrics.service.enabled).toBe(false); // why the product has to turn it on
    expect(defaults.metrics.service.port).toBe(8080);
    expect(defaults.metrics.listen.port).toBe(8080);
  });

  test('scraping as the chart\'s own ServiceMonitor would (values.yaml serviceMonitor)', () => {
    const [endpoint] = sm.spec.endpoints;
    expect(endpoint.interval).toBe(defaults.serviceMonitor.interval);
    expect(endpoint.scrapeTimeout).toBe(defaults.serviceMonitor.scrapeTimeout);
    expect(endpoint.honorLabels).toBe(defaults.serviceMonitor.honorLabels);
  });

  test('the job label is the metrics Service\'s name, derived as the chart names it', () => {
    expect(externalSecretsFullname('external-secrets')).toBe('external-secrets');
    expect(externalSecretsMetricsServiceName('external-secrets')).toBe('external-secrets-metrics');
    expect(externalSecretsFullname('my-external-secrets-prod')).toBe('my-external-secrets-prod');
    expect(externalSecretsMetricsServiceName('platform')).toBe('platform-external-secrets-metrics');
    // 53 characters (Helm's longest release name) plus -external-secrets is cut to 63, then to 55 for the suffix.
    const long = `${'a'.repeat(52)}b`;
    expect(externalSecretsFullname(long)).toBe(`${long}-external`);
    expect(externalSecretsMetricsServiceName(long)).toBe(`${long}-e-metrics`);
    expect(externalSecretsMetricsServiceName(long).length).toBeLessThanOrEqual(63);
    // trimSuffix "-" after the cut.
    expect(externalSecretsMetricsServiceName(`${'a'.repeat(54)}`)).toBe(`${'a'.repeat(54)}-metrics`);
    expect(externalSecretsMetricsServiceName(`${'a'.repeat(40)}-x`)).toBe(`${'a'.repeat(40)}-x-external-sec-metrics`);
  });
});

describe('the PodMonitor selects the Secrets Store CSI driver\'s DaemonSet pods', () => {
  const pm = csiDriverPodMonitor(CSI) as KubernetesObject & {
    spec: { selector: { matchLabels: Record<string, string> }; namespaceSelector: { matchNames: string[] }; podMetricsEndpoints: Record<string, unknown>[] };
  };
  const azureDefaults = parse(readFileSync(CSI_AZURE_VALUES_YAML, 'utf8')) as { 'secrets-store-csi-driver': Record<string, unknown> & { linux: { metricsAddr: string } } };

  test('by the chart name and the release that installed it, in its namespace, on the `metrics` container port', () => {
    expect(pm.metadata).toEqual({
      name: 'secrets-store-csi-driver',
      namespace: 'kube-system',
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY, release: 'kube-prometheus-stack' },
    });
    expect(pm.spec.selector).toEqual({
      matchLabels: { 'app.kubernetes.io/instance': 'csi-secrets-store-provider-azure', 'app.kubernetes.io/name': SECRETS_STORE_CSI_DRIVER_CHART.chartName },
    });
    expect(pm.spec.namespaceSelector).toEqual({ matchNames: ['kube-system'] });
    expect(pm.spec.podMetricsEndpoints).toEqual([{ port: 'metrics', interval: '30s', honorLabels: false }]);
  });

  test('the Azure chart installs the driver as its dependency without renaming it, with a metrics address', () => {
    const sub = azureDefaults['secrets-store-csi-driver'];
    // fullnameOverride renames the DaemonSet only; the name label comes from nameOverride, which is unset.
    expect(sub).not.toHaveProperty('nameOverride');
    expect(sub.linux.metricsAddr).toMatch(/^:\d+$/);
    const productValues = csiAzureValues('2m') as { 'secrets-store-csi-driver': Record<string, unknown> };
    expect(productValues['secrets-store-csi-driver']).toMatchObject({ install: true });
    expect(productValues['secrets-store-csi-driver']).not.toHaveProperty('nameOverride');
    expect(productValues['secrets-store-csi-driver']).not.toHaveProperty('linux');
  });
});

// ---------------------------------------------------------------------------------------------
// Determinism and options
// ---------------------------------------------------------------------------------------------

describe('builders', () => {
  test.each(builders)('%s is deterministic, with sorted labels', (_name, build) => {
    const a = build();
    expect(JSON.stringify(build())).toBe(JSON.stringify(a));
    const labels = Object.keys(a.metadata.labels ?? {});
    expect(labels).toEqual([...labels].sort());
    expect(a.metadata.labels?.[MANAGED_BY_LABEL]).toBe(MANAGED_BY);
  });

  test('label order does not depend on the order options give them', () => {
    const one = externalSecretsServiceMonitor({ ...ESO, labels: { b: '2', a: '1' } });
    const two = externalSecretsServiceMonitor({ ...ESO, labels: { a: '1', b: '2' } });
    expect(JSON.stringify(one)).toBe(JSON.stringify(two));
    expect(Object.keys(one.metadata.labels!)).toEqual(['a', MANAGED_BY_LABEL, 'b']);
  });

  test.each(builders)('%s carries no Terraform template sequence (the objects also go through kubernetes_manifest)', (_name, build) => {
    expect(strings(build()).filter((s) => s.includes('${') || s.includes('%{'))).toEqual([]);
  });

  test('refuse bad options, all of them at once', () => {
    const bad: MonitoringOptions = {
      namespace: 'External_Secrets',
      releaseName: 'ESO',
      notReadyFor: 'ten minutes',
      syncErrorsFor: '0',
      controllerDownFor: '1.5h',
      syncStalledWindow: '',
      labels: { [MANAGED_BY_LABEL]: 'me', 'bad key!': 'x', release: 'not valid!' },
    };
    let message = '';
    try {
      externalSecretsPrometheusRule(bad);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.split('\n')).toEqual([
      'externalSecretsPrometheusRule: 9 invalid option(s):',
      '  - namespace: "External_Secrets": a Kubernetes namespace is a DNS-1123 label',
      '  - releaseName: "ESO": a Helm release name (lowercase DNS-1123 subdomain, at most 53 characters)',
      '  - syncErrorsFor: "0": a non-zero Prometheus duration (such as 90s, 15m, 1h30m)',
      '  - controllerDownFor: "1.5h": a non-zero Prometheus duration (such as 90s, 15m, 1h30m)',
      `  - labels: "${MANAGED_BY_LABEL}": set by the product`,
      '  - labels: "bad key!": not a Kubernetes label name',
      '  - labels.release: "not valid!": not a Kubernetes label value',
      '  - notReadyFor: "ten minutes": a non-zero Prometheus duration (such as 90s, 15m, 1h30m)',
      '  - syncStalledWindow: "": a non-zero Prometheus duration (such as 90s, 15m, 1h30m)',
    ]);
    expect(() => csiDriverPodMonitor({ namespace: 'kube-system', releaseName: 'x'.repeat(54) })).toThrow(/releaseName: "x{54}": a Helm release name/);
    expect(() => externalSecretsServiceMonitor({ ...ESO, notReadyFor: '15m', controllerDownFor: '5x' })).toThrow(/controllerDownFor: "5x"/);
  });
});

describe('monitoring in the declaration', () => {
  const { loadDeclarationFile, parseDeclaration } = require('../lib/declaration/load');
  const { planGcpEnvironment } = require('../lib/plan/gcp-plan');
  const { planAzureEnvironment } = require('../lib/plan/azure-plan');
  const example = loadDeclarationFile(require('node:path').join(__dirname, '..', 'secrets.yaml'));

  test('the example asks for it: every External Secrets install gets ServiceMonitors for its controller, webhook and cert controller and a PrometheusRule, valid against the CRDs, apart from the manifests', () => {
    for (const env of example.environments) {
      const plans = [planGcpEnvironment(example, env), ...(env.azure?.delivery === 'externalSecrets' ? [planAzureEnvironment(example, env)] : [])];
      for (const plan of plans) {
        // Not among the manifests: a cluster without the monitoring CRDs still gets its secrets.
        expect(plan.objects.filter((o: any) => o.apiVersion === 'monitoring.coreos.com/v1')).toEqual([]);
        const monitoring = plan.monitoring.objects;
        expect(monitoring.map((o: any) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
          'PrometheusRule/external-secrets-controller',
          'ServiceMonitor/external-secrets-cert-controller-metrics',
          'ServiceMonitor/external-secrets-controller',
          'ServiceMonitor/external-secrets-webhook',
        ]);
        for (const o of monitoring) {
          expect([o.kind, validateMonitoringObject(o)]).toEqual([o.kind, []]);
          expect(o.metadata.labels.release).toBe('kube-prometheus-stack');
        }
      }
    }
    const production = example.environments.find((e: any) => e.name === 'production');
    const rule = planGcpEnvironment(example, production).monitoring.objects.find((o: any) => o.kind === 'PrometheusRule');
    expect(rule.spec.groups[0].rules.find((r: any) => r.alert === 'ExternalSecretNotReady').for).toBe('10m');
  });

  test('off unless asked for', () => {
    const decl = require('yaml').parse(require('node:fs').readFileSync(require('node:path').join(__dirname, '..', 'secrets.yaml'), 'utf8'));
    delete decl.environments.evaluation.monitoring;
    const m = parseDeclaration(decl);
    const env = m.environments.find((e: any) => e.name === 'evaluation');
    expect(planGcpEnvironment(m, env).monitoring).toBeUndefined();
  });

  test('the stalled-sync window follows the refresh interval, and must exceed it', () => {
    const decl = require('yaml').parse(require('node:fs').readFileSync(require('node:path').join(__dirname, '..', 'secrets.yaml'), 'utf8'));
    decl.environments.evaluation.refreshInterval = '6h';
    const m = parseDeclaration(decl);
    expect(m.environments.find((e: any) => e.name === 'evaluation').monitoring.syncStalledWindow).toBe('720m');
    decl.environments.evaluation.monitoring.syncStalledWindow = '1h';
    expect(() => parseDeclaration(decl)).toThrow(/environments\.evaluation\.monitoring\.syncStalledWindow: "1h": must be longer than refreshInterval \(6h\)/);
  });
});

test('alert durations of zero are refused', () => {
  const { parseDeclaration } = require('../lib/declaration/load');
  const decl = require('yaml').parse(require('node:fs').readFileSync(require('node:path').join(__dirname, '..', 'secrets.yaml'), 'utf8'));
  decl.environments.evaluation.monitoring.notReadyFor = '0s';
  expect(() => parseDeclaration(decl)).toThrow(/environments\.evaluation\.monitoring\.notReadyFor: "0s": must be longer than 0s/);
});
