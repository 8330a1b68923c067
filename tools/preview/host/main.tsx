/**
 * The host page: provides the modules Grafana shares with plugins, loads the
 * BUILT plugin bundles through an AMD loader (as Grafana's SystemJS does) and
 * mounts the panel and the data source's editors the way Grafana does, in
 * Grafana's theme (dark or light). Its requests go to the page's server, which
 * answers them with the real backend executable.
 *
 * Two uses: the preview (`/`, mounted at boot) and the browser tests (`/host`,
 * driven through `window.__host`, reporting through `window.__hostState`).
 */
import * as emotionCss from '@emotion/css';
import * as emotionReact from '@emotion/react';
import * as grafanaData from '@grafana/data';
import {
  AppPlugin,
  type AppPluginMeta,
  applyFieldOverrides,
  CoreApp,
  createTheme,
  type DataFrame,
  type DataSourceInstanceSettings,
  DataSourcePlugin,
  type DataSourcePluginMeta,
  DataSourcePluginContextProvider,
  type DataSourceSettings,
  dateTime,
  EventBusSrv,
  getDefaultTimeRange,
  type GrafanaTheme2,
  LoadingState,
  PanelPlugin,
  type PanelPluginMeta,
  PluginContextProvider,
  type TimeRange,
  toDataFrame,
} from '@grafana/data';
import * as grafanaRuntime from '@grafana/runtime';
import * as grafanaUi from '@grafana/ui';
import { GlobalStyles, PanelChrome, ThemeContext } from '@grafana/ui';
import * as i18next from 'i18next';
import * as lodash from 'lodash';
import * as React from 'react';
import { type ComponentType, type ReactNode, useState } from 'react';
import * as reactDom from 'react-dom';
import * as reactDomClient from 'react-dom/client';
import { MemoryRouter } from 'react-router-dom-v5-compat';
import * as jsxRuntime from 'react/jsx-runtime';
import * as rxjs from 'rxjs';
import * as rxjsOperators from 'rxjs/operators';

import type { AnomalyDataSourceOptions } from '../../../src/common/settings';
import { testIds } from '../../../src/testIds';
import { installAmdLoader } from './amdLoader';
import {
  DATASOURCE_UID,
  DATASOURCE_URL,
  type FramesSpec,
  type HostApi,
  type HostState,
  type PanelSpec,
  PLUGIN_BASE,
  type RenderTiming,
  type SyntheticSpec,
  type ThemeMode,
} from './contract';
import { installGrafanaServices } from './grafanaServices';
import { PanelHost } from './PanelHost';
import { Preview } from './Preview';
import { installOptionRegistries } from './registries';
import { syntheticFrames } from './synthetic';

/**
 * The shared modules a plugin may list in define(): the build's externals that
 * Grafana provides and our bundles use or may reasonably use. The loader names
 * any other one a bundle asks for, so a new external fails loudly here.
 */
const SHARED_MODULES: Record<string, unknown> = {
  react: React,
  'react/jsx-runtime': jsxRuntime,
  'react-dom': reactDom,
  'react-dom/client': reactDomClient,
  '@grafana/data': grafanaData,
  '@grafana/ui': grafanaUi,
  '@grafana/runtime': grafanaRuntime,
  '@emotion/css': emotionCss,
  '@emotion/react': emotionReact,
  i18next,
  lodash,
  rxjs,
  'rxjs/operators': rxjsOperators,
};

const state: HostState = { runQueryCount: 0, requests: [], timeRangeChanges: [], panelLoads: 0 };
installOptionRegistries();
installGrafanaServices(state);
const loader = installAmdLoader(SHARED_MODULES);
const root = reactDomClient.createRoot(document.getElementById('root')!);

let themeMode: ThemeMode = grafanaRuntime.config.bootData.user.lightTheme ? 'light' : 'dark';
let theme = makeTheme(themeMode);
let content: (theme: GrafanaTheme2) => ReactNode = () => null;

function makeTheme(mode: ThemeMode): GrafanaTheme2 {
  const made = createTheme({ colors: { mode } });
  // Grafana swaps its config's theme too; some components read it instead of the context.
  grafanaRuntime.config.theme2 = made;
  return made;
}

