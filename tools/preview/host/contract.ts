/**
 * What the host page and its drivers (the browser tests, the preview server)
 * share. Everything here crosses `page.evaluate` or HTTP, so it is JSON.
 */

/** Where the page serves the built plugin, as Grafana does: `public/plugins/<app id>/`. */
export const PLUGIN_BASE = '/public/plugins/iotlab-anomaly-app/';

/** The data source instance the page shows (its uid in resource URLs). */
export const DATASOURCE_UID = 'iotlab-anomaly';

/** The data source settings Grafana hands the frontend (`GET /api/datasources/uid/<uid>`): no secrets. */
export const DATASOURCE_URL = `/api/datasources/uid/${DATASOURCE_UID}`;

export type ThemeMode = 'dark' | 'light';

export interface PanelSpec {
  /** The panel's queries, as a dashboard stores them (refId, queryType, sensors, metric, model, …). */
  targets: Array<{ refId: string } & Record<string, unknown>>;
  /** Dashboard time range, epoch milliseconds. */
  from: number;
  to: number;
  width: number;
  height: number;
  /** Panel options over the plugin's defaults. */
  options?: Record<string, unknown>;
}

/**
 * Frames the page builds itself instead of querying: for measuring the chart
 * with more readings than a test stack holds. Per sensor, `readings` rows at
 * `stepMs`, every `flagEvery`-th flagged.
 */
export interface SyntheticSpec {
  sensors: number;
  readings: number;
  stepMs: number;
  flagEvery: number;
  width: number;
  height: number;
}

/**
 * Frames handed to the panel as they are, with no query: what another data
 * source, a transformation or a hand-written panel JSON may give it. Each
 * frame is data-frame JSON (`{schema, data}`, as `/api/ds/query` answers,
 * `entities` for NaN) or what @grafana/data's `toDataFrame` accepts
 * (`{name, fields: [{name, type, values}]}`).
 */
export interface FramesSpec {
  frames: object[];
  /** Dashboard time range, epoch milliseconds. */
  from: number;
  to: number;
  width: number;
  height: number;
  /** Panel options over the plugin's defaults, as saved (wrong types included). */
  options?: Record<string, unknown>;
}

/** How long the page took to put synthetic frames on screen, and what it drew. */
export interface RenderTiming {
  readings: number;
  flagged: number;
  /** From handing the frames to React until the chart's first draw completed, ms. */
  firstDrawMs: number;
  markersDrawn: number;
}

/** A request the plugin sent to the (stand-in) Grafana server, and its answer. */
export interface RecordedRequest {
  method: string;
  url: string;
  status: number;
  /** What the plugin sent (JSON), if anything. */
  requestBody?: unknown;
  /** The answer's JSON (for `/api/ds/query`: `{ results: { <refId>: { frames, error } } }`). */
  body?: unknown;
}

/** What the host page records for the driver to read (`window.__hostState`). */
export interface HostState {
  /** The query editor's latest `onChange` value. */
  query?: Record<string, unknown>;
  /** How often the query editor asked to run the query. */
  runQueryCount: number;
  /** The config editor's latest `onOptionsChange` value. */
  settings?: { jsonData: Record<string, unknown>; secureJsonData?: Record<string, unknown> };
  /** Every request to `/api/`, in order. */
  requests: RecordedRequest[];
  /** Time ranges the panel asked the dashboard to show (drag to zoom). */
  timeRangeChanges: Array<{ from: number; to: number }>;
  /** Panel renders that finished loading data. */
  panelLoads: number;
}

/** The host page's API (`window.__host`); each call loads the plugin's built module.js. */
export interface HostApi {
  setTheme(mode: ThemeMode): Promise<void>;
  /** The panel in Grafana's PanelChrome, its data from the data source's real query path. */
  showPanel(spec: PanelSpec): Promise<void>;
  /** The panel with frames the page generates; resolves once the chart has drawn them. */
  measurePanel(spec: SyntheticSpec): Promise<RenderTiming>;
  /** The panel in PanelChrome on the given frames and options, after Grafana's field config. */
  showFrames(spec: FramesSpec): Promise<void>;
  showQueryEditor(query: Record<string, unknown>): Promise<void>;
  showConfigEditor(jsonData: Record<string, unknown>): Promise<void>;
  /** The app's root page (dist/module.js). */
  showApp(): Promise<void>;
  /** The preview page: query editor, panel, refresh, theme toggle. */
  showPreview(): Promise<void>;
  /** A theme colour by name, as the panel resolves it (e.g. the marker colour `red`). */
  themeColor(name: string): string;
}

declare global {
  interface Window {
    __host: HostApi;
    __hostState: HostState;
  }
}
