/**
 * The preview page: the built query editor above the built panel, answered by
 * the real backend on the local stack's live data, refreshed every few seconds
 * like a dashboard. Not Grafana, and it says so: no dashboards, alerting,
 * annotations or Live, only enough page around the plugin to watch it work.
 */
import {
  CoreApp,
  type DataFrame,
  type DataQuery,
  type DataSourceInstanceSettings,
  DataSourcePluginContextProvider,
  dateTime,
  type GrafanaTheme2,
  type PanelPlugin,
  type PanelPluginMeta,
  PluginContextProvider,
  type QueryEditorProps,
  type TimeRange,
} from '@grafana/data';
import type { DataSourceWithBackend } from '@grafana/runtime';
import { Alert, RadioButtonGroup, Stack, Text } from '@grafana/ui';
import { type ComponentType, useCallback, useEffect, useMemo, useRef, useState } from 'react';

import { FRAME_FIELDS, isFlagged } from '../../../src/common/frames';
import { testIds } from '../../../src/testIds';
import type { ThemeMode } from './contract';
import { PanelHost, type QueryResult } from './PanelHost';

const MINUTE = 60_000;
const RANGES = [
  { label: 'Last 15 minutes', value: 15 * MINUTE },
  { label: 'Last hour', value: 60 * MINUTE },
  { label: 'Last 6 hours', value: 360 * MINUTE },
  { label: 'Last 24 hours', value: 1440 * MINUTE },
];
const REFRESH = [
  { label: 'Off', value: 0 },
  { label: '5s', value: 5000 },
  { label: '10s', value: 10_000 },
  { label: '30s', value: 30_000 },
];
const THEMES: Array<{ label: string; value: ThemeMode }> = [
  { label: 'Dark', value: 'dark' },
  { label: 'Light', value: 'light' },
];
const PANEL_HEIGHT = 440;

interface Props {
  panel: PanelPlugin;
  panelMeta: PanelPluginMeta;
  datasource: DataSourceWithBackend;
  queryEditor: ComponentType<QueryEditorProps<DataSourceWithBackend, DataQuery>>;
  settings: DataSourceInstanceSettings;
  theme: GrafanaTheme2;
  themeMode: ThemeMode;
  onThemeChange: (mode: ThemeMode) => void;
}

interface Status {
  at: number;
  sensors: number;
  readings: number;
  anomalies: number;
  error?: string;
}

