import { DashboardCursorSync, type PanelProps } from '@grafana/data';
import { PanelDataErrorView } from '@grafana/runtime';
import { TooltipDisplayMode } from '@grafana/schema';
import {
  EventBusPlugin,
  KeyboardPlugin,
  TimeSeries,
  TooltipPlugin2,
  usePanelContext,
  useTheme2,
  VizLayout,
} from '@grafana/ui';
import { useMemo, useRef } from 'react';

import { testIds } from '../testIds';
import { buildPanelModel } from './anomalyData';
import { AnomalyLayer, type LayerState } from './AnomalyLayer';
import { AnomalyLegend } from './AnomalyLegend';
import { AnomalyTooltip } from './AnomalyTooltip';
import { EMPTY_MARKERS } from './markers';
import { migrateOptions } from './migration';
import type { AnomalyPanelOptions } from './types';

type Props = PanelProps<AnomalyPanelOptions>;

/**
 * TooltipPlugin2's hover mode "xAll" (its enum is a `const enum` that isolated
 * modules cannot import): the tooltip follows the cursor over the whole plot,
 * so a marker far from its series' nearest reading is still found.
 */
const HOVER_X_ALL = 1;

/**
 * Sensor readings on Grafana's own time series chart (TimeSeries: uPlot, the
 * panel's field config, cursor sync, zoom) with every flagged reading drawn as
 * a marker on top, a tooltip that explains a hovered anomaly, and a legend that
 * counts anomalies per series.
 */
export function AnomalyPanel({
  id,
  data,
  width,
  height,
  timeRange,
  timeZone,
  options: savedOptions,
  fieldConfig,
  onChangeTimeRange,
}: Props) {
  const theme = useTheme2();
  const { sync, eventsScope, eventBus } = usePanelContext();
  const model = useMemo(() => buildPanelModel(data.series), [data.series]);
  // Grafana migrates options when a dashboard is loaded; options edited since (panel JSON, API) arrive as saved.
  const options = useMemo(() => migrateOptions(savedOptions), [savedOptions]);
  const layer = useRef<LayerState>({ bound: [], markers: EMPTY_MARKERS });
  const status = useRef<HTMLDivElement>(null);

  if (model.frames.length === 0) {
    return (
      <PanelDataErrorView
        panelId={id}
        data={data}
        fieldConfig={fieldConfig}
        message={data.errors?.[0]?.message}
        needsTimeField={true}
        needsNumberField={true}
      />
    );
  }

  const cursorSync = sync?.() ?? DashboardCursorSync.Off;
  const markers = options.anomalies;
  // VizLayout sizes the chart from the legend element's own props (placement, width).
  const legend = options.legend.showLegend ? (
    <VizLayout.Legend placement={options.legend.placement} width={options.legend.width}>
      <AnomalyLegend
        series={model.series}
        options={options.legend}
        showCount={markers.showCount}
        from={timeRange.from.valueOf()}
        to={timeRange.to.valueOf()}
        theme={theme}
      />
    </VizLayout.Legend>
  ) : null;

  return (
    <div data-testid={testIds.panel.container}>
      <div data-testid={testIds.panel.markers} ref={status} hidden />
      <VizLayout width={width} height={height} legend={legend}>
        {(vizWidth: number, vizHeight: number) => (
          <TimeSeries
            frames={model.frames}
            structureRev={data.structureRev}
            timeRange={timeRange}
            timeZone={timeZone}
            width={vizWidth}
            height={vizHeight}
            legend={{ ...options.legend, showLegend: false }}
            options={options}
          >
            {(config, alignedFrame) => (
              <>
                <KeyboardPlugin config={config} />
                {cursorSync !== DashboardCursorSync.Off && (
                  <EventBusPlugin config={config} eventBus={eventBus} frame={alignedFrame} />
                )}
                <AnomalyLayer
                  config={config}
                  alignedFrame={alignedFrame}
                  series={model.series}
                  options={markers}
                  theme={theme}
                  layer={layer}
                  status={status}
                />
                {options.tooltip.mode !== TooltipDisplayMode.None && (
                  <TooltipPlugin2
                    config={config}
                    hoverMode={HOVER_X_ALL}
                    queryZoom={onChangeTimeRange}
                    clientZoom={true}
                    syncMode={cursorSync}
                    syncScope={eventsScope}
                    maxWidth={options.tooltip.maxWidth}
                    render={(u, dataIdxs, seriesIdx, isPinned) => (
                      <AnomalyTooltip
                        u={u}
                        alignedFrame={alignedFrame}
                        series={model.series}
                        dataIdxs={dataIdxs}
                        seriesIdx={seriesIdx}
                        layer={layer.current}
                        mode={options.tooltip.mode}
                        markerRadius={markers.size / 2}
                        markerColor={theme.visualization.getColorByName(markers.color)}
                        isPinned={isPinned}
                        timeZone={timeZone}
                        theme={theme}
                      />
                    )}
                  />
                )}
              </>
            )}
          </TimeSeries>
        )}
      </VizLayout>
    </div>
  );
}
