// The rule files under ./rules/ as one PrometheusRule (for the Prometheus Operator), written to
// ./prometheusrule.yaml by `npm run monitoring:rules`. The rule files are the one source; a test
// checks that the committed PrometheusRule is what this builds from them.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { parse, stringify } from 'yaml';

const here = new URL('./', import.meta.url);
export const PROMETHEUS_RULE_FILE = new URL('prometheusrule.yaml', here);

export async function buildPrometheusRule(): Promise<string> {
  const files = (await readdir(new URL('rules/', here))).filter((f) => f.endsWith('.rules.yml')).sort();
  const groups = [];
  for (const file of files)
    groups.push(...(parse(await readFile(new URL(`rules/${file}`, here), 'utf8')) as { groups: unknown[] }).groups);
  const rule = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: 'pno-maintenance',
      namespace: 'monitoring',
      labels: { 'app.kubernetes.io/part-of': 'pno-maintenance' },
    },
    spec: { groups },
  };
  return `# Generated from deploy/monitoring/rules/*.rules.yml by \`npm run monitoring:rules\`: edit those.\n${stringify(rule, { lineWidth: 0 })}`;
}

if (import.meta.main) {
  await writeFile(PROMETHEUS_RULE_FILE, await buildPrometheusRule());
  process.stdout.write(`${PROMETHEUS_RULE_FILE.pathname} rewritten from the rule files\n`);
}
