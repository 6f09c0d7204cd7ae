/** Chart versions the product installs unless a declaration pins others (kept apart from the schema, which loads TypeBox). */
export const DEFAULT_EXTERNAL_SECRETS_CHART_VERSION = '2.9.0';
export const DEFAULT_CSI_AZURE_CHART_VERSION = '1.8.2';
