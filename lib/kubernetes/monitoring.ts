/**
 * Prometheus Operator objects (monitoring.coreos.com/v1) that make a stalled secret controller
 * visible: a scrape definition for the External Secrets controller's metrics Service and for the
 * Secrets Store CSI driver's pods, and alerting rules on the metrics those components really
 * export. Builders return plain objects, like those in ./objects.ts; nothing here imports cdktf.
 *
 * The liveness probe restarts a controller whose process died or whose health server hangs. The
 * hang of the field report (the controller answers probes and serves /metrics, but no longer
 * syncs) is only visible in its metrics: the sync counter stops growing. The rules below alert on
 * that, on a controller Prometheus cannot scrape, and on secrets that fail to sync.
 *
 * Every metric name, label and port below is taken from the upstream source named next to it.
 * Upstream revisions read:
 * - external-secrets/external-secrets cc5bfbc2234ace9cb0caff4ea89c435cf517b27b (tag helm-chart-2.9.0,
 *   v2.9.0), which pins sigs.k8s.io/controller-runtime v0.24.1 (go.mod);
 * - kubernetes-sigs/controller-runtime v0.24.1;
 * - kubernetes-sigs/secrets-store-csi-driver v1.5.6 (the driver chart and image that the
 *   csi-secrets-store-provider-azure chart 1.8.2 installs: its Chart.yaml depends on
 *   secrets-store-csi-driver 1.5.6, its values.yaml sets image tag v1.5.6) and v1.6.0;
 * - Azure/secrets-store-csi-driver-provider-azure d5f7cf5b598c2eede99ad3683de0ba10f7a8736b (chart 1.8.2);
 * - prometheus-operator/prometheus-operator 6adcebc5076c34f4f55f8f5f7b1e528929373ac7 (0.93.0).
 */
import { MANAGED_BY } from '../declaration/naming';
import { MANAGED_BY_LABEL, type KubernetesObject } from './objects';

export const MONITORING_API = 'monitoring.coreos.com/v1';

