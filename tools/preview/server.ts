/**
 * The page's server, on loopback: the host page and its bundle, the built
 * plugin under Grafana's plugin path, Grafana's icons and fonts, and the few
 * Grafana API calls the plugin's frontend makes, answered by the real backend
 * (pluginBackend.ts): `POST /api/ds/query`, data source resources, and the data
 * source's public settings.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import { DATASOURCE_UID, DATASOURCE_URL, PLUGIN_BASE } from './host/contract';
import type { JsonReply, PluginBackend } from './pluginBackend';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.css': 'text/css; charset=utf-8',
};

const NODE_MODULES = path.resolve(__dirname, '../../node_modules');
const INDEX_HTML = path.join(__dirname, 'host', 'index.html');
/** Grafana serves its icons here; @grafana/ui ships the same files. */
const ICONS_URL = '/public/build/img/icons/';
const ICONS_DIR = path.join(NODE_MODULES, '@grafana/ui/dist/public/img/icons');
/** Icons Grafana serves from its own repository, not from any npm package: an empty icon stands in. */
const ICONS_ONLY_IN_GRAFANA = new Set(['unicons/spinner.svg']);
const EMPTY_ICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"></svg>';
/** Grafana's Inter web fonts by weight name; @fontsource/inter has the same font per numeric weight. */
const INTER_FONT = /^\/public\/fonts\/inter\/Inter-(Light|Regular|Medium|SemiBold|Bold)\.woff2$/;
const INTER_WEIGHTS: Record<string, number> = { Light: 300, Regular: 400, Medium: 500, SemiBold: 600, Bold: 700 };
/** uPlot's stylesheet: Grafana's page bundles it into its own CSS, and the chart is laid out by it. */
const UPLOT_CSS_URL = '/public/build/uplot.css';
const UPLOT_CSS = path.join(NODE_MODULES, 'uplot/dist/uPlot.min.css');
const RESOURCES_PREFIX = `${DATASOURCE_URL}/resources/`;
const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface PageServerOptions {
  /** The built plugin (dist/). */
  distDir: string;
  /** Where buildHost() wrote main.js. */
  hostDir: string;
  /** Answers the API calls; without one they get a 503 that says so. */
  backend?: PluginBackend;
  /** The data source settings the frontend may see (Grafana never hands it the secrets). */
  jsonData?: Record<string, unknown>;
  /** 0 (default) = a free port. */
  port?: number;
}

export interface PageServer {
  url: string;
  close(): Promise<void>;
}

/** Serves `/` (the preview), `/host` (the page the browser tests drive), the bundles and the API. */
export async function startPageServer(options: PageServerOptions): Promise<PageServer> {
  const server = createServer((req, res) => {
    handle(req, res, options).catch((error: Error) => sendJson(res, { status: 500, body: { message: error.message } }));
  });
  await listen(server, options.port ?? 0);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, options: PageServerOptions): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const { pathname } = url;
  if (pathname.startsWith('/api/')) {
    return sendJson(res, await api(req, url, options));
  }
  if (pathname === '/' || pathname === '/host') {
    const page = pathname === '/' ? 'preview' : 'host';
    res.writeHead(200, { 'content-type': CONTENT_TYPES['.html'], 'cache-control': 'no-store' });
    res.end(readFileSync(INDEX_HTML, 'utf8').replace('%PAGE%', page));
    return;
  }
  if (pathname.startsWith(ICONS_URL) && ICONS_ONLY_IN_GRAFANA.has(pathname.slice(ICONS_URL.length))) {
    res.writeHead(200, { 'content-type': 'image/svg+xml' }).end(EMPTY_ICON);
    return;
  }
  const file = resolveFile(pathname, options);
  const info = file ? await stat(file).catch(() => undefined) : undefined;
  if (!file || !info?.isFile()) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
    'content-length': info.size,
    // The host bundle never changes while the server runs: cached, Chromium reuses its compiled code on every page.
    'cache-control': file.startsWith(options.hostDir + path.sep) ? 'max-age=3600' : 'no-store',
  });
  createReadStream(file).pipe(res);
}

async function api(req: IncomingMessage, url: URL, options: PageServerOptions): Promise<JsonReply> {
  const method = req.method ?? 'GET';
  const { pathname } = url;
  if (pathname === DATASOURCE_URL && method === 'GET') {
    return {
      status: 200,
      body: { uid: DATASOURCE_UID, type: 'iotlab-anomaly-datasource', jsonData: options.jsonData ?? {} },
    };
  }
  const { backend } = options;
  if (!backend) {
    return { status: 503, body: { message: 'this page was started without the plugin backend' } };
  }
  if (pathname === '/api/ds/query' && method === 'POST') {
    return backend.query(JSON.parse((await readBody(req)).toString('utf8') || '{}'));
  }
  if (pathname.startsWith(RESOURCES_PREFIX)) {
    const body = method === 'GET' ? Buffer.alloc(0) : await readBody(req);
    return backend.resource(method, pathname.slice(RESOURCES_PREFIX.length), url.search.slice(1), body);
  }
  return { status: 404, body: { message: `${method} ${pathname} is not an API this page provides` } };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`request body larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, reply: JsonReply): void {
  const text = JSON.stringify(reply.body ?? null);
  res.writeHead(reply.status, { 'content-type': CONTENT_TYPES['.json'], 'cache-control': 'no-store' });
  res.end(text);
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

function resolveFile(pathname: string, options: PageServerOptions): string | undefined {
  if (pathname === UPLOT_CSS_URL) {
    return UPLOT_CSS;
  }
  if (pathname.startsWith('/host/')) {
    return inside(options.hostDir, pathname.slice('/host/'.length));
  }
  if (pathname.startsWith(PLUGIN_BASE)) {
    return inside(options.distDir, pathname.slice(PLUGIN_BASE.length));
  }
  if (pathname.startsWith(ICONS_URL)) {
    return inside(ICONS_DIR, pathname.slice(ICONS_URL.length));
  }
  const font = INTER_FONT.exec(pathname);
  if (font) {
    return path.join(NODE_MODULES, `@fontsource/inter/files/inter-latin-${INTER_WEIGHTS[font[1]]}-normal.woff2`);
  }
  return undefined;
}

/** The file `relative` under `root`, or undefined if the path would leave `root`. */
function inside(root: string, relative: string): string | undefined {
  const file = path.resolve(root, decodeURIComponent(relative));
  return file.startsWith(root + path.sep) ? file : undefined;
}
