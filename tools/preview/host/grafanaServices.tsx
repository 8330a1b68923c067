/**
 * The services @grafana/runtime hands plugins, as this page provides them:
 * - the backend service sends every request over HTTP to the page's server,
 *   which answers `/api/ds/query` and data source resources with the real
 *   backend executable (tools/preview/server.ts), and records each exchange;
 * - a template service with one dashboard variable, `$sensor` (all sensors);
 * - the app event bus;
 * - a data error view like Grafana's (the default one only says "Unable to render data").
 */
import { EventBusSrv, type ScopedVars, type TypedVariableModel } from '@grafana/data';
import {
  type BackendSrv,
  type BackendSrvRequest,
  type FetchError,
  type FetchResponse,
  type PanelDataErrorViewProps,
  setAppEvents,
  setBackendSrv,
  setTemplateSrv,
  type TemplateSrv,
} from '@grafana/runtime';
import { defer, lastValueFrom, type Observable } from 'rxjs';

import { setPanelDataErrorView } from '../../../node_modules/@grafana/runtime/dist/esm/components/PanelDataErrorView.mjs';

import type { HostState } from './contract';

/** Dashboard variables: `$sensor` as "All" (an empty selection means every sensor to the data source). */
const VARIABLES: Record<string, string[]> = { sensor: [] };

export function installGrafanaServices(state: HostState): void {
  setBackendSrv(httpBackendSrv(state));
  setTemplateSrv(templateSrv());
  setAppEvents(new EventBusSrv());
  setPanelDataErrorView(DataErrorView);
}

function urlWithParams(url: string, params: BackendSrvRequest['params']): string {
  if (!params || typeof params !== 'object') {
    return url;
  }
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params as Record<string, unknown>)) {
    if (value !== undefined && value !== null) {
      query.append(key, String(value));
    }
  }
  const text = query.toString();
  return text ? `${url}${url.includes('?') ? '&' : '?'}${text}` : url;
}

function httpBackendSrv(state: HostState): BackendSrv {
  function fetch<T>(options: BackendSrvRequest): Observable<FetchResponse<T>> {
    return defer(async () => {
      const method = (options.method ?? 'GET').toUpperCase();
      const hasBody = options.data !== undefined && method !== 'GET';
      const reply = await window.fetch(urlWithParams(options.url, options.params), {
        method,
        headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...options.headers },
        body: hasBody ? JSON.stringify(options.data) : undefined,
      });
      const text = await reply.text();
      const data = (text === '' ? undefined : JSON.parse(text)) as T;
      state.requests.push({
        method,
        url: options.url,
        status: reply.status,
        requestBody: hasBody ? JSON.parse(JSON.stringify(options.data)) : undefined,
        body: data,
      });
      if (!reply.ok) {
        const error: FetchError = { status: reply.status, statusText: reply.statusText, data, config: options };
        throw error;
      }
      return {
        data,
        status: reply.status,
        statusText: reply.statusText,
        ok: reply.ok,
        headers: reply.headers,
        redirected: reply.redirected,
        type: reply.type,
        url: reply.url,
        config: options,
      };
    });
  }
  const request = <T,>(options: BackendSrvRequest) => lastValueFrom(fetch<T>(options)).then((r) => r.data);
  return {
    fetch,
    request,
    datasourceRequest: <T,>(options: BackendSrvRequest) => lastValueFrom(fetch<T>(options)),
    get: (url: string, params?: BackendSrvRequest['params']) => request({ url, params, method: 'GET' }),
    delete: (url: string, data?: unknown) => request({ url, data, method: 'DELETE' }),
    post: (url: string, data?: unknown) => request({ url, data, method: 'POST' }),
    patch: (url: string, data?: unknown) => request({ url, data, method: 'PATCH' }),
    put: (url: string, data?: unknown) => request({ url, data, method: 'PUT' }),
    chunked: (options: BackendSrvRequest) => fetch<Uint8Array | undefined>(options),
  };
}

/** Interpolates `$name` / `${name}` like Grafana's, handing multi-value variables to a format function as arrays. */
function templateSrv(): TemplateSrv {
  const replace = (target?: string, _scoped?: ScopedVars, format?: string | ((value: string | string[]) => string)) =>
    (target ?? '').replace(/\$\{?(\w+)\}?/g, (match, name: string) => {
      const value = VARIABLES[name];
      if (value === undefined) {
        return match;
      }
      return typeof format === 'function' ? format(value) : value.join(',');
    });
  return {
    replace,
    // Only `name` is read by the data source; a full variable model is dashboard state the page does not have.
    getVariables: () => Object.keys(VARIABLES).map((name) => ({ name }) as TypedVariableModel),
    containsTemplate: (target?: string) => /\$\{?\w+/.test(target ?? ''),
    updateTimeRange: () => undefined,
  };
}

/** Grafana's panel message for data a panel cannot show: the reason, else "No data". */
function DataErrorView({ message, data, needsTimeField, needsNumberField }: PanelDataErrorViewProps) {
  const hasFrames = data.series.some((frame) => frame.length > 0);
  const reason =
    message ??
    (!hasFrames
      ? 'No data'
      : needsTimeField && needsNumberField
        ? 'Data does not have a time field and a number field'
        : 'Unable to render data');
  return (
    <div
      className="panel-empty"
      style={{ display: 'flex', height: '100%', alignItems: 'center', justifyContent: 'center' }}
    >
      <p>{reason}</p>
    </div>
  );
}
