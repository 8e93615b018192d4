// Machine-wide state a real node changes, recorded before it starts and put back when it stops: the
// kernel settings the kubelet tunes at start (kernel.panic, vm.overcommit_memory, …) and the iptables
// chains the kubelet and kube-proxy add (KUBE-*), in every table, for IPv4 and IPv6.
import { readFile, writeFile } from 'node:fs/promises';
import { host } from './host-command.ts';

// The kubelet's setupKernelTunables list, plus what kube-proxy and CNI may touch.
const SYSCTLS = [
  'kernel/panic',
  'kernel/panic_on_oops',
  'kernel/keys/root_maxkeys',
  'kernel/keys/root_maxbytes',
  'vm/overcommit_memory',
  'vm/panic_on_oom',
  'net/ipv4/ip_forward',
  'net/ipv4/conf/all/route_localnet',
  'net/bridge/bridge-nf-call-iptables',
  'net/netfilter/nf_conntrack_max',
  'net/netfilter/nf_conntrack_tcp_timeout_established',
  'net/netfilter/nf_conntrack_tcp_timeout_close_wait',
];

export type Sysctls = Map<string, string>;

export async function readSysctls(): Promise<Sysctls> {
  const values = new Map<string, string>();
  for (const key of SYSCTLS) {
    const value = await readFile(`/proc/sys/${key}`, 'utf8').catch(() => undefined);
    if (value !== undefined) values.set(key, value.trim());
  }
  return values;
}

/** Writes back every recorded value that changed; returns the keys it restored. */
export async function restoreSysctls(saved: Sysctls): Promise<string[]> {
  const now = await readSysctls();
  const restored: string[] = [];
  for (const [key, value] of saved) {
    if (now.get(key) === value) continue;
    await writeFile(`/proc/sys/${key}`, `${value}\n`);
    restored.push(key);
  }
  return restored;
}

const IPTABLES = ['iptables', 'ip6tables'] as const;

/** Chain names per "<command> <table>", from iptables-save. */
export type Chains = Map<string, Set<string>>;

function parseSave(
  text: string,
  command: string,
): { chains: Chains; rules: { key: string; table: string; chain: string; args: string[] }[] } {
  const chains: Chains = new Map();
  const rules: { key: string; table: string; chain: string; args: string[] }[] = [];
  let table = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) {
      table = line.slice(1).trim();
      chains.set(`${command} ${table}`, new Set());
    } else if (line.startsWith(':')) {
      // ":NAME POLICY [counters]": built-in chains have a policy, user chains "-"; only those can go.
      const [name, policy] = line.slice(1).split(' ');
      if (name && policy === '-') chains.get(`${command} ${table}`)?.add(name);
    } else if (line.startsWith('-A ')) {
      const args = splitRule(line.slice(3));
      rules.push({ key: `${command} ${table}`, table, chain: args[0] ?? '', args: args.slice(1) });
    }
  }
  return { chains, rules };
}

/** Splits an iptables-save rule into arguments; double-quoted words (comments) stay whole. */
function splitRule(rule: string): string[] {
  return [...rule.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) =>
    m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? ''),
  );
}

async function save(command: string): Promise<string> {
  return host(`${command}-save`, []).catch(() => '');
}

export async function iptablesChains(): Promise<Chains> {
  const all: Chains = new Map();
  for (const command of IPTABLES)
    for (const [key, chains] of parseSave(await save(command), command).chains) all.set(key, chains);
  return all;
}

/**
 * Removes every chain that did not exist in `before` and every rule that jumps to one: what the
 * kubelet (KUBE-KUBELET-CANARY, KUBE-FIREWALL) and kube-proxy (KUBE-SERVICES …) added. Returns their names.
 */
export async function removeNewChains(before: Chains): Promise<string[]> {
  const removed: string[] = [];
  for (const command of IPTABLES) {
    const { chains, rules } = parseSave(await save(command), command);
    const added = new Map<string, string[]>();
    for (const [key, names] of chains) {
      const old = before.get(key) ?? new Set<string>();
      added.set(
        key,
        [...names].filter((name) => !old.has(name)),
      );
    }
    // Rules in old chains that lead into new ones go first, then the new chains themselves.
    for (const rule of rules) {
      const fresh = added.get(rule.key) ?? [];
      const jump = rule.args.findIndex((arg) => arg === '-j' || arg === '-g');
      const target = jump >= 0 ? rule.args[jump + 1] : undefined;
      if (!fresh.includes(rule.chain) && target && fresh.includes(target)) {
        await host(command, ['-w', '-t', rule.table, '-D', rule.chain, ...rule.args]);
      }
    }
    for (const [key, names] of added) {
      const table = key.split(' ')[1] ?? 'filter';
      for (const name of names) await host(command, ['-w', '-t', table, '-F', name]);
      for (const name of names) await host(command, ['-w', '-t', table, '-X', name]);
      removed.push(...names.map((name) => `${command} ${table} ${name}`));
    }
  }
  return removed;
}

/** Removes every KUBE-* chain and the rules that jump to them: what a node that died left behind. */
export async function removeKubeChains(): Promise<string[]> {
  const now = await iptablesChains();
  const others: Chains = new Map(
    [...now].map(([key, names]) => [key, new Set([...names].filter((name) => !name.startsWith('KUBE-')))]),
  );
  return removeNewChains(others);
}