/** Grafana's page around every plugin view: its theme, global styles and router (@grafana/ui links need one). */
function render(view: (theme: GrafanaTheme2) => ReactNode): void {
  content = view;
  root.render(
    <ThemeContext.Provider value={theme}>
      <GlobalStyles />
      <MemoryRouter initialEntries={['/a/iotlab-anomaly-app']}>{content(theme)}</MemoryRouter>
    </ThemeContext.Provider>
  );
}

async function setTheme(mode: ThemeMode): Promise<void> {
  themeMode = mode;
  theme = makeTheme(mode);
  render(content);
  await nextFrame();
}

function nextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()));
}

/** Loads `<dir>/module.js` and its plugin.json from where Grafana serves the plugin. */
async function loadPlugin<T>(
  dir: string,
  type: abstract new (...args: never[]) => T
): Promise<{ plugin: T; meta: object }> {
  const base = `${PLUGIN_BASE}${dir}`;
  const [exports, meta] = await Promise.all([
    loader.load(`${base}module.js`),
    fetch(`${base}plugin.json`).then((r) => r.json() as Promise<object>),
  ]);
  const plugin = (exports as { plugin?: unknown }).plugin;
  if (!(plugin instanceof type)) {
    throw new Error(`${base}module.js does not export a ${type.name} as \`plugin\``);
  }
  return { plugin, meta };
}

async function loadPanel(): Promise<{ plugin: PanelPlugin; meta: PanelPluginMeta }> {
  const { plugin, meta } = await loadPlugin('panel/', PanelPlugin);
  plugin.meta = meta as PanelPluginMeta;
  return { plugin, meta: meta as PanelPluginMeta };
}

type AnomalyDataSourcePlugin = DataSourcePlugin<grafanaRuntime.DataSourceWithBackend>;
type Query = grafanaData.DataQuery;

const DATASOURCE_ID = 7;

/** The data source settings as Grafana hands them to the frontend: from the server, else the local stack's table. */
async function jsonData(): Promise<AnomalyDataSourceOptions> {
  const reply = await fetch(DATASOURCE_URL).catch(() => undefined);
  const body = reply?.ok ? ((await reply.json()) as { jsonData?: AnomalyDataSourceOptions }) : undefined;
  return body?.jsonData ?? { table: 'iotlab_readings' };
}

async function loadDataSource() {
  const { plugin, meta } = await loadPlugin<AnomalyDataSourcePlugin>('datasource/', DataSourcePlugin);
  const settings: DataSourceInstanceSettings = {
    id: DATASOURCE_ID,
    uid: DATASOURCE_UID,
    type: 'iotlab-anomaly-datasource',
    name: 'IoT Lab Anomaly',
    access: 'proxy',
    readOnly: false,
    jsonData: await jsonData(),
    meta: meta as DataSourcePluginMeta,
  };
  return { plugin, settings, datasource: new plugin.DataSourceClass(settings) };
}

function panelFrame(width: number, body: ReactNode): ReactNode {
  return (
    <div data-testid={testIds.preview.panelFrame} style={{ padding: 16, width: width + 32 }}>
      {body}
    </div>
  );
}

async function showPanel(spec: PanelSpec): Promise<void> {
  const [{ plugin, meta }, { datasource }] = await Promise.all([loadPanel(), loadDataSource()]);

  /** One dashboard panel: zooming sets the dashboard's range, which runs the queries again. */
  function Dashboard() {
    const [range, setRange] = useState<TimeRange>(() => absoluteRange(spec.from, spec.to));
    return (
      <PanelHost
        plugin={plugin}
        datasource={datasource}
        targets={spec.targets}
        range={range}
        refreshKey={0}
        options={{ ...plugin.defaults, ...spec.options }}
        width={spec.width}
        height={spec.height}
        title="Lab readings with anomalies"
        theme={theme}
        onChangeTimeRange={(next) => {
          state.timeRangeChanges.push(next);
          setRange(absoluteRange(next.from, next.to));
        }}
        onLoad={() => state.panelLoads++}
      />
    );
  }
  render(() => <PluginContextProvider meta={meta}>{panelFrame(spec.width, <Dashboard />)}</PluginContextProvider>);
}

