// The alert rules shipped under deploy/monitoring/, checked and unit-tested by the real promtool
// (Debian's prometheus package, scripts/tools/ensure-monitoring.sh): each parses, each fires on its
// condition and stays quiet otherwise, and the PrometheusRule is exactly the rule files.
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildPrometheusRule, PROMETHEUS_RULE_FILE } from '../../deploy/monitoring/prometheus-rule.ts';

const monitoring = new URL('../../deploy/monitoring/', import.meta.url);
const promtool = (args: string[]) =>
  promisify(execFile)(process.env.PNO_PROMTOOL ?? 'promtool', args, { cwd: fileURLToPath(monitoring) });

const filesIn = async (dir: string, suffix: string) =>
  (await readdir(new URL(dir, monitoring))).filter((f) => f.endsWith(suffix)).map((f) => `${dir}${f}`);

interface RuleFile {
  groups: { rules: { alert?: string }[] }[];
}
interface TestFile {
  rule_files: string[];
  tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
}

describe('deploy/monitoring', () => {
  it('every rule file passes `promtool check rules`', async () => {
    const files = await filesIn('rules/', '.rules.yml');
    expect(files).toEqual(['rules/guide.rules.yml', 'rules/maintenance.rules.yml']);
    const { stdout } = await promtool(['check', 'rules', ...files]);
    expect(stdout).toContain('SUCCESS: 5 rules found');
    expect(stdout).toContain('SUCCESS: 10 rules found');
  });

  it('every unit test passes `promtool test rules`', async () => {
    const files = await filesIn('tests/', '.test.yml');
    const { stdout } = await promtool(['test', 'rules', ...files]);
    expect(stdout.match(/SUCCESS/g)).toHaveLength(files.length);
  });

  it('every alert has a test where it fires and one where it stays quiet', async () => {
    const cases = new Map<string, { fires: boolean; quiet: boolean }>();
    for (const file of await filesIn('tests/', '.test.yml')) {
      const test = parse(await readFile(new URL(file, monitoring), 'utf8')) as TestFile;
      for (const { alert_rule_test = [] } of test.tests)
        for (const { alertname, exp_alerts } of alert_rule_test) {
          const seen = cases.get(alertname) ?? { fires: false, quiet: false };
          cases.set(alertname, {
            fires: seen.fires || exp_alerts.length > 0,
            quiet: seen.quiet || exp_alerts.length === 0,
          });
        }
    }
    const alerts: string[] = [];
    for (const file of await filesIn('rules/', '.rules.yml')) {
      const rules = parse(await readFile(new URL(file, monitoring), 'utf8')) as RuleFile;
      alerts.push(...rules.groups.flatMap((g) => g.rules.flatMap((r) => (r.alert ? [r.alert] : []))));
    }
    expect(alerts).toHaveLength(15);
    expect(Object.fromEntries(alerts.map((a) => [a, cases.get(a)]))).toEqual(
      Object.fromEntries(alerts.map((a) => [a, { fires: true, quiet: true }])),
    );
  });

  it('the committed PrometheusRule is built from the rule files (npm run monitoring:rules)', async () => {
    expect(await readFile(PROMETHEUS_RULE_FILE, 'utf8')).toBe(await buildPrometheusRule());
  });
});