export function Preview({ panel, panelMeta, datasource, queryEditor: QueryEditor, settings, theme, ...props }: Props) {
  const [query, setQuery] = useState<DataQuery>(() => ({
    refId: 'A',
    ...datasource.getDefaultQuery?.(CoreApp.PanelEditor),
  }));
  // The editor calls onChange and then onRunQuery in one go: the run must see the query just changed.
  const latestQuery = useRef(query);
  const [targets, setTargets] = useState<DataQuery[]>(() => [query]);
  // Six hours: what `npm start` backfills, so a first look already shows the stack's anomalies.
  const [span, setSpan] = useState(360 * MINUTE);
  const [refreshMs, setRefreshMs] = useState(5000);
  const [zoomed, setZoomed] = useState<TimeRange>();
  const [now, setNow] = useState(() => Date.now());
  const [status, setStatus] = useState<Status>();
  const [width, container] = useWidth();

  useEffect(() => {
    if (refreshMs === 0 || zoomed) {
      return;
    }
    const timer = setInterval(() => setNow(Date.now()), refreshMs);
    return () => clearInterval(timer);
  }, [refreshMs, zoomed]);

  const range = useMemo<TimeRange>(() => {
    if (zoomed) {
      return zoomed;
    }
    const from = dateTime(now - span);
    const to = dateTime(now);
    return { from, to, raw: { from: `now-${span / MINUTE}m`, to: 'now' } };
  }, [zoomed, now, span]);

  const onLoad = useCallback((result: QueryResult) => setStatus(summarize(result)), []);

  return (
    <div style={{ padding: theme.spacing(2), maxWidth: 1400, margin: '0 auto' }}>
      <Stack direction="column" gap={2}>
        <div data-testid={testIds.preview.banner}>
          <Alert severity="info" title="Preview — this page is not Grafana">
            It mounts the plugin&apos;s built panel and query editor with Grafana&apos;s theme and answers their queries
            with the plugin&apos;s backend executable on your local stack&apos;s live data. Dashboards, alerting,
            annotations and Live need Grafana: see the README for running Grafana with this plugin.
          </Alert>
        </div>
        <Stack direction="row" gap={2} alignItems="center" wrap="wrap">
          <div data-testid={testIds.preview.rangePicker}>
            <RadioButtonGroup
              options={RANGES}
              value={zoomed ? undefined : span}
              onChange={(value) => {
                setSpan(value);
                setZoomed(undefined);
                setNow(Date.now());
              }}
            />
          </div>
          <div data-testid={testIds.preview.refreshPicker}>
            <RadioButtonGroup options={REFRESH} value={refreshMs} onChange={setRefreshMs} />
          </div>
          <div data-testid={testIds.preview.themeToggle}>
            <RadioButtonGroup options={THEMES} value={props.themeMode} onChange={props.onThemeChange} />
          </div>
          <div data-testid={testIds.preview.status}>
            <Text color="secondary">{statusText(status, zoomed !== undefined)}</Text>
          </div>
        </Stack>
        <div ref={container}>
          {width > 0 && (
            <PluginContextProvider meta={panelMeta}>
              <div data-testid={testIds.preview.panelFrame}>
                <PanelHost
                  plugin={panel}
                  datasource={datasource}
                  targets={targets}
                  range={range}
                  refreshKey={now}
                  options={panel.defaults}
                  width={width}
                  height={PANEL_HEIGHT}
                  title="Live readings and anomalies"
                  theme={theme}
                  onChangeTimeRange={({ from, to }) =>
                    setZoomed({
                      from: dateTime(from),
                      to: dateTime(to),
                      raw: { from: dateTime(from), to: dateTime(to) },
                    })
                  }
                  onLoad={onLoad}
                />
              </div>
            </PluginContextProvider>
          )}
        </div>
        <DataSourcePluginContextProvider instanceSettings={settings}>
          <QueryEditor
            datasource={datasource}
            query={query}
            app={CoreApp.PanelEditor}
            range={range}
            onChange={(next) => {
              latestQuery.current = next;
              setQuery(next);
            }}
            onRunQuery={() => {
              setTargets([latestQuery.current]);
              setNow(Date.now());
            }}
          />
        </DataSourcePluginContextProvider>
      </Stack>
    </div>
  );
}

/** The width of an element, kept up to date as the window resizes. */
function useWidth(): [number, (element: HTMLDivElement | null) => void] {
  const [width, setWidth] = useState(0);
  const observer = useRef<ResizeObserver>(undefined);
  const ref = useCallback((element: HTMLDivElement | null) => {
    observer.current?.disconnect();
    if (element) {
      observer.current = new ResizeObserver(([entry]) => setWidth(Math.floor(entry.contentRect.width)));
      observer.current.observe(element);
    }
  }, []);
  return [width, ref];
}

/** What the last refresh brought: sensors, readings and flagged readings in the frames, or the error. */
function summarize(data: QueryResult): Status {
  const anomalyFrames = data.series.filter((frame) => flagField(frame) !== undefined);
  return {
    at: Date.now(),
    sensors: anomalyFrames.length,
    readings: anomalyFrames.reduce((sum, frame) => sum + frame.length, 0),
    anomalies: anomalyFrames.reduce((sum, frame) => sum + flagField(frame)!.values.filter(isFlagged).length, 0),
    error: data.errors?.[0]?.message,
  };
}

function flagField(frame: DataFrame) {
  return frame.fields.find((field) => field.name === FRAME_FIELDS.flag);
}

function statusText(status: Status | undefined, zoomed: boolean): string {
  if (!status) {
    return 'Loading…';
  }
  const at = new Date(status.at).toLocaleTimeString('en-GB');
  if (status.error) {
    return `${at}: ${status.error}`;
  }
  const paused = zoomed ? ' · zoomed: refresh paused, pick a range to resume' : '';
  return `Updated ${at} · ${status.sensors} sensors · ${status.readings.toLocaleString('en')} readings · ${status.anomalies.toLocaleString('en')} anomalies${paused}`;
}