function absoluteRange(from: number, to: number): TimeRange {
  const range = { from: dateTime(from), to: dateTime(to) };
  return { ...range, raw: range };
}

/** Puts generated frames on screen and times it until the chart's first draw (markers included) is done. */
async function measurePanel(spec: SyntheticSpec): Promise<RenderTiming> {
  const { plugin, meta } = await loadPanel();
  const end = Date.UTC(2026, 10, 24, 12, 0, 0);
  const frames = syntheticFrames(spec, end);
  const range = absoluteRange(end - (spec.readings - 1) * spec.stepMs, end);
  // Start from an empty page: the previous panel's marker report must be gone before the clock starts.
  render(() => null);
  while (document.querySelector(`[data-testid="${testIds.panel.markers}"]`)) {
    await nextFrame();
  }
  const started = performance.now();
  renderOnFrames(plugin, meta, frames, {
    range,
    width: spec.width,
    height: spec.height,
    options: plugin.defaults,
    title: '100k readings',
  });
  const markersDrawn = await firstDraw();
  const firstDrawMs = performance.now() - started;
  return {
    readings: spec.sensors * spec.readings,
    flagged: spec.sensors * Math.floor(spec.readings / spec.flagEvery),
    firstDrawMs,
    markersDrawn,
  };
}

/** The panel on frames that did not come from our query: field config applied as Grafana does, then PanelChrome. */
async function showFrames(spec: FramesSpec): Promise<void> {
  const { plugin, meta } = await loadPanel();
  renderOnFrames(plugin, meta, spec.frames.map(toDataFrame), {
    range: absoluteRange(spec.from, spec.to),
    width: spec.width,
    height: spec.height,
    options: { ...plugin.defaults, ...spec.options },
    title: 'Frames from elsewhere',
  });
  await nextFrame();
}

interface FramesView {
  range: TimeRange;
  width: number;
  height: number;
  options: object;
  title: string;
}

function renderOnFrames(plugin: PanelPlugin, meta: PanelPluginMeta, frames: DataFrame[], view: FramesView): void {
  const series = applyFieldOverrides({
    data: frames,
    fieldConfig: plugin.fieldConfigDefaults,
    fieldConfigRegistry: plugin.fieldConfigRegistry,
    replaceVariables: (value) => value,
    theme,
    timeZone: 'utc',
  });
  const Panel = plugin.panel!;
  render(() => (
    <PluginContextProvider meta={meta}>
      {panelFrame(
        view.width,
        <PanelChrome title={view.title} width={view.width} height={view.height}>
          {(width, height) => (
            <Panel
              id={1}
              title={view.title}
              data={{ state: LoadingState.Done, series, timeRange: view.range }}
              timeRange={view.range}
              timeZone="utc"
              options={view.options}
              fieldConfig={plugin.fieldConfigDefaults}
              transparent={false}
              width={width}
              height={height}
              renderCounter={1}
              eventBus={new EventBusSrv()}
              onOptionsChange={() => undefined}
              onFieldConfigChange={() => undefined}
              onChangeTimeRange={() => undefined}
              replaceVariables={(value) => value}
            />
          )}
        </PanelChrome>
      )}
    </PluginContextProvider>
  ));
}

/** Resolves with the marker count once the panel's anomaly layer reports its first draw. */
function firstDraw(): Promise<number> {
  return new Promise((resolve) => {
    const check = () => {
      const drawn = document.querySelector(`[data-testid="${testIds.panel.markers}"]`)?.getAttribute('data-drawn');
      if (drawn !== null && drawn !== undefined) {
        observer.disconnect();
        resolve(Number(drawn));
      }
    };
    const observer = new MutationObserver(check);
    observer.observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-drawn'],
    });
    check();
  });
}

