/**
 * Test ids shared by the components that render them and the browser tests
 * that find them (tests/e2e/), one object per component, so a renamed id
 * breaks the build instead of silently breaking a selector.
 */
export const testIds = {
  panel: {
    /** The panel's root element. */
    container: 'iotlab-anomaly-panel',
    /** The chart's marker layer: `data-drawn` is how many anomaly markers the last draw put on the canvas. */
    markers: 'iotlab-anomaly-panel-markers',
    /** The tooltip's content for a hovered anomaly marker. */
    anomalyTooltip: 'iotlab-anomaly-panel-anomaly-tooltip',
    /** The tooltip's content for a hovered reading that is not flagged. */
    readingTooltip: 'iotlab-anomaly-panel-reading-tooltip',
  },
  /** The page that mounts the built plugin without Grafana (tools/preview/host/): the preview and the browser tests' host. */
  preview: {
    /** The banner that says the page is a preview, not Grafana. */
    banner: 'iotlab-preview-banner',
    themeToggle: 'iotlab-preview-theme',
    rangePicker: 'iotlab-preview-range',
    refreshPicker: 'iotlab-preview-refresh',
    /** Last refresh: time and what the backend answered. */
    status: 'iotlab-preview-status',
    /** Where the page mounts each plugin view. */
    panelFrame: 'iotlab-host-panel',
    queryEditorFrame: 'iotlab-host-query-editor',
    configEditorFrame: 'iotlab-host-config-editor',
    appFrame: 'iotlab-host-app',
  },
  queryEditor: {
    container: 'iotlab-query-editor',
    /** The explanation of the chosen feature set and how many columns the model sees. */
    featureSetDescription: 'iotlab-query-editor-feature-set-description',
    /** The transform checkboxes of a custom feature set. */
    transforms: 'iotlab-query-editor-transforms',
    /** "≈ N of M readings in this range". */
    contaminationHint: 'iotlab-query-editor-contamination-hint',
    /** An invalid field that has no visible control of its own. */
    errorBanner: 'iotlab-query-editor-error',
    kafkaNotConfigured: 'iotlab-query-editor-kafka-not-configured',
  },
  variableEditor: {
    container: 'iotlab-variable-editor',
    /** What the values matching the query are, before the variable is saved. */
    preview: 'iotlab-variable-editor-preview',
  },
  annotationEditor: {
    container: 'iotlab-annotation-editor',
  },
  configEditor: {
    container: 'iotlab-config-editor',
  },
} as const;