/** Options shared by the monitoring builders. */
export interface MonitoringOptions {
  /** Namespace the controller runs in. The monitoring objects are created there as well. */
  readonly namespace: string;
  /** Name of the Helm release that installed the controller, e.g. `external-secrets`. */
  readonly releaseName: string;
  /** How long an ExternalSecret may report Ready=False before it alerts (Prometheus duration, e.g. `15m`). */
  readonly notReadyFor: string;
  /** How long sync (or mount) errors must keep occurring before they alert. @default '10m' */
  readonly syncErrorsFor?: string;
  /** How long the controller may be unscrapeable, absent or stalled before it alerts. @default '10m' */
  readonly controllerDownFor?: string;
  /**
   * Window over which the External Secrets sync counter must grow while ExternalSecrets exist, and
   * how long its work queue may stay non-empty. Each ExternalSecret is synced once per its
   * `refreshInterval`, so this must be longer than the longest refreshInterval in the cluster, or
   * the stall alert fires on a healthy controller between two refreshes.
   * @default '2h' (twice the product's default refreshInterval of 1h)
   */
  readonly syncStalledWindow?: string;
  /**
   * Extra labels on the ServiceMonitor, PodMonitor and PrometheusRule, for a Prometheus that selects
   * monitors and rules by label (e.g. `release: kube-prometheus-stack`).
   * @default - only the product's managed-by label
   */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Options of the CSI driver builders: the CSI driver has no per-object readiness nor a sync counter to stall. */
export type CsiDriverMonitoringOptions = Omit<MonitoringOptions, 'notReadyFor' | 'syncStalledWindow'>;

export const DEFAULT_SYNC_ERRORS_FOR = '10m';
export const DEFAULT_CONTROLLER_DOWN_FOR = '10m';
export const DEFAULT_SYNC_STALLED_WINDOW = '2h';
/** Scrape interval of both monitors (also the External Secrets chart's `serviceMonitor.interval` default). */
export const SCRAPE_INTERVAL = '30s';
/** Range of the `rate()` over error counters. */
export const ERROR_RATE_WINDOW = '5m';

// ---------------------------------------------------------------------------------------------
// Upstream facts
// ---------------------------------------------------------------------------------------------

/**
 * What the External Secrets chart 2.9.0 renders for the core controller's metrics Service, which
 * exists when `metrics.service.enabled: true` (the product's values set it).
 */
export const EXTERNAL_SECRETS_CHART = {
  /** deploy/charts/external-secrets/Chart.yaml `name`; `external-secrets.name` in templates/_helpers.tpl is `.Chart.Name` unless nameOverride. */
  chartName: 'external-secrets',
  /**
   * templates/service.yaml: `metadata.labels` include `external-secrets.labels`, which include
   * `external-secrets.selectorLabels` (templates/_helpers.tpl): `app.kubernetes.io/name: <chart name>`
   * and `app.kubernetes.io/instance: <release name>`. The webhook and cert-controller Services carry
   * `<chart name>-webhook` / `<chart name>-cert-controller` as their name label, so these two labels
   * select the controller's metrics Service only (the chart's own templates/servicemonitor.yaml
   * selects it the same way).
   */
  nameLabel: 'app.kubernetes.io/name',
  instanceLabel: 'app.kubernetes.io/instance',
  /** templates/service.yaml `ports[0].name` (targetPort `metrics`, the container port of templates/deployment.yaml). */
  metricsPortName: 'metrics',
  /** templates/service.yaml `metadata.name`: `external-secrets.componentName (list . "-metrics")`. */
  metricsServiceSuffix: '-metrics',
  /** values.yaml `serviceMonitor.scrapeTimeout`, the chart's own ServiceMonitor default. */
  scrapeTimeout: '25s',
  /**
   * The webhook and the cert controller (templates/webhook-service.yaml, cert-controller-service.yaml):
   * their Services carry `external-secrets-webhook.selectorLabels` / `external-secrets-cert-controller.selectorLabels`
   * (templates/_helpers.tpl: `app.kubernetes.io/name: <chart name>-webhook` / `-cert-controller`, and the
   * instance), as do their pods (webhook-deployment.yaml, cert-controller-deployment.yaml, container
   * port `metrics`). The webhook Service has a `metrics` port when `webhook.metrics.service.enabled`;
   * the cert controller's metrics Service exists when `certController.metrics.service.enabled` (both
   * set by the product's values). Service names: `external-secrets.componentName` with these suffixes.
   */
  components: {
    webhook: { nameSuffix: '-webhook', serviceSuffix: '-webhook' },
    certController: { nameSuffix: '-cert-controller', serviceSuffix: '-cert-controller-metrics' },
  },
  /** values.yaml `webhook.failurePolicy`: Fail. While no webhook pod answers, the API server refuses every create and update the webhook validates. */
  webhookFailurePolicy: 'Fail',
} as const;

/** The three components of External Secrets Operator the product scrapes. */
export type ExternalSecretsComponent = 'controller' | 'webhook' | 'certController';

/**
 * Name of a component's metrics Service (the `job` label of its metrics with a ServiceMonitor) and
 * of its GMP PodMonitoring (the `job` label there): the same name in every flavor, so the rules
 * are the same.
 */
export function externalSecretsJob(releaseName: string, component: ExternalSecretsComponent): string {
  if (component === 'controller') return externalSecretsMetricsServiceName(releaseName);
  const suffix = EXTERNAL_SECRETS_CHART.components[component].serviceSuffix;
  return `${truncTrim(externalSecretsFullname(releaseName), 63 - suffix.length)}${suffix}`;
}

/** The `app.kubernetes.io/name` and instance labels of a component's Service and pods. */
export function externalSecretsSelector(releaseName: string, component: ExternalSecretsComponent): Record<string, string> {
  const name = component === 'controller' ? EXTERNAL_SECRETS_CHART.chartName : `${EXTERNAL_SECRETS_CHART.chartName}${EXTERNAL_SECRETS_CHART.components[component].nameSuffix}`;
  return sortedRecord([
    [EXTERNAL_SECRETS_CHART.nameLabel, name],
    [EXTERNAL_SECRETS_CHART.instanceLabel, releaseName],
  ]);
}

/**
 * The metrics the External Secrets rules use. All are listed in docs/api/metrics.md of External
 * Secrets 2.9.0 (vendored as vendor/upstream/external-secrets-2.9.0/metrics.md), which the tests check.
 */
export const EXTERNAL_SECRETS_METRICS = {
  /**
   * Gauge, labels `name`, `namespace` (of the ExternalSecret), `condition`, `status`: 1 for the
   * ExternalSecret's current Ready status, 0 for the opposite one
   * (pkg/controllers/externalsecret/esmetrics/esmetrics.go UpdateExternalSecretCondition,
   * pkg/controllers/metrics/labels.go ConditionMetricLabelNames, pkg/controllers/externalsecret/util.go).
   */
  statusCondition: 'externalsecret_status_condition',
  /**
   * Counter, labels `name`, `namespace`: incremented at the end of every Reconcile of an
   * ExternalSecret (pkg/controllers/externalsecret/externalsecret_controller.go Reconcile, deferred Inc).
   */
  syncCallsTotal: 'externalsecret_sync_calls_total',
  /** Counter, labels `name`, `namespace`: sync errors (same files). */
  syncCallsError: 'externalsecret_sync_calls_error',
  /**
   * controller-runtime counter, labels `controller`, `result`; initialised to 0 for every result
   * when the controller starts (controller-runtime v0.24.1 pkg/internal/controller/controller.go
   * initMetrics, pkg/internal/controller/metrics/metrics.go). Named in metrics.md's SLI section.
   */
  reconcileTotal: 'controller_runtime_reconcile_total',
  /** client-go work queue depth, label `name` = the controller's name (metrics.md's SLI section). */
  workqueueDepth: 'workqueue_depth',
} as const;

/**
 * Name of the ExternalSecret controller in controller-runtime's metrics (`controller` label, and
 * the work queue's `name`): ExternalSecret's reconciler is built with `For(&esv1.ExternalSecret{})`
 * and no `Named()` (externalsecret_controller.go SetupWithManager), so controller-runtime names it
 * `strings.ToLower(kind)` (v0.24.1 pkg/builder/controller.go getControllerName) and its queue after
 * it (pkg/controller/controller.go NewQueue; External Secrets sets UsePriorityQueue false in
 * pkg/controllers/common/common.go).
 */
export const EXTERNAL_SECRET_CONTROLLER_NAME = 'externalsecret';

/**
 * Series Prometheus itself writes for every scrape target, which no exporter lists: `up` is 1 when
 * the last scrape succeeded and 0 when it failed (Prometheus docs, "Jobs and instances",
 * automatically generated labels and time series).
 */
export const PROMETHEUS_SCRAPE_METRICS = ['up'] as const;

/**
 * The metrics the Secrets Store CSI driver exports, as they appear on /metrics.
 *
 * The driver records OpenTelemetry instruments named `node_publish`, `node_unpublish`,
 * `node_publish_error`, `node_unpublish_error`, `sync_k8s_secret`, `k8s_secret_duration_sec`
 * (pkg/secrets-store/stats_reporter.go) and `rotation_reconcile`, `rotation_reconcile_error`,
 * `rotation_reconcile_duration_sec` (v1.5.6 pkg/rotation/stats_reporter.go; moved to
 * pkg/secrets-store/stats_reporter.go in v1.6.0), exported through the OpenTelemetry Prometheus
 * exporter (pkg/metrics/prometheus_exporter.go, go.opentelemetry.io/otel/exporters/prometheus
 * v0.38.1 in v1.5.6's go.mod), which appends `_total` to counters
 * (open-telemetry/opentelemetry-go#3360). test/bats/e2e-provider.bats "Validate metrics" asserts
 * `node_publish_total`, `node_unpublish_total` and `rotation_reconcile_total` on /metrics.
 *
 * NOTE: docs/book/src/topics/metrics.md still lists the pre-1.4 names (`total_node_publish_error`,
 * `total_rotation_reconcile_error`, `total_sync_k8s_secret`, `sync_k8s_secret_duration_sec`, ...),
 * which the driver no longer exports (kubernetes-sigs/secrets-store-csi-driver#1254 dropped the
 * `total_` prefix; #1937 and #2038 report and correct the docs). Histograms appear as
 * `<name>_bucket`, `<name>_sum` and `<name>_count`.
 *
 * Labels: `os_type` on all; `provider` on node_publish, node_publish_error, sync_k8s_secret,
 * rotation_reconcile, rotation_reconcile_error; `error_type` on the two error counters that take an
 * error type (node_publish_error, rotation_reconcile_error); `rotated` on the rotation counters.
 * None names the pod, namespace or SecretProviderClass being mounted. A series appears only once
 * it was first recorded on that node (OpenTelemetry exports no zero counters).
 */
export const SECRETS_STORE_CSI_DRIVER_METRICS = {
  source:
    'kubernetes-sigs/secrets-store-csi-driver v1.5.6: pkg/secrets-store/stats_reporter.go, pkg/rotation/stats_reporter.go, pkg/metrics/prometheus_exporter.go, go.mod, test/bats/e2e-provider.bats',
  metrics: {
    nodePublish: 'node_publish_total',
    nodeUnpublish: 'node_unpublish_total',
    nodePublishError: 'node_publish_error_total',
    nodeUnpublishError: 'node_unpublish_error_total',
    syncK8sSecret: 'sync_k8s_secret_total',
    syncK8sSecretDuration: 'k8s_secret_duration_sec',
    rotationReconcile: 'rotation_reconcile_total',
    rotationReconcileError: 'rotation_reconcile_error_total',
    rotationReconcileDuration: 'rotation_reconcile_duration_sec',
  },
} as const;

/**
 * What the secrets-store-csi-driver chart (1.5.6, the one csi-secrets-store-provider-azure 1.8.2
 * installs) renders for the driver. It creates no Service for the metrics (charts/secrets-store-csi-driver/templates
 * has none), so the driver's pods are scraped directly with a PodMonitor.
 */
export const SECRETS_STORE_CSI_DRIVER_CHART = {
  /** charts/secrets-store-csi-driver/Chart.yaml `name`; `sscd.name` in templates/_helpers.tpl is `.Chart.Name` unless nameOverride. */
  chartName: 'secrets-store-csi-driver',
  /**
   * templates/secrets-store-csi-driver.yaml: pod labels are `sscd.labels` (templates/_helpers.tpl):
   * `app.kubernetes.io/instance: <release name>` (the parent chart's release when installed as the
   * Azure chart's dependency) and `app.kubernetes.io/name: <chart name>`. The Azure provider's own
   * pods carry `app.kubernetes.io/name: csi-secrets-store-provider-azure` and are not selected.
   */
  nameLabel: 'app.kubernetes.io/name',
  instanceLabel: 'app.kubernetes.io/instance',
  /**
   * templates/secrets-store-csi-driver.yaml, container `secrets-store`: `ports[].name: metrics`,
   * `containerPort` from `linux.metricsAddr` (`:8095` in the driver chart's values.yaml; the Azure
   * chart 1.8.2 sets `secrets-store-csi-driver.linux.metricsAddr: ":8080"`). Selected by name, so
   * the number does not matter.
   */
  metricsPortName: 'metrics',
  /** Name of the PodMonitor and PrometheusRule; the PodMonitor's `job` label is `<namespace>/<this>`. */
  monitorName: 'secrets-store-csi-driver',
} as const;

// ---------------------------------------------------------------------------------------------
// Checks and helpers
// ---------------------------------------------------------------------------------------------

/** Prometheus duration, the pattern of the Prometheus Operator CRDs' `for`, `interval`, ... fields. */
const PROMETHEUS_DURATION = /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Helm release names: a DNS-1123 subdomain of at most 53 characters (Helm's pkg/chartutil/validate_name.go ValidateReleaseName). */
const HELM_RELEASE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function checkDuration(problems: string[], field: string, value: string): void {
  // "" and "0" match the CRD pattern but make no sense as a window or a pending period.
  if (value === '' || value === '0' || !PROMETHEUS_DURATION.test(value)) {
    problems.push(`${field}: ${JSON.stringify(value)}: a non-zero Prometheus duration (such as 90s, 15m, 1h30m)`);
  }
}

function checkCommon(o: CsiDriverMonitoringOptions, problems: string[]): void {
  if (!DNS1123_LABEL.test(o.namespace) || o.namespace.length > 63) {
    problems.push(`namespace: ${JSON.stringify(o.namespace)}: a Kubernetes namespace is a DNS-1123 label`);
  }
  if (!HELM_RELEASE_NAME.test(o.releaseName) || o.releaseName.length > 53) {
    problems.push(`releaseName: ${JSON.stringify(o.releaseName)}: a Helm release name (lowercase DNS-1123 subdomain, at most 53 characters)`);
  }
  checkDuration(problems, 'syncErrorsFor', o.syncErrorsFor ?? DEFAULT_SYNC_ERRORS_FOR);
  checkDuration(problems, 'controllerDownFor', o.controllerDownFor ?? DEFAULT_CONTROLLER_DOWN_FOR);
  for (const [k, v] of Object.entries(o.labels ?? {})) {
    const name = k.includes('/') ? k.slice(k.indexOf('/') + 1) : k;
    if (!LABEL_NAME.test(k) || name.length > 63 || k.length - name.length > 254) problems.push(`labels: ${JSON.stringify(k)}: not a Kubernetes label name`);
    else if (k === MANAGED_BY_LABEL) problems.push(`labels: ${JSON.stringify(k)}: set by the product`);
    if (!LABEL_VALUE.test(v) || v.length > 63) problems.push(`labels.${k}: ${JSON.stringify(v)}: not a Kubernetes label value`);
  }
}

function throwIfAny(builder: string, problems: readonly string[]): void {
  if (problems.length > 0) throw new Error(`${builder}: ${problems.length} invalid option(s):\n  - ${problems.join('\n  - ')}`);
}

function checkExternalSecretsOptions(builder: string, o: MonitoringOptions): void {
  const problems: string[] = [];
  checkCommon(o, problems);
  checkDuration(problems, 'notReadyFor', o.notReadyFor);
  checkDuration(problems, 'syncStalledWindow', o.syncStalledWindow ?? DEFAULT_SYNC_STALLED_WINDOW);
  throwIfAny(builder, problems);
}

function sortedRecord(entries: Iterable<[string, string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out[k] = v;
  return out;
}

/** Labels of every monitoring object: the product's managed-by label and the caller's, sorted by key. */
function monitoringLabels(o: CsiDriverMonitoringOptions): Record<string, string> {
  return sortedRecord([[MANAGED_BY_LABEL, MANAGED_BY], ...Object.entries(o.labels ?? {})]);
}

const promString = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** A PromQL instant vector selector, matchers in the order given. */
function selector(metric: string, matchers: Readonly<Record<string, string>>): string {
  return `${metric}{${Object.entries(matchers)
    .map(([k, v]) => `${k}=${promString(v)}`)
    .join(',')}}`;
}

/** Trims a name as Helm's `trunc N | trimSuffix "-"` does (trimSuffix removes one dash). */
function truncTrim(s: string, n: number): string {
  const t = s.slice(0, n);
  return t.endsWith('-') ? t.slice(0, -1) : t;
}

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: { readonly severity: 'warning' | 'critical' };
  readonly annotations: { readonly summary: string; readonly description: string };
}

function alert(name: string, expr: string, pendingFor: string, severity: 'warning' | 'critical', summary: string, description: string): AlertRule {
  return { alert: name, expr, for: pendingFor, labels: { severity }, annotations: { summary, description } };
}

function prometheusRule(name: string, o: CsiDriverMonitoringOptions, group: string, rules: readonly AlertRule[]): KubernetesObject {
  return {
    apiVersion: MONITORING_API,
    kind: 'PrometheusRule',
    metadata: { name, namespace: o.namespace, labels: monitoringLabels(o) },
    spec: { groups: [{ name: group, rules: [...rules] }] },
  };
}

// ---------------------------------------------------------------------------------------------
// External Secrets Operator
// ---------------------------------------------------------------------------------------------

/**
 * The chart's `external-secrets.fullname` (templates/_helpers.tpl) for a release, with nameOverride
 * and fullnameOverride unset (the product sets neither): the release name when it contains the
 * chart name, else `<release>-external-secrets`, truncated to 63 characters.
 */
export function externalSecretsFullname(releaseName: string): string {
  const name = EXTERNAL_SECRETS_CHART.chartName;
  return truncTrim(releaseName.includes(name) ? releaseName : `${releaseName}-${name}`, 63);
}

/**
 * Name of the controller's metrics Service (templates/service.yaml, `external-secrets.componentName`
 * with suffix `-metrics`), which is also the `job` label of its metrics: a ServiceMonitor without
 * `jobLabel` labels them with the Service's name (prometheus-operator pkg/prometheus/promcfg.go
 * generateServiceMonitorConfig; the CRD's `jobLabel` description).
 */
export function externalSecretsMetricsServiceName(releaseName: string): string {
  const suffix = EXTERNAL_SECRETS_CHART.metricsServiceSuffix;
  return `${truncTrim(externalSecretsFullname(releaseName), 63 - suffix.length)}${suffix}`;
}

/**
 * A ServiceMonitor scraping the External Secrets controller's metrics Service (the chart creates it
 * with `metrics.service.enabled: true`) every 30s.
 *
 * Named `<fullname>-controller`, so it does not collide with the chart's own ServiceMonitor
 * (`<fullname>-metrics`) should `serviceMonitor.enabled` be turned on as well (it would scrape
 * the controller twice; leave one of them off).
 *
 * honorLabels stays false, the chart's default and the only value a Prometheus with
 * `overrideHonorLabels` keeps: the ExternalSecret's own `namespace` label then arrives as
 * `exported_namespace`, while `namespace` is the controller's (Prometheus renames a scraped label
 * that collides with a target label to `exported_<name>`; the operator sets the `namespace`,
 * `service`, `pod`, `container`, `job` and `endpoint` target labels).
 */
export function externalSecretsServiceMonitor(o: MonitoringOptions): KubernetesObject {
  checkExternalSecretsOptions('externalSecretsServiceMonitor', o);
  return {
    apiVersion: MONITORING_API,
    kind: 'ServiceMonitor',
    metadata: { name: `${externalSecretsFullname(o.releaseName)}-controller`, namespace: o.namespace, labels: monitoringLabels(o) },
    spec: {
      selector: { matchLabels: externalSecretsSelector(o.releaseName, 'controller') },
      namespaceSelector: { matchNames: [o.namespace] },
      endpoints: [
        {
          port: EXTERNAL_SECRETS_CHART.metricsPortName,
          interval: SCRAPE_INTERVAL,
          scrapeTimeout: EXTERNAL_SECRETS_CHART.scrapeTimeout,
          honorLabels: false,
        },
      ],
    },
  };
}

/**
 * A ServiceMonitor scraping the metrics port of the External Secrets webhook's or cert controller's
 * Service, as {@link externalSecretsServiceMonitor} does the controller's; named after that Service.
 */
export function externalSecretsComponentServiceMonitor(o: MonitoringOptions, component: 'webhook' | 'certController'): KubernetesObject {
  checkExternalSecretsOptions('externalSecretsComponentServiceMonitor', o);
  return {
    apiVersion: MONITORING_API,
    kind: 'ServiceMonitor',
    metadata: { name: externalSecretsJob(o.releaseName, component), namespace: o.namespace, labels: monitoringLabels(o) },
    spec: {
      selector: { matchLabels: externalSecretsSelector(o.releaseName, component) },
      namespaceSelector: { matchNames: [o.namespace] },
      endpoints: [{ port: EXTERNAL_SECRETS_CHART.metricsPortName, interval: SCRAPE_INTERVAL, scrapeTimeout: EXTERNAL_SECRETS_CHART.scrapeTimeout, honorLabels: false }],
    },
  };
}

/**
 * Alerting rules for the External Secrets controller scraped by {@link externalSecretsServiceMonitor}:
 *
 * - ExternalSecretNotReady: an ExternalSecret reports Ready=False for `notReadyFor`;
 * - ExternalSecretSyncErrors: an ExternalSecret's sync errors keep rising for `syncErrorsFor`;
 * - ExternalSecretsControllerScrapeFailing: a controller pod is a target but cannot be scraped;
 * - ExternalSecretsControllerMetricsAbsent: Prometheus has no target for the controller at all
 *   (no ready pod behind the Service, Service or ServiceMonitor missing or not selected);
 * - ExternalSecretsControllerNotReconciling: the process answers scrapes but its ExternalSecret
 *   controller never started (controller-runtime initialises its reconcile counter on start);
 * - ExternalSecretsSyncStalled: the field report's hang: the controller is up, ExternalSecrets
 *   exist, but the sync counter has not grown for `syncStalledWindow`;
 * - ExternalSecretsWorkqueueBacklog: ExternalSecrets wait in the work queue for `syncStalledWindow`
 *   without being taken (workers stuck). This also covers a controller that hangs right after a
 *   restart, before its sync counter has any series for the stall rule to look at.
 *
 * Each alert has a `severity` label and `summary`/`description` annotations naming the
 * ExternalSecret (`exported_namespace`/`name`, see {@link externalSecretsServiceMonitor}) or the
 * controller's namespace and pod.
 */
export function externalSecretsPrometheusRule(o: MonitoringOptions): KubernetesObject {
  checkExternalSecretsOptions('externalSecretsPrometheusRule', o);
  const m = EXTERNAL_SECRETS_METRICS;
  const fullname = externalSecretsFullname(o.releaseName);
  const job = externalSecretsMetricsServiceName(o.releaseName);
  const webhookJob = externalSecretsJob(o.releaseName, 'webhook');
  const certJob = externalSecretsJob(o.releaseName, 'certController');
  const target = { job, namespace: o.namespace };
  const syncErrorsFor = o.syncErrorsFor ?? DEFAULT_SYNC_ERRORS_FOR;
  const downFor = o.controllerDownFor ?? DEFAULT_CONTROLLER_DOWN_FOR;
  const window = o.syncStalledWindow ?? DEFAULT_SYNC_STALLED_WINDOW;
  const es = '{{ $labels.exported_namespace }}/{{ $labels.name }}';
  const controller = `the External Secrets controller (release ${o.releaseName}, namespace ${o.namespace}, job ${job})`;
  const targetsUp = `count(${selector('up', target)} == 1) > 0`;
  const externalSecretsExist = `count(${selector(m.statusCondition, { ...target, condition: 'Ready' })}) > 0`;

  const rules = [
    alert(
      'ExternalSecretNotReady',
      `max by (namespace, exported_namespace, name) (${selector(m.statusCondition, { ...target, condition: 'Ready', status: 'False' })}) == 1`,
      o.notReadyFor,
      'warning',
      `ExternalSecret ${es} is not Ready`,
      `ExternalSecret ${es} has reported Ready=False for more than ${o.notReadyFor} (${controller}). ` +
        `Its Kubernetes Secret is missing or stale; see kubectl describe externalsecret -n {{ $labels.exported_namespace }} {{ $labels.name }}.`,
    ),
    alert(
      'ExternalSecretSyncErrors',
      `sum by (namespace, exported_namespace, name) (rate(${selector(m.syncCallsError, target)}[${ERROR_RATE_WINDOW}])) > 0`,
      syncErrorsFor,
      'warning',
      `ExternalSecret ${es} keeps failing to sync`,
      `Syncing ExternalSecret ${es} has kept failing for more than ${syncErrorsFor} (${controller}). ` +
        `Check its status and events and the remote secret it reads.`,
    ),
    alert(
      'ExternalSecretsControllerScrapeFailing',
      `${selector('up', target)} == 0`,
      downFor,
      'critical',
      'External Secrets controller {{ $labels.namespace }}/{{ $labels.pod }} cannot be scraped',
      `Prometheus has failed to scrape {{ $labels.namespace }}/{{ $labels.pod }}, a pod of ${controller}, for more than ${downFor}. ` +
        `The process may be dead or hung; ExternalSecrets are not synced while it is.`,
    ),
    alert(
      'ExternalSecretsControllerMetricsAbsent',
      `absent(${selector('up', target)})`,
      downFor,
      'critical',
      `External Secrets controller in ${o.namespace} is not reporting`,
      `Prometheus has had no scrape target for ${controller} for more than ${downFor}: no ready controller pod behind ` +
        `Service ${o.namespace}/${job}, or the Service or the ServiceMonitor is missing or not selected by Prometheus.`,
    ),
    alert(
      'ExternalSecretsControllerNotReconciling',
      `absent(${selector(m.reconcileTotal, { ...target, controller: EXTERNAL_SECRET_CONTROLLER_NAME })}) and on() (${targetsUp})`,
      downFor,
      'critical',
      `External Secrets controller in ${o.namespace} runs no ExternalSecret controller`,
      `${capitalize(controller)} answers scrapes but its ExternalSecret controller has not started for more than ${downFor} ` +
        `(no ${m.reconcileTotal}{controller="${EXTERNAL_SECRET_CONTROLLER_NAME}"}): no ExternalSecret is synced. ` +
        `Check the controller's logs (leader election, cache sync, CRDs).`,
    ),
    alert(
      'ExternalSecretsSyncStalled',
      `(sum by (namespace) (increase(${selector(m.syncCallsTotal, target)}[${window}])) == 0) and on() (${externalSecretsExist})`,
      downFor,
      'critical',
      `External Secrets controller in ${o.namespace} has stopped syncing`,
      `${capitalize(controller)} has synced no ExternalSecret for ${window} although ExternalSecrets exist: the controller is ` +
        `running but stalled, and new or rotated secrets do not reach Kubernetes. Restart it (kubectl rollout restart ` +
        `deployment/${fullname} -n ${o.namespace}) and report the hang. If an ExternalSecret's refreshInterval is longer than ${window}, raise syncStalledWindow.`,
    ),
    alert(
      'ExternalSecretsWebhookDown',
      `absent(${selector('up', { job: webhookJob, namespace: o.namespace })} == 1)`,
      downFor,
      'critical',
      `External Secrets webhook in ${o.namespace} is down`,
      `No pod of the External Secrets webhook (Service ${o.namespace}/${webhookJob}) has been up for more than ${downFor}. ` +
        `Its failurePolicy is ${EXTERNAL_SECRETS_CHART.webhookFailurePolicy}: the API server refuses every create and update of a SecretStore, ` +
        `ClusterSecretStore and ExternalSecret until one answers, so new secrets and changes are blocked. Check the webhook pods and their certificate.`,
    ),
    alert(
      'ExternalSecretsCertControllerDown',
      `absent(${selector('up', { job: certJob, namespace: o.namespace })} == 1)`,
      downFor,
      'warning',
      `External Secrets cert controller in ${o.namespace} is down`,
      `No pod of the External Secrets cert controller (Service ${o.namespace}/${certJob}) has been up for more than ${downFor}: ` +
        `the webhook's certificate is not renewed, and the webhook stops answering when it expires.`,
    ),
    alert(
      'ExternalSecretsWorkqueueBacklog',
      `sum by (namespace) (${selector(m.workqueueDepth, { ...target, name: EXTERNAL_SECRET_CONTROLLER_NAME })}) > 0`,
      window,
      'warning',
      `External Secrets controller in ${o.namespace} is not keeping up`,
      `ExternalSecrets have waited in the work queue of ${controller} for ${window} without being drained: ` +
        `its workers are stuck or too few (chart value concurrent), and secret updates are delayed.`,
    ),
  ];
  return prometheusRule(`${fullname}-controller`, o, 'external-secrets-controller', rules);
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// ---------------------------------------------------------------------------------------------
// Secrets Store CSI driver
// ---------------------------------------------------------------------------------------------

function checkCsiOptions(builder: string, o: CsiDriverMonitoringOptions): void {
  const problems: string[] = [];
  checkCommon(o, problems);
  throwIfAny(builder, problems);
}

/**
 * `job` label of the CSI driver's metrics: a PodMonitor without `jobLabel` labels them
 * `<namespace>/<PodMonitor name>` (prometheus-operator pkg/prometheus/promcfg.go
 * generatePodMonitorConfig; the CRD's `jobLabel` description).
 */
export function csiDriverJob(namespace: string): string {
  return `${namespace}/${SECRETS_STORE_CSI_DRIVER_CHART.monitorName}`;
}

/**
 * A PodMonitor scraping the Secrets Store CSI driver's DaemonSet pods on their `metrics` container
 * port every 30s. The driver's chart creates no Service for its metrics, hence a PodMonitor.
 * `releaseName` is the release that installed the driver chart (with the Azure provider's chart,
 * that chart's release, e.g. `csi-secrets-store-provider-azure`).
 *
 * NOTE: the AKS add-on installs the driver without Helm; its pods' labels and metrics port are not
 * published in the charts read here, so this monitor is for Helm installs only.
 */
export function csiDriverPodMonitor(o: CsiDriverMonitoringOptions): KubernetesObject {
  checkCsiOptions('csiDriverPodMonitor', o);
  return {
    apiVersion: MONITORING_API,
    kind: 'PodMonitor',
    metadata: { name: SECRETS_STORE_CSI_DRIVER_CHART.monitorName, namespace: o.namespace, labels: monitoringLabels(o) },
    spec: {
      selector: {
        matchLabels: sortedRecord([
          [SECRETS_STORE_CSI_DRIVER_CHART.nameLabel, SECRETS_STORE_CSI_DRIVER_CHART.chartName],
          [SECRETS_STORE_CSI_DRIVER_CHART.instanceLabel, o.releaseName],
        ]),
      },
      namespaceSelector: { matchNames: [o.namespace] },
      podMetricsEndpoints: [{ port: SECRETS_STORE_CSI_DRIVER_CHART.metricsPortName, interval: SCRAPE_INTERVAL, honorLabels: false }],
    },
  };
}

/**
 * Alerting rules for the Secrets Store CSI driver scraped by {@link csiDriverPodMonitor}:
 *
 * - SecretsStoreCSIDriverMountErrors: volume mounts (NodePublishVolume) keep failing on a node for
 *   `syncErrorsFor`, by provider and error type;
 * - SecretsStoreCSIDriverRotationErrors: rotation reconciles keep failing on a node for `syncErrorsFor`;
 * - SecretsStoreCSIDriverScrapeFailing: a driver pod is a target but cannot be scraped;
 * - SecretsStoreCSIDriverMetricsAbsent: Prometheus has no driver pod to scrape at all.
 *
 * What the driver's metrics cannot express (see {@link SECRETS_STORE_CSI_DRIVER_METRICS}):
 * - which pod, namespace or SecretProviderClass fails: no metric carries them, so the alerts name
 *   the driver pod (hence the node) and the error type, and point at the pods' FailedMount events;
 * - an equivalent of "ExternalSecret not Ready": the driver exports no per-object status;
 * - a stalled rotation loop: `rotation_reconcile_total` stops growing both when the loop hangs and
 *   when no pod on the node mounts a volume any more, and no driver metric counts mounted volumes,
 *   so the two cannot be told apart;
 * - errors syncing Kubernetes Secrets (`syncSecret`) have no counter of their own
 *   (`sync_k8s_secret_total` counts successes only).
 * Error counters appear only after their first error on a node, so `rate()` misses that first
 * error; an error that keeps recurring (the case alerted on) is seen from the second one on.
 */
export function csiDriverPrometheusRule(o: CsiDriverMonitoringOptions): KubernetesObject {
  checkCsiOptions('csiDriverPrometheusRule', o);
  const { nodePublishError, rotationReconcileError } = SECRETS_STORE_CSI_DRIVER_METRICS.metrics;
  const target = { job: csiDriverJob(o.namespace), namespace: o.namespace };
  const syncErrorsFor = o.syncErrorsFor ?? DEFAULT_SYNC_ERRORS_FOR;
  const downFor = o.controllerDownFor ?? DEFAULT_CONTROLLER_DOWN_FOR;
  const driverPod = '{{ $labels.namespace }}/{{ $labels.pod }}';
  const driver = `the Secrets Store CSI driver (release ${o.releaseName}, namespace ${o.namespace}, job ${target.job})`;
  const byNode = 'namespace, pod, provider, error_type';

  const rules = [
    alert(
      'SecretsStoreCSIDriverMountErrors',
      `sum by (${byNode}) (rate(${selector(nodePublishError, target)}[${ERROR_RATE_WINDOW}])) > 0`,
      syncErrorsFor,
      'warning',
      `Secrets Store CSI driver ${driverPod} keeps failing to mount secrets ({{ $labels.error_type }})`,
      `Mounting secrets-store volumes with provider {{ $labels.provider }} has kept failing with {{ $labels.error_type }} for more than ` +
        `${syncErrorsFor} on the node of driver pod ${driverPod}. Pods there cannot start and their synced Secrets are not created; ` +
        `the driver's metrics do not name the pods, see kubectl get events -A --field-selector reason=FailedMount.`,
    ),
    alert(
      'SecretsStoreCSIDriverRotationErrors',
      `sum by (${byNode}) (rate(${selector(rotationReconcileError, target)}[${ERROR_RATE_WINDOW}])) > 0`,
      syncErrorsFor,
      'warning',
      `Secrets Store CSI driver ${driverPod} keeps failing to rotate secrets ({{ $labels.error_type }})`,
      `Rotating mounted secrets with provider {{ $labels.provider }} has kept failing with {{ $labels.error_type }} for more than ` +
        `${syncErrorsFor} on the node of driver pod ${driverPod}: pods there keep old secret values. See the driver pod's logs.`,
    ),
    alert(
      'SecretsStoreCSIDriverScrapeFailing',
      `${selector('up', target)} == 0`,
      downFor,
      'critical',
      `Secrets Store CSI driver ${driverPod} cannot be scraped`,
      `Prometheus has failed to scrape ${driverPod}, a pod of ${driver}, for more than ${downFor}. ` +
        `Secrets-store volumes on its node may not mount, rotate or sync.`,
    ),
    alert(
      'SecretsStoreCSIDriverMetricsAbsent',
      `absent(${selector('up', target)})`,
      downFor,
      'critical',
      `Secrets Store CSI driver in ${o.namespace} is not reporting`,
      `Prometheus has had no scrape target for ${driver} for more than ${downFor}: no running driver pod, ` +
        `or the PodMonitor is missing or not selected by Prometheus.`,
    ),
  ];
  return prometheusRule(SECRETS_STORE_CSI_DRIVER_CHART.monitorName, o, 'secrets-store-csi-driver', rules);
}
