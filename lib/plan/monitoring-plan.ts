import type { MonitoringModel } from '../declaration/model';
import type { KubernetesObject } from '../kubernetes/objects';
import {
  csiDriverPodMonitor,
  csiDriverPrometheusRule,
  externalSecretsPrometheusRule,
  externalSecretsServiceMonitor,
} from '../kubernetes/monitoring';

/** Which controller runs in the clusters, as far as monitoring is concerned. */
export type MonitoredController =
  | { readonly kind: 'externalSecrets'; readonly namespace: string; readonly releaseName: string }
  | { readonly kind: 'csiDriver'; readonly namespace: string; readonly releaseName: string };

/** The monitoring objects of an environment's controller, when the environment asks for them. */
export function monitoringObjects(monitoring: MonitoringModel | undefined, controller: MonitoredController | undefined): KubernetesObject[] {
  if (!monitoring || !controller) return [];
  const common = {
    namespace: controller.namespace,
    releaseName: controller.releaseName,
    syncErrorsFor: monitoring.syncErrorsFor,
    controllerDownFor: monitoring.controllerDownFor,
    labels: monitoring.labels,
  };
  if (controller.kind === 'externalSecrets') {
    const o = { ...common, notReadyFor: monitoring.notReadyFor, syncStalledWindow: monitoring.syncStalledWindow };
    return [externalSecretsServiceMonitor(o), externalSecretsPrometheusRule(o)];
  }
  return [csiDriverPodMonitor(common), csiDriverPrometheusRule(common)];
}
