/** Debian's Chromium (apt-get install -y chromium), for the browser tests and the screenshot script; nothing here downloads a browser. */
export const CHROMIUM = '/usr/bin/chromium';

/** Headless, no sandbox (CI runs as root), no GPU, and nothing that phones home: no updates, sync or background requests. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
