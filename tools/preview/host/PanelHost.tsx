/**
 * A dashboard panel as Grafana runs it, for one panel plugin: the queries go
 * through the data source's own `query()` (so `/api/ds/query` and the real
 * backend answer them), the frames get the panel's field config
 * (applyFieldOverrides with the plugin's registry and defaults), and the panel
 * renders in PanelChrome inside a panel context that handles legend clicks
 * the way Grafana does (a "hide series" override).
 */
import {
  applyFieldOverrides,
  ByNamesMatcherMode,
  type DataFrame,
  type DataQuery,
  type DataQueryRequest,
  type DataSourceApi,
  type DataQueryError,
  EventBusSrv,
  type FieldConfigSource,
  FieldMatcherID,
  FieldType,
  getFieldDisplayName,
  type GrafanaTheme2,
  LoadingState,
  type PanelData,
  type PanelPlugin,
  rangeUtil,
  type TimeRange,
} from '@grafana/data';
import { PanelChrome, PanelContextProvider, SeriesVisibilityChangeMode } from '@grafana/ui';
import { useEffect, useMemo, useRef, useState } from 'react';
import { from, lastValueFrom } from 'rxjs';

interface Props {
  plugin: PanelPlugin;
  datasource: DataSourceApi;
  targets: DataQuery[];
  range: TimeRange;
  /** Change it to run the queries again (a dashboard refresh). */
  refreshKey: number;
  options: Record<string, unknown>;
  width: number;
  height: number;
  title: string;
  theme: GrafanaTheme2;
  onChangeTimeRange: (range: { from: number; to: number }) => void;
  /** Called with the frames (before field config) each time the queries finished. */
  onLoad?: (result: QueryResult) => void;
}

export interface QueryResult {
  series: DataFrame[];
  errors?: DataQueryError[];
  state: LoadingState;
}

export function PanelHost(props: Props) {
  const { plugin, datasource, targets, range, refreshKey, width, height, theme } = props;
  const [result, setResult] = useState<QueryResult>({
    series: [],
    state: LoadingState.Loading,
  });
  const [hidden, setHidden] = useState<string[]>([]);
  const eventBus = useMemo(() => new EventBusSrv(), []);

  useEffect(() => {
    let current = true;
    const request = queryRequest(targets, range, width);
    lastValueFrom(from(datasource.query(request)))
      .then((response) => {
        if (current) {
          const errors = response.errors ?? (response.error ? [response.error] : undefined);
          setResult({
            series: response.data as DataFrame[],
            errors,
            state: errors ? LoadingState.Error : LoadingState.Done,
          });
        }
      })
      .catch(
        (error: Error) =>
          current && setResult({ series: [], errors: [{ message: error.message }], state: LoadingState.Error })
      );
    return () => {
      current = false;
    };
    // `range` changes identity on every render of a relative range; its bounds are what matter.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [datasource, targets, range.from.valueOf(), range.to.valueOf(), refreshKey, width]);

  const fieldConfig = useMemo(() => withHiddenSeries(plugin.fieldConfigDefaults, hidden), [plugin, hidden]);
  const data: PanelData = useMemo(
    () => ({
      state: result.state,
      errors: result.errors,
      timeRange: range,
      series: applyFieldOverrides({
        data: result.series,
        fieldConfig,
        fieldConfigRegistry: plugin.fieldConfigRegistry,
        replaceVariables: (value) => value,
        theme,
        timeZone: 'utc',
      }),
    }),
    [result, fieldConfig, plugin, theme, range]
  );

  // Once per finished query, whatever the parent passes as the callback on each render.
  const onLoad = useRef(props.onLoad);
  useEffect(() => {
    onLoad.current = props.onLoad;
  });
  useEffect(() => {
    if (result.state !== LoadingState.Loading) {
      onLoad.current?.(result);
    }
  }, [result]);

  const Panel = plugin.panel!;
  return (
    <PanelContextProvider
      value={{
        eventsScope: 'global',
        eventBus,
        onToggleSeriesVisibility: (label, mode) =>
          setHidden((current) => toggleSeries(current, label, mode, data.series)),
      }}
    >
      <PanelChrome
        title={props.title}
        width={width}
        height={height}
        loadingState={result.state}
        statusMessage={result.errors?.[0]?.message}
      >
        {(innerWidth, innerHeight) => (
          <Panel
            id={1}
            title={props.title}
            data={data}
            timeRange={range}
            timeZone="utc"
            options={props.options}
            fieldConfig={fieldConfig}
            transparent={false}
            width={innerWidth}
            height={innerHeight}
            renderCounter={refreshKey}
            eventBus={eventBus}
            onOptionsChange={() => undefined}
            onFieldConfigChange={() => undefined}
            onChangeTimeRange={props.onChangeTimeRange}
            replaceVariables={(value) => value}
          />
        )}
      </PanelChrome>
    </PanelContextProvider>
  );
}

/** A dashboard panel's query request: Grafana sizes the interval by the panel's width. */
function queryRequest(targets: DataQuery[], range: TimeRange, width: number): DataQueryRequest {
  const { interval, intervalMs } = rangeUtil.calculateInterval(range, width);
  return {
    app: 'dashboard',
    requestId: `panel-${Date.now()}`,
    timezone: 'utc',
    range,
    interval,
    intervalMs,
    maxDataPoints: width,
    targets,
    scopedVars: {},
    startTime: Date.now(),
  };
}

/**
 * Grafana's legend click: a click shows only that series (or everything again
 * when it already was the only one), ctrl/cmd-click adds or removes one. The
 * result is the list of series to hide, kept as Grafana keeps it: one override.
 */
function toggleSeries(
  hidden: string[],
  label: string | string[] | null,
  mode: SeriesVisibilityChangeMode,
  frames: DataFrame[]
): string[] {
  const names = frames.flatMap((frame) =>
    frame.fields.filter((f) => f.type === FieldType.number).map((f) => getFieldDisplayName(f, frame, frames))
  );
  if (label === null || Array.isArray(label)) {
    // "Set exactly": these series visible (null: all of them).
    return label === null ? [] : names.filter((name) => !label.includes(name));
  }
  if (mode === SeriesVisibilityChangeMode.AppendToSelection) {
    return hidden.includes(label) ? hidden.filter((name) => name !== label) : [...hidden, label];
  }
  const isolated = names.every((name) => name === label || hidden.includes(name)) && !hidden.includes(label);
  return isolated ? [] : names.filter((name) => name !== label);
}

function withHiddenSeries(defaults: FieldConfigSource, hidden: string[]): FieldConfigSource {
  if (hidden.length === 0) {
    return defaults;
  }
  return {
    ...defaults,
    overrides: [
      ...defaults.overrides,
      {
        matcher: { id: FieldMatcherID.byNames, options: { mode: ByNamesMatcherMode.include, names: hidden } },
        properties: [{ id: 'custom.hideFrom', value: { viz: true, legend: false, tooltip: false } }],
      },
    ],
  };
}
