// The provisioning files and docker-compose.yml are only read by Grafana and Docker,
// which CI does not run; this checks they agree with the plugin and with each other.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

import { resolveQuery } from '../common/query';

const ROOT = join(__dirname, '..', '..');
const readText = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const readYaml = (path: string) => parse(readText(path));
const readJson = (path: string) => JSON.parse(readText(path));

const APP_ID = readJson('plugin.json').id;
const DATASOURCE_ID = readJson('src/datasource/plugin.json').id;
const PANEL_ID = readJson('src/panel/plugin.json').id;
const datasource = readYaml('provisioning/datasources/datasources.yml').datasources[0];
const dashboard = readJson('provisioning/dashboards/anomaly-overview.json');
const rule = readYaml('provisioning/alerting/rules.yaml').groups[0].rules[0];
const compose = readYaml('docker-compose.yml');

/** `$VAR` / `${VAR}` references in the string values of parsed YAML. */
function envReferences(value: unknown): string[] {
  if (typeof value === 'string') {
    return [...value.matchAll(/\$\{?([A-Z][A-Z0-9_]*)\}?/g)].map((m) => m[1]);
  }
  if (value && typeof value === 'object') {
    return Object.values(value).flatMap(envReferences);
  }
  return [];
}

/** Dashboard targets hold `$sensor`; the data source expands it to ids before validation, as here. */
function withSampleVariables(target: { sensors?: string[] }): object {
  const sensors = target.sensors?.map((id) => (id.startsWith('$') ? 'sensmitter_1' : id));
  return { ...target, sensors };
}

describe('provisioning', () => {
  it('enables the app by its plugin id', () => {
    expect(readYaml('provisioning/plugins/apps.yaml').apps).toEqual([
      expect.objectContaining({ type: APP_ID, disabled: false }),
    ]);
  });

  it('provisions the data source by its plugin id with secrets from the environment only', () => {
    expect(datasource).toMatchObject({ type: DATASOURCE_ID, uid: 'iotlab-anomaly', access: 'proxy' });
    expect(Object.keys(datasource.secureJsonData).sort()).toEqual(['accessKey', 'secretKey']);
    for (const value of Object.values(datasource.secureJsonData)) {
      expect(value).toMatch(/^\$\{?[A-Z][A-Z0-9_]*\}?$/);
    }
    for (const key of Object.keys(datasource.jsonData)) {
      expect(key).not.toMatch(/secret|password|token|accessKey/i);
    }
  });

  it('points every dashboard panel and query at the provisioned data source', () => {
    const ref = { type: DATASOURCE_ID, uid: datasource.uid };
    for (const panel of dashboard.panels) {
      expect(panel.datasource).toEqual(ref);
      const refIds = panel.targets.map((t: { refId: string }) => t.refId);
      expect(new Set(refIds).size).toBe(refIds.length);
      for (const target of panel.targets) {
        expect(target.datasource).toEqual(ref);
        expect(() => resolveQuery(withSampleVariables(target))).not.toThrow();
      }
    }
    const types = dashboard.panels.map((p: { type: string }) => p.type);
    expect(types.filter((t: string) => t === PANEL_ID)).toHaveLength(4);
    expect(types).toEqual(expect.arrayContaining(['stat', 'timeseries']));
  });

  it('defines the $sensor variable the dashboard queries use', () => {
    const sensorVariable = dashboard.templating.list.find((v: { name: string }) => v.name === 'sensor');
    expect(sensorVariable).toMatchObject({ type: 'query', query: 'sensors', datasource: { uid: datasource.uid } });
    for (const panel of dashboard.panels) {
      expect(panel.targets[0].sensors).toEqual(['$sensor']);
    }
  });

  it('loads the dashboard from the folder its provider reads, and the app bundles the same file', () => {
    const provider = readYaml('provisioning/dashboards/dashboards.yaml').providers[0];
    expect(provider.options.path).toBe('/etc/grafana/provisioning/dashboards');
    const include = readJson('plugin.json').includes.find((i: { type: string }) => i.type === 'dashboard');
    expect(include.path).toBe('dashboards/anomaly-overview.json');
    expect(readText('.config/webpack/webpack.config.ts')).toContain("'provisioning/dashboards/anomaly-overview.json'");
  });

  it('builds the alert rule A → B → C with A a valid anomaly_count query', () => {
    const byRef = new Map(rule.data.map((d: { refId: string }) => [d.refId, d]));
    expect(byRef.has(rule.condition)).toBe(true);
    const [a, b, c] = ['A', 'B', 'C'].map((ref) => byRef.get(ref) as Record<string, any>); // eslint-disable-line @typescript-eslint/no-explicit-any -- parsed YAML
    expect(a.datasourceUid).toBe(datasource.uid);
    expect(a.model.refId).toBe('A');
    expect(resolveQuery(a.model).queryType).toBe('anomaly_count');
    expect(b.model).toMatchObject({ type: 'reduce', expression: 'A', refId: 'B' });
    expect(c.model).toMatchObject({ type: 'threshold', expression: 'B', refId: 'C' });
    expect(rule.isPaused).toBe(false);
    // The threshold follows from contamination × readings per window (rules.yaml explains it): at least 10× the
    // flags a healthy sensor shows by chance at the lab's 10 s cadence, so "> 0" (which fires half the time) is out.
    const expectedByChance = (resolveQuery(a.model).contamination as number) * (a.relativeTimeRange.from / 10);
    expect(c.model.conditions[0].evaluator).toEqual({ type: 'gt', params: [Math.ceil(10 * expectedByChance) - 1] });
    for (const ref of [b, c]) {
      expect(ref.datasourceUid).toBe('__expr__');
    }
    expect(rule.dashboardUid).toBe(dashboard.uid);
    expect(dashboard.panels.map((p: { id: number }) => p.id)).toContain(rule.panelId);
  });

  it('routes the rule’s alerts to the Slack contact point, whose URL comes from the environment', () => {
    const contactPoint = readYaml('provisioning/alerting/contact-points.yaml').contactPoints[0];
    const receiver = contactPoint.receivers[0];
    expect(receiver.type).toBe('slack');
    expect(receiver.settings.url).toBe('$SLACK_WEBHOOK_URL');
    const route = readYaml('provisioning/alerting/policies.yaml').policies[0].routes[0];
    expect(route.receiver).toBe(contactPoint.name);
    const [label, operator, value] = route.object_matchers[0];
    expect(operator).toBe('=');
    expect(rule.labels[label]).toBe(value);
  });

  it('gives Grafana in docker compose the plugin, the provisioning and every variable the files use', () => {
    const grafana = compose.services.grafana;
    expect(grafana.image).toMatch(/^grafana\/grafana:\$\{GRAFANA_VERSION:-13\.\d+\.\d+\}$/);
    expect(grafana.volumes).toEqual(
      expect.arrayContaining([
        `./dist:/var/lib/grafana/plugins/${APP_ID}:ro`,
        './provisioning:/etc/grafana/provisioning:ro',
      ])
    );
    expect(grafana.environment.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS.split(',').sort()).toEqual(
      [APP_ID, DATASOURCE_ID, PANEL_ID].sort()
    );
    const used = new Set([
      ...envReferences(readYaml('provisioning/datasources/datasources.yml')),
      ...envReferences(readYaml('provisioning/alerting/contact-points.yaml')),
    ]);
    expect(used.size).toBeGreaterThan(5);
    for (const name of used) {
      expect(Object.keys(grafana.environment)).toContain(name);
    }
  });
});