async function showQueryEditor(initial: Record<string, unknown>): Promise<void> {
  const { plugin, settings, datasource } = await loadDataSource();
  const QueryEditor = plugin.components.QueryEditor as ComponentType<
    grafanaData.QueryEditorProps<grafanaRuntime.DataSourceWithBackend, Query>
  >;
  if (!QueryEditor) {
    throw new Error('the data source plugin has no QueryEditor');
  }
  const range = getDefaultTimeRange();

  /** Holds the query like Grafana's query row: the editor is controlled. */
  function QueryRow() {
    const [query, setQuery] = useState<Query>(() => ({ refId: 'A', ...initial }));
    return (
      <QueryEditor
        datasource={datasource}
        query={query}
        app={CoreApp.PanelEditor}
        range={range}
        onChange={(next: Query) => {
          state.query = JSON.parse(JSON.stringify(next));
          setQuery(next);
        }}
        onRunQuery={() => {
          state.runQueryCount++;
        }}
      />
    );
  }
  renderEditor(settings, testIds.preview.queryEditorFrame, <QueryRow />);
}

async function showConfigEditor(initialJsonData: Record<string, unknown>): Promise<void> {
  const { plugin, settings } = await loadDataSource();
  const ConfigEditor = plugin.components.ConfigEditor as ComponentType<grafanaData.DataSourcePluginOptionsEditorProps>;
  if (!ConfigEditor) {
    throw new Error('the data source plugin has no ConfigEditor');
  }
  const initial: DataSourceSettings = {
    id: DATASOURCE_ID,
    uid: settings.uid,
    orgId: 1,
    name: settings.name,
    type: settings.type,
    typeName: 'IoT Lab Anomaly',
    typeLogoUrl: '',
    access: 'proxy',
    url: '',
    user: '',
    database: '',
    basicAuth: false,
    basicAuthUser: '',
    isDefault: false,
    jsonData: initialJsonData,
    secureJsonFields: {},
    readOnly: false,
    withCredentials: false,
    version: 1,
  };

  /** Holds the settings like Grafana's data source page: the editor is controlled. */
  function SettingsPage() {
    const [options, setOptions] = useState(initial);
    return (
      <ConfigEditor
        options={options}
        onOptionsChange={(next) => {
          state.settings = JSON.parse(JSON.stringify(next));
          setOptions(next);
        }}
      />
    );
  }
  renderEditor(settings, testIds.preview.configEditorFrame, <SettingsPage />);
}

async function showApp(): Promise<void> {
  const { plugin, meta } = await loadPlugin('', AppPlugin);
  const Root = plugin.root;
  if (!Root) {
    throw new Error('the app plugin has no root page');
  }
  render(() => (
    <PluginContextProvider meta={meta as AppPluginMeta}>
      <div data-testid={testIds.preview.appFrame} style={{ padding: 16, width: 980 }}>
        <Root
          meta={meta as AppPluginMeta}
          basename="/a/iotlab-anomaly-app"
          path="/a/iotlab-anomaly-app"
          query={{}}
          onNavChanged={() => undefined}
        />
      </div>
    </PluginContextProvider>
  ));
}

/** A data source editor in a Grafana-like card, inside the plugin context Grafana mounts editors in. */
function renderEditor(settings: DataSourceInstanceSettings, testId: string, editor: ReactNode): void {
  render((current) => (
    <DataSourcePluginContextProvider instanceSettings={settings}>
      <div
        data-testid={testId}
        style={{
          padding: 16,
          width: 980,
          background: current.colors.background.primary,
          border: `1px solid ${current.colors.border.weak}`,
        }}
      >
        {editor}
      </div>
    </DataSourcePluginContextProvider>
  ));
}

async function showPreview(): Promise<void> {
  const [panel, source] = await Promise.all([loadPanel(), loadDataSource()]);
  render((current) => (
    <Preview
      panel={panel.plugin}
      panelMeta={panel.meta}
      datasource={source.datasource}
      queryEditor={
        source.plugin.components.QueryEditor as ComponentType<
          grafanaData.QueryEditorProps<grafanaRuntime.DataSourceWithBackend, Query>
        >
      }
      settings={source.settings}
      theme={current}
      themeMode={themeMode}
      onThemeChange={(mode) => void setTheme(mode)}
    />
  ));
}

const host: HostApi = {
  setTheme,
  showPanel,
  measurePanel,
  showFrames,
  showQueryEditor,
  showConfigEditor,
  showApp,
  showPreview,
  themeColor: (name) => theme.visualization.getColorByName(name),
};
Object.assign(window, { __host: host, __hostState: state });

if (document.body.dataset.page === 'preview') {
  void showPreview();
}
